"""Autoencoder networks: plain torch modules with ``encode`` / ``decode``.

Every network takes and returns flat rows ``(batch, n_features)``; image
networks reshape internally (channels-last in, channels-last out).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .._blocks import make_activation


class TiedLinear(nn.Module):
    """Decoder layer that reuses an encoder layer's weight, transposed.

    Only the bias is its own parameter; the weight is passed at call time
    so the encoder's ``Linear`` is not registered twice.
    """

    def __init__(self, out_features):
        super().__init__()
        self.bias = nn.Parameter(torch.empty(out_features))

    def reset_parameters(self, generator=None):
        nn.init.zeros_(self.bias)

    def forward(self, z, weight):
        return F.linear(z, weight.t(), self.bias)


def _layers(linear, activation):
    """``[linear, activation]``, leaving out identity activations.

    Every module call costs a few microseconds, which shows at small batch
    sizes; an identity is skipped rather than called.
    """
    if activation in (None, "identity"):
        return [linear]
    return [linear, make_activation(activation)]


class TiedDecoder(nn.Module):
    """Decoder whose layers reuse the encoder's weights, transposed."""

    def __init__(self, encoder_linears, activations):
        super().__init__()
        # Kept in a plain list: registering them here would register the
        # encoder's layers twice.
        self._encoder_linears = list(encoder_linears)
        self.layers = nn.ModuleList(TiedLinear(lin.in_features) for lin in encoder_linears)
        self.activations = nn.ModuleList(make_activation(a) for a in activations)

    def forward(self, z):
        for i in reversed(range(len(self.layers))):
            z = self.activations[i](self.layers[i](z, self._encoder_linears[i].weight))
        return z


class DenseAutoencoderNet(nn.Module):
    """A symmetric MLP autoencoder ``sizes[0] -> ... -> sizes[-1] -> ... -> sizes[0]``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_features, hidden_1, ..., n_components]``.
    activation : str
        Activation of hidden layers (encoder and decoder).
    coding_activation : str
        Activation of the coding layer ("identity" for linear codings).
    output_activation : str or None
        Activation of the reconstruction.
    tied_weights : bool
        If True, decoder layer ``i`` uses the transpose of encoder layer
        ``i``'s weight (Hinton & Salakhutdinov 2006; the book's tied AE).
    """

    def __init__(self, layer_sizes, *, activation="relu", coding_activation="identity",
                 output_activation=None, tied_weights=False):
        super().__init__()
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activation = activation
        self.coding_activation = coding_activation
        self.output_activation = output_activation
        self.tied_weights = tied_weights
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        depth = len(pairs)
        enc_acts = [coding_activation if i == depth - 1 else activation for i in range(depth)]
        # Decoder layer i maps sizes[i + 1] back to sizes[i].
        dec_acts = [output_activation if i == 0 else activation for i in range(depth)]
        self.encoder_linears = [nn.Linear(a, b) for a, b in pairs]
        self.encoder = nn.Sequential(*[m for lin, act in zip(self.encoder_linears, enc_acts)
                                       for m in _layers(lin, act)])
        if tied_weights:
            self.decoder = TiedDecoder(self.encoder_linears, dec_acts)
            self.decoder_linears = list(self.decoder.layers)
        else:
            self.decoder_linears = [nn.Linear(b, a) for a, b in pairs]
            self.decoder = nn.Sequential(*[
                m for i in reversed(range(depth))
                for m in _layers(self.decoder_linears[i], dec_acts[i])
            ])

    @property
    def depth(self):
        return len(self.encoder_linears)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    # Greedy layer-wise pretraining (the book's "training one autoencoder at
    # a time"): level i is a shallow autoencoder sizes[i] -> sizes[i+1].
    def shallow_level(self, i):
        """A fresh shallow autoencoder shaped like level ``i`` of this one."""
        return DenseAutoencoderNet(
            self.layer_sizes[i:i + 2],
            activation=self.activation,
            coding_activation=(self.coding_activation if i == self.depth - 1
                               else self.activation),
            output_activation=self.output_activation if i == 0 else self.activation,
            tied_weights=self.tied_weights,
        )

    @torch.no_grad()
    def load_level(self, i, shallow):
        """Copy a trained ``shallow_level(i)`` into level ``i``."""
        self.encoder_linears[i].load_state_dict(shallow.encoder_linears[0].state_dict())
        self.decoder_linears[i].load_state_dict(shallow.decoder_linears[0].state_dict())


def _conv_geometry(size):
    """Kernel, padding and pooling along one spatial axis of ``size``.

    An axis of length 1 (a flattened row seen as a 1 x n image) gets
    pointwise kernels and no pooling, so the same network does 1-D or 2-D
    convolutions.
    """
    if size > 1:
        return 3, 1, 2
    return 1, 0, 1


class ConvAutoencoderNet(nn.Module):
    """Convolutional encoder / transposed-convolutional decoder.

    The encoder is ``len(channels)`` blocks of 3x3 convolution, activation
    and 2x2 max-pooling (ceil mode, so odd sizes work), then a linear layer
    to the codings. The decoder mirrors it with a linear layer, stride-2
    transposed convolutions whose output padding lands exactly on every
    encoder size, and a final 3x3 convolution to the input channels.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)`` of one sample.
    n_components : int
        Size of the codings.
    channels : sequence of int
        Feature maps of each encoder block.
    activation : str
        Activation of every hidden layer.
    output_activation : str or None
        Activation of the reconstruction.
    """

    def __init__(self, image_shape, n_components, *, channels=(16, 32, 64),
                 activation="relu", output_activation=None):
        super().__init__()
        height, width, in_channels = image_shape
        self.image_shape = (height, width, in_channels)
        sizes = [(height, width)]
        blocks = []
        prev = in_channels
        for ch in channels:
            (kh, ph, sh), (kw, pw, sw) = (_conv_geometry(s) for s in sizes[-1])
            blocks += [
                nn.Conv2d(prev, ch, (kh, kw), padding=(ph, pw)),
                make_activation(activation),
                nn.MaxPool2d((sh, sw), ceil_mode=True),
            ]
            sizes.append(tuple(math.ceil(s / p) for s, p in zip(sizes[-1], (sh, sw))))
            prev = ch
        self.encoder_convs = nn.Sequential(*blocks)
        self.bottom_shape = (prev, *sizes[-1])
        n_bottom = prev * sizes[-1][0] * sizes[-1][1]
        self.to_codings = nn.Linear(n_bottom, n_components)
        self.from_codings = nn.Sequential(nn.Linear(n_components, n_bottom),
                                          make_activation(activation))
        up = []
        out_channels = list(channels[::-1][1:]) + [channels[0]]
        for level, ch_out in zip(range(len(channels), 0, -1), out_channels):
            src, dst = sizes[level], sizes[level - 1]
            geo = [_conv_geometry(s) for s in dst]
            kernel = tuple(k for k, _, _ in geo)
            padding = tuple(p for _, p, _ in geo)
            stride = tuple(s for _, _, s in geo)
            # out = (in - 1) * stride - 2 * pad + kernel + output_padding
            out_pad = tuple(d - ((s - 1) * st - 2 * p + k)
                            for d, s, st, p, k in zip(dst, src, stride, padding, kernel))
            up += [
                nn.ConvTranspose2d(prev, ch_out, kernel, stride=stride, padding=padding,
                                   output_padding=out_pad),
                make_activation(activation),
            ]
            prev = ch_out
        (kh, ph, _), (kw, pw, _) = (_conv_geometry(s) for s in sizes[0])
        up += [nn.Conv2d(prev, in_channels, (kh, kw), padding=(ph, pw)),
               make_activation(output_activation)]
        self.decoder_convs = nn.Sequential(*up)

    def encode(self, x):
        h, w, c = self.image_shape
        x = x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
        x = self.encoder_convs(x)
        return self.to_codings(x.flatten(1))

    def decode(self, z):
        x = self.from_codings(z).reshape(-1, *self.bottom_shape)
        x = self.decoder_convs(x)
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)

    def forward(self, x):
        return self.decode(self.encode(x))
