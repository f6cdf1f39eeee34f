"""Training and inference speed: skgen vs a plain PyTorch loop, vs PCA.

Data: 55,000 x 784 float32 rows shaped like Fashion-MNIST, built from
scikit-learn's digits upsampled to 28x28 with random shifts and noise (no
download). Model: the book's 784-100-30 / 30-100-784 StackedAutoencoder,
ReLU, linear output, MSE, Nadam (lr 1e-3).

For each batch size, fits of skgen (``StackedAutoencoder.fit``) and runs
of a hand-written loop (one tensor, ``randperm`` + slicing, the same
network and optimizer settings, built afresh each run) are interleaved,
each for ``--epochs`` epochs and again for one. Two measurements of an
epoch, each the median over rounds, with its ratio skgen / plain:

* epoch: skgen's epoch durations from skorch's history against the plain
  loop's timed epochs (every epoch of every round);
* fit-to-fit: ``(fit(max_iter=E) - fit(max_iter=1)) / (E - 1)`` in wall
  time, against the plain loop timed the same way, whole runs. This is how
  a user sees it: everything a fit does per epoch counts, and it times
  the later epochs, where an optimizer's state has aged.

The ratio of the fastest epochs is less sensitive to a shared, noisy
machine. A second plain loop with torch's default NAdam settings shows what
the multi-tensor optimizer buys. Finally ``transform`` throughput is
compared with ``PCA(30).transform``.

Each skgen row is one training option against the same plain loop: float32
(the default), ``mixed_precision="bf16"`` and ``compile=True`` (whose first
epoch, spent compiling, is not timed; its fit-to-fit column is left empty).

The plain loop is what a PyTorch user writes: it leaves torch's subnormal
floats as they are, while skgen flushes them on the CPU
(``skgen.set_config(flush_denormal=...)``); ``--no-flush`` turns that off
to show what it is worth.

Run: ``python bench/bench_autoencoders.py [--epochs 3] [--rounds 5]
[--n-samples 55000] [--device auto] [--variants float32 bf16 compile]
[--no-flush] [--threads 1] [--record NAME]``
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from _results import add_record_option, record
from sklearn.decomposition import PCA

import skgen
from skgen import StackedAutoencoder
from skgen._engine._torch import resolve_device

from _data import fashion_like


def plain_epochs(X, batch_size, epochs, device, optimizer_kwargs, seed=0):
    """The reference: what a PyTorch user writes by hand."""
    torch_gen = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 100),
        torch.nn.ReLU(),
        torch.nn.Linear(100, 30),
        torch.nn.Linear(30, 100),
        torch.nn.ReLU(),
        torch.nn.Linear(100, 784),
    ).to(device)
    opt = torch.optim.NAdam(model.parameters(), lr=1e-3, **optimizer_kwargs)
    data = torch.from_numpy(X).to(device)
    n = data.shape[0]
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(n, generator=torch_gen).to(device)
        for i in range(0, n, batch_size):
            xb = data[perm[i : i + batch_size]]
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(xb), xb)
            loss.backward()
            opt.step()
        loss.item()  # wait for the device, as skgen does once per epoch
        times.append(time.perf_counter() - start)
    return times


# skgen's training options timed against the same plain loop: float32 (the
# default), bf16 autocast, and torch.compile (its first epoch, which waits
# for the compiler, is run but not timed).
VARIANTS = {"float32": {}, "bf16": {"mixed_precision": "bf16"}, "compile": {"compile": True}}


def plain_run(X, batch_size, epochs, device, optimizer_kwargs):
    """A whole plain run: its wall time and its epochs' times."""
    start = time.perf_counter()
    times = plain_epochs(X, batch_size, epochs, device, optimizer_kwargs)
    return time.perf_counter() - start, times


def skgen_run(X, batch_size, epochs, device, **params):
    """A whole fit: its wall time, its (timed) epochs' durations and the model."""
    start = time.perf_counter()
    times, ae = skgen_epochs(X, batch_size, epochs, device, **params)
    return time.perf_counter() - start, times, ae


def skgen_epochs(X, batch_size, epochs, device, **params):
    warmup = 1 if params.get("compile") else 0
    ae = StackedAutoencoder(
        30,
        hidden_layer_sizes=(100,),
        optimizer="nadam",
        batch_size=batch_size,
        max_iter=epochs + warmup,
        device=device,
        random_state=0,
        **params,
    )
    ae.fit(X)
    return list(ae.net_.history[:, "dur"])[warmup:], ae


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per fit (at least 2)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=55_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument(
        "--no-flush", action="store_true", help="skgen.set_config(flush_denormal=False)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads of both skgen and the plain loop"
    )
    add_record_option(parser)
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (fit-to-fit times E epochs against one)")
    skgen.set_config(flush_denormal=not args.no_flush, n_threads=args.threads)
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    X = fashion_like(args.n_samples)
    print(
        f"torch {torch.__version__} on {device} ({torch.get_num_threads()} threads); "
        f"X {X.shape} {X.dtype}; {args.rounds} rounds x {args.epochs} epochs, medians"
    )
    fast = {"foreach": True}
    header = (
        f"{'batch':>6}{'skgen':>9}{'plain s/ep':>12}{'skgen s/ep':>12}{'ratio':>7}"
        f"{'ratio (min)':>13}{'fit-to-fit plain':>18}{'skgen':>7}{'ratio':>7}"
        f"{'skgen samples/s':>17}{'plain, default NAdam s/ep':>27}"
    )
    print(
        "epoch: history durations against the plain loop's epochs; fit-to-fit: "
        "(E epochs - 1 epoch) / (E - 1) of whole runs"
    )
    print(header)
    # Warm-up: the first run of a process pays for allocations and lazy
    # initialisation, which would count against whichever came first.
    plain_run(X[:2000], 32, 1, device, fast)
    skgen_run(X[:2000], 32, 1, device)
    ae, rows = None, {}
    for bs in args.batch_sizes:
        plain, default, plain_f2f = [], [], []
        ours = {name: [] for name in args.variants}
        ours_f2f = {name: [] for name in args.variants}
        for _ in range(args.rounds):
            wall, times = plain_run(X, bs, args.epochs, device, fast)
            plain += times
            plain_f2f.append((wall - plain_run(X, bs, 1, device, fast)[0]) / (args.epochs - 1))
            for name in args.variants:
                wall, times, fitted = skgen_run(X, bs, args.epochs, device, **VARIANTS[name])
                ours[name] += times
                if name == "float32":
                    ae = fitted
                if not VARIANTS[name].get("compile"):
                    one = skgen_run(X, bs, 1, device, **VARIANTS[name])[0]
                    ours_f2f[name].append((wall - one) / (args.epochs - 1))
            default += plain_epochs(X, bs, args.epochs, device, {"foreach": False})
        p, d = statistics.median(plain), statistics.median(default)
        pf = statistics.median(plain_f2f)
        for name, times in ours.items():
            s = statistics.median(times)
            f2f = (
                f"{statistics.median(ours_f2f[name]):>7.3f}"
                f"{statistics.median(ours_f2f[name]) / pf:>7.3f}"
                if ours_f2f[name]
                else f"{'':>14}"
            )
            print(
                f"{bs:>6}{name:>9}{p:>12.3f}{s:>12.3f}{s / p:>7.3f}"
                f"{min(times) / min(plain):>13.3f}{pf:>18.3f}{f2f}"
                f"{len(X) / s:>17,.0f}{d:>27.3f}",
                flush=True,
            )
            ours_pf = statistics.median(ours_f2f[name]) if ours_f2f[name] else None
            rows[f"{bs}-{name}"] = [
                str(bs),
                name,
                f"{p:.2f}",
                f"{s:.2f}",
                f"{s / p:.2f}",
                f"{pf:.2f}",
                "" if ours_pf is None else f"{ours_pf:.2f}",
                "" if ours_pf is None else f"{ours_pf / pf:.2f}",
            ]
    if args.record:
        record(
            args.record,
            title="The book's 784-100-30 autoencoder: skgen against a plain PyTorch loop",
            columns=[
                "batch",
                "skgen",
                "plain s/epoch",
                "skgen s/epoch",
                "ratio",
                "fit-to-fit plain s",
                "fit-to-fit skgen s",
                "fit-to-fit ratio",
            ],
            rows=rows,
            note=f"{len(X):,} rows, {args.threads} thread(s), medians of {args.rounds} rounds "
            f"of {args.epochs}-epoch runs; subnormal floats "
            f"{'left alone' if args.no_flush else 'flushed'} in skgen's fits.",
        )
    if ae is None:
        ae = skgen_epochs(X, args.batch_sizes[0], 1, device)[1]

    pca = PCA(30, random_state=0).fit(X)
    rows = {}
    for name, fn in [
        ("PCA(30).transform", pca.transform),
        ("StackedAutoencoder.transform", ae.transform),
    ]:
        fn(X[:1000])
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            fn(X)
            runs.append(time.perf_counter() - start)
        rows[name] = statistics.median(runs)
    title = f"transform of {len(X):,} x {X.shape[1]}"
    print(f"\n{title:<32}{'seconds':>9}{'rows/s':>14}")
    for name, sec in rows.items():
        print(f"{name:<32}{sec:>9.3f}{len(X) / sec:>14,.0f}")
    ratio = rows["StackedAutoencoder.transform"] / rows["PCA(30).transform"]
    print(f"autoencoder / PCA time ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
