"""Autoencoders: scikit-learn transformers, drop-in replacements for PCA."""

from ._classifier import EncoderClassifier
from ._convolutional import ConvolutionalAutoencoder
from ._hashing import HashingAutoencoder
from ._recurrent import RecurrentAutoencoder
from ._sparse import DenoisingAutoencoder, SparseAutoencoder
from ._stacked import LinearAutoencoder, StackedAutoencoder

__all__ = [
    "ConvolutionalAutoencoder",
    "DenoisingAutoencoder",
    "EncoderClassifier",
    "HashingAutoencoder",
    "LinearAutoencoder",
    "RecurrentAutoencoder",
    "SparseAutoencoder",
    "StackedAutoencoder",
]
