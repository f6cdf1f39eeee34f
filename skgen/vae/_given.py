"""How a VAE fitted on a table draws rows given some of their columns
(``sample(n, conditions=...)``): importance resampling of its codings, and
the decoding of a table's rows with the values given a range drawn inside
it."""

import numpy as np
import torch

from .._engine._importance import importance_resample
from .._engine._torch import torch_generator


class GivenColumnsMixin:
    """Rows of a table drawn given exact values of some columns and ranges
    of numeric ones, for :class:`VariationalAutoencoder` (which provides
    ``_prior_draws``, ``_forward_batches`` and the fitted network)."""

    _conditions = "ranges"

    def _table_rows(self, z, rng, labels, known):
        """A table's rows decoded from the codings ``z``: each drawn from its
        columns' likelihoods, the values ``known`` gives a range drawn
        inside it."""
        gen = torch_generator(rng, self._inference_device())
        ranges = None if known is None else known.ranges
        n_components = self.n_components_
        if ranges is not None:  # the bounds travel with the codings
            z = np.concatenate([z, ranges.low, ranges.high], axis=1).astype(z.dtype)
            index = torch.as_tensor(ranges.index)
            present = torch.as_tensor(ranges.present)
            indicators = torch.as_tensor(known.rows[0, ranges.present])

        def draw(m, b, *yb):
            values = m.layout.activate(m.decode(b[:, :n_components], yb[0] if yb else None))
            out = m.layout.sample(values, gen, m.log_variance, scores=True)
            if ranges is None:
                return out
            low, high = b[:, n_components:].chunk(2, dim=1)
            out[:, present.to(b.device)] = indicators.to(b.device, b.dtype)
            return m.layout.sample_in_ranges(
                out, values, m.log_variance, index.to(b.device), low, high, gen
            )

        return self._forward_batches(draw, z, self.spec_.dtype, labels=labels)

    def _importance_draws(self, n_samples, rng, known, labels):
        """Codings given the known values by importance resampling: for
        each row, draws from the prior (``GIVEN_CANDIDATES`` a round, more
        rounds where the weights single out few of them), one of them
        picked with probability proportional to the likelihood the decoder
        gives the row's known values (its categories' probabilities as the
        table's calibration shifts them, see ``TableSpec.trained``) and the
        probability it gives each range (``known.ranges``). Every row gets a
        coding, whatever the values' probability: nothing is rejected."""
        mask, rows, ranges = known
        offsets = torch.as_tensor(self.spec_.logit_offsets())
        index = torch.as_tensor(np.flatnonzero(mask))
        given = torch.as_tensor(mask)
        n_values = rows.shape[1]
        n_components = self.n_components_

        n_given = len(index)

        def weigh(m, b, *yb):
            z, values = b[:, :n_components], b[:, n_components : n_components + n_given]
            x = torch.zeros((len(b), n_values), dtype=b.dtype, device=b.device)
            x[:, index.to(b.device)] = values
            raw = m.decode(z, yb[0] if yb else None) + offsets.to(b.device, b.dtype)
            log_var = m.log_variance.to(b.dtype)
            out = m.layout.log_likelihood(raw, x, log_var, given.to(b.device))
            if ranges is None:
                return out
            low, high = b[:, n_components + n_given :].chunk(2, dim=1)
            ranged = torch.as_tensor(ranges.index, device=b.device)
            return out + m.layout.range_log_mass(raw, log_var, ranged, low, high)

        values = rows[:, mask]
        if ranges is not None:
            values = np.concatenate([values, ranges.low, ranges.high], axis=1)
        return importance_resample(self, n_samples, rng, values, labels, weigh)
