"""The reverse-process samplers of a diffusion model, one class each.

A sampler turns the network's predictions into a path from pure noise to
data: which timesteps it visits (``timesteps``) and how it moves from one
to the next (``step``). It knows the schedule, never the network or the
estimator, and may keep state over one run (a multistep solver's earlier
predictions): ``DDPM.sample`` makes a fresh instance for every run. Each
subclass registers under its ``name``, which is what the ``sampler``
parameter of ``DDPM`` and of its ``sample`` accept: adding a sampler is
adding a class here.
"""

import torch

SAMPLERS = {}


class Sampler:
    """A reverse-process sampler (see the module).

    ``default_steps`` is the number of steps when none is asked for (None:
    every timestep of the schedule).
    """

    name = None
    default_steps = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        SAMPLERS[cls.name] = cls

    def timesteps(self, schedule, n_steps):
        """The descending timesteps visited with ``n_steps`` steps (None:
        ``default_steps``)."""
        return schedule.inference_timesteps(self.default_steps if n_steps is None else n_steps)

    def step(self, schedule, output, t, prev_t, x, generator):
        """``x`` at timestep ``t`` to ``prev_t`` (-1: the clean sample),
        given the network's ``output`` at ``(x, t)``."""
        raise NotImplementedError


class DDPMSampler(Sampler):
    """Ancestral sampling (Ho et al. 2020): stochastic, the book's sampler.

    Every step adds fresh noise, drawn from the sampling generator.
    """

    name = "ddpm"

    def step(self, schedule, output, t, prev_t, x, generator):
        return schedule.step(output, t, x, prev_t=prev_t, eta=1.0, generator=generator)


class DDIMSampler(Sampler):
    """DDIM (Song et al. 2021): the deterministic (eta = 0) step, which may
    jump over timesteps, 50 by default."""

    name = "ddim"
    default_steps = 50

    def step(self, schedule, output, t, prev_t, x, generator):
        return schedule.step(output, t, x, prev_t=prev_t, eta=0.0, generator=generator)


class DPMSolverPlusPlusSampler(Sampler):
    """DPM-Solver++(2M) (Lu et al. 2022): a second-order multistep solver of
    the diffusion ODE in its data-prediction form, 20 steps by default.

    Each step is DDIM's exponential-integrator step with the clean-sample
    prediction replaced by a linear extrapolation from the current and the
    previous step's predictions (in log-SNR time), so it costs one network
    pass, like DDIM, and is second-order accurate. The first step, and the
    last one to the clean sample, are first-order (DDIM's), as in the
    reference solver. Deterministic given the starting noise.
    """

    name = "dpm++"
    default_steps = 20

    def __init__(self):
        self._previous = None  # (x0_hat, lambda) of the step before
        self._expected_t = None

    @staticmethod
    def _alpha_sigma_lambda(schedule, t, like):
        if t < 0:  # the clean sample
            one = torch.ones((), dtype=like.dtype, device=like.device)
            return one, torch.zeros_like(one), None
        ab = schedule.alpha_bars[t].to(like.dtype)
        alpha, sigma = ab.sqrt(), (1 - ab).sqrt()
        return alpha, sigma, torch.log(alpha) - torch.log(sigma)

    def step(self, schedule, output, t, prev_t, x, generator):
        if t != self._expected_t:  # a new run (or a new batch of one)
            self._previous = None
        idx = torch.full((x.shape[0],), t, dtype=torch.long, device=x.device)
        x0, _ = schedule.split(x, output, idx)
        _, sigma, lam = self._alpha_sigma_lambda(schedule, t, x)
        alpha_next, sigma_next, lam_next = self._alpha_sigma_lambda(schedule, prev_t, x)
        if lam_next is None:
            out = x0  # the last step: the clean-sample prediction itself
        else:
            h = lam_next - lam
            data = x0
            if self._previous is not None:
                x0_before, lam_before = self._previous
                r = (lam - lam_before) / h
                data = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * x0_before
            out = self._move(x, data, h, sigma, alpha_next, sigma_next, generator)
        self._previous = (x0, lam)
        self._expected_t = prev_t
        return out

    @staticmethod
    def _move(x, data, h, sigma, alpha_next, sigma_next, generator):
        """``x`` at the next noise level (log-SNR ``h`` further) given the
        clean-sample estimate ``data``: the ODE's exponential-integrator step."""
        return (sigma_next / sigma) * x - alpha_next * torch.expm1(-h) * data


class DPMSolverPlusPlusSDESampler(DPMSolverPlusPlusSampler):
    """DPM-Solver++(2M) SDE (Lu et al. 2022, Appendix; Karras et al. 2022's
    noise levels): the multistep solver of the reverse SDE rather than the
    ODE, 20 steps by default.

    Each step shrinks ``x`` towards the clean-sample prediction twice as
    fast as the ODE step and adds back fresh noise of the variance that
    keeps the marginals right, so errors of earlier steps are partly
    forgotten instead of carried along: a network that is not yet exact
    gives samples closer to the data than the ODE's from the same passes.
    The clean-sample prediction is extrapolated from the previous step's
    as in ``"dpm++"``; the first step and the last one (to the clean
    sample) are first-order. The timesteps follow
    ``NoiseSchedule.karras_timesteps``. Random: the noise comes from the
    sampling generator.
    """

    name = "dpm++sde"
    default_steps = 20

    def timesteps(self, schedule, n_steps):
        return schedule.karras_timesteps(self.default_steps if n_steps is None else n_steps)

    @staticmethod
    def _move(x, data, h, sigma, alpha_next, sigma_next, generator):
        noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        decay = torch.expm1(-2 * h)  # e^{-2h} - 1
        return (
            (sigma_next / sigma) * torch.exp(-h) * x
            - alpha_next * decay * data
            + sigma_next * (-decay).sqrt() * noise
        )
