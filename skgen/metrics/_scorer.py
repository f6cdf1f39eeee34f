"""Scorers that let GridSearchCV tune any skgen generator on a sample metric."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._distances import energy_distance, frechet_distance, mmd
from ._fidelity import classifier_two_sample_score, precision_recall_density_coverage
from ._tables import column_shapes, detection_score, pair_trends

# name -> (function(X_real, X_gen, **kwargs) -> float, greater_is_better)
_METRICS = {
    "mmd": (mmd, False),
    "energy_distance": (energy_distance, False),
    "frechet_distance": (frechet_distance, False),
    "classifier_two_sample": (classifier_two_sample_score, False),
    "precision": (lambda r, g, **kw: precision_recall_density_coverage(r, g, **kw)[0], True),
    "recall": (lambda r, g, **kw: precision_recall_density_coverage(r, g, **kw)[1], True),
    "density": (lambda r, g, **kw: precision_recall_density_coverage(r, g, **kw)[2], True),
    "coverage": (lambda r, g, **kw: precision_recall_density_coverage(r, g, **kw)[3], True),
    "column_shapes": (column_shapes, True),
    "pair_trends": (pair_trends, True),
    "detection": (detection_score, False),
}
# Metrics of tables: they compare DataFrames, not arrays of numbers.
_TABLE_METRICS = {"column_shapes", "pair_trends", "detection"}
# Metrics whose ideal is 0.5 (a ROC AUC): scored by the distance from it.
_AUC_METRICS = {"classifier_two_sample", "detection"}


class _GenerationScorer:
    """``scorer(estimator, X, y=None)``: sample, compare with ``X``, higher is better."""

    def __init__(self, name, metric, sign, n_samples, random_state, kwargs):
        self.name = name
        self.metric = metric
        self.sign = sign
        self.n_samples = n_samples
        self.random_state = random_state
        self.kwargs = kwargs

    def __call__(self, estimator, X, y=None):
        table = self.name in _TABLE_METRICS
        X = X if table else np.asarray(X)
        n = self.n_samples or len(X)
        labels = None
        if getattr(estimator, "conditional", False):
            if y is None:
                raise ValueError(
                    "A conditional estimator is scored against labelled data: "
                    "pass y to the search's fit."
                )
            # draw as many samples of each class as the validation fold has
            labels = np.resize(np.asarray(y), n)
        samples = estimator.sample(
            n, random_state=self.random_state, **({} if labels is None else {"y": labels})
        )
        if table:
            value = self.metric(X, samples, **self.kwargs)
        else:
            value = self.metric(X.reshape(len(X), -1), samples.reshape(n, -1), **self.kwargs)
        if self.name in _AUC_METRICS:
            value = abs(value - 0.5)  # 0.5 is the ideal: distance from it
        return self.sign * float(value)

    def __repr__(self):
        return f"make_generation_scorer({self.name!r}, n_samples={self.n_samples})"


@validate_params(
    {
        "metric": [StrOptions(set(_METRICS)), callable],
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "greater_is_better": ["boolean", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_generation_scorer(
    metric, *, n_samples=None, greater_is_better=None, random_state=0, **kwargs
):
    """A scorer that samples from a generator and compares with held-out data.

    The scorer is called as ``scorer(estimator, X, y=None)`` by
    ``GridSearchCV`` and ``cross_validate``: it draws ``n_samples`` samples
    (default: as many as ``X`` has rows; for a conditional estimator, with
    the labels of ``y``) and computes ``metric(X, samples)``. Scores are
    "higher is better", so distances are negated.

    Parameters
    ----------
    metric : str or callable
        ``"mmd"``, ``"energy_distance"``, ``"frechet_distance"``,
        ``"classifier_two_sample"`` (scored as ``-|AUC - 0.5|``),
        ``"precision"``, ``"recall"``, ``"density"`` or ``"coverage"``; for
        a generator fitted on a DataFrame, ``"column_shapes"``,
        ``"pair_trends"`` or ``"detection"`` (scored as ``-|AUC - 0.5|``);
        or a callable ``metric(X_real, X_gen, **kwargs) -> float``.
    n_samples : int, default=None
        Samples drawn per call; None draws as many as the fold has rows.
    greater_is_better : bool, default=None
        For a callable metric: whether larger values are better (default
        False, a distance). Named metrics know their direction.
    random_state : int, RandomState instance or None, default=0
        Passed to ``estimator.sample``; fixed by default so that scores are
        deterministic.
    **kwargs
        Passed to the metric (for example ``features=`` of
        ``frechet_distance`` or ``n_neighbors=`` of the precision family).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skgen import GAN
    >>> from skgen.metrics import make_generation_scorer
    >>> X, _ = make_moons(300, noise=0.05, random_state=0)
    >>> search = GridSearchCV(GAN(n_components=4, max_iter=2, random_state=0),
    ...                       {"n_critic": [1, 2]}, cv=2,
    ...                       scoring=make_generation_scorer("energy_distance")).fit(X)
    >>> search.best_params_["n_critic"] in (1, 2)
    True
    """
    if callable(metric):
        name, function = getattr(metric, "__name__", "metric"), metric
        sign = 1.0 if greater_is_better else -1.0
    else:
        if greater_is_better is not None:
            raise ValueError(
                f"greater_is_better is only for callable metrics; {metric!r} knows its direction."
            )
        name = metric
        function, better = _METRICS[metric]
        sign = 1.0 if better else -1.0
    return _GenerationScorer(name, function, sign, n_samples, random_state, kwargs)
