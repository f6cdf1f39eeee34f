"""A GAN on digits: sample grids and the two players' loss curves.

Trains the dense GAN (the book's MLP GAN) unconditionally and
conditionally on scikit-learn's 8x8 digits (pixels in [0, 1]) and saves
``gan_digits.png``: a grid of unconditional samples, a grid with one row
per requested class, and the generator and discriminator loss curves.

    python examples/plot_gan_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs. The
convolutional DCGAN of the book is not available yet.
"""

import os

import numpy as np
from sklearn.datasets import load_digits

from skgen import GAN

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 200


def main(output="gan_digits.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    digits = load_digits()
    X, y = digits.data / 16, digits.target
    gan = GAN(max_iter=EPOCHS, random_state=0).fit(X)
    cgan = GAN(conditional=True, max_iter=EPOCHS, random_state=0).fit(X, y)

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.5))
    grid = gan.sample(100, random_state=0).reshape(10, 10, 8, 8)
    axes[0].imshow(grid.transpose(0, 2, 1, 3).reshape(80, 80).clip(0, 1), cmap="binary")
    axes[0].set_title("gan.sample(100)")
    rows = [cgan.sample(10, y=c, random_state=c).reshape(10, 8, 8) for c in range(10)]
    axes[1].imshow(np.vstack([np.hstack(r) for r in rows]).clip(0, 1), cmap="binary")
    axes[1].set_title("conditional: sample(10, y=c), c = 0..9")
    for ax in axes[:2]:
        ax.axis("off")
    axes[2].plot(gan.generator_loss_curve_, label="generator")
    axes[2].plot(gan.discriminator_loss_curve_, label="discriminator")
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("BCE loss")
    axes[2].set_title("the two players' losses")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(output, dpi=80)
    plt.close(fig)
    print(f"saved {output}")


if __name__ == "__main__":
    main()
