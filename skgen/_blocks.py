"""Network building blocks shared by every family.

Plain ``torch.nn`` code: nothing here knows about scikit-learn or about
training. Random draws inside a network (dropout masks) take an explicit
``torch.Generator``.
"""

import copy
import math

import torch
import torch.nn.functional as F
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

    def __init__(
        self, image_shape, n_out, *, channels=(16, 32, 64), activation="relu", n_condition=0
    ):
        super().__init__()
        self.image_shape = tuple(image_shape)
        sizes = conv_sizes(image_shape, len(channels))
        blocks, prev = [], image_shape[2]
        for ch, size in zip(channels, sizes):
            kernel, padding, pool = conv_layer_args(size)
            blocks += [
                nn.Conv2d(prev, ch, kernel, padding=padding),
                make_activation(activation),
                nn.MaxPool2d(pool, ceil_mode=True),
            ]
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

    def __init__(
        self,
        image_shape,
        n_in,
        *,
        channels=(16, 32, 64),
        activation="relu",
        output_activation=None,
        n_condition=0,
        kernel_size=3,
        batch_norm=False,
    ):
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
            out_pad = tuple(
                d - ((s - 1) * st - 2 * p + k)
                for d, s, st, p, k in zip(dst, src, stride, padding, kernel)
            )
            up.append(
                nn.ConvTranspose2d(
                    prev, ch_out, kernel, stride=stride, padding=padding, output_padding=out_pad
                )
            )
            if batch_norm:
                up.append(nn.BatchNorm2d(ch_out))
            up.append(make_activation(activation))
            prev = ch_out
        kernel, padding, _ = conv_layer_args(sizes[0])
        up += [
            nn.Conv2d(prev, image_shape[2], kernel, padding=padding),
            make_activation(output_activation),
        ]
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


class AveragedNetwork(nn.Module):
    """A network that may keep an exponential moving average (EMA) of one
    of its sub-networks, to infer with.

    A subclass sets the sub-network, then calls :meth:`keep_average` with
    its attribute name: with ``enabled``, a frozen copy ``<name>_ema`` and
    the update count ``ema_updates`` are added (else ``<name>_ema`` is
    None). :meth:`averaged` picks the copy to run, :meth:`sync_ema` copies
    the trained weights into it (``init_parameters_`` calls it once the
    weights are drawn) and :meth:`update_ema` averages them in after each
    training step.
    """

    _ema_of = _ema_name = None

    def keep_average(self, name, enabled):
        self._ema_of, self._ema_name = name, name + "_ema"
        average = None
        if enabled:
            average = copy.deepcopy(getattr(self, name)).requires_grad_(False)
            self.register_buffer("ema_updates", torch.zeros((), dtype=torch.long))
        setattr(self, name + "_ema", average)

    def averaged(self, ema):
        """The EMA copy with ``ema`` (when there is one), else the trained network."""
        if ema:
            average = getattr(self, self._ema_name)
            if average is not None:
                return average
        return getattr(self, self._ema_of)

    @torch.no_grad()
    def sync_ema(self):
        average = getattr(self, self._ema_name)
        if average is not None:
            average.load_state_dict(getattr(self, self._ema_of).state_dict())

    def update_ema(self, decay):
        """Average in the current weights (decay warmed up, see ``update_ema_``)."""
        update_ema_(
            getattr(self, self._ema_name), getattr(self, self._ema_of), decay, self.ema_updates
        )


# -- tables --------------------------------------------------------------------
class TableLayout(nn.Module):
    """Where a table's encoded row keeps each column, and what its values are.

    ``blocks`` are ``(kind, start, stop, column)``: ``"numeric"`` (one real
    value), ``"missing"`` (a 0/1 indicator) or ``"category"`` (a one-hot
    block). A network for tables outputs one raw value per encoded value;
    :meth:`activate` turns them into the row's values (numbers, indicator
    probabilities, category probabilities), :meth:`log_likelihood` scores a
    row under them, and :meth:`sample` draws a row from them.
    """

    def __init__(self, blocks):
        super().__init__()
        kinds = [b[0] for b in blocks]
        self.register_buffer(
            "numeric",
            torch.tensor([b[1] for b in blocks if b[0] == "numeric"], dtype=torch.long),
            persistent=False,
        )
        self.register_buffer(
            "missing",
            torch.tensor([b[1] for b in blocks if b[0] == "missing"], dtype=torch.long),
            persistent=False,
        )
        self.categories = [(b[1], b[2]) for b in blocks if b[0] == "category"]
        self.n_numeric = kinds.count("numeric")
        # The column (by order of appearance) of every encoded value.
        names = list(dict.fromkeys(b[3] for b in blocks))
        column = [names.index(b[3]) for b in blocks for _ in range(b[2] - b[1])]
        self.register_buffer("column", torch.tensor(column, dtype=torch.long), persistent=False)
        self.n_columns = len(names)
        self.n_values = len(column)

    def condition(self, x, given):
        """What a network conditioned on some columns sees: the given
        values and which values are given, ``(batch, 2 * n_values)``.
        ``given`` is ``(batch, n_values)``, 1 where a value is given."""
        given = given.to(x.dtype)
        return torch.cat([x * given, given], dim=1)

    def draw_given(self, n, generator, device, p_none=0.5):
        """Which values of ``n`` rows a conditioned training step gives:
        none for a share ``p_none`` of the rows (the unconditional model),
        else a number of columns drawn uniformly from 1 to all but one, and
        that many columns at random, so that a condition on one column is
        learnt as often as one on nine; ``(n, n_values)``."""
        if self.n_columns < 2:
            return torch.zeros((n, self.n_values), dtype=torch.bool, device=device)
        scores = torch.rand((n, self.n_columns), generator=generator, device=device)
        ranks = scores.argsort(dim=1).argsort(dim=1)
        count = torch.randint(1, self.n_columns, (n, 1), generator=generator, device=device)
        none = torch.rand((n, 1), generator=generator, device=device) < p_none
        return ((ranks < count) & ~none)[:, self.column]

    def activate(self, raw):
        """Numbers as they are, indicators and categories as probabilities."""
        out = raw.clone()
        out[:, self.missing] = torch.sigmoid(raw[:, self.missing])
        for start, stop in self.categories:
            out[:, start:stop] = torch.softmax(raw[:, start:stop], dim=-1)
        return out

    def log_likelihood(self, raw, x, log_var, given=None):
        """``log p(x)`` per row: Gaussian numbers (log-variances ``log_var``,
        one per numeric column), Bernoulli indicators, categorical blocks.
        ``given``, a boolean mask of the encoded values: only the columns
        it holds count, ``log p(x_given)``."""
        numeric, missing, categories = self.numeric, self.missing, self.categories
        if given is not None:
            keep = given[numeric]
            numeric, log_var = numeric[keep], log_var[keep]
            missing = missing[given[missing]]
            categories = [(start, stop) for start, stop in categories if given[start]]
        mean, value = raw[..., numeric], x[..., numeric]
        out = -0.5 * (
            ((value - mean) ** 2) * torch.exp(-log_var) + log_var + math.log(2 * math.pi)
        ).sum(-1)
        if len(missing):
            out = out - F.binary_cross_entropy_with_logits(
                raw[..., missing],
                x[..., missing].expand_as(raw[..., missing]),
                reduction="none",
            ).sum(-1)
        for start, stop in categories:
            out = out + (x[..., start:stop] * torch.log_softmax(raw[..., start:stop], -1)).sum(-1)
        return out

    def range_log_mass(self, raw, log_var, index, low, high):
        """``log P(low <= x <= high)`` per row for the numeric values
        ``index`` (encoded positions), each Gaussian around ``raw`` with
        the log-variance of its column: the likelihood of a range given
        in ``conditions``. ``low`` and ``high`` are ``(batch, len(index))``."""
        _, _, a, b, _ = self._standard_bounds(raw, log_var, index, low, high)
        log_b, log_a = torch.special.log_ndtr(b), torch.special.log_ndtr(a)
        mass = log_b + torch.log1p(-torch.exp(log_a - log_b).clamp_max(1.0))
        return mass.sum(-1).to(raw.dtype)

    def sample_in_ranges(self, out, raw, log_var, index, low, high, generator):
        """Draw the numeric values ``index`` of ``out`` again (in place), each
        from its Gaussian truncated to ``[low, high]`` (inverse-CDF draws)."""
        mean, std, a, b, flip = self._standard_bounds(raw, log_var, index, low, high)
        pa, pb = torch.special.ndtr(a), torch.special.ndtr(b)
        u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        x = torch.special.ndtri(pa + u * (pb - pa))
        x = torch.minimum(torch.maximum(torch.nan_to_num(x), a), b)
        out[:, index] = (mean + std * torch.where(flip, -x, x)).to(out.dtype)
        return out

    def _standard_bounds(self, raw, log_var, index, low, high):
        """The Gaussians of the values ``index`` (``mean``, ``std``, float64)
        and their bounds standardised, ``[a, b]``, mirrored to ``[-b, -a]``
        where ``flip`` (their middle above zero): both ends then lie below
        the middle of the normal, where Phi and log Phi are precise, so the
        mass of a range far in the upper tail is that of its mirror."""
        position = torch.searchsorted(self.numeric, index)
        std = torch.exp(0.5 * log_var.double()[position])
        mean = raw[:, index].double()
        a, b = (low.double() - mean) / std, (high.double() - mean) / std
        flip = (a + b) > 0
        return mean, std, torch.where(flip, -b, a), torch.where(flip, -a, b), flip

    def sample(self, values, generator, log_var=None, scores=False):
        """A row drawn from activated ``values``: numbers with Gaussian
        noise of ``log_var`` (none when it is None), indicators and
        categories drawn from their probabilities, all with ``generator``.
        ``scores=True`` gives each categorical block Gumbel-max scores,
        ``log p + Gumbel noise``, instead of a one-hot draw: their largest
        value is the same draw, and offsets added to them before it is
        picked reweight the probabilities (a table's calibration)."""
        out = values.clone()
        if log_var is not None:
            noise = torch.randn(
                out[:, self.numeric].shape, generator=generator, device=out.device, dtype=out.dtype
            )
            out[:, self.numeric] += noise * torch.exp(0.5 * log_var)
        if len(self.missing):
            u = torch.rand(
                out[:, self.missing].shape, generator=generator, device=out.device, dtype=out.dtype
            )
            out[:, self.missing] = (u < values[:, self.missing]).to(out.dtype)
        for start, stop in self.categories:
            probabilities = values[:, start:stop].clamp_min(0)
            if scores:
                u = torch.rand(
                    probabilities.shape, generator=generator, device=out.device, dtype=out.dtype
                )
                gumbel = -torch.log(-torch.log(u.clamp(1e-12, 1 - 1e-7)))
                out[:, start:stop] = torch.log(probabilities + 1e-12) + gumbel
                continue
            pick = torch.multinomial(probabilities + 1e-12, 1, generator=generator)[:, 0]
            block = torch.zeros_like(probabilities)
            block[torch.arange(len(pick), device=block.device), pick] = 1.0
            out[:, start:stop] = block
        return out
