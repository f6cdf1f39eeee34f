"""skorch's NeuralNet, driven by an objective module and in-memory tensors.

skorch gives skgen its callbacks, history, optimizer routing, device
handling and (GPU-safe) pickling. What this subclass changes is only what
costs time or does not fit generative models:

* batches are slices of tensors already in memory (``TensorBatches``),
  or of buffers streamed from disk (``ChunkBatches``), instead of a
  ``DataLoader`` that indexes and collates sample by sample;
* the loss comes from an objective module called as
  ``objective(module, batch, generator=..., training=...)``, so that losses
  that need the encoder's codings, input noise or several forward passes
  (VAE, GAN, diffusion) fit the same loop;
* when no callback listens to batch events, an epoch runs in a tight loop
  that sets train mode once and records the loss once per epoch (one
  device synchronisation per epoch). Callbacks that do listen to batches
  (skorch's ``ProgressBar``, batch-wise ``LRScheduler``, ...) switch the
  epoch back to skorch's own per-batch loop, so they see what they expect;
* early stopping is decided by an object the loop asks after each epoch,
  not by raising ``KeyboardInterrupt``;
* both epoch paths run the one training step, ``fit_batch``: a family's
  optimizer updates (``batch_updates``, each through ``update``, where
  mixed precision and loss scaling apply), then the loss scale and the
  EMA. A per-step feature is written there once.
"""

import contextlib
import math

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


class CosineRates:
    """Training batches that set the learning rates on the way: a cosine decay.

    Before the ``s``-th of ``total_steps`` batches, every parameter group's
    rate becomes its base rate times ``(1 + cos(pi * s / total_steps)) / 2``.
    Both epoch paths (the fast loop and skorch's per-batch loop) iterate over
    the batches, so both follow the same schedule, one step at a time.
    """

    def __init__(self, batches, groups, total_steps):
        self.batches = batches
        self.groups = groups
        self.base_rates = [group["lr"] for group in groups]
        self.total_steps = max(int(total_steps), 1)
        self.step = 0

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            factor = 0.5 * (1.0 + math.cos(math.pi * self.step / self.total_steps))
            for group, rate in zip(self.groups, self.base_rates):
                group["lr"] = rate * factor
            self.step += 1
            yield batch

    def restore(self):
        """Put the base rates back, for the next fit or partial_fit."""
        for group, rate in zip(self.groups, self.base_rates):
            group["lr"] = rate


class TrainingNet(NeuralNet):
    """The skorch net every skgen estimator owns as ``net_``.

    ``module`` is the torch network and ``criterion`` the objective module.
    Data passed to :meth:`partial_fit` / :meth:`fit_loop` is a pair
    ``(train, valid)`` of ``TensorData`` or ``ChunkedData`` (``valid`` may
    be None).
    Before training, the estimator sets ``generator_``, the
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
    # Whether an update may leave parameters without a gradient (DDP must
    # then look for them).
    ddp_find_unused_parameters = False
    # "constant" or "cosine": whether fit_loop decays the rates step by step.
    learning_rate_schedule = "constant"
    _batch_events = False
    # Names of the extra losses ``fit_batch`` returns after the main one
    # (a GAN's discriminator loss); each is recorded as ``train_<name>``.
    extra_losses = ()
    # Set by the estimator on fresh and warm-started nets: the EMA decay of
    # a module with ``update_ema`` (None: no EMA), the autocast dtype of
    # mixed precision (None: float32) and fp16's ``torch.amp.GradScaler``.
    ema_decay = None
    autocast_dtype = None
    grad_scaler_ = None
    # Whether training runs the networks' forward passes through
    # torch.compile (see ``compiled``).
    compile_networks = False
    # ``module`` and ``criterion`` are passed as instances, the same objects
    # as ``module_`` / ``criterion_``. Listing them here routes them through
    # skorch's device-aware pickling too, so a net fitted on a GPU unpickles
    # on a machine without one (skorch appends ``module_`` etc. itself).
    cuda_dependent_attributes_ = ["module", "criterion"]

    def get_default_callbacks(self):
        # Loss recording is done by the loop itself (see run_single_epoch);
        # printing is the estimator's ``verbose``.
        return [("epoch_timer", EpochTimer())]

    def initialize(self):
        super().initialize()
        self.best_losses_ = {}
        return self

    # -- data --------------------------------------------------------------
    def get_iterator(self, dataset, training=False):
        ctx = self.distributed_
        return dataset.batches(
            self.batch_size, shuffle=training,
            generator=self.shuffle_generator_ or self.generator_,
            device=torch.device(self.device),
            rank=0 if ctx is None else ctx.rank,
            world_size=1 if ctx is None else ctx.world_size,
        )

    # -- the training step ------------------------------------------------
    def set_learning_rate(self, lr):
        """Give every parameter group the learning rate ``lr``."""
        for name in self._optimizers:
            for group in getattr(self, name + "_").param_groups:
                group["lr"] = lr

    def _autocast(self):
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
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
            named = ((name, p) for name, p in self.module_.named_parameters()
                     if id(p) in own and p.requires_grad)
            self.notify("on_grad_computed", batch=batch, training=True,
                        named_parameters=TeeGenerator(named))
        if scaler is None:
            optimizer.step()
        else:
            # A step skipped for an inf/NaN gradient lowers the scale; one
            # update per optimizer step, so a GAN's n_critic steps of one
            # optimizer each get theirs.
            scaler.step(optimizer)
            scaler.update()
        return loss.detach()

    def batch_updates(self, batch):
        """The optimizer updates of one batch; returns their losses, the
        main one first, then those named in ``extra_losses``. Estimators
        with several optimizers (GANs) override this."""
        return [self.update(self.optimizer_, lambda module: self.criterion_(
            module, batch, generator=self.generator_, training=True), batch)]

    def fit_batch(self, batch):
        """The one training step of both epoch paths: the batch's updates,
        then the EMA. Returns the losses as a 1-D tensor."""
        losses = self.batch_updates(batch)
        if self.ema_decay is not None:
            self.module_.update_ema(self.ema_decay)
        if len(losses) == 1:  # no stacking kernel on the common path
            return losses[0].reshape(1)
        return torch.stack([loss.float().reshape(()) for loss in losses])

    def train_step(self, batch, **fit_params):
        # skorch's per-batch loop (used when a callback listens to batches).
        self._set_training(True)
        losses = self.fit_batch(batch)
        for name, value in zip(self.extra_losses, losses[1:]):
            self.history.record_batch(f"train_{name}", value.item())
        return {"loss": losses[0], "y_pred": None}

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        with torch.no_grad():
            loss = self.criterion_(
                self.module_, batch, generator=self.generator_, training=False
            )
        return {"loss": loss, "y_pred": None}

    # -- the loop ----------------------------------------------------------
    def fit_loop(self, X, y=None, epochs=None, *, early_stopping=None, **fit_params):
        """Train for ``epochs`` epochs (default ``max_epochs``) on ``X``.

        ``X`` is ``(train, valid)``; ``early_stopping`` an optional
        ``EarlyStopper`` asked after every epoch.
        """
        self.check_training_readiness()
        epochs = self.max_epochs if epochs is None else epochs
        train, valid = X
        kwargs = {"dataset_train": train, "dataset_valid": valid}
        it_train = self.get_iterator(train, training=True)
        it_valid = None if valid is None else self.get_iterator(valid, training=False)
        self._batch_events = self._callbacks_use_batch_events()
        # Only the cosine schedule touches the rates, so that a user's own
        # LRScheduler callback keeps working with the constant one.
        schedule = None
        if self.learning_rate_schedule == "cosine":
            groups = [group for name in self._optimizers
                      for group in getattr(self, name + "_").param_groups]
            it_train = schedule = CosineRates(it_train, groups, epochs * len(it_train))
        try:
            for _ in range(epochs):
                self.notify("on_epoch_begin", **kwargs)
                self.run_single_epoch(it_train, True, "train", self.train_step)
                self.run_single_epoch(it_valid, False, "valid", self.validation_step)
                if self.distributed_ is not None:
                    # Running statistics (BatchNorm) and other buffers each
                    # process updated from its own rows: rank 0's, before
                    # callbacks (a quality monitor) look at the model.
                    broadcast_buffers(self.module_)
                self.notify("on_epoch_end", **kwargs)
                if early_stopping is not None and early_stopping.update(self):
                    break
        finally:
            if schedule is not None:
                schedule.restore()
        if early_stopping is not None:
            early_stopping.restore(self)
        return self

    @contextlib.contextmanager
    def compiled(self):
        """Run the trainable networks' forward passes compiled, for a while.

        With ``compile_networks``, each direct sub-network of the module
        that has trainable parameters (encoder, decoder, generator,
        discriminator, denoiser; not an EMA copy) gets a ``forward`` that
        ``torch.compile`` compiled, as an instance attribute, so parameter
        names and ``state_dict`` keys do not change. The random draws of the
        objectives (noise, timesteps, shuffling) stay outside the compiled
        regions. On exit the plain ``forward`` is back: inference, copies and
        pickles never see compiled code.
        """
        children = []
        try:
            if self.compile_networks:
                for child in self.module_.children():
                    # An EMA copy (no trainable parameter) is not compiled,
                    # nor is a network whose own forward attribute is set.
                    if "forward" in vars(child) or not any(
                            p.requires_grad for p in child.parameters()):
                        continue
                    cache = self.compiled_forwards_.get(id(child))
                    if cache is None or cache[0] is not child:
                        cache = self.compiled_forwards_[id(child)] = (
                            child, torch.compile(type(child).forward))
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
        state["grad_scaler_"] = None
        return state

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        if not self.initialized_:
            self.initialize()
        if not hasattr(self, "compiled_forwards_"):
            self.compiled_forwards_ = {}
        self.notify("on_train_begin", X=X, y=y, epochs=fit_params.get("epochs"))
        if self.distributed_ is not None:
            self._ddp_call = wrap_objective(
                self.module_, self.criterion_,
                find_unused_parameters=self.ddp_find_unused_parameters).__call__
        try:
            with self.compiled():
                self.fit_loop(X, y, **fit_params)
        except KeyboardInterrupt:
            # skorch's own EarlyStopping callback stops this way; honour it.
            pass
        finally:
            self._ddp_call = None
        if self.distributed_ is not None:
            # Not on an error path: a process that failed alone must exit,
            # not wait in a collective the others never join.
            broadcast_buffers(self.module_)
        self.notify("on_train_end", X=X, y=y)
        return self

    def _callbacks_use_batch_events(self):
        for _, cb in self.callbacks_:
            if isinstance(cb, _READ_BATCH_HISTORY):
                return True
            for event in _BATCH_EVENTS:
                if getattr(type(cb), event) is not getattr(Callback, event):
                    return True
        return False

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if self._batch_events:
            super().run_single_epoch(iterator, training, prefix, step_fn)
            batches = self.history[-1, "batches"]
            losses = [b[f"{prefix}_loss"] for b in batches if f"{prefix}_loss" in b]
            sizes = [b[f"{prefix}_batch_size"] for b in batches if f"{prefix}_loss" in b]
            means = [sum(l * s for l, s in zip(losses, sizes)) / max(sum(sizes), 1)]
            for name in self.extra_losses if training else ():
                values = [b[f"train_{name}"] for b in batches if f"train_{name}" in b]
                means.append(sum(v * s for v, s in zip(values, sizes)) / max(sum(sizes), 1))
            n_rows = sum(sizes)
        else:
            means, n_batches, n_rows = self._run_epoch_fast(iterator, training)
            self.history.record(f"{prefix}_batch_count", n_batches)
        if self.distributed_ is not None:
            # Every process records the mean over all processes' rows.
            sums = all_reduce_sums([m * n_rows if n_rows else 0.0 for m in means] + [n_rows])
            means = [v / sums[-1] if sums[-1] else math.nan for v in sums[:-1]]
        loss = means[0]
        extras = dict(zip(self.extra_losses if training else (), means[1:]))
        for name, value in extras.items():
            self.history.record(f"train_{name}", value)
        if not math.isfinite(loss):
            raise NonFiniteLoss(prefix, loss, len(self.history))
        self.history.record(f"{prefix}_loss", loss)
        best = self.best_losses_.get(prefix, math.inf)
        self.history.record(f"{prefix}_loss_best", loss < best)
        self.best_losses_[prefix] = min(loss, best)

    def _run_epoch_fast(self, iterator, training):
        self._set_training(training)
        # The losses go into one tensor allocated for the epoch, read with
        # one synchronisation at its end. Not a list of per-batch tensors:
        # thousands of small tensors kept alive between the batches' large
        # ones fragment the heap, and a streamed epoch's memory then grows
        # with the data.
        losses, sizes = None, []
        with contextlib.nullcontext() if training else torch.no_grad():
            for i, batch in enumerate(iterator):
                if training:
                    loss = self.fit_batch(batch)
                else:
                    loss = self.criterion_(self.module_, batch, generator=self.generator_,
                                           training=False).reshape(1)
                if losses is None:
                    losses = torch.empty((max(len(iterator), 1), loss.shape[0]),
                                         dtype=loss.dtype, device=loss.device)
                elif i == losses.shape[0]:  # more batches than announced
                    losses = torch.cat([losses, torch.empty_like(losses)])
                losses[i] = loss.detach()
                sizes.append(batch[0].shape[0])
        if not sizes:
            return [math.nan] * (1 + len(self.extra_losses) * training), 0, 0
        weights = torch.tensor(sizes, dtype=torch.float64, device=losses.device)
        means = (losses[:len(sizes)].to(torch.float64) * weights[:, None]).sum(0) / weights.sum()
        return means.tolist(), len(sizes), sum(sizes)
