"""Metrics comparing generated data with real data: arrays, images and tables."""

from ._distances import energy_distance, frechet_distance, mmd, mode_coverage
from ._features import ClassifierFeatures
from ._fidelity import (
    classifier_two_sample_score,
    memorization_ratio,
    precision_recall_density_coverage,
)
from ._scorer import make_generation_scorer
from ._tables import column_shapes, detection_score, ml_efficacy, pair_trends, privacy_scores

__all__ = [
    "ClassifierFeatures",
    "classifier_two_sample_score",
    "column_shapes",
    "detection_score",
    "energy_distance",
    "frechet_distance",
    "make_generation_scorer",
    "memorization_ratio",
    "ml_efficacy",
    "mmd",
    "mode_coverage",
    "pair_trends",
    "precision_recall_density_coverage",
    "privacy_scores",
]
