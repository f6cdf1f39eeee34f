"""Generative adversarial networks."""

from ._adversarial import GAN

__all__ = ["GAN"]
