"""DDPM samplers: sample quality against network passes, on real digits.

Fits ``DDPM()`` at its defaults (the U-Net) on the training images of
``bench_generators.py``'s split, or loads one saved by an earlier run, then
draws 1,000 samples with each sampler and number of steps and prints their
Frechet distance, precision and recall against the held-out images under
``bench_generators.py``'s two judges (FD lower is better), with the network
passes and seconds each took. A pass
is one evaluation of the network on the batch (DDIM and DPM-Solver++ make
one per step).

Run: ``python bench/bench_samplers.py [--data digits|mnist28]
[--model DIR] [--record NAME]``; ``--model DIR`` saves the fitted model
there, or loads it when DIR holds one.
"""

import argparse
import os
import time

import numpy as np
from _judges import JUDGE_COLUMNS, fit_judges, judge
from _results import add_record_option, record
from bench_generators import load

import skgen
from skgen import DDPM

# (sampler, steps) of each data set: the 28x28 U-Net's passes cost seconds.
RUNS = {
    "digits": [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (8, 10, 15, 20, 30)],
    "mnist28": [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (10, 15, 20, 30, 50)],
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
    add_record_option(parser)
    args = parser.parse_args()
    X_train, X_test, y_train = load(args.data)
    flat_train = X_train.reshape(len(X_train), -1)
    flat_test = X_test.reshape(len(X_test), -1)[: args.n_samples]
    judges = fit_judges(X_train, y_train)
    real = [one.transform(flat_test) for one in judges]
    if args.model and os.path.exists(os.path.join(args.model, "config.json")):
        ddpm = skgen.load(args.model)
        print(f"loaded {args.model}")
    else:
        start = time.perf_counter()
        ddpm = DDPM(random_state=0).fit(X_train)
        print(f"fitted DDPM() on {X_train.shape} in {time.perf_counter() - start:.0f} s")
        if args.model:
            ddpm.save(args.model)
    columns = ["sampler", "steps", "passes", "seconds", *JUDGE_COLUMNS]

    widths = [max(len(h) + 3, 9) for h in columns]

    def show(cells):
        print("".join(f"{c:>{w}}" for c, w in zip(cells, widths)), flush=True)

    show(columns)
    reference = judge(judges, real, flat_train[: len(flat_test)])
    rows = {"real": ["real training images", "", "", ""] + [f"{v:.2f}" for v in reference]}
    show(["real", "", "", "", *rows["real"][4:]])
    calls = []
    ddpm.module_.register_forward_hook(lambda *_: calls.append(1))
    for sampler, steps in RUNS[args.data]:
        calls.clear()
        start = time.perf_counter()
        samples = ddpm.sample(
            len(flat_test), random_state=0, sampler=sampler, n_inference_steps=steps
        )
        seconds = time.perf_counter() - start
        figures = judge(judges, real, np.clip(samples.reshape(len(samples), -1), 0, 1))
        cells = [sampler, str(steps), str(len(calls)), f"{seconds:.1f}"]
        rows[f"{sampler}-{steps}"] = cells + [f"{v:.2f}" for v in figures]
        show(rows[f"{sampler}-{steps}"])
    if args.record:
        record(
            args.record,
            title=f"DDPM() on {args.data}: Frechet distance of {len(flat_test)} samples "
            "to held-out images, by sampler and network passes",
            columns=columns,
            rows=rows,
            note="Judge 1: an MLP digit classifier's features; judge 2: a convolutional "
            "classifier's (bench_generators.py); FD lower is better.",
        )


if __name__ == "__main__":
    main()
