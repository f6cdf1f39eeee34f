"""Data-parallel training: one process against DDP over several, on one node.

Each row launches ``torchrun --standalone --nproc_per_node=N`` on this
script's worker, which fits the book's 784-100-30 StackedAutoencoder (or,
with ``--model unet``, a DDPM U-Net on 28x28 images) on rows shaped like
Fashion-MNIST (``_data.fashion_like``) for ``--epochs`` epochs with
``batch_size`` per process. Reported, from rank 0: the median epoch time
(skorch's history, the first epoch left out), rows per second, the speed-up
over one process, and the final training loss. Every process of a row ends
with the same weights (checked by the worker).

On GPUs every process takes one GPU (``--nproc`` up to the GPU count); on
CPUs the processes share the cores and torchrun gives each one thread, so a
CPU row measures the overhead of the synchronisation more than a speed-up.

Run: ``python bench/bench_distributed.py [--nproc 1 2] [--model ae|unet]
[--epochs 4] [--n-samples 20000] [--batch-size 128] [--device auto]``
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def worker(args):
    import torch
    import torch.distributed as dist

    from skgen import DDPM, StackedAutoencoder

    from _data import fashion_like

    X = fashion_like(args.n_samples)
    if args.model == "unet":
        est = DDPM(
            architecture="unet",
            max_iter=args.epochs,
            batch_size=args.batch_size,
            device=args.device,
            random_state=0,
        )
        X = X.reshape(-1, 28, 28)
    else:
        est = StackedAutoencoder(
            30,
            hidden_layer_sizes=(100,),
            optimizer="nadam",
            max_iter=args.epochs,
            batch_size=args.batch_size,
            device=args.device,
            random_state=0,
        )
    start = time.perf_counter()
    est.fit(X)
    wall = time.perf_counter() - start
    world = dist.get_world_size() if dist.is_initialized() else 1
    flat = torch.cat([p.detach().flatten() for p in est.module_.parameters()])
    same = True
    if world > 1:
        gathered = [torch.zeros_like(flat) for _ in range(world)]
        dist.all_gather(gathered, flat)
        same = all(torch.equal(gathered[0], g) for g in gathered)
    if not dist.is_initialized() or dist.get_rank() == 0:
        durations = [row["dur"] for row in est.net_.history][1:] or [wall]
        print(
            "RESULT "
            + json.dumps(
                {
                    "world": world,
                    "epoch_s": statistics.median(durations),
                    "wall_s": wall,
                    "loss": est.loss_curve_[-1],
                    "same_weights": same,
                    "device": str(next(est.module_.parameters()).device),
                }
            )
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nproc", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", choices=["ae", "unet"], default="ae")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    here = os.path.dirname(os.path.abspath(__file__))
    print(
        f"{args.model}, {args.n_samples} rows, batch_size {args.batch_size} per process, "
        f"{args.epochs} epochs"
    )
    header = (
        f"{'processes':>9}{'global batch':>14}{'epoch s':>9}{'rows/s':>10}"
        f"{'speed-up':>10}{'final loss':>12}{'same weights':>14}  device"
    )
    print(header)
    print("-" * len(header))
    base = None
    for n in args.nproc:
        cmd = [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            f"--nproc_per_node={n}",
            os.path.join(here, "bench_distributed.py"),
            "--worker",
            "--model",
            args.model,
            "--epochs",
            str(args.epochs),
            "--n-samples",
            str(args.n_samples),
            "--batch-size",
            str(args.batch_size),
            "--device",
            args.device,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=here, check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
        if out.returncode or not lines:
            print(f"{n:>9}  failed:\n{out.stderr[-2000:]}")
            continue
        r = json.loads(lines[0][len("RESULT ") :])
        rows_s = args.n_samples // n * n / r["epoch_s"]
        base = base or rows_s
        print(
            f"{n:>9}{n * args.batch_size:>14}{r['epoch_s']:>9.2f}{rows_s:>10,.0f}"
            f"{rows_s / base:>10.2f}{r['loss']:>12.4f}{str(r['same_weights']):>14}  "
            f"{r['device']}"
        )


if __name__ == "__main__":
    main()
