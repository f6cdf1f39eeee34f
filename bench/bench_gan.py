"""GAN speed: skgen vs a plain PyTorch GAN loop, and sample() throughput.

Data: 55,000 x 784 float32 rows shaped like Fashion-MNIST (``_data.py``).
Model: the book's dense GAN, generator 30-100-150-784 (ReLU) and
discriminator 784-150-100-1 (LeakyReLU 0.2), BCE with the non-saturating
generator loss, Adam (fused, lr 2e-4) for both players. One discriminator
and one generator step per batch; both loops do the same arithmetic on
standardised data. Epochs of the two are interleaved; the table gives the
median seconds per epoch, the ratio, and the steps per second (one step =
one discriminator and one generator update). Then ``sample`` throughput for
100,000 samples vs the plain generator, both mapped back to the data's
scale.

With ``--architecture conv`` the model is the book's DCGAN on the same
rows seen as 28x28 images (skgen's ``conv_gan`` network, channels 64-128,
dropout 0.4, pixels scaled to [-1, 1]); the plain loop drives the same
network with hand-written steps, so the ratio is the engine's overhead.

Run: ``python bench/bench_gan.py [--rounds 5] [--batch-sizes 32 128]
[--architecture dense|conv] [--n-samples 55000] [--n-generate 100000]``
"""

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from skgen import GAN
from skgen._engine._torch import resolve_device
from skgen.gan._networks import conv_gan

from _data import fashion_like


def mlp(sizes, act):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


def players(architecture, device):
    """``(G, D, score)``: the two networks and ``score(x, gen)``."""
    if architecture == "conv":
        net = conv_gan(
            (28, 28, 1),
            30,
            (64, 128),
            n_classes=0,
            spectral_norm=False,
            minibatch_std=False,
            dropout=0.4,
            ema=False,
        ).to(device)
        D = net.discriminator
        return net.generator, D, lambda x, gen: D(x, None, gen)
    G = mlp([30, 100, 150, 784], torch.nn.ReLU).to(device)
    D = mlp([784, 150, 100, 1], lambda: torch.nn.LeakyReLU(0.2)).to(device)
    return G, D, lambda x, gen: D(x)


def scale_like_skgen(X, architecture):
    if architecture == "conv":
        lo, hi = X.min(), X.max()
        return (X - (hi + lo) / 2) / ((hi - lo) / 2)
    return (X - X.mean(0)) / np.where(X.std(0) > 1e-8, X.std(0), 1)


def plain_epoch(X, batch_size, device, architecture, seed=0):
    gen = torch.Generator(device=device).manual_seed(seed)
    G, D, D_fn = players(architecture, device)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, fused=True)
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, fused=True)
    data = torch.from_numpy(scale_like_skgen(X, architecture)).float().to(device)
    n = data.shape[0]
    start = time.perf_counter()
    perm = torch.randperm(n, generator=gen, device=device)
    for i in range(0, n, batch_size):
        x = data[perm[i : i + batch_size]]
        with torch.no_grad():
            fake = G(torch.randn((x.shape[0], 30), generator=gen, device=device))
        real_s, fake_s = D_fn(x, gen).squeeze(-1), D_fn(fake, gen).squeeze(-1)
        d_loss = F.binary_cross_entropy_with_logits(
            real_s, torch.ones_like(real_s)
        ) + F.binary_cross_entropy_with_logits(fake_s, torch.zeros_like(fake_s))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        fake_s = D_fn(G(torch.randn((x.shape[0], 30), generator=gen, device=device)), gen).squeeze(
            -1
        )
        g_loss = F.binary_cross_entropy_with_logits(fake_s, torch.ones_like(fake_s))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
    g_loss.item()
    return time.perf_counter() - start, G


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=55_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--architecture", choices=["dense", "conv"], default="dense")
    parser.add_argument(
        "--n-generate",
        type=int,
        default=100_000,
        help="samples drawn in the sample() throughput table",
    )
    args = parser.parse_args()
    device = resolve_device(args.device)
    X = fashion_like(args.n_samples)
    X_shape = (-1, 28, 28) if args.architecture == "conv" else X.shape
    print(
        f"torch {torch.__version__} on {device} ({torch.get_num_threads()} threads); "
        f"{args.architecture} GAN; X {X.shape}; {args.rounds} rounds x 1 epoch, medians"
    )
    print(
        f"{'batch':>6}{'plain s/ep':>12}{'skgen s/ep':>12}{'ratio (median)':>16}"
        f"{'ratio (min)':>13}{'skgen steps/s':>15}{'plain steps/s':>15}"
    )
    gan = plain_g = None
    for bs in args.batch_sizes:
        plain, ours = [], []
        for _ in range(args.rounds):
            seconds, plain_g = plain_epoch(X, bs, device, args.architecture)
            plain.append(seconds)
            gan = GAN(
                30,
                architecture=args.architecture,
                batch_size=bs,
                max_iter=1,
                learning_rate_init=2e-4,
                validation_interval=None,
                device=device,
                random_state=0,
            ).fit(X.reshape(X_shape))
            ours += list(gan.net_.history[:, "dur"])
        p, s = statistics.median(plain), statistics.median(ours)
        steps = -(-len(X) // bs)
        print(
            f"{bs:>6}{p:>12.3f}{s:>12.3f}{s / p:>16.3f}{min(ours) / min(plain):>13.3f}"
            f"{steps / s:>15,.1f}{steps / p:>15,.1f}",
            flush=True,
        )
    n = args.n_generate
    if args.architecture == "conv":
        lo, hi = X.min(), X.max()
        mean, scale = np.float32((hi + lo) / 2), np.float32((hi - lo) / 2)
        plain_g.eval()
    else:
        mean, scale = X.mean(0), np.where(X.std(0) > 1e-8, X.std(0), 1).astype(np.float32)
    runs = {"skgen sample()": [], "plain generator": []}
    for _ in range(5):
        start = time.perf_counter()
        gan.sample(n, random_state=0)
        runs["skgen sample()"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with torch.inference_mode():
            z = torch.randn(n, 30, device=device)
            out = torch.cat([plain_g(c).cpu() for c in z.split(4096)]).numpy()
            out = out * scale + mean  # back to the data's scale, as sample() does
        runs["plain generator"].append(time.perf_counter() - start)
    print(f"\n{f'sampling {n:,}':<20}{'seconds':>9}{'samples/s':>14}")
    for name, values in runs.items():
        sec = statistics.median(values)
        print(f"{name:<20}{sec:>9.3f}{n / sec:>14,.0f}")


if __name__ == "__main__":
    main()
