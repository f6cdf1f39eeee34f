"""Exceptions and warnings raised by skgen.

They subclass scikit-learn's (and Python's) types, so code that catches
``ValueError`` keeps working.
"""

__all__ = ["DataRangeWarning", "TrainingDivergedError"]


class TrainingDivergedError(ValueError, ArithmeticError):
    """Raised when the training loss becomes NaN or infinite.

    The estimator is left exactly as it was before the call that diverged:
    a fresh ``fit`` leaves it unfitted, a ``partial_fit`` or warm-started
    ``fit`` restores the weights, optimizer state and history it had.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import StackedAutoencoder
    >>> from skgen.exceptions import TrainingDivergedError
    >>> X = np.random.default_rng(0).normal(size=(50, 4)) * 1e3
    >>> ae = StackedAutoencoder(2, optimizer="sgd", learning_rate_init=1e6, max_iter=5)
    >>> try:
    ...     ae.fit(X)
    ... except TrainingDivergedError as exc:
    ...     print(type(exc).__name__, hasattr(ae, "module_"))
    TrainingDivergedError False
    """


class DataRangeWarning(UserWarning):
    """Warned when the data lie outside what the network can output.

    For example, an autoencoder with ``output_activation="sigmoid"``
    reconstructs values in (0, 1): fitted to pixels in 0-16, it trains
    without error but can never reproduce them.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skgen import StackedAutoencoder
    >>> from skgen.exceptions import DataRangeWarning
    >>> X = np.random.default_rng(0).uniform(0, 16, size=(40, 6))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = StackedAutoencoder(2, output_activation="sigmoid", max_iter=1).fit(X)
    >>> any(issubclass(w.category, DataRangeWarning) for w in caught)
    True
    """
