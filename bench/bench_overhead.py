"""The cost of one training step in skgen against a plain PyTorch loop.

The networks are tiny (a few thousand weights), so the arithmetic costs
little and what is measured is the step's own cost: the training loop,
the objective's updates, the optimizers, the EMA. The same torch modules
are handed to skgen (``encoder=`` / ``decoder=``, ``denoiser=``,
``generator=`` / ``discriminator=``) and to a hand-written loop that does
the same work per batch:

* ``autoencoder``: a ``StackedAutoencoder``, one Adam update on the MSE;
* ``DDPM + EMA``: a ``DDPM`` (v-prediction, cosine schedule), a random
  timestep and noise per row, one Adam update, then the EMA of the weights;
* ``GAN, 2 optimizers``: a ``GAN`` (BCE, no R1 penalty, no EMA), one
  discriminator update and one generator update, each with its own Adam.

Both sides use the optimizer settings skgen picks (Adam with its fused CPU
kernel), a constant learning rate, and shuffle the rows each epoch with
``randperm``. A step's time is an epoch's time divided by its batches;
skgen's epochs come from its fit's history (the first, which warms up, is
left out), the loop's from the same number of epochs timed alike. The two
run in turn, ``--rounds`` times; medians are printed with their ratio.

Run: ``python bench/bench_overhead.py [--rounds 5] [--epochs 10] [--batch-size 32]
[--threads 1]``
"""

import argparse
import copy
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skgen import DDPM, GAN, StackedAutoencoder
from skgen._blocks import update_ema_
from skgen.diffusion import NoiseSchedule

N_ROWS, N_FEATURES, N_CODES = 2048, 16, 4


class Denoiser(nn.Module):
    """A small MLP that sees the timestep as one more input."""

    def __init__(self, n_timesteps=100):
        super().__init__()
        self.n_timesteps = n_timesteps
        self.net = nn.Sequential(
            nn.Linear(N_FEATURES + 1, 64), nn.ReLU(), nn.Linear(64, N_FEATURES)
        )

    def forward(self, x, t):
        return self.net(torch.cat([x, (t.float() / self.n_timesteps)[:, None]], dim=1))


def mlp(n_in, n_out):
    return nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, n_out))


def plain_autoencoder(X, batch_size, epochs, gen):
    encoder, decoder = mlp(N_FEATURES, N_CODES), mlp(N_CODES, N_FEATURES)
    params = [*encoder.parameters(), *decoder.parameters()]
    opt = torch.optim.Adam(params, lr=1e-3, fused=True)

    def step(xb):
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(decoder(encoder(xb)), xb)
        loss.backward()
        opt.step()
        return loss.detach()

    return _plain_epochs(X, batch_size, epochs, gen, step)


def plain_ddpm(X, batch_size, epochs, gen):
    denoiser = Denoiser()
    average = copy.deepcopy(denoiser).requires_grad_(False)
    n_updates = torch.zeros((), dtype=torch.long)
    schedule = NoiseSchedule(100, "cosine", prediction="v")
    opt = torch.optim.Adam(denoiser.parameters(), lr=1e-3, fused=True)

    def step(xb):
        t = torch.randint(0, 100, (xb.shape[0],), generator=gen)
        noise = torch.randn(xb.shape, generator=gen)
        opt.zero_grad(set_to_none=True)
        out = denoiser(schedule.add_noise(xb, noise, t), t)
        loss = ((out - schedule.target(xb, noise, t)) ** 2).mean()
        loss.backward()
        opt.step()
        update_ema_(average, denoiser, 0.999, n_updates)
        return loss.detach()

    return _plain_epochs(X, batch_size, epochs, gen, step)


def plain_gan(X, batch_size, epochs, gen):
    generator, discriminator = mlp(N_CODES, N_FEATURES), mlp(N_FEATURES, 1)
    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999), fused=True)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999), fused=True)

    def step(xb):
        n = xb.shape[0]
        with torch.no_grad():
            fake = generator(torch.randn((n, N_CODES), generator=gen))
        opt_d.zero_grad(set_to_none=True)
        real_score, fake_score = discriminator(xb), discriminator(fake)
        d_loss = F.binary_cross_entropy_with_logits(
            real_score, torch.ones_like(real_score)
        ) + F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        score = discriminator(generator(torch.randn((n, N_CODES), generator=gen)))
        g_loss = F.binary_cross_entropy_with_logits(score, torch.ones_like(score))
        g_loss.backward()
        opt_g.step()
        return torch.stack([g_loss.detach(), d_loss.detach()])

    return _plain_epochs(X, batch_size, epochs, gen, step)


def _plain_epochs(X, batch_size, epochs, gen, step):
    data = torch.from_numpy(X)
    n = data.shape[0]
    times = []
    for _ in range(epochs + 1):
        start = time.perf_counter()
        losses = []
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            losses.append(step(data.index_select(0, perm[i : i + batch_size])))
        torch.stack(losses).sum().item()  # one synchronisation per epoch, as skgen
        times.append(time.perf_counter() - start)
    return times[1:]  # the first epoch warms up, as skgen's is left out


COMMON = dict(learning_rate="constant", random_state=0, device="cpu")
SKGEN = {
    "autoencoder": lambda: StackedAutoencoder(
        N_CODES, encoder=mlp(N_FEATURES, N_CODES), decoder=mlp(N_CODES, N_FEATURES), **COMMON
    ),
    "DDPM + EMA": lambda: DDPM(n_timesteps=100, denoiser=Denoiser(), ema_decay=0.999, **COMMON),
    "GAN, 2 optimizers": lambda: GAN(
        N_CODES,
        generator=mlp(N_CODES, N_FEATURES),
        discriminator=mlp(N_FEATURES, 1),
        loss="bce",
        r1_penalty=0.0,
        ema_decay=None,
        validation_interval=None,
        **COMMON,
    ),
}
PLAIN = {"autoencoder": plain_autoencoder, "DDPM + EMA": plain_ddpm, "GAN, 2 optimizers": plain_gan}


def skgen_epochs(name, X, batch_size, epochs):
    est = SKGEN[name]().set_params(batch_size=batch_size, max_iter=epochs + 1).fit(X)
    return list(est.net_.history[1:, "dur"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10, help="timed epochs per round")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X = np.random.default_rng(0).normal(size=(N_ROWS, N_FEATURES)).astype(np.float32)
    n_batches = -(-N_ROWS // args.batch_size)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); {N_ROWS} rows of "
        f"{N_FEATURES}, batch {args.batch_size} ({n_batches} steps an epoch); "
        f"{args.rounds} rounds x {args.epochs} epochs, medians"
    )
    print(f"{'model':<20}{'skgen step (us)':>17}{'plain step (us)':>17}{'ratio':>8}")
    for name in SKGEN:
        ours, plain = [], []
        for r in range(args.rounds):
            gen = torch.Generator().manual_seed(r)
            ours += skgen_epochs(name, X, args.batch_size, args.epochs)
            plain += PLAIN[name](X, args.batch_size, args.epochs, gen)
        s, p = (statistics.median(v) / n_batches * 1e6 for v in (ours, plain))
        print(f"{name:<20}{s:>17.0f}{p:>17.0f}{s / p:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
