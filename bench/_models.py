"""Fitted models that a benchmark keeps between runs (``--models DIR``)."""

import os
import time

import skgen
from skgen import DDPM


def saved_or_fitted(path, X, seed, label):
    """``DDPM(random_state=seed)`` fitted on ``X``: loaded from ``path``
    when a model is saved there, else fitted (the time printed after
    ``label``) and saved there; ``path`` None: always fitted, not saved."""
    if path and os.path.exists(os.path.join(path, "config.json")):
        print(f"{label}: loaded {path}", flush=True)
        return skgen.load(path)
    start = time.perf_counter()
    model = DDPM(random_state=seed).fit(X)
    print(f"{label}: fitted in {time.perf_counter() - start:.0f} s", flush=True)
    if path:
        model.save(path)
    return model
