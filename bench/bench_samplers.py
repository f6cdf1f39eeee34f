"""DDPM samplers: sample quality against network passes, on real digits.

Fits ``DDPM()`` at its defaults (the U-Net) on the training images of
``bench_generators.py``'s split, or loads one saved by an earlier run, then
draws 1,000 samples with each sampler and number of steps and prints their
Frechet distance to the held-out images in a digit classifier's features
(lower is better), with the network passes and seconds each took. A pass
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
from _results import add_record_option, record
from bench_generators import load

import skgen
from skgen import DDPM
from skgen.metrics import ClassifierFeatures, frechet_distance

# (sampler, steps) of each data set: the 28x28 U-Net's passes cost seconds.
RUNS = {
    "digits": [("ddim", n) for n in (10, 20, 50, 100)]
    + [("dpm++", n) for n in (8, 10, 15, 20, 30)],
    "mnist28": [("ddim", n) for n in (10, 20, 50)] + [("dpm++", n) for n in (10, 15, 20)],
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
    features = ClassifierFeatures(random_state=0).fit(flat_train, y_train)
    if args.model and os.path.exists(os.path.join(args.model, "config.json")):
        ddpm = skgen.load(args.model)
        print(f"loaded {args.model}")
    else:
        start = time.perf_counter()
        ddpm = DDPM(random_state=0).fit(X_train)
        print(f"fitted DDPM() on {X_train.shape} in {time.perf_counter() - start:.0f} s")
        if args.model:
            ddpm.save(args.model)
    reference = frechet_distance(flat_test, flat_train[: len(flat_test)], features=features)
    print(f"{'sampler':<10}{'steps':>6}{'passes':>8}{'seconds':>9}{'FD':>8}")
    print(f"{'real training images':<33}{reference:>8.2f}")
    rows = {"real": ["real training images", "", "", "", f"{reference:.2f}"]}
    calls = []
    ddpm.module_.register_forward_hook(lambda *_: calls.append(1))
    for sampler, steps in RUNS[args.data]:
        calls.clear()
        start = time.perf_counter()
        samples = ddpm.sample(
            len(flat_test), random_state=0, sampler=sampler, n_inference_steps=steps
        )
        seconds = time.perf_counter() - start
        samples = np.clip(samples.reshape(len(samples), -1), 0, 1)
        fd = frechet_distance(flat_test, samples, features=features)
        cells = [sampler, str(steps), str(len(calls)), f"{seconds:.1f}", f"{fd:.2f}"]
        rows[f"{sampler}-{steps}"] = cells
        print(f"{cells[0]:<10}{cells[1]:>6}{cells[2]:>8}{cells[3]:>9}{cells[4]:>8}", flush=True)
    if args.record:
        record(
            args.record,
            title=f"DDPM() on {args.data}: Frechet distance of {len(flat_test)} samples "
            "to held-out images, by sampler and network passes",
            columns=["sampler", "steps", "passes", "seconds", "FD"],
            rows=rows,
            note="FD in a digit classifier's features, lower is better.",
        )


if __name__ == "__main__":
    main()
