"""
A DDPM on two moons: the reverse process
========================================

Fits a :class:`~skgen.DDPM` (residual MLP, cosine schedule, 1000 steps) on
``make_moons`` and records the reverse process of 1,000 samples with
``sample(..., return_trajectory=True)``: pure noise at the first step, two
moons at the last. Draws six moments of the ancestral (DDPM) reverse
process, then DDIM with 50 steps and held-out data. Each sample set is
titled with its energy distance to the held-out data (the V-statistic,
never negative), next to that of a second real sample, the floor a model
can reach::

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
X_real, _ = make_moons(1000, noise=0.05, random_state=2)

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
# The top row follows the ancestral sampler from noise to samples; the
# bottom row compares its samples with DDIM's 50 steps and with real data.
def distance(Y):
    return energy_distance(Y, X_test, unbiased=False)


frames = [0, 500, 800, 900, 970]
fig, axes = plt.subplots(2, 4, figsize=(12, 6.6), sharex=True, sharey=True)
for ax, i in zip(axes.flat, frames):
    ax.scatter(*path[i].T, s=2, alpha=0.5)
    ax.set_title("noise, t = 999" if i == 0 else f"t = {steps[i]}")
for ax, Y, title, color in [
    (axes.flat[5], samples, "DDPM, 1000 steps", "C0"),
    (axes.flat[6], fast, "DDIM, 50 steps", "C2"),
    (axes.flat[7], X_real, "a second real sample", "C1"),
]:
    ax.scatter(*Y.T, s=2, alpha=0.5, color=color)
    ax.set_title(f"{title}\nenergy distance {distance(Y):.4f}")
for ax in axes.flat:
    ax.title.set_fontsize("large")
axes[0, 0].set_xlim(-2, 3)
axes[0, 0].set_ylim(-1.5, 2)
fig.tight_layout()
fig.savefig("ddpm_2d.png", dpi=80)
plt.show()
