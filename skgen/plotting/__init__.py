"""Figures of generative models, in scikit-learn's Display style.

Each display is built with ``Display.from_estimator(...)`` (or from arrays
and then ``.plot(ax=...)``), draws on a single matplotlib axes, and keeps
its artists as attributes ending in ``_``. matplotlib is an optional
dependency: ``pip install scikit-generative[plots]``.
"""

from ._diffusion import DiffusionProcessDisplay
from ._images import ImageGridDisplay, InterpolationDisplay, ReconstructionDisplay
from ._latent import LatentSpaceDisplay
from ._training import LossCurveDisplay

__all__ = [
    "DiffusionProcessDisplay",
    "ImageGridDisplay",
    "InterpolationDisplay",
    "LatentSpaceDisplay",
    "LossCurveDisplay",
    "ReconstructionDisplay",
]
