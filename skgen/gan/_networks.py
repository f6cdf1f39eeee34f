"""GAN networks: MLP (the book's GAN) and convolutional (DCGAN) players."""

import torch
import torch.nn.functional as F
from torch import nn

from .._blocks import (
    AveragedNetwork,
    ConditionedMLP,
    ConvDecoder,
    conv_layer_args,
    conv_sizes,
    dropout,
)


class _SpectralNormMixin:
    """Divide the weight by its largest singular value (Miyato et al. 2018).

    The singular value is tracked by one power iteration per training
    forward pass on the weight seen as a matrix (output channels by the
    rest). The iteration vector is a buffer initialised from the
    estimator's generator, unlike torch's parametrization, which draws it
    from the global RNG.
    """

    def _register_u(self, n_out):
        self.register_buffer("u", torch.zeros(n_out))

    @torch.no_grad()
    def reset_buffers(self, generator=None):
        self.u.copy_(F.normalize(torch.randn(self.u.shape, generator=generator), dim=0))

    def normalized_weight(self):
        w = self.weight.reshape(self.weight.shape[0], -1)
        with torch.no_grad():
            if self.training:
                v = F.normalize(w.t() @ self.u, dim=0)
                self.u.copy_(F.normalize(w @ v, dim=0))
            # u and v are constants of the gradient (Miyato et al. 2018);
            # clones keep later in-place updates out of this graph.
            u = self.u.clone()
            v = F.normalize(w.t() @ u, dim=0)
        return self.weight / (u @ w @ v)


class SpectralNormLinear(_SpectralNormMixin, nn.Linear):
    """``Linear`` with a spectrally normalised weight."""

    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features)
        self._register_u(out_features)

    def forward(self, x):
        return F.linear(x, self.normalized_weight(), self.bias)


class SpectralNormConv2d(_SpectralNormMixin, nn.Conv2d):
    """``Conv2d`` with a spectrally normalised weight."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._register_u(self.out_channels)

    def forward(self, x):
        return self._conv_forward(x, self.normalized_weight(), self.bias)


class Dropout(nn.Module):
    """``skgen._blocks.dropout`` as a layer (active in train mode only)."""

    def __init__(self, p):
        super().__init__()
        self.p = float(p)

    def forward(self, x, generator=None):
        if not self.training:
            return x
        return dropout(x, self.p, generator)

    def extra_repr(self):
        return f"p={self.p}"


class MinibatchStd(nn.Module):
    """Append the mean over features of the batch standard deviation.

    A discriminator that sees how varied a batch is can tell a collapsed
    generator from real data (Karras et al. 2018, Progressive GAN).
    """

    def forward(self, x):
        # sqrt(var + eps), as in ProGAN: features constant over the batch
        # (blank image borders) would make the gradient of a plain std 0/0.
        if x.shape[0] > 1:
            std = (x.var(dim=0, unbiased=False) + 1e-8).sqrt().mean()
        else:
            std = x.new_zeros(())
        return torch.cat([x, std.expand(x.shape[0], 1)], dim=1)


def _run(layers, x, generator):
    for layer in layers:
        x = layer(x, generator) if isinstance(layer, Dropout) else layer(x)
    return x


class Discriminator(nn.Module):
    """MLP critic: LeakyReLU(0.2), optional dropout, spectral norm, minibatch std."""

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        *,
        n_classes=0,
        spectral_norm=False,
        minibatch_std=False,
        dropout=0.0,
    ):
        super().__init__()
        linear = SpectralNormLinear if spectral_norm else nn.Linear
        layers, prev = [], n_features + n_classes
        for size in hidden_layer_sizes:
            layers += [linear(prev, size), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(Dropout(dropout))
            prev = size
        if minibatch_std:
            layers.append(MinibatchStd())
            prev += 1
        layers.append(linear(prev, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x, condition=None, generator=None):
        if condition is not None:
            x = torch.cat([x, condition], dim=1)
        return _run(self.net, x, generator).squeeze(-1)


class ConvDiscriminator(nn.Module):
    """DCGAN critic on flat channels-last images.

    Stride-2 ``kernel_size`` convolutions (each halving the image, rounding
    up), each followed by LeakyReLU(0.2) and dropout, then a linear score.
    Class labels of a conditional critic enter as constant one-hot feature
    maps next to the image channels; minibatch std joins the flattened
    features before the score.
    """

    def __init__(
        self,
        image_shape,
        channels,
        *,
        n_classes=0,
        spectral_norm=False,
        minibatch_std=False,
        dropout=0.4,
        kernel_size=5,
    ):
        super().__init__()
        self.image_shape = tuple(image_shape)
        conv = SpectralNormConv2d if spectral_norm else nn.Conv2d
        linear = SpectralNormLinear if spectral_norm else nn.Linear
        sizes = conv_sizes(image_shape, len(channels))
        layers, prev = [], image_shape[2] + n_classes
        for ch, size in zip(channels, sizes):
            kernel, padding, stride = conv_layer_args(size, kernel_size)
            layers += [conv(prev, ch, kernel, stride=stride, padding=padding), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(Dropout(dropout))
            prev = ch
        layers.append(nn.Flatten())
        n_flat = prev * sizes[-1][0] * sizes[-1][1]
        if minibatch_std:
            layers.append(MinibatchStd())
            n_flat += 1
        layers.append(linear(n_flat, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x, condition=None, generator=None):
        h, w, c = self.image_shape
        x = x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
        if condition is not None:
            x = torch.cat([x, condition[:, :, None, None].expand(-1, -1, h, w)], dim=1)
        return _run(self.net, x, generator).squeeze(-1)


class GANNet(AveragedNetwork):
    """Generator, discriminator and (optionally) an EMA copy of the generator.

    With a table's ``layout`` (TableLayout), the generator's outputs become
    a row's values: numbers, and probabilities of each category and of each
    missing value, which is what the discriminator compares with real rows.
    """

    def __init__(
        self, generator, discriminator, n_components, *, n_classes=0, ema=False, layout=None
    ):
        super().__init__()
        self.n_components = n_components
        self.n_classes = n_classes
        self.generator = generator
        self.discriminator = discriminator
        self.layout = layout
        self.keep_average("generator", ema)

    def condition(self, y, dtype):
        if not self.n_classes or y is None:
            return None
        return F.one_hot(y, self.n_classes).to(dtype)

    def generate(self, z, y=None, *, ema=False):
        out = self.averaged(ema)(z, self.condition(y, z.dtype))
        return out if self.layout is None else self.layout.activate(out)

    def discriminate(self, x, y=None, generator=None):
        return self.discriminator(x, self.condition(y, x.dtype), generator=generator)


def dense_gan(
    n_features,
    n_components,
    generator_sizes,
    discriminator_sizes,
    *,
    n_classes,
    spectral_norm,
    minibatch_std,
    dropout,
    ema,
    generator=None,
    discriminator=None,
    layout=None,
):
    """The book's MLP GAN (ReLU generator, LeakyReLU critic).

    A ``generator`` or ``discriminator`` given (a user's network) replaces
    the built-in one; ``layout``, a table's (see ``GANNet``).
    """
    if generator is None:
        generator = ConditionedMLP(
            [n_components, *generator_sizes, n_features], "relu", n_condition=n_classes
        )
    if discriminator is None:
        discriminator = Discriminator(
            n_features,
            discriminator_sizes,
            n_classes=n_classes,
            spectral_norm=spectral_norm,
            minibatch_std=minibatch_std,
            dropout=dropout,
        )
    return GANNet(
        generator, discriminator, n_components, n_classes=n_classes, ema=ema, layout=layout
    )


def conv_gan(
    image_shape,
    n_components,
    channels,
    *,
    n_classes,
    spectral_norm,
    minibatch_std,
    dropout,
    ema,
    generator=None,
    discriminator=None,
):
    """The book's DCGAN, for any image size.

    Generator: linear stem to the smallest feature maps, stride-2
    transposed 5x5 convolutions with batch norm and ReLU, a tanh output
    (data are scaled to [-1, 1]). Critic: :class:`ConvDiscriminator` with
    the same ``channels``. A ``generator`` or ``discriminator`` given
    replaces the built-in one.
    """
    if generator is None:
        generator = ConvDecoder(
            image_shape,
            n_components,
            channels=channels,
            activation="relu",
            output_activation="tanh",
            n_condition=n_classes,
            kernel_size=5,
            batch_norm=True,
        )
    if discriminator is None:
        discriminator = ConvDiscriminator(
            image_shape,
            channels,
            n_classes=n_classes,
            spectral_norm=spectral_norm,
            minibatch_std=minibatch_std,
            dropout=dropout,
        )
    return GANNet(generator, discriminator, n_components, n_classes=n_classes, ema=ema)
