"""Two-sample distances between a real and a generated sample (numpy only)."""

import numbers

import numpy as np
from scipy import linalg
from sklearn.metrics import pairwise_distances
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array


def _check_pair(X, Y, min_samples=2):
    X = check_array(
        X, dtype=np.float64, input_name="X", ensure_min_samples=min_samples, allow_nd=True
    )
    Y = check_array(
        Y, dtype=np.float64, input_name="Y", ensure_min_samples=min_samples, allow_nd=True
    )
    X, Y = X.reshape(len(X), -1), Y.reshape(len(Y), -1)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features; got {X.shape[1]} and {Y.shape[1]}."
        )
    return X, Y


@validate_params(
    {
        "X": ["array-like"],
        "Y": ["array-like"],
        "kernel": [StrOptions({"rbf"})],
        "gamma": [Interval(numbers.Real, 0, None, closed="neither"), None],
    },
    prefer_skip_nested_validation=True,
)
def mmd(X, Y, *, kernel="rbf", gamma=None):
    """Squared maximum mean discrepancy between two samples (unbiased).

    ``MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y)`` with the Gaussian kernel
    ``k(a, b) = exp(-gamma * ||a - b||^2)``, estimated without the diagonal
    terms (Gretton et al. 2012), so it is 0 in expectation when both samples
    come from the same distribution and may then be slightly negative.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample (images are flattened).
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    kernel : {"rbf"}, default="rbf"
        The kernel.
    gamma : float, default=None
        Kernel coefficient. None uses the median heuristic:
        ``1 / median(||a - b||^2)`` over all pairs of the pooled sample.

    Returns
    -------
    mmd2 : float
        The unbiased estimate of the squared MMD.

    References
    ----------
    .. [1] A. Gretton et al., "A kernel two-sample test", JMLR 13, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import mmd
    >>> rng = np.random.default_rng(0)
    >>> same = mmd(rng.normal(size=(300, 2)), rng.normal(size=(300, 2)))
    >>> shifted = mmd(rng.normal(size=(300, 2)), rng.normal(3, 1, size=(300, 2)))
    >>> bool(abs(same) < 0.01 < shifted)
    True
    """
    X, Y = _check_pair(X, Y)
    Z = np.vstack([X, Y])
    d2 = pairwise_distances(Z, metric="sqeuclidean")
    if gamma is None:
        gamma = _median_gamma(d2)
    K = np.exp(-gamma * d2)
    n, m = len(X), len(Y)
    kxx, kyy, kxy = K[:n, :n], K[n:, n:], K[:n, n:]
    term_x = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
    term_y = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(term_x + term_y - 2 * kxy.mean())


def median_heuristic(X):
    """The RBF kernel coefficient of the median heuristic for the rows of
    ``X``: ``1 / median(||a - b||^2)`` over all pairs of distinct rows (1 if
    that median is 0)."""
    return _median_gamma(pairwise_distances(np.asarray(X, dtype=np.float64), metric="sqeuclidean"))


def _median_gamma(d2):
    median = np.median(d2[np.triu_indices_from(d2, k=1)])
    return 1.0 / median if median > 0 else 1.0


@validate_params(
    {"X": ["array-like"], "Y": ["array-like"], "unbiased": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def energy_distance(X, Y, *, unbiased=True):
    """Energy distance between two samples (Szekely & Rizzo).

    ``2 E||x - y|| - E||x - x'|| - E||y - y'||``. With ``unbiased=True`` the
    within-sample means are taken over distinct pairs: 0 in expectation for
    two samples of the same distribution (so it can be slightly negative),
    growing with any difference of distributions. With ``unbiased=False``
    they include each point's zero distance to itself (the V-statistic):
    never negative, and two samples of one distribution give a positive
    value that shrinks as ``1/n``, a baseline other distances can be
    compared with ("within 2x of two held-out halves").

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample (images are flattened).
    Y : array-like of shape (n_samples_Y, n_features)
        Second sample.
    unbiased : bool, default=True
        Exclude the zero self-distances from the within-sample means.

    Returns
    -------
    distance : float
        The energy distance.

    References
    ----------
    .. [1] G. J. Szekely and M. L. Rizzo, "Energy statistics: a class of
       statistics based on distances", J. Stat. Plan. Inference 143, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import energy_distance
    >>> rng = np.random.default_rng(0)
    >>> bool(energy_distance(rng.normal(size=(200, 2)), rng.normal(2, 1, size=(200, 2))) > 1)
    True
    """
    X, Y = _check_pair(X, Y)
    n, m = len(X), len(Y)
    dxy = pairwise_distances(X, Y).mean()
    dxx = pairwise_distances(X).sum() / (n * (n - 1) if unbiased else n * n)
    dyy = pairwise_distances(Y).sum() / (m * (m - 1) if unbiased else m * m)
    return float(2 * dxy - dxx - dyy)


@validate_params(
    {
        "X_real": ["array-like"],
        "X_gen": ["array-like"],
        "features": [callable, HasMethods(["transform"]), None],
    },
    prefer_skip_nested_validation=True,
)
def frechet_distance(X_real, X_gen, *, features=None):
    """Frechet distance between Gaussian fits of two samples (FID's formula).

    ``||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))`` in a feature
    space: the raw features, or ``features(X)`` (a fitted transformer's
    ``transform`` or any callable). With Inception features this is the FID
    of Heusel et al. (2017).

    Computed in float64 and without a general matrix square root:
    ``Tr((S_r S_g)^(1/2))`` is the sum of the square roots of the eigenvalues
    of the symmetric matrix ``S_r^(1/2) S_g S_r^(1/2)``, which ``eigh`` finds
    in real arithmetic even when the covariances are singular (fewer samples
    than features, constant features); tiny negative eigenvalues from
    rounding are clipped to 0.

    Parameters
    ----------
    X_real : array-like of shape (n_samples_real, n_features)
        Real sample.
    X_gen : array-like of shape (n_samples_gen, n_features)
        Generated sample.
    features : callable or fitted transformer, default=None
        Maps a sample to its features: a callable, or a fitted transformer
        whose ``transform`` is used (for example
        :class:`~skgen.metrics.ClassifierFeatures`). None uses the raw
        features.

    Returns
    -------
    distance : float
        The Frechet distance (a squared distance; 0 for identical fits).

    References
    ----------
    .. [1] M. Heusel et al., "GANs trained by a two time-scale update rule
       converge to a local Nash equilibrium", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import frechet_distance
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> round(frechet_distance(X, X + [3.0, 4.0]), 6)
    25.0
    """
    if features is not None:
        if not callable(features):
            features = features.transform
        X_real, X_gen = features(X_real), features(X_gen)
    X, Y = _check_pair(X_real, X_gen)
    mu_x, mu_y = X.mean(0), Y.mean(0)
    cov_x = np.atleast_2d(np.cov(X, rowvar=False))
    cov_y = np.atleast_2d(np.cov(Y, rowvar=False))
    diff = mu_x - mu_y
    value = diff @ diff + np.trace(cov_x) + np.trace(cov_y) - 2 * _trace_sqrt_product(cov_x, cov_y)
    return float(max(value, 0.0))


def _psd_sqrt(a):
    w, v = linalg.eigh(a)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def _trace_sqrt_product(a, b):
    """``Tr((a b)^(1/2))`` for symmetric positive semi-definite ``a``, ``b``."""
    root_a = _psd_sqrt(a)
    eigenvalues = linalg.eigvalsh(root_a @ b @ root_a)
    return float(np.sqrt(np.clip(eigenvalues, 0, None)).sum())


@validate_params(
    {
        "X_gen": ["array-like"],
        "centers": ["array-like"],
        "radius": [Interval(numbers.Real, 0, None, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def mode_coverage(X_gen, centers, *, radius):
    """How many known modes generated samples cover, and how tightly.

    A sample belongs to its nearest centre when it lies within ``radius``
    of it (3 standard deviations is the usual choice on the ring of
    Gaussians); a mode is covered when at least one sample belongs to it.

    Parameters
    ----------
    X_gen : array-like of shape (n_samples, n_features)
        Generated samples.
    centers : array-like of shape (n_modes, n_features)
        The modes' centres.
    radius : float
        Distance within which a sample counts for a mode.

    Returns
    -------
    n_covered : int
        Number of modes with at least one sample.
    share_near : float
        Share of samples within ``radius`` of a centre.

    Examples
    --------
    >>> from skgen.metrics import mode_coverage
    >>> mode_coverage([[0.0, 0.1], [5.0, 5.0]], [[0, 0], [1, 0]], radius=0.5)
    (1, 0.5)
    """
    X, C = _check_pair(X_gen, centers, min_samples=1)
    dist = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(-1))
    near = dist.min(1) < radius
    return int(len(np.unique(dist.argmin(1)[near]))), float(near.mean())
