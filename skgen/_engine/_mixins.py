"""What some families share: class labels, an EMA copy of the network.

Each mixin goes before ``BaseNeuralEstimator`` in a family's bases and
extends the base's hooks with ``super()``.
"""

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.validation import column_or_1d


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
        y = column_or_1d(y, warn=True)
        if reset:
            known = LabelEncoder().fit(y if classes is None else np.asarray(classes)).classes_
            if len(known) < 2:
                raise ValueError(
                    f"A conditional {name} needs at least 2 classes in "
                    f"{'y' if classes is None else 'classes'}; got {len(known)}."
                )
            self.classes_ = known
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"first call, {self.classes_.tolist()}: pass classes on the first "
                "partial_fit only, or the same ones."
            )
        return self._encode_labels(y, hint="" if reset else (
            "; to train on classes a first chunk lacks, pass them all with "
            "partial_fit(X, y, classes=...) on the first call"))

    @property
    def _n_classes(self):
        """Number of classes the network is conditioned on (0: none)."""
        return len(self.classes_) if self.conditional else 0

    def _encode_labels(self, y, hint=""):
        y = np.asarray(y)
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown.tolist()} not seen during fit; the classes "
                f"are {self.classes_.tolist()}{hint}."
            )
        return np.searchsorted(self.classes_, y)

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
        return self._encode_labels(y)


class EMAMixin:
    """Models that sample from an exponential moving average of their network.

    The module has ``sync_ema()`` and ``update_ema(decay)`` (built with an
    EMA copy when ``ema_decay`` is not None); the training net averages the
    weights in after every step. Whether there is an EMA copy is part of the
    network's signature, so a warm start cannot switch it on or off.
    """

    def _module_signature_items(self):
        return {**super()._module_signature_items(),
                "ema_decay": "a float" if self.ema_decay is not None else None}

    def _configure_net(self, net):
        super()._configure_net(net)
        net.ema_decay = self.ema_decay

    def _before_training(self, net, train, generator):
        net.module_.sync_ema()
        super()._before_training(net, train, generator)
