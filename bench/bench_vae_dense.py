"""The dense VAE's defaults on the 8x8 digits as rows, under two judges.

``VariationalAutoencoder(10)`` on rows trains the dense network with
``beta="auto"``, ``n_prior_components="auto"`` and ``max_iter="auto"``.
Each row fits it with one setting of the three (``beta``, the components of
the sampling mixture, the optimizer steps as epochs of the 898 training
digits, 29 batches of 32 an epoch), with each seed, and prints the medians
over the seeds of the fit time and of the Frechet distance, precision and
recall of 899 samples against the held-out digits in both judges' feature
spaces (``bench_generators``'s split and judges; lower FD is better), and
the worst seed's FD under judge 2, where the seeds spread most. The last
rows are scikit-learn's baselines, for scale.

Run: ``python bench/bench_vae_dense.py [--settings 1,10,6000 0.25,30,18000]
[--seeds 5] [--record NAME]`` (a setting is ``beta,components,steps``).
"""

import argparse
import statistics
import time

from _judges import JUDGE_COLUMNS, judge
from _results import add_record_option, record
from bench_generators import baselines, digits_as_rows

from skgen import VariationalAutoencoder

SETTINGS = ["1,10,6000", "1,30,18000", "0.25,30,12000", "0.25,30,18000", "0.25,10,18000"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=SETTINGS)
    parser.add_argument("--seeds", type=int, default=5)
    add_record_option(parser)
    args = parser.parse_args()
    flat_train, flat_test, judges, real = digits_as_rows()
    batches = -(-len(flat_train) // 32)
    columns = ["beta", "components", "steps", "fit s", *JUDGE_COLUMNS, "worst FD 2"]
    print("".join(f"{c:>12}" for c in columns))
    rows = {}
    fd2 = JUDGE_COLUMNS.index("FD 2")
    for setting in args.settings:
        beta, components, steps = setting.split(",")
        seconds, figures = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            model = VariationalAutoencoder(
                10,
                beta=float(beta),
                n_prior_components=int(components),
                max_iter=-(-int(steps) // batches),
                random_state=seed,
            ).fit(flat_train)
            seconds.append(time.perf_counter() - start)
            figures.append(judge(judges, real, model.sample(len(flat_test), random_state=0)))
        medians = [statistics.median(f[i] for f in figures) for i in range(len(JUDGE_COLUMNS))]
        key = f"beta{beta}-k{components}-s{steps}"
        rows[key] = (
            [beta, components, f"{int(steps):,}", f"{statistics.median(seconds):.0f}"]
            + [f"{m:.2f}" for m in medians]
            + [f"{max(f[fd2] for f in figures):.2f}"]
        )
        print("".join(f"{c:>12}" for c in rows[key]), flush=True)
    for key, (name, figures) in baselines(flat_train, judges, real, len(flat_test)).items():
        rows[key] = [name, "", "", ""] + [f"{v:.2f}" for v in figures] + [""]
        print(f"{name:>48}" + "".join(f"{c:>12}" for c in rows[key][4:]), flush=True)
    if args.record:
        record(
            args.record,
            title="The dense VAE on the 8x8 digits as rows, by beta, mixture components and "
            f"training steps: medians of {args.seeds} seeds; FD, precision and recall under "
            "judge 1 (MLP) and judge 2 (convolutional)",
            columns=columns,
            rows=rows,
        )


if __name__ == "__main__":
    main()
