"""Tables of mixed types as a kind of data: the table spec.

A DataFrame given to an estimator that has a network for tables (an
architecture whose kind is ``"table"``) is read by :class:`TableSpec`: a
:class:`~skgen.preprocessing.TableEncoder` fitted on it turns every row
into numbers (normal scores, missing-value indicators, one-hot blocks), the
network trains on those, and generated rows are decoded into a DataFrame
of the same columns and dtypes, integers whole and numbers inside each
column's range. After each training call the spec calibrates the model's
numeric columns (:meth:`TableSpec.trained`): a monotone map per column that
gives its samples the training rows' marginal distribution. Everything else
in the engine is unchanged: this module is the whole of what tables add to
it.
"""

import copy
from typing import NamedTuple

import numpy as np
from scipy.stats import norm
from sklearn.utils.validation import validate_data

from ..preprocessing import TableEncoder
from ..preprocessing._table import (
    NUMERIC,
    _numeric_values,
    forward_edge,
    interp_middle,
)
from ._drawn import _as_column, drawn_values
from ._scaling import DataScaler, DataStats
from ._spec import DataSpec, resolve_architecture

# Rows a trained model draws to calibrate its columns, and the
# quantiles of each column kept from them.
CALIBRATION_ROWS = 50_000
CALIBRATION_CHUNK = 10_000
# The most values the calibration keeps (float64: 160 MB).
CALIBRATION_VALUES = 20_000_000
CALIBRATION_QUANTILES = 1_000
# The most rounds of the search for a categorical block's offsets, and the
# distance (total variation, doubled) from the training shares that ends it.
OFFSET_ROUNDS = 100
OFFSET_TOLERANCE = 2e-3
# The search for a block's offsets uses all the draws, or as many as make
# OFFSET_VALUES values, at least OFFSET_ROWS.
OFFSET_ROWS = 10_000
OFFSET_VALUES = 2_000_000


def _levels(n_quantiles):
    """The levels ``(k + 0.5) / n_quantiles`` of a calibration's quantiles."""
    return (np.arange(n_quantiles) + 0.5) / n_quantiles


def _offsets(block, shares):
    """Offsets ``w`` such that ``argmax(block + w)`` picks each category of a
    block about as often as ``shares`` says: a damped fixed-point search on
    ``w += log(share / picked share)``, which for Gumbel-max scores is the
    prior shift (Saerens et al., 2002). Steps are bounded by the spread of
    the block's values, so near-one-hot values (a diffusion model's) move
    by little at a time; the best offsets seen are kept, none at all when
    no round picks closer to ``shares`` than the values alone do."""
    k = block.shape[1]
    floor = 0.5 / len(block)
    target = np.maximum(shares, floor)
    target = target / target.sum()
    step = 0.25 * max(float(np.std(block)), 1e-6)

    def picked(offsets):
        return np.bincount(np.argmax(block + offsets, axis=1), minlength=k) / len(block)

    offsets = np.zeros(k, dtype=block.dtype)
    best, best_gap = offsets, np.abs(picked(offsets) - target).sum()
    for _ in range(OFFSET_ROUNDS):
        delta = 0.5 * np.log(target / np.maximum(picked(offsets), floor))
        offsets = (offsets + np.clip(delta, -step, step)).astype(block.dtype)
        offsets -= offsets.mean()
        gap = np.abs(picked(offsets) - target).sum()
        if gap < best_gap:
            best, best_gap = offsets, gap
        if best_gap < OFFSET_TOLERANCE:
            break
    return best


class Ranges(NamedTuple):
    """Numeric values a sample is drawn inside: the encoded values
    ``index``, their bounds ``low`` and ``high`` (``(n_samples,
    len(index))``, in the network's space), and ``present``, the missing
    indicators those columns are given (a value in a range is not missing)."""

    index: np.ndarray
    low: np.ndarray
    high: np.ndarray
    present: np.ndarray


class Given(NamedTuple):
    """What ``conditions`` fix: ``mask``, over the encoded values, those
    given exactly; ``rows``, ``(n_samples, n_features)`` in the network's
    space, holding them; ``ranges``, a :class:`Ranges` or None."""

    mask: np.ndarray
    rows: np.ndarray
    ranges: object = None


def _range_bounds(column, intervals):
    """The lowest and highest value (ticks for a datetime) that
    ``intervals``, one per sample, allow in ``column``: inside its training
    range, whole numbers for an integer column, open ends excluded. An
    interval that allows none is named."""
    import pandas as pd

    name = column.name
    if column.kind != NUMERIC:
        # A column of few whole numbers (a count, a year) is encoded as
        # categories, and takes values too.
        raise ValueError(
            f"conditions[{name!r}] is a range (a pandas.Interval), but column {name!r} "
            "is encoded as categories (strings, booleans, categories, or an integer "
            "column of few distinct values): give one of its values, one per sample, or "
            "a set of them."
        )
    ends = []
    for side in ("left", "right"):
        values = pd.Series([getattr(v, side) for v in intervals], dtype=object)
        try:
            if column.time_unit is None:
                numbers = values.to_numpy(dtype=np.float64)
            else:
                numbers, _ = _numeric_values(
                    name, values.astype(column.dtype), np.zeros(len(values), bool)
                )
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"conditions[{name!r}] holds a range whose ends column {name!r} "
                f"({column.dtype}) cannot take: {exc}"
            ) from None
        ends.append(numbers)
    closed_left = np.array([v.closed_left for v in intervals])
    closed_right = np.array([v.closed_right for v in intervals])
    low, high = ends
    if column.integer:
        low = np.where(closed_left, np.ceil(low), np.floor(low) + 1)
        high = np.where(closed_right, np.floor(high), np.ceil(high) - 1)
    else:
        low = np.where(closed_left, low, np.nextafter(low, np.inf))
        high = np.where(closed_right, high, np.nextafter(high, -np.inf))
    low, high = np.maximum(low, column.low), np.minimum(high, column.high)
    empty = low > high
    if empty.any():
        interval = intervals[int(np.argmax(empty))]
        whole = ", whole numbers" if column.integer and column.time_unit is None else ""
        raise ValueError(
            f"conditions[{name!r}] holds the range {interval}, which holds no value that "
            f"column {name!r} takes: its training range is [{_plain(column, column.low)}, "
            f"{_plain(column, column.high)}]{whole}."
        )
    return low, high


def _plain(column, number):
    """A bound of ``column`` as its users read it (a date for a datetime)."""
    if column.time_unit is None:
        return f"{number:g}"
    return str(_as_column(column, np.array([number]), None).iloc[0])


def is_frame(X):
    """Whether ``X`` is a pandas DataFrame (without importing pandas)."""
    return type(X).__module__.startswith("pandas") and hasattr(X, "columns")


def is_table(X):
    """Whether the DataFrame ``X`` needs a table's care: a column that is
    not plain numbers (strings, categories, booleans, dates) or a missing
    value. A frame of numbers alone reads like the array it holds, as it does
    everywhere in scikit-learn (a ``set_output("pandas")`` pipeline's)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    plain = all(is_numeric_dtype(d) and not is_bool_dtype(d) for d in X.dtypes)
    return not plain or bool(X.isna().to_numpy().any())


class TableSpec(DataSpec):
    """A table of mixed types: its encoder, and the encoded layout.

    Attributes (besides ``DataSpec``'s)
    -----------------------------------
    encoder : TableEncoder
        The fitted encoder: the schema of the table and the map to numbers.
    blocks : list of tuple
        ``(kind, start, stop, column)`` of each block of encoded values
        (``encoder.blocks_``): what a network's heads and a sampler need.
    low, high : ndarray of shape (n_features,)
        The range of every encoded value over the training rows.
    shares : ndarray of shape (n_features,)
        The mean of every encoded value over the training rows: for a
        categorical block, the share of each category.
    n_rows : int
        The training rows ``shares`` counts.
    calibration : dict or None
        What :meth:`trained` fitted: ``"numeric"``, the encoded numeric
        values; ``"quantiles"``, for each of them the quantiles of the
        trained model's draws at the levels ``(k + 0.5) / n_quantiles``;
        ``"offsets"``, one per encoded value, added to categorical blocks.
        None before a model has been trained, or when it cannot be
        calibrated.
    """

    kind = "table"

    def __init__(self, *, encoder, low, high, shares, n_rows, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.blocks = list(encoder.blocks_)
        self.low, self.high = low, high
        self.shares, self.n_rows = shares, int(n_rows)
        self.calibration = None

    @classmethod
    def claims(cls, estimator, X):
        """A DataFrame, given to an estimator with a network for tables:
        always when its ``architecture`` names that network, and under
        ``"auto"`` when the frame is a table (:func:`is_table`)."""
        if not is_frame(X):
            return False
        tables = [a for a, kind in estimator._architectures.items() if kind == cls.kind]
        architecture = getattr(estimator, "architecture", "auto")
        return architecture in tables or (bool(tables) and architecture == "auto" and is_table(X))

    @classmethod
    def resolve_shape(cls, estimator, n_features, sample_shape):
        # Reached only when the network for tables was asked for by name and
        # the data is not a DataFrame (a DataFrame is claimed above).
        name = type(estimator).__name__
        raise ValueError(
            f"{name}(architecture={estimator.architecture!r}) learns a table and needs a "
            "pandas DataFrame; got an array. Pass the data as a DataFrame, or choose "
            "another architecture for an array."
        )

    @classmethod
    def fit_input(cls, estimator, X):
        """The spec of a fresh fit on the table ``X``, and its encoded rows."""
        validate_data(estimator, X, skip_check_array=True, reset=True)
        if len(X) < 1:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(estimator).__name__}."
            )
        encoder = TableEncoder().fit(X)
        rows = encoder.transform(X)
        n = rows.shape[1]
        stats = DataStats.of(rows)
        mode = estimator._data_scaling(cls.kind)
        spec = cls(
            encoder=encoder,
            low=stats.low,
            high=stats.high,
            shares=stats.mean,
            n_rows=stats.n_samples,
            sample_shape=(X.shape[1],),
            n_features=n,
            shape=(n,),
            layout=(n,),
            dtype=np.float64,
            architecture=resolve_architecture(estimator, cls.kind),
            scaler=None if mode is None else DataScaler(mode).fit(stats),
        )
        return spec, rows

    def read_input(self, estimator, X):
        validate_data(estimator, X, skip_check_array=True, reset=False)
        return self.encoder.transform(X)

    def to_data(self, rows):
        """Network outputs back to a table: each block's largest value."""
        if self.scaler is not None:
            rows = self.scaler.inverse_transform_(rows, clip=False)
        return self.encoder.inverse_transform(rows)

    def to_samples(self, rows, *, clip=True):
        """Generated rows back to a table: numeric values calibrated (see
        :meth:`trained`), then decoded by the encoder, numbers inside their
        columns' training ranges and integers whole."""
        if self.scaler is not None:
            rows = self.scaler.inverse_transform_(rows, clip=False)
        return self.encoder.inverse_transform(self.calibrated(rows))

    def trained(self, estimator, rng):
        """Calibrate the trained model's columns to the training rows' shares.

        The model draws ``CALIBRATION_ROWS`` rows with ``rng`` (fewer for a
        model whose draws are dear: its ``_calibration_rows(n_rows)``), and two
        corrections are fitted on them, which :meth:`calibrated` applies to
        every sample:

        * each numeric value: the encoder maps a numeric column to normal
          scores of its empirical distribution, so a perfect model draws
          them standard normal. A draw ``z`` is mapped to ``Phi^-1(F(z))``,
          ``F`` the distribution of the model's draws of it (where the
          value is not missing): a monotone map, which keeps the order of
          rows in the column and so every rank correlation, and gives the
          column the training rows' marginal distribution;
        * each categorical block: offsets added to its values before the
          decoding picks the largest, chosen so that every category is
          picked as often as in the training rows. A model that draws its
          categories from probabilities returns Gumbel-max scores there
          (``log p + Gumbel noise``), whose largest value is a draw from
          ``p``; the offsets then reweight ``p`` by category, as a prior
          shift does, and keep how each row's probabilities rank them.

        A model that draws only given class labels (``conditional=True``)
        is not calibrated.
        """
        self.calibration = None
        draw = getattr(estimator, "_draw", None)
        if draw is None or getattr(estimator, "conditional", False):
            return
        numeric = [b for b in self.blocks if b[0] == "numeric"]
        categories = [b for b in self.blocks if b[0] == "category"]
        missing = {column: start for kind, start, _, column in self.blocks if kind == "missing"}
        # Draw in chunks, keeping the values calibrated (and indicators).
        keep = np.array(
            [b[1] for b in numeric]
            + [b[1] for b in self.blocks if b[0] == "missing"]
            + [i for b in categories for i in range(b[1], b[2])],
            dtype=int,
        )
        where = {int(j): i for i, j in enumerate(keep)}
        # A family whose draws are dear says how many it makes.
        rows_for = getattr(estimator, "_calibration_rows", None)
        n_rows = CALIBRATION_ROWS if rows_for is None else rows_for(self.n_rows)
        # A wide table (many categories) draws fewer, to bound the memory.
        n_rows = min(n_rows, max(1_000, CALIBRATION_VALUES // max(len(keep), 1)))
        parts = []
        for begin in range(0, n_rows, CALIBRATION_CHUNK):
            rows = draw(min(CALIBRATION_CHUNK, n_rows - begin), rng, None)
            if self.scaler is not None:
                rows = self.scaler.inverse_transform_(rows, clip=False)
            parts.append(rows[:, keep].astype(np.float64))
        rows = np.concatenate(parts)
        levels = _levels(CALIBRATION_QUANTILES)
        quantiles = np.empty((len(numeric), CALIBRATION_QUANTILES))
        for i, (_, start, _, column) in enumerate(numeric):
            present = rows[:, where[missing[column]]] <= 0.5 if column in missing else slice(None)
            values = rows[present, where[start]]
            values = values[np.isfinite(values)]
            # Nothing to calibrate on: the identity.
            quantiles[i] = np.quantile(values, levels) if len(values) > 1 else norm.ppf(levels)
        offsets = np.zeros(self.n_features)
        for _, start, stop, _ in categories:
            # A block of many categories searches on fewer of the draws
            # (they are independent): at most OFFSET_VALUES values a round.
            n_use = max(OFFSET_ROWS, OFFSET_VALUES // (stop - start))
            block = rows[:n_use, [where[j] for j in range(start, stop)]]
            offsets[start:stop] = _offsets(block.astype(np.float32), self.shares[start:stop])
        self.calibration = {
            "numeric": np.array([b[1] for b in numeric], dtype=int),
            "quantiles": quantiles,
            "offsets": offsets,
        }

    def calibrated(self, rows):
        """Encoded rows calibrated (in place, see :meth:`trained`): numeric
        values mapped to ``Phi^-1`` of their level among the trained
        model's draws, categorical blocks offset."""
        calibration = getattr(self, "calibration", None)  # None: also a model saved before it
        if calibration is None:
            return rows
        quantiles = calibration["quantiles"]
        levels = _levels(quantiles.shape[1])
        for i, column in enumerate(calibration["numeric"]):
            # A value the draws repeat (a collapsed column) maps to the
            # middle of its levels.
            rows[:, column] = norm.ppf(interp_middle(rows[:, column], quantiles[i], levels))
        rows += calibration["offsets"].astype(rows.dtype)
        return rows

    def logit_offsets(self):
        """The calibration's offset of each encoded value (zeros for a
        model saved before calibration): what sampling adds to the
        categorical blocks, and so what a likelihood of given levels adds
        to the network's output."""
        calibration = getattr(self, "calibration", None)
        if calibration is None:
            return np.zeros(self.n_features)
        return calibration["offsets"]

    def uncalibrated(self, rows):
        """Encoded rows with the numeric values mapped back through the
        calibration (in place): the values the trained model itself draws
        where a sample shows them, so that a value given in ``conditions``
        means to the model what it means in the samples."""
        calibration = getattr(self, "calibration", None)
        if calibration is None:
            return rows
        quantiles = calibration["quantiles"]
        levels = _levels(quantiles.shape[1])
        for i, column in enumerate(calibration["numeric"]):
            rows[:, column] = np.interp(norm.cdf(rows[:, column]), levels, quantiles[i])
        return rows

    def from_samples(self, samples):
        return self.encoder.transform(samples)

    def log_scale(self):
        # A density of the encoded rows; the encoding has no Jacobian a
        # table of categories could use.
        return 0.0

    def scaled_range(self):
        if self.scaler is None:
            return self.low, self.high
        return self.scaler.transform(self.low), self.scaler.transform(self.high)

    def updated(self, stats, incremental):
        new = copy.copy(self)
        new.low, new.high = np.minimum(self.low, stats.low), np.maximum(self.high, stats.high)
        # The shares a calibration aims at: of every row partial_fit saw, of
        # the data a warm start trains on.
        old = getattr(self, "n_rows", 0) if incremental else 0
        total = old + stats.n_samples
        if old:
            new.shares = (self.shares * old + stats.mean * stats.n_samples) / total
        else:
            new.shares = stats.mean
        new.n_rows = total
        if self.scaler is not None:
            scaler = copy.deepcopy(self.scaler)
            new.scaler = scaler.partial_fit(stats) if incremental else scaler.extend(stats)
        return new

    # -- conditions ------------------------------------------------------------
    def condition_rows(self, conditions, n_samples, *, ranges=False):
        """What ``conditions`` fix, as a :class:`Given`: the encoded values
        the given columns take, in the network's space, numbers as the
        trained model draws them (:meth:`uncalibrated`), and the bounds of
        the numeric columns given a range (a ``pandas.Interval``), which only
        a family that draws inside them (``ranges=True``) accepts."""
        frame, bounds = self._condition_frame(conditions, n_samples)
        if bounds and not ranges:
            name = next(iter(bounds))
            raise ValueError(
                f"conditions[{name!r}] is a range (a pandas.Interval); this model draws "
                "rows given exact values only. A VariationalAutoencoder draws them given "
                "ranges of numeric columns."
            )
        rows = self.to_model(self.uncalibrated(self.encoder.transform(frame)))
        mask = np.zeros(self.n_features, dtype=bool)
        ranged, present = {}, []  # encoded position of each ranged column
        for kind, start, stop, column in self.blocks:
            if column not in conditions:
                continue
            if column in bounds and kind == "numeric":
                ranged[start] = column
                continue
            mask[start:stop] = True
            if column in bounds:  # its missing indicator: given as present
                present.append(start)
        if not bounds:
            return Given(mask, rows, None)
        # The bounds in the network's space, as the model draws the values.
        low, high = np.zeros((2, n_samples, self.n_features))
        columns = {c.name: c for c in self.encoder.columns_}
        for start, name in ranged.items():
            (lo, hi), column = bounds[name], columns[name]
            if column.integer:  # a whole number's rows, all of them
                lo, hi = lo - 0.5, hi + 0.5
            low[:, start] = forward_edge(column.mapper, lo, upper=False)
            high[:, start] = forward_edge(column.mapper, hi, upper=True)
        index = list(ranged)
        low, high = (self.to_model(self.uncalibrated(b))[:, index] for b in (low, high))
        return Given(mask, rows, Ranges(np.array(index), low, high, np.array(present, dtype=int)))

    def numeric_columns(self, conditions):
        """The numeric columns that ``conditions`` names, in its order."""
        if not isinstance(conditions, dict):
            return []
        numeric = {c.name for c in self.encoder.columns_ if c.kind == NUMERIC}
        return [name for name in conditions if name in numeric]

    def drawn_values(self, conditions, n_samples, rng, *, ranges=True):
        """``conditions`` with values drawn for their sets and ranges
        (:func:`~skgen._engine._drawn.drawn_values`)."""
        return drawn_values(self, conditions, n_samples, rng, ranges=ranges)

    def apply_conditions(self, frame, conditions):
        """Set the given columns of a decoded table to exactly the values
        asked, and clip those given a range into it."""
        given, bounds = self._condition_frame(conditions, len(frame))
        columns = {c.name: c for c in self.encoder.columns_}
        for column in conditions:
            if column in bounds:
                low, high = (_as_column(columns[column], b, frame.index) for b in bounds[column])
                frame[column] = frame[column].clip(low, high)
                continue
            frame[column] = given[column].to_numpy()
            frame[column] = frame[column].astype(given[column].dtype)
        return frame

    def _condition_frame(self, conditions, n_samples):
        """A table of ``n_samples`` rows holding the conditions' values, every
        other column at a valid placeholder (a column given a range too),
        and the bounds of each range (:func:`_range_bounds`); bad names and
        values are named."""
        import pandas as pd

        if not isinstance(conditions, dict) or not conditions:
            raise ValueError(
                "conditions must be a non-empty dict {column: value or values}; "
                f"got {conditions!r}."
            )
        columns = {c.name: c for c in self.encoder.columns_}
        unknown = [name for name in conditions if name not in columns]
        if unknown:
            raise ValueError(
                f"conditions name columns {unknown} that the model was not "
                f"fitted on; its columns are {list(columns)}."
            )
        # Every other column at a valid value: the decoding of zeros (medians,
        # first categories, nothing missing).
        frame = self.encoder.inverse_transform(np.zeros((n_samples, self.encoder.n_features_out_)))
        bounds = {}
        for name, value in conditions.items():
            column = columns[name]
            values = (
                np.asarray(value, dtype=object).ravel()
                if np.ndim(value)
                else np.full(n_samples, value, dtype=object)
            )
            if len(values) != n_samples:
                raise ValueError(
                    f"conditions[{name!r}] holds {len(values)} values but "
                    f"{n_samples} samples are asked for: give one value, or one "
                    "per sample."
                )
            intervals = [isinstance(v, pd.Interval) for v in values]
            if any(intervals):
                if not all(intervals):
                    raise ValueError(
                        f"conditions[{name!r}] mixes ranges (pandas.Interval) with values: "
                        "give one or the other for a column."
                    )
                bounds[name] = _range_bounds(column, values)
                continue
            if column.kind == "category":
                levels = set(column.categories)
                bad = sorted({repr(v) for v in values if not pd.isna(v) and v not in levels})
                if bad:
                    raise ValueError(
                        f"conditions[{name!r}] holds {', '.join(bad[:5])}, not a category of "
                        f"column {name!r}; its categories are {list(column.categories)[:20]}."
                    )
            try:
                frame[name] = pd.Series(values).astype(column.dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"conditions[{name!r}] holds values that column {name!r} "
                    f"({column.dtype}) cannot take: {exc}"
                ) from None
        return frame, bounds
