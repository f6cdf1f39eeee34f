"""The adversarial training step inside skgen's skorch engine."""

import torch

from .._engine._net import TrainingNet
from ..metrics import mmd

# The monitor draws its samples from this fixed noise seed, so the figure
# changes only with the generator, and training draws are not consumed.
MONITOR_SEED = 0


@torch.no_grad()
def heldout_mmd(net, data):
    """MMD between held-out rows and as many samples of the (EMA) generator.

    Computed in the model's scaled space, with an RBF kernel whose width is
    fixed by the held-out rows alone (median heuristic), so values of
    different epochs compare.
    """
    module, x = net.module_, data.X
    was_training = module.training
    module.eval()
    try:
        noise = torch.randn((x.shape[0], module.n_components),
                            generator=torch.Generator().manual_seed(MONITOR_SEED))
        fake = module.generate(noise.to(x.device), data.y, ema=True)
    finally:
        module.train(was_training)
    real = x.double()
    d2 = torch.cdist(real, real).pow(2)
    median = d2[~torch.eye(len(real), dtype=torch.bool, device=d2.device)].median()
    gamma = 1.0 / float(median) if median > 0 else 1.0
    return mmd(real.cpu().numpy(), fake.double().cpu().numpy(), gamma=gamma)


class AdversarialNet(TrainingNet):
    """``TrainingNet`` with two optimizers and alternating updates.

    Each batch runs ``n_critic`` discriminator updates, then one generator
    update (the pattern of skorch's "multiple optimizers" customisation);
    ``TrainingNet.fit_batch`` then updates the EMA generator. The epoch's
    main loss is the generator's; the discriminator's is recorded as
    ``train_discriminator_loss``. Set ``n_critic`` on the instance before
    training.
    """

    extra_losses = ("discriminator_loss",)
    n_critic = 1
    # A discriminator update leaves the generator without gradients.
    ddp_find_unused_parameters = True

    def set_learning_rate(self, lr):
        """``lr``: one rate, or a pair (generator, discriminator)."""
        lr_g, lr_d = lr if isinstance(lr, tuple) else (lr, lr)
        for opt, value in ((self.optimizer_, lr_g), (self.optimizer_discriminator_, lr_d)):
            for group in opt.param_groups:
                group["lr"] = value

    def initialize_optimizer(self, triggered_directly=None):
        lr_g, lr_d = self.lr if isinstance(self.lr, tuple) else (self.lr, self.lr)
        kwargs = self.get_params_for("optimizer")
        self.optimizer_ = self.optimizer(self.module_.generator.parameters(), lr=lr_g,
                                         **kwargs)
        self.optimizer_discriminator_ = self.optimizer(
            self.module_.discriminator.parameters(), lr=lr_d, **kwargs)
        return self

    def batch_updates(self, batch):
        x, y = batch
        objective, gen = self.criterion_, self.generator_
        scaler = self.grad_scaler_
        for _ in range(self.n_critic):
            d_loss = self.update(self.optimizer_discriminator_, lambda module: (
                objective.discriminator_loss(module, x, y, gen, grad_scaler=scaler)), batch)
        g_loss = self.update(self.optimizer_, lambda module: objective.generator_loss(
            module, x.shape[0], y, gen, x.device), batch)
        return [g_loss, d_loss]
