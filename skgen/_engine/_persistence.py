"""Saving a fitted estimator without pickle: a JSON file and safetensors.

A saved model is a directory:

* ``config.json``: the estimator's class name, skgen's version, the format
  version, ``get_params()``, the small fitted attributes and the net's
  training record (history, batch size, best losses);
* ``model.safetensors``: every tensor (the network's weights and buffers,
  EMA weights included, the objective's buffers, and the numeric arrays of
  the fitted attributes: per-feature scales, a latent mixture's means);
* ``optimizer.safetensors``: the optimizers' state, only with
  ``include_optimizer=True`` (their settings go in ``config.json``).

Loading reads JSON and safetensors only, neither of which can run code, and
builds objects from closed lists: estimator classes from the allow-list the
caller passes (skgen's own), fitted-attribute objects from ``_codec._OBJECTS``, an
optimizer class only by its name in ``torch.optim``. A value is always
data: a tagged JSON object (``{"__tuple__": [...]}``, ``{"__array__":
"key"}``, ...) becomes a tuple, an array, a ``RandomState``, never an
import. A user's own network cannot be rebuilt from data, so ``load``
takes it from the caller (``networks=``).
"""

import json
import os
import uuid
import warnings
from pathlib import Path

import torch
from skorch.history import History
from sklearn.utils.validation import check_is_fitted

from ._codec import Decoder, Encoder
from ._torch import check_mixed_precision, resolve_device

FORMAT = "skgen-model"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
OPTIMIZER_FILE = "optimizer.safetensors"
_CONFIG_KEYS = {"format", "format_version", "save_id", "skgen_version", "torch_version",
                "estimator", "params", "attributes", "net", "optimizer"}
_NET_KEYS = {"batch_size", "max_epochs", "optimizer", "optimizer_params", "history",
             "best_losses"}

def _missing_safetensors():
    return ImportError(
        "Saving and loading skgen models needs the 'safetensors' package: "
        "pip install safetensors.")


def _safetensors_torch():
    try:
        import safetensors.torch
    except ImportError:  # pragma: no cover - a dependency of skgen
        raise _missing_safetensors() from None
    return safetensors.torch


# -- saving ---------------------------------------------------------------
def _encode_params(est, params, encode):
    """JSON of ``get_params()``: values a later ``load`` can rebuild.

    A custom network is recorded by class only (the caller passes it back
    at load time); an optimizer class by its name in ``torch.optim``;
    anything else that is not data is refused, saying what to do instead.
    """
    name = type(est).__name__
    out = {}
    for key, value in params.items():
        if key == "callbacks" and value:
            raise ValueError(
                f"{name} cannot be saved with callbacks={value!r}: callbacks are objects "
                "that a JSON file cannot hold. They only act during training: call "
                "set_params(callbacks=None) before save. A loaded model continues "
                "training (partial_fit, warm_start) without callbacks; a fresh fit uses "
                "the callbacks set then.")
        if key == "optimizer" and isinstance(value, type):
            if getattr(torch.optim, value.__name__, None) is not value:
                raise ValueError(
                    f"{name} cannot be saved with optimizer={value.__qualname__}: only "
                    "optimizers of torch.optim can be stored, by name. Pass one of "
                    "'adam', 'nadam', 'sgd', 'rmsprop' or a torch.optim class.")
            out[key] = {"__optimizer__": value.__name__}
        else:
            out[key] = encode(value, f"params.{key}")
    return out


def _state_tensors(module, prefix, tensors):
    for key, value in module.state_dict().items():
        # A copy of each: tied weights share storage, which safetensors
        # refuses; loading copies into every parameter that shares it.
        tensors[f"{prefix}.{key}"] = value.detach().to("cpu").contiguous().clone()


def _optimizer_state(net, tensors, owner):
    """The optimizers' state dicts and fp16's loss scale: tensors in
    ``tensors``, the rest as JSON."""
    encode = Encoder(tensors, owner, prefix="")
    out = {}
    for name in net._optimizers:
        state = getattr(net, name + "_").state_dict()
        out[name] = {"state": {str(pid): entries for pid, entries in state["state"].items()},
                     "param_groups": state["param_groups"]}
    scaler = net.grad_scaler_
    out["grad_scaler"] = None if scaler is None else scaler.state_dict()
    return encode(out, "optimizer")


def save_estimator(est, path, *, include_optimizer, known):
    """Write ``est`` (fitted) to the directory ``path``; see ``save``."""
    check_is_fitted(est)
    name = type(est).__name__
    if known.get(name) is not type(est):
        raise TypeError(
            f"skgen's save format stores skgen's own estimators; {type(est).__qualname__} "
            "is not one of them (a subclass needs its own code to rebuild). Use pickle "
            "(or joblib), or save the skgen estimator it builds on.")
    st = _safetensors_torch()
    tensors, opt_tensors = {}, {}
    params = est.get_params(deep=False)
    networks = {id(params[k]): k for k in est._network_param_names()
                if params[k] is not None}
    encode = Encoder(tensors, name, networks=networks, params=params)
    config_params = _encode_params(est, params, encode)
    attributes = {key: encode(value, key) for key, value in vars(est).items()
                  if key not in params and key != "net_"}
    net = est.net_
    _state_tensors(net.module_, "module", tensors)
    _state_tensors(net.criterion_, "criterion", tensors)
    # The optimizer the net was built with: a warm start keeps it even when
    # the 'optimizer' parameter changed since, and so does loading.
    optimizer = net.optimizer
    if getattr(torch.optim, optimizer.__name__, None) is not optimizer:
        raise ValueError(f"{name} cannot be saved: it trains with {optimizer.__qualname__}, "
                         "which is not an optimizer of torch.optim.")
    # One id in every file of this save: loading refuses a mix of files
    # from different saves (an interrupted save over an older one).
    save_id = uuid.uuid4().hex
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "save_id": save_id,
        "skgen_version": _skgen_version(),
        "torch_version": torch.__version__,
        "estimator": name,
        "params": config_params,
        "attributes": attributes,
        "net": {
            "batch_size": int(net.batch_size),
            "max_epochs": int(net.max_epochs),
            "optimizer": optimizer.__name__,
            "optimizer_params": encode(net.get_params_for("optimizer"), "optimizer_params"),
            "history": encode(list(net.history), "history"),
            "best_losses": encode(dict(net.best_losses_), "best_losses"),
        },
        "optimizer": (_optimizer_state(net, opt_tensors, name) if include_optimizer
                      else None),
    }
    text = json.dumps(config, indent=1, allow_nan=True)
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"Cannot save to {str(path)!r}: it is a file, not a directory.")
    path.mkdir(parents=True, exist_ok=True)
    metadata = {"format": FORMAT, "format_version": str(FORMAT_VERSION), "estimator": name,
                "save_id": save_id}
    # Each file is written under a temporary name and renamed into place.
    _write(path / WEIGHTS_FILE, lambda p: st.save_file(tensors, p, metadata=metadata))
    if include_optimizer:
        _write(path / OPTIMIZER_FILE, lambda p: st.save_file(opt_tensors, p, metadata=metadata))
    elif (path / OPTIMIZER_FILE).exists():
        (path / OPTIMIZER_FILE).unlink()  # an older save's: it would not match
    _write(path / CONFIG_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path


def _write(target, writer):
    tmp = target.with_name(target.name + ".tmp")
    try:
        writer(str(tmp))
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _skgen_version():
    from .. import __version__
    return __version__


# -- loading --------------------------------------------------------------
def read_config_json(path):
    """The parsed ``config.json`` of the save directory ``path``, checked to
    be skgen's format in a version this skgen reads."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"No saved skgen model at {str(path)!r}: there is no such "
                                "directory.")
    config_file = path / CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(f"{str(path)!r} has no {CONFIG_FILE}: it is not a model "
                                "written by skgen's save.")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"{config_file} is not valid JSON: {type(exc).__name__}: "
                         f"{str(exc)[:200]}") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(f"{config_file} is not a skgen model configuration (no "
                         f"\"format\": \"{FORMAT}\" entry).")
    version = config.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{config_file} has an invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{config_file} was written by skgen {config.get('skgen_version')} in format "
            f"version {version}; this skgen ({_skgen_version()}) reads format "
            f"version {FORMAT_VERSION} and older. Upgrade skgen to load it.")
    return config


def _read_config(path):
    config = read_config_json(path)
    config_file = path / CONFIG_FILE
    unknown = set(config) - _CONFIG_KEYS
    missing = _CONFIG_KEYS - {"optimizer"} - set(config)
    if unknown or missing:
        raise ValueError(f"{config_file} has unknown entries {sorted(unknown)} and lacks "
                         f"{sorted(missing)}.")
    if not isinstance(config["net"], dict) or set(config["net"]) != _NET_KEYS:
        raise ValueError(f"{config_file}: its \"net\" entry must have the keys "
                         f"{sorted(_NET_KEYS)}.")
    return config


def _read_tensors(file, what, save_id):
    """The tensors of a safetensors file written by the same save."""
    if not file.is_file():
        raise FileNotFoundError(f"{str(file)!r} is missing: the saved model's {what} are "
                                "in it.")
    st = _safetensors_torch()
    try:
        with st.safe_open(str(file), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except Exception as exc:  # safetensors' own errors: a damaged file
        raise ValueError(f"{file} is not a readable safetensors file: {exc}") from None
    if metadata.get("save_id") != save_id:
        raise ValueError(f"{file} and {file.parent / CONFIG_FILE} come from different saves "
                         "(an interrupted save over an older one?): save the model again.")
    return tensors


def _resolve_load_device(device, saved):
    """The device of the weights and the estimator's ``device`` after loading."""
    if device is not None:
        return resolve_device(device), device
    try:
        return resolve_device(saved), saved
    except ValueError:
        warnings.warn(
            f"The model was saved with device={saved!r}, which this machine does not "
            "have; it is loaded on the CPU with device='cpu'.", UserWarning)
        return torch.device("cpu"), "cpu"


def load_estimator(path, *, known, device, networks):
    """Read a model written by ``save_estimator``; see ``skgen.load``."""
    path = Path(path)
    config = _read_config(path)
    source = f"{path / CONFIG_FILE}"
    name = config["estimator"]
    cls = known.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"{source} names the estimator {name!r}, which is not one "
                         f"of skgen's: {sorted(known)}.")
    networks = dict(networks or {})
    network_params = set(cls._network_param_names())
    bad = set(networks) - network_params
    if bad:
        raise ValueError(f"networks has keys {sorted(bad)} that are not network parameters "
                         f"of {name} ({sorted(network_params)}).")
    tensors = _read_tensors(path / WEIGHTS_FILE, "weights", config["save_id"])
    try:
        est, net_config = _decode_config(config, cls, tensors, networks, source)
    except RecursionError:
        raise ValueError(f"{source} cannot be loaded: its values are nested too "
                         "deeply.") from None
    optimizer = None
    if config.get("optimizer") is not None:
        opt_tensors = _read_tensors(path / OPTIMIZER_FILE, "optimizer state",
                                    config["save_id"])
        optimizer = Decoder(opt_tensors, source, {}, tensor_file=OPTIMIZER_FILE)(
            config["optimizer"], "optimizer")
        if not isinstance(optimizer, dict):
            raise ValueError(f"{source} cannot be loaded: optimizer is not a JSON object.")
    weights_device, est.device = _resolve_load_device(device, est.device)
    try:
        restore_net(
            est, module_state=_prefixed(tensors, "module."),
            criterion_state=_prefixed(tensors, "criterion."),
            net_config=net_config, optimizer_state=optimizer, device=weights_device,
            source=str(path))
    except ValueError:
        raise
    except (TypeError, KeyError, AttributeError, IndexError, RuntimeError) as exc:
        # Values that decode but do not fit together (a tampered file).
        raise ValueError(f"{source}: its parameters and attributes do not "
                         f"build a {name}: {type(exc).__name__}: {exc}") from exc
    return est


def _decode_config(config, cls, tensors, networks, source):
    """The estimator with its parameters and fitted attributes, and the
    net's settings, from the JSON of ``config`` (see ``load_estimator``)."""
    name = cls.__name__
    decode = Decoder(tensors, source, networks)
    if not isinstance(config["params"], dict):
        raise decode.error("params", "is not a JSON object")
    params = {k: decode(v, f"params.{k}") for k, v in config["params"].items()}
    unknown = set(params) - set(cls._get_param_names())
    if unknown:
        raise ValueError(f"{source} sets parameters {sorted(unknown)} that "
                         f"{name} does not have (was it saved by a newer skgen?).")
    unused = {k for k in networks if not isinstance(config["params"].get(k), dict)}
    if unused:
        raise ValueError(f"networks passes {sorted(unused)}, but the saved {name} uses its "
                         "built-in network there.")
    est = cls(**params)
    est._validate_params()  # a tampered value fails here, by name
    attributes = config["attributes"]
    if not isinstance(attributes, dict):
        raise decode.error("attributes", "is not a JSON object")
    required = set(cls._fitted_attributes) | ({"classes_"} if params.get("conditional") else set())
    unknown = set(attributes) - required - set(cls._optional_fitted_attributes)
    missing = required - set(attributes)
    if unknown or missing:
        raise ValueError(f"{source} cannot be loaded: a fitted {name} has no attributes "
                         f"{sorted(unknown)} and needs {sorted(missing)}.")
    decode.params = est.get_params(deep=False)
    for key, value in attributes.items():
        setattr(est, key, decode(value, f"attributes.{key}"))
    net_config = {k: decode(v, f"net.{k}") for k, v in config["net"].items()}
    history = net_config["history"]
    if not (isinstance(history, list) and all(
            isinstance(row, dict) and all(isinstance(k, str) for k in row) for row in history)):
        raise decode.error("net.history", "is not a list of epoch records")
    if not isinstance(net_config["optimizer_params"], dict):
        raise decode.error("net.optimizer_params", "is not a JSON object")
    net_config["optimizer"] = decode._optimizer({"__optimizer__": net_config["optimizer"]},
                                                "net.optimizer")
    return est, net_config


def _prefixed(tensors, prefix):
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def check_optimizer_state(optimizer, saved, name, source):
    """Raise a ``ValueError`` unless ``saved`` (a decoded state dict) has
    the parameter groups of ``optimizer`` and per-parameter tensors shaped
    like the parameters: torch does not check, and a kernel would read past
    the end of a smaller tensor."""
    def fail(what):
        return ValueError(f"The state of '{name}' saved in {source} does not fit the "
                          f"network: {what}.")

    if not (isinstance(saved, dict) and set(saved) == {"state", "param_groups"}
            and isinstance(saved["state"], dict) and isinstance(saved["param_groups"], list)):
        raise fail("it is not an optimizer state")
    groups = optimizer.param_groups
    if len(saved["param_groups"]) != len(groups) or any(
            not isinstance(g, dict) or not isinstance(g.get("params"), list)
            or len(g["params"]) != len(own["params"])
            for g, own in zip(saved["param_groups"], groups)):
        raise fail("its parameter groups differ")
    ids = [i for g in saved["param_groups"] for i in g["params"]]
    params = dict(zip(ids, (p for own in groups for p in own["params"])))
    for key, entries in saved["state"].items():
        param = params.get(int(key)) if str(key).isdigit() else None
        if param is None or not isinstance(entries, dict):
            raise fail(f"it has state for an unknown parameter {key!r}")
        for entry, value in entries.items():
            if not torch.is_tensor(value):
                continue
            if entry == "step":
                ok = value.numel() == 1
            else:
                ok = value.shape == param.shape and value.is_floating_point()
            if not ok:
                raise fail(f"{entry!r} of parameter {key} has shape {tuple(value.shape)} "
                           f"and dtype {value.dtype}; the parameter has shape "
                           f"{tuple(param.shape)}")


def check_state_dict(module, state, what, source):
    """Raise a ``ValueError`` naming missing, unexpected or misshapen tensors."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    shapes = [f"{k}: saved {tuple(state[k].shape)}, expected {tuple(v.shape)}"
              for k, v in expected.items()
              if k in state and tuple(state[k].shape) != tuple(v.shape)]
    problems = []
    if missing:
        problems.append(f"missing tensors {missing[:5]}{' ...' * (len(missing) > 5)}")
    if unexpected:
        problems.append(f"unexpected tensors {unexpected[:5]}"
                        f"{' ...' * (len(unexpected) > 5)}")
    if shapes:
        problems.append("mismatched shapes (" + "; ".join(shapes[:5]) + ")")
    if problems:
        raise ValueError(f"The {what} saved in {source} do not fit the network its "
                         f"parameters build: {', '.join(problems)}.")


def restore_history(records):
    """A skorch ``History`` from the saved list of epoch records."""
    history = History()
    history.extend(records)
    return history


def restore_net(est, *, module_state, criterion_state, net_config, optimizer_state, device,
                source):
    """Rebuild ``est.net_`` for :func:`skgen.load`: the network and the
    objective that the fit built (from the shape parameters it recorded in
    ``_module_signature``, which later ``set_params`` calls do not change),
    holding the saved tensors, in a net with the fit's optimizer, built by
    the estimator's own ``_make_net`` as a fresh fit builds it."""
    current = {k: getattr(est, k) for k in est._module_params}
    precision = est.mixed_precision
    try:
        for key in est._module_params:
            setattr(est, key, est._module_signature[key])
        module = est._new_module(est.n_features_in_, est._sample_shape)
        check_state_dict(module, module_state, "network weights", source)
        module.load_state_dict(module_state)
        try:
            check_mixed_precision(precision, device)
        except ValueError:
            # fp16 training needs CUDA, inference does not: the model
            # loads, and a continued fit on this device raises as usual.
            est.mixed_precision = None
        net = est._make_net(module, est._build_objective(), device,
                            net_config["batch_size"], callbacks=est._family_callbacks(),
                            max_epochs=net_config["max_epochs"],
                            optimizer=(net_config["optimizer"],
                                       net_config["optimizer_params"]))
    finally:
        for key, value in current.items():
            setattr(est, key, value)
        est.mixed_precision = precision
    check_state_dict(net.criterion_, criterion_state, "objective buffers", source)
    net.criterion_.load_state_dict(criterion_state)
    net.history_ = restore_history(net_config["history"])
    net.best_losses_ = dict(net_config["best_losses"])
    if optimizer_state is not None:
        expected = set(net._optimizers) | {"grad_scaler"}
        if set(optimizer_state) != expected:
            raise ValueError(f"The optimizer state saved in {source} has entries "
                             f"{sorted(optimizer_state)}; {type(est).__name__} has "
                             f"{sorted(expected)}.")
        for name in net._optimizers:
            optimizer = getattr(net, name + "_")
            saved = optimizer_state[name]
            check_optimizer_state(optimizer, saved, name, source)
            optimizer.load_state_dict({
                "state": {int(k): v for k, v in saved["state"].items()},
                "param_groups": saved["param_groups"]})
        if optimizer_state["grad_scaler"] is not None and net.grad_scaler_ is not None:
            net.grad_scaler_.load_state_dict(optimizer_state["grad_scaler"])
    est.net_ = net
