"""``GenerativeResampler``: oversample minority classes with a generator."""

import inspect
import numbers

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, validate_data


class GenerativeResampler(BaseEstimator):
    """Add synthetic rows of the minority classes, drawn by a generator.

    An imbalanced-learn compatible sampler: ``fit_resample(X, y)`` returns
    the rows of ``X`` and ``y`` followed by new rows of the classes that
    ``sampling_strategy`` asks to grow, so it works inside
    ``imblearn.pipeline.Pipeline``, where it resamples the training folds
    only. The generator learns the rows given their class:

    * a DataFrame ``X`` (of any mix of column types) is learnt as a table
      (see :doc:`/user_guide/tables`), one generator for each class to
      grow, fitted on that class's rows: its samples are rows of that
      class. (Learning the class as one more column and drawing rows given
      it was measured too: for a class of 3% of the rows, the rows drawn
      given it were too like the other classes' and cut the rare class's
      F1 from 0.80 to 0.24-0.36.) A column that the class never fills
      stays empty in its new rows;
    * an array ``X`` of numbers is learnt by the generator with
      ``conditional=True`` and ``y`` as its labels, and the new rows are
      drawn with ``sample(n, y=c)`` (a DDPM's with ``guidance_scale=1``:
      the class's own distribution, not a sharpened one).

    Parameters
    ----------
    estimator : estimator, default=None
        The generator: a skgen DDPM, VAE (or, for arrays, GAN); cloned.
        None: ``DDPM(random_state=random_state)``.

    sampling_strategy : "auto", "not majority", "minority", float or dict, \
default="auto"
        How many rows of each class after resampling, as in
        imbalanced-learn: ``"auto"`` and ``"not majority"`` grow every
        class but the largest to its size, ``"minority"`` the smallest
        only; a float, for two classes, the minority's size as a share of
        the majority's; a dict ``{class: rows after resampling}``.

    random_state : int, RandomState instance or None, default=None
        Seeds the generator's fit (when ``estimator`` is None) and its
        samples.

    Attributes
    ----------
    estimators_ : dict
        ``{class: fitted generator}`` for each class grown: for a table, a
        generator of its own; for an array, the one conditional generator.

    sampling_strategy_ : dict
        ``{class: rows added}``.

    n_features_in_ : int
        Number of columns of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import DDPM, GenerativeResampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(0, 1, (90, 2)), rng.normal(3, 1, (10, 2))]
    >>> y = np.r_[np.zeros(90), np.ones(10)]
    >>> resampler = GenerativeResampler(DDPM(max_iter=2, random_state=0), random_state=0)
    >>> X_res, y_res = resampler.fit_resample(X, y)
    >>> np.bincount(y_res.astype(int)).tolist()
    [90, 90]
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "sample"]), None],
        "sampling_strategy": [
            StrOptions({"auto", "not majority", "minority"}),
            Interval(numbers.Real, 0, 1, closed="right"),
            dict,
        ],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, sampling_strategy="auto", random_state=None):
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y):
        """Fit the generator on ``X`` and ``y``, and add the new rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows: a table of any column types, or numbers.
        y : array-like of shape (n_samples,)
            Their classes.

        Returns
        -------
        X_resampled : DataFrame or ndarray
            ``X`` followed by the new rows, of the same type and dtypes.
        y_resampled : ndarray or Series
            ``y`` followed by the new rows' classes.
        """
        table = hasattr(X, "columns")
        # A table keeps its column types; an array is validated as one
        # (2-D, not sparse) before the generator checks its numbers.
        X_checked = (
            validate_data(self, X, skip_check_array=True)
            if table
            else validate_data(self, X, accept_sparse=False, dtype=None, ensure_all_finite=False)
        )
        y_values = column_or_1d(np.asarray(y), warn=True)
        check_classification_targets(y_values)
        if len(y_values) != len(X_checked):
            raise ValueError(
                f"X has {len(X_checked)} rows but y has {len(y_values)}: they must match."
            )
        self.sampling_strategy_ = self._rows_to_add(y_values)
        rng = check_random_state(self.random_state)
        if table:
            new_X, new_y, estimators = self._from_table(X, y_values, rng)
        else:
            new_X, new_y, estimators = self._from_array(np.asarray(X_checked), y_values, rng)
            X = X_checked
        self.estimators_ = estimators
        return _append(X, new_X), _append(y, np.asarray(new_y, dtype=y_values.dtype))

    def fit(self, X, y):
        """Check the parameters and the classes; resampling happens in
        :meth:`fit_resample`.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows.
        y : array-like of shape (n_samples,)
            Their classes.

        Returns
        -------
        self : GenerativeResampler
            The sampler.
        """
        self._validate_params()
        self.fit_resample(X, y)
        return self

    def _generator(self, rng):
        if self.estimator is None:
            from ..diffusion import DDPM

            return DDPM(random_state=rng.randint(np.iinfo(np.int32).max))
        return clone(self.estimator)

    def _rows_to_add(self, y):
        classes, counts = np.unique(y, return_counts=True)
        size = dict(zip(classes.tolist(), counts.tolist()))
        largest = counts.max()
        strategy = self.sampling_strategy
        if isinstance(strategy, dict):
            unknown = set(strategy) - set(size)
            if unknown:
                raise ValueError(
                    f"sampling_strategy names classes {sorted(unknown)} that y "
                    f"does not have; its classes are {sorted(size)}."
                )
            small = {c: n for c, n in strategy.items() if n < size[c]}
            if small:
                raise ValueError(
                    f"sampling_strategy asks for fewer rows than there are of "
                    f"classes {sorted(small)}: a resampler only adds rows."
                )
            return {c: int(n - size[c]) for c, n in strategy.items()}
        if isinstance(strategy, numbers.Real):
            if len(classes) != 2:
                raise ValueError(
                    "A float sampling_strategy is for two classes; y has "
                    f"{len(classes)}. Pass a dict instead."
                )
            minority = classes.tolist()[np.argmin(counts)]
            return {minority: max(int(strategy * largest) - size[minority], 0)}
        if strategy == "minority":
            minority = classes.tolist()[np.argmin(counts)]
            return {minority: int(largest - size[minority])}
        return {c: int(largest - n) for c, n in size.items() if n < largest}

    def _from_table(self, X, y, rng):
        import pandas as pd

        parts, labels, estimators = [], [], {}
        for label, n in self.sampling_strategy_.items():
            if not n:
                continue
            rows = X[y == label]
            # A column the class never fills cannot be learnt from its rows.
            empty = [c for c in X.columns if rows[c].isna().all()]
            estimator = self._generator(rng).fit(rows.drop(columns=empty))
            new = estimator.sample(n, random_state=rng)
            parts.append(new.assign(**{c: None for c in empty})[list(X.columns)])
            labels += [label] * n
            estimators[label] = estimator
        new = pd.concat(parts, ignore_index=True) if parts else X.iloc[:0]
        return new.astype(X.dtypes.to_dict()), labels, estimators

    def _from_array(self, X, y, rng):
        estimator = self._generator(rng)
        if "conditional" not in estimator.get_params():
            raise ValueError(
                f"{type(estimator).__name__} cannot draw rows of a given class: use a "
                "skgen VAE, GAN or DDPM (fitted with conditional=True on the classes)."
            )
        estimator.set_params(conditional=True).fit(X, y)
        # The class's own distribution: a DDPM's classifier-free guidance
        # (above 1) would sharpen it past the data.
        plain = (
            {"guidance_scale": 1.0}
            if "guidance_scale" in inspect.signature(estimator.sample).parameters
            else {}
        )
        parts, labels = [], []
        for label, n in self.sampling_strategy_.items():
            if n:
                parts.append(estimator.sample(n, random_state=rng, y=label, **plain).reshape(n, -1))
                labels += [label] * n
        new = np.concatenate(parts) if parts else X[:0]
        return (
            new.astype(X.dtype, copy=False),
            labels,
            dict.fromkeys(self.sampling_strategy_, estimator),
        )


def _append(a, b):
    """``b``'s rows after ``a``'s, keeping ``a``'s type (DataFrame, Series,
    array)."""
    if hasattr(a, "iloc"):
        import pandas as pd

        b = pd.DataFrame(b, columns=a.columns) if a.ndim == 2 else pd.Series(b, name=a.name)
        return pd.concat([a, b.astype(a.dtypes if a.ndim == 2 else a.dtype)], ignore_index=True)
    return np.concatenate([np.asarray(a), b])
