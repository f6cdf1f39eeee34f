"""How a DDPM fitted on a table draws rows given levels of its categorical
columns (``sample(n, conditions=...)``).

The tabular denoiser is trained with random columns given, so it can draw
every row given its known values from pure noise. Its rows drawn so match
the real rows of a level less well than its own unconditional rows of that
level do (``bench/bench_tables.py``, ``tables_conditional``): the
conditional it learns from a small share of its training is weaker than
the unconditional model. The early steps of the reverse process, which
settle the row's coarse structure, are therefore taken from the
unconditional model: several candidates per row run the first
``GIVEN_SHARE`` of the steps (given the values of any other given columns),
and one of them is picked with probability proportional to the
probability the denoiser's clean-sample prediction gives the row's levels
there. A denoiser trained with the squared error predicts a one-hot
block's expectation given ``x_t``, which is the levels' probability, so the
pick draws ``x_t`` from the model's own distribution given the levels
(importance resampling). The conditional denoiser, given every value, then
finishes the row, so the levels hold by construction; nothing is rejected.
"""

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
# or 8 (bench_tables.py's conditional check).
GIVEN_SHARE = 0.8
GIVEN_CANDIDATES = 16
GIVEN_EFFECTIVE = 4
GIVEN_MAX_CANDIDATES = 256
# The least probability a level gets from a clean-sample prediction.
LEVEL_FLOOR = 1e-3


def level_blocks(layout, mask):
    """The one-hot blocks, ``(start, stop)``, of the categorical columns
    whose level ``mask`` (over the encoded values) gives."""
    if layout is None:
        return []
    return [(start, stop) for start, stop in layout.categories if mask[start]]


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


class GivenLevels:
    """The candidates' early steps and the pick for one batch of rows.

    ``denoise(x, t, rows, condition)`` is the network's output at ``(x, t)``
    for the batch's rows ``rows`` (their labels), ``condition`` what it is
    given (None: nothing). ``early`` is the condition of the batch's rows
    holding the given values other than the levels (None: none).
    """

    def __init__(self, schedule, sampler, timesteps, denoise, blocks, rows, early, generator):
        self.schedule, self.sampler, self.timesteps = schedule, sampler, timesteps
        self.denoise, self.blocks, self.early, self.generator = denoise, blocks, early, generator
        self.levels = torch.as_tensor(
            np.stack([rows[:, a:b].argmax(axis=1) for a, b in blocks], axis=1),
            device=generator.device,
        )
        # At least one step before the pick and one after (len(timesteps) > 1).
        self.first = min(len(timesteps) - 1, max(1, int(round(GIVEN_SHARE * len(timesteps)))))

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
            x0, _ = self.schedule.split(x, self.denoise(x, t, rows, early), t)
            log_weights = level_log_probability(x0, self.levels[rows], self.blocks)
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
            chunk=max(1, INFERENCE_BATCH_SIZE // GIVEN_CANDIDATES),
        )
        return torch.as_tensor(picked, device=device), self.first
