"""Outlier detection with generative models: scikit-learn's outlier API
on the reconstruction error, the ELBO or the denoising error."""

from ._detector import OutlierDetector

__all__ = ["OutlierDetector"]
