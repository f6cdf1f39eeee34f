"""torch's CPU threads on a busy machine, with and without a local limit.

torch starts one intra-op thread per core. When another process already
keeps a core busy, those threads wait on each other and a small model
trains many times slower. ``threadpoolctl.threadpool_limits`` (installed
with scikit-learn) bounds them for one block and restores them after; skgen
runs its training inside whatever limit is in force.

The table times ``StackedAutoencoder(30, max_iter=30)`` on sklearn's
digits (1,797 x 64, batch 32), the median of ``--repeats`` fits, in four
settings: an idle machine or one with ``--busy`` processes spinning in a
pure-Python loop, each with torch's default threads and inside
``threadpool_limits(limits=1)``.

Run: ``python bench/bench_threads.py [--repeats 3] [--busy 1]``
"""

import argparse
import multiprocessing
import statistics
import time
from contextlib import nullcontext

import torch
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from skgen import StackedAutoencoder


def spin(stop):
    """Keep one core busy until ``stop`` is set (another user's job)."""
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def fit_seconds(X, limit):
    context = threadpool_limits(limits=limit) if limit else nullcontext()
    start = time.perf_counter()
    with context:
        StackedAutoencoder(30, max_iter=30, random_state=0).fit(X)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy", type=int, default=1, help="busy processes to start")
    args = parser.parse_args()
    X = load_digits().data / 16
    fit_seconds(X, None)  # warm-up: imports, first kernels
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default; "
        f"median of {args.repeats} fits of StackedAutoencoder(30, max_iter=30) on digits"
    )
    print(f"{'machine':<22}{'threads':<26}{'fit s':>8}{'vs idle default':>17}")
    idle = None
    for busy in (0, args.busy):
        stop = multiprocessing.Event()
        hogs = [
            multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(busy)
        ]
        for hog in hogs:
            hog.start()
        try:
            for limit, label in ((None, "default"), (1, "threadpool_limits(1)")):
                seconds = statistics.median(fit_seconds(X, limit) for _ in range(args.repeats))
                idle = idle or seconds
                machine = "idle" if not busy else f"{busy} busy process(es)"
                print(
                    f"{machine:<22}{label:<26}{seconds:>8.2f}{seconds / idle:>16.2f}x", flush=True
                )
        finally:
            stop.set()
            for hog in hogs:
                hog.join()
    print(f"after the blocks: {torch.get_num_threads()} threads (restored)")


if __name__ == "__main__":
    main()
