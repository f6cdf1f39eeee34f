"""``OutlierDetector``: any model with ``score_samples`` as an outlier detector."""

import math
import numbers
from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, OutlierMixin, _fit_context, clone
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._engine._saving import SaveableMixin, storable

# Tukey's rule: a box plot's lower whisker, 1.5 interquartile ranges below
# the first quartile, is where contamination="auto" puts the threshold.
_TUKEY_FENCE = 1.5


class OutlierDetector(SaveableMixin, OutlierMixin, MetaEstimatorMixin, BaseEstimator):
    """Outlier detection from a generative model's per-sample scores.

    Wraps any skgen autoencoder, the :class:`~skgen.VariationalAutoencoder`
    or :class:`~skgen.DDPM` (or any estimator with ``fit`` and
    ``score_samples``, such as scikit-learn's ``GaussianMixture``) in
    scikit-learn's outlier-detection interface, the one of
    ``IsolationForest`` and ``LocalOutlierFactor(novelty=True)``: the
    model learns what normal data looks like, and samples it explains badly
    are outliers. The score is the model's own ``score_samples``: the
    negative reconstruction error of an autoencoder, the ELBO of a VAE, the
    negative denoising error of a DDPM. Higher is more normal.

    Read more in the :ref:`User Guide <outlier-detection>`.

    Parameters
    ----------
    estimator : estimator instance
        The model of normal data, unfitted; ``fit`` trains a clone of it.
        It needs ``fit(X)`` and ``score_samples(X)``, higher meaning more
        normal. Its ``random_state`` makes the detector reproducible.
    contamination : "auto" or float, default="auto"
        The share of outliers expected in the training data, which sets
        the threshold ``offset_`` on the training scores: a float in
        (0, 0.5] flags that fraction of the training samples; ``"auto"``
        uses Tukey's box-plot rule, flagging scores more than 1.5
        interquartile ranges below the first quartile of the training
        scores, which needs no guess of the fraction.
    cv : int, cross-validation generator, iterable or None, default=None
        Which scores set the threshold. None: the training samples' scores
        under the fitted model, as scikit-learn's detectors do; a network
        fits its training samples better than new ones, so on new normal
        data it flags more than ``contamination`` of them (many more after
        long training on few samples). An int k or a splitter: out-of-fold
        scores, as ``cross_val_predict`` computes them (k models, each
        fitted without the rows it scores), so the threshold holds for new
        data; ``fit`` then costs k + 1 fits. The folds are taken in
        memory, even from a memory map.

    Attributes
    ----------
    estimator_ : estimator instance
        The fitted clone of ``estimator``.
    offset_ : float
        The threshold on ``score_samples``: ``decision_function`` is
        ``score_samples(X) - offset_``, negative for outliers. Set from
        the training scores, or from out-of-fold scores with ``cv``.
    n_features_in_ : int
        Number of features seen during ``fit`` (the fitted estimator's).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` had string
        column names (the fitted estimator's).

    See Also
    --------
    sklearn.ensemble.IsolationForest : Outliers by the depth of random
        isolating trees.
    sklearn.neighbors.LocalOutlierFactor : Outliers by local density
        (``novelty=True`` for new data).
    sklearn.svm.OneClassSVM : Outliers outside a kernel boundary.

    Notes
    -----
    ``contamination`` and ``cv`` only move the threshold: ``score_samples``
    does not depend on them, and ranking samples by it (for example with
    ROC AUC) needs neither. To screen new data, set ``cv`` (see above); to
    flag a share of the training data itself (``fit_predict``), leave it
    None.

    Scores are deterministic and independent of the order and batching
    of the rows: networks run in evaluation mode, and the draws of the
    VAE's and DDPM's scores are fixed.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import OutlierDetector, StackedAutoencoder
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> detector = OutlierDetector(
    ...     StackedAutoencoder(8, max_iter=30, random_state=0), contamination=0.05
    ... ).fit(X[y == 0])
    >>> zeros, ones = detector.predict(X[y == 0]), detector.predict(X[y == 1])
    >>> bool((zeros == 1).mean() > (ones == 1).mean())
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "score_samples"])],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "cv": [None, "cv_object"],
    }

    _fitted_attributes = ("estimator_", "offset_")

    def __init__(self, estimator, *, contamination="auto", cv=None):
        self.estimator = estimator
        self.contamination = contamination
        self.cv = cv

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the model of normal data and set the threshold ``offset_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Training data, as the estimator takes it (memory maps and other
            large arrays stream, see :ref:`out-of-core`).
        y : Ignored
            Not used: detection is unsupervised.

        Returns
        -------
        self : OutlierDetector
            The fitted detector.
        """
        self._fit(X)
        return self

    def fit_predict(self, X, y=None):
        """Fit on ``X`` and label its samples: -1 for outliers, 1 for inliers.

        The same as ``fit(X).predict(X)``, with the training scores
        computed once.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Training data.
        y : Ignored
            Not used: detection is unsupervised.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            -1 for outliers, 1 for inliers.
        """
        scores = self._fit(X)
        return self._labels(scores - self.offset_)

    def _fit(self, X):
        if getattr(self.estimator, "conditional", False):
            raise ValueError(
                f"OutlierDetector needs an unconditional model; {type(self.estimator).__name__}"
                "(conditional=True) scores samples given their class labels, which new "
                "data to screen does not have. Use conditional=False."
            )
        estimator = clone(self.estimator).fit(X)
        scores = _finite_scores(estimator, X)
        if self.cv is None:
            calibration = scores
        else:
            # As cross_val_predict: each row scored by a model that never
            # saw it, so the threshold is one new normal data would meet.
            calibration = np.empty(len(scores))
            # Array-likes that only convert (__array__) cannot be indexed.
            rows = X if hasattr(X, "__getitem__") else np.asarray(X)
            for train, test in check_cv(self.cv).split(np.zeros((len(scores), 1))):
                fold = clone(self.estimator).fit(_safe_indexing(rows, train))
                calibration[test] = _finite_scores(fold, _safe_indexing(rows, test))
        if self.contamination == "auto":
            q1, q3 = np.percentile(calibration, [25, 75])
            offset = q1 - _TUKEY_FENCE * (q3 - q1)
        else:
            offset = np.percentile(calibration, 100.0 * self.contamination)
        # Only now, so a failed refit leaves the previous fit whole.
        self.estimator_ = estimator
        self.offset_ = float(offset)
        return scores

    @property
    def n_features_in_(self):
        """Number of features seen during ``fit``."""
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        """Names of the features seen during ``fit``."""
        return self.estimator_.feature_names_in_

    def score_samples(self, X):
        """How normal each sample is: the fitted estimator's ``score_samples``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Higher is more normal.
        """
        check_is_fitted(self)
        return np.asarray(self.estimator_.score_samples(X), dtype=np.float64)

    def decision_function(self, X):
        """Scores shifted by the threshold: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``; below 0 for outliers, at or
            above 0 for inliers.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each sample: -1 for an outlier, 1 for an inlier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            -1 where ``decision_function(X) < 0``, else 1.
        """
        return self._labels(self.decision_function(X))

    def _check_saveable(self):
        if not storable(self.estimator_):
            raise TypeError(
                f"OutlierDetector.save stores skgen models; this detector's estimator is a "
                f"{type(self.estimator_).__name__}, which skgen cannot save. Use pickle or "
                "joblib."
            )
        cv = self.cv
        if not (cv is None or (isinstance(cv, numbers.Integral) and not isinstance(cv, bool))):
            raise ValueError(
                f"OutlierDetector cannot be saved with cv={cv!r}: a JSON file holds an int or "
                "None only. cv only acts during fit: call set_params(cv=None) (or an int) "
                "before save."
            )

    def _check_loaded(self, source):
        offset = self.offset_
        if not (
            isinstance(offset, (int, float))
            and not isinstance(offset, bool)
            and math.isfinite(offset)
        ):
            raise ValueError(f'{source}: "attributes" must hold offset_, a finite number.')

    @staticmethod
    def _labels(decision):
        return np.where(decision < 0, -1, 1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        tags.non_deterministic = inner.non_deterministic
        return tags


def _finite_scores(estimator, X):
    """``estimator.score_samples(X)`` as float64, refusing NaN and infinity."""
    scores = np.asarray(estimator.score_samples(X), dtype=np.float64)
    bad = ~np.isfinite(scores)
    if bad.any():
        raise ValueError(
            f"The fitted {type(estimator).__name__} gives {bad.sum()} of the "
            f"{len(scores)} training samples a score that is NaN or infinite, so no "
            "threshold can be set; its training likely diverged (lower "
            "learning_rate_init, or scale X)."
        )
    return scores
