"""Benchmark data shaped like Fashion-MNIST, built without a download."""

import numpy as np
from scipy.ndimage import shift, zoom
from sklearn.datasets import load_digits


def fashion_like(n_samples, seed=0):
    """``n_samples`` x 784 float32 rows in [0, 1]: digits upsampled to 28x28,
    randomly shifted by up to 2 pixels, with Gaussian noise (std 0.05)."""
    rng = np.random.default_rng(seed)
    small = load_digits().images / 16
    big = np.stack([zoom(img, 3.5, order=1) for img in small]).clip(0, 1)
    idx = rng.integers(0, len(big), n_samples)
    out = np.empty((n_samples, 28, 28), dtype=np.float32)
    offsets = rng.integers(-2, 3, size=(len(big), 2))
    shifted = np.stack([shift(b, o, order=0) for b, o in zip(big, offsets)])
    out[:] = shifted[idx]
    out += rng.normal(scale=0.05, size=out.shape).astype(np.float32)
    return out.clip(0, 1).reshape(n_samples, -1)
