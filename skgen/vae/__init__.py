"""Variational autoencoders."""

from ._variational import VAE, VariationalAutoencoder

__all__ = ["VAE", "VariationalAutoencoder"]
