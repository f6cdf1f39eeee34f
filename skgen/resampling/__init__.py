"""Oversampling imbalanced classes with a generative model."""

from ._resampler import GenerativeResampler

__all__ = ["GenerativeResampler"]
