"""Fidelity, diversity and memorisation of generated samples (scikit-learn only)."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._distances import _check_pair


def _kth_neighbour_radius(X, k):
    """Distance from each row of ``X`` to its k-th nearest other row.

    Slightly widened, so that the k-th neighbour itself is inside despite
    rounding differences between distance computations.
    """
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    return dist[:, k] * (1 + 1e-7) + 1e-12


@validate_params(
    {
        "X_real": ["array-like"],
        "X_gen": ["array-like"],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def precision_recall_density_coverage(X_real, X_gen, *, n_neighbors=5):
    """Precision, recall, density and coverage of generated samples.

    Each real sample gets a ball reaching its ``n_neighbors``-th nearest
    real neighbour (and each generated sample one to its k-th generated
    neighbour); the figures count ball memberships:

    * precision: share of generated samples inside some real ball (fidelity;
      Kynkaanniemi et al. 2019);
    * recall: share of real samples inside some generated ball (diversity);
    * density: real balls containing a generated sample, per generated
      sample and divided by k (Naeem et al. 2020): about 1 when the two
      distributions match (exactly ``(k + 1) / k`` when they are the same
      set, each point also being in its own ball), above 1 when samples
      crowd where real data is dense;
    * coverage: share of real samples whose ball holds a generated sample
      (Naeem et al. 2020), a recall that outliers cannot inflate.

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features)
        Real samples (images are flattened).
    X_gen : array-like of shape (n_gen, n_features)
        Generated samples.
    n_neighbors : int, default=5
        The k of the k-th nearest neighbour radii.

    Returns
    -------
    precision, recall, density, coverage : float
        In [0, 1], except density, which may exceed 1.

    References
    ----------
    .. [1] T. Kynkaanniemi et al., "Improved precision and recall metric for
       assessing generative models", NeurIPS 2019.
    .. [2] M. F. Naeem et al., "Reliable fidelity and diversity metrics for
       generative models", ICML 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import precision_recall_density_coverage
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> precision_recall_density_coverage(X, X)[::3]
    (1.0, 1.0)
    """
    R, G = _check_pair(X_real, X_gen)
    k = n_neighbors
    if k >= min(len(R), len(G)):
        raise ValueError(
            f"n_neighbors={k} must be smaller than the number of real ({len(R)}) and "
            f"generated ({len(G)}) samples."
        )
    real_radius = _kth_neighbour_radius(R, k)
    gen_radius = _kth_neighbour_radius(G, k)
    # Memory stays bounded: one block of generated rows at a time.
    inside_real = np.zeros(len(R), dtype=bool)  # real row in some generated ball
    covered = np.zeros(len(R), dtype=bool)  # real ball holds a generated row
    precise = np.empty(len(G), dtype=bool)
    density = 0.0
    for start in range(0, len(G), 1024):
        block = slice(start, start + 1024)
        d = np.sqrt(
            np.maximum(
                (G[block] ** 2).sum(1)[:, None] + (R**2).sum(1)[None] - 2 * G[block] @ R.T, 0
            )
        )
        in_real_ball = d <= real_radius[None]
        precise[block] = in_real_ball.any(1)
        density += in_real_ball.sum()
        covered |= in_real_ball.any(0)
        inside_real |= (d <= gen_radius[block, None]).any(0)
    return (
        float(precise.mean()),
        float(inside_real.mean()),
        float(density / (k * len(G))),
        float(covered.mean()),
    )


@validate_params(
    {
        "X_real": ["array-like"],
        "X_gen": ["array-like"],
        "estimator": "no_validation",
        "cv": [Interval(numbers.Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def classifier_two_sample_score(X_real, X_gen, *, estimator=None, cv=5, random_state=0):
    """Cross-validated ROC AUC of a classifier telling real from generated.

    0.5 means the classifier cannot tell them apart (the ideal); 1.0 means
    every generated sample is recognisable. The classes are balanced by
    using the same number of real and generated rows (the smaller count).

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features)
        Real samples (images are flattened).
    X_gen : array-like of shape (n_gen, n_features)
        Generated samples.
    estimator : classifier, default=None
        Any scikit-learn classifier with ``predict_proba`` or
        ``decision_function``; cloned. Default:
        ``HistGradientBoostingClassifier(random_state=0)``, which finds
        non-linear differences without tuning.
    cv : int, default=5
        Number of stratified, shuffled folds.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsampling and the folds.

    Returns
    -------
    auc : float
        Mean ROC AUC over the folds.

    References
    ----------
    .. [1] D. Lopez-Paz and M. Oquab, "Revisiting classifier two-sample
       tests", ICLR 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import classifier_two_sample_score
    >>> rng = np.random.default_rng(0)
    >>> real, fake = rng.normal(size=(300, 2)), rng.normal(3, 1, size=(300, 2))
    >>> classifier_two_sample_score(real, fake) > 0.95
    True
    """
    R, G = _check_pair(X_real, X_gen)
    rng = check_random_state(random_state)
    n = min(len(R), len(G))
    if n < cv:
        raise ValueError(
            f"cv={cv} folds need at least {cv} real and {cv} generated samples; "
            f"got {len(R)} and {len(G)}."
        )
    R = R[rng.permutation(len(R))[:n]]
    G = G[rng.permutation(len(G))[:n]]
    X = np.vstack([R, G])
    y = np.r_[np.ones(n), np.zeros(n)]
    clf = HistGradientBoostingClassifier(random_state=0) if estimator is None else clone(estimator)
    folds = StratifiedKFold(cv, shuffle=True, random_state=rng.randint(np.iinfo(np.int32).max))
    return float(cross_val_score(clf, X, y, cv=folds, scoring="roc_auc").mean())


@validate_params(
    {
        "X_train": ["array-like"],
        "X_gen": ["array-like"],
        "X_holdout": ["array-like"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def memorization_ratio(X_train, X_gen, X_holdout, *, random_state=0):
    """How much closer samples are to the training data than to unseen data.

    For each generated sample, the distance to its nearest training row and
    to its nearest hold-out row; the ratio of the medians. The larger of
    the two reference sets is subsampled to the size of the smaller, so
    that neither is closer just for being denser. About 1 for a generator
    that learnt the distribution; near 0 for one that copies its training
    data.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        The data the generator was trained on.
    X_gen : array-like of shape (n_gen, n_features)
        Generated samples.
    X_holdout : array-like of shape (n_holdout, n_features)
        Real data the generator never saw.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsampling.

    Returns
    -------
    ratio : float
        ``median(d_train) / median(d_holdout)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import memorization_ratio
    >>> rng = np.random.default_rng(0)
    >>> train, holdout = rng.normal(size=(500, 2)), rng.normal(size=(500, 2))
    >>> memorization_ratio(train, train[:100] + 1e-3, holdout) < 0.1
    True
    """
    T, G = _check_pair(X_train, X_gen, min_samples=1)
    H, _ = _check_pair(X_holdout, X_gen, min_samples=1)
    rng = check_random_state(random_state)
    n = min(len(T), len(H))
    T = T[rng.permutation(len(T))[:n]]
    H = H[rng.permutation(len(H))[:n]]
    d_train = NearestNeighbors(n_neighbors=1).fit(T).kneighbors(G)[0][:, 0]
    d_holdout = NearestNeighbors(n_neighbors=1).fit(H).kneighbors(G)[0][:, 0]
    median_holdout = np.median(d_holdout)
    return float(np.median(d_train) / median_holdout) if median_holdout > 0 else float("nan")
