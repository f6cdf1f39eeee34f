"""The residual MLP DDPM's training length on the 8x8 digits as rows, under two judges.

``DDPM(architecture="mlp")`` with ``max_iter="auto"`` trains for
``AUTO_TRAINING_STEPS["mlp"]`` optimizer steps. Each row fits it at its
defaults but for another number of steps (as epochs of the 898 training
digits, 29 batches of 32 an epoch), with each seed, and prints the medians
over the seeds of the fit time and of the Frechet distance, precision and
recall of 899 samples against the held-out digits, in both judges'
feature spaces (``bench_generators``'s split and judges; lower FD is
better). The last rows are scikit-learn's baselines, for scale.

Run: ``python bench/bench_ddpm_steps.py [--steps 10000 20000 30000]
[--seeds 2] [--record NAME]``; a recorded run keeps the previous record's
rows of step counts it did not run (with the same number of seeds), and
its note says so.
"""

import argparse
import statistics
import time

from _judges import JUDGE_COLUMNS, judge
from _results import RESULTS, add_record_option, kept_rows, record
from _results import load as load_results
from bench_generators import baselines, digits_as_rows

from skgen import DDPM


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", nargs="+", type=int, default=[10_000, 20_000, 30_000])
    parser.add_argument("--seeds", type=int, default=2)
    add_record_option(parser)
    args = parser.parse_args()
    flat_train, flat_test, judges, real = digits_as_rows()
    batches = -(-len(flat_train) // 32)
    columns = ["steps", "fit s", *JUDGE_COLUMNS]
    print("".join(f"{c:>12}" for c in columns))
    rows = {}
    for steps in args.steps:
        seconds, figures = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            model = DDPM(max_iter=-(-steps // batches), random_state=seed).fit(flat_train)
            seconds.append(time.perf_counter() - start)
            figures.append(judge(judges, real, model.sample(len(flat_test), random_state=0)))
        medians = [statistics.median(f[i] for f in figures) for i in range(len(JUDGE_COLUMNS))]
        rows[str(steps)] = [f"{steps:,}", f"{statistics.median(seconds):.0f}"] + [
            f"{m:.2f}" for m in medians
        ]
        print("".join(f"{c:>12}" for c in rows[str(steps)]), flush=True)
    for key, (name, figures) in baselines(flat_train, judges, real, len(flat_test)).items():
        rows[key] = [name, ""] + [f"{v:.2f}" for v in figures]
        print(f"{name:>28}" + "".join(f"{c:>12}" for c in rows[key][2:]), flush=True)
    if args.record:
        title = (
            "The residual MLP DDPM on the 8x8 digits as rows, by training steps: medians "
            f"of {args.seeds} seeds; FD, precision and recall under judge 1 (MLP) and judge 2 "
            "(convolutional)"
        )
        previous = load_results().get(args.record, {}) if RESULTS.exists() else {}
        same = previous.get("columns") == columns and previous.get("title") == title
        kept = {k: v for k, v in previous.get("rows", {}).items() if same and k not in rows}
        steps = sorted(int(k) for k in [*rows, *kept] if k.isdigit())
        merged = {str(k): rows.get(str(k), kept.get(str(k))) for k in steps}
        merged.update({k: v for k, v in rows.items() if not k.isdigit()})
        note, sources = kept_rows(previous, [k for k in kept if k.isdigit()])
        record(
            args.record,
            title=title,
            columns=columns,
            rows=merged,
            note=note or None,
            sources=sources,
        )


if __name__ == "__main__":
    main()
