"""torch's CPU threads on a busy machine: skgen's default against torch's.

torch starts one intra-op thread per core. When another process already
keeps a core busy, those threads wait on each other and a small model
trains many times slower. skgen's ``n_threads="auto"`` (``skgen.set_config``)
runs each fit with one thread per two logical CPUs of the process.

The table times ``StackedAutoencoder(30, max_iter=30)`` on sklearn's digits
(1,797 x 64, batch 32), the convolutional ``VariationalAutoencoder(2,
max_iter=3)`` on its 8x8 images, one epoch of the book's 784-100-30
autoencoder (NAdam, batch 32) on 20,000 rows shaped like Fashion-MNIST and
one epoch of ``DDPM()``'s U-Net on 1,000 such rows as 28x28 images (32
steps of batch 32), the median of ``--repeats`` fits, on an idle machine and with ``--busy``
processes spinning in a pure-Python loop, each under skgen's default,
torch's own count (``n_threads="torch"``) and one thread.

Run: ``python bench/bench_threads.py [--repeats 3] [--busy 1] [--record threads]``
"""

import argparse
import multiprocessing
import statistics
import time

import torch
from _results import add_record_option, record
from sklearn.datasets import load_digits

import skgen
from skgen import DDPM, StackedAutoencoder, VariationalAutoencoder
from skgen._config import threads_to_use

from _data import fashion_like


def spin(stop):
    """Keep one core busy until ``stop`` is set (another user's job)."""
    while not stop.is_set():
        sum(i * i for i in range(10_000))


MODELS = {
    "autoencoder": lambda X: StackedAutoencoder(30, max_iter=30, random_state=0).fit(X),
    "conv VAE": lambda X: VariationalAutoencoder(
        2, architecture="conv", max_iter=3, random_state=0
    ).fit(X.reshape(-1, 8, 8)),
    "784-100-30 AE": lambda X: StackedAutoencoder(
        30, hidden_layer_sizes=(100,), optimizer="nadam", max_iter=1, random_state=0
    ).fit(WIDE),
    "28x28 U-Net": lambda X: DDPM(max_iter=1, random_state=0).fit(IMAGES),
}
WIDE = fashion_like(20_000)
IMAGES = WIDE[:1000].reshape(-1, 28, 28)
KEYS = {"skgen default": "auto", "torch's count": "torch", "one thread": "one"}
SETTINGS = {"skgen default": "auto", "torch's count": "torch", "one thread": 1}


def thread_count(n_threads):
    """The torch threads a fit gets under ``n_threads``."""
    with skgen.config_context(n_threads=n_threads):
        n = threads_to_use()
    return torch.get_num_threads() if n is None else n


def fit_seconds(model, X, n_threads):
    with skgen.config_context(n_threads=n_threads):
        start = time.perf_counter()
        MODELS[model](X)
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--busy", type=int, default=1, help="busy processes to start")
    add_record_option(parser)
    args = parser.parse_args()
    rows = {}
    X = load_digits().data / 16
    fit_seconds("autoencoder", X, "auto")  # warm-up: imports, first kernels
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default, "
        f"skgen's default uses {threads_to_use()}; median of {args.repeats} fits"
    )
    print(f"{'machine':<22}{'threads':<16}" + "".join(f"{m:>14}" for m in MODELS))
    for busy in (0, args.busy):
        stop = multiprocessing.Event()
        hogs = [
            multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(busy)
        ]
        for hog in hogs:
            hog.start()
        try:
            machine = "idle" if not busy else f"{busy} busy process(es)"
            for label, n_threads in SETTINGS.items():
                cells = [
                    statistics.median(fit_seconds(m, X, n_threads) for _ in range(args.repeats))
                    for m in MODELS
                ]
                print(
                    f"{machine:<22}{label:<16}" + "".join(f"{c:>13.2f}s" for c in cells),
                    flush=True,
                )
                key = f"{'idle' if not busy else 'busy'}-{KEYS[label]}"
                rows[key] = [machine, f"{label} ({thread_count(n_threads)})"] + [
                    f"{c:.2f} s" for c in cells
                ]
        finally:
            stop.set()
            for hog in hogs:
                hog.join()
    print(f"after the blocks: {torch.get_num_threads()} threads (restored)")
    if args.record:
        record(
            args.record,
            title=f"A fit by thread count and machine load (medians of {args.repeats} fits)",
            columns=["machine", "threads", *MODELS],
            rows=rows,
            note="StackedAutoencoder(30, max_iter=30) on the digits; the convolutional "
            "VariationalAutoencoder(2, max_iter=3) on their 8x8 images; one epoch of the "
            "book's 784-100-30 autoencoder at batch 32 on 20,000 rows; one epoch of "
            "DDPM()'s U-Net on 1,000 28x28 images.",
        )


if __name__ == "__main__":
    main()
