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
