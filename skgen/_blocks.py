"""Network building blocks shared by every family.

Plain ``torch.nn`` code: nothing here knows about scikit-learn. The one
non-standard piece is :func:`init_parameters_`, which re-initialises a
module from an explicit ``torch.Generator`` so that estimators are
reproducible without touching torch's global random state.
"""

import inspect
import math

import torch
from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
}

# The names accepted for hidden layers (MLPRegressor's four and a few more).
HIDDEN_ACTIVATIONS = frozenset(ACTIVATIONS) - {"sigmoid"}
OUTPUT_ACTIVATIONS = frozenset({"sigmoid", "tanh"})


def make_activation(name):
    """Return a fresh activation module for ``name`` (None means identity)."""
    return ACTIVATIONS["identity" if name is None else name]()


def mlp(sizes, activation, output_activation=None):
    """A stack of ``Linear`` layers ``sizes[0] -> ... -> sizes[-1]``.

    ``activation`` follows every layer but the last, ``output_activation``
    follows the last one.
    """
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        last = i == len(sizes) - 2
        layers.append(make_activation(output_activation if last else activation))
    return nn.Sequential(*layers)


_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d)
_DETERMINISTIC_RESET = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.LayerNorm,
    nn.GroupNorm,
)


@torch.no_grad()
def init_parameters_(module, generator):
    """Initialise every parameter of ``module`` in place from ``generator``.

    Linear and convolutional layers get torch's own default scheme
    (Kaiming-uniform with ``a=sqrt(5)``, bias uniform in
    ``+-1/sqrt(fan_in)``) drawn from ``generator`` instead of the global
    RNG; normalisation layers are reset to their deterministic values.
    A custom module that owns parameters must define
    ``reset_parameters(generator)``.
    """
    for sub in module.modules():
        own = list(sub.parameters(recurse=False))
        if isinstance(sub, _WEIGHTED):
            nn.init.kaiming_uniform_(sub.weight, a=math.sqrt(5), generator=generator)
            if sub.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(sub.weight)
                bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(sub.bias, -bound, bound, generator=generator)
        elif isinstance(sub, _DETERMINISTIC_RESET):
            sub.reset_parameters()
        elif own:
            reset = getattr(sub, "reset_parameters", None)
            if reset is None or "generator" not in inspect.signature(reset).parameters:
                raise TypeError(
                    f"{type(sub).__name__} owns parameters but has no "
                    "reset_parameters(generator) method, so it cannot be "
                    "initialised reproducibly."
                )
            reset(generator=generator)
    return module
