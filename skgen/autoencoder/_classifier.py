"""Unsupervised pretraining: a classifier that starts from an autoencoder's encoder."""

import copy

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._blocks import HIDDEN_ACTIVATIONS, mlp
from .._engine._docs import fill_doc
from .._engine._estimator import BaseNeuralEstimator, network_for
from .._engine._mixins import check_targets
from .._engine._validation import check_layer_sizes
from .._objective import Objective
from ._base import BaseAutoencoder


class EncoderClassifierNet(nn.Module):
    """An autoencoder's network and a dense head on its codings.

    Only ``encode`` of ``autoencoder`` runs; its decoder stays unused.
    """

    def __init__(self, autoencoder, n_components, n_classes, *, hidden_sizes=(), activation="relu"):
        super().__init__()
        self.autoencoder = autoencoder
        self.head = mlp([n_components, *hidden_sizes, n_classes], activation)

    def forward(self, x):
        return self.head(self.autoencoder.encode(x))


class CrossEntropyObjective(Objective):
    """Cross-entropy of a classifier's logits against the labels."""

    def forward(self, module, batch, *, generator=None, training=True):
        x, y = batch
        return F.cross_entropy(module(x), y)


@fill_doc
class EncoderClassifier(ClassifierMixin, BaseNeuralEstimator):
    """A classifier that starts from an autoencoder's encoder.

    Unsupervised pretraining (the book's "reusing the encoder"): fit an
    autoencoder on plenty of unlabelled data, then train this classifier on
    the few labelled samples: its network is the autoencoder's encoder,
    with the fitted weights, followed by a dense head on the codings, and
    both are trained (fine-tuned) on the labels, or only the head with
    ``freeze_encoder=True``. Given an unfitted autoencoder, the same network
    starts from random weights: the "from scratch" baseline.

    Parameters
    ----------
    autoencoder : autoencoder instance
        A skgen autoencoder (:class:`StackedAutoencoder`,
        :class:`ConvolutionalAutoencoder`, ...), fitted (its encoder's
        weights are the starting point) or not (the same architecture from
        random weights). It is not changed. ``clone``, and so
        ``cross_val_score`` or ``GridSearchCV``, makes an unfitted copy of
        it: wrap a fitted one in :class:`sklearn.frozen.FrozenEstimator`
        to keep its weights through cloning.

    freeze_encoder : bool, default=False
        Train the head only and keep the encoder's weights as they are.

    hidden_layer_sizes : array-like of int, default=()
        Widths of the head's hidden layers; () is a linear (softmax
        regression) head on the codings.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the head's hidden layers.

    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    pretrained_ : bool
        Whether the encoder started from a fitted autoencoder's weights.

    {training_attributes}

    See Also
    --------
    sklearn.neural_network.MLPClassifier : A network trained from scratch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import EncoderClassifier, StackedAutoencoder
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> ae = StackedAutoencoder(16, max_iter=5, random_state=0).fit(X)  # no labels
    >>> clf = EncoderClassifier(ae, max_iter=5, random_state=0).fit(X[:100], y[:100])
    >>> clf.predict(X[100:105]).shape
    (5,)
    """

    _parameter_constraints = {
        "autoencoder": [BaseAutoencoder, FrozenEstimator],
        "freeze_encoder": ["boolean"],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        **BaseNeuralEstimator._parameter_constraints,
    }
    _module_params = ("hidden_layer_sizes", "activation")
    _fitted_attributes = BaseNeuralEstimator._fitted_attributes + ("classes_", "pretrained_")

    def __init__(
        self,
        autoencoder,
        *,
        freeze_encoder=False,
        hidden_layer_sizes=(),
        activation="relu",
        max_iter=100,
        batch_size=32,
        learning_rate_init=0.001,
        learning_rate="constant",
        optimizer="adam",
        optimizer_params=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        callbacks=None,
        device="auto",
        n_loader_workers=0,
        mixed_precision=None,
        compile=False,
        random_state=None,
        verbose=0,
    ):
        self.autoencoder = autoencoder
        self.freeze_encoder = freeze_encoder
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.n_loader_workers = n_loader_workers
        self.mixed_precision = mixed_precision
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _autoencoder(self):
        """The autoencoder, out of its FrozenEstimator wrapper."""
        ae = self.autoencoder
        ae = ae.estimator if isinstance(ae, FrozenEstimator) else ae
        if not isinstance(ae, BaseAutoencoder):
            raise ValueError(
                "The 'autoencoder' parameter of EncoderClassifier must be a skgen "
                f"autoencoder, or a FrozenEstimator of one. Got {type(ae).__name__} instead."
            )
        return ae

    def _validate_targets(self, y, *, reset, classes=None):
        if y is None:
            raise ValueError(
                "EncoderClassifier requires y to be passed, but the target y is "
                "None: fit(X, y) needs the class labels."
            )
        self.classes_, encoded = check_targets(
            "EncoderClassifier",
            y,
            reset=reset,
            known=getattr(self, "classes_", None),
            classes=classes,
        )
        return encoded

    def _check_params(self):
        self._autoencoder()
        check_layer_sizes(self)

    def _fit_data(self, spec, stats):
        ae = self._autoencoder()
        self.pretrained_ = hasattr(ae, "net_")
        if self.pretrained_ and (
            ae.n_features_in_ != spec.n_features
            or ae.spec_.sample_shape not in (spec.sample_shape, (spec.n_features,))
        ):
            raise ValueError(
                f"X has samples of shape {spec.sample_shape}, but the autoencoder was "
                f"fitted on samples of shape {ae.spec_.sample_shape}."
            )

    def _build_network(self, spec):
        ae = self._autoencoder()
        if self.pretrained_:
            base = copy.deepcopy(ae.module_).to("cpu")
            n_components = ae.n_components_
        else:
            # The autoencoder's own checks of the data's shape run here.
            base = network_for(ae, spec)
            n_components = ae.n_components
        return EncoderClassifierNet(
            base,
            n_components,
            len(self.classes_),
            hidden_sizes=check_layer_sizes(self),
            activation=self.activation,
        )

    def _build_objective(self):
        return CrossEntropyObjective()

    def _before_training(self, net, train):
        module = net.module_
        if self.pretrained_:
            # The engine initialised every weight; the encoder's come back.
            weights = {
                k: v.to(next(module.parameters()).device)
                for k, v in self._autoencoder().module_.state_dict().items()
            }
            module.autoencoder.load_state_dict(weights)

    def _configure_module(self, module):
        # On fresh and warm-started fits alike, so freeze_encoder may change
        # between them.
        for param in module.autoencoder.parameters():
            param.requires_grad_(not self.freeze_encoder)

    def predict_proba(self, X):
        """Probability of each class for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        X = self._read(X)
        return self._forward_batches(lambda m, b: torch.softmax(m(b), dim=1), X, np.float64)

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy of :meth:`predict` on ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The share of samples predicted right (weighted).
        """
        return super().score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
