"""Data sets for generative models."""

from ._openml import load_fashion_mnist, load_mnist
from ._toy import make_ring_of_gaussians

__all__ = ["load_fashion_mnist", "load_mnist", "make_ring_of_gaussians"]
