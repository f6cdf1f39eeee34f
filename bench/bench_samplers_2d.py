"""DDPM samplers on two-dimensional data over several seeds, at the defaults.

``bench_ddpm.py``'s sampling table fits one moons DDPM of 100 epochs (the
former defaults) and tries DDIM only. This study fits ``DDPM()`` at its
defaults (the residual MLP, ``max_iter="auto"``) on 3,000 points of two
data sets with ``random_state`` 0 to ``--seeds`` - 1:

* ``moons``: ``make_moons(noise=0.05)``, smooth curves;
* ``ring``: ``skgen.datasets.make_ring_of_gaussians`` (8 modes of standard
  deviation 0.05 at radius 2), modes that are nearly points.

Each fit draws 1,000 points (``random_state=1``) with each sampler and
number of steps. Per setting the table gives the medians over the seeds of
the energy distance (V-statistic) to 1,000 held-out points, the worst
seed's, and the median seconds of the draw; the first row of each data set
is the same distance between two held-out halves, the floor. Lower is
better.

Run: ``python bench/bench_samplers_2d.py [--data moons ring] [--seeds 3]
[--models DIR] [--record NAME]``; ``--models DIR`` saves each fit in
``DIR/NAME-seedK``, or loads it from there when it exists.
"""

import argparse
import os
import statistics
import time

import numpy as np
from _models import saved_or_fitted
from _results import add_record_option, record
from sklearn.datasets import make_moons

from skgen.datasets import make_ring_of_gaussians
from skgen.metrics import energy_distance

SETTINGS = [
    ("ddim", 10),
    ("ddim", 20),
    ("ddim", 50),
    ("dpm++", 10),
    ("dpm++", 20),
    ("dpm++sde", 20),
    ("dpm++sde", 30),
]
COLUMNS = ["data", "sampler", "steps", "sample s", "energy", "worst energy"]
DATA = {
    "moons": lambda n, seed: make_moons(n, noise=0.05, random_state=seed)[0],
    "ring": lambda n, seed: make_ring_of_gaussians(n, random_state=seed)[0],
}


def study(name, n_seeds, models_dir=None):
    """The rows of one data set: ``{key: cells}``."""
    X, held_out = DATA[name](3000, 0), DATA[name](2000, 1)
    reference = held_out[1000:]
    distances = {setting: [] for setting in SETTINGS}
    seconds = {setting: [] for setting in SETTINGS}
    for seed in range(n_seeds):
        path = os.path.join(models_dir, f"{name}-seed{seed}") if models_dir else None
        ddpm = saved_or_fitted(path, X, seed, f"{name}, seed {seed}")
        for sampler, steps in SETTINGS:
            start = time.perf_counter()
            samples = ddpm.sample(1000, random_state=1, sampler=sampler, n_inference_steps=steps)
            seconds[sampler, steps].append(time.perf_counter() - start)
            distances[sampler, steps].append(
                energy_distance(np.asarray(samples), reference, unbiased=False)
            )
    floor = energy_distance(held_out[:1000], reference, unbiased=False)
    rows = {f"{name}-halves": [name, "held-out halves", "", "", f"{floor:.5f}", ""]}
    for (sampler, steps), values in distances.items():
        rows[f"{name}-{sampler}-{steps}"] = [
            name,
            sampler,
            str(steps),
            f"{statistics.median(seconds[sampler, steps]):.2f}",
            f"{statistics.median(values):.5f}",
            f"{max(values):.5f}",
        ]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", choices=list(DATA), default=list(DATA))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--models", metavar="DIR", help="save each fit here, or load it")
    add_record_option(parser)
    args = parser.parse_args()
    rows = {}
    for name in args.data:
        rows.update(study(name, args.seeds, args.models))
    print("".join(f"{c:>16}" for c in COLUMNS))
    for cells in rows.values():
        print("".join(f"{c:>16}" for c in cells), flush=True)
    if args.record:
        record(
            args.record,
            hide={args.models: "DIR"} if args.models else {},
            title=f"DDPM() on two-dimensional data (3,000 points) by sampler and steps: "
            f"medians of {args.seeds} seeds",
            columns=COLUMNS,
            rows=rows,
            note="Energy distance (V-statistic) of 1,000 samples to 1,000 held-out points; "
            "lower is better; the held-out halves give the floor.",
        )


if __name__ == "__main__":
    main()
