"""A spy on the host: which torch calls made Python wait for a tensor's value.

A training step on a GPU runs ahead of Python only while nothing reads a
value back: ``item()``, ``bool(t)``, ``tolist()``, ``numpy()``, a copy to
the CPU, or an operation whose output size depends on the data
(``nonzero``, boolean indexing, ``unique``) each wait for every queued
kernel. :class:`HostReads` records such calls while it is active, on any
device: on a CPU nothing waits, but the same calls are there, so a test on
a CPU machine catches a step that would stall a GPU.
"""

import torch
from torch.utils._python_dispatch import TorchDispatchMode

# Operators that read a value on the host or size their output by the data.
_READING_OPS = {
    "aten::_local_scalar_dense",
    "aten::item",
    "aten::is_nonzero",
    "aten::equal",
    "aten::nonzero",
    "aten::masked_select",
    "aten::_unique",
    "aten::_unique2",
    "aten::unique_dim",
    "aten::unique_consecutive",
    "aten::repeat_interleave",
}
# Tensor methods that read on the host without an operator on a CPU tensor.
_READING_METHODS = ("tolist", "numpy")


class HostReads(TorchDispatchMode):
    """Record, while active, every call that reads a tensor's value on the
    host: ``reads`` lists their names."""

    def __init__(self):
        super().__init__()
        self.reads = []
        self._saved = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func._schema.name
        if name in _READING_OPS:
            self.reads.append(name)
        elif name in ("aten::_to_copy", "aten::copy_"):
            out_device = (kwargs or {}).get("device")
            sources = [a for a in args if isinstance(a, torch.Tensor)]
            if name == "aten::copy_" and len(sources) == 2:
                # copy_(destination, source): to the host from a device.
                if sources[0].device.type == "cpu" and sources[1].device.type != "cpu":
                    self.reads.append("copy to the host")
            elif out_device is not None and torch.device(out_device).type == "cpu":
                if sources and sources[0].device.type != "cpu":
                    self.reads.append("copy to the host")
        return func(*args, **(kwargs or {}))

    def __enter__(self):
        for method in _READING_METHODS:
            original = getattr(torch.Tensor, method)
            self._saved[method] = original

            def reading(tensor, *args, _name=method, _original=original, **kwargs):
                self.reads.append(f"Tensor.{_name}")
                return _original(tensor, *args, **kwargs)

            setattr(torch.Tensor, method, reading)
        return super().__enter__()

    def __exit__(self, *exc):
        for method, original in self._saved.items():
            setattr(torch.Tensor, method, original)
        self._saved.clear()
        return super().__exit__(*exc)
