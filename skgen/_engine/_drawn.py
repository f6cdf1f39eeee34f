"""Conditions a model cannot take as they are, turned into values.

A family that draws rows given exact values (the DDPM; the VAE, for sets)
takes a set of levels or a range by drawing the given column's values
first, from the training rows, and the rest of each row given them:
``p(value | set or range) p(rest | value)``.
"""

import numpy as np
from scipy.stats import norm

from ..preprocessing._table import NUMERIC, _decode_time, _inverse, forward_edge


def drawn_values(spec, conditions, n_samples, rng, *, ranges=True):
    """``conditions`` with ``n_samples`` values drawn for each set and range.

    A set of levels of a categorical column (a ``set``) draws them by the
    levels' training shares, in the order of the column's levels, so the
    draws do not depend on how Python orders a set. With ``ranges``, a
    range of a numeric column (a ``pandas.Interval``) draws from the
    column's training distribution inside it: the encoder's quantile map
    inverted at probabilities drawn between the range's edges (whole
    numbers for an integer column, ticks for a datetime). Other conditions
    are kept; bad ones are named (``spec._condition_frame``).
    """
    if not isinstance(conditions, dict):
        return conditions  # spec.condition_rows says what conditions must be
    columns = {c.name: c for c in spec.encoder.columns_}
    out = dict(conditions)
    for name, levels in out.items():
        if not isinstance(levels, (set, frozenset)) or name not in columns:
            continue
        column = columns[name]
        known = [] if column.kind == NUMERIC else list(column.categories)
        known += [None] * (column.kind != NUMERIC and column.has_missing)
        where = [i for i, level in enumerate(known) if _in_set(level, levels)]
        if column.kind == NUMERIC or not levels or len(where) != len(levels):
            what = (
                "is numeric: give a range (a pandas.Interval)"
                if column.kind == NUMERIC
                else f"has the levels {list(column.categories)[:20]}"
                + " and missing values (None)" * column.has_missing
            )
            raise ValueError(
                f"conditions[{name!r}] is the set {levels!r}: a set holds one or more "
                f"levels of a column encoded as categories; column {name!r} {what}."
            )
        start = next(block[1] for block in spec.blocks if block[3] == name)
        shares = spec.shares[start + np.array(where)] + 1e-12
        picks = rng.choice(len(where), size=n_samples, p=shares / shares.sum())
        out[name] = np.array([known[i] for i in where], dtype=object)[picks]
    if not ranges:
        return out
    _, bounds = spec._condition_frame(out, n_samples)
    for name, (low, high) in bounds.items():
        column = columns[name]
        half = 0.5 if column.integer else 0.0  # a whole number's rows, all of them
        a = norm.cdf(forward_edge(column.mapper, low - half, upper=False))
        b = norm.cdf(forward_edge(column.mapper, high + half, upper=True))
        values = _inverse(column.mapper, norm.ppf(a + (b - a) * rng.uniform(size=n_samples)))
        if column.integer:
            values = np.round(values)
        out[name] = _as_column(column, np.clip(values, low, high), None).to_numpy(dtype=object)
    return out


def _in_set(level, levels):
    """Whether a column's level (None: missing) is in a set of levels."""
    import pandas as pd

    if level is None:
        return any(v is None or (not isinstance(v, str) and pd.isna(v)) for v in levels)
    return level in levels


def _as_column(column, numbers, index):
    """Numbers (ticks) as a Series of ``column``'s kind of values."""
    import pandas as pd

    if column.time_unit is not None:
        series = _decode_time(column, numbers.astype(np.int64), np.zeros(len(numbers), bool))
        series.index = index if index is not None else series.index
        return series
    return pd.Series(numbers.astype(np.int64) if column.integer else numbers, index=index)
