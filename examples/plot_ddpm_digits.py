"""
A DDPM on digits: training, the two processes, three samplers
=============================================================

Trains the U-Net :class:`~skgen.DDPM` (``architecture="unet"``, cosine
schedule, 1000 steps) on scikit-learn's 8x8 digits in rounds
(``warm_start=True``) and draws:

* a row of samples after each round of training, from the default sampler
  (``sampler="auto"``: 30 steps of the stochastic DPM-Solver++ for the
  U-Net);
* with :class:`~skgen.plotting.DiffusionProcessDisplay`, test digits noised
  by the forward process above the reverse process at the same noise levels;
* sampling time against quality: ancestral DDPM over all 1000 steps, DDIM
  over 10, 25, 50 and 100 steps, DPM-Solver++ over 10 and 20 and its
  stochastic form over 30 from the same fitted model, each with the energy
  distance of its samples to held-out digits;
* guided samples of a conditional model, one column per requested class.

::

    python examples/plot_ddpm_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import DDPM
from skgen.metrics import energy_distance
from skgen.plotting import DiffusionProcessDisplay, ImageGridDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
ROUNDS = [1, 1] if FAST else [5, 5, 10, 20]  # epochs added per round
N_COMPARE = 20 if FAST else 300

digits = load_digits()
X_train, X_test, y_train, _ = train_test_split(digits.images / 16, digits.target,
                                               test_size=0.2, random_state=0)

# %%
# Training in rounds
# ------------------
# With ``warm_start=True`` each ``fit`` continues from the last one.
ddpm = DDPM(architecture="unet", warm_start=True, random_state=0)
progress, epochs_done = [], []
for epochs in ROUNDS:
    ddpm.set_params(max_iter=epochs).fit(X_train)
    progress.append(ddpm.sample(10, random_state=0))
    epochs_done.append(ddpm.n_iter_)

# %%
# One fitted model, several samplers
# ----------------------------------
flat_test = X_test.reshape(len(X_test), -1)
rows = []
for sampler, n_steps in [("ddpm", None), ("ddim", 100), ("ddim", 50), ("ddim", 25),
                         ("ddim", 10), ("dpm++", 20), ("dpm++", 10), ("dpm++sde", 30)]:
    start = time.perf_counter()
    samples = ddpm.sample(N_COMPARE, random_state=1, sampler=sampler,
                          n_inference_steps=n_steps)
    seconds = time.perf_counter() - start
    dist = energy_distance(samples.reshape(N_COMPARE, -1), flat_test)
    label = {"ddpm": "DDPM", "ddim": "DDIM", "dpm++": "DPM++", "dpm++sde": "DPM++ SDE"}[sampler]
    label += f" {1000 if n_steps is None else n_steps}"
    rows.append((label, seconds, dist))
    print(f"{label:<13} {seconds:7.2f} s  energy distance {dist:.3f}")

# %%
# Classifier-free guidance
# ------------------------
guided = DDPM(architecture="unet", conditional=True, max_iter=sum(ROUNDS),
              random_state=0).fit(X_train, y_train)
classes = np.tile(np.arange(10), 8)

# %%
# The figure
# ----------
fig = plt.figure(figsize=(16, 10))
grid = fig.add_gridspec(3, 2)
ImageGridDisplay(np.concatenate(progress)).plot(
    ax=fig.add_subplot(grid[0, 0]), n_cols=10, vmin=0, vmax=1,
    title=f"samples (30 stochastic DPM-Solver++ steps) after "
          f"{', '.join(map(str, epochs_done))} epochs (one row each)")
DiffusionProcessDisplay.from_estimator(
    ddpm, X_test[:2], n_levels=9, random_state=0,
    ax=fig.add_subplot(grid[1, 0]), vmin=0, vmax=1)
ax = fig.add_subplot(grid[:2, 1])
for label, seconds, dist in rows:
    ax.scatter(seconds, dist, s=40)
    ax.annotate(label, (seconds, dist), textcoords="offset points", xytext=(5, 5))
ax.set_xscale("log")
ax.set_xlabel(f"seconds for {N_COMPARE} samples (log scale)")
ax.set_ylabel("energy distance to held-out digits")
ax.set_title("one fitted model, several samplers")
ImageGridDisplay.from_estimator(
    guided, 80, y=classes, random_state=0, n_cols=10, ax=fig.add_subplot(grid[2, :]),
    vmin=0, vmax=1,
    title="conditional, guidance_scale=3, 30 stochastic DPM-Solver++ steps: sample(80, y=...)")
fig.tight_layout()
fig.savefig("ddpm_digits.png", dpi=80)
plt.show()
