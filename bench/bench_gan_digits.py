"""GAN sample quality on digits: dense GAN vs DCGAN, with and without a remedy.

Each configuration trains on scikit-learn's digits (pixels / 16, the 80%
training split of ``train_test_split(test_size=0.2, random_state=0)``) with
``random_state=0``; a logistic regression trained on the same real digits
labels 500 samples. The table gives the classes holding at least 10 of the
500 samples, the per-class counts, the last held-out MMD of the training
monitor and the fit time. Slow on a CPU (minutes per DCGAN).

Run: ``python bench/bench_gan_digits.py [--epochs 100]``
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skgen import GAN


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args()
    digits = load_digits()
    X_train, _, y_train, _ = train_test_split(
        digits.images / 16, digits.target, test_size=0.2, random_state=0
    )
    flat = X_train.reshape(len(X_train), -1)
    clf = LogisticRegression(max_iter=2000).fit(flat, y_train)
    plain = dict(minibatch_std=False, ema_decay=None)
    configs = {
        "dense (defaults)": dict(architecture="dense"),
        "dcgan (defaults)": dict(architecture="conv"),
        "dcgan, no remedies": dict(architecture="conv", **plain),
        "dcgan + minibatch std": dict(architecture="conv", **(plain | {"minibatch_std": True})),
    }
    print(f"{args.epochs} epochs, batch 32, Adam lr 1e-3, betas (0.5, 0.999)")
    print(f"{'configuration':<30}{'classes>=10':>12}{'last MMD':>10}{'fit s':>8}  counts")
    for name, params in configs.items():
        start = time.perf_counter()
        gan = GAN(max_iter=args.epochs, random_state=0, **params).fit(X_train)
        seconds = time.perf_counter() - start
        samples = gan.sample(500, random_state=0).reshape(500, -1)
        counts = np.bincount(clf.predict(samples), minlength=10)
        print(
            f"{name:<30}{(counts >= 10).sum():>12}{-gan.validation_scores_[-1]:>10.4f}"
            f"{seconds:>8.0f}  {counts.tolist()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
