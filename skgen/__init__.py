"""skgen: generative deep learning with a scikit-learn interface.

Autoencoders are transformers (a drop-in for ``PCA``); the variational
autoencoder also samples; every estimator
trains with PyTorch through skorch, on a GPU when there is one.
"""

from ._config import config_context, get_config, set_config
from ._engine._loading import load
from ._engine._saving import save
from ._version import __version__
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
from .resampling import GenerativeResampler
from .vae import VAE, VariationalAutoencoder

__all__ = [
    "config_context",
    "get_config",
    "set_config",
    "ConvolutionalAutoencoder",
    "DDPM",
    "DenoisingAutoencoder",
    "EncoderClassifier",
    "GAN",
    "GenerativeResampler",
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
    "save",
]
