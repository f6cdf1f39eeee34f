"""The base class of every skgen estimator."""

import copy
import functools
import math
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._blocks import init_parameters_
from ..exceptions import TrainingDivergedError
from ._callbacks import (
    EarlyStopper,
    EpochProgressBar,
    restore_snapshot,
    snapshot,
    user_callbacks,
)
from ._distributed import (
    current_context,
    distributed_context,
    process_device,
    rank_generator,
    rows_per_process,
    shared_random_state,
)
from ._data import ArraySource, ChunkedData, TensorData
from ._net import NonFiniteLoss, TrainingNet
from ._inference import InferenceMixin
from ._persistence import save_estimator
from ._scaling import DataStats
from ._torch import (
    OPTIMIZERS,
    PRECISIONS,
    check_mixed_precision,
    resolve_device,
    resolve_optimizer,
    torch_generator,
)
from ._validation import validate_samples

# The constraint of a parameter that takes a user's own network (see
# skgen._blocks.user_network): a torch module instance or class, or None.
MODULE_OR_CLASS = [torch.nn.Module, type, None]

# The max_iter constraint of a family that trains for a number of steps.
MAX_ITER_OR_AUTO = [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})]


def auto_epochs(steps, n_samples, batch_size):
    """Epochs that make about ``steps`` optimizer steps (at least one)."""
    return max(1, math.ceil(steps / math.ceil(n_samples / batch_size)))


class BaseNeuralEstimator(InferenceMixin, BaseEstimator):
    """What every skgen estimator shares: parameters, training, devices.

    The base owns the skorch net's whole life: ``_make_net`` builds it (of
    class ``_net_class``) on a fresh fit, ``_configure_net`` applies the
    parameters to it on fresh and warm-started fits alike, and
    ``TrainingNet.fit_batch`` is the one training step.

    A family class provides ``_build_module(n_features, sample_shape)`` (the
    torch network) and ``_build_objective()`` (the loss module), and may
    override the hooks ``_fit_data_state``, ``_family_callbacks``,
    ``_optimizer_defaults``, ``_configure_net``, ``_before_training`` and
    ``_after_training``. Names of parameters that define the network's shape
    go in ``_module_params`` so that a warm start refuses to change them.
    """

    _parameter_constraints = {
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "cosine"})],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "optimizer_params": [dict, None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "n_loader_workers": [Interval(numbers.Integral, 0, None, closed="left")],
        "mixed_precision": [StrOptions(set(PRECISIONS)), None],
        "compile": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    _module_params = ()
    # The attributes a fit sets besides ``net_``: those every fit sets, then
    # those some fits set. A family adds its own. skgen.load accepts exactly
    # these names in a saved model (the round-trip tests keep them current).
    _fitted_attributes = ("n_features_in_", "n_iter_", "loss_curve_", "validation_scores_",
                          "best_validation_score_", "best_loss_", "_rng", "_sample_shape",
                          "_module_signature")
    _optional_fitted_attributes = ("feature_names_in_",)
    # The skorch net class of a fresh fit.
    _net_class = TrainingNet
    # A DataScaler that _fit_data_state sets when the network works on
    # scaled data (GAN, DDPM); _preprocess and continued fits use it.
    _scaler = None
    # Optimizer steps (batches) of one fit with max_iter="auto", for a
    # family whose quality follows the number of steps, not of epochs: a
    # number, or a dict keyed by ``architecture_``. Such a family uses the
    # MAX_ITER_OR_AUTO constraint and documents it with
    # ``auto_max_iter_doc``. None: max_iter is a number of epochs only.
    _auto_training_steps = None
    # Mini-batch size of batch_size="auto": a number, or a dict keyed by
    # ``architecture_`` (clipped to n_samples). 200 is MLPRegressor's.
    _auto_batch_size = 200

    # -- fitting -----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the model on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Training data: a 2-D array or DataFrame, or images shaped
            ``(n_samples, height, width)`` or ``(n_samples, height, width,
            channels)``.
        y : array-like of shape (n_samples,), default=None
            Class labels of a model with ``conditional=True``; ignored
            otherwise.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, classes=None):
        """Train for one epoch on ``X``, initialising on the first call.

        Use it for data that does not fit in memory: call it once per chunk.
        The scale a GAN or a DDPM works in is kept as running statistics of
        every chunk seen, so the chunks' order does not decide it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            A chunk of training data.
        y : array-like of shape (n_samples,), default=None
            Class labels of a model with ``conditional=True``; ignored
            otherwise.
        classes : array-like of shape (n_classes,), default=None
            Every class of a conditional model, on the first call, as for
            scikit-learn's incremental classifiers: later chunks may then
            hold classes the first one lacks. Without it, the first chunk's
            labels are the classes. Ignored by models that are not
            conditional.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, incremental=True, classes=classes)

    # -- hooks -------------------------------------------------------------
    def _validate_targets(self, y, *, reset, classes=None):
        """Encoded labels of a conditional model (``ConditionalMixin``),
        else None: ``y`` is ignored."""
        return None

    def _check_params(self):
        """Checks of parameters alone that constraints cannot express; run
        by every fit, fresh or continued, before anything changes."""

    def _fit_data_state(self, stats, sample_shape):
        """Learn what the training data fixes, before anything is built.

        Runs on a fresh fit only, with the ``DataStats`` of every training
        row (count, per-feature mean, variance and range, dtype): checks
        parameters against the data and sets the fitted state the network
        depends on (``architecture_``, a ``DataScaler`` in ``_scaler``, ...).
        """

    def _preprocess(self, X, copy=True):
        """Map validated data to the space the network trains in
        (``copy=False``: in place where it can)."""
        return X if self._scaler is None else self._scaler.transform(X, copy=copy)

    def _monitor_holdout(self, n_samples, incremental):
        """Rows to hold out for a ``HeldOutMonitor`` (0: none)."""
        return 0

    def _n_epochs(self, n_samples, batch_size):
        """Epochs of one ``fit`` call on ``n_samples`` training rows."""
        if self.max_iter == "auto":
            steps = self._auto_training_steps
            if isinstance(steps, dict):
                steps = steps[self.architecture_]
            return auto_epochs(steps, n_samples, batch_size)
        return self.max_iter

    def _before_training(self, net, train, generator):
        """Called once on a fresh fit, after the net is initialised.

        ``train`` is the training data, a ``TensorData`` or a streamed
        ``ChunkedData`` (see ``skgen._engine._data``): hooks read it through
        ``len`` and ``eval_batches``, never as one tensor.
        """

    def _after_training(self, net, train):
        """Called after every successful training call (``train`` as in
        ``_before_training``)."""

    def _update_data_state(self, stats, incremental):
        """Called by a continued fit (warm start or ``partial_fit``) with
        the ``DataStats`` of its data, before training: update what
        ``_fit_data_state`` learnt. ``partial_fit`` merges them into the
        scaler's running statistics; a warm start widens its range only.
        The fit restores the previous state if it fails."""
        if self._scaler is not None:
            scaler = copy.deepcopy(self._scaler)
            self._scaler = scaler.partial_fit(stats) if incremental else scaler.extend(stats)

    def _family_callbacks(self):
        """Callbacks a family adds to every fresh net, as (name, callback)."""
        return []

    def _optimizer_defaults(self, optimizer):
        """Keyword arguments the family gives ``optimizer`` unless
        ``optimizer_params`` sets them."""
        return {}

    def _configure_net(self, net):
        """Apply the current parameters to a fresh or warm-started net.

        What a warm start may change without changing the network's shape
        is set here: the learning rate, precision and compilation, and a
        family's own training settings (the GAN's n_critic, an EMA decay).
        The objective is rebuilt from the parameters on a warm start.
        """
        net.set_learning_rate(self.learning_rate_init)
        net.compile_networks = self.compile
        device = torch.device(net.device)
        dtype = check_mixed_precision(self.mixed_precision, device)
        if dtype != net.autocast_dtype or (dtype == torch.float16) != (
                net.grad_scaler_ is not None):
            # A new loss scale with fp16; kept across warm starts.
            net.autocast_dtype = dtype
            net.grad_scaler_ = (torch.amp.GradScaler(device.type)
                                if dtype == torch.float16 else None)

    # -- fitting -----------------------------------------------------------
    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.three_d_array = True
        return tags

    @property
    def module_(self):
        """The fitted torch network (``net_.module_``)."""
        return self.net_.module_

    def _fit(self, X, y=None, *, incremental, classes=None):
        fresh = not hasattr(self, "net_") or not (incremental or self.warm_start)
        scaler = self._scaler
        try:
            return self._fit_unsafe(X, y, incremental=incremental, fresh=fresh,
                                    classes=classes)
        except BaseException:
            if fresh:
                # Never leave a half-fitted estimator that looks fitted: drop
                # every attribute that is not a constructor parameter.
                params = set(self._get_param_names())
                for key in [k for k in vars(self) if k not in params]:
                    delattr(self, key)
            else:
                self._scaler = scaler  # a failed continued fit changes nothing
            raise

    def _fit_unsafe(self, X, y, *, incremental, fresh, classes=None):
        if not fresh:
            # First: a changed network (conditional=True, say) must get this
            # error, not one from the labels' check of the old network.
            self._check_warm_start()
        # A large array-like (a memory map, an HDF5 or zarr array...) is not
        # read here but streamed (ArraySource, ChunkedData).
        X, sample_shape = validate_samples(self, X, reset=fresh, stream=True)
        streamed = isinstance(X, ArraySource)
        n_samples, n_features = X.shape
        y = self._validate_targets(y, reset=fresh, classes=classes)
        if y is not None and len(y) != n_samples:
            raise ValueError(
                f"X has {n_samples} samples but y has {len(y)}: they must match."
            )
        ctx = distributed_context()
        device = process_device(resolve_device(self.device), ctx)
        check_mixed_precision(self.mixed_precision, device)
        self._check_params()
        if ctx is not None and n_samples < ctx.world_size:
            raise ValueError(
                f"{type(self).__name__} trains in {ctx.world_size} processes, each on its "
                f"share of the rows, but X has {n_samples} samples: give every process "
                "at least one.")
        # What the data fixes (its scale, the architecture): from statistics
        # of every row, which a streamed X gets in one validating pass.
        stats = X.stats() if streamed else DataStats.of(X)
        if fresh:
            self._fit_data_state(stats, sample_shape)
            rng = (check_random_state(self.random_state) if ctx is None
                   else shared_random_state(self.random_state, ctx))
        else:
            self._update_data_state(stats, incremental)
            rng = self._rng
        early = self.early_stopping and not incremental
        labels = None if y is None else torch.as_tensor(y, dtype=torch.long)
        if streamed:
            data = ChunkedData(X, labels, preprocess=functools.partial(self._preprocess,
                                                                       copy=False),
                               workers=self.n_loader_workers)
        else:
            data = TensorData(torch.tensor(self._preprocess(X), dtype=torch.float32), labels)
        train, valid, monitor = data, None, None
        if early:
            train, valid = self._split_validation(data, rng)
        elif n_monitor := self._monitor_holdout(n_samples, incremental):
            train, monitor = self._split_validation(data, rng, n_valid=n_monitor)
            monitor = monitor.materialize()
        if ctx is not None:
            for what, part in (("training", train), ("validation", valid),
                               ("monitoring", monitor)):
                if part is not None and len(part) < ctx.world_size:
                    raise ValueError(
                        f"{type(self).__name__} trains in {ctx.world_size} processes, but "
                        f"its {what} rows number {len(part)}: every process needs at "
                        "least one. Use more samples or fewer processes.")
            if device.type == "cuda":
                torch.cuda.set_device(device)  # NCCL and allocations follow it
        if device.type != "cpu":
            train, valid, monitor = (None if part is None else part.to(device)
                                     for part in (train, valid, monitor))
        generator = torch_generator(rng, device)
        # In a process group, batch_size and the epochs' steps are per process.
        n_local = rows_per_process(len(train), ctx)
        batch_size = self._batch_size(n_local)
        epochs = 1 if incremental else self._n_epochs(n_local, batch_size)
        if fresh:
            module = init_parameters_(self._new_module(n_features, sample_shape),
                                      torch_generator(rng))
            callbacks = self._user_callbacks(valid is not None) + self._family_callbacks()
            net = self._make_net(module, self._build_objective(), device, batch_size,
                                 callbacks=callbacks, max_epochs=epochs)
            state = None
        else:
            net = self.net_
            self._move_net(device)
            net.batch_size = batch_size
            # The objective holds no trained state: a warm start rebuilds it
            # from the current parameters, so every loss setting that does
            # not change the network (a VAE's beta, a sparse autoencoder's
            # weight, a GAN's loss, a DDPM's loss) applies.
            net.criterion = net.criterion_ = self._build_objective().to(device)
            self._configure_net(net)
            state = snapshot(net)
        net.generator_ = generator
        # partial_fit has no horizon to decay over: it keeps the rate constant.
        net.learning_rate_schedule = "constant" if incremental else self.learning_rate
        net.monitor_data_ = monitor
        stopper = EarlyStopper(self.n_iter_no_change, self.tol) if early else None
        try:
            if fresh:
                self._before_training(net, train, generator)
            self._run(net, (train, valid), epochs, stopper)
        except BaseException:
            if state is not None:
                restore_snapshot(net, state)
            raise
        finally:
            net.generator_ = net.monitor_data_ = None
        self._after_training(net, train)
        self.net_ = net
        self._rng = rng
        self._sample_shape = sample_shape
        self._module_signature = self._module_signature_items()
        self._set_history_attributes(early, stopper)
        if early and not stopper.stopped:
            warnings.warn(
                f"{type(self).__name__}: the validation loss was still improving "
                f"after max_iter={self.max_iter!r} ({epochs} epoch{'s' * (epochs != 1)}). Consider "
                "increasing max_iter.", ConvergenceWarning,
            )
        return self

    def _new_module(self, *args):
        """Build the network without consuming torch's global RNG.

        torch layers draw their initial weights from the global generator
        while they are built; ``init_parameters_`` then redraws every one
        from the fit's own generator. ``fork_rng`` puts the global state
        back, so fitting neither reads nor changes it.
        """
        with torch.random.fork_rng(devices=[]):
            return self._build_module(*args)

    def _run(self, net, data, epochs, stopper=None):
        """Train ``net`` and turn a non-finite loss into a clear error.

        In a process group, the net shards the batches by rank, shuffles
        with the generator it was given (alike in every process) and draws
        noise from the process's own generator.
        """
        ctx = distributed_context()
        if ctx is not None:
            net.distributed_, net.shuffle_generator_ = ctx, net.generator_
            net.generator_ = rank_generator(net.generator_, ctx)
            # A user's network may hold parameters its loss leaves unused.
            net.ddp_find_unused_parameters = type(net).ddp_find_unused_parameters or any(
                getattr(self, name) is not None for name in self._network_param_names())
        try:
            net.partial_fit(data, epochs=epochs, early_stopping=stopper)
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

    def _make_net(self, module, objective, device, batch_size, *, callbacks, desc=None,
                  max_epochs=None, optimizer=None):
        """The skorch net (``_net_class``) of a fresh fit, configured.

        ``optimizer``: a pair (class, keyword arguments) to build instead of
        the parameters' (a loaded model's, as its fit built it).
        """
        if optimizer is None:
            optimizer, kwargs = resolve_optimizer(self.optimizer, self.optimizer_params, device)
            for key, value in self._optimizer_defaults(optimizer).items():
                kwargs.setdefault(key, value)
        else:
            optimizer, kwargs = optimizer
        callbacks = list(callbacks)
        ctx = current_context()
        if self.verbose and (ctx is None or ctx.is_main):
            callbacks.append(("skgen_progress", EpochProgressBar(desc or type(self).__name__)))
        net = self._net_class(
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

    def _train_module(self, module, objective, train, generator, *, desc):
        """Train a stand-alone network with this estimator's settings on
        ``train`` (training data), on the device of ``generator``.

        Used for auxiliary networks (greedy layer-wise pretraining);
        returns the loss curve.
        """
        device = generator.device
        ctx = distributed_context()
        n_local = rows_per_process(len(train), ctx)
        batch_size = self._batch_size(n_local)
        epochs = self._n_epochs(n_local, batch_size)
        net = self._make_net(module, objective, device, batch_size, callbacks=[], desc=desc,
                             max_epochs=epochs)
        net.generator_ = generator
        net.learning_rate_schedule = self.learning_rate
        try:
            self._run(net, (train, None), epochs)
        finally:
            net.generator_ = None
        return list(net.history[:, "train_loss"])

    def _user_callbacks(self, validation):
        """Copies of the ``callbacks`` parameter for a fresh net (see
        ``skgen._engine._callbacks.user_callbacks``)."""
        return user_callbacks(self.callbacks, validation, current_context())

    def _split_validation(self, data, rng, n_valid=None):
        n = len(data)
        if n_valid is None:
            n_valid = int(np.ceil(self.validation_fraction * n))
            if n_valid < 1 or n - n_valid < 1:
                raise ValueError(
                    f"early_stopping=True with validation_fraction={self.validation_fraction} "
                    f"leaves no training or no validation sample: n_samples={n}. Use more "
                    "samples or set early_stopping=False."
                )
        return data.split(n_valid, rng)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            size = self._auto_batch_size
            if isinstance(size, dict):
                size = size[self.architecture_]
            return min(size, n_samples)
        return min(self.batch_size, n_samples)

    def _module_signature_items(self):
        """What fixes the network's shape: a warm start must not change it."""
        return {name: getattr(self, name) for name in self._module_params}

    def _check_warm_start(self):
        current = self._module_signature_items()
        changed = {k: (self._module_signature[k], v) for k, v in current.items()
                   if self._module_signature[k] != v}
        if changed:
            desc = ", ".join(f"{k} from {a!r} to {b!r}" for k, (a, b) in changed.items())
            raise ValueError(
                f"{type(self).__name__} cannot continue training (warm_start or "
                f"partial_fit) after changing {desc}: the network would change shape. "
                "Set warm_start=False or call fit to start over."
            )

    def _set_history_attributes(self, early, stopper):
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if early:
            self.validation_scores_ = [
                -float(row["valid_loss"]) for row in history if "valid_loss" in row
            ]
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = stopper.best_loss
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)

    # -- saving and loading --------------------------------------------------
    def save(self, path, *, include_optimizer=False):
        """Save the fitted model to the directory ``path``, without pickle.

        The directory gets ``config.json`` (the class, skgen's version,
        ``get_params()`` and the small fitted attributes) and
        ``model.safetensors`` (the weights, EMA weights included, and the
        fitted arrays). :func:`skgen.load` reads it back without running
        any code from the files. Files of an earlier save in ``path`` are
        replaced.

        Parameters
        ----------
        path : str or path-like
            The directory to write; it is created if needed.
        include_optimizer : bool, default=False
            Also write the optimizers' state (``optimizer.safetensors``), so
            that ``partial_fit`` or a warm start after loading continues
            exactly as it would have without the round trip. Without it a
            continued fit starts with fresh optimizer moments.

        Returns
        -------
        path : pathlib.Path
            The directory written.

        Raises
        ------
        ValueError
            When a parameter holds an object that JSON cannot store: a
            callback (set ``callbacks=None`` first) or an optimizer class
            outside ``torch.optim`` (pass one by name).
        """
        from .._saving import ESTIMATORS

        return save_estimator(self, path, include_optimizer=include_optimizer, known=ESTIMATORS)

    @classmethod
    def _network_param_names(cls):
        """Parameters that take a user's own network (saved by class only)."""
        return [k for k, v in cls._parameter_constraints.items() if v is MODULE_OR_CLASS]
