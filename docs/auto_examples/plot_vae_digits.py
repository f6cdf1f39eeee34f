"""
Variational autoencoder on digits
=================================

Fits a :class:`~skgen.VariationalAutoencoder` on scikit-learn's 8x8 digits
(pixels in [0, 1]) and draws, with :mod:`skgen.plotting`, new digits drawn
with ``sample``, the 2-D latent space, interpolations between digits, the
training curves and the samples of a conditional VAE::

    python examples/plot_vae_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skgen import VariationalAutoencoder
from skgen.plotting import (
    ImageGridDisplay,
    InterpolationDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
)

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 200

digits = load_digits()
X, y = digits.data / 16, digits.target

# %%
# Three VAEs
# ----------
# A 10-D VAE for samples and interpolations (with early stopping on 10% of
# the digits, so it has a validation curve), a 2-D one whose latent space
# can be drawn as it is, and a conditional one that draws given classes.
vae = VariationalAutoencoder(10, max_iter=EPOCHS, early_stopping=True, n_iter_no_change=20,
                             random_state=0).fit(X)
vae2d = VariationalAutoencoder(2, max_iter=EPOCHS, random_state=0).fit(X)
cvae = VariationalAutoencoder(10, conditional=True, max_iter=EPOCHS, random_state=0).fit(X, y)
print(f"mean ELBO on the training digits {vae.score(X):.1f} nats, "
      f"IWAE(50) {vae.score_samples(X[:300], n_importance_samples=50).mean():.1f}")

# %%
# Samples, latent space, interpolation, training
# ----------------------------------------------
fig, axes = plt.subplots(2, 3, figsize=(16, 9))
ImageGridDisplay.from_estimator(vae, 64, random_state=0, ax=axes[0, 0], vmin=0, vmax=1)
LatentSpaceDisplay.from_estimator(vae2d, X, y, ax=axes[0, 1])
axes[0, 1].set_title("VariationalAutoencoder(2): posterior means")
InterpolationDisplay.from_estimator(vae, X[:4], X[4:8], ax=axes[0, 2], vmin=0, vmax=1)
axes[0, 2].set_title("interpolation between the codings of two digits")
LossCurveDisplay.from_estimator(vae, ax=axes[1, 0])
axes[1, 0].set_ylabel("negative ELBO per digit")
ImageGridDisplay.from_estimator(cvae, 100, y=[c for c in range(10) for _ in range(10)],
                                random_state=0, n_cols=10, ax=axes[1, 1], vmin=0, vmax=1,
                                title="conditional VAE: 10 samples per class")
LatentSpaceDisplay.from_estimator(vae, X, y, projection="tsne", random_state=0,
                                  ax=axes[1, 2])
fig.tight_layout()
fig.savefig("vae_digits.png", dpi=80)
plt.show()
