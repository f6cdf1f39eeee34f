"""GAN mode collapse on the ring of 8 Gaussians, with and without remedies.

Trains the plain BCE GAN and the same GAN with each remedy (label
smoothing, minibatch standard deviation, an EMA generator) on a ring of 8
Gaussians, with the same budget and seed, and saves
``gan_mode_collapse.png``: one scatter plot of samples over the data per
configuration, titled with the modes covered. ``bench/bench_gan_mode_collapse.py``
gives the numbers over several seeds.

    python examples/plot_gan_mode_collapse.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs.
"""

import os

import numpy as np

from skgen import GAN

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 100
CONFIGS = {
    "plain BCE": {},
    "label smoothing 0.1": {"label_smoothing": 0.1},
    "minibatch std": {"minibatch_std": True},
    "EMA generator 0.99": {"ema_decay": 0.99},
}


def ring(n, seed, std=0.05):
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * rng.integers(0, 8, n) / 8
    return 2 * np.c_[np.cos(angle), np.sin(angle)] + rng.normal(scale=std, size=(n, 2))


def modes_covered(samples, std=0.05):
    angle = 2 * np.pi * np.arange(8) / 8
    centres = 2 * np.c_[np.cos(angle), np.sin(angle)]
    dist = np.linalg.norm(samples[:, None] - centres[None], axis=2)
    near = dist.min(1) < 3 * std
    return len(np.unique(dist.argmin(1)[near])), near.mean()


def main(output="gan_mode_collapse.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = ring(2000, 0)
    fig, axes = plt.subplots(1, len(CONFIGS), figsize=(4 * len(CONFIGS), 4.6))
    for ax, (name, params) in zip(axes, CONFIGS.items()):
        gan = GAN(n_components=8, max_iter=EPOCHS, batch_size=64, random_state=1,
                  **params).fit(X)
        samples = gan.sample(1000, random_state=0)
        modes, near = modes_covered(samples)
        print(f"{name:<22} modes {modes}/8, {near:.0%} of samples near a mode")
        ax.scatter(X[:, 0], X[:, 1], s=2, c="lightgray", label="data")
        ax.scatter(samples[:, 0], samples[:, 1], s=2, c="tab:red", label="samples")
        ax.set_title(f"{name}\n{modes}/8 modes, {near:.0%} near")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
    axes[0].legend(loc="lower left", markerscale=4)
    fig.tight_layout()
    fig.savefig(output, dpi=80)
    plt.close(fig)
    print(f"saved {output}")


if __name__ == "__main__":
    main()
