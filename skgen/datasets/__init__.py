"""Data sets for generative models."""

from ._toy import make_ring_of_gaussians

__all__ = ["make_ring_of_gaussians"]
