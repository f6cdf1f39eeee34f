"""How a DDPM fitted on a table draws rows given some of their columns
(``sample(n, conditions=...)``).

The tabular denoiser is trained with random columns given, so it can draw
every row given its known values from pure noise. Its rows drawn so match
the real rows of a level less well than its own unconditional rows of that
level do (``bench/bench_tables.py``, ``tables_conditional``), and the same
holds for a range of a numeric column (``bench_table_ranges.py``): the
conditional it learns from a small share of its training is weaker than
the unconditional model. The early steps of the reverse process, which
settle the row's coarse structure, are therefore taken from the
unconditional model: several candidates per row run the first
``GIVEN_SHARE`` of the steps, and one of them is picked with probability
proportional to the likelihood the denoiser then gives the row's given
values (importance resampling), so the pick draws ``x_t`` from the model's
own distribution given them. The conditional denoiser, given every value,
then finishes the row, so the values hold by construction; nothing is
rejected.

The likelihood comes from the clean-sample prediction ``x0_hat``, the
posterior mean ``E[x0 | x_t]`` of a denoiser trained with the squared error:

* a level: a one-hot block's mean is the levels' probability;
* a missing-value indicator: its mean is the probability of missing;
* a number: a Gaussian around ``x0_hat`` with the posterior variance of
  Tweedie's formula, ``(1 - a) / sqrt(a) * d x0_hat / d x_t`` (the slope
  by a finite difference, one more network pass). A density is far
  sharper than a probability, so one number is weighed (the column of a
  range, say); two or more given numbers are given to the early steps'
  denoiser instead, with the columns the pick does not weigh.
"""

from typing import NamedTuple

import numpy as np
import torch

from .._engine._importance import pick_by_weight
from .._engine._inference import INFERENCE_BATCH_SIZE

# The share of the reverse steps the candidates run before one is picked,
# and the importance resampling's candidates per row and round, effective
# sample size and most candidates per row. On ISLR's Wage (fits of seeds 0
# to 2, five draws each) picking after 60% or 80% of the steps brought the
# rows given a level as close to the real rows of it as the unconditional
# rows of it, or closer (drawing from pure noise with the conditional
# denoiser: .01 further), 30% about half as close; on the penguins (two
# fits) 80% did better than 60%. 16 candidates a round did better than 4
# or 8 (bench_tables.py's conditional check). GIVEN_MASS: the least sum
# of the candidates' probabilities of the levels, the expected number
# holding them; weights evenly small are otherwise spread enough, though no
# candidate may be likely. On diamonds' rarest cut (3% of the rows), the
# rows given it came .087 short of the unconditional rows of it without,
# .021 with 1, .016 with 2 (one fit, bench_tables.py's check by level).
GIVEN_SHARE = 0.8
GIVEN_CANDIDATES = 16
GIVEN_EFFECTIVE = 4
GIVEN_MAX_CANDIDATES = 256
GIVEN_MASS = 2.0
# The least probability a level gets from a clean-sample prediction.
LEVEL_FLOOR = 1e-3
# The step and the least slope of a given number's clean-sample prediction
# against its noisy value (the posterior variance's finite difference).
SLOPE_STEP = 1e-2
SLOPE_FLOOR = 1e-2
# Given numbers the pick weighs (more go to the early steps' denoiser). On
# Wage (one fit), given each quarter of the ages and the top 2%, the rows'
# other columns came .002 closer to the real rows in the range than the
# unconditional rows in it on average, against .012 further from pure
# noise with the conditional denoiser; on the penguins .015 closer, against
# .004 (bench_table_ranges.py --model ddpm), for some 25 times the passes.
WEIGHED_NUMBERS = 1


class Weighed(NamedTuple):
    """The given values the pick weighs: ``blocks``, the one-hot blocks
    ``(start, stop)`` of the given levels; ``numbers`` and ``indicators``,
    encoded positions of given numbers and missing-value indicators; and
    ``rest``, the mask of the given values it does not weigh."""

    blocks: list
    numbers: np.ndarray
    indicators: np.ndarray
    rest: np.ndarray

    def __bool__(self):
        return bool(self.blocks or len(self.numbers) or len(self.indicators))


def weighed_values(layout, mask):
    """What the pick weighs of the given values ``mask`` (over the encoded
    values), a :class:`Weighed`; None without a table's ``layout``."""
    if layout is None:
        return None
    rest = mask.copy()
    blocks = [(start, stop) for start, stop in layout.categories if mask[start]]
    for start, stop in blocks:
        rest[start:stop] = False
    indicators = layout.missing.cpu().numpy()
    indicators = indicators[mask[indicators]]
    rest[indicators] = False
    numbers = layout.numeric.cpu().numpy()
    numbers = numbers[mask[numbers]]
    if len(numbers) > WEIGHED_NUMBERS:
        numbers = numbers[:0]
    rest[numbers] = False
    return Weighed(blocks, numbers, indicators, rest)


def level_log_probability(x0, levels, blocks):
    """``log p(levels | x_t)`` per row, from the clean-sample prediction
    ``x0`` at ``x_t``: each given block's predicted values, floored at
    ``LEVEL_FLOOR`` and normalised, at the given level (``levels``, one
    column per block)."""
    total = torch.zeros(x0.shape[0], dtype=x0.dtype, device=x0.device)
    for j, (start, stop) in enumerate(blocks):
        p = x0[:, start:stop].clamp(min=LEVEL_FLOOR)
        p = p / p.sum(dim=1, keepdim=True)
        total += torch.log(p.gather(1, levels[:, j : j + 1]).squeeze(1))
    return total


def value_log_density(x0, slope, values, index, alpha_bar):
    """``log p(values | x_t)`` per row for the given numbers ``index``
    (encoded positions): each Gaussian around the clean-sample prediction
    ``x0``, with the posterior variance ``(1 - a) / sqrt(a)`` times the
    prediction's slope against its noisy value (Tweedie's formula; ``a``
    the step's ``alpha_bar``), ``slope`` floored at ``SLOPE_FLOOR``."""
    scale = ((1 - alpha_bar) / alpha_bar.sqrt()).reshape(-1, 1)
    var = scale * slope.clamp(min=SLOPE_FLOOR)
    error = (values - x0[:, index]) ** 2
    return -0.5 * (error / var + torch.log(2 * np.pi * var)).sum(1)


def indicator_log_probability(x0, values, index):
    """``log p(values | x_t)`` per row for the given missing-value
    indicators ``index``, each a probability from the clean-sample
    prediction, kept within ``[LEVEL_FLOOR, 1 - LEVEL_FLOOR]``."""
    p = x0[:, index].clamp(LEVEL_FLOOR, 1 - LEVEL_FLOOR)
    return torch.log(torch.where(values > 0.5, p, 1 - p)).sum(1)


class GivenStart:
    """The candidates' early steps and the pick for one batch of rows.

    ``denoise(x, t, rows, condition)`` is the network's output at ``(x, t)``
    for the batch's rows ``rows`` (their labels), ``condition`` what it is
    given (None: nothing). ``weighed`` is a :class:`Weighed`, ``rows`` the
    batch's encoded rows holding the given values, and ``early`` the
    condition of the batch's rows holding ``weighed.rest`` (None: nothing).
    """

    def __init__(self, schedule, sampler, timesteps, denoise, weighed, rows, early, generator):
        self.schedule, self.sampler, self.timesteps = schedule, sampler, timesteps
        self.denoise, self.weighed, self.early, self.generator = denoise, weighed, early, generator
        device = generator.device
        self.levels = torch.as_tensor(
            np.stack([rows[:, a:b].argmax(axis=1) for a, b in weighed.blocks], axis=1)
            if weighed.blocks
            else np.zeros((len(rows), 0), dtype=np.int64),
            device=device,
        )
        self.numbers = torch.as_tensor(weighed.numbers, dtype=torch.long, device=device)
        self.indicators = torch.as_tensor(weighed.indicators, dtype=torch.long, device=device)
        self.values = torch.as_tensor(rows, dtype=torch.float32, device=device)
        # At least one step before the pick and one after (len(timesteps) > 1).
        self.first = min(len(timesteps) - 1, max(1, int(round(GIVEN_SHARE * len(timesteps)))))

    def log_likelihood(self, x, t, rows, early):
        """``log p(given values | x_t)`` of the candidates ``x`` at ``t``,
        for the batch's rows ``rows``."""
        x0, _ = self.schedule.split(x, self.denoise(x, t, rows, early), t)
        values = self.values[rows]
        out = level_log_probability(x0, self.levels[rows], self.weighed.blocks)
        if len(self.indicators):
            out += indicator_log_probability(x0, values[:, self.indicators], self.indicators)
        if len(self.numbers):
            slope = torch.empty((len(x), len(self.numbers)), dtype=x.dtype, device=x.device)
            for j, position in enumerate(self.numbers.tolist()):
                moved = x.clone()
                moved[:, position] += SLOPE_STEP
                x1, _ = self.schedule.split(moved, self.denoise(moved, t, rows, early), t)
                slope[:, j] = (x1[:, position] - x0[:, position]) / SLOPE_STEP
            alpha_bar = self.schedule.alpha_bars.to(x.device, x.dtype)[t]
            out += value_log_density(x0, slope, values[:, self.numbers], self.numbers, alpha_bar)
        return out

    def draw(self, n, n_features, rng, keep_states=False):
        """The batch's ``n`` rows at the timestep ``timesteps[first]``, and
        ``first``: ``(x, first)``, ``x`` also holding every state before
        (``(n, first + 1, n_features)``) with ``keep_states``."""
        device = self.generator.device

        def propose(at, k):
            rows = torch.as_tensor(np.repeat(at, k), device=device)
            early = None if self.early is None else self.early[rows]
            x = torch.randn((len(rows), n_features), generator=self.generator, device=device)
            states = [x] if keep_states else None
            sampler = type(self.sampler)()  # a fresh run: a multistep solver's memory
            for i in range(self.first):
                t, prev_t = self.timesteps[i], self.timesteps[i + 1]
                tt = torch.full((len(rows),), t, dtype=torch.long, device=device)
                output = self.denoise(x, tt, rows, early)
                x = sampler.step(self.schedule, output, t, prev_t, x, self.generator)
                if keep_states:
                    states.append(x)
            t = torch.full(
                (len(rows),), self.timesteps[self.first], dtype=torch.long, device=device
            )
            log_weights = self.log_likelihood(x, t, rows, early)
            pool = torch.stack(states, dim=1) if keep_states else x
            return (
                pool.reshape(len(at), k, *pool.shape[1:]).to("cpu").numpy(),
                log_weights.reshape(len(at), k).to("cpu", torch.float64).numpy(),
            )

        picked = pick_by_weight(
            n,
            rng,
            propose,
            candidates=GIVEN_CANDIDATES,
            effective=GIVEN_EFFECTIVE,
            max_candidates=GIVEN_MAX_CANDIDATES,
            # Probabilities only: a number's density is no count.
            mass=None if len(self.numbers) else GIVEN_MASS,
            chunk=max(1, INFERENCE_BATCH_SIZE // GIVEN_CANDIDATES),
        )
        return torch.as_tensor(picked, device=device), self.first
