"""Devices, optimizers, precision and local random generators."""

import inspect

import numpy as np
import torch
from sklearn.utils import check_random_state

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "nadam": torch.optim.NAdam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

# The fastest implementation torch offers for each built-in optimizer on
# CPU and CUDA, measured in bench/bench_autoencoders.py: the fused kernels
# where torch has them (Adam, SGD), else the multi-tensor ``foreach`` path.
# NAdam and RMSprop have no fused kernel.
_FAST_KWARGS = {
    torch.optim.Adam: {"fused": True},
    torch.optim.AdamW: {"fused": True},
    torch.optim.SGD: {"fused": True},
    torch.optim.NAdam: {"foreach": True},
    torch.optim.RMSprop: {"foreach": True},
}


def resolve_device(device):
    """Turn the ``device`` parameter into a ``torch.device``.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU. An explicit
    device that this machine does not have raises a ``ValueError``.
    """
    if isinstance(device, str) and device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda', 'cuda:N' or "
            f"'mps' (or a torch.device). Got {device!r} instead."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine. Use device='auto' or device='cpu'."
        )
    if resolved.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(
                f"device={device!r} was requested but MPS is not available on "
                "this machine. Use device='auto' or device='cpu'."
            )
    return resolved


def resolve_optimizer(optimizer, optimizer_params, device):
    """Return ``(optimizer_class, keyword_arguments)`` for skorch.

    Built-in names get the fastest implementation for ``device`` unless
    ``optimizer_params`` says otherwise; user keyword arguments always win.
    """
    if isinstance(optimizer, str):
        cls = OPTIMIZERS[optimizer]
    else:
        cls = optimizer
        if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
            raise ValueError(
                "The 'optimizer' parameter must be one of 'adam', 'nadam', 'sgd', "
                f"'rmsprop' or a torch.optim.Optimizer subclass. Got {optimizer!r} "
                "instead."
            )
    params = dict(optimizer_params or {})
    bad = [k for k in params if not isinstance(k, str) or k in ("params", "lr")]
    if bad:
        raise ValueError(
            f"optimizer_params cannot set {bad}: the parameters come from the "
            "network and the learning rate from 'learning_rate_init'."
        )
    accepted = inspect.signature(cls.__init__).parameters
    has_var_kw = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
    unknown = [k for k in params if k not in accepted and not has_var_kw]
    if unknown:
        raise ValueError(
            f"optimizer_params has keys {unknown} that {cls.__name__} does not accept."
        )
    fast = _FAST_KWARGS.get(cls, {}) if device.type in ("cpu", "cuda") else {}
    if not ({"fused", "foreach"} & params.keys()):
        params.update(fast)
    return cls, params


def optimizer_to(optimizer, device):
    """Move an optimizer's state tensors to ``device`` in place."""
    for state in optimizer.state.values():
        for key, value in state.items():
            # Adam's fused kernel keeps its 'step' counter on the parameter's
            # device; the for-loop path keeps it on the CPU. Follow the params.
            if torch.is_tensor(value) and value.device != device:
                if key == "step" and value.device.type == "cpu" and value.dim() == 0:
                    fused = any(g.get("fused") for g in optimizer.param_groups)
                    if not fused:
                        continue
                state[key] = value.to(device)


def torch_generator(random_state, device="cpu"):
    """A ``torch.Generator`` on ``device`` seeded from ``random_state``.

    ``random_state`` is anything ``check_random_state`` takes; one integer
    is drawn from it, so a shared ``RandomState`` advances by one draw.
    Every random draw of skgen goes through such a generator, never through
    torch's global one.
    """
    rng = check_random_state(random_state)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    return torch.Generator(device=device).manual_seed(seed)


# mixed_precision values (accelerate's names) and their autocast dtypes.
PRECISIONS = {"bf16": torch.bfloat16, "fp16": torch.float16}


def check_mixed_precision(mixed_precision, device):
    """The autocast dtype of ``mixed_precision`` on ``device`` (None: off).

    float16 needs loss scaling and a CUDA device; bfloat16 runs on the CPU
    and on recent GPUs.
    """
    if mixed_precision is None:
        return None
    if mixed_precision == "fp16" and device.type != "cuda":
        raise ValueError(
            f"mixed_precision='fp16' needs a CUDA device, but this fit runs on "
            f"{device.type!r}. Use mixed_precision='bf16' or None."
        )
    if mixed_precision == "bf16" and device.type == "cuda" and not torch.cuda.is_bf16_supported():
        raise ValueError(
            "mixed_precision='bf16' needs a GPU with bfloat16 support (Ampere or "
            "newer); this one has none. Use mixed_precision='fp16'."
        )
    return PRECISIONS[mixed_precision]


# The seed of the draws that make a fitted model's scores and checks
# deterministic (score_samples' noise, a training monitor's samples, a
# fitted prior's k-means): they depend on the model only, never on how
# rows are ordered or batched, and never consume the fit's own stream.
FIXED_SEED = 0


def fixed_generator(device="cpu"):
    """A ``torch.Generator`` on ``device`` seeded with ``FIXED_SEED``."""
    return torch.Generator(device=device).manual_seed(FIXED_SEED)
