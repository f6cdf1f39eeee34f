"""
Your own networks
=================

Every skgen estimator can train torch modules you write yourself. Here a
:class:`~skgen.ConvolutionalAutoencoder` gets a deeper encoder and decoder
than its built-in ones, and a :class:`~skgen.GAN` a generator with a tanh
output and a discriminator of its own, on scikit-learn's 8x8 digits. skgen
keeps doing the rest: scaling, training, ``transform`` and ``sample``, the
random state. The contract (the tensor layouts your modules see, how they
are initialised) is in the user guide's "Your own networks" page::

    python examples/plot_custom_networks.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from skgen import GAN, ConvolutionalAutoencoder
from skgen.plotting import ImageGridDisplay, ReconstructionDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 100

images = load_digits().images / 16  # (1797, 8, 8): modules see (batch, 1, 8, 8)
train, test = train_test_split(images, test_size=0.25, random_state=0)


# %%
# An encoder and a decoder
# ------------------------
# Modules get images in torch's layout, ``(batch, channels, height, width)``.
# ``LazyLinear`` finds its input size on a first pass that skgen makes
# before training, to check the shapes.
class Encoder(nn.Module):
    def __init__(self, n_components=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Flatten())
        self.head = nn.LazyLinear(n_components)

    def forward(self, x):
        return self.head(self.features(x))


decoder = nn.Sequential(
    nn.Linear(10, 64 * 4 * 4), nn.ReLU(), nn.Unflatten(1, (64, 4, 4)),
    nn.ConvTranspose2d(64, 32, 2, stride=2), nn.ReLU(),
    nn.Conv2d(32, 1, 3, padding=1), nn.Sigmoid())

built_in = ConvolutionalAutoencoder(10, max_iter=EPOCHS, random_state=0).fit(train)
custom = ConvolutionalAutoencoder(10, encoder=Encoder, decoder=decoder, max_iter=EPOCHS,
                                  random_state=0).fit(train)
for name, ae in (("built-in", built_in), ("your own", custom)):
    n_weights = sum(p.numel() for p in ae.module_.parameters())
    print(f"{name:<9} networks: {n_weights:>7,} weights, held-out reconstruction "
          f"MSE {-ae.score(test):.4f}")

# %%
# A generator and a discriminator
# -------------------------------
# For images the GAN trains on pixels scaled to [-1, 1], so the generator
# ends with a tanh; the discriminator returns one logit per image.
generator = nn.Sequential(
    nn.Linear(32, 128 * 2 * 2), nn.ReLU(), nn.Unflatten(1, (128, 2, 2)),
    nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
    nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh())
discriminator = nn.Sequential(
    nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
    nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
    nn.Flatten(), nn.Linear(128 * 2 * 2, 1))
gan = GAN(32, generator=generator, discriminator=discriminator,
          max_iter=3 if FAST else "auto", random_state=0).fit(images)

# %%
# What they give
# --------------
fig, axes = plt.subplot_mosaic([["built-in", "gan"], ["custom", "gan"]], figsize=(11, 6.2))
ReconstructionDisplay.from_estimator(built_in, test, n_images=8, ax=axes["built-in"],
                                     title="built-in autoencoder:\ntest digits, reconstructions")
ReconstructionDisplay.from_estimator(custom, test, n_images=8, ax=axes["custom"],
                                     title="your own encoder and decoder")
ImageGridDisplay.from_estimator(gan, 64, random_state=0, ax=axes["gan"],
                                title="GAN with your own networks: sample(64)")
fig.tight_layout()
fig.savefig("custom_networks.png", dpi=80)
plt.show()
