"""Saving models without pickle: one protocol, one writer (``_loading``: one reader).

A saved model is a directory:

* ``config.json``: the format, its version, one save id, skgen's and
  torch's versions, and the model's *entry*: the name of its class
  (``estimator``), its ``params`` (``get_params(deep=False)``), its fitted
  ``attributes``, and for a neural estimator its ``net`` (history, batch
  size, the optimizer the fit built) and, with ``include_optimizer``, its
  ``optimizer`` state;
* ``model.safetensors``: every tensor (weights and buffers, EMA weights
  included, the objective's buffers, the numeric arrays of attributes);
* ``optimizer.safetensors``: the optimizers' state, only with
  ``include_optimizer=True``.

What a class stores is declared, not written per class: its parameters,
its ``_fitted_attributes`` (and ``_optional_fitted_attributes``), and its
skorch net ``net_`` when it has one. A model that a parameter or an
attribute holds (an ``OutlierDetector``'s model, an ``EncoderClassifier``'s
autoencoder, the steps of a ``Pipeline``) is an entry of its own inside its
holder's, ``{"__model__": entry}``, its tensors named under its path.

Loading reads JSON and safetensors only, neither of which can run code,
and builds objects from closed lists: model classes from the registry
(skgen's own classes, which register themselves as they are defined
(:class:`SaveableMixin`), and a few scikit-learn classes whose state is data),
fitted-attribute objects from ``_codec.stored_objects``, an optimizer class
only by its name in ``torch.optim``. A value is always data. A user's own
network cannot be rebuilt from data, so ``load`` takes it from the caller
(``networks=``).
"""

import json
import os
import uuid
from pathlib import Path

import torch
from sklearn.utils.validation import check_is_fitted

from .._version import __version__
from ._codec import Encoder

FORMAT = "skgen-model"
FORMAT_VERSION = 2
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
OPTIMIZER_FILE = "optimizer.safetensors"
HEADER_KEYS = {"format", "format_version", "save_id", "skgen_version", "torch_version"}
ENTRY_KEYS = {"estimator", "params", "attributes", "net", "optimizer"}
NET_KEYS = {"batch_size", "max_epochs", "optimizer", "optimizer_params", "history", "best_losses"}

# skgen's classes that save, by name: filled by SaveableMixin as they are defined.
MODELS = {}


def _sklearn_models():
    """The scikit-learn classes a saved model may hold (a pipeline's steps),
    by public name: their state is numbers, arrays and strings."""
    from sklearn.decomposition import PCA
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

    classes = (
        PCA,
        FrozenEstimator,
        LinearRegression,
        LogisticRegression,
        Ridge,
        GaussianMixture,
        Pipeline,
        MaxAbsScaler,
        MinMaxScaler,
        RobustScaler,
        StandardScaler,
    )
    return {f"{cls.__module__.split('._')[0]}.{cls.__name__}": cls for cls in classes}


def storable(value):
    """Whether skgen's save format stores the model ``value``."""
    return _model_name(value) is not None


def _model_name(value):
    """The name a model is stored under, or None if skgen does not store it."""
    cls = type(value)
    if MODELS.get(cls.__name__) is cls:
        return cls.__name__
    name = f"{cls.__module__.split('._')[0]}.{cls.__name__}"
    return name if _sklearn_models().get(name) is cls else None


class SaveableMixin:
    """Models that save in skgen's format: ``save``, and a place in the registry.

    A class defined in skgen with its own ``__init__`` registers itself.
    It stores its parameters, the attributes it names in
    ``_fitted_attributes`` (all required of a fitted model) and
    ``_optional_fitted_attributes``, and its skorch net ``net_`` if it has
    one. ``_check_saveable`` refuses what cannot be saved before anything
    is written; ``_check_loaded`` checks a loaded model's values beyond
    their types.
    """

    _fitted_attributes = ()
    _optional_fitted_attributes = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("skgen.") and "__init__" in vars(cls):
            MODELS[cls.__name__] = cls

    def save(self, path, *, include_optimizer=False):
        """Save the fitted model to the directory ``path``, without pickle.

        The directory gets ``config.json`` (the class, skgen's version,
        ``get_params()`` and the small fitted attributes) and
        ``model.safetensors`` (the weights, EMA weights included, and the
        fitted arrays); a model held by this one is saved in the same
        files. :func:`skgen.load` reads it back without running any code
        from the files. Files of an earlier save in ``path`` are replaced.

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
        return save(self, path, include_optimizer=include_optimizer)

    def _check_saveable(self):
        """Raise before anything is written if this model cannot be saved."""

    def _check_loaded(self, source):
        """Raise a ``ValueError`` naming ``source`` if loaded values do not fit."""


# -- saving ---------------------------------------------------------------
def save(model, path, *, include_optimizer=False):
    """Save a fitted model to the directory ``path`` without pickle.

    ``model`` is a skgen estimator or a fitted scikit-learn ``Pipeline``
    whose steps are skgen estimators and scikit-learn transformers
    (scalers, ``PCA``, linear models, ``GaussianMixture``); see
    :meth:`skgen.StackedAutoencoder.save` for what is written.

    Parameters
    ----------
    model : estimator
        The fitted model.
    path : str or path-like
        The directory to write; it is created if needed.
    include_optimizer : bool, default=False
        Also write the optimizers' state, so that training continues
        exactly after loading.

    Returns
    -------
    path : pathlib.Path
        The directory written.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> import skgen
    >>> X = load_digits().data[:100]
    >>> pipe = make_pipeline(MinMaxScaler(), skgen.LinearAutoencoder(2, max_iter=2,
    ...                                                              random_state=0)).fit(X)
    >>> loaded = skgen.load(skgen.save(pipe, tempfile.mkdtemp() + "/pipe"))
    >>> bool((loaded.transform(X) == pipe.transform(X)).all())
    True
    """
    check_is_fitted(model)
    if _model_name(model) is None:
        raise TypeError(
            f"skgen's save format stores skgen's own estimators and pipelines of them; "
            f"{type(model).__qualname__} is not one of them (a subclass needs its own code to "
            "rebuild). Use pickle (or joblib), or save the skgen estimator it builds on."
        )
    writer = _Writer(include_optimizer)
    entry = writer.entry(model, "")
    save_id = uuid.uuid4().hex
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "save_id": save_id,
        "skgen_version": __version__,
        "torch_version": torch.__version__,
        **entry,
    }
    text = json.dumps(config, indent=1, allow_nan=True)
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"Cannot save to {str(path)!r}: it is a file, not a directory.")
    path.mkdir(parents=True, exist_ok=True)
    st = safetensors_torch()
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "estimator": entry["estimator"],
        "save_id": save_id,
    }
    # Each file is written under a temporary name and renamed into place.
    _write(path / WEIGHTS_FILE, lambda p: st.save_file(writer.tensors, p, metadata=metadata))
    if writer.opt_tensors or include_optimizer and writer.has_optimizer:
        _write(
            path / OPTIMIZER_FILE, lambda p: st.save_file(writer.opt_tensors, p, metadata=metadata)
        )
    elif (path / OPTIMIZER_FILE).exists():
        (path / OPTIMIZER_FILE).unlink()  # an older save's: it would not match
    _write(path / CONFIG_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path


class _Writer:
    """Turns a model, and the models it holds, into entries and tensors."""

    def __init__(self, include_optimizer):
        self.include_optimizer = include_optimizer
        self.has_optimizer = False
        self.tensors, self.opt_tensors = {}, {}

    def nested(self, value, path):
        """The entry of a model held at ``path``, or None if it is no model."""
        if _model_name(value) is None:
            return None
        return self.entry(value, path + "/")

    def entry(self, model, prefix):
        name = type(model).__name__
        if isinstance(model, SaveableMixin):
            model._check_saveable()
        params = model.get_params(deep=False)
        # Looked up on the class: a FrozenEstimator passes attribute
        # lookups on to the model it holds.
        network_params = getattr(type(model), "_network_param_names", list)()
        networks = {id(params[k]): k for k in network_params if params[k] is not None}
        # Paths name every value from the top entry; arrays are stored
        # under "data." and their path.
        encode = Encoder(
            self.tensors, name, prefix="data.", networks=networks, params=params, model=self.nested
        )
        fitted = _is_fitted(model)
        net = vars(model).get("net_") if fitted else None
        return {
            "estimator": _model_name(model),
            "params": _encode_params(model, params, encode, prefix),
            "attributes": None
            if not fitted
            else {
                key: encode(value, f"{prefix}attributes.{key}")
                for key, value in vars(model).items()
                if key not in params and key != "net_"
            },
            "net": None if net is None else self._net(model, net, encode, prefix),
            "optimizer": (
                self._optimizer(net, prefix, name)
                if net is not None and self.include_optimizer
                else None
            ),
        }

    def _net(self, model, net, encode, prefix):
        _state_tensors(net.module_, prefix + "module", self.tensors)
        _state_tensors(net.criterion_, prefix + "criterion", self.tensors)
        # The optimizer the net was built with: a warm start keeps it even when
        # the 'optimizer' parameter changed since, and so does loading.
        optimizer = net.optimizer
        if getattr(torch.optim, optimizer.__name__, None) is not optimizer:
            raise ValueError(
                f"{type(model).__name__} cannot be saved: it trains with "
                f"{optimizer.__qualname__}, which is not an optimizer of torch.optim."
            )
        return {
            "batch_size": int(net.batch_size),
            "max_epochs": int(net.max_epochs),
            "optimizer": optimizer.__name__,
            "optimizer_params": encode(
                net.get_params_for("optimizer"), f"{prefix}net.optimizer_params"
            ),
            "history": encode(list(net.history), f"{prefix}net.history"),
            "best_losses": encode(dict(net.best_losses_), f"{prefix}net.best_losses"),
        }

    def _optimizer(self, net, prefix, owner):
        """The optimizers' state dicts and fp16's loss scale: tensors in
        ``opt_tensors``, the rest as JSON."""
        self.has_optimizer = True
        encode = Encoder(self.opt_tensors, owner, prefix="")
        out = {}
        for name in net._optimizers:
            state = getattr(net, name + "_").state_dict()
            out[name] = {
                "state": {str(pid): entries for pid, entries in state["state"].items()},
                "param_groups": state["param_groups"],
            }
        scaler = net.grad_scaler_
        out["grad_scaler"] = None if scaler is None else scaler.state_dict()
        return encode(out, f"{prefix}optimizer")


def _is_fitted(model):
    try:
        check_is_fitted(model)
    except Exception:  # scikit-learn's NotFittedError, or a class it cannot tell
        return False
    return True


def _encode_params(model, params, encode, prefix):
    """JSON of ``get_params()``: values a later ``load`` can rebuild.

    A custom network is recorded by class only (the caller passes it back
    at load time); an optimizer class by its name in ``torch.optim``; a
    model as an entry of its own; anything else that is not data is
    refused, saying what to do instead.
    """
    name = type(model).__name__
    out = {}
    for key, value in params.items():
        if key == "callbacks" and value:
            raise ValueError(
                f"{name} cannot be saved with callbacks={value!r}: callbacks are objects "
                "that a JSON file cannot hold. They only act during training: call "
                "set_params(callbacks=None) before save. A loaded model continues "
                "training (partial_fit, warm_start) without callbacks; a fresh fit uses "
                "the callbacks set then."
            )
        if key == "optimizer" and isinstance(value, type):
            if getattr(torch.optim, value.__name__, None) is not value:
                raise ValueError(
                    f"{name} cannot be saved with optimizer={value.__qualname__}: only "
                    "optimizers of torch.optim can be stored, by name. Pass one of "
                    "'adam', 'nadam', 'sgd', 'rmsprop' or a torch.optim class."
                )
            out[key] = {"__optimizer__": value.__name__}
        else:
            out[key] = encode(value, f"{prefix}params.{key}")
    return out


def _state_tensors(module, prefix, tensors):
    for key, value in module.state_dict().items():
        # A copy of each: tied weights share storage, which safetensors
        # refuses; loading copies into every parameter that shares it.
        tensors[f"{prefix}.{key}"] = value.detach().to("cpu").contiguous().clone()


def _write(target, writer):
    tmp = target.with_name(target.name + ".tmp")
    try:
        writer(str(tmp))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def safetensors_torch():
    try:
        import safetensors.torch
    except ImportError:  # pragma: no cover - a dependency of skgen
        raise ImportError(
            "Saving and loading skgen models needs the 'safetensors' "
            "package: pip install safetensors."
        ) from None
    return safetensors.torch


def model_class(name):
    if not isinstance(name, str):
        return None
    return MODELS.get(name) or _sklearn_models().get(name)
