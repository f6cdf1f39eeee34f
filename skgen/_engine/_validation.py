"""Input validation shared by every estimator: tables and image arrays."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ._data import ArraySource, is_streamed

FLOAT_DTYPES = (np.float64, np.float32)


def validate_samples(estimator, X, *, reset, stream=False):
    """Validate ``X`` and flatten image arrays.

    Accepts 2-D arrays and DataFrames ``(n_samples, n_features)`` and image
    arrays ``(n_samples, height, width)`` or ``(n_samples, height, width,
    channels)``. Returns ``(X_2d, sample_shape)`` where ``X_2d`` is float32 or
    float64 (ints become float64) and ``sample_shape`` the shape of one
    sample as given (``(n_features,)`` for tables).

    With ``reset=False`` the sample shape must match the fitted one; an image
    estimator also accepts the same images already flattened.

    With ``stream=True``, an array that ``is_streamed`` (a memory map, an
    HDF5, zarr or dask array...) is not read: ``X_2d`` is an
    ``ArraySource`` over it, whose shape, dtype and feature count are
    checked here and whose values are checked as they are read.
    """
    if stream and is_streamed(X):
        return _validate_source(estimator, X, reset=reset)
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.asarray(X).ndim
        except (ValueError, TypeError):  # ragged lists: let check_array word it
            ndim = 2
    name = type(estimator).__name__
    if ndim >= 3:
        if ndim > 4:
            raise ValueError(
                f"{name} accepts 2-D data (n_samples, n_features) or images "
                "(n_samples, height, width[, channels]); got an array with "
                f"{ndim} dimensions."
            )
        X = check_array(X, allow_nd=True, dtype=FLOAT_DTYPES, estimator=estimator, input_name="X")
        sample_shape = tuple(X.shape[1:])
        if not reset:
            _check_sample_shape(estimator, sample_shape)
        X = X.reshape(X.shape[0], -1)
    else:
        sample_shape = None
    X = validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES)
    if sample_shape is None:
        sample_shape = (X.shape[1],) if reset else estimator.spec_.sample_shape
    return X, sample_shape


def _check_sample_shape(estimator, sample_shape):
    spec = getattr(estimator, "spec_", None)
    fitted = None if spec is None else spec.sample_shape
    if fitted is not None and fitted != tuple(sample_shape):
        raise ValueError(
            f"X has samples of shape {sample_shape}, but {type(estimator).__name__} was "
            f"fitted on samples of shape {fitted}."
        )


def _validate_source(estimator, X, *, reset):
    name = type(estimator).__name__
    ndim = len(X.shape)
    if ndim > 4:
        raise ValueError(
            f"{name} accepts 2-D data (n_samples, n_features) or images "
            "(n_samples, height, width[, channels]); got an array with "
            f"{ndim} dimensions."
        )
    source = ArraySource(X, name)
    if source.raw_dtype.kind not in "biuf":
        raise ValueError(
            f"{name} reads large arrays of numbers only; X has dtype {source.raw_dtype}."
        )
    if len(source) < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={tuple(X.shape)}) while a minimum "
            f"of 1 is required by {name}."
        )
    sample_shape = source.sample_shape
    if ndim >= 3 and not reset:
        _check_sample_shape(estimator, sample_shape)
    # The feature count (and the absence of feature names) with
    # scikit-learn's own checks and messages, on the first row.
    validate_data(estimator, source.read(0, 1), reset=reset, dtype=FLOAT_DTYPES)
    if ndim == 2:
        sample_shape = (source.n_features,) if reset else estimator.spec_.sample_shape
    return source, sample_shape


def validate_codings(estimator, Z, n_components, method):
    """Validate the input of ``inverse_transform`` (codings); a large
    array-like (see ``is_streamed``) becomes an ``ArraySource``."""
    if is_streamed(Z) and len(Z.shape) == 2 and np.dtype(Z.dtype).kind in "biuf":
        Z = ArraySource(Z, type(estimator).__name__)
    else:
        Z = check_array(Z, dtype=FLOAT_DTYPES, estimator=estimator, input_name="X")
    if Z.shape[1] != n_components:
        raise ValueError(
            f"X has {Z.shape[1]} features, but {type(estimator).__name__}.{method} "
            f"is expecting {n_components} features (n_components) as input."
        )
    return Z


def check_layer_sizes(estimator, name="hidden_layer_sizes"):
    """The parameter ``name`` as a list of positive ints (an int is one layer)."""
    sizes = getattr(estimator, name)
    sizes = [sizes] if isinstance(sizes, numbers.Integral) else list(sizes)
    if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
        raise ValueError(
            f"The '{name}' parameter of {type(estimator).__name__} must be a sequence "
            f"of positive ints. Got {getattr(estimator, name)!r} instead."
        )
    return [int(s) for s in sizes]


def check_channels(estimator):
    channels = estimator.channels
    if len(channels) == 0 or not all(isinstance(c, numbers.Integral) and c >= 1 for c in channels):
        raise ValueError(
            f"The 'channels' parameter of {type(estimator).__name__} must be a "
            f"non-empty sequence of positive ints. Got {channels!r} instead."
        )
    return tuple(int(c) for c in channels)
