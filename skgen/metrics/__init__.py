"""Metrics comparing generated data with real data (numpy and scikit-learn only)."""

from ._distances import energy_distance, frechet_distance, mmd, mode_coverage
from ._features import ClassifierFeatures
from ._fidelity import (
    classifier_two_sample_score,
    memorization_ratio,
    precision_recall_density_coverage,
)
from ._scorer import make_generation_scorer

__all__ = [
    "ClassifierFeatures",
    "classifier_two_sample_score",
    "energy_distance",
    "frechet_distance",
    "make_generation_scorer",
    "memorization_ratio",
    "mmd",
    "mode_coverage",
    "precision_recall_density_coverage",
]
