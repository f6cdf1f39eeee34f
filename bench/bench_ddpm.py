"""DDPM speed: training steps/s vs a plain PyTorch loop, and sampling time vs quality.

Training: rows shaped like Fashion-MNIST (``_data.py``; 784 features for
``--architecture mlp``, 28x28 images for ``unet``), T = 1000 cosine
schedule, v prediction, MSE, Adam (fused, lr 1e-3), EMA 0.999. The plain
loop drives the same network with a hand-written step (timestep and noise
draws, closed-form noising, loss, Adam step, EMA update), so the ratio is
the engine's overhead. Epochs of the two are interleaved; medians.

Sampling: a DDPM fitted on ``make_moons`` (3000 rows, 100 epochs, the
defaults) draws 1,000 samples with ancestral sampling over all 1000 steps
and with DDIM over 10, 25, 50 and 100 steps. Each row gives the time and
the energy distance (V-statistic) to 1,000 held-out points; the first row
is the same distance between two held-out halves, the floor.

Each skgen row is one training option: float32 (the default),
``mixed_precision="bf16"`` and ``compile=True`` (whose first epoch, spent
compiling, is not timed).

Run: ``python bench/bench_ddpm.py [--rounds 5] [--architecture mlp|unet]
[--n-samples 20000] [--batch-size 128] [--skip-sampling]
[--variants float32 bf16 compile]``
"""

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_moons

from skgen import DDPM
from skgen._engine._torch import resolve_device
from skgen.diffusion import NoiseSchedule
from skgen.diffusion._networks import DiffusionNet, ResidualMLP, UNet
from skgen.metrics import energy_distance

from _data import fashion_like

# skgen's training options timed against the same plain (float32) loop.
VARIANTS = {"float32": {}, "bf16": {"mixed_precision": "bf16"}, "compile": {"compile": True}}


def plain_epoch(X, batch_size, device, architecture, seed=0):
    gen = torch.Generator(device=device).manual_seed(seed)
    # The networks of DDPM's defaults, so the ratio is the engine's overhead.
    defaults = DDPM().get_params()
    if architecture == "unet":
        denoiser = UNet((28, 28, 1), defaults["channels"])
    else:
        denoiser = ResidualMLP(X.shape[1], defaults["hidden_width"], defaults["n_blocks"])
    net = DiffusionNet(denoiser, ema=True).to(device)
    net.sync_ema()
    schedule = NoiseSchedule(1000, "cosine", prediction="v").to(device)
    opt = torch.optim.Adam(net.denoiser.parameters(), lr=1e-3, fused=True)
    lo, hi = X.min(), X.max()
    scaled = (
        (X - (hi + lo) / 2) / ((hi - lo) / 2)
        if architecture == "unet"
        else (X - X.mean(0)) / np.where(X.std(0) > 1e-8, X.std(0), 1)
    )
    data = torch.from_numpy(scaled).float().to(device)
    n = data.shape[0]
    start = time.perf_counter()
    perm = torch.randperm(n, generator=gen, device=device)
    for i in range(0, n, batch_size):
        x = data[perm[i : i + batch_size]]
        t = torch.randint(0, 1000, (x.shape[0],), generator=gen, device=device)
        noise = torch.randn(x.shape, generator=gen, device=device)
        ab = schedule.alpha_bars[t][:, None]
        x_t = ab.sqrt() * x + (1 - ab).sqrt() * noise
        target = ab.sqrt() * noise - (1 - ab).sqrt() * x
        loss = F.mse_loss(net(x_t, t), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        net.update_ema(0.999)
    loss.item()
    return time.perf_counter() - start


def training_table(args, device):
    X = fashion_like(args.n_samples)
    shaped = X.reshape(-1, 28, 28) if args.architecture == "unet" else X
    bs = args.batch_size
    print(
        f"{args.architecture} denoiser; X {X.shape}; batch {bs}; {args.rounds} rounds x 1 "
        "epoch, medians"
    )
    plain = []
    ours = {name: [] for name in args.variants}
    for _ in range(args.rounds):
        plain.append(plain_epoch(X, bs, device, args.architecture))
        for name in args.variants:
            # compile's first epoch waits for the compiler: run, not timed.
            warmup = 1 if name == "compile" else 0
            ddpm = DDPM(
                architecture=args.architecture,
                batch_size=bs,
                max_iter=1 + warmup,
                device=device,
                random_state=0,
                **VARIANTS[name],
            ).fit(shaped)
            ours[name] += list(ddpm.net_.history[:, "dur"])[warmup:]
    p = statistics.median(plain)
    steps = -(-len(X) // bs)
    print(
        f"{'skgen':<9}{'plain s/ep':>12}{'skgen s/ep':>12}{'ratio (median)':>16}"
        f"{'ratio (min)':>13}{'skgen steps/s':>15}{'plain steps/s':>15}"
    )
    for name, times in ours.items():
        s = statistics.median(times)
        print(
            f"{name:<9}{p:>12.3f}{s:>12.3f}{s / p:>16.3f}{min(times) / min(plain):>13.3f}"
            f"{steps / s:>15,.1f}{steps / p:>15,.1f}",
            flush=True,
        )
    print()


def sampling_table(device):
    X, _ = make_moons(3000, noise=0.05, random_state=0)
    held_out, _ = make_moons(2000, noise=0.05, random_state=1)
    ddpm = DDPM(max_iter=100, device=device, random_state=0).fit(X)
    dist = lambda a: energy_distance(a, held_out[1000:], unbiased=False)  # noqa: E731
    print("moons, 1,000 samples (energy distance to 1,000 held-out points)")
    print(f"{'sampler':<22}{'seconds':>9}{'energy':>10}")
    print(f"{'held-out halves':<22}{'':>9}{dist(held_out[:1000]):>10.5f}")
    runs = [("ddpm", None)] + [("ddim", k) for k in (100, 50, 25, 10)]
    for sampler, steps in runs:
        times, samples = [], None
        for _ in range(3):
            start = time.perf_counter()
            samples = ddpm.sample(1000, random_state=1, sampler=sampler, n_inference_steps=steps)
            times.append(time.perf_counter() - start)
        name = "DDPM, 1000 steps" if steps is None else f"DDIM, {steps} steps"
        print(f"{name:<22}{statistics.median(times):>9.3f}{dist(samples):>10.5f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--architecture", choices=["mlp", "unet"], default="mlp")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--skip-sampling", action="store_true")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"torch {torch.__version__} on {device} ({torch.get_num_threads()} threads)")
    training_table(args, device)
    if not args.skip_sampling:
        sampling_table(device)


if __name__ == "__main__":
    main()
