"""A DDPM on digits: samples over training, the noising process, DDPM vs DDIM.

Trains the U-Net DDPM (``architecture="unet"``, cosine schedule, 1000
steps) on scikit-learn's 8x8 digits in rounds (``warm_start=True``), and
saves ``ddpm_digits.png``:

* a row of DDIM samples after each round of training;
* the forward (noising) process of one digit at several timesteps, through
  the fitted model's ``schedule_.add_noise``;
* sampling time against quality: ancestral DDPM over all 1000 steps and
  DDIM over 10, 25, 50 and 100 steps from the same fitted model, each with
  the energy distance of its samples to held-out digits;
* guided samples of a conditional model, one row per requested class.

    python examples/plot_ddpm_digits.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a smoke run with a few epochs.
"""

import os
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import DDPM
from skgen.metrics import energy_distance

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
ROUNDS = [1, 1] if FAST else [5, 5, 10, 20]  # epochs added per round
N_COMPARE = 20 if FAST else 300


def main(output="ddpm_digits.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    digits = load_digits()
    X_train, X_test, y_train, _ = train_test_split(digits.images / 16, digits.target,
                                                   test_size=0.2, random_state=0)
    ddpm = DDPM(architecture="unet", warm_start=True, random_state=0)
    progress = []
    for epochs in ROUNDS:
        ddpm.set_params(max_iter=epochs).fit(X_train)
        progress.append((ddpm.n_iter_, ddpm.sample(10, random_state=0, sampler="ddim")))

    # The forward process on one training digit, in the model's [-1, 1] space.
    x0 = torch.tensor(X_train[:1].reshape(1, -1) * 2 - 1, dtype=torch.float32)
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
    steps = [0, 100, 250, 500, 750, 999]
    noised = [ddpm.schedule_.add_noise(x0, noise, torch.tensor([t])).reshape(8, 8).numpy()
              for t in steps]

    flat_test = X_test.reshape(len(X_test), -1)
    rows = []
    for sampler, n_steps in [("ddpm", None), ("ddim", 100), ("ddim", 50), ("ddim", 25),
                             ("ddim", 10)]:
        start = time.perf_counter()
        samples = ddpm.sample(N_COMPARE, random_state=1, sampler=sampler,
                              n_inference_steps=n_steps)
        seconds = time.perf_counter() - start
        dist = energy_distance(samples.reshape(N_COMPARE, -1), flat_test)
        label = "DDPM 1000" if n_steps is None else f"DDIM {n_steps}"
        rows.append((label, seconds, dist))
        print(f"{label:<10} {seconds:7.2f} s  energy distance {dist:.3f}")

    guided = DDPM(architecture="unet", conditional=True, max_iter=sum(ROUNDS),
                  random_state=0).fit(X_train, y_train)
    by_class = [guided.sample(8, y=c, random_state=c, sampler="ddim") for c in range(10)]

    fig = plt.figure(figsize=(16, 9))
    grid = fig.add_gridspec(3, 2)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(np.vstack([np.hstack(s) for _, s in progress]), cmap="binary", vmin=0, vmax=1,
              interpolation="nearest")
    ax.set_yticks([4 + 8 * i for i in range(len(progress))],
                  [f"{n} epochs" for n, _ in progress])
    ax.set_xticks([])
    ax.set_title("DDIM samples over training")
    ax = fig.add_subplot(grid[1, 0])
    ax.imshow(np.hstack(noised), cmap="binary", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks([4 + 8 * i for i in range(len(steps))], [f"t={t}" for t in steps])
    ax.set_yticks([])
    ax.set_title("the forward process: schedule_.add_noise(x0, noise, t)")
    ax = fig.add_subplot(grid[:2, 1])
    for label, seconds, dist in rows:
        ax.scatter(seconds, dist, s=40)
        ax.annotate(label, (seconds, dist), textcoords="offset points", xytext=(5, 5))
    ax.set_xscale("log")
    ax.set_xlabel(f"seconds for {N_COMPARE} samples (log scale)")
    ax.set_ylabel("energy distance to held-out digits")
    ax.set_title("one fitted model, several samplers")
    ax = fig.add_subplot(grid[2, :])
    ax.imshow(np.hstack([np.vstack(s) for s in by_class]), cmap="binary", vmin=0, vmax=1,
              interpolation="nearest")
    ax.set_xticks([4 + 8 * c for c in range(10)], [f"y={c}" for c in range(10)])
    ax.set_yticks([])
    ax.set_title("conditional, guidance_scale=3: sample(8, y=c)")
    fig.tight_layout()
    fig.savefig(output, dpi=80)
    plt.close(fig)
    print(f"saved {output}")


if __name__ == "__main__":
    main()
