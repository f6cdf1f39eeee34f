"""skgen: generative deep learning with a scikit-learn interface.

Autoencoders are transformers (a drop-in for ``PCA``); the variational
autoencoder also samples; every estimator
trains with PyTorch through skorch, on a GPU when there is one.
"""

from .autoencoder import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    EncoderClassifier,
    HashingAutoencoder,
    LinearAutoencoder,
    RecurrentAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)
from .diffusion import DDPM
from .gan import GAN
from .outlier import OutlierDetector
from ._saving import load
from .vae import VAE, VariationalAutoencoder

__version__ = "0.1.0"

__all__ = [
    "ConvolutionalAutoencoder",
    "DDPM",
    "DenoisingAutoencoder",
    "EncoderClassifier",
    "GAN",
    "HashingAutoencoder",
    "LinearAutoencoder",
    "OutlierDetector",
    "RecurrentAutoencoder",
    "SparseAutoencoder",
    "StackedAutoencoder",
    "VAE",
    "VariationalAutoencoder",
    "__version__",
    "load",
]
