"""
Autoencoders as a drop-in for PCA
=================================

Fits PCA and every skgen autoencoder with the same number of components on
scikit-learn's 8x8 digits (pixels scaled to [0, 1], 80/20 split), prints the
held-out reconstruction error and fit time of each, and draws held-out
digits over their reconstructions with
:class:`~skgen.plotting.ReconstructionDisplay`. Runs in under 2 minutes on
2 CPU cores::

    python examples/quickstart.py [--n-components 10] [--output quickstart.png]

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import argparse
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)
from skgen.plotting import ReconstructionDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
parser = argparse.ArgumentParser(description="skgen autoencoders vs PCA on digits")
parser.add_argument("--n-components", type=int, default=10)
parser.add_argument("--output", default="quickstart.png")
args = parser.parse_args()
k = args.n_components

# %%
# The models
# ----------
# Default settings throughout; ``FAST`` only cuts the number of epochs. The
# convolutional autoencoder takes the images, the others flat rows.
extra = {"max_iter": 3} if FAST else {}
models = {
    "PCA": PCA(k),
    "LinearAutoencoder": LinearAutoencoder(k, random_state=0, **extra),
    "StackedAutoencoder": StackedAutoencoder(k, random_state=0, **extra),
    "SparseAutoencoder": SparseAutoencoder(k, random_state=0, **extra),
    "DenoisingAutoencoder": DenoisingAutoencoder(k, random_state=0, **extra),
    "ConvolutionalAutoencoder": ConvolutionalAutoencoder(k, random_state=0, **extra),
}

images = load_digits().images.astype(np.float32) / 16
train, test = train_test_split(images, test_size=0.2, random_state=0)
flat_train, flat_test = train.reshape(len(train), -1), test.reshape(len(test), -1)

# %%
# Held-out reconstruction error
# -----------------------------
print(f"digits: {len(train)} train / {len(test)} test images, n_components={k}")
print(f"{'model':<26}{'held-out MSE':>14}{'vs PCA':>9}{'fit (s)':>9}")
fitted, pca_mse = {}, None
for name, model in models.items():
    X_train, X_test = (train, test) if name.startswith("Conv") else (flat_train, flat_test)
    start = time.perf_counter()
    model.fit(X_train)
    seconds = time.perf_counter() - start
    recon = model.inverse_transform(model.transform(X_test)).reshape(test.shape)
    mse = float(np.mean((recon - test) ** 2))
    pca_mse = pca_mse or mse
    fitted[name] = (model, X_test)
    print(f"{name:<26}{mse:>14.5f}{mse / pca_mse:>9.2f}{seconds:>9.1f}", flush=True)

# %%
# Originals over reconstructions
# ------------------------------
# One :class:`~skgen.plotting.ReconstructionDisplay` per model; the numbers
# under each digit are its squared error per pixel.
fig, axes = plt.subplots(len(fitted), 1, figsize=(8, 1.7 * len(fitted)))
for ax, (name, (model, X_test)) in zip(axes, fitted.items()):
    disp = ReconstructionDisplay.from_estimator(model, X_test, n_images=10, ax=ax,
                                                vmin=0, vmax=1)
    ax.set_title(f"{name}: MSE {disp.errors_.mean():.4f} on these 10", fontsize=9)
    ax.set_xlabel("")
fig.tight_layout()
fig.savefig(args.output, dpi=80)
print(f"saved {args.output}")
plt.show()
