"""What ML efficacy rewards: each generator's rows as training data for a
classifier of the target, beside how faithful the target is in them
(bench-only data, see bench_tables).

``bench_tables`` scores ML efficacy as the macro F1, on the real held-out
rows, of a gradient-boosting classifier trained on as many synthetic rows as
there are training rows. On ISLR's Wage a generator's rows can score above
the real training rows themselves, which no faithful copy of the table
does. This benchmark shows why, per generator (same split and peers as
``bench_tables``; medians over ``--seeds`` fits):

* share: the share of the target's rarest level in the rows (the real
  training rows give the data's);
* F1: ``skgen.metrics.ml_efficacy``, as in ``bench_tables``;
* AUC: the same classifier's ROC AUC on the real held-out rows
  (threshold-free; one-vs-rest for more than two levels);
* AUC within: its cross-validated ROC AUC inside the rows themselves (3
  folds): how predictable the target is from the other columns there. A
  generator that makes the target more predictable than it is in real rows
  (above the real rows' figure) sharpens the relation the classifier
  learns, which can raise F1 while the rows stray from the data;
* F1, 5x rows: the F1 of a classifier trained on five times as many
  synthetic rows (a generator draws as many as one likes).

Run: ``python bench/bench_table_efficacy.py [--data wage penguins diamonds]
[--peers-python PATH] [--seeds K] [--record NAME]``.
"""

import argparse
import time

import numpy as np
from _results import add_record_option, record
from _tables import TABLES, GaussianCopula
from bench_tables import GENERATORS, run_peer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

from skgen.metrics import ml_efficacy
from skgen.preprocessing import TableEncoder

COLUMNS = ["model", "share", "F1", "AUC", "AUC within", "F1, 5x rows", "fit (s)"]
KEYS = {
    "real (training)": "real",
    "Gaussian copula": "copula",
    "CTGAN": "ctgan",
    "TVAE": "tvae",
    "skgen VAE": "vae",
    "skgen GAN": "gan",
    "skgen DDPM": "ddpm",
}
MULTIPLE = 5


def _auc(y, proba, classes):
    if len(classes) == 2:
        return roc_auc_score(y, proba[:, 1])
    return roc_auc_score(y, proba, multi_class="ovr", labels=classes)


def judge(rows, train, test, target):
    """The figures of one table of rows (the first ``len(train)`` of them,
    and all of them for the 5x column)."""
    one = rows.iloc[: len(train)]
    features = [c for c in train.columns if c != target]
    labels = one[target].astype(str)
    rarest = train[target].astype(str).value_counts().idxmin()
    encoder = TableEncoder().fit(one[features])
    x = encoder.transform(one[features])
    classifier = HistGradientBoostingClassifier(random_state=0).fit(x, labels)
    classes = list(classifier.classes_)
    held_out = test[target].astype(str)
    seen = held_out.isin(classes)
    proba = classifier.predict_proba(encoder.transform(test[features][seen]))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    within = cross_val_predict(
        HistGradientBoostingClassifier(random_state=0), x, labels, cv=folds, method="predict_proba"
    )
    return {
        "share": float((labels == rarest).mean()),
        "F1": ml_efficacy(one, test, target),
        "AUC": _auc(held_out[seen], proba, classes),
        "AUC within": _auc(labels, within, classes),
        "F1, 5x rows": ml_efficacy(rows, test, target) if len(rows) > len(train) else np.nan,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="wage", choices=list(TABLES))
    parser.add_argument(
        "--peers-python", default=None, help="the Python of an environment with ctgan"
    )
    parser.add_argument("--peer-timeout", type=int, default=3600)
    parser.add_argument("--seeds", type=int, default=3)
    add_record_option(parser)
    args = parser.parse_args()
    loader, target = TABLES[args.data]
    frame = loader()
    train, test = train_test_split(
        frame, test_size=0.3, random_state=0, stratify=frame[target].astype(str)
    )
    n = MULTIPLE * len(train)
    print(f"{args.data}: {len(train)} training rows, target {target!r}")
    print(f"{'model':<20}" + "".join(f"{c:>13}" for c in COLUMNS[1:]), flush=True)
    makers = {"Gaussian copula": lambda seed: GaussianCopula()}
    if args.peers_python:
        makers["CTGAN"] = makers["TVAE"] = None
    makers.update(GENERATORS)
    runs = {"real (training)": [(judge(train, train, test, target), None)]}
    for name, make in makers.items():
        for seed in range(args.seeds):
            start = time.perf_counter()
            if make is None:
                rows, seconds = run_peer(name, args.peers_python, train, args.peer_timeout, n=n)
            else:
                model = make(seed).fit(train)
                seconds = time.perf_counter() - start
                rows = model.sample(n, random_state=seed)
            runs.setdefault(name, []).append((judge(rows, train, test, target), seconds))
    printed = {}
    for name, results in runs.items():
        figures = {c: float(np.median([r[c] for r, _ in results])) for c in COLUMNS[1:-1]}
        seconds = [s for _, s in results if s is not None]
        cells = [f"{figures[c]:.3f}" if not np.isnan(figures[c]) else "" for c in COLUMNS[1:-1]]
        cells.append(f"{np.median(seconds):.1f}" if seconds else "")
        printed[KEYS[name]] = [name, *cells]
        print(f"{name:<20}" + "".join(f"{c:>13}" for c in cells), flush=True)
    if args.record:
        record(
            args.record,
            title=f"What ML efficacy rewards ({args.data}, target {target}): the share of its "
            "rarest level, F1 and ROC AUC on the real held-out rows, the AUC within the rows",
            columns=COLUMNS,
            rows=printed,
            note=f"Medians over {args.seeds} fits and samples; the peers at their defaults "
            "with SDV's post-processing, as in bench_tables.",
            hide={args.peers_python: "PYTHON"} if args.peers_python else {},
        )


if __name__ == "__main__":
    main()
