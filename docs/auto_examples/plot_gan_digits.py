"""
GANs on digits: dense GAN and DCGAN
===================================

Trains the dense GAN (the book's MLP GAN) unconditionally and
conditionally, and the book's DCGAN (``architecture="conv"``, with
minibatch standard deviation against mode collapse and an EMA generator) on
scikit-learn's 8x8 digits (pixels in [0, 1]). Draws the sample grids of the
three and, with :class:`~skgen.plotting.LossCurveDisplay`, both players'
losses with the held-out MMD that each GAN records every 10 epochs::

    python examples/plot_gan_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skgen import GAN
from skgen.plotting import ImageGridDisplay, LossCurveDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 200
DCGAN_EPOCHS = 3 if FAST else 100

digits = load_digits()
X, y = digits.data / 16, digits.target

# %%
# Three GANs
# ----------
# ``validation_interval=10`` (the default) holds out 10% of the digits and
# records the MMD between samples and them every 10 epochs. The DCGAN takes
# the images with their 8x8 shape, and so are its samples.
gan = GAN(max_iter=EPOCHS, random_state=0).fit(X)
cgan = GAN(conditional=True, max_iter=EPOCHS, random_state=0).fit(X, y)
dcgan = GAN(architecture="conv", minibatch_std=True, ema_decay=0.99,
            max_iter=DCGAN_EPOCHS, random_state=0).fit(digits.images / 16)

# %%
# Samples and training curves
# ---------------------------
fig, axes = plt.subplots(2, 3, figsize=(16, 9))
ImageGridDisplay.from_estimator(gan, 100, random_state=0, ax=axes[0, 0], vmin=0, vmax=1,
                                title="dense GAN: sample(100)")
ImageGridDisplay.from_estimator(cgan, 100, y=[c for c in range(10) for _ in range(10)],
                                random_state=0, n_cols=10, ax=axes[0, 1], vmin=0, vmax=1,
                                title="conditional: 10 samples per class")
ImageGridDisplay.from_estimator(dcgan, 100, random_state=0, ax=axes[0, 2], vmin=0, vmax=1,
                                title="DCGAN + minibatch std + EMA: sample(100)")
for ax, model, name in zip(axes[1], (gan, cgan, dcgan),
                           ("dense GAN", "conditional GAN", "DCGAN")):
    LossCurveDisplay.from_estimator(model, ax=ax)
    ax.set_title(f"{name}: BCE losses and held-out MMD")
fig.tight_layout()
fig.savefig("gan_digits.png", dpi=80)
plt.show()
