"""Mode coverage on the ring of 8 Gaussians: plain BCE GAN vs the remedies.

The standard mode-collapse test: 2,000 points from 8 Gaussians (std 0.05)
on a circle of radius 2. Every configuration gets the same budget
(``--epochs`` epochs, batch 64, Adam lr 1e-3, 8 noise codings, the default
layer sizes) over several seeds; the table shows, per configuration, the
modes covered (a mode counts when a sample lies within 3 std of its
centre), the share of samples that close to a mode, and the MMD to
held-out data (lower is better), as the median over seeds and the worst
seed.

Run: ``python bench/bench_gan_mode_collapse.py [--epochs 100] [--seeds 0 1 2]``;
``--record gan_ring`` stores the table for the docs (bench/results.json).
"""

import argparse
import statistics
import time

from _results import add_record_option, record

from skgen import GAN
from skgen.datasets import make_ring_of_gaussians
from skgen.metrics import mmd, mode_coverage

# The plain GAN turns off the remedies that are on by default; every other
# row adds one remedy to it. "skgen defaults" is GAN() as it is.
PLAIN = {"minibatch_std": False, "ema_decay": None}
CONFIGS = {
    "bce (plain)": PLAIN,
    "bce + label smoothing 0.1": {**PLAIN, "label_smoothing": 0.1},
    "bce + minibatch std": {**PLAIN, "minibatch_std": True},
    "bce + EMA 0.99": {**PLAIN, "ema_decay": 0.99},
    "hinge + spectral norm": {**PLAIN, "loss": "hinge", "spectral_norm": True},
    "wasserstein-gp, n_critic 5": {**PLAIN, "loss": "wasserstein-gp", "n_critic": 5},
    "skgen defaults": {},
}
# Short row keys for the docs' :bench:`gan_ring[KEY, COLUMN]` references.
KEYS = {
    "bce (plain)": "plain",
    "bce + label smoothing 0.1": "smoothing",
    "bce + minibatch std": "mbstd",
    "bce + EMA 0.99": "ema",
    "hinge + spectral norm": "hinge-sn",
    "wasserstein-gp, n_critic 5": "wgan-gp",
    "skgen defaults": "defaults",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS))
    add_record_option(parser)
    args = parser.parse_args()
    X, _, centers = make_ring_of_gaussians(2000, random_state=0)
    held_out, _, _ = make_ring_of_gaussians(1000, random_state=99)
    print(f"ring of 8 Gaussians, {args.epochs} epochs, seeds {args.seeds}")
    print(
        f"{'configuration':<30}{'modes (med/min)':>17}{'near (med/min)':>16}"
        f"{'MMD (med/max)':>18}{'fit s':>7}"
    )
    rows = {}
    for name in args.configs:
        modes, near, dists, times = [], [], [], []
        for seed in args.seeds:
            start = time.perf_counter()
            gan = GAN(
                n_components=8,
                max_iter=args.epochs,
                batch_size=64,
                learning_rate_init=1e-3,
                random_state=seed,
                **CONFIGS[name],
            ).fit(X)
            times.append(time.perf_counter() - start)
            samples = gan.sample(2000, random_state=seed)
            m, q = mode_coverage(samples, centers, radius=0.15)
            modes.append(m)
            near.append(q)
            dists.append(mmd(samples[:1000], held_out))
        cells = [
            name,
            f"{statistics.median(modes):.0f} / {min(modes)}",
            f"{statistics.median(near):.2f} / {min(near):.2f}",
            f"{statistics.median(dists):.4f} / {max(dists):.4f}",
            f"{statistics.median(times):.1f}",
        ]
        rows[name] = cells
        print(f"{cells[0]:<30}{cells[1]:>17}{cells[2]:>16}{cells[3]:>18}{cells[4]:>7}", flush=True)
    if args.record:
        record(
            args.record,
            title=f"Ring of 8 Gaussians, {args.epochs} epochs, seeds "
            + ", ".join(map(str, args.seeds))
            + ": the plain GAN, each remedy added to it, and the defaults",
            columns=["configuration", "modes (med/min)", "near (med/min)", "MMD (med/max)"]
            + ["fit s"],
            rows={KEYS.get(name, name): cells for name, cells in rows.items()},
            note="near: share of samples within 3 std of a mode; MMD to held-out data.",
        )


if __name__ == "__main__":
    main()
