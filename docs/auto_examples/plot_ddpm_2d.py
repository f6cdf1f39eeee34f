"""
A DDPM on two moons: the reverse process
========================================

Fits a :class:`~skgen.DDPM` (residual MLP, cosine schedule, 1000 steps) on
``make_moons`` and records the reverse process of 1,000 samples with
``sample(..., return_trajectory=True)``: pure noise at the first step, two
moons at the last. Draws six moments of the ancestral (DDPM) reverse
process, then DDIM with 50 steps and held-out data, with the energy
distance of each sample set to the held-out data::

    python examples/plot_ddpm_2d.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons

from skgen import DDPM
from skgen.metrics import energy_distance

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 2 if FAST else 100

X, _ = make_moons(3000, noise=0.05, random_state=0)
X_test, _ = make_moons(1000, noise=0.05, random_state=1)

# %%
# Fit once, sample two ways
# -------------------------
ddpm = DDPM(max_iter=EPOCHS, random_state=0).fit(X)
samples, path, steps = ddpm.sample(1000, random_state=0, sampler="ddpm",
                                   return_trajectory=True)
fast = ddpm.sample(1000, random_state=0, sampler="ddim", n_inference_steps=50)

# %%
# The reverse process
# -------------------
frames = [0, 500, 800, 900, 970, len(steps) - 1]
fig, axes = plt.subplots(1, len(frames) + 2, figsize=(3 * (len(frames) + 2), 3.2),
                         sharex=True, sharey=True)
for ax, i in zip(axes, frames):
    ax.scatter(*path[i].T, s=2, alpha=0.5)
    ax.set_title("noise, t = 999" if i == 0 else
                 "samples" if steps[i] < 0 else f"t = {steps[i]}")
axes[len(frames) - 1].set_title(
    f"DDPM, 1000 steps\nenergy {energy_distance(samples, X_test):.4f}")
axes[len(frames)].scatter(*fast.T, s=2, alpha=0.5, color="C2")
axes[len(frames)].set_title(f"DDIM, 50 steps\nenergy {energy_distance(fast, X_test):.4f}")
axes[-1].scatter(*X_test.T, s=2, alpha=0.5, color="C1")
axes[-1].set_title("held-out data")
axes[0].set_xlim(-2, 3)
axes[0].set_ylim(-1.5, 2)
fig.tight_layout()
fig.savefig("ddpm_2d.png", dpi=80)
plt.show()
