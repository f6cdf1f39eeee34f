"""VariationalAutoencoder speed: skgen vs a plain PyTorch VAE loop.

Data: 55,000 x 784 float32 rows in [0, 1] shaped like Fashion-MNIST (see
``_data.py``). Model: the book's VAE, 784-150-100-(10 means + 10
log-variances) and the mirrored decoder, ReLU. Loss: skgen's default
Gaussian likelihood with its shared variance set to the batch MSE (calibrated
decoder), plus the KL term. Optimizer:
Adam, lr 1e-3, the same implementation (fused) in both loops.

Epochs of skgen (``VariationalAutoencoder.fit``, durations from skorch's
history) and of a hand-written loop doing the same arithmetic are
interleaved; medians and the ratio are reported (and the ratio of the
fastest epochs). Then ``sample`` throughput for 100,000 samples vs the plain
decoder applied to prior draws in batches of 4,096, concatenated into one
array (what ``sample`` returns).

Run: ``python bench/bench_vae.py [--rounds 5] [--batch-sizes 32 128]``
"""

import argparse
import math
import statistics
import time

import torch

from skgen import VariationalAutoencoder
from skgen._engine._torch import resolve_device

from _data import fashion_like


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class PlainVAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = mlp([784, 150, 100, 20])
        self.decoder = mlp([10, 100, 150, 784])
        self.register_buffer("log_variance", torch.zeros(()))


def plain_epochs(X, batch_size, epochs, device, seed=0):
    gen = torch.Generator(device=device).manual_seed(seed)
    model = PlainVAE().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    data = torch.from_numpy(X).to(device)
    n, log2pi = data.shape[0], math.log(2 * math.pi)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(n, generator=gen, device=device)
        for i in range(0, n, batch_size):
            x = data[perm[i : i + batch_size]]
            mean, log_var = model.encoder(x).chunk(2, dim=-1)
            z = mean + torch.exp(0.5 * log_var) * torch.randn(
                mean.shape, generator=gen, device=device
            )
            x_hat = model.decoder(z)
            # Calibrated decoder: the variance at its closed-form optimum.
            lv = torch.log(((x - x_hat) ** 2).mean().clamp_min(1e-8))
            with torch.no_grad():
                model.log_variance.lerp_(lv.detach(), 0.05)
            rec = -0.5 * (((x - x_hat) ** 2) * torch.exp(-lv) + lv + log2pi).sum(-1)
            kl = 0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum(-1)
            loss = (kl - rec).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        loss.item()
        times.append(time.perf_counter() - start)
    return times, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=55_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = resolve_device(args.device)
    X = fashion_like(args.n_samples)
    print(
        f"torch {torch.__version__} on {device} ({torch.get_num_threads()} threads); "
        f"X {X.shape}; {args.rounds} rounds x 1 epoch, medians"
    )
    print(
        f"{'batch':>6}{'plain s/ep':>12}{'skgen s/ep':>12}{'ratio (median)':>16}{'ratio (min)':>13}"
    )
    vae = plain_model = None
    for bs in args.batch_sizes:
        plain, ours = [], []
        for _ in range(args.rounds):
            times, plain_model = plain_epochs(X, bs, 1, device)
            plain += times
            vae = VariationalAutoencoder(
                10,
                hidden_layer_sizes=(150, 100),
                beta=1.0,  # the plain loop's KL weight
                batch_size=bs,
                max_iter=1,
                device=device,
                random_state=0,
            ).fit(X)
            ours += list(vae.net_.history[:, "dur"])
        p, s = statistics.median(plain), statistics.median(ours)
        print(
            f"{bs:>6}{p:>12.3f}{s:>12.3f}{s / p:>16.3f}{min(ours) / min(plain):>13.3f}", flush=True
        )

    n = 100_000
    runs = {"skgen sample()": [], "plain decoder": []}
    for _ in range(5):
        start = time.perf_counter()
        vae.sample(n, random_state=0)
        runs["skgen sample()"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with torch.inference_mode():
            z = torch.randn(n, 10, device=device)
            # One array, as a user of sample() gets.
            torch.cat([plain_model.decoder(c).cpu() for c in z.split(4096)]).numpy()
        runs["plain decoder"].append(time.perf_counter() - start)
    print(f"\n{'sampling 100,000':<20}{'seconds':>9}{'samples/s':>14}")
    for name, values in runs.items():
        sec = statistics.median(values)
        print(f"{name:<20}{sec:>9.3f}{n / sec:>14,.0f}")


if __name__ == "__main__":
    main()
