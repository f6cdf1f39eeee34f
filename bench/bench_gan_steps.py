"""The GAN's training length on the 8x8 digits, under two judges.

``GAN()`` with ``max_iter="auto"`` trains for ``AUTO_TRAINING_STEPS``
generator steps. This study fits it at its defaults but for the longest of
``--steps`` (as epochs of the rows the quality monitor leaves), once per
seed, and keeps a copy of the networks (the EMA generator included) after
the epoch that reaches each shorter step count. With a constant learning
rate a copy is the network a fit of that length ends with: its weights
and its samples are the same. Each copy draws 899 samples
(``random_state=0``), judged against the held-out digits in both judges'
feature spaces (``bench_generators``'s split and judges; lower FD is
better). Per step count it prints the medians over the seeds of the
seconds the fit had taken by then and of both judges' FD, precision and
recall, the worst seed's FD under judge 2, and "beats both": the seeds
whose FD is below both baselines' under both judges, whose rows come last.

Run: ``python bench/bench_gan_steps.py [--data rows|images]
[--steps 5000 10000 15000 20000] [--seeds 5] [--record NAME]``; ``rows``
(the digits as flat rows) picks the dense GAN, ``images`` the DCGAN.
"""

import argparse
import math
import statistics
import time

import numpy as np
from _judges import FD, JUDGE_COLUMNS, beats_both, judge
from _results import add_record_option, record
from bench_generators import digits_with_baselines
from skorch.callbacks import Callback

from skgen import GAN
from skgen.gan._adversarial import AUTO_BATCH_SIZE

COLUMNS = ["steps", "fit s", *JUDGE_COLUMNS, "worst FD 2", "beats both"]


class Copies(Callback):
    """Copies of the networks, and the seconds since the fit began, after
    the given epochs."""

    def __init__(self, epochs):
        self.epochs = epochs

    def on_train_begin(self, net, **kwargs):
        self.start_, self.copies_ = time.perf_counter(), {}

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch in self.epochs:
            state = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
            self.copies_[epoch] = (time.perf_counter() - self.start_, state)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["rows", "images"], default="rows")
    parser.add_argument("--steps", nargs="+", type=int, default=[5_000, 10_000, 15_000, 20_000])
    parser.add_argument("--seeds", type=int, default=5)
    add_record_option(parser)
    args = parser.parse_args()
    flat_train, flat_test, judges, real, base, bar = digits_with_baselines()
    X = flat_train if args.data == "rows" else flat_train.reshape(-1, 8, 8)
    architecture = "dense" if args.data == "rows" else "conv"
    # The monitor holds 10% of the rows out (validation_fraction=0.1).
    n_fit = len(X) - math.ceil(0.1 * len(X))
    batches = -(-n_fit // AUTO_BATCH_SIZE[architecture])
    epochs = {steps: -(-steps // batches) for steps in args.steps}
    results = {steps: [] for steps in args.steps}
    for seed in range(args.seeds):
        copies = Copies(set(epochs.values()))
        model = GAN(
            max_iter=max(epochs.values()), callbacks=[("copies", copies)], random_state=seed
        )
        model.fit(X)
        copies = dict(model.net_.callbacks_)["copies"]
        for steps, epoch in epochs.items():
            seconds, state = copies.copies_[epoch]
            model.net_.module_.load_state_dict(state)
            figures = judge(judges, real, np.asarray(model.sample(len(flat_test), random_state=0)))
            results[steps].append((seconds, figures))
        print(
            f"seed {seed}: "
            + ", ".join(
                f"{steps:,} steps FD 2 {runs[-1][1][FD[1]]:.2f}" for steps, runs in results.items()
            ),
            flush=True,
        )
    print("".join(f"{c:>12}" for c in COLUMNS))
    rows = {}
    for steps, runs in results.items():
        figures = [f for _, f in runs]
        medians = [statistics.median(f[i] for f in figures) for i in range(len(JUDGE_COLUMNS))]
        beats = sum(beats_both(f, bar) for f in figures)
        cells = [f"{steps:,}", f"{statistics.median(s for s, _ in runs):.0f}"]
        cells += [f"{m:.2f}" for m in medians]
        cells += [f"{max(f[FD[1]] for f in figures):.2f}", f"{beats} of {len(figures)}"]
        rows[str(steps)] = cells
        print("".join(f"{c:>12}" for c in cells), flush=True)
    for key, (name, values) in base.items():
        rows[key] = [name, ""] + [f"{v:.2f}" for v in values] + ["", ""]
        print(f"{name:>28}" + "".join(f"{v:>12.2f}" for v in values), flush=True)
    if args.record:
        network = "dense GAN, digits as rows" if args.data == "rows" else "DCGAN, 8x8 images"
        record(
            args.record,
            title=f"The {network}, by generator steps: medians of {args.seeds} seeds; FD, "
            "precision and recall under judge 1 (MLP) and judge 2 (convolutional)",
            columns=COLUMNS,
            rows=rows,
            note="Each seed's fit runs the longest step count once; each shorter count is the "
            "copy of the networks it had then (the same weights a fit of that length ends with, "
            "the learning rate being constant). fit s: the seconds the fit had taken by then. "
            "Beats both: seeds with an FD below both baselines' under both judges.",
        )


if __name__ == "__main__":
    main()
