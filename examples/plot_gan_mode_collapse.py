"""
GAN mode collapse on a ring of Gaussians
========================================

Trains the plain BCE GAN and the same GAN with each remedy (label
smoothing, minibatch standard deviation, an EMA generator) on a ring of 8
Gaussians, with the same budget and seed, and draws the samples of each
over the data, titled with the modes covered. One seed is one draw: the
remedies are described in the GAN user guide, :doc:`/user_guide/gan`. Run it with::

    python examples/plot_gan_mode_collapse.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt

from skgen import GAN
from skgen.datasets import make_ring_of_gaussians
from skgen.metrics import mode_coverage

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 100
# The plain GAN turns off the remedies that are on by default.
PLAIN = {"minibatch_std": False, "ema_decay": None}
CONFIGS = {
    "plain BCE": PLAIN,
    "label smoothing 0.1": {**PLAIN, "label_smoothing": 0.1},
    "minibatch std": {**PLAIN, "minibatch_std": True},
    "EMA generator 0.99": {**PLAIN, "ema_decay": 0.99},
}

X, _, centers = make_ring_of_gaussians(2000, random_state=0)

# %%
# One GAN per remedy
# ------------------
# A sample is near a mode within 3 standard deviations (0.05 each) of its
# centre; :func:`~skgen.metrics.mode_coverage` counts the modes reached.
fig, axes = plt.subplots(2, 2, figsize=(9, 9.4))
for ax, (name, params) in zip(axes.flat, CONFIGS.items()):
    gan = GAN(n_components=8, max_iter=EPOCHS, batch_size=64, random_state=1,
              **params).fit(X)
    samples = gan.sample(1000, random_state=0)
    modes, near = mode_coverage(samples, centers, radius=0.15)
    print(f"{name:<22} modes {modes}/8, {near:.0%} of samples near a mode")
    ax.scatter(X[:, 0], X[:, 1], s=2, c="lightgray", label="data")
    ax.scatter(samples[:, 0], samples[:, 1], s=2, c="tab:red", label="samples")
    ax.set_title(f"{name}\n{modes}/8 modes, {near:.0%} of samples near one",
                 fontsize="large")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_aspect("equal")
axes[0, 0].legend(loc="lower left", markerscale=4)
fig.tight_layout()
fig.savefig("gan_mode_collapse.png", dpi=80)
plt.show()
