"""RecurrentAutoencoder against PCA and a dense autoencoder on sequences.

Held-out reconstruction MSE from ``n_components`` codings, on two data sets:

* ``sines``: 500 training and 200 held-out sine waves of 30 steps with a
  random frequency (1 to 3 periods) and phase: two factors that a curved
  coding follows and a linear subspace cannot;
* ``digits``: scikit-learn's 8x8 digits (pixels / 16) read as sequences of
  8 rows of 8 pixels (the book's reading of an image), 1,347 training and
  450 held-out images.

Every network trains 100 epochs (batch 32, Adam 0.01 on sines, 0.003 on
digits) with ``random_state=0``; the dense autoencoder has one hidden
layer of the same width as the recurrent ones. Fit times are wall-clock
seconds.

Run: ``python bench/bench_recurrent.py``
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import RecurrentAutoencoder, StackedAutoencoder


def sines(n, seed):
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, 30)
    freq, phase = rng.uniform(1, 3, n), rng.uniform(0, 2 * np.pi, n)
    return np.sin(2 * np.pi * freq[:, None] * t[None] + phase[:, None])[:, :, None]


def datasets():
    yield "sines", sines(500, 0), sines(200, 1), 0.01, (2, 3)
    images = load_digits().images / 16
    train, test = train_test_split(images, test_size=0.25, random_state=0)
    yield "digits", train, test, 0.003, (5, 10)


def error(model, train, test):
    start = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - start
    rebuilt = model.inverse_transform(model.transform(test))
    return float(((rebuilt.reshape(test.shape) - test) ** 2).mean()), seconds


def main():
    print(f"  {'data':7s} {'k':>3s} {'model':28s} {'test MSE':>9s} {'vs PCA':>7s} {'fit (s)':>8s}")
    for name, train, test, lr, ks in datasets():
        flat_train, flat_test = train.reshape(len(train), -1), test.reshape(len(test), -1)
        width = 32 if name == "sines" else 64
        common = dict(max_iter=100, batch_size=32, learning_rate_init=lr, random_state=0)
        for k in ks:
            pca, _ = error(PCA(k), flat_train, flat_test)
            rows = {
                "PCA": (pca, 0.0),
                f"StackedAutoencoder ({width},)": error(
                    StackedAutoencoder(k, hidden_layer_sizes=(width,), **common),
                    flat_train,
                    flat_test,
                ),
            }
            for cell in ("lstm", "gru"):
                rows[f"RecurrentAutoencoder {cell}"] = error(
                    RecurrentAutoencoder(k, hidden_layer_sizes=(width,), cell=cell, **common),
                    train,
                    test,
                )
            for model, (mse, seconds) in rows.items():
                print(
                    f"  {name:7s} {k:3d} {model:28s} {mse:9.4f} {mse / pca:7.2f} {seconds:8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
