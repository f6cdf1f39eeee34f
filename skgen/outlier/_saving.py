"""Saving an ``OutlierDetector`` without pickle: its model's save, and the
threshold beside it.

The directory holds the fitted model as its own ``save`` writes it, in
``model/``, and a ``config.json`` with the detector's parameters, its
``offset_`` and the model's save id, so a half-written save is refused.
"""

import json
import math
import numbers
import uuid
from pathlib import Path

from sklearn.base import clone

from .._engine._persistence import (
    CONFIG_FILE,
    FORMAT,
    FORMAT_VERSION,
    _skgen_version,
    _write,
    read_config_json,
)

MODEL_DIR = "model"
_KEYS = {"format", "format_version", "save_id", "skgen_version", "estimator", "params",
         "attributes", "model"}


def save_detector(detector, path, *, include_optimizer):
    """Write the fitted ``detector`` to the directory ``path``."""
    model = detector.estimator_
    if not callable(getattr(model, "save", None)):
        raise TypeError(
            f"OutlierDetector.save stores skgen models; this detector's estimator is a "
            f"{type(model).__name__}, which skgen cannot save. Use pickle or joblib.")
    cv = detector.cv
    if not (cv is None or (isinstance(cv, numbers.Integral) and not isinstance(cv, bool))):
        raise ValueError(
            f"OutlierDetector cannot be saved with cv={cv!r}: a JSON file holds an int or "
            "None only. cv only acts during fit: call set_params(cv=None) (or an int) "
            "before save.")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"Cannot save to {str(path)!r}: it is a file, not a directory.")
    model.save(path / MODEL_DIR, include_optimizer=include_optimizer)
    model_id = read_config_json(path / MODEL_DIR)["save_id"]
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "save_id": uuid.uuid4().hex,
        "skgen_version": _skgen_version(),
        "estimator": type(detector).__name__,
        "params": {"contamination": detector.contamination,
                   "cv": None if cv is None else int(cv)},
        "attributes": {"offset_": detector.offset_},
        "model": {"path": MODEL_DIR, "save_id": model_id},
    }
    text = json.dumps(config, indent=1, allow_nan=False)
    _write(path / CONFIG_FILE, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path


def load_detector(cls, path, config, load_model):
    """The detector of ``config`` (read from ``path``); ``load_model(dir)``
    loads its model."""
    path = Path(path)
    source = str(path / CONFIG_FILE)
    if set(config) != _KEYS:
        raise ValueError(f"{source} has unknown entries {sorted(set(config) - _KEYS)} and "
                         f"lacks {sorted(_KEYS - set(config))}.")
    params, attributes, model = config["params"], config["attributes"], config["model"]
    if not (isinstance(params, dict) and set(params) == {"contamination", "cv"}):
        raise ValueError(f"{source}: \"params\" must hold contamination and cv only.")
    offset = attributes.get("offset_") if isinstance(attributes, dict) else None
    if not (isinstance(attributes, dict) and set(attributes) == {"offset_"}
            and isinstance(offset, (int, float)) and not isinstance(offset, bool)
            and math.isfinite(offset)):
        raise ValueError(f"{source}: \"attributes\" must hold offset_, a finite number.")
    if not (isinstance(model, dict) and model.get("path") == MODEL_DIR):
        raise ValueError(f"{source}: \"model\" must name the directory {MODEL_DIR!r}.")
    if read_config_json(path / MODEL_DIR).get("save_id") != model.get("save_id"):
        raise ValueError(f"{path / MODEL_DIR} and {source} come from different saves (an "
                         "interrupted save over an older one?): save the detector again.")
    fitted = load_model(path / MODEL_DIR)
    detector = cls(clone(fitted), contamination=params["contamination"], cv=params["cv"])
    detector._validate_params()  # a tampered value fails here, by name
    detector.estimator_ = fitted
    detector.offset_ = float(offset)
    return detector

