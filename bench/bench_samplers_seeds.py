"""DDPM samplers on the 8x8 digits over several seeds, under both judges.

``bench_samplers.py`` compares samplers on one fit under judge 1. Whether a
sampler setting helps the DDPM beat scikit-learn's baselines needs more:
this study fits ``DDPM()`` at its defaults with ``random_state`` 0 to
``--seeds`` - 1 on ``bench_generators``'s split (the digits as flat rows,
which picks the residual MLP, or as 8x8 images, which picks the U-Net),
draws 899 samples (``random_state=0``) from each fit with each sampler and
number of steps, and prints per setting the medians over the seeds of
both judges' FD, precision and recall, the worst seed's FD under judge 2,
and "beats both": the seeds whose FD is below both baselines' under both
judges. A pass is one evaluation of the network (DDIM and DPM-Solver++ make
one per step); the seconds are the median time to draw the samples.

Run: ``python bench/bench_samplers_seeds.py [--data rows|images]
[--seeds 5] [--models DIR] [--record NAME]``; ``--models DIR`` saves each
fit in ``DIR/seedK``, or loads it from there when it exists.
"""

import argparse
import os
import statistics
import time

import numpy as np
from _judges import FD, JUDGE_COLUMNS, beats_both, judge
from _models import saved_or_fitted
from _results import add_record_option, record
from bench_generators import digits_with_baselines

SETTINGS = (
    [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (8, 10, 15, 20, 30, 50)]
    + [("dpm++sde", n) for n in (10, 15, 20, 25, 30)]
)
COLUMNS = ["sampler", "steps", "sample s", *JUDGE_COLUMNS, "worst FD 2", "beats both"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["rows", "images"], default="rows")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--models", metavar="DIR", help="save each fit here, or load it")
    add_record_option(parser)
    args = parser.parse_args()
    flat_train, flat_test, judges, real, base, bar = digits_with_baselines()
    images = flat_train.reshape(-1, 8, 8)
    figures = {setting: [] for setting in SETTINGS}
    seconds = {setting: [] for setting in SETTINGS}
    trained = set()
    for seed in range(args.seeds):
        path = os.path.join(args.models, f"seed{seed}") if args.models else None
        data = flat_train if args.data == "rows" else images
        model = saved_or_fitted(path, data, seed, f"seed {seed}")
        # Optimizer steps of this fit (loaded fits may predate a default).
        trained.add(model.n_iter_ * -(-len(flat_train) // model.batch_size))
        for sampler, steps in SETTINGS:
            start = time.perf_counter()
            samples = model.sample(
                len(flat_test), random_state=0, sampler=sampler, n_inference_steps=steps
            )
            seconds[sampler, steps].append(time.perf_counter() - start)
            figures[sampler, steps].append(judge(judges, real, np.asarray(samples)))
    print(f"{'sampler':<8}" + "".join(f"{c:>12}" for c in COLUMNS[1:]))
    rows = {}
    for (sampler, steps), per_seed in figures.items():
        medians = [statistics.median(f[i] for f in per_seed) for i in range(len(JUDGE_COLUMNS))]
        beats = sum(beats_both(f, bar) for f in per_seed)
        cells = [sampler, str(steps), f"{statistics.median(seconds[sampler, steps]):.2f}"]
        cells += [f"{m:.2f}" for m in medians]
        cells += [f"{max(f[FD[1]] for f in per_seed):.2f}", f"{beats} of {len(per_seed)}"]
        rows[f"{sampler}-{steps}"] = cells
        print(f"{cells[0]:<8}" + "".join(f"{c:>12}" for c in cells[1:]), flush=True)
    for key, (name, values) in base.items():
        rows[key] = [name, "", ""] + [f"{v:.2f}" for v in values] + ["", ""]
        print(f"{name:<28}" + "".join(f"{v:>12.2f}" for v in values), flush=True)
    if args.record:
        steps = "about " + "/".join(f"{round(n, -3):,}" for n in sorted(trained))
        network = (
            f"residual MLP, digits as rows, {steps} training steps"
            if args.data == "rows"
            else f"U-Net, 8x8 images, {steps} training steps"
        )
        record(
            args.record,
            hide={args.models: "DIR"} if args.models else {},
            title=f"DDPM() ({network}) on the 8x8 digits by sampler and steps: medians of "
            f"{args.seeds} seeds under judge 1 (MLP) and judge 2 (convolutional)",
            columns=COLUMNS,
            rows=rows,
            note="899 samples a seed against the held-out digits; beats both: seeds with an "
            "FD below both baselines' under both judges; worst FD 2: the highest seed's.",
        )


if __name__ == "__main__":
    main()
