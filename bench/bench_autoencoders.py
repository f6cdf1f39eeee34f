"""Training and inference speed: skgen vs a plain PyTorch loop, vs PCA.

Data: 55,000 x 784 float32 rows shaped like Fashion-MNIST, built from
scikit-learn's digits upsampled to 28x28 with random shifts and noise (no
download). Model: the book's 784-100-30 / 30-100-784 StackedAutoencoder,
ReLU, linear output, MSE, Nadam (lr 1e-3).

For each batch size, epochs of skgen (``StackedAutoencoder.fit``, epoch
durations from skorch's history) and of a hand-written loop (one tensor,
``randperm`` + slicing, the same network and optimizer settings) are
interleaved, and the median seconds per epoch reported with their ratio
(and the ratio of the fastest epochs, less sensitive to a shared, noisy machine).
A second plain loop with torch's default NAdam settings shows what the
multi-tensor optimizer buys. Finally ``transform`` throughput is compared
with ``PCA(30).transform``.

Each skgen row is one training option against the same plain loop: float32
(the default), ``mixed_precision="bf16"`` and ``compile=True`` (whose first
epoch, spent compiling, is not timed).

Run: ``python bench/bench_autoencoders.py [--epochs 3] [--rounds 3]
[--n-samples 55000] [--device auto] [--variants float32 bf16 compile]``
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA

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
    parser.add_argument("--epochs", type=int, default=1, help="epochs per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n-samples", type=int, default=55_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args()
    device = resolve_device(args.device)
    X = fashion_like(args.n_samples)
    print(
        f"torch {torch.__version__} on {device} ({torch.get_num_threads()} threads); "
        f"X {X.shape} {X.dtype}; {args.rounds} rounds x {args.epochs} epochs, medians"
    )
    fast = {"foreach": True}
    header = (
        f"{'batch':>6}{'skgen':>9}{'plain s/ep':>12}{'skgen s/ep':>12}"
        f"{'ratio (median)':>16}{'ratio (min)':>13}{'skgen samples/s':>17}"
        f"{'plain, default NAdam s/ep':>27}"
    )
    print(header)
    ae = None
    for bs in args.batch_sizes:
        plain, default = [], []
        ours = {name: [] for name in args.variants}
        for _ in range(args.rounds):
            plain += plain_epochs(X, bs, args.epochs, device, fast)
            for name in args.variants:
                times, fitted = skgen_epochs(X, bs, args.epochs, device, **VARIANTS[name])
                ours[name] += times
                if name == "float32":
                    ae = fitted
            default += plain_epochs(X, bs, args.epochs, device, {"foreach": False})
        p, d = statistics.median(plain), statistics.median(default)
        for name, times in ours.items():
            s = statistics.median(times)
            print(
                f"{bs:>6}{name:>9}{p:>12.3f}{s:>12.3f}{s / p:>16.3f}"
                f"{min(times) / min(plain):>13.3f}{len(X) / s:>17,.0f}{d:>27.3f}",
                flush=True,
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
    print(f"\n{'transform of 55,000 x 784':<32}{'seconds':>9}{'rows/s':>14}")
    for name, sec in rows.items():
        print(f"{name:<32}{sec:>9.3f}{len(X) / sec:>14,.0f}")
    ratio = rows["StackedAutoencoder.transform"] / rows["PCA(30).transform"]
    print(f"autoencoder / PCA time ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
