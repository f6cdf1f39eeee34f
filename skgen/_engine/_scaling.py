"""The map between the data and a generator's working space."""

import numpy as np


class DataScaler:
    """An affine map of training data to the space a generator works in.

    ``images=True``: every value by one map onto ``[-1, 1]`` (the range of
    a ``tanh`` output and of image diffusion models); ``images=False``: each
    feature to zero mean and unit variance. The scaler also keeps each
    feature's training range (the GAN clips its samples to it; the DDPM
    bounds its reverse steps by the first fit's range, ``scaled_range``)
    and the data's dtype, which samples are returned in.

    Attributes
    ----------
    mean, scale : ndarray
        ``scaled = (X - mean) / scale``.
    low, high : ndarray of shape (n_features,)
        Each feature's training range (widened by :meth:`extend`).
    dtype : numpy dtype
        The training data's dtype.
    n_samples_seen : int
        Rows the statistics cover: :meth:`partial_fit` merges a chunk's
        statistics into them, so a model trained chunk by chunk ends with
        the scale of all its data, whatever the chunks' order.
    """

    def __init__(self, images):
        self.images = images

    def fit(self, X):
        if self.images:
            lo, hi = X.min(), X.max()
            self.mean = np.asarray((hi + lo) / 2)
            self.scale = np.asarray((hi - lo) / 2 if hi > lo else 1.0)
        else:
            self.mean = X.mean(0)
            scale = X.std(0)
            self.scale = np.where(scale > 1e-8, scale, 1.0)
            self.var = X.var(0, dtype=np.float64)  # for partial_fit
        self.low, self.high = X.min(0), X.max(0)
        self.dtype = X.dtype
        self.n_samples_seen = X.shape[0]
        return self

    def partial_fit(self, X):
        """Merge the statistics of ``X`` (another chunk) into the scaler's.

        Images: the range of all chunks; vectors: the mean and variance of
        all rows (Chan et al.'s pairwise update). The result equals
        :meth:`fit` on all chunks at once, to rounding.
        """
        n_a, n_b = self.n_samples_seen, X.shape[0]
        self.low, self.high = np.minimum(self.low, X.min(0)), np.maximum(self.high, X.max(0))
        if self.images:
            lo, hi = self.low.min(), self.high.max()
            self.mean = np.asarray((hi + lo) / 2)
            self.scale = np.asarray((hi - lo) / 2 if hi > lo else 1.0)
        else:
            n = n_a + n_b
            mean_a = self.mean.astype(np.float64)
            mean_b = X.mean(0, dtype=np.float64)
            delta = mean_b - mean_a
            m2 = (self.var * n_a + X.var(0, dtype=np.float64) * n_b
                  + delta ** 2 * (n_a * n_b / n))
            self.mean = (mean_a + delta * (n_b / n)).astype(self.dtype)
            self.var = m2 / n
            scale = np.sqrt(self.var).astype(self.dtype)
            self.scale = np.where(scale > 1e-8, scale, 1.0)
        self.n_samples_seen = n_a + n_b
        return self

    def extend(self, X):
        """Widen the training range to include ``X`` (a warm start), the
        scale unchanged."""
        self.low, self.high = np.minimum(self.low, X.min(0)), np.maximum(self.high, X.max(0))
        return self

    def transform(self, X):
        return (X - self.mean) / self.scale

    def scaled_range(self):
        """The training range in the scaled space: ``[-1, 1]`` for images,
        each feature's own range otherwise."""
        if self.images:
            return -1.0, 1.0
        return self.transform(self.low), self.transform(self.high)

    def inverse_transform_(self, out, *, clip=True):
        """Map scaled rows back to the data's scale, in place (and clip
        them to the training range); ``out`` has the data's dtype."""
        dtype = out.dtype
        out *= self.scale.astype(dtype)
        out += self.mean.astype(dtype)
        if clip:
            np.clip(out, self.low.astype(dtype), self.high.astype(dtype), out=out)
        return out
