"""skorch's NeuralNet, trained by one loop over an objective's steps.

skorch gives skgen its callback contract, history, optimizer routing,
device handling and (GPU-safe) pickling; users see a skorch net as
``net_`` and every skorch callback works on it. skgen owns the loop:
``fit_loop`` is replaced as a whole (skorch's ``partial_fit`` still calls
it), and nothing of skorch's per-batch loop runs. The loop

* iterates batches that are slices of tensors already in memory or of
  buffers streamed from disk (``_data``), not a ``DataLoader``;
* runs the one training step, :meth:`TrainingNet.train_batch`: the
  objective's optimizer updates (each through :meth:`TrainingNet.update`,
  where mixed precision, loss scaling, DDP and ``on_grad_computed`` apply),
  then the network's EMA;
* decays the learning rates step by step with ``learning_rate="cosine"``
  (:class:`RateSchedule`);
* records each epoch's mean losses with one device synchronisation per
  epoch. Only when a callback listens to batch events (or reads the
  per-batch history, as skorch's checkpoints do) does it also notify them
  and record every batch, in the same loop;
* measures a held-out quality figure every few epochs (:class:`Monitor`)
  and asks an early-stopping rule (``_callbacks.EarlyStopper``) after each
  epoch, both given per ``partial_fit`` call. A callback may also stop
  training by raising ``KeyboardInterrupt``, as skorch's own
  ``EarlyStopping`` does.
"""

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, Checkpoint, EpochTimer, TrainEndCheckpoint
from skorch.utils import TeeGenerator

from ._distributed import all_reduce_sums, broadcast_buffers, wrap_objective

_BATCH_EVENTS = ("on_batch_begin", "on_batch_end", "on_grad_computed")
# Callbacks that read the per-batch history (skorch's checkpoints name
# their files from ``history[-1, "batches", -1]``): with one of them the
# loop records every batch, as with a batch-event callback.
_READ_BATCH_HISTORY = (Checkpoint, TrainEndCheckpoint)


class NonFiniteLoss(Exception):
    """Internal: the loss of an epoch was NaN or infinite."""

    def __init__(self, prefix, value, epoch):
        super().__init__(prefix, value, epoch)
        self.prefix, self.value, self.epoch = prefix, value, epoch


@dataclass
class Monitor:
    """A held-out quality figure, recorded every ``interval`` epochs of a fit.

    ``fn(net, data)`` computes it on the held-out ``TensorData`` (lower is
    better, for example the MMD between samples and the held-out rows); the
    loop records it in the history as ``monitor_<name>`` before the epoch's
    callbacks run, so they (and the progress bar) see it. ``fit`` holds out
    ``holdout_rows`` rows for it; ``parameter`` names what turns it off.
    """

    name: str
    interval: int
    fn: Callable
    parameter: str
    max_rows: int = 1000
    data: object = None

    @property
    def key(self):
        return f"monitor_{self.name}"

    def holdout_rows(self, n_samples, fraction):
        """``fraction`` of ``n_samples``, at least 2, at most ``max_rows``."""
        n_valid = min(max(math.ceil(fraction * n_samples), 2), self.max_rows)
        if n_samples - n_valid < 1:
            raise ValueError(
                f"{self.parameter}={self.interval} holds out {n_valid} rows to monitor "
                f"the {self.name}, which leaves none to train on: n_samples={n_samples}. "
                f"Use more samples or set {self.parameter}=None."
            )
        return n_valid

    def after_epoch(self, net):
        if self.data is not None and len(net.history) % self.interval == 0:
            net.history.record(self.key, float(self.fn(net, self.data)))


class RateSchedule:
    """The cosine decay of ``learning_rate="cosine"``, one step at a time.

    Before the ``s``-th of ``total_steps`` steps, every parameter group's
    rate becomes its base rate times ``(1 + cos(pi * s / total_steps)) / 2``.
    :meth:`restore` puts the base rates back for the next call.
    """

    def __init__(self, groups, total_steps):
        self.groups = groups
        self.base_rates = [group["lr"] for group in groups]
        self.total_steps = max(int(total_steps), 1)
        self.step = 0

    def before_step(self):
        factor = 0.5 * (1.0 + math.cos(math.pi * self.step / self.total_steps))
        for group, rate in zip(self.groups, self.base_rates):
            group["lr"] = rate * factor
        self.step += 1

    def restore(self):
        for group, rate in zip(self.groups, self.base_rates):
            group["lr"] = rate


# Reusable: entering and leaving it does nothing.
_NO_AUTOCAST = contextlib.nullcontext()


def _optimizer_name(group):
    return "optimizer" if not group else f"optimizer_{group}"


class TrainingNet(NeuralNet):
    """The skorch net every skgen estimator owns as ``net_``.

    ``module`` is the torch network and ``criterion`` the objective (a
    ``skgen._objective.Objective``), which also says how many optimizers
    there are and what each steps. Data passed to ``partial_fit`` is a
    pair ``(train, valid)`` of ``TensorData`` or ``ChunkedData`` (``valid``
    may be None). Before training, the estimator sets ``generator_``, the
    ``torch.Generator`` every random draw of the loop uses.
    """

    generator_ = None
    # In a process group (skgen._engine._distributed): the process's place
    # (``Distributed``), the generator of the shuffling, which every process
    # draws alike while ``generator_`` is the process's own noise, and the
    # call of the DDP wrapper of a running fit (a bound method: skorch
    # allows torch modules as attributes only while initialising).
    distributed_ = None
    shuffle_generator_ = None
    _ddp_call = None
    # Whether DDP must look for parameters an update leaves without a
    # gradient (a user's network may hold some; several optimizers do).
    ddp_find_unused_parameters = False
    # "constant" or "cosine": whether the loop decays the rates step by step.
    learning_rate_schedule = "constant"
    _batch_events = False
    # The optimizer of each of the objective's groups, for the steps of a fit.
    _step_optimizers = None
    # Set by the estimator on fresh and continued fits: the autocast dtype
    # of mixed precision (None: float32), fp16's ``torch.amp.GradScaler``,
    # and whether training runs the networks' forward passes through
    # torch.compile (see ``compiled``).
    autocast_dtype = None
    grad_scaler_ = None
    compile_networks = False
    # torch.compile's mode; "reduce-overhead" replays CUDA graphs, which
    # need to be told where each training step begins.
    compile_mode = None
    # ``module`` and ``criterion`` are passed as instances, the same objects
    # as ``module_`` / ``criterion_``. Listing them here routes them through
    # skorch's device-aware pickling too, so a net fitted on a GPU unpickles
    # on a machine without one (skorch appends ``module_`` etc. itself).
    cuda_dependent_attributes_ = ["module", "criterion"]

    def get_default_callbacks(self):
        # Losses are recorded by the loop itself; printing is the
        # estimator's ``verbose``.
        return [("epoch_timer", EpochTimer())]

    def initialize(self):
        super().initialize()
        self.best_losses_ = {}
        return self

    @property
    def ema_decay(self):
        """The EMA decay the training step applies (the objective's)."""
        return self.criterion_.ema_decay

    # -- optimizers --------------------------------------------------------
    def initialize_optimizer(self, triggered_directly=None):
        groups = self.criterion_.parameter_groups(self.module_)
        if groups is None:
            return super().initialize_optimizer()
        kwargs = self.get_params_for("optimizer")
        for (group, params), lr in zip(groups.items(), self._rates(len(groups))):
            setattr(self, _optimizer_name(group) + "_", self.optimizer(params, lr=lr, **kwargs))
        return self

    def _rates(self, n):
        """The learning rate of each of ``n`` groups: one for all, or one each."""
        lr = self.lr
        return list(lr) if isinstance(lr, (tuple, list)) else [lr] * n

    def _optimizer(self, group):
        return getattr(self, _optimizer_name(group) + "_")

    def set_learning_rate(self, lr):
        """Give every group the rate ``lr``, or each group its own (a tuple)."""
        self.lr = lr
        for group, rate in zip(self.criterion_.groups(), self._rates(len(self._optimizers))):
            for param_group in self._optimizer(group).param_groups:
                param_group["lr"] = rate

    # -- the training step ------------------------------------------------
    def _autocast(self):
        if self.autocast_dtype is None:
            return _NO_AUTOCAST
        return torch.autocast(torch.device(self.device).type, dtype=self.autocast_dtype)

    def update(self, optimizer, loss_fn, batch):
        """One optimizer update: ``loss_fn(module)`` under mixed precision
        (through DDP in a process group, which averages the gradients), its
        gradient (scaled with fp16), callbacks' ``on_grad_computed`` with
        the true (unscaled) gradients of this optimizer's parameters, the
        step and, with fp16, the loss scale's update. Returns the detached
        loss."""
        optimizer.zero_grad(set_to_none=True)
        with self._autocast():
            loss = loss_fn(self.module_) if self._ddp_call is None else self._ddp_call(loss_fn)
        scaler = self.grad_scaler_
        (loss if scaler is None else scaler.scale(loss)).backward()
        if self._batch_events:
            if scaler is not None:
                scaler.unscale_(optimizer)
            own = {id(p) for group in optimizer.param_groups for p in group["params"]}
            named = (
                (name, p)
                for name, p in self.module_.named_parameters()
                if id(p) in own and p.requires_grad
            )
            self.notify(
                "on_grad_computed", batch=batch, training=True, named_parameters=TeeGenerator(named)
            )
        if scaler is None:
            optimizer.step()
        else:
            # A step skipped for an inf/NaN gradient lowers the scale; one
            # update per optimizer step, so a GAN's n_critic steps of one
            # optimizer each get theirs.
            scaler.step(optimizer)
            scaler.update()
        return loss.detach()

    def train_batch(self, batch):
        """The one training step: the objective's updates, then the EMA.
        Returns the losses as a 1-D tensor, the main group's first (the
        last update of each group counts)."""
        objective, optimizers = self.criterion_, self._step_optimizers
        if self.compile_networks and self.compile_mode == "reduce-overhead":
            # A new step: the graphs may reuse the last step's outputs' memory.
            torch.compiler.cudagraph_mark_step_begin()
        losses = {}
        for group, loss_fn in objective.updates(batch, self.generator_, self.grad_scaler_):
            losses[group] = self.update(optimizers[group], loss_fn, batch)
        if objective.ema_decay is not None:
            self.module_.update_ema(objective.ema_decay)
        if len(losses) == 1:  # no stacking kernel on the common path
            return losses[""].reshape(1)
        return torch.stack([losses[g].float().reshape(()) for g in objective.groups()])

    def validation_loss(self, batch):
        return self.criterion_(
            self.module_, batch, generator=self.generator_, training=False
        ).reshape(1)

    # -- the loop ----------------------------------------------------------
    def fit_loop(self, X, y=None, epochs=None, *, early_stopping=None, monitor=None, **fit_params):
        """Train for ``epochs`` epochs (default ``max_epochs``) on ``X``,
        a pair ``(train, valid)``; ``early_stopping`` (an ``EarlyStopper``)
        is asked after every epoch and ``monitor`` (a :class:`Monitor`)
        measures the held-out quality."""
        self.check_training_readiness()
        epochs = self.max_epochs if epochs is None else epochs
        train, valid = X
        kwargs = {"dataset_train": train, "dataset_valid": valid}
        self._step_optimizers = {g: self._optimizer(g) for g in self.criterion_.groups()}
        it_train = self._batches(train, training=True)
        it_valid = None if valid is None else self._batches(valid, training=False)
        self._batch_events = self._callbacks_use_batch_events()
        # Only the cosine schedule touches the rates, so that a user's own
        # LRScheduler callback keeps working with the constant one.
        schedule = None
        if self.learning_rate_schedule == "cosine":
            groups = [
                group
                for name in self._optimizers
                for group in getattr(self, name + "_").param_groups
            ]
            schedule = RateSchedule(groups, epochs * len(it_train))
        try:
            with self._training():
                for _ in range(epochs):
                    self._epoch(it_train, it_valid, schedule, monitor, kwargs)
                    if early_stopping is not None and early_stopping.update(self):
                        break
        except KeyboardInterrupt:
            pass  # skorch's own EarlyStopping callback stops this way
        finally:
            self._step_optimizers = None
            if schedule is not None:
                schedule.restore()
        if early_stopping is not None:
            early_stopping.restore(self)
        if self.distributed_ is not None:
            # Not on an error path: a process that failed alone must exit,
            # not wait in a collective the others never join.
            broadcast_buffers(self.module_)
        return self

    def _epoch(self, it_train, it_valid, schedule, monitor, kwargs):
        """One epoch: training, validation, the monitor, the callbacks."""
        self.notify("on_epoch_begin", **kwargs)
        self._run_epoch(it_train, True, schedule)
        if it_valid is not None:
            self._run_epoch(it_valid, False)
        if self.distributed_ is not None:
            # Running statistics (BatchNorm) and other buffers each process
            # updated from its own rows: rank 0's, before a monitor or a
            # callback looks at the model.
            broadcast_buffers(self.module_)
        if monitor is not None:
            monitor.after_epoch(self)
        self.notify("on_epoch_end", **kwargs)

    def _batches(self, dataset, training):
        ctx = self.distributed_
        return dataset.batches(
            self.batch_size,
            shuffle=training,
            generator=self.shuffle_generator_ or self.generator_,
            device=torch.device(self.device),
            rank=0 if ctx is None else ctx.rank,
            world_size=1 if ctx is None else ctx.world_size,
        )

    @contextlib.contextmanager
    def _training(self):
        """DDP's wrapper in a process group, and compiled forward passes."""
        if not hasattr(self, "compiled_forwards_"):
            self.compiled_forwards_ = {}
        if self.distributed_ is not None:
            self._ddp_call = wrap_objective(
                self.module_,
                self.criterion_,
                find_unused_parameters=self.ddp_find_unused_parameters,
            ).__call__
        try:
            with self.compiled():
                yield
        finally:
            self._ddp_call = None

    def _run_epoch(self, iterator, training, schedule=None):
        """One pass over ``iterator``; records the epoch's mean losses."""
        self._set_training(training)
        prefix = "train" if training else "valid"
        names = self._loss_names(training)
        events = self._batch_events
        # The losses go into one tensor allocated for the epoch, read with
        # one synchronisation at its end. Not a list of per-batch tensors:
        # thousands of small tensors kept alive between the batches' large
        # ones fragment the heap, and a streamed epoch's memory then grows
        # with the data.
        losses, sizes = None, []
        with contextlib.nullcontext() if training else torch.no_grad():
            for i, batch in enumerate(iterator):
                if schedule is not None:
                    schedule.before_step()
                if events:
                    self.notify("on_batch_begin", batch=batch, training=training)
                loss = self.train_batch(batch) if training else self.validation_loss(batch)
                if losses is None:
                    losses = torch.empty(
                        (max(len(iterator), 1), loss.shape[0]), dtype=loss.dtype, device=loss.device
                    )
                elif i == losses.shape[0]:  # more batches than announced
                    losses = torch.cat([losses, torch.empty_like(losses)])
                losses[i] = loss.detach()
                sizes.append(batch[0].shape[0])
                if events:
                    self._record_batch(prefix, names, loss, sizes[-1])
                    self.notify(
                        "on_batch_end", batch=batch, training=training, loss=loss[0], y_pred=None
                    )
        self.history.record(f"{prefix}_batch_count", len(sizes))
        self._record_epoch(prefix, names, losses, sizes)

    def _loss_names(self, training):
        """History keys of the step's losses: ``<prefix>_loss`` for the main
        group, ``train_<group>_loss`` for the others."""
        if not training:
            return ["valid_loss"]
        return ["train_loss"] + [f"train_{g}_loss" for g in self.criterion_.groups()[1:]]

    def _record_batch(self, prefix, names, loss, size):
        for name, value in zip(names, loss.tolist()):
            self.history.record_batch(name, value)
        self.history.record_batch(f"{prefix}_batch_size", size)

    def _record_epoch(self, prefix, names, losses, sizes):
        if sizes:
            weights = torch.tensor(sizes, dtype=torch.float64, device=losses.device)
            means = (
                (losses[: len(sizes)].to(torch.float64) * weights[:, None]).sum(0) / weights.sum()
            ).tolist()
        else:
            means = [math.nan] * len(names)
        n_rows = sum(sizes)
        if self.distributed_ is not None:
            # Every process records the mean over all processes' rows.
            sums = all_reduce_sums([m * n_rows if n_rows else 0.0 for m in means] + [n_rows])
            means = [v / sums[-1] if sums[-1] else math.nan for v in sums[:-1]]
        for name, value in zip(names[1:], means[1:]):
            self.history.record(name, value)
        loss = means[0]
        if not math.isfinite(loss):
            raise NonFiniteLoss(prefix, loss, len(self.history))
        self.history.record(f"{prefix}_loss", loss)
        best = self.best_losses_.get(prefix, math.inf)
        self.history.record(f"{prefix}_loss_best", loss < best)
        self.best_losses_[prefix] = min(loss, best)

    def _callbacks_use_batch_events(self):
        for _, cb in self.callbacks_:
            if isinstance(cb, _READ_BATCH_HISTORY):
                return True
            for event in _BATCH_EVENTS:
                if getattr(type(cb), event) is not getattr(Callback, event):
                    return True
        return False

    # -- compiled forward passes ---------------------------------------------
    @contextlib.contextmanager
    def compiled(self):
        """Run the trainable networks' forward passes compiled, for a while.

        With ``compile_networks``, each direct sub-network of the module
        that has trainable parameters (encoder, decoder, generator,
        discriminator, denoiser; not an EMA copy, nor a network the
        objective's ``uncompiled()`` names) gets a ``forward`` that
        ``torch.compile`` compiled in ``compile_mode``, as an instance
        attribute, so parameter names and ``state_dict`` keys do not
        change. The random draws of the objectives (noise, timesteps,
        shuffling) stay outside the compiled regions. On exit the plain
        ``forward`` is back: inference, copies and pickles never see
        compiled code.
        """
        children = []
        try:
            if self.compile_networks:
                eager = set(self.criterion_.uncompiled())
                for name, child in self.module_.named_children():
                    # An EMA copy (no trainable parameter) is not compiled,
                    # nor is a network whose own forward attribute is set,
                    # nor one the objective differentiates twice.
                    if (
                        name in eager
                        or "forward" in vars(child)
                        or not any(p.requires_grad for p in child.parameters())
                    ):
                        continue
                    mode = self.compile_mode
                    cache = self.compiled_forwards_.get(id(child))
                    if cache is None or cache[0] is not child or cache[2] != mode:
                        cache = self.compiled_forwards_[id(child)] = (
                            child,
                            torch.compile(type(child).forward, mode=mode),
                            mode,
                        )
                    child.forward = cache[1].__get__(child)
                    children.append(child)
            yield
        finally:
            for child in children:
                del child.forward

    def __getstate__(self):
        state = super().__getstate__()
        # Compiled code does not pickle, and fp16's loss scale holds a CUDA
        # tensor outside skorch's device mapping: a continued fit makes new
        # ones (the scale then starts over).
        state.pop("compiled_forwards_", None)
        state.pop("_step_optimizers", None)
        state["grad_scaler_"] = None
        return state
