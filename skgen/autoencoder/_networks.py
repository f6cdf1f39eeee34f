"""Autoencoder networks: plain torch modules with ``encode`` / ``decode``.

Every network takes and returns flat rows ``(batch, n_features)``; image
networks reshape internally (channels-last in, channels-last out).
"""

import torch
import torch.nn.functional as F
from torch import nn

from .._blocks import ConvDecoder, ConvEncoder, make_activation


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

    def __init__(
        self,
        layer_sizes,
        *,
        activation="relu",
        coding_activation="identity",
        output_activation=None,
        tied_weights=False,
    ):
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
        self.encoder = nn.Sequential(
            *[m for lin, act in zip(self.encoder_linears, enc_acts) for m in _layers(lin, act)]
        )
        if tied_weights:
            self.decoder = TiedDecoder(self.encoder_linears, dec_acts)
            self.decoder_linears = list(self.decoder.layers)
        else:
            self.decoder_linears = [nn.Linear(b, a) for a, b in pairs]
            self.decoder = nn.Sequential(
                *[
                    m
                    for i in reversed(range(depth))
                    for m in _layers(self.decoder_linears[i], dec_acts[i])
                ]
            )

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
            self.layer_sizes[i : i + 2],
            activation=self.activation,
            coding_activation=(self.coding_activation if i == self.depth - 1 else self.activation),
            output_activation=self.output_activation if i == 0 else self.activation,
            tied_weights=self.tied_weights,
        )

    @torch.no_grad()
    def load_level(self, i, shallow):
        """Copy a trained ``shallow_level(i)`` into level ``i``."""
        self.encoder_linears[i].load_state_dict(shallow.encoder_linears[0].state_dict())
        self.decoder_linears[i].load_state_dict(shallow.decoder_linears[0].state_dict())


class ConvAutoencoderNet(nn.Module):
    """Convolutional autoencoder: ``ConvEncoder`` then ``ConvDecoder``.

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

    def __init__(
        self,
        image_shape,
        n_components,
        *,
        channels=(16, 32, 64),
        activation="relu",
        output_activation=None,
    ):
        super().__init__()
        self.encoder = ConvEncoder(
            image_shape, n_components, channels=channels, activation=activation
        )
        self.decoder = ConvDecoder(
            image_shape,
            n_components,
            channels=channels,
            activation=activation,
            output_activation=output_activation,
        )

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class EncoderDecoderNet(nn.Module):
    """Any ``encoder`` and ``decoder`` on flat rows, as one autoencoder."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


RECURRENT_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentAutoencoderNet(nn.Module):
    """Sequence-to-vector encoder and vector-to-sequence decoder.

    The encoder runs recurrent layers of ``hidden_sizes`` then one of
    ``n_components`` units over the ``n_steps`` steps and keeps the last
    step's output as the coding; the decoder repeats the coding at every
    step, runs recurrent layers of the reversed ``hidden_sizes`` and maps
    each step to ``n_features`` values (the book's LSTM-LSTM /
    RepeatVector-LSTM-TimeDistributed(Dense) design).

    Parameters
    ----------
    sequence_shape : tuple of int
        ``(n_steps, n_features)`` of one sequence; rows come flat.
    n_components : int
        Size of the codings.
    hidden_sizes : sequence of int
        Units of the encoder's recurrent layers before the coding layer.
    cell : {"lstm", "gru"}
        The recurrent layer.
    output_activation : str or None
        Activation of the reconstruction.
    """

    def __init__(
        self,
        sequence_shape,
        n_components,
        *,
        hidden_sizes=(100,),
        cell="lstm",
        output_activation=None,
    ):
        super().__init__()
        self.n_steps, self.n_features = (int(s) for s in sequence_shape)
        rnn = RECURRENT_CELLS[cell]
        sizes = [self.n_features, *hidden_sizes, n_components]
        self.encoder = nn.ModuleList(
            rnn(a, b, batch_first=True) for a, b in zip(sizes[:-1], sizes[1:])
        )
        back = [n_components, *reversed(list(hidden_sizes))]
        self.decoder = nn.ModuleList(
            rnn(a, b, batch_first=True) for a, b in zip(back[:-1], back[1:])
        )
        self.readout = nn.Linear(back[-1], self.n_features)
        self.output_activation = make_activation(output_activation)

    def encode(self, x):
        h = x.reshape(-1, self.n_steps, self.n_features)
        for layer in self.encoder:
            h, _ = layer(h)
        return h[:, -1]

    def decode(self, z):
        h = z.unsqueeze(1).expand(-1, self.n_steps, -1)
        for layer in self.decoder:
            h, _ = layer(h)
        out = self.output_activation(self.readout(h))
        return out.reshape(-1, self.n_steps * self.n_features)

    def forward(self, x):
        return self.decode(self.encode(x))


class HashingAutoencoderNet(nn.Module):
    """A dense autoencoder whose codings are sigmoids of ``logits(x)``.

    Training adds noise to the logits (see ``ReconstructionObjective``'s
    ``coding_noise``) so that only saturated codings, near 0 or 1, carry
    information through: the codings become bits (semantic hashing,
    Salakhutdinov & Hinton 2009).
    """

    def __init__(self, layer_sizes, *, activation="relu", output_activation=None):
        super().__init__()
        self.dense = DenseAutoencoderNet(
            layer_sizes,
            activation=activation,
            coding_activation="identity",
            output_activation=output_activation,
        )

    def logits(self, x):
        return self.dense.encode(x)

    def encode(self, x):
        return torch.sigmoid(self.logits(x))

    def decode(self, z):
        return self.dense.decode(z)

    def forward(self, x):
        return self.decode(self.encode(x))
