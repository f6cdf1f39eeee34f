"""The VAE network: an encoder to (mean, log-variance) and a decoder."""

import torch
from torch import nn

from .._blocks import ConditionedMLP, ConvDecoder, ConvEncoder


class VAENet(nn.Module):
    """Gaussian encoder ``q(z | x[, y])`` and decoder ``p(x | z[, y])``.

    Parameters
    ----------
    encoder : nn.Module
        Maps ``(x, condition)`` to ``2 * n_components`` values: the posterior
        means then log-variances.
    decoder : nn.Module
        Maps ``(z, condition)`` to the likelihood's parameters per feature
        (Bernoulli logits or Gaussian means).
    n_components : int
        Size of the codings.
    n_classes : int
        Number of classes of a conditional VAE (labels enter as one-hot
        vectors), 0 for an unconditional one.
    gaussian : bool
        A Gaussian likelihood: the module keeps its observation
        log-variance, one shared by all features, as the buffer
        ``log_variance``. It is not learnt by gradient: the objective sets it
        in closed form (see ``ELBOObjective``). False: Bernoulli, no variance.
    layout : TableLayout, default=None
        For a table: the likelihood of each column (Gaussian numbers with a
        variance each, Bernoulli missing indicators, categorical blocks).
    """

    def __init__(self, encoder, decoder, n_components, n_classes=0, gaussian=False, layout=None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.n_components = n_components
        self.n_classes = n_classes
        # A table's layout (TableLayout): its own likelihood per column.
        self.layout = layout
        # The Gaussian likelihood's log-variance (one per numeric column of
        # a table): set in closed form (see ELBOObjective), kept as a buffer
        # so it follows the device.
        if gaussian:
            shape = () if layout is None else (layout.n_numeric,)
            self.register_buffer("log_variance", torch.zeros(shape))
        else:
            self.log_variance = None

    def condition(self, y):
        if not self.n_classes or y is None:
            return None
        return nn.functional.one_hot(y, self.n_classes).to(torch.get_default_dtype())

    def encode(self, x, y=None):
        """Posterior means and log-variances."""
        c = self.condition(y)
        h = self.encoder(x, None if c is None else c.to(x.dtype))
        mean, log_var = h.chunk(2, dim=-1)
        # Bounded so that exp() can neither overflow nor vanish early on.
        return mean, log_var.clamp(-30.0, 20.0)

    def decode(self, z, y=None):
        c = self.condition(y)
        return self.decoder(z, None if c is None else c.to(z.dtype))


def dense_vae(
    n_features, n_components, hidden_layer_sizes, activation, n_classes, gaussian, layout=None
):
    sizes = list(hidden_layer_sizes)
    encoder = ConditionedMLP(
        [n_features, *sizes, 2 * n_components], activation, n_condition=n_classes
    )
    decoder = ConditionedMLP(
        [n_components, *sizes[::-1], n_features], activation, n_condition=n_classes
    )
    return VAENet(encoder, decoder, n_components, n_classes, gaussian, layout)


def conv_vae(image_shape, n_components, channels, activation, n_classes, gaussian):
    encoder = ConvEncoder(
        image_shape,
        2 * n_components,
        channels=channels,
        activation=activation,
        n_condition=n_classes,
    )
    decoder = ConvDecoder(
        image_shape, n_components, channels=channels, activation=activation, n_condition=n_classes
    )
    return VAENet(encoder, decoder, n_components, n_classes, gaussian)
