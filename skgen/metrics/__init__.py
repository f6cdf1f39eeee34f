"""Metrics comparing generated data with real data (numpy and scikit-learn only)."""

from ._distances import energy_distance, frechet_distance, mmd, mode_coverage

__all__ = ["energy_distance", "frechet_distance", "mmd", "mode_coverage"]
