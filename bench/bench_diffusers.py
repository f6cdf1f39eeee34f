"""An external anchor: a Hugging Face ``diffusers`` DDPM at skgen's budget.

skgen's default ``DDPM`` is fitted on the images first and its wall-clock
time taken. A reference model built from ``diffusers`` (``UNet2DModel`` and
``DDPMScheduler``, trained the way its unconditional image example trains:
AdamW, a cosine learning-rate schedule with linear warm-up, an EMA of the
weights, decay 0.9999 with its warm-up, gradients clipped at norm 1) then
trains on the same images for the same number of seconds, on the same
machine and threads, at skgen's batch size (32) and learning rate (1e-3,
after 500 warm-up steps; the example's 1e-4 is for far longer runs). Its
noise schedule is the cosine one (``squaredcos_cap_v2``), 1,000 steps, and
it predicts the noise. Both draw as many samples as there are
held-out images with the same sampler and number of network passes:
skgen's default for the U-Net (30 steps of the stochastic DPM-Solver++),
and for the reference its diffusers counterpart at the same timesteps
(``DPMSolverMultistepScheduler`` with ``algorithm_type="sde-dpmsolver++"``,
its clean-sample predictions clipped to [-1, 1] as skgen's are;
``DDIMScheduler`` when skgen's default is DDIM).
Both are scored by the two judges of ``bench_generators.py`` (FD,
precision, recall).

The reference U-Net has skgen's widths (16, 32, 64), one residual block a
level and attention at the lowest resolution; its levels halve the image
twice, so a side that 4 does not divide is padded for it and cropped back
(8x8 and 28x28 need none). Pixels are
scaled to [-1, 1] for it, as the example does.

``diffusers`` is a bench extra (``pip install diffusers``), never a runtime
dependency of skgen.

Run: ``python bench/bench_diffusers.py [--data digits|mnist28] [--fast]
[--record NAME]``
"""

import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from _judges import JUDGE_COLUMNS, fit_judges, judge
from _results import add_record_option, record
from bench_generators import load

from skgen import DDPM
from skgen._config import cpu_settings

COLUMNS = ["model", "fit s", "steps", "sample s", *JUDGE_COLUMNS]


def reference_unet(side):
    from diffusers import UNet2DModel

    return UNet2DModel(
        sample_size=side,
        in_channels=1,
        out_channels=1,
        layers_per_block=1,
        block_out_channels=(16, 32, 64),
        down_block_types=("DownBlock2D", "DownBlock2D", "AttnDownBlock2D"),
        up_block_types=("AttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        norm_num_groups=8,
    )


def train_reference(X, seconds, *, batch_size=32, lr=1e-3, warmup=500, seed=0):
    """Train the diffusers model on images ``X`` in [0, 1] for ``seconds``;
    returns the EMA network, the scheduler's config and the steps taken."""
    from diffusers import DDPMScheduler
    from diffusers.training_utils import EMAModel

    generator = torch.Generator().manual_seed(seed)
    side = X.shape[1]
    pad = (-side) % 4
    images = torch.from_numpy(np.asarray(X, dtype=np.float32))[:, None] * 2 - 1
    images = F.pad(images, (0, pad, 0, pad), value=-1.0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # inside fork_rng: the global state is restored after
        model = reference_unet(side + pad)
    scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-6)
    ema = EMAModel(model.parameters(), decay=0.9999, use_ema_warmup=True, power=0.75)
    # The step count is unknown in advance (a time budget): cosine over an
    # estimate from the first 20 steps, after the warm-up.
    start, step, total = time.perf_counter(), 0, None
    while True:
        order = torch.randperm(len(images), generator=generator)
        for i in range(0, len(images) - batch_size + 1, batch_size):
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                ema.copy_to(model.parameters())
                return model, scheduler, step, side, pad
            if step == 20:
                total = max(warmup + 1, int(seconds / (elapsed / 20)))
            progress = 0.0 if total is None else min(1.0, (step - warmup) / (total - warmup))
            rate = step / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * progress))
            for group in optimizer.param_groups:
                group["lr"] = lr * min(1.0, rate) if step < warmup else lr * rate
            x0 = images[order[i : i + batch_size]]
            noise = torch.randn(x0.shape, generator=generator)
            t = torch.randint(0, 1000, (len(x0),), generator=generator)
            loss = F.mse_loss(model(scheduler.add_noise(x0, noise, t), t).sample, noise)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            ema.step(model.parameters())
            step += 1


def reference_sampler(scheduler, sampler, timesteps):
    """diffusers' counterpart of skgen's sampler ``sampler``, at skgen's
    ``timesteps`` (DDIM: as many, evenly spaced). diffusers' own Karras
    spacing would spend most steps at the cosine schedule's near-infinite
    noise, where its timesteps then repeat."""
    from diffusers import DDIMScheduler, DPMSolverMultistepScheduler

    if sampler in ("dpm++", "dpm++sde"):
        # thresholding with a maximum of 1 clips the clean-sample prediction
        # to [-1, 1], as skgen clips it and as DDIMScheduler's clip_sample
        # does: from a noise-predicting network near pure noise it is
        # otherwise divided by a signal share of about 1e-4.
        solver = DPMSolverMultistepScheduler.from_config(
            scheduler.config,
            algorithm_type="sde-dpmsolver++" if sampler == "dpm++sde" else "dpmsolver++",
            thresholding=True,
            sample_max_value=1.0,
        )
        solver.set_timesteps(timesteps=list(timesteps))
        return solver
    solver = DDIMScheduler.from_config(scheduler.config)
    solver.set_timesteps(len(timesteps))
    return solver


@torch.no_grad()
def sample_reference(model, scheduler, n, side, pad, *, sampler, timesteps, seed=0):
    solver = reference_sampler(scheduler, sampler, timesteps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((n, 1, side + pad, side + pad), generator=generator)
    model.eval()
    for t in solver.timesteps:
        x = solver.step(model(x, t).sample, t, x, generator=generator).prev_sample
    x = x[:, 0, :side, :side]
    return ((x.clamp(-1, 1) + 1) / 2).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["digits", "mnist28"], default="digits")
    parser.add_argument("--fast", action="store_true", help="a few steps, for a smoke run")
    add_record_option(parser)
    args = parser.parse_args()
    X_train, X_test, y_train = load(args.data)
    flat_test = X_test.reshape(len(X_test), -1)
    judges = fit_judges(X_train, y_train, fast=args.fast)
    real = [one.transform(flat_test) for one in judges]
    n = len(X_test)
    rows = {}
    print(f"{args.data}: {len(X_train)} training images, {n} held out")
    print(
        f"{'model':<34}{'fit s':>7}{'steps':>8}{'sample s':>10}"
        + "".join(f"{c:>12}" for c in COLUMNS[4:])
    )

    def report(key, name, fit_s, steps, sample_s, samples):
        figures = judge(judges, real, samples)
        print(
            f"{name:<34}{fit_s:>7.0f}{steps:>8}{sample_s:>10.1f}"
            + "".join(f"{v:>12.2f}" for v in figures),
            flush=True,
        )
        rows[key] = [name, f"{fit_s:.0f}", str(steps), f"{sample_s:.1f}"] + [
            f"{v:.2f}" for v in figures
        ]

    report("real", "real training images (reference)", 0, 0, 0.0, X_train[:n])
    start = time.perf_counter()
    ours = DDPM(random_state=0, **({"max_iter": 1} if args.fast else {})).fit(X_train)
    budget = time.perf_counter() - start
    start = time.perf_counter()
    samples = ours.sample(n, random_state=0)
    sampler, steps = ours._sampler(None, None)
    timesteps = sampler.timesteps(ours.schedule_, steps)
    passes = len(timesteps)
    report(
        "skgen",
        f"skgen DDPM() (defaults, {sampler.name}-{passes})",
        budget,
        int(sum(ours.net_.history[:, "train_batch_count"])),
        time.perf_counter() - start,
        samples,
    )
    with cpu_settings():  # the thread count and subnormal flushing of skgen's fit
        start = time.perf_counter()
        model, scheduler, steps, side, pad = train_reference(X_train, budget)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        samples = sample_reference(
            model, scheduler, n, side, pad, sampler=sampler.name, timesteps=timesteps
        )
        sample_s = time.perf_counter() - start
    report(
        "diffusers",
        f"diffusers UNet2DModel (same seconds, {sampler.name}-{passes})",
        fit_s,
        steps,
        sample_s,
        samples,
    )
    if args.record:
        record(
            args.record,
            title=f"An external anchor on {args.data}: diffusers at skgen's DDPM budget",
            columns=COLUMNS,
            rows=rows,
            note="Both trained for the seconds skgen's default fit took, on the same machine "
            f"and thread count; both sampled with {sampler.name}, {passes} network passes "
            "a sample (diffusers' DPMSolverMultistepScheduler or DDIMScheduler); judges 1 "
            "and 2 as in bench_generators.py.",
        )


if __name__ == "__main__":
    main()
