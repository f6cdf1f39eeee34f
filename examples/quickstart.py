"""Autoencoders as a drop-in for PCA, on scikit-learn's digits.

Fits PCA and every skgen autoencoder with the same number of components on
the 8x8 digits (pixels scaled to [0, 1], 80/20 split), prints held-out
reconstruction MSE and fit time, and saves a PNG of original vs
reconstructed test digits. Runs in under 2 minutes on 2 CPU cores.

    python examples/quickstart.py [--n-components 10] [--output quickstart.png]

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs (the test
suite does).
"""

import argparse
import os
import time

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

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"


def models(k):
    # Default settings throughout; FAST only cuts the number of epochs.
    extra = {"max_iter": 3} if FAST else {}
    return {
        "PCA": PCA(k),
        "LinearAutoencoder": LinearAutoencoder(k, random_state=0, **extra),
        "StackedAutoencoder": StackedAutoencoder(k, random_state=0, **extra),
        "SparseAutoencoder": SparseAutoencoder(k, random_state=0, **extra),
        "DenoisingAutoencoder": DenoisingAutoencoder(k, random_state=0, **extra),
        "ConvolutionalAutoencoder": ConvolutionalAutoencoder(k, random_state=0, **extra),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="skgen autoencoders vs PCA on digits")
    parser.add_argument("--n-components", type=int, default=10)
    parser.add_argument("--output", default="quickstart.png")
    args = parser.parse_args(argv)

    images = load_digits().images.astype(np.float32) / 16
    train, test = train_test_split(images, test_size=0.2, random_state=0)
    flat_train, flat_test = train.reshape(len(train), -1), test.reshape(len(test), -1)

    print(f"digits: {len(train)} train / {len(test)} test images, "
          f"n_components={args.n_components}")
    print(f"{'model':<26}{'held-out MSE':>14}{'vs PCA':>9}{'fit (s)':>9}")
    reconstructions = {}
    pca_mse = None
    for name, model in models(args.n_components).items():
        # The convolutional autoencoder takes the images; the others rows.
        X_train, X_test = (train, test) if name.startswith("Conv") else (flat_train, flat_test)
        start = time.perf_counter()
        model.fit(X_train)
        seconds = time.perf_counter() - start
        recon = model.inverse_transform(model.transform(X_test)).reshape(test.shape)
        mse = float(np.mean((recon - test) ** 2))
        pca_mse = pca_mse or mse
        reconstructions[name] = recon
        print(f"{name:<26}{mse:>14.5f}{mse / pca_mse:>9.2f}{seconds:>9.1f}", flush=True)

    save_figure(test, reconstructions, args.output)
    print(f"saved {args.output}")


def save_figure(originals, reconstructions, path, n_images=10):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = {"original": originals, **reconstructions}
    fig, axes = plt.subplots(len(rows), n_images, figsize=(n_images, len(rows) * 1.1))
    for r, (name, imgs) in enumerate(rows.items()):
        for c in range(n_images):
            ax = axes[r, c]
            ax.imshow(np.clip(imgs[c], 0, 1), cmap="binary", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name.replace("Autoencoder", " AE"), rotation=0,
                              ha="right", va="center", fontsize=8)
    fig.suptitle("held-out digits and their reconstructions")
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    main()
