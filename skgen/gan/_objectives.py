"""GAN losses: non-saturating BCE, hinge and Wasserstein with gradient penalty.

Goodfellow et al. (2014); hinge: Lim & Ye (2017), Miyato et al. (2018);
WGAN-GP: Gulrajani et al. (2017), https://arxiv.org/abs/1704.00028;
R1 penalty: Mescheder et al. (2018), https://arxiv.org/abs/1801.04406.
"""

import torch
import torch.nn.functional as F

from .._objective import Objective

GRADIENT_PENALTY_WEIGHT = 10.0
# Adam's moment decays for both players unless optimizer_params sets them:
# the default 0.9 carries stale gradients across the players' alternating
# updates (Radford et al.'s DCGAN setting).
GAN_ADAM_BETAS = (0.5, 0.999)


def input_gradient(scores, x, grad_scaler=None):
    """The gradient of ``scores.sum()`` with respect to ``x``, kept in the
    graph (for a gradient penalty).

    Under fp16 loss scaling it follows PyTorch's AMP recipe for gradient
    penalties: the gradient of the scaled scores, then unscaled, so that
    small gradients do not underflow. The scale multiplies the scores'
    mean, not their sum, so the gradient reaching each float16 score
    (scale / batch size) stays below float16's largest value.
    """
    if grad_scaler is None:
        (grad,) = torch.autograd.grad(scores.sum(), x, create_graph=True)
        return grad
    n = scores.shape[0]
    scale = grad_scaler.scale(torch.ones((), device=scores.device))  # no device sync
    (grad,) = torch.autograd.grad(grad_scaler.scale(scores.float().mean()), x, create_graph=True)
    return grad * (n / scale)


class AdversarialObjective(Objective):
    """Discriminator and generator losses, and the alternating step.

    Each step makes ``n_critic`` discriminator updates, then one generator
    update, each with its own optimizer (the pattern of skorch's "multiple
    optimizers"); the main loss is the generator's, the discriminator's is
    recorded as ``train_discriminator_loss``. ``label_smoothing``
    (one-sided, BCE only) makes the real target ``1 - label_smoothing``
    (Salimans et al. 2016). ``r1_penalty`` adds ``r1_penalty / 2`` times
    the mean squared norm of the discriminator's gradient with respect to
    the real samples (any loss). There is no single ``forward`` loss, so
    no validation loss either.
    """

    optimizer_defaults = {"betas": GAN_ADAM_BETAS}

    def __init__(
        self, *, loss="bce", label_smoothing=0.0, r1_penalty=0.0, n_critic=1, ema_decay=None
    ):
        super().__init__()
        self.loss = loss
        self.label_smoothing = label_smoothing
        self.r1_penalty = r1_penalty
        self.n_critic = n_critic
        self.ema_decay = ema_decay

    def groups(self):
        return ("", "discriminator")

    def parameter_groups(self, module):
        return {
            "": module.generator.parameters(),
            "discriminator": module.discriminator.parameters(),
        }

    def updates(self, batch, generator, grad_scaler=None):
        x, y = batch
        critic = (
            "discriminator",
            lambda module: self.discriminator_loss(
                module, x, y, generator, grad_scaler=grad_scaler
            ),
        )
        return [critic] * self.n_critic + [
            ("", lambda module: self.generator_loss(module, x.shape[0], y, generator, x.device))
        ]

    def uncompiled(self):
        # R1 and WGAN-GP differentiate the discriminator's gradient.
        if self.r1_penalty or self.loss == "wasserstein-gp":
            return ("discriminator",)
        return ()

    def noise(self, module, n, generator, device):
        return torch.randn((n, module.n_components), generator=generator, device=device)

    def discriminator_loss(self, module, x, y, generator, grad_scaler=None):
        with torch.no_grad():
            fake = module.generate(self.noise(module, x.shape[0], generator, x.device), y)
        if self.r1_penalty:
            x = x.detach().requires_grad_(True)
        real_score = module.discriminate(x, y, generator)
        fake_score = module.discriminate(fake, y, generator)
        loss = self._loss(module, x, y, fake, real_score, fake_score, generator, grad_scaler)
        if self.r1_penalty:
            # The gradient of the same real-data pass: no extra forward.
            grad = input_gradient(real_score, x, grad_scaler)
            loss = loss + self.r1_penalty / 2 * grad.pow(2).flatten(1).sum(1).mean()
        return loss

    def _loss(self, module, x, y, fake, real_score, fake_score, generator, grad_scaler):
        if self.loss == "bce":
            target = torch.full_like(real_score, 1.0 - self.label_smoothing)
            return F.binary_cross_entropy_with_logits(
                real_score, target
            ) + F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score))
        if self.loss == "hinge":
            return F.relu(1.0 - real_score).mean() + F.relu(1.0 + fake_score).mean()
        x = x.detach()
        alpha = torch.rand((x.shape[0], 1), generator=generator, device=x.device)
        mixed = (alpha * x + (1 - alpha) * fake).requires_grad_(True)
        grad = input_gradient(module.discriminate(mixed, y, generator), mixed, grad_scaler)
        penalty = ((grad.norm(dim=1) - 1.0) ** 2).mean()
        return fake_score.mean() - real_score.mean() + GRADIENT_PENALTY_WEIGHT * penalty

    def generator_loss(self, module, n, y, generator, device):
        fake_score = module.discriminate(
            module.generate(self.noise(module, n, generator, device), y), y, generator
        )
        if self.loss == "bce":  # non-saturating
            return F.binary_cross_entropy_with_logits(fake_score, torch.ones_like(fake_score))
        return -fake_score.mean()
