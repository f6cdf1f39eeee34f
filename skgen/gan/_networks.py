"""GAN networks: an MLP generator and an MLP discriminator."""

import copy

import torch
import torch.nn.functional as F
from torch import nn

from .._blocks import ConditionedMLP


class SpectralNormLinear(nn.Linear):
    """``Linear`` whose weight is divided by its largest singular value.

    The singular value is tracked by one power iteration per training
    forward pass (Miyato et al. 2018). The iteration vector is a buffer
    initialised from the estimator's generator, unlike torch's
    parametrization, which draws it from the global RNG.
    """

    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features)
        self.register_buffer("u", torch.zeros(out_features))

    @torch.no_grad()
    def reset_buffers(self, generator=None):
        self.u.copy_(F.normalize(torch.randn(self.u.shape, generator=generator), dim=0))

    def forward(self, x):
        w = self.weight
        with torch.no_grad():
            if self.training:
                v = F.normalize(w.t() @ self.u, dim=0)
                self.u.copy_(F.normalize(w @ v, dim=0))
            # u and v are constants of the gradient (Miyato et al. 2018);
            # clones keep later in-place updates out of this graph.
            u = self.u.clone()
            v = F.normalize(w.t() @ u, dim=0)
        sigma = u @ w @ v
        return F.linear(x, w / sigma, self.bias)


class MinibatchStd(nn.Module):
    """Append the mean over features of the batch standard deviation.

    A discriminator that sees how varied a batch is can tell a collapsed
    generator from real data (Karras et al. 2018, Progressive GAN).
    """

    def forward(self, x):
        std = x.std(dim=0, unbiased=False).mean() if x.shape[0] > 1 else x.new_zeros(())
        return torch.cat([x, std.expand(x.shape[0], 1)], dim=1)


class Discriminator(nn.Module):
    """MLP critic with LeakyReLU(0.2), optional spectral norm and minibatch std."""

    def __init__(self, n_features, hidden_layer_sizes, *, n_classes=0, spectral_norm=False,
                 minibatch_std=False):
        super().__init__()
        linear = SpectralNormLinear if spectral_norm else nn.Linear
        layers, prev = [], n_features + n_classes
        for size in hidden_layer_sizes:
            layers += [linear(prev, size), nn.LeakyReLU(0.2)]
            prev = size
        if minibatch_std:
            layers.append(MinibatchStd())
            prev += 1
        layers.append(linear(prev, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x, condition=None):
        if condition is not None:
            x = torch.cat([x, condition], dim=1)
        return self.net(x).squeeze(-1)


class GANNet(nn.Module):
    """Generator, discriminator and (optionally) an EMA copy of the generator."""

    def __init__(self, n_features, n_components, generator_hidden_layer_sizes,
                 discriminator_hidden_layer_sizes, *, n_classes=0, spectral_norm=False,
                 minibatch_std=False, ema=False):
        super().__init__()
        self.n_components = n_components
        self.n_classes = n_classes
        self.generator = ConditionedMLP(
            [n_components, *generator_hidden_layer_sizes, n_features], "relu",
            n_condition=n_classes)
        self.discriminator = Discriminator(
            n_features, discriminator_hidden_layer_sizes, n_classes=n_classes,
            spectral_norm=spectral_norm, minibatch_std=minibatch_std)
        self.generator_ema = None
        if ema:
            self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False)

    def condition(self, y, dtype):
        if not self.n_classes or y is None:
            return None
        return F.one_hot(y, self.n_classes).to(dtype)

    def generate(self, z, y=None, *, ema=False):
        net = self.generator_ema if ema and self.generator_ema is not None else self.generator
        return net(z, self.condition(y, z.dtype))

    def discriminate(self, x, y=None):
        return self.discriminator(x, self.condition(y, x.dtype))

    @torch.no_grad()
    def sync_ema(self):
        if self.generator_ema is not None:
            self.generator_ema.load_state_dict(self.generator.state_dict())

    @torch.no_grad()
    def update_ema(self, decay):
        for p_ema, p in zip(self.generator_ema.parameters(), self.generator.parameters()):
            p_ema.lerp_(p, 1.0 - decay)
