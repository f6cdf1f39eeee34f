"""Toy generators for testing generative models."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_modes": [Interval(numbers.Integral, 1, None, closed="left")],
        "radius": [Interval(numbers.Real, 0, None, closed="neither")],
        "std": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_ring_of_gaussians(n_samples=2000, *, n_modes=8, radius=2.0, std=0.05, random_state=None):
    """Points from Gaussians evenly spaced on a circle (the GAN mode-collapse test).

    Parameters
    ----------
    n_samples : int, default=2000
        Number of points.
    n_modes : int, default=8
        Number of Gaussians.
    radius : float, default=2.0
        Radius of the circle of centres.
    std : float, default=0.05
        Standard deviation of each Gaussian.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points.
    y : ndarray of shape (n_samples,)
        The mode of each point.
    centers : ndarray of shape (n_modes, 2)
        The centres of the modes.

    Examples
    --------
    >>> from skgen.datasets import make_ring_of_gaussians
    >>> X, y, centers = make_ring_of_gaussians(100, random_state=0)
    >>> X.shape, centers.shape
    ((100, 2), (8, 2))
    """
    rng = check_random_state(random_state)
    angle = 2 * np.pi * np.arange(n_modes) / n_modes
    centers = radius * np.c_[np.cos(angle), np.sin(angle)]
    y = rng.randint(0, n_modes, n_samples)
    X = centers[y] + rng.normal(scale=std, size=(n_samples, 2))
    return X, y, centers
