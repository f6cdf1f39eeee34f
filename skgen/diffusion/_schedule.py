"""The forward (noising) process of a diffusion model, and its reverse steps.

A parameter-free object: the schedule's constants are buffers, so the
schedule follows its owner to the device, but it has no weights and knows
nothing of the network. The design follows the schedulers of Ho et al.
(2020, DDPM), Nichol & Dhariwal (2021, cosine schedule) and Song et al.
(2021, DDIM).

Timesteps are 0-based: ``t = 0`` is the first, least noisy step and
``alpha_bars[t]`` is the share of signal variance left after step ``t``.
(The book indexes the same steps from 1.)
"""

import math

import numpy as np
import torch
from torch import nn


def cosine_alpha_bars(n_timesteps, *, s=0.008, max_beta=0.999):
    """The cosine schedule's ``alpha_bar`` (float64 numpy), betas capped.

    ``f(t) = cos((t / T + s) / (1 + s) * pi / 2) ** 2``; each step keeps
    ``f(t + 1) / f(t)`` of the signal, at least ``1 - max_beta``.
    """
    t = np.arange(n_timesteps + 1, dtype=np.float64)
    f = np.cos((t / n_timesteps + s) / (1 + s) * math.pi / 2) ** 2
    alphas = np.clip(f[1:] / f[:-1], 1 - max_beta, 1.0)
    return np.cumprod(alphas)


def linear_alpha_bars(n_timesteps):
    """Ho et al.'s linear betas, 1e-4 to 0.02 for T = 1000.

    For other T the endpoints are scaled by ``1000 / T`` so the total
    amount of noise stays the same (Nichol & Dhariwal 2021).
    """
    scale = 1000.0 / n_timesteps
    betas = np.linspace(1e-4 * scale, min(0.02 * scale, 0.999), n_timesteps)
    return np.cumprod(1.0 - betas)


class NoiseSchedule(nn.Module):
    """A fixed variance schedule with ``add_noise`` and reverse ``step``.

    Parameters
    ----------
    n_timesteps : int
        Number of diffusion steps ``T``.
    kind : {"cosine", "linear"}
        The cosine schedule (betas capped at 0.999, the book's) or the
        linear one of Ho et al.
    prediction : {"epsilon", "v"}
        What the network predicts: the noise, or the velocity
        ``v = sqrt(alpha_bar) * noise - sqrt(1 - alpha_bar) * x0``.
    clip_range : pair or None
        ``(low, high)`` bounds of the predicted clean sample in reverse
        steps: floats (``(-1, 1)`` for images scaled to [-1, 1]) or arrays
        with one bound per feature. None leaves it free.

    Examples
    --------
    >>> import torch
    >>> from skgen.diffusion import NoiseSchedule
    >>> schedule = NoiseSchedule(1000, "cosine")
    >>> x0 = torch.ones(2, 3)
    >>> t = torch.tensor([0, 999])
    >>> x_t = schedule.add_noise(x0, torch.zeros(2, 3), t)  # no noise: sqrt(alpha_bar) * x0
    >>> x_t[:, 0].round(decimals=3)
    tensor([1., 0.])
    >>> schedule.inference_timesteps(4)
    [999, 749, 499, 249]
    """

    def __init__(self, n_timesteps, kind="cosine", *, prediction="epsilon", clip_range=None):
        super().__init__()
        self.n_timesteps = int(n_timesteps)
        self.kind = kind
        self.prediction = prediction
        self._clipped = clip_range is not None
        if self._clipped:
            self.register_buffer("clip_low", torch.as_tensor(clip_range[0], dtype=torch.float32))
            self.register_buffer("clip_high", torch.as_tensor(clip_range[1], dtype=torch.float32))
        bars = (cosine_alpha_bars if kind == "cosine" else linear_alpha_bars)(self.n_timesteps)
        prev = np.append(1.0, bars[:-1])
        betas = 1.0 - bars / prev
        for name, value in (("alpha_bars", bars), ("betas", betas)):
            self.register_buffer(name, torch.tensor(value, dtype=torch.float32))

    # -- helpers -----------------------------------------------------------
    def _at(self, values, t, like):
        """``values[t]`` shaped to broadcast against ``like`` (batch first)."""
        out = values.to(like.dtype)[t]
        return out.reshape(-1, *([1] * (like.dim() - 1)))

    # -- forward process ----------------------------------------------------
    @property
    def clip_range(self):
        """The ``(low, high)`` bound tensors of the clean sample, or None."""
        return (self.clip_low, self.clip_high) if self._clipped else None

    def add_noise(self, x0, noise, t):
        """Sample ``q(x_t | x_0)``: ``sqrt(ab) * x0 + sqrt(1 - ab) * noise``."""
        ab = self._at(self.alpha_bars, t, x0)
        return ab.sqrt() * x0 + (1.0 - ab).sqrt() * noise

    def target(self, x0, noise, t):
        """What the network learns to predict at ``t``: noise or velocity."""
        if self.prediction == "epsilon":
            return noise
        ab = self._at(self.alpha_bars, t, x0)
        return ab.sqrt() * noise - (1.0 - ab).sqrt() * x0

    def split(self, x_t, model_output, t):
        """``(x0_hat, eps_hat)`` from the network's output at ``x_t``."""
        ab = self._at(self.alpha_bars, t, x_t)
        if self.prediction == "epsilon":
            eps = model_output
            x0 = (x_t - (1.0 - ab).sqrt() * eps) / ab.sqrt()
        else:
            x0 = ab.sqrt() * x_t - (1.0 - ab).sqrt() * model_output
            eps = (1.0 - ab).sqrt() * x_t + ab.sqrt() * model_output
        if self._clipped:
            x0 = torch.clamp(x0, self.clip_low.to(x0.dtype), self.clip_high.to(x0.dtype))
            eps = (x_t - ab.sqrt() * x0) / (1.0 - ab).sqrt()
        return x0, eps

    # -- reverse process ------------------------------------------------------
    def inference_timesteps(self, n_steps=None):
        """Descending timesteps of a sampler with ``n_steps`` steps.

        All ``T`` steps by default; fewer are spread evenly and always start
        at ``T - 1`` (the "trailing" spacing of Lin et al. 2024).
        """
        T = self.n_timesteps
        if n_steps is None or n_steps >= T:
            return list(range(T - 1, -1, -1))
        steps = np.round(np.arange(T, 0, -T / n_steps)).astype(int) - 1
        return sorted(set(steps.tolist()), reverse=True)

    def karras_timesteps(self, n_steps, *, sigma_max=80.0, rho=7.0):
        """Descending timesteps spaced as Karras et al. (2022) space noise
        levels: dense where the noise is low.

        The first is always ``T - 1`` (pure noise); the other
        ``n_steps - 1`` are the timesteps whose noise-to-signal ratio
        ``sigma = sqrt((1 - ab) / ab)`` is nearest to ``rho``-spaced levels
        from ``min(sigma_max, sigma[T - 1])`` down to ``sigma[0]`` (just
        ``sigma[0]`` for two steps). Levels that round to the same timestep
        are visited once, so short schedules may give fewer steps. Above
        ``sigma_max`` (80, Karras et al.'s, for data of unit scale) the
        samples are noise whatever the network says, so no step is spent
        there.

        Examples
        --------
        >>> from skgen.diffusion import NoiseSchedule
        >>> NoiseSchedule(1000, "cosine").karras_timesteps(6)
        [999, 991, 965, 802, 164, 0]
        """
        T = self.n_timesteps
        if n_steps is None or n_steps >= T:
            return list(range(T - 1, -1, -1))
        if n_steps == 1:
            return [T - 1]
        ab = self.alpha_bars.detach().cpu().double().numpy()
        log_sigma = 0.5 * (np.log1p(-ab) - np.log(ab))
        high = min(math.log(sigma_max), log_sigma[-1]) / rho
        ramp = np.linspace(0.0, 1.0, n_steps - 1) if n_steps > 2 else np.ones(1)
        levels = rho * np.log(np.exp(high) + ramp * (np.exp(log_sigma[0] / rho) - np.exp(high)))
        steps = np.abs(log_sigma[None, :] - levels[:, None]).argmin(axis=1)
        return sorted({T - 1, *steps.tolist()}, reverse=True)

    def step(self, model_output, t, x_t, *, prev_t=None, eta=0.0, generator=None):
        """One reverse step from ``x_t`` at step ``t`` (an int) to ``prev_t``.

        The generalised step of Song et al. (2021): with
        ``sigma = eta * sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev))``,
        ``x_prev = sqrt(ab_prev) x0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z``.
        ``eta=1`` with ``prev_t = t - 1`` is DDPM's ancestral step (sigma^2
        is then the posterior variance); ``eta=0`` is the deterministic DDIM
        step, which may jump over steps. ``prev_t = -1`` means the clean
        sample; ``prev_t`` defaults to ``t - 1``.
        """
        prev_t = t - 1 if prev_t is None else prev_t
        idx = torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device)
        x0, eps = self.split(x_t, model_output, idx)
        ab = self.alpha_bars[t].to(x_t.dtype)
        ab_prev = (
            self.alpha_bars[prev_t].to(x_t.dtype)
            if prev_t >= 0
            else torch.ones((), dtype=x_t.dtype, device=x_t.device)
        )
        out = ab_prev.sqrt() * x0
        if eta > 0 and prev_t >= 0:
            var = (eta**2) * (1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)
            noise = torch.randn(x_t.shape, generator=generator, device=x_t.device, dtype=x_t.dtype)
            out = out + (1 - ab_prev - var).clamp(min=0).sqrt() * eps + var.sqrt() * noise
        else:
            out = out + (1 - ab_prev).sqrt() * eps
        return out
