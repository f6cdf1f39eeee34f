"""Ranges of numeric columns in ``conditions``: a model's draws given a range,
against the real rows in that range (bench-only data, see bench_tables).

Each table is split 70/30 as in ``bench_tables``, and a
``VariationalAutoencoder`` (or, with ``--model ddpm``, a ``DDPM``) is
fitted on the 70% at its defaults. The VAE weighs its codings by the mass
each puts inside the range; the DDPM draws the column's values from the
training rows' distribution inside it, then the rest of the row given them
(its early steps picked among candidates by the likelihood of the value).
For each range of one numeric column (the quartiles of the training rows, and the
top 2%), ``sample(n, conditions={column: pd.Interval(low, high)})`` draws
as many rows as the training rows in the range. The other columns of those
rows are compared with the real held-out rows in the range
(``skgen.metrics.column_shapes``, 1 is identical), beside the rows of an
unconditional sample (as large as the training set) that fall in the range:
the draws given a range should match the real rows at least as well. The
last columns are what rejection would cost: the share of unconditional
draws inside the range, and the seconds to draw the rows given the range
against the seconds to draw enough unconditional rows to keep as many.
Means over three sampling seeds.

Run: ``python bench/bench_table_ranges.py [--data penguins wage diamonds]
[--model vae|ddpm] [--record NAME]``.
"""

import argparse
import time

import numpy as np
import pandas as pd
from _results import add_record_option, record
from _tables import TABLES
from sklearn.model_selection import train_test_split

from skgen import DDPM, VariationalAutoencoder
from skgen.metrics import column_shapes

# The numeric column each table is given ranges of.
RANGED = {"penguins": "body_mass_g", "wage": "age", "diamonds": "carat"}
COLUMNS = ["table, range", "given", "unconditional rows", "inside", "given (s)", "rejection (s)"]


def ranges(values):
    """The quartile ranges of ``values`` and its top 2%."""
    edges = np.quantile(values.dropna(), [0, 0.25, 0.5, 0.75, 0.98, 1], method="nearest")
    out = [pd.Interval(edges[0], edges[1], closed="both")]
    out += [pd.Interval(a, b, closed="right") for a, b in zip(edges[1:3], edges[2:4])]
    out.append(pd.Interval(edges[3], edges[5], closed="right"))
    return out + [pd.Interval(edges[4], edges[5], closed="both")]


def check(model, train, test, column, interval, seeds=(0, 1, 2)):
    others = [c for c in train.columns if c != column]
    real = test[test[column].map(lambda v: v in interval)]
    n = int(train[column].map(lambda v: v in interval).sum())
    given, subset, inside, seconds, rejection = [], [], [], [], []
    for seed in seeds:
        start = time.perf_counter()
        drawn = model.sample(n, random_state=seed, conditions={column: interval})
        seconds.append(time.perf_counter() - start)
        assert drawn[column].map(lambda v: v in interval).all()
        given.append(column_shapes(real[others], drawn[others]))
        start = time.perf_counter()
        free = model.sample(len(train), random_state=100 + seed)
        draw_time = time.perf_counter() - start
        part = free[free[column].map(lambda v: v in interval)]
        subset.append(column_shapes(real[others], part[others]) if len(part) else 0.0)
        inside.append(len(part) / len(free))
        # Rejection keeps the share `inside` of its draws.
        rejection.append(draw_time * n / max(len(part), 1))
    return [np.mean(v) for v in (given, subset, inside, seconds, rejection)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=list(RANGED), choices=list(RANGED))
    parser.add_argument("--model", choices=["vae", "ddpm"], default="vae")
    add_record_option(parser)
    args = parser.parse_args()
    rows = {}
    print(f"{'table, range':<34}" + "".join(f"{c:>20}" for c in COLUMNS[1:]))
    for data in args.data:
        loader, target = TABLES[data]
        frame = loader()
        train, test = train_test_split(
            frame, test_size=0.3, random_state=0, stratify=frame[target].astype(str)
        )
        estimator = DDPM if args.model == "ddpm" else VariationalAutoencoder
        model = estimator(random_state=0).fit(train)
        column = RANGED[data]
        for i, interval in enumerate(ranges(train[column])):
            cells = check(model, train, test, column, interval)
            bracket = "[" if interval.closed_left else "("
            label = (
                f"{'Wage' if data == 'wage' else data}, {column} in "
                f"{bracket}{interval.left:g}, {interval.right:g}]"
            )
            shown = [label, *(f"{c:.3f}" for c in cells[:3]), *(f"{c:.2f}" for c in cells[3:])]
            print(f"{shown[0]:<34}" + "".join(f"{c:>20}" for c in shown[1:]), flush=True)
            rows[f"{data}-{i}"] = shown
    if args.record:
        record(
            args.record,
            title="Draws given a range of a numeric column (the "
            f"{'DDPM' if args.model == 'ddpm' else 'VAE'} at its defaults): column "
            "shapes of the other columns against the real held-out rows in the range, for "
            "the draws given it and for an unconditional sample's rows in it (means over "
            "three seeds)",
            columns=COLUMNS,
            rows=rows,
        )


if __name__ == "__main__":
    main()
