"""Data-parallel training with torch.distributed (DDP).

When a fit runs in a process group of several processes (started by
``torchrun``, or after the user's own ``init_process_group``), every process
holds the whole training set and the same model; each epoch's shuffled rows
are dealt out by rank from one permutation that every process draws alike,
gradients are averaged by ``DistributedDataParallel`` and losses by an
all-reduce, so all processes take the same steps and end with the same
weights.

skgen's objectives call a network's own methods (``encode``, ``generate``,
``discriminate``), not ``forward``; DDP only synchronises what runs through
its wrapper's ``forward``. ``ObjectiveRunner`` is that wrapper: its forward
calls a loss function on the network, so any objective, with any number of
forward passes, gradient penalties included, runs inside DDP.
"""

import atexit
import datetime
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Distributed:
    """The process's place in a process group of ``world_size`` > 1."""

    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self):
        return self.rank == 0


def _env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def current_context():
    """The process group this process is in, without initialising one:
    what inference and loading consult (they run no collective)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
        return None
    return Distributed(
        dist.get_rank(),
        dist.get_world_size(),
        _env_int("LOCAL_RANK", dist.get_rank() % max(torch.cuda.device_count(), 1)),
    )


def distributed_context():
    """The process group this process trains in, or None (one process).

    A group the user initialised is used as it is. Under ``torchrun`` (the
    ``WORLD_SIZE``, ``RANK`` and ``MASTER_ADDR`` variables it sets, with
    ``WORLD_SIZE`` > 1) a group is initialised here, with gloo for CPU
    tensors and NCCL for CUDA ones where CUDA is available, and destroyed at
    exit: a launch command is all a script needs.
    """
    if not dist.is_available():
        return None
    if not dist.is_initialized():
        launched = all(k in os.environ for k in ("WORLD_SIZE", "RANK", "MASTER_ADDR"))
        if not launched or _env_int("WORLD_SIZE", 1) < 2:
            return None
        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend=backend)
        atexit.register(_destroy)
    return current_context()


def _destroy():
    """Tear down the group skgen initialised, every process together: one
    that exits while another still tears down can make gloo's threads
    abort the other (SIGABRT, "terminate called without an active
    exception")."""
    if not dist.is_initialized():
        return
    try:
        if str(dist.get_backend()) == "gloo":
            # Bounded: a process that died must not hang the others' exit.
            dist.monitored_barrier(timeout=datetime.timedelta(seconds=60))
        else:
            dist.barrier()
    except RuntimeError:
        pass  # a peer is gone: tear down alone
    dist.destroy_process_group()


def process_device(device, ctx):
    """The device of this process: CUDA devices are assigned by local rank."""
    if ctx is None or device.type != "cuda" or device.index is not None:
        return device
    return torch.device("cuda", ctx.local_rank % torch.cuda.device_count())


def _collective_device():
    """Where tensors of a collective live: the CPU where the group has gloo,
    else (an NCCL-only group) the process's GPU, by local rank."""
    backend = str(dist.get_backend())
    if "gloo" in backend or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", _env_int("LOCAL_RANK", dist.get_rank()) % torch.cuda.device_count())


def rows_per_process(n_samples, ctx):
    """Rows each process trains on per epoch (all of them in one process)."""
    return n_samples if ctx is None else n_samples // ctx.world_size


def shared_random_state(random_state, ctx):
    """The fit's ``RandomState``, the same in every process.

    An integer seeds every process alike already; otherwise (None, a
    ``RandomState``) rank 0 draws a seed and broadcasts it, so the
    validation split, the initial weights and the shuffling agree.
    """
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    if isinstance(random_state, (int, np.integer)):
        return rng
    seed = torch.tensor(
        [int(rng.randint(np.iinfo(np.int32).max))], dtype=torch.int64, device=_collective_device()
    )
    dist.broadcast(seed, src=0)
    return np.random.RandomState(int(seed.item()))


def rank_generator(shared, ctx):
    """This rank's own noise stream, derived from the shared generator's
    seed without drawing from it (the shuffling stays aligned with a
    one-process fit)."""
    seed = (shared.initial_seed() + 1_000_003 * (ctx.rank + 1)) % (2**63)
    return torch.Generator(device=shared.device).manual_seed(seed)


def all_reduce_sums(values):
    """Element-wise sums of a list of floats over all processes."""
    tensor = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(tensor)
    return tensor.tolist()


class ObjectiveRunner(torch.nn.Module):
    """What DDP wraps: ``forward(loss_fn)`` returns ``loss_fn(module)``.

    It holds the network (and the objective, for any parameters of its
    own) as sub-modules, so DDP sees and synchronises their parameters,
    while the loss function may call any method of the network.
    """

    def __init__(self, module, objective):
        super().__init__()
        self.module = module
        self.objective = objective

    def forward(self, loss_fn):
        return loss_fn(self.module)


def wrap_objective(module, objective, *, find_unused_parameters):
    """``DistributedDataParallel`` over an ``ObjectiveRunner``.

    Construction broadcasts rank 0's parameters and buffers; every forward
    broadcasts rank 0's buffers again (BatchNorm statistics follow rank 0).
    ``find_unused_parameters`` is needed where an update leaves some
    parameters without a gradient (a GAN's discriminator step).
    """
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(
        ObjectiveRunner(module, objective),
        device_ids=None,
        find_unused_parameters=find_unused_parameters,
    )


def broadcast_buffers(module):
    """Give every process rank 0's buffers (running statistics, spectral
    norm vectors), which each process updated from its own batches."""
    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=0)


def check_callback(callback):
    """Refuse a callback that would leave the processes with different models."""
    if type(callback).__name__ == "Checkpoint" and getattr(callback, "load_best", False):
        raise ValueError(
            "Checkpoint(load_best=True) cannot be used when training in several "
            "processes: only the main process writes checkpoints, so only it would "
            "load the best one. Use early_stopping=True, which keeps the best weights "
            "in every process, or load_best=False."
        )


# Callbacks that write files or print: only the main process keeps them.
MAIN_PROCESS_CALLBACKS = {
    "Checkpoint",
    "TrainEndCheckpoint",
    "TensorBoard",
    "PrintLog",
    "ProgressBar",
    "WandbLogger",
    "NeptuneLogger",
    "MlflowLogger",
    "SacredLogger",
}


def main_process_only(callback):
    """Whether a skorch callback writes or prints (by its class's lineage)."""
    return any(cls.__name__ in MAIN_PROCESS_CALLBACKS for cls in type(callback).__mro__)
