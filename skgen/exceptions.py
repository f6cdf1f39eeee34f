"""Exceptions and warnings raised by skgen.

They subclass scikit-learn's (and Python's) types, so code that catches
``ValueError`` keeps working.
"""

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(ValueError, ArithmeticError):
    """Raised when the training loss becomes NaN or infinite.

    The estimator is left exactly as it was before the call that diverged:
    a fresh ``fit`` leaves it unfitted, a ``partial_fit`` or warm-started
    ``fit`` restores the weights, optimizer state and history it had.
    """
