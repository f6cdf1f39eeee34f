"""HashingAutoencoder's bits for Hamming-distance search, against baselines.

scikit-learn's 8x8 digits (pixels / 16), ``train_test_split(test_size=0.25,
random_state=0)``. Each method turns every digit into 16 bits; for each
held-out digit, the 10 training digits nearest in Hamming distance are
retrieved (ties broken by index) and the figure is the share of them of the
same class (precision@10; chance is about 0.1). Also: the share of sigmoid
codings within 0.1 of 0 or 1 (saturated), and the share of bits a digit
keeps when N(0, 0.05^2) noise is added to its pixels.

Baselines: random hyperplanes (the signs of 16 Gaussian projections of the
centred data, locality-sensitive hashing) and PCA signs (the signs of the
16 leading principal components). The autoencoders train 100 epochs.

Run: ``python bench/bench_hashing.py``
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import HashingAutoencoder

N_BITS = 16


def precision_at_10(codes_train, codes_test, y_train, y_test):
    distance = (codes_test[:, None, :] != codes_train[None]).sum(-1)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :10]
    return float((y_train[nearest] == y_test[:, None]).mean())


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.25, random_state=0)
    nudged = np.clip(X_test + 0.05 * np.random.RandomState(1).standard_normal(X_test.shape), 0, 1)
    mean = X_train.mean(0)
    planes = np.random.RandomState(0).standard_normal((X.shape[1], N_BITS))
    pca = PCA(N_BITS, random_state=0).fit(X_train)
    methods = {
        "random hyperplanes (LSH)": (lambda A: (A - mean) @ planes > 0, None, 0.0),
        "PCA signs": (lambda A: pca.transform(A) > 0, None, 0.0),
    }
    for noise in (15.0, 0.0):
        start = time.perf_counter()
        ae = HashingAutoencoder(N_BITS, coding_noise=noise, max_iter=100, random_state=0).fit(
            X_train
        )
        methods[f"HashingAutoencoder, coding_noise={noise:g}"] = (
            ae.binary_codes,
            ae.transform,
            time.perf_counter() - start,
        )
    print(
        f"  {'method':38s} {'precision@10':>12s} {'saturated':>9s} {'bits kept':>9s} "
        f"{'fit (s)':>7s}"
    )
    for name, (codes, values, seconds) in methods.items():
        p10 = precision_at_10(codes(X_train), codes(X_test), y_train, y_test)
        kept = float((codes(nudged) == codes(X_test)).mean())
        if values is None:
            saturated = "-"
        else:
            P = values(X_test)
            saturated = f"{((P < 0.1) | (P > 0.9)).mean():.3f}"
        print(f"  {name:38s} {p10:12.3f} {saturated:>9s} {kept:9.3f} {seconds:7.1f}")


if __name__ == "__main__":
    main()
