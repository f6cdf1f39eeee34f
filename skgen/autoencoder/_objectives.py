"""Autoencoder objectives: reconstruction error, input noise, sparsity."""

import torch
import torch.nn.functional as F

from .._blocks import dropout
from .._objective import Objective

_EPS = 1e-6


def corrupt(x, noise, level, generator):
    """Corrupt a batch for a denoising autoencoder.

    ``"gaussian"`` adds N(0, level^2) noise; ``"dropout"`` zeroes each entry
    with probability ``level`` and rescales the others by ``1 / (1 - level)``
    (inverted dropout, as Keras' ``Dropout`` in the book's example). Every
    draw comes from ``generator``.
    """
    if noise == "gaussian":
        return x + level * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return dropout(x, level, generator)


def kl_sparsity(codings, target):
    """Sum over codings of KL(target || mean activation over the batch)."""
    rho = codings.mean(0).clamp(_EPS, 1 - _EPS)
    return (
        target * torch.log(target / rho) + (1 - target) * torch.log((1 - target) / (1 - rho))
    ).sum()


def l1_sparsity(codings):
    """Mean over the batch of the l1 norm of the codings."""
    return codings.abs().sum(1).mean()


class ReconstructionObjective(Objective):
    """Mean squared reconstruction error of an autoencoder.

    During training the input may be corrupted (denoising), the logits of
    sigmoid codings perturbed (``coding_noise``, binary hashing) and a
    sparsity penalty on the codings added. Evaluation (``training=False``)
    is the plain reconstruction MSE of clean inputs, which is what
    validation and early stopping track and what ``score`` reports.
    """

    def __init__(
        self,
        *,
        noise=None,
        noise_level=0.0,
        sparsity=None,
        sparsity_target=0.1,
        sparsity_weight=0.0,
        coding_noise=0.0,
    ):
        super().__init__()
        self.coding_noise = coding_noise
        self.noise = noise
        self.noise_level = noise_level
        self.sparsity = sparsity
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight

    def forward(self, module, batch, *, generator=None, training=True):
        x = batch[0]
        if not training:
            return F.mse_loss(module(x), x)
        x_in = corrupt(x, self.noise, self.noise_level, generator) if self.noise else x
        if self.coding_noise:
            # Noise on the logits of sigmoid codings (a HashingAutoencoderNet):
            # only codings pushed far from 0 survive it, so they saturate.
            codings = torch.sigmoid(
                corrupt(module.logits(x_in), "gaussian", self.coding_noise, generator)
            )
        else:
            codings = module.encode(x_in)
        loss = F.mse_loss(module.decode(codings), x)
        if self.sparsity == "kl":
            loss = loss + self.sparsity_weight * kl_sparsity(codings, self.sparsity_target)
        elif self.sparsity == "l1":
            loss = loss + self.sparsity_weight * l1_sparsity(codings)
        return loss
