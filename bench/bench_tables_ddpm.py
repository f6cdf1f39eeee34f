"""The table DDPM's training length, on ISLR's Wage and ggplot2's diamonds (bench-only data).

``DDPM(architecture="tabular")`` with ``max_iter="auto"`` trains for about
``AUTO_TRAINING_STEPS["tabular"]`` optimizer steps (batches of 32), at least
``DDPM._auto_min_epochs["tabular"]`` and at most 300 epochs. On Wage (2,100
training rows, 66 batches) the steps decide; on diamonds (37,758 rows,
1,180 batches) 6,000 steps are 6 epochs, and the floor decides. Each row
fits the DDPM at its defaults with other steps (and floor), with each seed,
and prints the medians of ``bench_tables.scores`` against the held-out 30%
and of the fit time.

Run: ``python bench/bench_tables_ddpm.py [--data wage diamonds] [--variants
10000:1 6000:10] [--seeds 3] [--record PREFIX]`` (a variant:
STEPS:MIN_EPOCHS; the records are PREFIX_<data>).
"""

import argparse
import statistics
import time

from _results import add_record_option, record
from _tables import TABLES
from bench_tables import scores
from sklearn.model_selection import train_test_split

from skgen import DDPM

COLUMNS = ["shapes", "pairs", "detect", "efficacy", "closer"]
VARIANTS = {
    "wage": ["10000:1", "6000:10", "4000:10"],
    "diamonds": ["10000:1", "6000:1", "6000:10"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=list(VARIANTS), choices=list(TABLES))
    parser.add_argument("--variants", nargs="+", default=None)
    parser.add_argument("--seeds", type=int, default=3)
    add_record_option(parser)
    args = parser.parse_args()
    steps, floor = dict(DDPM._auto_training_steps), dict(DDPM._auto_min_epochs)
    for data in args.data:
        loader, target = TABLES[data]
        frame = loader()
        train, test = train_test_split(
            frame, test_size=0.3, random_state=0, stratify=frame[target].astype(str)
        )
        print(f"\n{data}: {len(train)} training rows")
        print(f"{'steps':<10}{'epochs':>8}{'fit (s)':>9}" + "".join(f"{c:>10}" for c in COLUMNS))
        rows = {}
        try:
            for variant in args.variants or VARIANTS.get(data, ["10000:1", "6000:10"]):
                n_steps, _, least = variant.partition(":")
                DDPM._auto_training_steps = {**steps, "tabular": int(n_steps)}
                DDPM._auto_min_epochs = {**floor, "tabular": int(least or 1)}
                seconds, each, epochs = [], [], 0
                for seed in range(args.seeds):
                    start = time.perf_counter()
                    model = DDPM(random_state=seed).fit(train)
                    seconds.append(time.perf_counter() - start)
                    epochs = model.n_iter_
                    samples = model.sample(len(train), random_state=seed)
                    each.append(scores(samples, train, test, target))
                cells = [f"{statistics.median(e[c] for e in each):.3f}" for c in COLUMNS]
                fit = f"{statistics.median(seconds):.1f}"
                shown = f"{int(n_steps):,}"
                print(f"{shown:<10}{epochs:>8}{fit:>9}" + "".join(f"{c:>10}" for c in cells))
                rows[variant.replace(":", "-")] = [shown, str(epochs), fit, *cells]
        finally:
            DDPM._auto_training_steps, DDPM._auto_min_epochs = steps, floor
        if args.record:
            record(
                f"{args.record}_{data}",
                title=f"The table DDPM's training steps on {data} ({len(train):,} training "
                f"rows): medians of {args.seeds} seeds",
                columns=["steps", "epochs", "fit (s)", *COLUMNS],
                rows=rows,
            )


if __name__ == "__main__":
    main()
