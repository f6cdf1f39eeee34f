"""What several families share: class labels, an EMA, drawing samples.

Each mixin goes before ``BaseNeuralEstimator`` in a family's bases.
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._config import with_cpu_settings


# -- class labels ------------------------------------------------------------
def fit_classes(owner, y, classes=None):
    """The sorted classes of labels ``y`` (or of ``classes``), at least two."""
    known = np.unique(y if classes is None else np.asarray(classes))
    if len(known) < 2:
        raise ValueError(
            f"{owner} needs samples of at least 2 classes; "
            f"{'y' if classes is None else 'classes'} has {len(known)} class"
            f"{'es' * (len(known) != 1)}: {known.tolist()}."
        )
    return known


def encode_labels(classes, y, hint=""):
    """Indices of the labels ``y`` in ``classes``; unknown labels are named."""
    y = np.asarray(y)
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y contains labels {unknown.tolist()} not seen during fit; the "
            f"classes are {classes.tolist()}{hint}."
        )
    return np.searchsorted(classes, y)


def check_targets(owner, y, *, reset, known, classes=None):
    """Validated labels of a fit: ``(classes, encoded y)``. ``known`` are the
    classes of the first fit when it is not ``reset``."""
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    if reset:
        known = fit_classes(owner, y, classes)
    elif classes is not None and not np.array_equal(np.unique(classes), known):
        raise ValueError(
            f"classes={np.unique(classes).tolist()} differs from the classes of the "
            f"first call, {known.tolist()}: pass classes on the first partial_fit only, "
            "or the same ones."
        )
    hint = (
        ""
        if reset
        else (
            "; to train on classes a first chunk lacks, pass them all with "
            "partial_fit(X, y, classes=...) on the first call"
        )
    )
    return known, encode_labels(known, y, hint)


class ConditionalMixin:
    """Class-conditional models: the ``conditional`` parameter and ``classes_``.

    With ``conditional=True``, ``fit(X, y)`` learns ``classes_`` and trains on
    encoded labels; methods that generate or encode take labels through
    :meth:`_labels_for`.
    """

    def _validate_targets(self, y, *, reset, classes=None):
        if not self.conditional:
            return None
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name}(conditional=True) needs class labels: call fit(X, y).")
        known, encoded = check_targets(
            f"A conditional {name}",
            y,
            reset=reset,
            known=getattr(self, "classes_", None),
            classes=classes,
        )
        self.classes_ = known
        return encoded

    @property
    def _n_classes(self):
        """Number of classes the network is conditioned on (0: none)."""
        return len(self.classes_) if self.conditional else 0

    def _labels_for(self, y, n_samples, method):
        """Encoded labels for a method of a conditional model, else None.

        A single label stands for ``n_samples`` copies of it.
        """
        if not self.conditional:
            if y is not None and method == "sample":
                raise ValueError(
                    f"y was passed to sample, but this {type(self).__name__} is not "
                    "conditional: fit it with conditional=True and class labels to draw "
                    "given classes."
                )
            return None
        if y is None:
            raise ValueError(
                f"This {type(self).__name__} is conditional (conditional=True): pass the "
                f"class labels, {method}(..., y=...)."
            )
        y = np.asarray(y)
        if y.ndim == 0:
            y = np.repeat(y.reshape(1), n_samples)
        y = column_or_1d(y)
        if len(y) != n_samples:
            raise ValueError(f"y has {len(y)} labels but {n_samples} samples are asked for.")
        return encode_labels(self.classes_, y)


# -- an averaged network -------------------------------------------------------
class EMAMixin:
    """Models that infer with an exponential moving average of their network.

    The family builds its network with an EMA copy when ``ema_decay`` is
    not None (an ``AveragedNetwork``) and gives its objective the decay,
    which the training step applies. Whether there is a copy is part of the
    network's signature, so a warm start cannot switch it on or off; the
    decay itself may change.
    """

    def _module_signature_items(self):
        return {
            **super()._module_signature_items(),
            "ema_decay": "a float" if self.ema_decay is not None else None,
        }


# -- drawing samples ----------------------------------------------------------
class GenerativeMixin:
    """``sample``: the family draws rows in the network's space
    (``_draw``), the data spec maps them back to the data's scale and
    shape and clips them to the training range.

    ``_conditions`` says what a family draws given (``sample(n,
    conditions=...)``): nothing (None), levels of a table's columns encoded
    as categories (``"levels"``), exact values of any of its columns
    (``"values"``), or also ranges of its numeric columns (``"ranges"``)."""

    _conditions = None

    @validate_params(
        {
            "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
            "random_state": ["random_state"],
        },
        prefer_skip_nested_validation=True,
    )
    @with_cpu_settings
    def sample(self, n_samples=1, random_state=None, y=None, conditions=None):
        """Draw new samples from the fitted model.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws; the same value gives the same samples.
        y : array-like of shape (n_samples,) or label, default=None
            Classes to draw, for a model fitted with ``conditional=True``
            (a single label draws ``n_samples`` of that class).
        conditions : dict, default=None
            For a model fitted on a table (a DataFrame) that supports it:
            ``{column: value}`` or ``{column: values}`` (one per sample). The
            samples hold exactly these values, and their other columns are
            drawn given them (see the class's Notes). A set of levels of a
            categorical column draws each sample's level by the levels'
            training shares. A :class:`VariationalAutoencoder` also takes a
            range of a numeric column, a ``pandas.Interval`` (or one per
            sample): the samples' values lie inside it. A :class:`GAN` takes
            columns encoded as categories only.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), image shape, or DataFrame
            Samples shaped and scaled like the training data, in its dtype,
            inside each feature's training range: a DataFrame of the same
            columns and dtypes for a model fitted on one.
        """
        check_is_fitted(self)
        labels = self._labels_for(y, n_samples, "sample")
        rng, known = check_random_state(random_state), None
        if conditions is not None:
            if not hasattr(self.spec_, "condition_rows"):
                raise ValueError(
                    f"conditions= fixes columns of a table: fit the {type(self).__name__} on "
                    "a DataFrame (with architecture='auto' or 'tabular'); this one was fitted "
                    f"on {self.spec_.kind}."
                )
            if self._conditions is None:
                raise ValueError(
                    f"A {type(self).__name__} has no way to draw rows given some of their "
                    "columns: sample(n, conditions=...) needs a VariationalAutoencoder, a "
                    "GAN or a DDPM."
                )
            numeric = self.spec_.numeric_columns(conditions)
            if self._conditions == "levels" and numeric:
                raise ValueError(
                    f"conditions[{numeric[0]!r}]: column {numeric[0]!r} is numeric, and a "
                    f"{type(self).__name__} draws rows given columns encoded as categories "
                    "only (a level, a set of levels or None), its numbers having no "
                    "likelihood to weigh its draws by. A VariationalAutoencoder or a DDPM "
                    "draws rows given numbers and ranges."
                )
            # A set of levels: values drawn by their shares (and a range,
            # for a family that draws given values only).
            ranges = self._conditions == "ranges"
            conditions = self.spec_.drawn_values(conditions, n_samples, rng, ranges=not ranges)
            known = self.spec_.condition_rows(conditions, n_samples, ranges=ranges)
        rows = self._draw(n_samples, rng, labels, known)
        out = self.spec_.to_samples(rows)
        return out if conditions is None else self.spec_.apply_conditions(out, conditions)

    def _draw(self, n_samples, rng, labels, known=None):
        """``n_samples`` rows in the network's space, as a float array of the
        data's dtype (``spec_.dtype``), drawn with ``rng``; with ``known``,
        ``(mask, rows)``, rows that hold the values of ``rows`` where
        ``mask`` is set, the rest drawn given them."""
        raise NotImplementedError
