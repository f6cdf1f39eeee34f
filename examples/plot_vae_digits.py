"""Variational autoencoder on digits: samples, latent space, interpolation.

Fits a VariationalAutoencoder on scikit-learn's 8x8 digits (pixels in
[0, 1]) and saves ``vae_digits.png`` with four panels:

1. a grid of new digits drawn with ``sample``;
2. the 2-D latent space (``n_components=2``): posterior means coloured by
   class;
3. an interpolation between two digits, decoding a straight line between
   their codings;
4. samples of a conditional VAE, one row per requested class.

    python examples/plot_vae_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs.
"""

import os

import numpy as np
from sklearn.datasets import load_digits

from skgen import VariationalAutoencoder

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 200


def main(output="vae_digits.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    digits = load_digits()
    X, y = digits.data / 16, digits.target

    vae = VariationalAutoencoder(10, max_iter=EPOCHS, random_state=0).fit(X)
    vae2d = VariationalAutoencoder(2, max_iter=EPOCHS, random_state=0).fit(X)
    cvae = VariationalAutoencoder(10, conditional=True, max_iter=EPOCHS,
                                  random_state=0).fit(X, y)
    print(f"held-out-free check: mean ELBO on the training digits {vae.score(X):.1f} nats, "
          f"IWAE(50) {vae.score_samples(X[:300], n_importance_samples=50).mean():.1f}")

    fig = plt.figure(figsize=(12, 9))
    grid = fig.add_gridspec(2, 2)

    samples = vae.sample(64, random_state=0).reshape(8, 8, 8, 8)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(samples.transpose(0, 2, 1, 3).reshape(64, 64), cmap="binary", vmin=0, vmax=1)
    ax.set_title("vae.sample(64)")
    ax.axis("off")

    codes = vae2d.transform(X)
    ax = fig.add_subplot(grid[0, 1])
    points = ax.scatter(codes[:, 0], codes[:, 1], c=y, cmap="tab10", s=6)
    fig.colorbar(points, ax=ax, label="digit")
    ax.set_title("latent space of VariationalAutoencoder(2): posterior means")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")

    start, end = vae.transform(X[[0, 1]])
    steps = np.linspace(0, 1, 10)[:, None]
    path = vae.inverse_transform((1 - steps) * start + steps * end).reshape(10, 8, 8)
    ax = fig.add_subplot(grid[1, 0])
    ax.imshow(np.hstack(path), cmap="binary", vmin=0, vmax=1)
    ax.set_title("interpolation between two digits' codings")
    ax.axis("off")

    rows = [cvae.sample(10, y=c, random_state=c).reshape(10, 8, 8) for c in range(10)]
    ax = fig.add_subplot(grid[1, 1])
    ax.imshow(np.vstack([np.hstack(r) for r in rows]), cmap="binary", vmin=0, vmax=1)
    ax.set_title("conditional VAE: sample(10, y=c) for c = 0..9")
    ax.axis("off")

    fig.tight_layout()
    fig.savefig(output, dpi=80)
    plt.close(fig)
    print(f"saved {output}")


if __name__ == "__main__":
    main()
