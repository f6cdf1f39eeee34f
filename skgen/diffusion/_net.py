"""The diffusion training net: skgen's loop plus an EMA update per step."""

from .._engine._net import TrainingNet


class DiffusionTrainingNet(TrainingNet):
    """``TrainingNet`` that updates the EMA denoiser after every step.

    Set ``ema_decay`` on the instance before training (None: no EMA).
    """

    ema_decay = None

    def fit_batch(self, batch):
        loss = super().fit_batch(batch)
        if self.ema_decay is not None:
            self.module_.update_ema(self.ema_decay)
        return loss

    def train_step(self, batch, **fit_params):
        # skorch's per-batch loop (used when a callback listens to batches).
        result = super().train_step(batch, **fit_params)
        if self.ema_decay is not None:
            self.module_.update_ema(self.ema_decay)
        return result
