"""The denoising objective: noise a batch at random steps, predict the noise."""

import torch
import torch.nn.functional as F

from .._objective import Objective


def denoising_error(output, target, loss):
    """Per-element loss: squared error, or Huber with delta 1 (the book's)."""
    if loss == "huber":
        return F.huber_loss(output, target, reduction="none", delta=1.0)
    return (output - target) ** 2


class DenoisingObjective(Objective):
    """Ho et al.'s simplified loss, with classifier-free label dropout.

    Each example gets a timestep drawn uniformly and Gaussian noise, both
    from the fit's generator; the network predicts the schedule's target
    (noise or velocity) from the noised example. During training, a
    conditional model's labels are replaced by the "no label" index with
    probability ``label_dropout`` (Ho & Salimans 2022), so one network
    learns the conditional and the unconditional model. With ``ema_decay``,
    each step ends by averaging the weights into the network's EMA copy.
    """

    def __init__(self, schedule, *, loss="mse", label_dropout=0.0, ema_decay=None):
        super().__init__()
        self.schedule = schedule
        self.loss = loss
        self.label_dropout = label_dropout
        self.ema_decay = ema_decay

    def forward(self, module, batch, *, generator=None, training=True):
        x, y = batch
        n = x.shape[0]
        t = torch.randint(0, self.schedule.n_timesteps, (n,), generator=generator, device=x.device)
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        x_t = self.schedule.add_noise(x, noise, t)
        if y is not None and training and self.label_dropout > 0:
            drop = torch.rand(n, generator=generator, device=x.device) < self.label_dropout
            y = torch.where(drop, torch.full_like(y, module.n_classes), y)
        condition = None
        if module.layout is not None and training:
            # A table: random columns given, so the network learns every
            # conditional of the row (and, with none given, the row).
            given = module.layout.draw_given(n, generator, x.device)
            condition = module.layout.condition(x, given)
        output = module(x_t, t, y, condition=condition)
        return denoising_error(output, self.schedule.target(x, noise, t), self.loss).mean()
