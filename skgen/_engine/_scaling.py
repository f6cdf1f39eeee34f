"""The map between the data and a generator's working space."""

import numpy as np


class DataStats:
    """What one pass over the training data learns, mergeable chunk by chunk.

    The number of rows, each feature's mean and variance (float64) and
    range (in the data's dtype), and the dtype. :meth:`merge` combines the
    statistics of two chunks into those of both (Chan et al.'s pairwise
    update), so a streamed pass and ``partial_fit`` calls end with the
    statistics of all their rows, whatever the order.
    """

    def __init__(self, n_samples, mean, var, low, high, dtype):
        self.n_samples, self.mean, self.var = n_samples, mean, var
        self.low, self.high, self.dtype = low, high, np.dtype(dtype)

    @classmethod
    def of(cls, X):
        """The statistics of the 2-D float array ``X``."""
        return cls(
            X.shape[0],
            X.mean(0, dtype=np.float64),
            X.var(0, dtype=np.float64),
            X.min(0),
            X.max(0),
            X.dtype,
        )

    @classmethod
    def neutral(cls, n_features, dtype):
        """Statistics of no rows, all zero: for checks that need a shape only."""
        zeros = np.zeros(n_features)
        return cls(0, zeros, zeros, zeros.astype(dtype), zeros.astype(dtype), dtype)

    @property
    def n_features(self):
        return self.low.shape[0]

    def min(self):
        """The smallest value of all features."""
        return self.low.min()

    def max(self):
        """The largest value of all features."""
        return self.high.max()

    def merge(self, other):
        """The statistics of the rows of ``self`` and ``other`` together."""
        n_a, n_b = self.n_samples, other.n_samples
        n = n_a + n_b
        delta = other.mean - self.mean
        m2 = self.var * n_a + other.var * n_b + delta**2 * (n_a * n_b / n)
        return DataStats(
            n,
            self.mean + delta * (n_b / n),
            m2 / n,
            np.minimum(self.low, other.low),
            np.maximum(self.high, other.high),
            self.dtype,
        )


class DataScaler:
    """An affine map of training data to the space a network trains in.

    ``mode`` says how:

    * ``"standard"``: each feature to zero mean and unit variance;
    * ``"symmetric"``: every value by one map onto ``[-1, 1]`` (the range
      of a ``tanh`` output and of image diffusion models);
    * ``"unit"``: every value by one map onto ``[0, 1]`` (pixels that are
      already in ``[0, 1]`` are left exactly as they are);
    * ``"none"``: no map; only the range and dtype are kept.

    The scaler also keeps each feature's training range, which samples are
    clipped to, and the data's dtype, which samples are returned in.

    Attributes
    ----------
    mean, scale : ndarray
        ``scaled = (X - mean) / scale``.
    var : ndarray of shape (n_features,)
        Each feature's variance (``"standard"`` only).
    low, high : ndarray of shape (n_features,)
        Each feature's training range (widened by :meth:`extend`).
    dtype : numpy dtype
        The training data's dtype.
    n_samples_seen : int
        Rows the statistics cover: :meth:`partial_fit` merges a chunk's
        statistics into them, so a model trained chunk by chunk ends with
        the scale of all its data, whatever the chunks' order.
    """

    MODES = ("standard", "symmetric", "unit", "none")

    def __init__(self, mode):
        if mode not in self.MODES:
            raise ValueError(f"Unknown scaling {mode!r}; one of {self.MODES}.")
        self.mode = mode

    def fit(self, X):
        """Learn the map from ``X``: a 2-D float array or its ``DataStats``."""
        return self._set(X if isinstance(X, DataStats) else DataStats.of(X))

    def partial_fit(self, X):
        """Merge the statistics of ``X`` (another chunk, or its
        ``DataStats``) into the scaler's.

        Global modes: the range of all chunks; ``"standard"``: the mean and
        variance of all rows. The result equals :meth:`fit` on all chunks
        at once, to rounding.
        """
        stats = X if isinstance(X, DataStats) else DataStats.of(X)
        var = getattr(self, "var", np.zeros(len(self.low)))
        seen = DataStats(
            self.n_samples_seen,
            np.asarray(self.mean, np.float64),
            var,
            self.low,
            self.high,
            self.dtype,
        )
        return self._set(seen.merge(stats))

    def _set(self, stats):
        dtype = stats.dtype
        if self.mode == "standard":
            self.mean = stats.mean.astype(dtype)
            self.var = stats.var
            scale = np.sqrt(stats.var).astype(dtype)
            self.scale = np.where(scale > 1e-8, scale, 1.0).astype(dtype)
        elif self.mode == "none":
            self.mean, self.scale = np.asarray(0.0), np.asarray(1.0)
        else:
            lo, hi = stats.min(), stats.max()
            if self.mode == "symmetric":
                self.mean = np.asarray((hi + lo) / 2)
                self.scale = np.asarray((hi - lo) / 2 if hi > lo else 1.0)
            else:
                self.mean = np.asarray(lo)
                self.scale = np.asarray(hi - lo if hi > lo else 1.0)
        self.low, self.high = stats.low, stats.high
        self.dtype = dtype
        self.n_samples_seen = stats.n_samples
        return self

    def extend(self, X):
        """Widen the training range to include ``X`` (a warm start), the
        scale unchanged; ``X`` is an array or its ``DataStats``."""
        low, high = (X.low, X.high) if isinstance(X, DataStats) else (X.min(0), X.max(0))
        self.low, self.high = np.minimum(self.low, low), np.maximum(self.high, high)
        return self

    def transform(self, X, copy=True):
        """Scale ``X``; float32 rows stay float32. ``copy=False`` scales a
        float array in place (a streamed buffer)."""
        if self.mode == "none":
            return X.copy() if copy else X
        mean, scale = self.mean, self.scale
        if X.dtype == np.float32:
            mean, scale = mean.astype(np.float32), scale.astype(np.float32)
        if not copy and X.dtype.kind == "f" and np.result_type(X, mean, scale) == X.dtype:
            X -= mean
            X /= scale
            return X
        return (X - mean) / scale

    def log_scale(self, n_features):
        """``sum(log(scale))`` over the features: how much the map changes
        a density (the log-determinant of its Jacobian, negated)."""
        scale = np.broadcast_to(np.asarray(self.scale, np.float64), (n_features,))
        return float(np.log(scale).sum())

    def scaled_range(self):
        """The training range in the scaled space: ``[-1, 1]`` or ``[0, 1]``
        for the global modes, each feature's own range otherwise."""
        if self.mode == "symmetric":
            return -1.0, 1.0
        if self.mode == "unit":
            return 0.0, 1.0
        if self.mode == "none":
            return self.low, self.high
        return self.transform(self.low), self.transform(self.high)

    def inverse_transform_(self, out, *, clip=True):
        """Map scaled rows back to the data's scale, in place (and clip
        them to the training range); ``out`` has the data's dtype."""
        dtype = out.dtype
        if self.mode != "none":
            out *= self.scale.astype(dtype)
            out += self.mean.astype(dtype)
        if clip:
            self.clip_(out)
        return out

    def clip_(self, out):
        """Clip rows in the data's scale to the training range, in place."""
        dtype = out.dtype
        return np.clip(out, self.low.astype(dtype), self.high.astype(dtype), out=out)
