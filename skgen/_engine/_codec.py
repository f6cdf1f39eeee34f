"""Values to and from JSON, for skgen's save format (``_saving``).

``Encoder`` turns parameters and fitted attributes into JSON, putting
arrays and tensors aside for a safetensors file; ``Decoder`` turns them
back. A value is always data: a tagged JSON object (``{"__tuple__": [...]}``,
``{"__array__": "key"}``, ...) becomes a tuple, an array, a ``RandomState``,
an object of a closed list rebuilt from its attributes, never an import.
A model held by the value (a pipeline's step, a detector's model) is an
entry of its own, ``{"__model__": entry}``, which the encoder and decoder
hand to the writer and the reader of ``_saving``.
"""

import json
import re

import numpy as np
import torch

from ..preprocessing._table import Column, TableEncoder
from ._scaling import DataScaler
from ._spec import DataSpec


def stored_objects():
    """Objects a fitted attribute may hold besides plain data and models, by
    class name: rebuilt as ``cls.__new__(cls)`` with their attributes set,
    no code run. Every kind of ``DataSpec`` is one, as it registers."""
    return {
        "DataScaler": DataScaler,
        "TableEncoder": TableEncoder,
        "Column": Column,
        **{cls.__name__: cls for cls in DataSpec.kinds.values()},
    }


_ARRAY_KINDS = set("biufUO")
# The names a stored object's attribute may have: no dunders.
ATTRIBUTE_NAME = re.compile(r"_?[A-Za-z][A-Za-z0-9_]*\Z")
# The path of a parameter itself (of the top model or of a nested one).
_PARAMETER_PATH = re.compile(r"(\A|/)params\.\w+\Z")


class Encoder:
    """Turns parameters and fitted attributes into JSON plus tensors.

    Arrays and tensors go to ``tensors`` under ``prefix`` + their path;
    ``networks`` maps the ``id`` of each user network among the parameters
    to the parameter's name: such a network is recorded by class only.
    """

    def __init__(self, tensors, owner, prefix="data.", networks=None, params=None, model=None):
        self.tensors = tensors
        self.owner = owner
        self.prefix = prefix
        self.networks = networks or {}
        # model(value, path): the entry of a model the value holds, or None
        # when the value is no model skgen stores.
        self.model = model
        # Parameter objects that fitted attributes may share (a RandomState
        # given as random_state is the fit's own generator): by reference.
        self.shared = {
            id(v): k for k, v in (params or {}).items() if isinstance(v, np.random.RandomState)
        }

    def __call__(self, value, path):
        if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
            return value
        if id(value) in self.shared and not _PARAMETER_PATH.search(path):
            return {"__param__": self.shared[id(value)]}
        if id(value) in self.networks:
            cls = value if isinstance(value, type) else type(value)
            return {
                "__network__": self.networks[id(value)],
                "class": f"{cls.__module__}.{cls.__qualname__}",
            }
        if isinstance(value, (list, tuple, dict)):
            return self._container(value, path)
        tagged = self._data(value, path)
        if tagged is not None:
            return tagged
        entry = None if self.model is None else self.model(value, path)
        if entry is not None:
            return {"__model__": entry}
        if stored_objects().get(type(value).__name__) is type(value):
            return {
                "__object__": type(value).__name__,
                "state": self(dict(vars(value)), path)["__dict__"],
            }
        raise ValueError(
            f"{self.owner} cannot be saved: {path} holds a "
            f"{type(value).__module__}.{type(value).__qualname__}, which skgen's save format "
            "cannot store. Give parameters plain values (numbers, strings, None, tuples, "
            "lists or dicts of them), or use pickle (or joblib) for this model."
        )

    def _container(self, value, path):
        if isinstance(value, list):
            return [self(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"__tuple__": [self(v, f"{path}[{i}]") for i, v in enumerate(value)]}
        bad = [k for k in value if not isinstance(k, str)]
        if bad:
            raise ValueError(
                f"{self.owner} cannot be saved: {path} is a dict with keys "
                f"{bad!r} that are not strings."
            )
        return {"__dict__": {k: self(v, f"{path}.{k}") for k, v in value.items()}}

    def _data(self, value, path):
        """The tag of a numeric scalar, dtype, array, tensor, random state or
        device, or None for any other value."""
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"__scalar__": value.dtype.str, "value": value.item()}
        if isinstance(value, np.dtype):
            return {"__dtype__": value.str}
        if isinstance(value, np.ndarray):
            return self._array(value, path)
        if torch.is_tensor(value):
            self.tensors[self.prefix + path] = value.detach().to("cpu").contiguous().clone()
            return {"__tensor__": self.prefix + path}
        if isinstance(value, np.random.RandomState):
            _, keys, pos, has_gauss, cached = value.get_state()
            state = {
                "keys": keys.tolist(),
                "pos": int(pos),
                "has_gauss": int(has_gauss),
                "cached_gaussian": float(cached),
            }
            return {"__random_state__": state}
        if isinstance(value, torch.device):
            return {"__device__": str(value)}
        return None

    def _array(self, value, path):
        if value.dtype.kind in "biuf":
            # A Fortran-ordered array (scikit-learn's coefficients often are)
            # is stored as its transpose and comes back in the same layout:
            # the order of a product's sums, and so its last bit, follows it.
            fortran = value.ndim > 1 and value.flags.f_contiguous and not value.flags.c_contiguous
            try:
                # (np.ascontiguousarray would turn a 0-d array into 1-d.)
                tensor = torch.from_numpy(np.array(value.T if fortran else value, order="C"))
            except TypeError:  # a dtype torch has no tensor for
                pass
            else:
                self.tensors[self.prefix + path] = tensor
                return {"__farray__" if fortran else "__array__": self.prefix + path}
        if value.dtype.kind in "biufU" or (
            value.dtype.kind == "O" and all(isinstance(v, str) for v in value.flat)
        ):
            return {"__list_array__": value.tolist(), "dtype": value.dtype.str}
        raise ValueError(
            f"{self.owner} cannot be saved: {path} is an array of dtype "
            f"{value.dtype}. Use pickle (or joblib) for this model."
        )


class Decoder:
    """The inverse of ``_Encoder``: JSON plus tensors back to values.

    Anything that is not plain JSON data or one of the tags below is an
    error naming its path; ``networks`` supplies the user's own networks.
    """

    def __init__(
        self, tensors, source, networks, params=None, tensor_file="model.safetensors", model=None
    ):
        self.tensors = tensors
        self.tensor_file = tensor_file
        self.source = source
        self.networks = networks
        self.params = params or {}
        # model(entry, path): the model an entry stores.
        self.model = model

    def error(self, path, what):
        return ValueError(f"{self.source} cannot be loaded: {path} {what}.")

    def __call__(self, value, path):
        if value is None or isinstance(value, (bool, str, int, float)):
            return value
        if isinstance(value, list):
            return [self(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, dict) or len(value) not in (1, 2):
            raise self.error(path, f"has an unexpected value {_short(value)}")
        tags = [key for key in value if key in _TAGS]
        if len(tags) != 1 or set(value) != _TAGS[tags[0]]:
            raise self.error(path, f"has an unknown entry {_short(value)}")
        try:
            return getattr(self, "_" + tags[0].strip("_"))(value, path)
        except (TypeError, ValueError, OverflowError) as exc:
            if str(exc).startswith(self.source):
                raise
            raise self.error(path, f"has an invalid value {_short(value)} ({exc})") from None

    def _tuple(self, value, path):
        return tuple(self(value["__tuple__"], path))

    def _dict(self, value, path):
        items = value["__dict__"]
        if not isinstance(items, dict):
            raise self.error(path, "is not a JSON object")
        return {k: self(v, f"{path}.{k}") for k, v in items.items()}

    def _scalar(self, value, path):
        dtype = self._dtype({"__dtype__": value["__scalar__"]}, path)
        if dtype.kind not in "biuf":
            raise self.error(path, f"has a scalar of dtype {dtype}")
        return dtype.type(value["value"])

    def _dtype(self, value, path):
        try:
            dtype = np.dtype(value["__dtype__"])
        except TypeError:
            raise self.error(path, f"names an unknown dtype {value['__dtype__']!r}") from None
        if dtype.kind not in _ARRAY_KINDS:
            raise self.error(path, f"names an unsupported dtype {dtype}")
        return dtype

    def _tensor_at(self, key, path):
        if not isinstance(key, str) or key not in self.tensors:
            raise self.error(
                path, f"refers to a tensor {key!r} that {self.tensor_file} does not have"
            )
        return self.tensors[key]

    def _array(self, value, path):
        return self._tensor_at(value["__array__"], path).numpy().copy()

    def _farray(self, value, path):
        return self._tensor_at(value["__farray__"], path).numpy().copy().T

    def _tensor(self, value, path):
        return self._tensor_at(value["__tensor__"], path).clone()

    def _list_array(self, value, path):
        dtype = self._dtype({"__dtype__": value["dtype"]}, path)
        return np.array(value["__list_array__"], dtype=dtype)

    def _random_state(self, value, path):
        state = value["__random_state__"]
        try:
            rng = np.random.RandomState()
            rng.set_state(
                (
                    "MT19937",
                    np.array(state["keys"], dtype=np.uint32),
                    int(state["pos"]),
                    int(state["has_gauss"]),
                    float(state["cached_gaussian"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise self.error(path, "is not a valid random state") from None
        return rng

    def _device(self, value, path):
        return str(value["__device__"])

    def _object(self, value, path):
        cls = stored_objects().get(value["__object__"])
        if cls is None:
            raise self.error(
                path,
                f"names an object {value['__object__']!r} that skgen does "
                f"not load (known: {sorted(stored_objects())})",
            )
        state = self._dict({"__dict__": value["state"]}, path)
        bad = [k for k in state if not ATTRIBUTE_NAME.match(k)]
        if bad:
            raise self.error(path, f"sets attributes {bad} that no stored object has")
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj

    def _model(self, value, path):
        if self.model is None or not isinstance(value["__model__"], dict):
            raise self.error(path, "holds a model where none can be")
        return self.model(value["__model__"], path)

    def _network(self, value, path):
        name = value["__network__"]
        if name not in self.networks:
            raise self.error(
                path,
                f"is a custom network ({value['class']}) of the '{name}' "
                f"parameter: pass it, load(path, networks={{'{name}': ...}})",
            )
        return self.networks[name]

    def _param(self, value, path):
        name = value["__param__"]
        if not isinstance(name, str) or not isinstance(
            self.params.get(name), np.random.RandomState
        ):
            raise self.error(path, f"refers to a parameter {name!r} that holds no random state")
        return self.params[name]

    def _optimizer(self, value, path):
        name = value["__optimizer__"]
        cls = getattr(torch.optim, name, None) if isinstance(name, str) else None
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            raise self.error(path, f"names an optimizer {name!r} that torch.optim does not have")
        return cls


_TAGS = {
    "__tuple__": {"__tuple__"},
    "__dict__": {"__dict__"},
    "__dtype__": {"__dtype__"},
    "__scalar__": {"__scalar__", "value"},
    "__array__": {"__array__"},
    "__farray__": {"__farray__"},
    "__tensor__": {"__tensor__"},
    "__list_array__": {"__list_array__", "dtype"},
    "__random_state__": {"__random_state__"},
    "__device__": {"__device__"},
    "__object__": {"__object__", "state"},
    "__network__": {"__network__", "class"},
    "__optimizer__": {"__optimizer__"},
    "__param__": {"__param__"},
    "__model__": {"__model__"},
}


def _short(value):
    text = json.dumps(value)[:80]
    return text + ("..." if len(text) == 80 else "")
