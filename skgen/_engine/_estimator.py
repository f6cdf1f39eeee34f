"""The base class of every skgen estimator, and the one lifecycle of a fit.

Every ``fit`` and ``partial_fit``, fresh or continued (warm start,
``partial_fit`` after the first call), in memory or streamed, in one
process or under DDP, runs these phases in this order, and a family takes
part only through the hooks of the right-hand column:

======== ================================================== ==========================
phase    what the base does                                 family hooks (in order)
======== ================================================== ==========================
check    parameters (constraints, then the family's),       ``_check_params()``
         the network signature of a continued fit,
         device, precision, process group
data     validate ``X`` and ``y``; resolve the data spec    ``_validate_targets``,
         (kind, shapes, architecture, scaling) on a fresh   ``_data_scaling(kind)``,
         fit, update its statistics on a continued one;     ``_fit_data(spec, stats)``
         training data in the network's space; hold out     (fresh),
         validation or monitoring rows                      ``_monitor()``
network  build and initialise the network from the fit's    ``_build_network(spec)``
         generator (fresh) or reuse it (continued); the     (fresh),
         objective, which also says the optimizers and      ``_build_objective()``,
         the step; settings a continued fit may change      ``_configure_module(module)``
train    the one loop (``TrainingNet.fit_loop``)            ``_before_training(net,
                                                            train)`` (fresh)
finalise ``net_``, ``n_iter_``, ``loss_curve_``, the        ``_after_training(net,
         validation scores (early stopping, or the          train)``
         family's monitor); then the data spec learns
         from the trained model (``spec_.trained``: a
         table's calibration)
======== ================================================== ==========================

If any phase fails, a fresh fit leaves the estimator unfitted and a
continued one leaves it exactly as it was (``_fit``).

Class attributes complete the recipe: ``_architectures`` (the networks a
family builds and the kind of data each needs), ``_module_params`` (the
parameters that fix the network's shape, which a continued fit may not
change), ``_auto_training_steps`` and ``_auto_batch_size`` (what
``max_iter="auto"`` and ``batch_size="auto"`` mean, by architecture; the
steps may also depend on the size of a sample, ``for_size``) and
``_fitted_attributes`` (what a fit sets and ``skgen.load`` accepts).
"""

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._config import cpu_settings
from ._callbacks import EarlyStopper, user_callbacks
from ._data import ArraySource
from ._distributed import (
    current_context,
    distributed_context,
    process_device,
    rows_per_process,
    shared_random_state,
)
from ._inference import InferenceMixin
from ._modules import init_parameters_
from ._net import Monitor
from ._saving import SaveableMixin
from ._scaling import DataStats
from ._spec import claiming_kind, resolve_spec
from ._table import TableSpec  # noqa: F401 (registers the kind)
from ._torch import (
    OPTIMIZERS,
    PRECISIONS,
    check_mixed_precision,
    resolve_device,
    torch_generator,
)
from ._training import TrainingMixin
from ._validation import validate_samples

# The constraint of a parameter that takes a user's own network (see
# skgen._engine._modules.user_network): a module instance or class, or None.
MODULE_OR_CLASS = [torch.nn.Module, type, None]

# The max_iter constraint of a family that trains for a number of steps.
MAX_ITER_OR_AUTO = [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})]


def auto_epochs(steps, n_samples, batch_size):
    """Epochs that make about ``steps`` optimizer steps (at least one)."""
    return max(1, math.ceil(steps / math.ceil(n_samples / batch_size)))


def for_size(setting, n_features):
    """An ``"auto"`` setting (the training steps of ``max_iter="auto"``, a
    DDPM's sampler) for samples of ``n_features`` values: ``setting`` is
    the value itself, or ``{most values per sample: value}`` in increasing
    order with a last key ``None`` (any size)."""
    if not isinstance(setting, dict):
        return setting
    return next(v for most, v in setting.items() if most is None or n_features <= most)


@dataclass
class _Fit:
    """What one fit call works with, phase to phase."""

    fresh: bool
    incremental: bool
    ctx: object
    device: torch.device
    rng: object = None
    generator: object = None
    train: object = None
    valid: object = None
    monitor: Monitor = None
    stopper: EarlyStopper = None
    batch_size: int = None
    epochs: int = None


class BaseNeuralEstimator(TrainingMixin, SaveableMixin, InferenceMixin, BaseEstimator):
    """What every skgen estimator shares: parameters, the lifecycle of a
    fit (see the module), devices, inference and saving."""

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
        "compile": ["boolean", StrOptions({"default", "reduce-overhead", "max-autotune"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    # The networks a family builds, each with the kind of data it needs
    # (see _spec.DataSpec); "auto" picks the first one made for the data.
    _architectures = {"dense": "vectors"}
    _module_params = ()
    # The attributes a fit sets besides ``net_``: those every fit sets, then
    # those some fits set. A family adds its own. skgen.load accepts exactly
    # these names in a saved model (the round-trip tests keep them current).
    _fitted_attributes = (
        "n_features_in_",
        "n_iter_",
        "loss_curve_",
        "validation_scores_",
        "validation_epochs_",
        "best_validation_score_",
        "best_loss_",
        "spec_",
        "_rng",
        "_module_signature",
    )
    _optional_fitted_attributes = ("feature_names_in_",)
    # Optimizer steps (batches) of one fit with max_iter="auto", for a
    # family whose quality follows the number of steps, not of epochs: a
    # number, or a dict keyed by architecture. Such a family uses the
    # MAX_ITER_OR_AUTO constraint and says why in ``_auto_training_reason``
    # (what a step is: ``_auto_training_unit``); the docs follow from them.
    # None: max_iter is a number of epochs only.
    _auto_training_steps = None
    # At most this many epochs with max_iter="auto", per architecture: a
    # small table needs fewer steps than the images the step counts were
    # measured on (300 is CTGAN's and TVAE's default).
    _auto_max_epochs = {"tabular": 300}
    # At least this many epochs with max_iter="auto", per architecture: a
    # large table still gets a few passes over its rows.
    _auto_min_epochs = {}
    _auto_training_reason = None
    _auto_training_unit = "optimizer steps"
    # Mini-batch size of batch_size="auto": a number, or a dict keyed by
    # architecture (clipped to n_samples). 200 is MLPRegressor's.
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
        The scale a model works in is kept as running statistics of every
        chunk seen, so the chunks' order does not decide it.

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

    # -- the family's hooks, in the order of the phases ----------------------
    def _check_params(self):
        """Check: parameters alone, beyond what constraints express; every
        fit, fresh or continued, before anything changes."""

    def _validate_targets(self, y, *, reset, classes=None):
        """Data: the encoded labels of a model that uses them, else None."""
        return None

    def _data_scaling(self, kind):
        """Data: how data of ``kind`` is scaled for the network (a
        ``DataScaler`` mode), or None to train on it as given."""
        return None

    def _fit_data(self, spec, stats):
        """Data, fresh fits: check the data against the parameters (its
        ``DataStats``: count, per-feature mean, variance and range) and set
        what else the family fixes from it."""

    def _monitor(self):
        """Data: a ``Monitor`` of held-out quality that ``fit`` runs, or None."""
        return None

    def _build_network(self, spec):
        """Network, fresh fits: the torch network for data of ``spec``."""
        raise NotImplementedError

    def _build_objective(self):
        """Network, every fit: the objective (``skgen._objective.Objective``)
        from the current parameters; it holds no trained state."""
        raise NotImplementedError

    def _configure_module(self, module):
        """Network, every fit: apply settings that may change between fits
        without changing the network's shape."""

    def _before_training(self, net, train):
        """Train, fresh fits: work on the initialised net before the loop.
        ``train`` is a ``TensorData`` or a streamed ``ChunkedData`` (see
        ``_data``): read it through ``len`` and ``eval_batches``."""

    def _after_training(self, net, train):
        """Finalise: the family's pass after every successful training call."""

    # -- the lifecycle ------------------------------------------------------
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

    def _read(self, X):
        """Later data (after fit) as the fit's rows: validated numbers, a
        streamed source, or a table encoded as at fit (see ``spec_``)."""
        check_is_fitted(self)
        return self.spec_.read_input(self, X)

    @property
    def architecture_(self):
        """The network the fit built (``architecture="auto"`` resolved)."""
        return self.spec_.architecture

    def _fit(self, X, y=None, *, incremental, classes=None):
        fresh = not (hasattr(self, "net_") and (incremental or self.warm_start))
        saved = None if fresh else self._rollback_point()
        try:
            with cpu_settings():
                fit = self._check(fresh, incremental)
                self._read_data(fit, X, y, classes)
                net = self._network(fit)
                self._train(net, fit)
                self._finalise(net, fit)
        except BaseException:
            self._roll_back(saved)
            raise
        return self

    def _check(self, fresh, incremental):
        """Phase 1: what can be checked before the data is read."""
        if not fresh:
            # First: a changed network (conditional=True, say) must get this
            # error, not one from the labels' check of the old network.
            self._check_warm_start()
        ctx = distributed_context()
        device = process_device(resolve_device(self.device), ctx)
        check_mixed_precision(self.mixed_precision, device)
        self._check_params()
        return _Fit(fresh=fresh, incremental=incremental, ctx=ctx, device=device)

    def _read_data(self, fit, X, y, classes):
        """Phase 2: validate the data, resolve or update ``spec_``, and put
        the training data (and held-out parts) in the network's space."""
        # A large array-like (a memory map, an HDF5 or zarr array...) is not
        # read here but streamed (ArraySource, ChunkedData); a kind of data
        # that reads its input itself (a table) turns it into numbers.
        claimant = claiming_kind(self, X) if fit.fresh else None
        if claimant is not None:
            spec, X = claimant.fit_input(self, X)
        elif fit.fresh:
            X, sample_shape = validate_samples(self, X, reset=True, stream=True)
        else:
            X = self.spec_.read_input(self, X)
        n_samples = X.shape[0]
        labels = self._validate_targets(y, reset=fit.fresh, classes=classes)
        if labels is not None and len(labels) != n_samples:
            raise ValueError(f"X has {n_samples} samples but y has {len(labels)}: they must match.")
        if fit.ctx is not None and n_samples < fit.ctx.world_size:
            raise ValueError(
                f"{type(self).__name__} trains in {fit.ctx.world_size} processes, each on "
                f"its share of the rows, but X has {n_samples} samples: give every process "
                "at least one."
            )
        # What the data fixes (its scale, the architecture): from statistics
        # of every row, which a streamed X gets in one validating pass.
        stats = X.stats() if isinstance(X, ArraySource) else DataStats.of(X)
        if fit.fresh:
            self.spec_ = spec if claimant is not None else resolve_spec(self, stats, sample_shape)
            self._fit_data(self.spec_, stats)
            fit.rng = (
                check_random_state(self.random_state)
                if fit.ctx is None
                else shared_random_state(self.random_state, fit.ctx)
            )
        else:
            self.spec_ = self.spec_.updated(stats, fit.incremental)
            fit.rng = self._rng
        data = self.spec_.training_data(X, labels, workers=self.n_loader_workers)
        self._hold_out(fit, data)

    def _hold_out(self, fit, data):
        """The validation rows of early stopping, or the family monitor's."""
        fit.train, early = data, self.early_stopping and not fit.incremental
        fit.monitor = None if fit.incremental or early else self._monitor()
        if early:
            fit.train, fit.valid = self._split_validation(data, fit.rng)
            fit.stopper = EarlyStopper(self.n_iter_no_change, self.tol)
        elif fit.monitor is not None:
            n_valid = fit.monitor.holdout_rows(len(data), self.validation_fraction)
            fit.train, held = data.split(n_valid, fit.rng)
            fit.monitor.data = held.materialize()
        parts = {
            "training": fit.train,
            "validation": fit.valid,
            "monitoring": fit.monitor and fit.monitor.data,
        }
        if fit.ctx is not None:
            for what, part in parts.items():
                if part is not None and len(part) < fit.ctx.world_size:
                    raise ValueError(
                        f"{type(self).__name__} trains in {fit.ctx.world_size} processes, "
                        f"but its {what} rows number {len(part)}: every process needs at "
                        "least one. Use more samples or fewer processes."
                    )
            if fit.device.type == "cuda":
                torch.cuda.set_device(fit.device)  # NCCL and allocations follow it
        if fit.device.type != "cpu":
            fit.train = fit.train.to(fit.device)
            fit.valid = None if fit.valid is None else fit.valid.to(fit.device)
            if fit.monitor is not None:
                fit.monitor.data = fit.monitor.data.to(fit.device)
        fit.generator = torch_generator(fit.rng, fit.device)
        # In a process group, batch_size and the epochs' steps are per process.
        n_local = rows_per_process(len(fit.train), fit.ctx)
        fit.batch_size = self._batch_size(n_local)
        fit.epochs = 1 if fit.incremental else self._n_epochs(n_local, fit.batch_size)

    def _network(self, fit):
        """Phase 3: a fresh, initialised net, or the fitted one to continue."""
        if fit.fresh:
            module = init_parameters_(self._new_network(self.spec_), torch_generator(fit.rng))
            return self._make_net(
                module,
                self._build_objective(),
                fit.device,
                fit.batch_size,
                callbacks=self._user_callbacks(fit.valid is not None),
                max_epochs=fit.epochs,
            )
        net = self.net_
        self._move_net(fit.device)
        net.batch_size = fit.batch_size
        # The objective holds no trained state: a continued fit rebuilds it
        # from the current parameters, so every setting that does not change
        # the network (a VAE's beta, a GAN's loss, an EMA decay) applies.
        net.criterion = net.criterion_ = self._build_objective().to(fit.device)
        self._configure_net(net)
        return net

    def _train(self, net, fit):
        """Phase 4: the family's preparation of a fresh net, then the loop."""
        net.generator_ = fit.generator
        net.max_epochs = fit.epochs
        # partial_fit has no horizon to decay over: it keeps the rate constant.
        net.learning_rate_schedule = "constant" if fit.incremental else self.learning_rate
        try:
            if fit.fresh:
                self._before_training(net, fit.train)
            self._run(net, (fit.train, fit.valid), fit.epochs, fit.stopper, fit.monitor)
        finally:
            net.generator_ = None
            if fit.monitor is not None:
                fit.monitor.data = None

    def _finalise(self, net, fit):
        """Phase 5: the fitted state."""
        self.net_ = net
        self._rng = fit.rng
        self._module_signature = self._module_signature_items()
        self._record_history(fit)
        self._after_training(net, fit.train)
        self.spec_.trained(self, fit.rng)
        if fit.stopper is not None and not fit.stopper.stopped:
            warnings.warn(
                f"{type(self).__name__}: the validation loss was still improving after "
                f"max_iter={self.max_iter!r} ({fit.epochs} epoch{'s' * (fit.epochs != 1)}). "
                "Consider increasing max_iter.",
                ConvergenceWarning,
            )

    def _record_history(self, fit):
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        monitor = self._monitor()
        key = (
            monitor.key
            if monitor is not None
            else "valid_loss"
            if fit.stopper is not None
            else None
        )
        rows = (
            []
            if key is None
            else [(i + 1, -float(row[key])) for i, row in enumerate(history) if key in row]
        )
        self.validation_epochs_ = None if key is None else [epoch for epoch, _ in rows]
        self.validation_scores_ = None if key is None else [score for _, score in rows]
        self.best_validation_score_ = (
            max(self.validation_scores_) if self.validation_scores_ else None
        )
        self.best_loss_ = (
            fit.stopper.best_loss if fit.stopper is not None else min(self.loss_curve_)
        )

    def score(self, X, y=None):
        """Mean of ``score_samples`` (higher is better), so model selection
        needs no labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        y : array-like of shape (n_samples,), default=None
            Class labels of a model fitted with ``conditional=True``;
            ignored otherwise.

        Returns
        -------
        score : float
            The mean of ``score_samples(X)``.
        """
        return float(np.mean(self.score_samples(X, y)))

    # -- the pieces of the phases --------------------------------------------
    def _user_callbacks(self, validation):
        """Copies of the ``callbacks`` parameter for a fresh net (see
        ``skgen._engine._callbacks.user_callbacks``)."""
        return user_callbacks(self.callbacks, validation, current_context())

    def _split_validation(self, data, rng):
        n = len(data)
        n_valid = int(np.ceil(self.validation_fraction * n))
        if n_valid < 1 or n - n_valid < 1:
            raise ValueError(
                f"early_stopping=True with validation_fraction={self.validation_fraction} "
                f"leaves no training or no validation sample: n_samples={n}. Use more "
                "samples or set early_stopping=False."
            )
        return data.split(n_valid, rng)

    def _by_architecture(self, value):
        return value[self.spec_.architecture] if isinstance(value, dict) else value

    def _n_epochs(self, n_samples, batch_size):
        """Epochs of one ``fit`` call on ``n_samples`` training rows."""
        if self.max_iter == "auto":
            steps = for_size(
                self._by_architecture(self._auto_training_steps), self.spec_.n_features
            )
            epochs = auto_epochs(steps, n_samples, batch_size)
            architecture = self.spec_.architecture
            epochs = max(epochs, self._auto_min_epochs.get(architecture, 1))
            cap = self._auto_max_epochs.get(architecture)
            return epochs if cap is None else min(epochs, cap)
        return self.max_iter

    def _batch_size(self, n_samples):
        size = self.batch_size
        return min(
            self._by_architecture(self._auto_batch_size) if size == "auto" else size, n_samples
        )

    def _module_signature_items(self):
        """What fixes the network's shape: a continued fit must not change it."""
        return {name: getattr(self, name) for name in self._module_params}

    def _check_warm_start(self):
        current = self._module_signature_items()
        changed = {
            k: (self._module_signature[k], v)
            for k, v in current.items()
            if self._module_signature[k] != v
        }
        if changed:
            desc = ", ".join(f"{k} from {a!r} to {b!r}" for k, (a, b) in changed.items())
            raise ValueError(
                f"{type(self).__name__} cannot continue training (warm_start or "
                f"partial_fit) after changing {desc}: the network would change shape. "
                "Set warm_start=False or call fit to start over."
            )

    @classmethod
    def _network_param_names(cls):
        """Parameters that take a user's own network (saved by class only)."""
        return [k for k, v in cls._parameter_constraints.items() if v is MODULE_OR_CLASS]


def network_for(estimator, spec):
    """The network a fresh fit of ``estimator`` builds for data like that
    of ``spec`` (another estimator's), untrained: what a model built on
    top of it starts from (``EncoderClassifier`` with an unfitted
    autoencoder). The estimator's checks of its parameters and of the
    data's shape run; its checks of the data's values see none."""
    est = clone(estimator)
    est._check_params()
    stats = DataStats.neutral(spec.n_features, spec.dtype)
    own = resolve_spec(est, stats, spec.sample_shape)
    est._fit_data(own, stats)
    return est._new_network(own)
