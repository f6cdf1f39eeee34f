"""Network building blocks shared by every family.

Plain ``torch.nn`` code: nothing here knows about scikit-learn. The one
non-standard piece is :func:`init_parameters_`, which re-initialises a
module from an explicit ``torch.Generator`` so that estimators are
reproducible without touching torch's global random state.
"""

import copy
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
    ``reset_buffers(generator)``.
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
    return module


def conv_geometry(size, kernel_size=3):
    """Kernel, padding and stride (or pooling) along one axis of ``size``.

    An odd ``kernel_size`` with ``kernel_size // 2`` padding and stride 2
    halves any length, rounding up. An axis of length 1 (a flattened row
    seen as a 1 x n image) gets pointwise kernels and stride 1, so the same
    network does 1-D or 2-D convolutions.
    """
    if size > 1:
        return kernel_size, kernel_size // 2, 2
    return 1, 0, 1


def conv_layer_args(size, kernel_size=3):
    """``(kernel_size, padding, stride)`` tuples of a 2-D layer on ``size``."""
    geo = [conv_geometry(s, kernel_size) for s in size]
    return tuple(tuple(g[i] for g in geo) for i in range(3))


def conv_sizes(image_shape, n_blocks):
    """Spatial size after each of ``n_blocks`` 2x2 ceil-mode poolings."""
    sizes = [tuple(image_shape[:2])]
    for _ in range(n_blocks):
        sizes.append(tuple(math.ceil(s / conv_geometry(s)[2]) for s in sizes[-1]))
    return sizes


def _with_condition(h, condition):
    return h if condition is None else torch.cat([h, condition], dim=1)


class ConvEncoder(nn.Module):
    """Flat channels-last images -> ``n_out`` features.

    ``len(channels)`` blocks of 3x3 convolution, activation and 2x2
    max-pooling (ceil mode, so odd sizes work), then a linear head. An
    optional condition vector (one-hot labels) joins the flattened feature
    maps before the head.
    """

    def __init__(self, image_shape, n_out, *, channels=(16, 32, 64), activation="relu",
                 n_condition=0):
        super().__init__()
        self.image_shape = tuple(image_shape)
        sizes = conv_sizes(image_shape, len(channels))
        blocks, prev = [], image_shape[2]
        for ch, size in zip(channels, sizes):
            kernel, padding, pool = conv_layer_args(size)
            blocks += [nn.Conv2d(prev, ch, kernel, padding=padding),
                       make_activation(activation),
                       nn.MaxPool2d(pool, ceil_mode=True)]
            prev = ch
        self.convs = nn.Sequential(*blocks)
        self.head = nn.Linear(prev * sizes[-1][0] * sizes[-1][1] + n_condition, n_out)

    def forward(self, x, condition=None):
        h, w, c = self.image_shape
        x = self.convs(x.reshape(-1, h, w, c).permute(0, 3, 1, 2))
        return self.head(_with_condition(x.flatten(1), condition))


class ConvDecoder(nn.Module):
    """``n_in`` features -> flat channels-last images; mirrors ``ConvEncoder``.

    A linear layer to the smallest feature maps, stride-2 transposed
    convolutions (``kernel_size`` wide) whose output padding lands exactly
    on every encoder size, and a final 3x3 convolution to the image
    channels. With ``batch_norm``, the stem and every transposed
    convolution are followed by batch normalisation before the activation
    (the DCGAN generator).
    """

    def __init__(self, image_shape, n_in, *, channels=(16, 32, 64), activation="relu",
                 output_activation=None, n_condition=0, kernel_size=3, batch_norm=False):
        super().__init__()
        self.image_shape = tuple(image_shape)
        sizes = conv_sizes(image_shape, len(channels))
        prev = channels[-1]
        self.bottom_shape = (prev, *sizes[-1])
        self.stem = nn.Linear(n_in + n_condition, prev * sizes[-1][0] * sizes[-1][1])
        up = [nn.BatchNorm2d(prev)] if batch_norm else []
        up.append(make_activation(activation))
        out_channels = list(channels[::-1][1:]) + [channels[0]]
        for level, ch_out in zip(range(len(channels), 0, -1), out_channels):
            src, dst = sizes[level], sizes[level - 1]
            kernel, padding, stride = conv_layer_args(dst, kernel_size)
            # out = (in - 1) * stride - 2 * pad + kernel + output_padding
            out_pad = tuple(d - ((s - 1) * st - 2 * p + k)
                            for d, s, st, p, k in zip(dst, src, stride, padding, kernel))
            up.append(nn.ConvTranspose2d(prev, ch_out, kernel, stride=stride,
                                         padding=padding, output_padding=out_pad))
            if batch_norm:
                up.append(nn.BatchNorm2d(ch_out))
            up.append(make_activation(activation))
            prev = ch_out
        kernel, padding, _ = conv_layer_args(sizes[0])
        up += [nn.Conv2d(prev, image_shape[2], kernel, padding=padding),
               make_activation(output_activation)]
        self.convs = nn.Sequential(*up)

    def forward(self, z, condition=None):
        x = self.stem(_with_condition(z, condition)).reshape(-1, *self.bottom_shape)
        x = self.convs(x)
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


class ConditionedMLP(nn.Module):
    """An ``mlp`` whose input is joined with an optional condition vector."""

    def __init__(self, sizes, activation, output_activation=None, n_condition=0):
        super().__init__()
        sizes = [sizes[0] + n_condition, *sizes[1:]]
        self.net = mlp(sizes, activation, output_activation)

    def forward(self, x, condition=None):
        return self.net(_with_condition(x, condition))


def dropout(x, p, generator=None):
    """Inverted dropout whose mask is drawn from ``generator``.

    Zeroes each entry with probability ``p`` and scales the others by
    ``1 / (1 - p)``. ``nn.Dropout`` draws from torch's global RNG, which
    would make fits depend on (and change) the global state.
    """
    if p == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= p
    return x * keep / (1.0 - p)


@torch.no_grad()
def update_ema_(average, model, decay, n_updates):
    """Average ``model``'s weights into its copy ``average``, in place.

    ``n_updates`` is a 0-d long tensor counting the updates (incremented
    here). The effective decay warms up as ``min(decay, (1 + n) / (10 + n))``
    after ``n`` updates, so a short fit is not dominated by the initial
    weights. Buffers (batch-norm statistics) are copied, not averaged. The
    rate stays a tensor, so no step waits for the device.
    """
    n_updates += 1
    n = n_updates.to(torch.float32)
    rate = 1.0 - torch.clamp((1.0 + n) / (10.0 + n), max=decay)
    for p_avg, p in zip(average.parameters(), model.parameters()):
        p_avg.lerp_(p, rate)
    for b_avg, b in zip(average.buffers(), model.buffers()):
        b_avg.copy_(b)


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
        out = self.module(_to_torch_layout(x, self.in_shape),
                          *(e for e in extras if e is not None))
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
        raise ValueError(f"The '{name}' parameter must be a torch.nn.Module instance or "
                         f"subclass, or None. Got {spec!r} instead.")
    x = torch.zeros(2, *in_shape)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(x, *extras)
    except Exception as exc:  # the user's code: any error, reworded
        given = " and ".join(["a batch of shape " + _describe(in_shape)]
                             + [f"a tensor of shape {_describe(tuple(e.shape[1:]))}"
                                for e in extras])
        raise ValueError(f"The '{name}' module failed when called with {given}: "
                         f"{type(exc).__name__}: {exc}") from exc
    finally:
        module.train(was_training)
    allowed = [(2, *out_shape)] + ([(2, 1)] if not out_shape else [])
    if not torch.is_tensor(out) or tuple(out.shape) not in allowed:
        got = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise ValueError(
            f"The '{name}' module must map a batch of shape {_describe(in_shape)} to "
            f"{' or '.join(_describe(a[1:]) for a in allowed)}; on a batch of 2 it "
            f"returned {got}.")
    return UserNetwork(module, in_shape, out_shape)
