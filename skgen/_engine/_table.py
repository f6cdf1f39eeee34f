"""Tables of mixed types as a kind of data: the table spec.

A DataFrame given to an estimator that has a network for tables (an
architecture whose kind is ``"table"``) is read by :class:`TableSpec`: a
:class:`~skgen.preprocessing.TableEncoder` fitted on it turns every row
into numbers (normal scores, missing-value indicators, one-hot blocks), the
network trains on those, and generated rows are decoded into a DataFrame
of the same columns and dtypes, integers whole and numbers inside each
column's range. Everything else in the engine is unchanged: this module is
the whole of what tables add to it.
"""

import copy

import numpy as np
from sklearn.utils.validation import validate_data

from ..preprocessing import TableEncoder
from ._scaling import DataScaler, DataStats
from ._spec import DataSpec, resolve_architecture


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
    """

    kind = "table"

    def __init__(self, *, encoder, low, high, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.blocks = list(encoder.blocks_)
        self.low, self.high = low, high

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
        """Generated rows back to a table, numbers inside their columns'
        training ranges and integers whole (the encoder's decoding)."""
        return self.to_data(rows)

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
        if self.scaler is not None:
            scaler = copy.deepcopy(self.scaler)
            new.scaler = scaler.partial_fit(stats) if incremental else scaler.extend(stats)
        return new

    # -- conditions ------------------------------------------------------------
    def condition_rows(self, conditions, n_samples):
        """What ``conditions`` fix: ``(mask, rows)``, the encoded values the
        given columns take (``mask`` over the encoded values) and rows of
        ``n_samples`` encoded values in the network's space holding them."""
        frame = self._condition_frame(conditions, n_samples)
        rows = self.to_model(self.encoder.transform(frame))
        mask = np.zeros(self.n_features, dtype=bool)
        for _, start, stop, column in self.blocks:
            if column in conditions:
                mask[start:stop] = True
        return mask, rows

    def apply_conditions(self, frame, conditions):
        """Set the given columns of a decoded table to exactly the values asked."""
        given = self._condition_frame(conditions, len(frame))
        for column in conditions:
            frame[column] = given[column].to_numpy()
            frame[column] = frame[column].astype(given[column].dtype)
        return frame

    def _condition_frame(self, conditions, n_samples):
        """A table of ``n_samples`` rows holding the conditions' values, every
        other column at a valid placeholder; bad names and values are named."""
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
        return frame
