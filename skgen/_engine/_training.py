"""What the phases of a fit call to make, run and restore the skorch net.

``TrainingMixin`` is part of ``BaseNeuralEstimator`` (see ``_estimator``
for the lifecycle): building a fresh net around a network and an
objective, applying the parameters a continued fit may change, running the
loop with a clear error for a diverged loss, training an auxiliary network
(greedy pretraining), and the rollback of a failed continued fit.
"""

import copy
import inspect

import torch

from ..exceptions import TrainingDivergedError
from ._callbacks import EpochProgressBar
from ._distributed import current_context, distributed_context, rank_generator, rows_per_process
from ._net import NonFiniteLoss, TrainingNet
from ._torch import check_mixed_precision, resolve_optimizer


class TrainingMixin:
    """The skorch net's life: made, configured, run, rolled back."""

    def _new_network(self, spec):
        """Build the network without consuming torch's global RNG.

        torch layers draw their initial weights from the global generator
        while they are built; ``init_parameters_`` then redraws every one
        from the fit's own generator. ``fork_rng`` puts the global state
        back, so fitting neither reads nor changes it.
        """
        with torch.random.fork_rng(devices=[]):
            return self._build_network(spec)

    def _make_net(
        self,
        module,
        objective,
        device,
        batch_size,
        *,
        callbacks,
        desc=None,
        max_epochs=None,
        optimizer=None,
    ):
        """The skorch net of a fresh fit, configured.

        ``optimizer``: a pair (class, keyword arguments) to build instead of
        the parameters' (a loaded model's, as its fit built it).
        """
        if optimizer is None:
            optimizer, kwargs = resolve_optimizer(self.optimizer, self.optimizer_params, device)
            accepted = _accepted_arguments(optimizer)
            for key, value in objective.optimizer_defaults.items():
                if key in accepted:
                    kwargs.setdefault(key, value)
        else:
            optimizer, kwargs = optimizer
        callbacks = list(callbacks)
        ctx = current_context()
        if self.verbose and (ctx is None or ctx.is_main):
            callbacks.append(("skgen_progress", EpochProgressBar(desc or type(self).__name__)))
        net = TrainingNet(
            module=module,
            criterion=objective,
            optimizer=optimizer,
            lr=self.learning_rate_init,
            max_epochs=max_epochs or self.max_iter,
            batch_size=batch_size,
            train_split=None,
            callbacks=callbacks,
            device=str(device),
            verbose=0,
            **{f"optimizer__{k}": v for k, v in kwargs.items()},
        )
        net.initialize()
        self._configure_net(net)
        return net

    def _configure_net(self, net):
        """Apply the current parameters to a fresh or continued net: the
        learning rate, compilation, precision and the family's settings."""
        net.set_learning_rate(self.learning_rate_init)
        net.compile_networks = bool(self.compile)
        net.compile_mode = None if self.compile in (True, False) else self.compile
        device = torch.device(net.device)
        dtype = check_mixed_precision(self.mixed_precision, device)
        if dtype != net.autocast_dtype or (dtype == torch.float16) != (
            net.grad_scaler_ is not None
        ):
            # A new loss scale with fp16; kept across warm starts.
            net.autocast_dtype = dtype
            net.grad_scaler_ = torch.amp.GradScaler(device.type) if dtype == torch.float16 else None
        self._configure_module(net.module_)

    def _run(self, net, data, epochs, stopper=None, monitor=None):
        """Train ``net`` and turn a non-finite loss into a clear error.

        In a process group, the net shards the batches by rank, shuffles
        with the generator it was given (alike in every process) and draws
        noise from the process's own generator.
        """
        ctx = distributed_context()
        if ctx is not None:
            net.distributed_, net.shuffle_generator_ = ctx, net.generator_
            net.generator_ = rank_generator(net.generator_, ctx)
            # An update of one optimizer leaves the others' parameters
            # without a gradient; a user's network may hold unused ones.
            net.ddp_find_unused_parameters = len(net._optimizers) > 1 or any(
                getattr(self, name) is not None for name in self._network_param_names()
            )
        try:
            net.partial_fit(data, epochs=epochs, early_stopping=stopper, monitor=monitor)
        except NonFiniteLoss as exc:
            loss = "training" if exc.prefix == "train" else "validation"
            raise TrainingDivergedError(
                f"{type(self).__name__} diverged: the {loss} loss became "
                f"{exc.value} at epoch {exc.epoch}. Lower learning_rate_init "
                f"(now {self.learning_rate_init}) or scale the features, for example "
                "with MinMaxScaler or StandardScaler. The estimator was left as it "
                "was before this call."
            ) from None
        finally:
            net.distributed_ = net.shuffle_generator_ = None
            for _, cb in net.callbacks_:
                if isinstance(cb, EpochProgressBar):
                    cb.close()

    def _train_module(self, module, objective, train, generator, *, desc):
        """Train a stand-alone network with this estimator's settings on
        ``train`` (training data), on the device of ``generator``.

        Used for auxiliary networks (greedy layer-wise pretraining);
        returns the loss curve.
        """
        n_local = rows_per_process(len(train), distributed_context())
        batch_size = self._batch_size(n_local)
        epochs = self._n_epochs(n_local, batch_size)
        net = self._make_net(
            module,
            objective,
            generator.device,
            batch_size,
            callbacks=[],
            desc=desc,
            max_epochs=epochs,
        )
        net.generator_ = generator
        net.learning_rate_schedule = self.learning_rate
        try:
            self._run(net, (train, None), epochs)
        finally:
            net.generator_ = None
        return list(net.history[:, "train_loss"])

    def _rollback_point(self):
        """What a failed continued fit puts back: the estimator's attributes
        (``spec_`` is replaced, never changed in place), the net's, and the
        state of its network and optimizers, which training changes in place."""
        net = self.net_
        return {
            "estimator": dict(vars(self)),
            "net": dict(vars(net)),
            "module": {k: v.detach().clone() for k, v in net.module_.state_dict().items()},
            "optimizers": [
                copy.deepcopy(getattr(net, name + "_").state_dict()) for name in net._optimizers
            ],
            "n_epochs": len(net.history),
            "best_losses": dict(net.best_losses_),
        }

    @torch.no_grad()
    def _roll_back(self, saved):
        if saved is None:
            # Never leave a half-fitted estimator that looks fitted: drop
            # every attribute that is not a constructor parameter.
            params = set(self._get_param_names())
            for key in [k for k in vars(self) if k not in params]:
                delattr(self, key)
            return
        vars(self).clear()
        vars(self).update(saved["estimator"])
        net = self.net_
        vars(net).clear()
        vars(net).update(saved["net"])
        net.module_.load_state_dict(saved["module"])
        for name, state in zip(net._optimizers, saved["optimizers"]):
            getattr(net, name + "_").load_state_dict(state)
        del net.history_[saved["n_epochs"] :]
        net.best_losses_ = saved["best_losses"]


def _accepted_arguments(optimizer):
    return inspect.signature(optimizer).parameters
