"""What a fit learns about its input: the data spec.

A fresh fit resolves one :class:`DataSpec` from its training data and the
estimator's parameters (:func:`resolve_spec`); everything after reads it.
The families build their networks from its ``shape`` and
``architecture``; the engine converts training and inference data to the
network's space with :meth:`DataSpec.to_model` and the network's outputs
back to the user's form with :meth:`DataSpec.to_data` (reconstructions)
and :meth:`DataSpec.to_samples` (samples, clipped to the training range).
It is fitted state, the estimator's ``spec_``, saved with the model; a
continued fit (``partial_fit``, warm start) replaces it with
:meth:`DataSpec.updated`.

A kind of data is one subclass of ``DataSpec``: its ``kind`` name, whether
it ``describes`` the data an estimator was given, the shape its networks
see (``resolve_shape``) and the torch layout of one sample
(``torch_layout``). Subclasses register themselves. A family says which
kind each of its architectures needs (``_architectures``) and how it wants
each kind scaled (``_data_scaling``); nothing else in a family depends on
the kind of data.
"""

import copy
import numbers

import numpy as np
import torch

from ._data import ArraySource, ChunkedData, TensorData
from ._scaling import DataScaler
from ._validation import validate_samples


class DataSpec:
    """What a fit learnt about its input, and the map to the network's space.

    Attributes
    ----------
    kind : str
        The kind of data the network sees (``"vectors"``, ``"images"``,
        ``"sequences"``).
    sample_shape : tuple of int
        The shape of one sample as the user gave it (``(n_features,)`` for
        rows, ``(height, width[, channels])`` for image arrays).
    n_features : int
        Values per sample.
    shape : tuple of int
        One sample as the network sees it: ``(n_features,)``, ``(height,
        width, channels)`` or ``(n_steps, n_features)``.
    layout : tuple of int
        One sample in torch's layout, as a user's own network gets it:
        ``(n_features,)`` for rows, ``(channels, height, width)`` for images.
    dtype : numpy dtype
        The training data's dtype; samples are returned in it.
    architecture : str
        The network the family built (``architecture="auto"`` resolved).
    scaler : DataScaler or None
        The map to the network's space (None: the data as given), which
        also keeps each feature's training range.
    """

    kind = None
    kinds = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        DataSpec.kinds[cls.kind] = cls

    def __init__(
        self, *, sample_shape, n_features, shape, layout, dtype, architecture, scaler=None
    ):
        self.sample_shape = tuple(int(s) for s in sample_shape)
        self.n_features = int(n_features)
        self.shape = tuple(int(s) for s in shape)
        self.layout = tuple(int(s) for s in layout)
        self.dtype = np.dtype(dtype)
        self.architecture = architecture
        self.scaler = scaler

    # -- what a kind of data provides -----------------------------------------
    @classmethod
    def describes(cls, estimator, sample_shape):
        """Whether data of ``sample_shape`` given to ``estimator`` is of this kind."""
        return False

    @classmethod
    def resolve_shape(cls, estimator, n_features, sample_shape):
        """One sample as a network of this kind sees it, checking the
        estimator's parameters that describe it (``image_shape``...)."""
        raise NotImplementedError

    @staticmethod
    def torch_layout(shape):
        """One sample of ``shape`` in torch's layout."""
        return shape

    @classmethod
    def claims(cls, estimator, X):
        """Whether this kind reads the raw input ``X`` of a fresh fit itself
        (``fit_input``), rather than as an array of numbers."""
        return False

    @classmethod
    def fit_input(cls, estimator, X):
        """``(spec, rows)`` of a fresh fit on ``X``, for a kind that
        ``claims`` its input: the spec, and the rows as numbers."""
        raise NotImplementedError

    def read_input(self, estimator, X):
        """Validated rows of later data (a continued fit, ``transform``,
        scores): an array of numbers, or a streamed ``ArraySource``."""
        return validate_samples(estimator, X, reset=False, stream=True)[0]

    # -- conversions -------------------------------------------------------
    def to_model(self, X, copy=True):
        """Rows in the network's space (``copy=False``: in place where it can)."""
        return X if self.scaler is None else self.scaler.transform(X, copy=copy)

    def training_data(self, X, labels, *, workers=0):
        """Validated training rows ``X`` (an array or an ``ArraySource``) and
        their encoded ``labels`` as the engine trains on them: a float32
        ``TensorData`` in the network's space, or a ``ChunkedData`` that
        reads, converts and scales a buffer at a time."""
        y = None if labels is None else torch.as_tensor(labels, dtype=torch.long)
        if isinstance(X, ArraySource):
            return ChunkedData(
                X, y, preprocess=lambda rows: self.to_model(rows, copy=False), workers=workers
            )
        return TensorData(torch.tensor(self.to_model(X), dtype=torch.float32), y)

    def to_data(self, rows):
        """Network outputs ``(n, n_features)`` back in the data's scale and
        shape (in place where it can): reconstructions."""
        if self.scaler is not None:
            rows = self.scaler.inverse_transform_(rows, clip=False)
        return rows.reshape((-1, *self.sample_shape))

    def to_samples(self, rows, *, clip=True):
        """Generated rows ``(n, n_features)`` of the network's space, in the
        data's dtype, back in the data's scale and shape, in place, and
        clipped to each feature's training range."""
        if self.scaler is not None:
            rows = self.scaler.inverse_transform_(rows, clip=clip)
        return rows.reshape((-1, *self.sample_shape))

    def trained(self, estimator, rng):
        """After every successful training call of ``estimator``: what this
        kind of data learns from the trained model itself, drawing with
        ``rng`` (a table's marginal calibration). Nothing by default."""

    def from_samples(self, samples):
        """Samples (``to_samples``' output) back to rows of numbers in the
        data's scale, before ``to_model``."""
        return np.asarray(samples).reshape(len(samples), -1)

    def log_scale(self):
        """``log |det|`` of the map from the data to the network's space,
        negated: a density of scaled data minus it is one of the data."""
        return 0.0 if self.scaler is None else self.scaler.log_scale(self.n_features)

    def scaled_range(self):
        """The training range in the network's space (see ``DataScaler``)."""
        return self.scaler.scaled_range()

    def updated(self, stats, incremental):
        """The spec after a continued fit on data of ``stats``: ``partial_fit``
        merges them into the scaler's running statistics, a warm start
        widens its range only. The spec itself is not changed, so a failed
        fit can keep it."""
        new = copy.copy(self)
        if self.scaler is not None:
            scaler = copy.deepcopy(self.scaler)
            new.scaler = scaler.partial_fit(stats) if incremental else scaler.extend(stats)
        return new

    def __repr__(self):
        scaling = "none" if self.scaler is None else self.scaler.mode
        return (
            f"{type(self).__name__}(kind={self.kind!r}, sample_shape={self.sample_shape}, "
            f"architecture={self.architecture!r}, scaling={scaling!r})"
        )


class VectorSpec(DataSpec):
    """Rows of features (images given to a dense network are flattened)."""

    kind = "vectors"

    @classmethod
    def describes(cls, estimator, sample_shape):
        return True

    @classmethod
    def resolve_shape(cls, estimator, n_features, sample_shape):
        return (n_features,)


class ImageSpec(DataSpec):
    """Images ``(height, width, channels)``: image arrays ``(n, H, W[, C])``,
    or flat rows with the ``image_shape`` parameter (without it, rows are
    1 x n_features images)."""

    kind = "images"

    @classmethod
    def describes(cls, estimator, sample_shape):
        return len(sample_shape) > 1 or getattr(estimator, "image_shape", None) is not None

    @classmethod
    def resolve_shape(cls, estimator, n_features, sample_shape):
        image_shape = getattr(estimator, "image_shape", None)
        if len(sample_shape) > 1:
            shape = tuple(sample_shape) + (1,) * (3 - len(sample_shape))
            if image_shape is not None:
                given = tuple(image_shape) + (1,) * (3 - len(image_shape))
                if given != shape:
                    raise ValueError(
                        f"image_shape={tuple(image_shape)} does not match the images in X, "
                        f"of shape {tuple(sample_shape)}."
                    )
            return shape
        if image_shape is None:
            return (1, n_features, 1)
        shape = _positive_ints(image_shape)
        if shape is None or len(shape) not in (2, 3):
            raise ValueError(
                f"The 'image_shape' parameter of {type(estimator).__name__} must be (height, "
                f"width) or (height, width, channels) with positive ints. Got "
                f"{image_shape!r}."
            )
        shape = shape + (1,) * (3 - len(shape))
        if int(np.prod(shape)) != n_features:
            raise ValueError(
                f"image_shape={tuple(image_shape)} holds {int(np.prod(shape))} "
                f"values but X has {n_features} features."
            )
        return shape

    @staticmethod
    def torch_layout(shape):
        height, width, channels = shape
        return (channels, height, width)


class SequenceSpec(DataSpec):
    """Sequences ``(n_steps, n_features)``: arrays ``(n, T, F)``, or flat
    rows with the ``sequence_shape`` parameter (without it, one feature per
    step)."""

    kind = "sequences"

    @classmethod
    def describes(cls, estimator, sample_shape):
        return getattr(estimator, "sequence_shape", None) is not None

    @classmethod
    def resolve_shape(cls, estimator, n_features, sample_shape):
        name = type(estimator).__name__
        given = getattr(estimator, "sequence_shape", None)
        if given is not None:
            given = _positive_ints(given)
            if given is None or len(given) != 2:
                raise ValueError(
                    f"The 'sequence_shape' parameter of {name} must be (n_steps, "
                    f"n_features) with positive ints. Got {estimator.sequence_shape!r}."
                )
        if len(sample_shape) > 2:
            raise ValueError(
                f"{name} takes sequences (n_samples, n_steps, n_features) or flat rows; "
                f"got samples of shape {tuple(sample_shape)}."
            )
        if len(sample_shape) == 2:
            if given is not None and given != tuple(sample_shape):
                raise ValueError(
                    f"sequence_shape={given} does not match the sequences in X, of shape "
                    f"{tuple(sample_shape)}."
                )
            return tuple(int(s) for s in sample_shape)
        if given is None:
            return (n_features, 1)
        if given[0] * given[1] != n_features:
            raise ValueError(
                f"sequence_shape={given} holds {given[0] * given[1]} values but "
                f"X has {n_features} features."
            )
        return given


def _positive_ints(values):
    """``values`` as a tuple of positive ints, or None if it is not one."""
    try:
        values = tuple(values)
    except TypeError:
        return None
    if not all(isinstance(v, numbers.Integral) and v >= 1 for v in values):
        return None
    return tuple(int(v) for v in values)


def claiming_kind(estimator, X):
    """The kind that reads the raw input ``X`` of a fresh fit itself (a
    table), or None: ``X`` is then validated as numbers."""
    for cls in reversed(list(DataSpec.kinds.values())):
        if cls.claims(estimator, X):
            return cls
    return None


def data_kind(estimator, sample_shape):
    """The kind of the data ``estimator`` was given: the last registered
    kind that describes it (vectors describe everything)."""
    for cls in reversed(list(DataSpec.kinds.values())):
        if cls.describes(estimator, sample_shape):
            return cls.kind
    return VectorSpec.kind


def resolve_architecture(estimator, kind):
    """The architecture ``estimator`` trains on data of ``kind``: its
    ``architecture`` parameter, or with ``"auto"`` (or none) the first of
    its ``_architectures`` made for that kind, else its first one."""
    architectures = estimator._architectures
    chosen = getattr(estimator, "architecture", "auto")
    if chosen != "auto":
        return chosen
    return next(
        (name for name, needs in architectures.items() if needs == kind), next(iter(architectures))
    )


def resolve_spec(estimator, stats, sample_shape):
    """The ``DataSpec`` of a fresh fit on data of ``stats`` (``DataStats``)
    whose samples were shaped ``sample_shape``."""
    n_features = stats.n_features
    given = data_kind(estimator, sample_shape)
    architecture = resolve_architecture(estimator, given)
    cls = DataSpec.kinds[estimator._architectures[architecture]]
    # A user's own network sees the data in its own kind's layout, whatever
    # network the family builds for the other half.
    data_cls = DataSpec.kinds[given]
    layout = data_cls.torch_layout(data_cls.resolve_shape(estimator, n_features, sample_shape))
    mode = estimator._data_scaling(cls.kind)
    return cls(
        sample_shape=sample_shape,
        n_features=n_features,
        shape=cls.resolve_shape(estimator, n_features, sample_shape),
        layout=layout,
        dtype=stats.dtype,
        architecture=architecture,
        scaler=None if mode is None else DataScaler(mode).fit(stats),
    )
