"""skgen's outlier detectors against scikit-learn's: ROC AUC in one table.

Every detector is fitted on training rows and ranks held-out rows by
``score_samples`` (higher: more normal); the figure is the ROC AUC of that
ranking for "inlier", averaged over the tasks of a column. Tasks:

* ``digits 1``: scikit-learn's 8x8 digits (pixels / 16). One class is
  normal: two thirds of its rows train (about 120), the held-out third and
  every row of the nine other classes are scored. Mean over the 10 classes.
* ``digits 2``: two classes are normal, (0, 1), (2, 3), (4, 5), (6, 7),
  (8, 9): about 240 training rows. Mean over the 5 pairs.
* ``digits 2+5%``: as ``digits 2``, with the training rows contaminated by
  5% outliers from the other classes (unsupervised detection); those rows
  are left out of the scored ones.
* ``cancer``: scikit-learn's breast cancer data (30 tabular features,
  standardised on the training rows). Benign tumours are normal, malignant
  ones outliers; two thirds of the benign rows train. Mean over 5 random
  splits.

Detectors: scikit-learn's ``IsolationForest``, ``LocalOutlierFactor(novelty=
True)``, ``OneClassSVM`` and PCA reconstruction error, first at their
defaults (PCA keeping 90% of the variance), then "tuned": for each column,
the best of a small grid (LOF's ``n_neighbors`` in 5, 10, 20, 35; the SVM's
``nu`` in 0.01, 0.1, 0.5; PCA's ``n_components`` in 5, 10, 20 and 90%;
the forest with 100 or 500 trees), picked on the scored rows themselves,
an optimistic figure no real user gets. skgen's detectors run at one
setting per data set, fixed before looking at the scores
(``OutlierDetector`` around the model). The last column is the median fit
time in seconds.

A second table measures the threshold rather than the ranking: on
``digits 2`` with ``contamination=0.05``, the share of new normal digits
``predict`` rejects (false alarms; 5% is what was asked for) and the
share of outliers it rejects, for the denoising autoencoder with the
threshold from training scores (``cv=None``) and from out-of-fold scores
(``cv=5``), and for scikit-learn's detectors at the same contamination.

Run: ``python bench/bench_outliers.py [--only NAME ...] [--fast]``
"""

import argparse
import time

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from skgen import (
    DDPM,
    DenoisingAutoencoder,
    OutlierDetector,
    StackedAutoencoder,
    VariationalAutoencoder,
)

PAIRS = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
COLUMNS = ["digits 1", "digits 2", "digits 2+5%", "cancer"]


class PCAReconstruction(BaseEstimator):
    """PCA reconstruction error as a score (higher: more normal)."""

    def __init__(self, n_components=0.9):
        self.n_components = n_components

    def fit(self, X, y=None):
        self.pca_ = PCA(self.n_components, random_state=0).fit(X)
        return self

    def score_samples(self, X):
        return -((self.pca_.inverse_transform(self.pca_.transform(X)) - X) ** 2).mean(1)


def digits_tasks(classes_sets, contamination=0.0):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    for normal in classes_sets:
        inlier = np.isin(y, normal)
        train, test = train_test_split(
            np.flatnonzero(inlier), test_size=1 / 3, random_state=0, stratify=y[inlier]
        )
        outliers = np.random.RandomState(0).permutation(np.flatnonzero(~inlier))
        n_bad = int(round(contamination * len(train) / (1 - contamination)))
        train = np.r_[train, outliers[:n_bad]]
        scored = np.r_[test, outliers[n_bad:]]
        yield X[train], X[scored], inlier[scored]


def cancer_tasks(n_splits):
    X, y = load_breast_cancer(return_X_y=True)
    benign = np.flatnonzero(y == 1)
    for seed in range(n_splits):
        train, test = train_test_split(benign, test_size=1 / 3, random_state=seed)
        scored = np.r_[test, np.flatnonzero(y == 0)]
        scaler = StandardScaler().fit(X[train])
        yield (scaler.transform(X[train]), scaler.transform(X[scored]), y[scored] == 1)


def sklearn_detectors():
    """name -> (default, grid of alternatives for the tuned row)."""
    return {
        "IsolationForest": (
            IsolationForest(random_state=0),
            [IsolationForest(n_estimators=500, random_state=0)],
        ),
        "LocalOutlierFactor": (
            LocalOutlierFactor(novelty=True),
            [LocalOutlierFactor(n_neighbors=k, novelty=True) for k in (5, 10, 35)],
        ),
        "OneClassSVM": (OneClassSVM(), [OneClassSVM(nu=nu) for nu in (0.01, 0.1)]),
        "PCA reconstruction": (PCAReconstruction(), [PCAReconstruction(k) for k in (5, 10, 20)]),
    }


def skgen_detectors(data, fast):
    """The skgen models, one setting per data set (digits or cancer)."""
    digits = data == "digits"
    k = 16 if digits else 8
    epochs = 30 if fast else 300
    common = dict(max_iter=epochs, random_state=0)
    return {
        "StackedAutoencoder": StackedAutoencoder(k, hidden_layer_sizes=(128,), **common),
        "DenoisingAutoencoder": DenoisingAutoencoder(
            k, hidden_layer_sizes=(128,), noise_level=0.2 if digits else 0.1, **common
        ),
        "VariationalAutoencoder": VariationalAutoencoder(8 if digits else 4, **common),
        "DDPM": DDPM(
            n_timesteps=200, max_iter=max(epochs, 100) if not fast else 30, random_state=0
        ),
    }


def evaluate(detector, tasks):
    aucs, times = [], []
    for X_train, X_scored, is_inlier in tasks:
        model = clone(detector)
        start = time.perf_counter()
        model.fit(X_train)
        times.append(time.perf_counter() - start)
        aucs.append(roc_auc_score(is_inlier, model.score_samples(X_scored)))
    return float(np.mean(aucs)), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="detector names to run")
    parser.add_argument("--fast", action="store_true", help="short training (smoke test)")
    args = parser.parse_args()
    tasks = {
        "digits 1": lambda: digits_tasks([(c,) for c in range(10)]),
        "digits 2": lambda: digits_tasks(PAIRS),
        "digits 2+5%": lambda: digits_tasks(PAIRS, contamination=0.05),
        "cancer": lambda: cancer_tasks(5),
    }
    rows = []

    def report(name, aucs, times):
        rows.append((name, aucs, times))
        time_text = f"{np.median(times):8.2f}" if times else f"{'-':>8s}"
        print(f"  {name:30s} " + " ".join(f"{a:11.4f}" for a in aucs) + f" {time_text}", flush=True)

    print(f"  {'detector':30s} " + " ".join(f"{c:>11s}" for c in COLUMNS) + f" {'fit (s)':>8s}")
    for name, (default, grid) in sklearn_detectors().items():
        if args.only and name not in args.only:
            continue
        default_aucs, tuned_aucs, all_times = [], [], []
        for column in COLUMNS:
            results = [evaluate(d, tasks[column]()) for d in [default, *grid]]
            default_aucs.append(results[0][0])
            tuned_aucs.append(max(r[0] for r in results))
            all_times += results[0][1]
        report(name, default_aucs, all_times)
        report(name + " (tuned)", tuned_aucs, [])
    for data in ("digits", "cancer"):
        for name, model in skgen_detectors(data, args.fast).items():
            if args.only and name not in args.only:
                continue
            columns = [c for c in COLUMNS if c.startswith(data)]
            detector = OutlierDetector(model)
            results = [evaluate(detector, tasks[c]()) for c in columns]
            key = f"skgen {name}"
            existing = next((r for r in rows if r[0] == key), None)
            if existing is None:
                rows.append((key, [np.nan] * len(COLUMNS), []))
                existing = rows[-1]
            for c, (auc, times) in zip(columns, results):
                existing[1][COLUMNS.index(c)] = auc
                existing[2].extend(times)
    for name, aucs, times in rows:
        if name.startswith("skgen"):
            print(
                f"  {name:30s} "
                + " ".join(f"{a:11.4f}" for a in aucs)
                + f" {np.median(times):8.2f}"
            )
    best = {
        c: max(r[1][i] for r in rows if not r[0].startswith("skgen")) for i, c in enumerate(COLUMNS)
    }
    best_skgen = {
        c: max((r[1][i] for r in rows if r[0].startswith("skgen")), default=np.nan)
        for i, c in enumerate(COLUMNS)
    }
    print("\n  best scikit-learn (tuned)      " + " ".join(f"{best[c]:11.4f}" for c in COLUMNS))
    print("  best skgen                     " + " ".join(f"{best_skgen[c]:11.4f}" for c in COLUMNS))
    if not args.only:
        calibration_table(args.fast)


def calibration_table(fast):
    model = skgen_detectors("digits", fast)["DenoisingAutoencoder"]
    detectors = {
        "skgen DenoisingAutoencoder, cv=None": OutlierDetector(model, contamination=0.05),
        "skgen DenoisingAutoencoder, cv=5": OutlierDetector(model, contamination=0.05, cv=5),
        "IsolationForest": IsolationForest(contamination=0.05, random_state=0),
        "LocalOutlierFactor": LocalOutlierFactor(novelty=True, contamination=0.05),
        "OneClassSVM (nu=0.05)": OneClassSVM(nu=0.05),
    }
    print(f"\n  digits 2, contamination=0.05     {'false alarms':>12s} {'detected':>9s}")
    for name, detector in detectors.items():
        alarms, detected = [], []
        for X_train, X_scored, is_inlier in digits_tasks(PAIRS):
            rejected = clone(detector).fit(X_train).predict(X_scored) == -1
            alarms.append(rejected[is_inlier].mean())
            detected.append(rejected[~is_inlier].mean())
        print(f"  {name:36s} {np.mean(alarms):9.1%} {np.mean(detected):9.1%}", flush=True)


if __name__ == "__main__":
    main()
