"""The DDPM's reverse process: which sampler runs, and from noise to samples, batch by batch."""

import numbers
import sys

import numpy as np
import torch

from .._engine._estimator import for_size
from .._engine._inference import INFERENCE_BATCH_SIZE
from .._engine._torch import torch_generator
from ._given import GivenStart, weighed_values
from ._samplers import SAMPLERS

# sampler="auto": (sampler, steps) per architecture. On the 8x8 digits as
# rows, the residual MLP's samples from 10 DPM-Solver++ steps were closer to
# held-out digits than from 50 DDIM steps under both judges over five seeds
# (bench/bench_samplers_seeds.py, bench_digits_seeds.py), and on two moons
# as close (bench/bench_samplers_2d.py; on the ring of 8 nearly point-like
# modes DDIM's 50 stay closer, as the DDPM guide says). The stochastic
# DPM-Solver++ is closer still on the digits as rows, but on two moons about
# twice as far (same benchmarks), so the MLP keeps the deterministic one.
# The U-Net samples
# with the stochastic DPM-Solver++, which forgets the errors of its earlier
# steps: its 30 steps put 8x8 digits closer than 10 or more deterministic
# DPM-Solver++ steps under both judges over five fits
# (bench_samplers_seeds.py --data images), and 28x28 digits closer than 50
# deterministic ones over five draws of one fit (bench_samplers.py --data
# mnist28 --seeds 5). A table's calibration was measured with DDIM's 50.
# A value may also be {most values per sample: value}, as in max_iter="auto".
AUTO_SAMPLER = {
    "mlp": ("dpm++", 10),
    "unet": ("dpm++sde", 30),
    "tabular": ("ddim", 50),
}


class ReverseProcessMixin:
    """Sampling for :class:`DDPM`: the reverse process in the network's
    space, with classifier-free guidance and a table's given values."""

    def _sampler(self, sampler, n_inference_steps):
        """The sampler of a ``sample`` call and its number of steps (None:
        the sampler's own default)."""
        sampler = self.sampler if sampler is None else sampler
        auto_steps = None
        if sampler == "auto":
            sampler, auto_steps = for_size(
                self._by_architecture(AUTO_SAMPLER), self.spec_.n_features
            )
        if sampler not in SAMPLERS:
            names = [repr(name) for name in ["auto", *SAMPLERS]]
            raise ValueError(
                f"sampler must be {', '.join(names[:-1])} or {names[-1]}; got {sampler!r}."
            )
        steps = self.n_inference_steps if n_inference_steps is None else n_inference_steps
        if steps is not None and (not isinstance(steps, numbers.Integral) or steps < 1):
            raise ValueError(f"n_inference_steps must be a positive int; got {steps!r}.")
        return SAMPLERS[sampler](), auto_steps if steps is None else steps

    def _draw(self, n_samples, rng, labels=None, known=None):
        """``n_samples`` rows in the network's space from the default sampler
        (what ``sample`` draws with its defaults)."""
        sampler, steps = self._sampler(None, None)
        return self._reverse(n_samples, rng, labels, sampler, steps, 1.0, False, known)[0]

    def _reverse(
        self, n_samples, rng, labels, sampler, steps, guidance_scale, trajectory, known=None
    ):
        """The reverse process from pure noise, in the network's space:
        ``(samples, states or None, timesteps)``. ``known``: the values
        the samples are drawn given (a table's ``Given``)."""
        device = self._inference_device()
        module = self.net_.module_
        module.eval()
        schedule = self.schedule_
        timesteps = sampler.timesteps(schedule, steps)
        gen = torch_generator(rng, device)
        n_features, dtype = self.spec_.n_features, self.spec_.dtype
        out = np.empty((n_samples, n_features), dtype=dtype)
        states = (
            np.empty((len(timesteps) + 1, n_samples, n_features), dtype=dtype)
            if trajectory
            else None
        )
        guided = labels is not None and guidance_scale != 1.0
        weighed = None if known is None else weighed_values(module.layout, known.mask)
        bar = self._progress(-(-n_samples // INFERENCE_BATCH_SIZE) * len(timesteps))
        try:
            with torch.inference_mode():
                for start in range(0, n_samples, INFERENCE_BATCH_SIZE):
                    n = min(INFERENCE_BATCH_SIZE, n_samples - start)
                    yb = (
                        None
                        if labels is None
                        else torch.as_tensor(labels[start : start + n], device=device)
                    )
                    given = None if known is None else _given(module, known, start, n, device)
                    if weighed and len(timesteps) > 1:
                        x, first = self._at_given(
                            module,
                            known,
                            start,
                            n,
                            yb,
                            guided,
                            guidance_scale,
                            sampler,
                            timesteps,
                            weighed,
                            gen,
                            rng,
                            states is not None,
                        )
                        if bar is not None:
                            bar.update(first)
                        if states is not None:
                            states[: first + 1, start : start + n] = (
                                x.to("cpu").numpy().swapaxes(0, 1)
                            )
                            x = x[:, -1]
                    else:
                        x = torch.randn((n, n_features), generator=gen, device=device)
                        first = 0
                        if states is not None:
                            states[0, start : start + n] = x.to("cpu").numpy()
                    for i in range(first, len(timesteps)):
                        t = timesteps[i]
                        prev_t = timesteps[i + 1] if i + 1 < len(timesteps) else -1
                        tt = torch.full((n,), t, dtype=torch.long, device=device)
                        output = self._denoise(module, x, tt, yb, guided, guidance_scale, given)
                        x = sampler.step(schedule, output, t, prev_t, x, gen)
                        if states is not None:
                            states[i + 1, start : start + n] = x.to("cpu").numpy()
                        if bar is not None:
                            bar.update(1)
                    out[start : start + n] = x.to("cpu").numpy()
        finally:
            if bar is not None:
                bar.close()
        return out, states, timesteps

    def _at_given(
        self,
        module,
        known,
        start,
        n,
        labels,
        guided,
        scale,
        sampler,
        timesteps,
        weighed,
        gen,
        rng,
        keep_states,
    ):
        """Rows ``start:start + n`` given their values, part of the way from
        noise: ``(x, first)``, ``x`` at ``timesteps[first]`` (with
        ``keep_states``, every state before too), drawn as :mod:`._given`
        says: the values ``weighed`` holds by the pick, the rest given to
        the early steps."""
        device = gen.device
        early = None
        if weighed.rest.any():
            early = _given(module, known._replace(mask=weighed.rest), start, n, device)

        def denoise(x, t, at, condition):
            y = None if labels is None else labels[at]
            return self._denoise(module, x, t, y, guided, scale, condition)

        rows = known.rows[start : start + n]
        draw = GivenStart(self.schedule_, sampler, timesteps, denoise, weighed, rows, early, gen)
        return draw.draw(n, self.spec_.n_features, rng, keep_states)

    def _states(self, trajectory, sample_shape):
        """The reverse process's states in the data's scale, not clipped to
        its range; a table's stay encoded, as its noisy states are no rows
        of it (one column per value of the encoder's output)."""
        flat = trajectory.reshape(-1, self.spec_.n_features)
        if hasattr(self.spec_, "encoder"):
            if self.spec_.scaler is not None:
                flat = self.spec_.scaler.inverse_transform_(flat, clip=False)
            return flat.reshape(trajectory.shape)
        return self.spec_.to_data(flat).reshape((len(trajectory), *sample_shape))

    def _progress(self, total):
        if not self.verbose:
            return None
        from tqdm.auto import tqdm

        return tqdm(
            total=total, desc="DDPM sampling", unit="step", file=sys.stderr, dynamic_ncols=True
        )

    @staticmethod
    def _denoise(module, x, t, y, guided, scale, condition=None):
        if not guided:
            return module(x, t, y, ema=True, condition=condition)
        # One pass over [conditional; unconditional] inputs.
        null = torch.full_like(y, module.n_classes)
        both = module(
            torch.cat([x, x]),
            torch.cat([t, t]),
            torch.cat([y, null]),
            ema=True,
            condition=None if condition is None else torch.cat([condition] * 2),
        )
        cond, uncond = both.chunk(2)
        return uncond + scale * (cond - uncond)


def _given(module, known, start, n, device):
    """The condition of rows ``start:start + n`` of the known values."""
    mask, rows = known.mask, known.rows
    x = torch.as_tensor(rows[start : start + n], dtype=torch.float32, device=device)
    given = torch.as_tensor(np.broadcast_to(mask, x.shape).copy(), device=device)
    return module.layout.condition(x, given)
