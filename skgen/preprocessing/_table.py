"""``TableEncoder``: a table of mixed types as numbers, and back exactly."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

# Kinds of column, and how each is encoded.
NUMERIC, CATEGORY = "numeric", "category"
# Quantile encoding clips probabilities to [_BOUND, 1 - _BOUND] (normal
# scores within about 5.2), as scikit-learn's QuantileTransformer does; the
# inverse maps scores at the bound to the column's extremes.
_BOUND = 1e-7
_MISSING_LABEL = "missing"


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - a dependency of tables
        raise ImportError("Tables need pandas: pip install pandas.") from exc
    return pd


class Column:
    """What the encoder learnt about one column (its schema and its block).

    ``kind`` is ``"numeric"`` (floats, integers, datetimes and timedeltas,
    encoded as one value, plus a missing indicator when the column has
    missing values) or ``"category"`` (strings, objects, categories and
    booleans, one-hot encoded, missing values being a level of their own).
    The dtype is kept as plain data (``dtype_spec``), so the schema saves
    without pickle; ``dtype`` rebuilds it.
    """

    def __init__(
        self,
        name,
        kind,
        dtype,
        *,
        integer=False,
        time_unit=None,
        categories=None,
        ordered=False,
        has_missing=False,
        low=None,
        high=None,
        mapper=None,
    ):
        self.name, self.kind = name, kind
        self.dtype_spec = _describe_dtype(dtype)
        self.integer, self.time_unit = integer, time_unit
        self.categories, self.ordered = categories, ordered
        self.has_missing, self.low, self.high = has_missing, low, high
        self.mapper = mapper

    @property
    def dtype(self):
        """The column's pandas (or numpy) dtype."""
        pd = _pandas()
        spec = self.dtype_spec
        if spec["kind"] == "category":
            levels = pd.Index(self.categories, dtype=spec["categories_dtype"])
            return pd.CategoricalDtype(levels, ordered=self.ordered)
        if spec["kind"] == "string":
            na_value = np.nan if spec["na_value"] == "nan" else pd.NA
            return pd.StringDtype(storage=spec["storage"], na_value=na_value)
        return pd.api.types.pandas_dtype(spec["name"])

    @property
    def width(self):
        """Encoded values of the column."""
        if self.kind == NUMERIC:
            return 1 + self.has_missing
        return len(self.categories) + self.has_missing


def _describe_dtype(dtype):
    """A dtype as plain data that ``Column.dtype`` rebuilds."""
    pd = _pandas()
    if isinstance(dtype, pd.CategoricalDtype):
        return {"kind": "category", "categories_dtype": str(dtype.categories.dtype)}
    if isinstance(dtype, pd.StringDtype):
        return {
            "kind": "string",
            "storage": dtype.storage,
            "na_value": "nan" if dtype.na_value is np.nan else "NA",
        }
    return {"kind": "other", "name": str(dtype)}


class TableEncoder(TransformerMixin, BaseEstimator):
    """Encode a table of mixed types as numbers, with an exact inverse.

    Each numeric column (floats, integers, nullable integers, datetimes,
    timedeltas) becomes one value: its normal score through its empirical
    quantiles (``numeric="quantile"``, as TabDDPM does) or its standard score;
    a column with missing values adds an indicator that is 1 where the value
    is missing (the value there is set to 0, the median). Each categorical
    column (strings, objects, ``category``, booleans) becomes a one-hot block
    with one level per category and, when the column has missing values,
    one more for "missing", so that missingness is a category a generator
    learns with the others.

    ``inverse_transform`` maps encoded rows back to a table of the same
    columns, in the same order, with the same dtypes: the category with the
    largest value of each block, numbers clipped to their column's training
    range, integers rounded, missing values where the indicator exceeds 0.5.
    On the encoding of a table it returns that table (floats to rounding).

    Parameters
    ----------
    numeric : {"quantile", "standard"}, default="quantile"
        How numeric columns are encoded: normal scores of their empirical
        distribution, which turns skewed and multi-modal columns into
        Gaussian ones, or standard scores.

    n_quantiles : int, default=1000
        Quantiles of ``numeric="quantile"`` (at most the column's values).

    discrete_levels : int, default=20
        An integer column with at most this many distinct values (a year, a
        count) is encoded like a categorical one, so that each of its values
        keeps its exact share; 0 encodes every integer column as a number.

    max_categories : int, default=500
        The most levels a categorical column may have. A column with more
        (an identifier, free text) is refused with an error that names it:
        drop it, group its rare levels, or hash it before fitting.

    Attributes
    ----------
    columns_ : list of Column
        The schema: each column's name, kind, dtype, categories, range and
        whether it has missing values.

    blocks_ : list of tuple
        ``(kind, start, stop, column)`` for each block of encoded values:
        ``"numeric"`` (one value), ``"missing"`` (a numeric column's
        indicator) or ``"category"`` (a one-hot block).

    n_features_in_ : int
        Number of columns seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during fit, when ``X`` has string column
        names.

    n_features_out_ : int
        Number of encoded values per row.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.preprocessing import TableEncoder
    >>> df = pd.DataFrame({"income": [1520.5, 2300.0, 1890.25, 3010.0],
    ...                    "smoker": ["no", "yes", "no", None]})
    >>> enc = TableEncoder().fit(df)
    >>> enc.transform(df).shape
    (4, 4)
    >>> enc.inverse_transform(enc.transform(df)).equals(df)
    True
    """

    _parameter_constraints = {
        "numeric": [StrOptions({"quantile", "standard"})],
        "n_quantiles": [Interval(numbers.Integral, 2, None, closed="left")],
        "discrete_levels": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self, *, numeric="quantile", n_quantiles=1000, discrete_levels=20, max_categories=500
    ):
        self.numeric = numeric
        self.n_quantiles = n_quantiles
        self.discrete_levels = discrete_levels
        self.max_categories = max_categories

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn each column's kind, categories, range and encoding.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_columns)
            The table.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : TableEncoder
            The fitted encoder.
        """
        frame = _as_frame(X)
        if len(frame) < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                "minimum of 1 is required by TableEncoder."
            )
        self._check_names(X, reset=True)
        self.n_features_in_ = frame.shape[1]
        self.columns_ = [self._fit_column(name, frame[name]) for name in frame.columns]
        self.blocks_, start = [], 0
        for column in self.columns_:
            if column.kind == NUMERIC:
                self.blocks_.append((NUMERIC, start, start + 1, column.name))
                if column.has_missing:
                    self.blocks_.append(("missing", start + 1, start + 2, column.name))
            else:
                self.blocks_.append((CATEGORY, start, start + column.width, column.name))
            start += column.width
        self.n_features_out_ = start
        return self

    def _check_names(self, X, *, reset):
        names = getattr(X, "columns", None)
        if names is None or not all(isinstance(n, str) for n in names):
            if reset and hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        names = np.asarray(names, dtype=object)
        if reset:
            self.feature_names_in_ = names
        elif not np.array_equal(names, getattr(self, "feature_names_in_", names)):
            fitted = list(self.feature_names_in_)
            raise ValueError(
                f"The table's columns {list(names)} differ from those seen during fit, "
                f"{fitted}: give the same columns in the same order."
            )

    def _fit_column(self, name, series):
        pd = _pandas()
        missing = series.isna().to_numpy()
        if missing.all():
            raise ValueError(
                f"Column {name!r} holds only missing values: drop it before fitting, a model "
                "cannot learn anything from it."
            )
        dtype = series.dtype
        if _is_categorical(dtype) or self._is_discrete(series, missing):
            levels = (
                list(dtype.categories)
                if isinstance(dtype, pd.CategoricalDtype)
                else sorted(series[~missing].unique(), key=_sort_key)
            )
            if len(levels) > self.max_categories:
                raise ValueError(
                    f"Column {name!r} has {len(levels)} distinct values, more than "
                    f"max_categories={self.max_categories}: it looks like an identifier or "
                    "free text. Drop it, group its rare values (for example into 'other'), "
                    "or hash it into fewer levels before fitting; or raise max_categories."
                )
            return Column(
                name,
                CATEGORY,
                dtype,
                categories=levels,
                ordered=bool(getattr(dtype, "ordered", False)),
                has_missing=bool(missing.any()),
            )
        values, time_unit = _numeric_values(name, series, missing)
        integer = time_unit is not None or np.issubdtype(_numpy_kind(dtype), np.integer)
        mapper = self._fit_mapper(values)
        return Column(
            name,
            NUMERIC,
            dtype,
            integer=integer,
            time_unit=time_unit,
            has_missing=bool(missing.any()),
            low=values.min(),
            high=values.max(),
            mapper=mapper,
        )

    def _is_discrete(self, series, missing):
        """An integer column of at most ``discrete_levels`` distinct values (a
        year, a count): one-hot, so its few values keep their exact shares."""
        pd = _pandas()
        if not pd.api.types.is_integer_dtype(series.dtype):
            return False
        return series[~missing].nunique() <= self.discrete_levels

    def _fit_mapper(self, values):
        if self.numeric == "standard":
            scale = values.std()
            return ("standard", float(values.mean()), float(scale) if scale > 0 else 1.0)
        n_quantiles = min(self.n_quantiles, len(values))
        qt = QuantileTransformer(
            n_quantiles=n_quantiles, output_distribution="normal", subsample=None
        ).fit(values.reshape(-1, 1))
        return ("quantile", qt.quantiles_[:, 0].copy(), qt.references_.copy())

    def transform(self, X):
        """Encode a table as numbers.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_columns)
            A table with the columns seen during fit.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            The encoded rows, float64.
        """
        check_is_fitted(self)
        frame = self._checked_frame(X)
        out = np.zeros((len(frame), self.n_features_out_))
        at = 0
        for column in self.columns_:
            series = frame[column.name]
            missing = series.isna().to_numpy()
            if column.kind == NUMERIC:
                values, _ = _numeric_values(column.name, series, missing)
                out[~missing, at] = _forward(column.mapper, values)
                if column.has_missing:
                    out[missing, at + 1] = 1.0
                elif missing.any():
                    raise ValueError(_unseen_missing(column.name))
            else:
                out[:, at : at + column.width] = self._one_hot(column, series, missing)
            at += column.width
        return out

    def _one_hot(self, column, series, missing):
        pd = _pandas()
        levels = pd.Index(column.categories, dtype=object)
        codes = levels.get_indexer(series.astype(object).where(~missing, None))
        unknown = (codes < 0) & ~missing
        if unknown.any():
            values = sorted({repr(v) for v in series[unknown]})[:5]
            raise ValueError(
                f"Column {column.name!r} holds values {', '.join(values)} that "
                f"were not seen during fit; its categories are "
                f"{[_plain(v) for v in column.categories[:10]]}"
                f"{' ...' * (len(column.categories) > 10)}."
            )
        if missing.any():
            if not column.has_missing:
                raise ValueError(_unseen_missing(column.name))
            codes[missing] = len(column.categories)
        block = np.zeros((len(codes), column.width))
        block[np.arange(len(codes)), codes] = 1.0
        return block

    def _checked_frame(self, X):
        frame = _as_frame(X)
        self._check_names(X, reset=False)
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} columns, but TableEncoder was fitted "
                f"on {self.n_features_in_}."
            )
        if not hasattr(self, "feature_names_in_"):
            frame.columns = [c.name for c in self.columns_]
        return frame

    def inverse_transform(self, X):
        """Decode encoded rows into a table with the columns and dtypes of fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Encoded rows, as ``transform`` returns them or as a generator
            draws them.

        Returns
        -------
        X_original : DataFrame of shape (n_samples, n_columns)
            The table (a DataFrame whose columns are numbered when fit saw
            an array).
        """
        check_is_fitted(self)
        pd = _pandas()
        Z = np.asarray(X, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[1] != self.n_features_out_:
            raise ValueError(
                f"X has shape {Z.shape}, but this TableEncoder decodes rows of "
                f"{self.n_features_out_} values (n_features_out_)."
            )
        data, at = {}, 0
        for column in self.columns_:
            block = Z[:, at : at + column.width]
            data[column.name] = (
                _decode_numeric(column, block)
                if column.kind == NUMERIC
                else _decode_category(column, block)
            )
            at += column.width
        return pd.DataFrame(data, columns=[c.name for c in self.columns_])

    def get_feature_names_out(self, input_features=None):
        """Names of the encoded values: ``column``, ``column_missing`` and
        ``column=level``.

        Parameters
        ----------
        input_features : Ignored
            Not used, present for API consistency.

        Returns
        -------
        names : ndarray of str
            One name per encoded value.
        """
        check_is_fitted(self)
        names = []
        for column in self.columns_:
            if column.kind == NUMERIC:
                names += [str(column.name)] + [f"{column.name}_missing"] * column.has_missing
            else:
                names += [f"{column.name}={level}" for level in column.categories]
                names += [f"{column.name}={_MISSING_LABEL}"] * column.has_missing
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


# -- columns -------------------------------------------------------------------
def _as_frame(X):
    pd = _pandas()
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X) if not hasattr(X, "iloc") else X
    if getattr(array, "ndim", 2) != 2:
        raise ValueError(f"Expected a 2-D table, got an array of shape {np.shape(array)}.")
    return pd.DataFrame(array)


def _is_categorical(dtype):
    pd = _pandas()
    return (
        isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype))
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _numpy_kind(dtype):
    """The numpy dtype behind a (possibly nullable) pandas dtype."""
    return getattr(dtype, "numpy_dtype", dtype)


def _numeric_values(name, series, missing):
    """The non-missing values of a numeric column as float64, and the
    unit of a datetime or timedelta column (None for numbers)."""
    pd = _pandas()
    dtype = series.dtype
    present = series[~missing]
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        unit = getattr(dtype, "unit", None) or np.datetime_data(dtype)[0]
        return present.astype("int64").to_numpy(dtype=np.float64), unit
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        raise ValueError(
            f"Column {name!r} has dtype {dtype}, which skgen's tables do not "
            "support: convert it to numbers, strings, categories, booleans or "
            "datetimes first."
        )
    return present.to_numpy(dtype=np.float64), None


def _forward(mapper, values):
    if mapper[0] == "standard":
        return (values - mapper[1]) / mapper[2]
    quantiles, references = mapper[1], mapper[2]
    from scipy.stats import norm

    # scikit-learn's QuantileTransformer.
    probabilities = np.clip(interp_middle(values, quantiles, references), _BOUND, 1 - _BOUND)
    return norm.ppf(probabilities)


def forward_edge(mapper, values, upper):
    """``_forward`` at the edges of a range: where a value is one that
    the training data repeats (a tie, spread over a span of normal scores),
    the top of its span where ``upper`` is set, else the bottom, so that a
    range's bounds hold all of a tied value's rows or none of them."""
    if mapper[0] == "standard":
        return _forward(mapper, values)
    from scipy.stats import norm

    quantiles, references = mapper[1], mapper[2]
    up = np.interp(values, quantiles, references)
    down = -np.interp(-values, -quantiles[::-1], -references[::-1])
    probabilities = np.where(upper, np.maximum(up, down), np.minimum(up, down))
    return norm.ppf(np.clip(probabilities, _BOUND, 1 - _BOUND))


def interp_middle(x, xp, fp):
    """``np.interp`` in both directions, averaged: an ``x`` that ``xp``
    repeats maps to the middle of the ``fp`` it spans, not to its end."""
    up = np.interp(x, xp, fp)
    down = -np.interp(-x, -xp[::-1], -fp[::-1])
    return 0.5 * (up + down)


def _inverse(mapper, scores):
    if mapper[0] == "standard":
        return scores * mapper[2] + mapper[1]
    from scipy.stats import norm

    # Scores at the clipping bound of the forward map are the extremes, as
    # scikit-learn's own inverse has it.
    probabilities = norm.cdf(scores)
    probabilities[probabilities >= 1 - _BOUND] = 1.0
    probabilities[probabilities <= _BOUND] = 0.0
    return np.interp(probabilities, mapper[2], mapper[1])


def _decode_numeric(column, block):
    pd = _pandas()
    values = np.clip(_inverse(column.mapper, block[:, 0]), column.low, column.high)
    missing = block[:, 1] > 0.5 if column.has_missing else np.zeros(len(block), bool)
    if column.integer:
        values = np.round(values)
    if column.time_unit is not None:
        return _decode_time(column, values.astype(np.int64), missing)
    series = pd.Series(values)
    if missing.any():
        series[missing] = np.nan
    dtype = column.dtype
    if (
        np.issubdtype(_numpy_kind(dtype), np.integer)
        and missing.any()
        and not hasattr(dtype, "numpy_dtype")
    ):
        # A plain integer column cannot hold a missing value.
        dtype = pd.Int64Dtype()
    return series.astype(dtype)


def _decode_time(column, ticks, missing):
    """Datetimes (or timedeltas) of ``column``'s dtype from integer ticks."""
    pd = _pandas()
    dtype, unit = column.dtype, column.time_unit
    if pd.api.types.is_timedelta64_dtype(dtype):
        series = pd.Series(ticks.astype(f"m8[{unit}]"))
    else:
        series = pd.Series(ticks.astype(f"M8[{unit}]"))
        tz = getattr(dtype, "tz", None)
        if tz is not None:  # the ticks count from the epoch in UTC
            series = series.dt.tz_localize("UTC").dt.tz_convert(tz)
    # mask, not item assignment: a converted series may be a view (pandas 2).
    return series.mask(np.asarray(missing, dtype=bool)).astype(dtype)


def _decode_category(column, block):
    pd = _pandas()
    codes = np.argmax(block, axis=1)
    levels = np.empty(len(column.categories) + 1, dtype=object)
    levels[: len(column.categories)] = column.categories
    levels[-1] = None
    values = levels[codes]
    series = pd.Series(values, dtype=object)
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(values, dtype=dtype))
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
        if (codes == len(column.categories)).any():
            return series.astype("boolean")
        return series.astype(bool)
    return series.astype(dtype)


def _unseen_missing(name):
    return (
        f"Column {name!r} has missing values, but had none during fit, so they cannot be "
        "encoded: impute them, or fit on data where the column has some."
    )


def _sort_key(value):
    """Sort levels of mixed types (numbers, strings) by type, then value."""
    return (type(value).__name__, value)


def _plain(value):
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value
