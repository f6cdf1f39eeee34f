"""DDPM samplers: sample quality against network passes, on real digits.

Fits ``DDPM()`` at its defaults (the U-Net) on the training images of
``bench_generators.py``'s split, or loads one saved by an earlier run, then
draws 1,000 samples with each sampler and number of steps and prints their
Frechet distance, precision and recall against the held-out images under
``bench_generators.py``'s two judges (FD lower is better), with the network
passes and seconds each took. A pass
is one evaluation of the network on the batch (DDIM and DPM-Solver++ make
one per step).

One draw is not enough to rank samplers on the 28x28 digits: the same
fit's FD under judge 2 ranged from 65 to 101 over three draws of 1,000
samples with one sampler, a few samples that are no digit weighing
heavily. ``--seeds K`` draws K times (``random_state`` 0 to K - 1) and
prints the medians, with each judge's worst FD; ``--only`` runs some of
the settings, named ``sampler-steps`` (``dpm++sde-30``).

Run: ``python bench/bench_samplers.py [--data digits|mnist28]
[--model DIR] [--seeds K] [--only SETTING ...] [--record NAME]``;
``--model DIR`` saves the fitted model there, or loads it when DIR holds
one.
"""

import argparse
import statistics
import time

import numpy as np
from _judges import FD, JUDGE_COLUMNS, fit_judges, judge
from _models import saved_or_fitted
from _results import add_record_option, record
from bench_generators import load

import skgen

# (sampler, steps) of each data set: the 28x28 U-Net's passes cost seconds.
RUNS = {
    "digits": [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (8, 10, 15, 20, 30)]
    + [("dpm++sde", n) for n in (10, 20, 30)],
    "mnist28": [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (10, 15, 20, 30, 50)]
    + [("dpm++sde", n) for n in (20, 25, 30, 50)],
}


def main():
    # torch's own thread count: a timing on a quiet machine of one's own
    # (skgen's default "auto" keeps one thread in two for a shared one).
    with skgen.config_context(n_threads="torch"):
        run()


def run():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["digits", "mnist28"], default="digits")
    parser.add_argument("--model", metavar="DIR", help="save the fitted DDPM here, or load it")
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=1, help="draws per setting (medians)")
    parser.add_argument("--only", nargs="+", metavar="SETTING", help="e.g. dpm++sde-30")
    add_record_option(parser)
    args = parser.parse_args()
    X_train, X_test, y_train = load(args.data)
    flat_train = X_train.reshape(len(X_train), -1)
    flat_test = X_test.reshape(len(X_test), -1)[: args.n_samples]
    judges = fit_judges(X_train, y_train)
    real = [one.transform(flat_test) for one in judges]
    ddpm = saved_or_fitted(args.model, X_train, 0, f"DDPM() on {X_train.shape}")
    columns = ["sampler", "steps", "passes", "seconds", *JUDGE_COLUMNS]
    if args.seeds > 1:
        columns += ["worst FD", "worst FD 2"]
    settings = [(sampler, steps) for sampler, steps in RUNS[args.data]]
    if args.only:
        unknown = set(args.only) - {f"{s}-{n}" for s, n in settings}
        if unknown:
            parser.error(f"--only: no setting {sorted(unknown)}; the settings are {settings}")
        settings = [(s, n) for s, n in settings if f"{s}-{n}" in args.only]

    widths = [max(len(h) + 3, 9) for h in columns]

    def show(cells):
        print("".join(f"{c:>{w}}" for c, w in zip(cells, widths)), flush=True)

    show(columns)
    reference = judge(judges, real, flat_train[: len(flat_test)])
    rows = {"real": ["real training images", "", "", ""] + [f"{v:.2f}" for v in reference]}
    rows["real"] += [""] * (len(columns) - len(rows["real"]))
    show(["real", *rows["real"][1:]])
    calls = []
    ddpm.module_.register_forward_hook(lambda *_: calls.append(1))
    for sampler, steps in settings:
        draws, seconds = [], []
        for seed in range(args.seeds):
            calls.clear()
            start = time.perf_counter()
            samples = ddpm.sample(
                len(flat_test), random_state=seed, sampler=sampler, n_inference_steps=steps
            )
            seconds.append(time.perf_counter() - start)
            draws.append(judge(judges, real, np.clip(samples.reshape(len(samples), -1), 0, 1)))
        medians = [statistics.median(column) for column in zip(*draws)]
        cells = [sampler, str(steps), str(len(calls)), f"{statistics.median(seconds):.1f}"]
        cells += [f"{v:.2f}" for v in medians]
        if args.seeds > 1:
            cells += [f"{max(d[i] for d in draws):.2f}" for i in FD]
        rows[f"{sampler}-{steps}"] = cells
        show(cells)
    if args.record:
        record(
            args.record,
            hide={args.model: "DIR"} if args.model else {},
            title=f"DDPM() on {args.data}: Frechet distance of {len(flat_test)} samples "
            "to held-out images, by sampler and network passes"
            + (f" (medians of {args.seeds} draws)" if args.seeds > 1 else ""),
            columns=columns,
            rows=rows,
            note="Judge 1: an MLP digit classifier's features; judge 2: a convolutional "
            "classifier's (bench_generators.py); FD lower is better.",
        )


if __name__ == "__main__":
    main()
