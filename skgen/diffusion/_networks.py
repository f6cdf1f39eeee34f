"""Denoising networks: a residual MLP for vectors and a small U-Net for images.

Both take ``(x_t, t, label)`` and return a tensor shaped like ``x_t``. The
timestep enters through a sinusoidal embedding (Vaswani et al. 2017, as in
Ho et al. 2020) and a small MLP; a class label, when the model is
conditional, through a learned embedding added to it. Label index
``n_classes`` is the "no label" of classifier-free guidance.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .._blocks import AveragedNetwork


def sinusoidal_embedding(t, dim):
    """``dim`` sines and cosines of ``t`` at geometric frequencies."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / half)
    args = t.to(torch.float32)[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=1)


class LabelEmbedding(nn.Embedding):
    """``nn.Embedding`` that can be initialised from an explicit generator."""

    def reset_parameters(self, generator=None):
        nn.init.normal_(self.weight, generator=generator)


class ConditionEmbedding(nn.Module):
    """Timestep (and label) -> one vector of ``dim`` features."""

    def __init__(self, dim, n_classes=0):
        super().__init__()
        self.dim = dim
        self.mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.labels = LabelEmbedding(n_classes + 1, dim) if n_classes else None

    def forward(self, t, y=None):
        emb = self.mlp(sinusoidal_embedding(t, self.dim).to(self.mlp[0].weight.dtype))
        if self.labels is not None and y is not None:
            emb = emb + self.labels(y)
        return emb


class _ResidualBlock(nn.Module):
    """``h + W2(SiLU(W1(SiLU(LayerNorm(h))) + E(emb)))``."""

    def __init__(self, width, emb_dim):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width)
        self.emb = nn.Linear(emb_dim, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, h, emb):
        out = self.fc1(F.silu(self.norm(h))) + self.emb(emb)
        return h + self.fc2(F.silu(out))


class ResidualMLP(nn.Module):
    """Denoiser for vectors: a stack of residual blocks of one width."""

    def __init__(
        self, n_features, width=256, n_blocks=3, *, n_classes=0, emb_dim=128, n_condition=0
    ):
        super().__init__()
        self.embed = ConditionEmbedding(emb_dim, n_classes)
        # A condition vector (a table's given values) joins the input.
        self.inp = nn.Linear(n_features + n_condition, width)
        self.blocks = nn.ModuleList(_ResidualBlock(width, emb_dim) for _ in range(n_blocks))
        self.out = nn.Sequential(nn.LayerNorm(width), nn.SiLU(), nn.Linear(width, n_features))

    def forward(self, x, t, y=None, condition=None):
        emb = F.silu(self.embed(t, y))
        h = self.inp(x if condition is None else torch.cat([x, condition], dim=1))
        for block in self.blocks:
            h = block(h, emb)
        return self.out(h)


def _groups(channels):
    return math.gcd(channels, 8)


class _ConvBlock(nn.Module):
    """Residual 3x3 conv block; the embedding is added between the convs."""

    def __init__(self, c_in, c_out, emb_dim):
        super().__init__()
        self.norm1 = nn.GroupNorm(_groups(c_in), c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(_groups(c_out), c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class UNet(nn.Module):
    """A small U-Net for flat channels-last images of any size.

    Each level has a residual block (timestep embedding added) and halves
    the image with a stride-2 convolution (rounding up, so odd sizes work);
    the way up resizes to the skip connection's exact size, concatenates
    it and applies another block. The embedding reaches every resolution.
    """

    def __init__(self, image_shape, channels=(32, 64), *, n_classes=0, emb_dim=128):
        super().__init__()
        self.image_shape = tuple(image_shape)
        c_img = image_shape[2]
        self.embed = ConditionEmbedding(emb_dim, n_classes)
        self.inp = nn.Conv2d(c_img, channels[0], 3, padding=1)
        self.down, self.pool = nn.ModuleList(), nn.ModuleList()
        prev = channels[0]
        for ch in channels:
            self.down.append(_ConvBlock(prev, ch, emb_dim))
            self.pool.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
            prev = ch
        self.mid = _ConvBlock(prev, prev, emb_dim)
        self.up = nn.ModuleList()
        for ch in reversed(channels):
            self.up.append(_ConvBlock(prev + ch, ch, emb_dim))
            prev = ch
        self.out = nn.Sequential(
            nn.GroupNorm(_groups(prev), prev), nn.SiLU(), nn.Conv2d(prev, c_img, 3, padding=1)
        )

    def forward(self, x, t, y=None):
        h, w, c = self.image_shape
        emb = F.silu(self.embed(t, y))
        x = self.inp(x.reshape(-1, h, w, c).permute(0, 3, 1, 2))
        skips = []
        for block, pool in zip(self.down, self.pool):
            x = block(x, emb)
            skips.append(x)
            x = pool(x)
        x = self.mid(x, emb)
        for block in self.up:
            skip = skips.pop()
            x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
            x = block(torch.cat([x, skip], dim=1), emb)
        x = self.out(x)
        return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


class DiffusionNet(AveragedNetwork):
    """The denoiser and, with ``ema``, an exponential moving average of it.

    With a table's ``layout`` (TableLayout), the denoiser also sees which
    values of the row are given and what they are (zeros: none given), so
    one network learns to complete a row around any given columns.
    """

    def __init__(self, denoiser, n_classes=0, ema=False, layout=None):
        super().__init__()
        self.denoiser = denoiser
        self.n_classes = n_classes
        self.layout = layout
        self.keep_average("denoiser", ema)

    def forward(self, x, t, y=None, *, ema=False, condition=None):
        if self.layout is None:
            return self.averaged(ema)(x, t, y)
        if condition is None:  # nothing given: the unconditional model
            condition = x.new_zeros((x.shape[0], 2 * self.layout.n_values))
        return self.averaged(ema)(x, t, y, condition)
