"""The table GAN's epoch cap and R1 penalty, on ISLR's Wage (bench-only data).

``GAN(architecture="tabular")`` with ``max_iter="auto"`` trains for about
10,000 generator steps, at most ``GAN._auto_max_epochs["tabular"]`` epochs:
on a table of 2,100 rows (33 batches of 64) the cap decides. Each row fits
the GAN at its defaults with another cap (and, for one, no R1 penalty),
with seeds 0, 1 and 2, and prints the medians of ``bench_tables.scores``
against the held-out 30% and of the fit time.

Run: ``python bench/bench_tables_gan.py [--variants 300 200 150 300:0]
[--record NAME]`` (a variant: EPOCHS or EPOCHS:R1_WEIGHT).
"""

import argparse
import statistics
import time

from _results import add_record_option, record
from _tables import TABLES
from bench_tables import scores
from sklearn.model_selection import train_test_split

from skgen import GAN

COLUMNS = ["shapes", "pairs", "detect", "efficacy", "closer"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["300", "200", "150", "300:0"])
    parser.add_argument("--seeds", type=int, default=3)
    add_record_option(parser)
    args = parser.parse_args()
    loader, target = TABLES["wage"]
    frame = loader()
    train, test = train_test_split(
        frame, test_size=0.3, random_state=0, stratify=frame[target].astype(str)
    )
    default = dict(GAN._auto_max_epochs)
    print(f"{'epochs':<10}{'R1':>6}{'fit (s)':>9}" + "".join(f"{c:>10}" for c in COLUMNS))
    rows = {}
    try:
        for variant in args.variants:
            epochs, _, r1 = variant.partition(":")
            GAN._auto_max_epochs = {**default, "tabular": int(epochs)}
            seconds, each = [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                model = GAN(random_state=seed, r1_penalty=float(r1) if r1 else "auto").fit(train)
                seconds.append(time.perf_counter() - start)
                samples = model.sample(len(train), random_state=seed)
                each.append(scores(samples, train, test, target))
            cells = [f"{statistics.median(e[c] for e in each):.3f}" for c in COLUMNS]
            r1_shown = r1 or "auto"
            fit = f"{statistics.median(seconds):.1f}"
            print(f"{epochs:<10}{r1_shown:>6}{fit:>9}" + "".join(f"{c:>10}" for c in cells))
            rows[variant.replace(":", "-r1-")] = [epochs, r1_shown, fit, *cells]
    finally:
        GAN._auto_max_epochs = default
    if args.record:
        record(
            args.record,
            title="The table GAN's epoch cap on ISLR's Wage (2,100 training rows): medians "
            f"of {args.seeds} seeds",
            columns=["epochs", "R1", "fit (s)", *COLUMNS],
            rows=rows,
        )


if __name__ == "__main__":
    main()
