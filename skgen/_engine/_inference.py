"""Inference of a fitted estimator: its device, and batched forward passes."""

import copy

import numpy as np
import torch

from .._config import with_cpu_settings
from ._distributed import current_context, process_device
from ._torch import optimizer_to, resolve_device

# Rows per forward pass at inference: large enough to amortise Python
# overhead, small enough to keep memory bounded for any input size.
INFERENCE_BATCH_SIZE = 4096


def tensor_batches(*tensors, batch_size=INFERENCE_BATCH_SIZE):
    """Slices of at most ``batch_size`` rows of ``tensors`` (None passes
    through as None), for passes over training data already on its device."""
    n = tensors[0].shape[0]
    for start in range(0, n, batch_size):
        yield tuple(None if t is None else t[start : start + batch_size] for t in tensors)


class InferenceMixin:
    """Device moves and batched, eval-mode forward passes of ``net_``: what
    ``transform``, ``sample`` and the scores of every family run on."""

    def _move_net(self, device):
        net = self.net_
        if torch.device(net.device) == device:
            return
        net.module_.to(device)
        net.criterion_.to(device)
        for name in net._optimizers:
            optimizer_to(getattr(net, name + "_"), device)
        net.device = str(device)

    def _inference_device(self):
        device = process_device(resolve_device(self.device), current_context())
        self._move_net(device)
        return device

    @with_cpu_settings
    def _forward_batches(self, fn, X, out_dtype, *, labels=None, batch_size=None, preprocess=None):
        """Apply ``fn(module, batch)`` to the rows of ``X`` in eval mode.

        With ``labels`` (an int array), ``fn(module, batch, batch_labels)``.
        Runs under ``torch.inference_mode`` in batches of ``batch_size``
        (default ``INFERENCE_BATCH_SIZE``) rows and returns a numpy array of
        ``out_dtype``. ``X`` is a validated array or an ``ArraySource``
        (a large array-like, read a batch at a time); ``preprocess`` maps
        each batch of rows before the network sees it.
        """
        batch_size = batch_size or INFERENCE_BATCH_SIZE
        device = self._inference_device()
        module = self.net_.module_
        module.eval()
        # As in scikit-learn, float64 input is computed in float64 (on the
        # CPU; accelerators stay in float32). It keeps results independent of
        # how rows are batched to well below float32's epsilon.
        double = X.dtype == np.float64 and device.type == "cpu"
        np_dtype = np.float64 if double else np.float32
        if double:
            # A private copy, so concurrent calls never see a half-cast net.
            module = copy.deepcopy(module).double()
        out = None
        with torch.inference_mode():
            for start in range(0, X.shape[0], batch_size):
                # np.array copies, so read-only inputs (memmaps) are fine.
                rows = X[start : start + batch_size]
                if preprocess is not None:
                    rows = preprocess(rows)
                batch = torch.from_numpy(np.array(rows, dtype=np_dtype)).to(device)
                if labels is None:
                    result = fn(module, batch)
                else:
                    yb = torch.as_tensor(labels[start : start + batch_size], dtype=torch.long).to(
                        device
                    )
                    result = fn(module, batch, yb)
                result = result.to("cpu").numpy()
                if out is None:
                    # One preallocated array: each batch is copied once.
                    out = np.empty((X.shape[0], *result.shape[1:]), dtype=out_dtype)
                out[start : start + batch_size] = result
        return out
