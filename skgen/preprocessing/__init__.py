"""Preprocessing for generative models: tables of mixed types as numbers."""

from ._table import TableEncoder

__all__ = ["TableEncoder"]
