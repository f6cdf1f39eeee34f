"""The (beta-)ELBO and the importance-weighted bound of a VAE.

Kingma & Welling (2014), https://arxiv.org/abs/1312.6114; beta-VAE:
Higgins et al. (2017); IWAE: Burda et al. (2016),
https://arxiv.org/abs/1509.00519.
"""

import math

import torch
import torch.nn.functional as F

from .._objective import Objective

_LOG_2PI = math.log(2 * math.pi)


def log_likelihood(module, params, x, likelihood, log_var=None):
    """``log p(x | z)`` summed over features, from the decoder's output.

    For the Gaussian, ``log_var`` defaults to the module's stored value. A
    table's network (with a ``layout``) scores each column by its own
    likelihood (see ``TableLayout``).
    """
    layout = getattr(module, "layout", None)
    if layout is not None:
        log_var = module.log_variance if log_var is None else log_var
        return layout.log_likelihood(params, x, log_var)
    if likelihood == "bce":
        x = x.expand_as(params)
        return -F.binary_cross_entropy_with_logits(params, x, reduction="none").sum(-1)
    log_var = module.log_variance if log_var is None else log_var
    return -0.5 * (((x - params) ** 2) * torch.exp(-log_var) + log_var + _LOG_2PI).sum(-1)


def optimal_log_variance(x, params, layout=None):
    """Maximum-likelihood log-variance of a Gaussian decoder: log of the MSE.

    The "calibrated decoder" of Rybkin, Daniilidis and Levine (2021),
    https://arxiv.org/abs/2006.13202: setting the shared variance to its
    optimum in closed form, rather than learning it by gradient steps,
    balances the reconstruction and KL terms from the first step and avoids
    the early posterior collapse of a slowly learned variance.
    """
    if layout is not None:  # one variance per numeric column of a table
        index = layout.numeric
        return torch.log(((x[:, index] - params[:, index]) ** 2).mean(0).clamp_min(1e-8))
    return torch.log(((x - params) ** 2).mean().clamp_min(1e-8))


def kl_to_standard_normal(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)), summed over codings."""
    return 0.5 * (mean**2 + torch.exp(log_var) - 1.0 - log_var).sum(-1)


def decoder_mean(params, likelihood):
    """The mean of ``p(x | z)``: what reconstructions and samples show."""
    return torch.sigmoid(params) if likelihood == "bce" else params


class ELBOObjective(Objective):
    """Negative beta-ELBO per sample, averaged over the batch.

    ``-E_q[log p(x|z)] + beta * KL(q(z|x) || N(0, I))`` with one
    reparameterised draw ``z = mean + exp(log_var / 2) * eps`` per sample,
    ``eps`` from the estimator's generator. Evaluation (validation) uses the
    same estimate.
    """

    def __init__(self, *, beta=1.0, likelihood="mse"):
        super().__init__()
        self.beta = beta
        self.likelihood = likelihood

    def forward(self, module, batch, *, generator=None, training=True):
        x, y = batch
        mean, log_var = module.encode(x, y)
        # float32 draws (float64 for float64 scoring), also under autocast:
        # mixed precision does not change the random stream.
        eps = torch.randn(
            mean.shape,
            generator=generator,
            device=mean.device,
            dtype=torch.promote_types(mean.dtype, torch.float32),
        )
        z = mean + torch.exp(0.5 * log_var) * eps
        params = module.decode(z, y)
        obs_log_var = None
        if self.likelihood == "mse" and training:
            obs_log_var = optimal_log_variance(x, params, module.layout)
            with torch.no_grad():  # running value, for evaluation and scores
                module.log_variance.lerp_(obs_log_var.detach(), 0.05)
        rec = log_likelihood(module, params, x, self.likelihood, obs_log_var)
        return (self.beta * kl_to_standard_normal(mean, log_var) - rec).mean()


def _log_likelihood_of_draws(module, x, y, eps, likelihood):
    """Encode ``x``, decode ``z_j = mean + std * eps_j`` for the draws ``eps``
    (m, n_components); return ``(mean, log_var, z, log p(x | z_j))``, the
    last shaped (n, m)."""
    mean, log_var = module.encode(x, y)
    m, (n, d) = eps.shape[0], mean.shape
    z = mean[:, None, :] + torch.exp(0.5 * log_var)[:, None, :] * eps[None]
    ym = None if y is None else y.repeat_interleave(m)
    params = module.decode(z.reshape(n * m, d), ym).reshape(n, m, -1)
    return mean, log_var, z, log_likelihood(module, params, x[:, None, :], likelihood)


def elbo(module, x, y, eps, likelihood):
    """Per-sample ELBO, the expected log-likelihood averaged over the draws
    ``eps`` (m, n_components) and the KL term in closed form."""
    mean, log_var, _, rec = _log_likelihood_of_draws(module, x, y, eps, likelihood)
    return rec.mean(1) - kl_to_standard_normal(mean, log_var)


def importance_bound(module, x, y, eps, likelihood):
    """Per-sample importance-weighted bound with the k draws ``eps``.

    ``log mean_j p(x, z_j) / q(z_j | x)`` (Burda et al. 2016): at least the
    ELBO in expectation, and tighter as k grows.
    """
    _, log_var, z, rec = _log_likelihood_of_draws(module, x, y, eps, likelihood)
    log_prior = -0.5 * (z**2 + _LOG_2PI).sum(-1)
    log_posterior = -0.5 * (eps[None] ** 2 + _LOG_2PI + log_var[:, None, :]).sum(-1)
    log_w = rec + log_prior - log_posterior
    return torch.logsumexp(log_w, dim=1) - math.log(eps.shape[0])
