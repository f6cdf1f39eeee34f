"""The engine's hold on networks: reproducible initialisation, users' modules.

:func:`init_parameters_` re-initialises a network from an explicit
``torch.Generator``, so estimators are reproducible without touching
torch's global random state; :func:`user_network` puts a user's own module
behind the flat-row interface of skgen's networks, checked on a batch of
two before any training.
"""

import copy
import inspect
import math

import torch
from torch import nn

_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d)
_DETERMINISTIC_RESET = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
)


@torch.no_grad()
def init_parameters_(module, generator):
    """Initialise every parameter of ``module`` in place from ``generator``.

    Linear and convolutional layers get torch's own default scheme
    (Kaiming-uniform with ``a=sqrt(5)``, bias uniform in
    ``+-1/sqrt(fan_in)``) drawn from ``generator`` instead of the global
    RNG; normalisation layers are reset to their deterministic values.
    A custom module that owns parameters must define
    ``reset_parameters(generator)``; one with random buffers defines
    ``reset_buffers(generator)``. A network with a ``sync_ema()`` method (an
    averaged copy of its weights) has it called last.
    """
    for sub in module.modules():
        if hasattr(sub, "reset_buffers"):
            sub.reset_buffers(generator=generator)
        own = list(sub.parameters(recurse=False))
        if isinstance(sub, _WEIGHTED):
            nn.init.kaiming_uniform_(sub.weight, a=math.sqrt(5), generator=generator)
            if sub.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(sub.weight)
                bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(sub.bias, -bound, bound, generator=generator)
        elif isinstance(sub, _DETERMINISTIC_RESET):
            sub.reset_parameters()
        elif isinstance(sub, nn.RNNBase):
            # torch's own scheme: every weight and bias U(-1/sqrt(hidden), +).
            bound = 1.0 / math.sqrt(sub.hidden_size) if sub.hidden_size > 0 else 0.0
            for weight in own:
                nn.init.uniform_(weight, -bound, bound, generator=generator)
        elif isinstance(sub, nn.Embedding):  # torch's own scheme: N(0, 1)
            nn.init.normal_(sub.weight, generator=generator)
            if sub.padding_idx is not None:
                sub.weight[sub.padding_idx].zero_()
        elif own:
            reset = getattr(sub, "reset_parameters", None)
            if reset is None or "generator" not in inspect.signature(reset).parameters:
                raise TypeError(
                    f"{type(sub).__name__} owns parameters but has no "
                    "reset_parameters(generator) method, so it cannot be "
                    "initialised reproducibly."
                )
            reset(generator=generator)
    for sub in module.modules():
        # A network that keeps an average of its weights (AveragedNetwork)
        # starts it from the weights just drawn.
        sync = getattr(sub, "sync_ema", None)
        if callable(sync):
            sync()
    return module


# -- user-supplied networks ----------------------------------------------
# skgen's networks pass flat rows (images channels-last) between them; a
# user's module gets and returns tensors in torch's layout instead:
# (batch, n_features) for vectors, (batch, channels, height, width) for
# images, (batch,) or (batch, 1) for one score per sample.


def _to_torch_layout(x, shape):
    if len(shape) == 3:
        c, h, w = shape
        return x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
    return x


def _to_flat(out, shape):
    if len(shape) == 3:
        return out.permute(0, 2, 3, 1).reshape(out.shape[0], -1)
    if not shape:
        return out.reshape(out.shape[0])
    return out


class UserNetwork(nn.Module):
    """A user's module behind the flat-row interface of skgen's networks.

    ``in_shape`` and ``out_shape`` are the torch shapes of one input and one
    output: ``(n,)`` for vectors, ``(channels, height, width)`` for images,
    ``()`` for a score. Extra arguments (a condition, a timestep) are passed
    on after the input, those that are None left out; a ``generator``
    keyword (skgen's own dropout) is not.
    """

    def __init__(self, module, in_shape, out_shape):
        super().__init__()
        self.module = module
        self.in_shape = tuple(in_shape)
        self.out_shape = tuple(out_shape)

    def forward(self, x, *extras, generator=None):
        x = _to_torch_layout(x, self.in_shape)
        out = self.module(x, *[e for e in extras if e is not None]) if extras else self.module(x)
        return _to_flat(out, self.out_shape)


def _describe(shape):
    return "(batch, " + ", ".join(str(s) for s in shape) + ")" if shape else "(batch,)"


def user_network(spec, name, in_shape, out_shape, extras=()):
    """Wrap the module ``spec`` (an instance or a subclass) as a ``UserNetwork``.

    An instance is deep-copied and a subclass called without arguments, so
    the user's object is never trained. One forward pass on a batch of two
    zeros (in eval mode, without gradients) materialises lazy layers and
    checks the output's shape, so that a module that does not fit the data
    fails at once with a ``ValueError`` naming ``name``. ``extras`` are the
    extra arguments of that pass (one per sample, batch of two).
    """
    if isinstance(spec, nn.Module):
        module = copy.deepcopy(spec)
    elif isinstance(spec, type) and issubclass(spec, nn.Module):
        module = spec()
    else:
        raise ValueError(
            f"The '{name}' parameter must be a torch.nn.Module instance or "
            f"subclass, or None. Got {spec!r} instead."
        )
    x = torch.zeros(2, *in_shape)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(x, *extras)
    except Exception as exc:  # the user's code: any error, reworded
        given = " and ".join(
            ["a batch of shape " + _describe(in_shape)]
            + [f"a tensor of shape {_describe(tuple(e.shape[1:]))}" for e in extras]
        )
        raise ValueError(
            f"The '{name}' module failed when called with {given}: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        module.train(was_training)
    allowed = [(2, *out_shape)] + ([(2, 1)] if not out_shape else [])
    if not torch.is_tensor(out) or tuple(out.shape) not in allowed:
        got = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise ValueError(
            f"The '{name}' module must map a batch of shape {_describe(in_shape)} to "
            f"{' or '.join(_describe(a[1:]) for a in allowed)}; on a batch of 2 it "
            f"returned {got}."
        )
    return UserNetwork(module, in_shape, out_shape)
