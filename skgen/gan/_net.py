"""The adversarial training step inside skgen's skorch engine."""

import torch

from .._engine._net import TrainingNet


class AdversarialNet(TrainingNet):
    """``TrainingNet`` with two optimizers and alternating updates.

    Each batch runs ``n_critic`` discriminator steps, then one generator
    step (the pattern of skorch's "multiple optimizers" customisation), then
    updates the EMA generator. The epoch's main loss is the generator's;
    the discriminator's is recorded as ``train_discriminator_loss``.
    Set ``n_critic`` and ``ema_decay`` on the instance before training.
    """

    extra_losses = ("discriminator_loss",)
    n_critic = 1
    ema_decay = None

    def initialize_optimizer(self, triggered_directly=None):
        lr_g, lr_d = self.lr if isinstance(self.lr, tuple) else (self.lr, self.lr)
        kwargs = self.get_params_for("optimizer")
        self.optimizer_ = self.optimizer(self.module_.generator.parameters(), lr=lr_g,
                                         **kwargs)
        self.optimizer_discriminator_ = self.optimizer(
            self.module_.discriminator.parameters(), lr=lr_d, **kwargs)
        return self

    def fit_batch(self, batch):
        x, y = batch
        module, objective, gen = self.module_, self.criterion_, self.generator_
        opt_d, opt_g = self.optimizer_discriminator_, self.optimizer_
        for _ in range(self.n_critic):
            opt_d.zero_grad(set_to_none=True)
            d_loss = objective.discriminator_loss(module, x, y, gen)
            d_loss.backward()
            opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        g_loss = objective.generator_loss(module, x.shape[0], y, gen, x.device)
        g_loss.backward()
        opt_g.step()
        if self.ema_decay is not None:
            module.update_ema(self.ema_decay)
        return torch.stack([g_loss.detach(), d_loss.detach()])

    def train_step(self, batch, **fit_params):
        # skorch's per-batch loop (used when a callback listens to batches).
        self._set_training(True)
        losses = self.fit_batch(batch)
        self.history.record_batch("train_discriminator_loss", losses[1].item())
        return {"loss": losses[0], "y_pred": None}
