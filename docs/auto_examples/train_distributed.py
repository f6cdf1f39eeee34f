"""
Training on several GPUs or machines
====================================

The same script trains in one process or in several, data-parallel: start
it with ``torchrun`` and every process fits its share of each batch, with
gradients averaged after every step, and all of them end with the same
model. Nothing in the script changes::

    python examples/train_distributed.py                              # one process
    torchrun --nproc_per_node=2 examples/train_distributed.py         # 2 processes (GPUs)
    torchrun --nnodes=2 --nproc_per_node=4 --rdzv-backend=c10d \\
        --rdzv-endpoint=HOST:29500 examples/train_distributed.py      # 2 machines x 4 GPUs

On GPUs each process takes the GPU of its local rank; on CPUs the processes
share the machine's cores (torchrun gives each one thread). ``batch_size``
is per process: with 2 processes and ``batch_size=64`` every step averages
the gradients of 128 rows. The main process (rank 0) prints, saves the
model and draws the figure; the others only train.

The gallery shows this script run in one process. Set
``SKGEN_EXAMPLES_FAST=1`` for a quick run whose model is barely trained.
"""

import os

import matplotlib.pyplot as plt
import torch.distributed as dist
from sklearn.datasets import load_digits

from skgen import VariationalAutoencoder
from skgen.plotting import ImageGridDisplay, LossCurveDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"

X = load_digits().data / 16
vae = VariationalAutoencoder(10, batch_size=64, max_iter=5 if FAST else "auto",
                             random_state=0).fit(X)

# %%
# Every process returns from ``fit`` with the same fitted model; only the
# main one reports.
rank = dist.get_rank() if dist.is_initialized() else 0
world_size = dist.get_world_size() if dist.is_initialized() else 1
if rank == 0:
    print(f"{world_size} process(es), {vae.n_iter_} epochs, "
          f"final loss {vae.loss_curve_[-1]:.2f}")
    vae.save("distributed-vae")  # skgen.load("distributed-vae") reads it anywhere

    fig, (ax_loss, ax_samples) = plt.subplots(1, 2, figsize=(10, 4))
    LossCurveDisplay.from_estimator(vae, ax=ax_loss)
    ImageGridDisplay.from_estimator(vae, n_samples=32, random_state=0, image_shape=(8, 8),
                                    ax=ax_samples, title="samples")
    fig.tight_layout()
    fig.savefig("distributed_vae.png")
