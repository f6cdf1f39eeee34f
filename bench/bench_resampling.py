"""Oversampling a rare class: GenerativeResampler against SMOTENC and nothing.

Two imbalanced tables of mixed types (bench-only packages, see
bench_tables.py): the Fair-cut diamonds among a random 10,000 of ggplot2's
diamonds (3% of the rows), and the penguins of Dream island's Chinstrap
species against the rest (20%). Each is split 70/30, stratified. The
training part is resampled (or not) and a classifier is trained on it:

* none: the training rows as they are;
* SMOTENC: imbalanced-learn's SMOTE for mixed columns (missing values
  imputed first, as it needs);
* skgen: ``GenerativeResampler`` around a DDPM and a VAE at their
  defaults (a generator fitted on the rare class's rows, learnt as a
  table).

Every strategy grows the rare class to the size of the other. The
classifier is a ``HistGradientBoostingClassifier`` (``random_state=0``) on
the table encoded by ``TableEncoder``; the figures are the rare class's F1
and the average precision (PR AUC) on the held-out 30%, medians over 3
seeds of the resampler.

Run: ``python bench/bench_resampling.py [--record resampling]``
"""

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from _results import add_record_option, record
from _tables import diamonds, is_category, penguins
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import train_test_split

from skgen import DDPM, GenerativeResampler, VariationalAutoencoder
from skgen.preprocessing import TableEncoder


def tasks():
    frame = diamonds().sample(10_000, random_state=0).reset_index(drop=True)
    yield (
        "diamonds: Fair cut",
        frame.drop(columns="cut"),
        (frame["cut"] == "Fair").map({True: "Fair", False: "other"}).to_numpy(),
    )
    frame = penguins()
    rare = (frame["species"] == "Chinstrap").map({True: "Chinstrap", False: "other"})
    yield "penguins: Chinstrap", frame.drop(columns="species"), rare.to_numpy()


def smotenc(X, y, seed):
    from imblearn.over_sampling import SMOTENC

    X = X.copy()
    categorical = [c for c in X.columns if is_category(X[c])]
    for column in X.columns:  # SMOTENC takes no missing values
        if X[column].isna().any():
            fill = X[column].mode()[0] if column in categorical else X[column].median()
            X[column] = X[column].fillna(fill)
    for column in categorical:
        X[column] = X[column].astype(str)
    return SMOTENC(categorical_features=categorical, random_state=seed).fit_resample(X, y)


def evaluate(X_train, y_train, X_test, y_test, positive):
    encoder = TableEncoder().fit(X_train)
    clf = HistGradientBoostingClassifier(random_state=0).fit(encoder.transform(X_train), y_train)
    Z = _encode(encoder, X_test)
    proba = clf.predict_proba(Z)[:, list(clf.classes_).index(positive)]
    f1 = f1_score(y_test, clf.predict(Z), pos_label=positive)
    return f1, average_precision_score(y_test == positive, proba)


def _encode(encoder, X):
    X = X.copy()
    for column in encoder.columns_:
        if column.kind == "category":
            known = X[column.name].isin(column.categories) | X[column.name].isna()
            X[column.name] = X[column.name].where(known, column.categories[0])
        if X[column.name].isna().any() and not column.has_missing:
            X[column.name] = (
                X[column.name].fillna(column.categories[0])
                if column.categories
                else X[column.name].fillna(X[column.name].median())
            )
    return encoder.transform(X)


STRATEGIES = {
    "none": lambda X, y, seed: (X, y),
    "SMOTENC": smotenc,
    "skgen DDPM": lambda X, y, seed: GenerativeResampler(
        DDPM(random_state=seed), random_state=seed
    ).fit_resample(X, y),
    "skgen VAE": lambda X, y, seed: GenerativeResampler(
        VariationalAutoencoder(random_state=seed), random_state=seed
    ).fit_resample(X, y),
}


TASKS = {"diamonds": "diamonds, Fair cut (2.9%)", "penguins": "penguins, Chinstrap (19.6%)"}
KEYS = {"none": "none", "SMOTENC": "smotenc", "skgen DDPM": "ddpm", "skgen VAE": "vae"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_record_option(parser)
    args = parser.parse_args()
    rows = {}
    for name, X, y in tasks():
        positive = [c for c in np.unique(y) if c != "other"][0]
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=0, stratify=y
        )
        print(
            f"\n{name}: {len(X_train)} training rows, {np.mean(y_train == positive):.1%} {positive}"
        )
        print(f"{'resampling':<14}{'rare F1':>9}{'PR AUC':>9}{'seconds':>9}")
        for label, strategy in STRATEGIES.items():
            results, times = [], []
            for seed in (0, 1, 2) if label != "none" else (0,):
                start = time.perf_counter()
                X_res, y_res = strategy(X_train, y_train, seed)
                times.append(time.perf_counter() - start)
                X_res = pd.DataFrame(X_res).astype(
                    {c: X_train[c].dtype for c in X_train.columns if not is_category(X_train[c])},
                    errors="ignore",
                )
                results.append(evaluate(X_res, np.asarray(y_res), X_test, y_test, positive))
            f1 = statistics.median(r[0] for r in results)
            ap = statistics.median(r[1] for r in results)
            seconds = "" if label == "none" else f"{statistics.median(times):.1f}"
            print(f"{label:<14}{f1:>9.3f}{ap:>9.3f}{seconds:>9}", flush=True)
            task = next(key for key in TASKS if name.startswith(key))
            rows[f"{task}-{KEYS[label]}"] = [TASKS[task], label, f"{f1:.3f}", f"{ap:.3f}", seconds]
    if args.record:
        record(
            args.record,
            title="Oversampling a rare class: a gradient-boosting classifier trained on the "
            "resampled 70%, scored on the held-out 30% (medians over three seeds)",
            columns=["task", "resampling", "rare F1", "PR AUC", "seconds"],
            rows=rows,
            note="7,000 training rows of a random 10,000 diamonds; 240 penguins.",
        )


if __name__ == "__main__":
    main()
