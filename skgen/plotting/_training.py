"""Training curves: losses per epoch and a validation figure."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import axes_or_new


class LossCurveDisplay:
    """Loss per epoch of one or more training curves, with validation.

    For a GAN both players' losses are drawn, with the held-out MMD of the
    periodic quality check (``validation_interval``) on a second y-axis;
    for the other estimators the training loss is drawn with the
    validation loss of early stopping on the same axis.

    Parameters
    ----------
    loss_curves : dict of str to array-like
        Name and per-epoch values of each training curve.
    validation_curve : array-like, default=None
        Validation values.
    validation_epochs : array-like, default=None
        Epoch of each validation value; None: 1, 2, ...
    validation_label : str, default="validation loss"
        Legend entry (and second axis label) of the validation curve.
    separate_validation_axis : bool, default=False
        Draw the validation curve against a second y-axis, for a figure
        on another scale than the losses.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the training curves.
    validation_ax_ : matplotlib Axes or None
        The second y-axis, when the validation curve has one.
    figure_ : matplotlib Figure
        Figure containing the axes.
    lines_ : dict of str to matplotlib Line2D
        Every drawn curve by name, the validation curve included.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skgen import StackedAutoencoder
    >>> from skgen.plotting import LossCurveDisplay
    >>> X = load_digits().data / 16
    >>> ae = StackedAutoencoder(5, max_iter=3, early_stopping=True, random_state=0).fit(X)
    >>> disp = LossCurveDisplay.from_estimator(ae)
    >>> sorted(disp.lines_), len(disp.lines_["training loss"].get_xdata())
    (['training loss', 'validation loss'], 3)
    """

    def __init__(
        self,
        loss_curves,
        *,
        validation_curve=None,
        validation_epochs=None,
        validation_label="validation loss",
        separate_validation_axis=False,
        estimator_name=None,
    ):
        self.loss_curves = loss_curves
        self.validation_curve = validation_curve
        self.validation_epochs = validation_epochs
        self.validation_label = validation_label
        self.separate_validation_axis = separate_validation_axis
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, log_scale=False):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        log_scale : bool, default=False
            Logarithmic y-axis for the losses (they must be positive).

        Returns
        -------
        display : LossCurveDisplay
        """
        if not self.loss_curves:
            raise ValueError("loss_curves is empty: there is nothing to draw.")
        self.ax_, self.figure_ = axes_or_new(ax, "LossCurveDisplay")
        self.lines_ = {}
        for name, values in self.loss_curves.items():
            values = np.asarray(values, dtype=float)
            (self.lines_[name],) = self.ax_.plot(np.arange(1, len(values) + 1), values, label=name)
        self.validation_ax_ = None
        if self.validation_curve is not None:
            values = np.asarray(self.validation_curve, dtype=float)
            epochs = (
                np.arange(1, len(values) + 1)
                if self.validation_epochs is None
                else np.asarray(self.validation_epochs)
            )
            if len(epochs) != len(values):
                raise ValueError(
                    f"validation_epochs has {len(epochs)} entries for {len(values)} values."
                )
            target = self.ax_
            if self.separate_validation_axis:
                target = self.validation_ax_ = self.ax_.twinx()
                target.set_ylabel(self.validation_label)
            (self.lines_[self.validation_label],) = target.plot(
                epochs, values, "o--", color="black", markersize=3, label=self.validation_label
            )
        if log_scale:
            self.ax_.set_yscale("log")
        self.ax_.set_xlabel("epoch")
        self.ax_.set_ylabel("loss")
        self.ax_.legend(
            list(self.lines_.values()), list(self.lines_), loc="upper right", fontsize="small"
        )
        if self.estimator_name is not None:
            self.ax_.set_title(self.estimator_name)
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_scale=False):
        """Draw a fitted estimator's training history.

        Parameters
        ----------
        estimator : fitted skgen estimator, or any estimator with ``loss_curve_``
            A GAN shows ``generator_loss_curve_``,
            ``discriminator_loss_curve_`` and its held-out MMD; others show
            ``loss_curve_`` and, after early stopping, the validation loss.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        log_scale : bool, default=False
            Logarithmic y-axis for the losses.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_is_fitted(estimator)
        name = type(estimator).__name__
        validation, epochs, label, separate = None, None, "validation loss", False
        if hasattr(estimator, "generator_loss_curve_"):
            curves = {
                "generator": estimator.generator_loss_curve_,
                "discriminator": estimator.discriminator_loss_curve_,
            }
            if getattr(estimator, "validation_scores_", None):
                # validation_scores_ is the negated MMD, so that higher is better.
                validation = [-s for s in estimator.validation_scores_]
                epochs, label, separate = estimator.validation_epochs_, "held-out MMD", True
        elif hasattr(estimator, "loss_curve_"):
            curves = {"training loss": estimator.loss_curve_}
            if _is_skgen(estimator) and getattr(estimator, "validation_scores_", None):
                # skgen's validation_scores_ is the negated validation loss.
                validation = [-s for s in estimator.validation_scores_]
        else:
            raise ValueError(
                f"LossCurveDisplay.from_estimator needs an estimator with a loss_curve_; "
                f"{name} has none."
            )
        return cls(
            curves,
            validation_curve=validation,
            validation_epochs=epochs,
            validation_label=label,
            separate_validation_axis=separate,
            estimator_name=name,
        ).plot(ax=ax, log_scale=log_scale)


def _is_skgen(estimator):
    return type(estimator).__module__.startswith("skgen.")
