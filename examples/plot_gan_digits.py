"""GANs on digits: dense GAN and DCGAN sample grids, losses and quality.

Trains the dense GAN (the book's MLP GAN) unconditionally and
conditionally, and the book's DCGAN (``architecture="conv"``, with
minibatch standard deviation against mode collapse) on scikit-learn's 8x8
digits (pixels in [0, 1]). Saves ``gan_digits.png``: sample grids of the
three, the dense GAN's generator and discriminator losses, and the
held-out MMD that both record every 10 epochs.

    python examples/plot_gan_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs.
"""

import os

import numpy as np
from sklearn.datasets import load_digits

from skgen import GAN

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 200
DCGAN_EPOCHS = 3 if FAST else 100


def main(output="gan_digits.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    digits = load_digits()
    X, y = digits.data / 16, digits.target
    gan = GAN(max_iter=EPOCHS, random_state=0).fit(X)
    cgan = GAN(conditional=True, max_iter=EPOCHS, random_state=0).fit(X, y)
    # DCGAN: the images keep their 8x8 shape, and so do its samples.
    dcgan = GAN(architecture="conv", minibatch_std=True, ema_decay=0.99,
                max_iter=DCGAN_EPOCHS, random_state=0).fit(digits.images / 16)

    def grid(images):  # 100 images -> one 10 x 10 mosaic
        return images.reshape(10, 10, 8, 8).transpose(0, 2, 1, 3).reshape(80, 80).clip(0, 1)

    fig, axes = plt.subplots(1, 5, figsize=(22, 4.5))
    axes[0].imshow(grid(gan.sample(100, random_state=0)), cmap="binary")
    axes[0].set_title("dense GAN: sample(100)")
    rows = [cgan.sample(10, y=c, random_state=c).reshape(10, 8, 8) for c in range(10)]
    axes[1].imshow(np.vstack([np.hstack(r) for r in rows]).clip(0, 1), cmap="binary")
    axes[1].set_title("conditional: sample(10, y=c), c = 0..9")
    axes[2].imshow(grid(dcgan.sample(100, random_state=0)), cmap="binary")
    axes[2].set_title("DCGAN + minibatch std + EMA: sample(100)")
    for ax in axes[:3]:
        ax.axis("off")
    axes[3].plot(gan.generator_loss_curve_, label="generator")
    axes[3].plot(gan.discriminator_loss_curve_, label="discriminator")
    axes[3].set_xlabel("epoch")
    axes[3].set_ylabel("BCE loss")
    axes[3].set_title("dense GAN: the two players' losses")
    axes[3].legend()
    for name, model in (("dense GAN", gan), ("DCGAN", dcgan)):
        if model.validation_epochs_:
            axes[4].plot(model.validation_epochs_, [-s for s in model.validation_scores_],
                         marker="o", label=name)
    axes[4].set_xlabel("epoch")
    axes[4].set_ylabel("MMD to held-out digits")
    axes[4].set_title("quality monitor (validation_interval=10)")
    if axes[4].lines:
        axes[4].legend()
    fig.tight_layout()
    fig.savefig(output, dpi=80)
    plt.close(fig)
    print(f"saved {output}")


if __name__ == "__main__":
    main()
