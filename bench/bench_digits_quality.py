"""Held-out reconstruction MSE of every autoencoder vs PCA on digits.

The issue's quality bar: with default settings and a fit under 60 s on
2 CPU cores, each nonlinear autoencoder beats PCA(n_components) on
held-out digits at n_components in {2, 5, 10}.

Settings: ``load_digits``, pixels scaled to [0, 1] (divided by 16),
``train_test_split(test_size=0.2, random_state=0)`` (1437 train / 360
test), every estimator with its defaults and ``random_state=0``; the
convolutional one gets the 8x8 images. MSE is the mean over pixels and
test samples.

Run: ``python bench/bench_digits_quality.py [--n-components 2 5 10]``
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)

MODELS = [
    PCA,
    LinearAutoencoder,
    StackedAutoencoder,
    SparseAutoencoder,
    DenoisingAutoencoder,
    ConvolutionalAutoencoder,
]


def held_out_mse(model, X_train, X_test):
    start = time.perf_counter()
    model.fit(X_train)
    seconds = time.perf_counter() - start
    recon = model.inverse_transform(model.transform(X_test))
    return float(np.mean((recon.reshape(X_test.shape) - X_test) ** 2)), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-components", type=int, nargs="+", default=[2, 5, 10])
    args = parser.parse_args()
    digits = load_digits()
    X = digits.images.astype(np.float32) / 16
    X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
        f"digits {X_train.shape[0]} train / {X_test.shape[0]} test, [0, 1]"
    )
    print(f"{'model':<26}{'k':>4}{'test MSE':>11}{'/ PCA':>8}{'fit s':>8}")
    for k in args.n_components:
        pca_mse = None
        for cls in MODELS:
            image = cls is ConvolutionalAutoencoder
            kwargs = {} if cls is PCA else {"random_state": 0}
            model = cls(k, **kwargs)
            Xtr = X_train if image else X_train.reshape(len(X_train), -1)
            Xte = X_test if image else X_test.reshape(len(X_test), -1)
            mse, seconds = held_out_mse(model, Xtr, Xte)
            pca_mse = mse if cls is PCA else pca_mse
            print(
                f"{cls.__name__:<26}{k:>4}{mse:>11.5f}{mse / pca_mse:>8.3f}{seconds:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
