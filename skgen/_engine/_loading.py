"""Loading a model that ``save`` wrote: one reader for every model.

See ``_saving`` for the format. Reading never runs code from the files:
``config.json`` is parsed as JSON, tensors are read with safetensors, and
every object is built from a closed list (the registry of models, the
stored objects of ``_codec``, ``torch.optim`` by name).
"""

import json
import warnings
from pathlib import Path

import torch

from .._version import __version__
from ._codec import ATTRIBUTE_NAME, Decoder
from ._restore import restore_net
from ._saving import (
    CONFIG_FILE,
    ENTRY_KEYS,
    FORMAT,
    FORMAT_VERSION,
    HEADER_KEYS,
    MODELS,
    NET_KEYS,
    OPTIMIZER_FILE,
    WEIGHTS_FILE,
    SaveableMixin,
    model_class,
    safetensors_torch,
)
from ._torch import resolve_device


def read_config_json(path):
    """The parsed ``config.json`` of the save directory ``path``, checked to
    be skgen's format in a version this skgen reads."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(
            f"No saved skgen model at {str(path)!r}: there is no such directory."
        )
    config_file = path / CONFIG_FILE
    if not config_file.is_file():
        raise FileNotFoundError(
            f"{str(path)!r} has no {CONFIG_FILE}: it is not a model written by skgen's save."
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(
            f"{config_file} is not valid JSON: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ValueError(
            f'{config_file} is not a skgen model configuration (no "format": "{FORMAT}" entry).'
        )
    version = config.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{config_file} has an invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{config_file} was written by skgen {config.get('skgen_version')} in format "
            f"version {version}; this skgen ({__version__}) reads format "
            f"version {FORMAT_VERSION} and older. Upgrade skgen to load it."
        )
    if version < FORMAT_VERSION:
        raise ValueError(
            f"{config_file} was written by a development version of skgen "
            f"({config.get('skgen_version')}) in format version {version}, before models "
            "kept their data spec; this skgen cannot rebuild it. Fit and save the model "
            "again."
        )
    unknown = set(config) - HEADER_KEYS - ENTRY_KEYS
    missing = (HEADER_KEYS | ENTRY_KEYS) - {"optimizer"} - set(config)
    if unknown or missing:
        raise ValueError(
            f"{config_file} has unknown entries {sorted(unknown)} and lacks {sorted(missing)}."
        )
    return config


def load(path, *, device="cpu", networks=None):
    """Load a model saved with ``save``, without pickle.

    Loads every skgen estimator, an :class:`~skgen.OutlierDetector` or an
    :class:`~skgen.EncoderClassifier` with the model it holds, and a
    ``Pipeline`` saved with :func:`skgen.save`.

    Reading never runs code from the files: ``config.json`` is parsed as
    JSON, the weights are read with safetensors, every class must be one of
    skgen's own or of the few scikit-learn classes a pipeline may hold, and
    every other object is rebuilt from plain data (arrays, tuples, random
    states). The loaded model gives the same ``transform``,
    ``inverse_transform``, ``score_samples`` and ``sample(random_state=...)``
    as the saved one, bit for bit on the same device, and can continue
    training (``partial_fit``, ``warm_start``).

    Parameters
    ----------
    path : str or path-like
        The directory that ``save`` wrote.
    device : str, torch.device or None, default="cpu"
        Where the weights go, and the loaded estimator's ``device``
        parameter: ``"cpu"`` works on every machine, whatever device the
        model was trained on; ``"cuda"``, ``"cuda:1"``, ``"mps"`` or
        ``"auto"`` (a GPU when there is one) as for fitting. None keeps the
        saved ``device`` parameter, falling back to the CPU with a warning
        when this machine lacks the saved accelerator.
    networks : dict, default=None
        The user's own networks of a model fitted with one (the ``encoder``,
        ``decoder``, ``generator``, ``discriminator`` or ``denoiser``
        parameter): ``{parameter name: module instance or class}``, as
        passed when fitting. The file records their class name only, never
        their code; their trained weights come from the file.

    Returns
    -------
    estimator : estimator instance
        The fitted model.

    Raises
    ------
    FileNotFoundError
        When ``path``, its ``config.json`` or a weights file is missing.
    ValueError
        When the files are not a skgen model, come from another format
        version, name a class or object skgen does not load, set unknown
        parameters or attributes, or hold tensors whose names or shapes do
        not fit the network.

    See Also
    --------
    pickle : Also stores custom callbacks and subclasses, but loading a
        pickle runs code named in the file.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> import skgen
    >>> X = load_digits().data[:100] / 16
    >>> ae = skgen.LinearAutoencoder(2, max_iter=2, random_state=0).fit(X)
    >>> path = ae.save(tempfile.mkdtemp() + "/ae")
    >>> loaded = skgen.load(path)
    >>> bool((loaded.transform(X) == ae.transform(X)).all())
    True
    """
    path = Path(path)
    config = read_config_json(path)
    source = str(path / CONFIG_FILE)
    reader = _Reader(path, config, device=device, networks=dict(networks or {}))
    try:
        return reader.model({k: config.get(k) for k in ENTRY_KEYS}, "", root=True)
    except RecursionError:
        raise ValueError(f"{source} cannot be loaded: its values are nested too deeply.") from None


class _Reader:
    """Turns entries back into models, the models they hold first."""

    def __init__(self, path, config, *, device, networks):
        self.path, self.save_id = path, config["save_id"]
        self.source = str(path / CONFIG_FILE)
        self.device, self.networks = device, networks
        self.tensors = _read_tensors(path / WEIGHTS_FILE, "weights", self.save_id)
        self._opt_tensors = None

    def opt_tensors(self):
        if self._opt_tensors is None:
            self._opt_tensors = _read_tensors(
                self.path / OPTIMIZER_FILE, "optimizer state", self.save_id
            )
        return self._opt_tensors

    def nested(self, entry, path):
        if not isinstance(entry, dict) or set(entry) != ENTRY_KEYS:
            raise ValueError(f"{self.source} cannot be loaded: {path} is not a model entry.")
        return self.model(entry, path + "/")

    def model(self, entry, prefix, root=False):
        name = entry["estimator"]
        cls = model_class(name)
        if cls is None:
            raise ValueError(
                f"{self.source} names the estimator {name!r}, which is not one "
                f"of skgen's: {sorted(MODELS)}."
            )
        networks = self._networks_for(cls, entry, root)
        decode = Decoder(self.tensors, self.source, networks, model=self.nested)
        est = self._with_params(cls, entry["params"], decode, prefix)
        if entry["attributes"] is None:
            return est
        self._set_attributes(est, entry["attributes"], decode, prefix)
        if entry["net"] is not None:
            self._restore(est, entry, decode, prefix)
        elif hasattr(cls, "_make_net"):  # a neural estimator: fitted means a net
            raise ValueError(
                f"{self.source} cannot be loaded: the fitted {cls.__name__} at "
                f'{prefix or "the top"} has no "net" entry.'
            )
        if isinstance(est, SaveableMixin):
            est._check_loaded(self.source)
        return est

    def _networks_for(self, cls, entry, root):
        names = set(getattr(cls, "_network_param_names", list)())
        if not root:
            return {k: v for k, v in self.networks.items() if k in names}
        bad = set(self.networks) - names
        if bad and names:
            raise ValueError(
                f"networks has keys {sorted(bad)} that are not network "
                f"parameters of {cls.__name__} ({sorted(names)})."
            )
        params = entry["params"] if isinstance(entry["params"], dict) else {}
        unused = {k for k in self.networks if k in names and not isinstance(params.get(k), dict)}
        if unused:
            raise ValueError(
                f"networks passes {sorted(unused)}, but the saved "
                f"{cls.__name__} uses its built-in network there."
            )
        return {k: v for k, v in self.networks.items() if k in names}

    def _with_params(self, cls, params, decode, prefix):
        if not isinstance(params, dict):
            raise decode.error(prefix + "params", "is not a JSON object")
        params = {k: decode(v, f"{prefix}params.{k}") for k, v in params.items()}
        unknown = set(params) - set(cls._get_param_names())
        if unknown:
            raise ValueError(
                f"{self.source} sets parameters {sorted(unknown)} that "
                f"{cls.__name__} does not have (was it saved by a newer skgen?)."
            )
        est = cls(**params)
        est._validate_params()  # a tampered value fails here, by name
        decode.params = est.get_params(deep=False)
        return est

    def _set_attributes(self, est, attributes, decode, prefix):
        cls = type(est)
        if not isinstance(attributes, dict):
            raise decode.error(prefix + "attributes", "is not a JSON object")
        if issubclass(cls, SaveableMixin):
            conditional = getattr(est, "conditional", False)
            required = set(cls._fitted_attributes) | ({"classes_"} if conditional else set())
            unknown = set(attributes) - required - set(cls._optional_fitted_attributes)
            missing = required - set(attributes)
        else:
            unknown = {k for k in attributes if not ATTRIBUTE_NAME.match(k)}
            missing = set()
        if unknown or missing:
            raise ValueError(
                f"{self.source} cannot be loaded: a fitted {cls.__name__} has no "
                f"attributes {sorted(unknown)} and needs {sorted(missing)}."
            )
        for key, value in attributes.items():
            setattr(est, key, decode(value, f"{prefix}attributes.{key}"))

    def _restore(self, est, entry, decode, prefix):
        name = type(est).__name__
        net_config = entry["net"]
        if not isinstance(net_config, dict) or set(net_config) != NET_KEYS:
            raise ValueError(
                f'{self.source}: its "net" entry must have the keys {sorted(NET_KEYS)}.'
            )
        net_config = {k: decode(v, f"{prefix}net.{k}") for k, v in net_config.items()}
        _check_net_config(net_config, decode, prefix)
        optimizer = None
        if entry["optimizer"] is not None:
            optimizer = Decoder(self.opt_tensors(), self.source, {}, tensor_file=OPTIMIZER_FILE)(
                entry["optimizer"], prefix + "optimizer"
            )
            if not isinstance(optimizer, dict):
                raise ValueError(f"{self.source} cannot be loaded: optimizer is not a JSON object.")
        weights_device, est.device = _resolve_load_device(self.device, est.device)
        try:
            restore_net(
                est,
                module_state=_prefixed(self.tensors, prefix + "module."),
                criterion_state=_prefixed(self.tensors, prefix + "criterion."),
                net_config=net_config,
                optimizer_state=optimizer,
                device=weights_device,
                source=str(self.path),
            )
        except ValueError:
            raise
        except (TypeError, KeyError, AttributeError, IndexError, RuntimeError) as exc:
            # Values that decode but do not fit together (a tampered file).
            raise ValueError(
                f"{self.source}: its parameters and attributes do not "
                f"build a {name}: {type(exc).__name__}: {exc}"
            ) from exc


def _check_net_config(net_config, decode, prefix):
    history = net_config["history"]
    if not (
        isinstance(history, list)
        and all(isinstance(row, dict) and all(isinstance(k, str) for k in row) for row in history)
    ):
        raise decode.error(prefix + "net.history", "is not a list of epoch records")
    if not isinstance(net_config["optimizer_params"], dict):
        raise decode.error(prefix + "net.optimizer_params", "is not a JSON object")
    net_config["optimizer"] = decode._optimizer(
        {"__optimizer__": net_config["optimizer"]}, prefix + "net.optimizer"
    )


def _read_tensors(file, what, save_id):
    """The tensors of a safetensors file written by the same save."""
    if not file.is_file():
        raise FileNotFoundError(f"{str(file)!r} is missing: the saved model's {what} are in it.")
    st = safetensors_torch()
    try:
        with st.safe_open(str(file), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except Exception as exc:  # safetensors' own errors: a damaged file
        raise ValueError(f"{file} is not a readable safetensors file: {exc}") from None
    if metadata.get("save_id") != save_id:
        raise ValueError(
            f"{file} and {file.parent / CONFIG_FILE} come from different saves "
            "(an interrupted save over an older one?): save the model again."
        )
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
            "have; it is loaded on the CPU with device='cpu'.",
            UserWarning,
        )
        return torch.device("cpu"), "cpu"


def _prefixed(tensors, prefix):
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
