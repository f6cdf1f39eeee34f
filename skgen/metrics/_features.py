"""A feature space for Frechet distances on small images, without downloads."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.neural_network import MLPClassifier
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data


def _flatten(X):
    """Image arrays (n, H, W[, C]) as rows; anything else unchanged."""
    if isinstance(X, np.ndarray) and X.ndim > 2:
        return X.reshape(len(X), -1)
    return X


class ClassifierFeatures(TransformerMixin, BaseEstimator):
    """The penultimate layer of a small classifier trained on real data.

    The FID compares Inception-v3 features of real and generated images;
    those weights cannot be downloaded here and are meant for photographs
    anyway. The standard substitute on MNIST-like data is a classifier
    trained on the real, labelled data: its last hidden layer captures what
    tells the classes apart. Pass the fitted transformer as
    ``frechet_distance(..., features=...)``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Hidden layers (ReLU) of scikit-learn's ``MLPClassifier``; the last
        one is the feature space.
    max_iter : int, default=300
        Training epochs of the classifier.
    random_state : int, RandomState instance or None, default=0
        Seeds the classifier; fixed by default so that distances computed
        in this space are reproducible.

    Attributes
    ----------
    classifier_ : MLPClassifier
        The fitted classifier.
    n_features_in_ : int
        Number of features (pixels) seen during fit.
    n_iter_ : int
        Epochs the classifier ran.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen.metrics import ClassifierFeatures, frechet_distance
    >>> X, y = load_digits(return_X_y=True)
    >>> features = ClassifierFeatures(max_iter=50).fit(X[:1000] / 16, y[:1000])
    >>> features.transform(X[:3] / 16).shape
    (3, 64)
    >>> fd = frechet_distance(X[1000:1400] / 16, X[1400:] / 16, features=features)
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [tuple, list],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, hidden_layer_sizes=(128, 64), max_iter=300, random_state=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_iter = max_iter
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train the classifier on labelled real data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Real samples; images are flattened.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X, y = validate_data(self, _flatten(X), y, dtype=np.float64)
        self.classifier_ = MLPClassifier(
            hidden_layer_sizes=self.hidden_layer_sizes,
            max_iter=self.max_iter,
            random_state=self.random_state,
        ).fit(X, y)
        self.n_iter_ = self.classifier_.n_iter_
        return self

    def transform(self, X):
        """Activations of the last hidden layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Samples shaped like the training data.

        Returns
        -------
        features : ndarray of shape (n_samples, hidden_layer_sizes[-1])
        """
        check_is_fitted(self)
        h = validate_data(self, _flatten(X), dtype=np.float64, reset=False)
        clf = self.classifier_
        for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
            h = np.maximum(h @ W + b, 0.0)  # MLPClassifier's default ReLU
        return h

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
