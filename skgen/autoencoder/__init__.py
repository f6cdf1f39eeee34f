"""Autoencoders: scikit-learn transformers, drop-in replacements for PCA."""

from ._convolutional import ConvolutionalAutoencoder
from ._recurrent import RecurrentAutoencoder
from ._sparse import DenoisingAutoencoder, SparseAutoencoder
from ._stacked import LinearAutoencoder, StackedAutoencoder

__all__ = [
    "ConvolutionalAutoencoder",
    "DenoisingAutoencoder",
    "LinearAutoencoder",
    "RecurrentAutoencoder",
    "SparseAutoencoder",
    "StackedAutoencoder",
]
