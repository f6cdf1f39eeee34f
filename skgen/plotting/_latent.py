"""Scatter plot of a model's codings."""

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

from ._base import axes_or_new

_AXIS_NAMES = {None: "z", "pca": "PCA", "tsne": "t-SNE"}


class LatentSpaceDisplay:
    """Codings of data in a model's latent space, coloured by label.

    Latent spaces with more than two dimensions are projected to two with
    PCA or t-SNE.

    Parameters
    ----------
    codings : array-like of shape (n_samples, 2)
        Points to draw.
    labels : array-like of shape (n_samples,), default=None
        Class of each point; colours the points and fills the legend.
    axis_labels : tuple of str, default=("z[0]", "z[1]")
        Names of the two axes.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the scatter plot.
    figure_ : matplotlib Figure
        Figure containing the axes.
    scatter_ : matplotlib PathCollection
        The points.
    legend_ : matplotlib Legend or None
        One entry per class, when there are labels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skgen.plotting import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> disp = LatentSpaceDisplay.from_estimator(PCA(5).fit(X), X, y, projection="pca")
    >>> disp.scatter_.get_offsets().shape, disp.ax_.get_xlabel()
    ((1797, 2), 'PCA 1')
    """

    def __init__(self, codings, *, labels=None, axis_labels=("z[0]", "z[1]")):
        self.codings = codings
        self.labels = labels
        self.axis_labels = axis_labels

    def plot(self, ax=None, *, cmap="tab10", s=6, alpha=0.8, title=None):
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        cmap : str or Colormap, default="tab10"
            Colours of the classes.
        s : float, default=6
            Marker size.
        alpha : float, default=0.8
            Marker opacity.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        codings = np.asarray(self.codings, dtype=float)
        if codings.ndim != 2 or codings.shape[1] != 2:
            raise ValueError(
                f"codings must have shape (n_samples, 2); got {codings.shape}. "
                "LatentSpaceDisplay.from_estimator projects larger latent spaces."
            )
        self.ax_, self.figure_ = axes_or_new(ax, "LatentSpaceDisplay")
        self.legend_ = None
        if self.labels is None:
            self.scatter_ = self.ax_.scatter(codings[:, 0], codings[:, 1], s=s, alpha=alpha)
        else:
            labels = np.asarray(self.labels).reshape(-1)
            if len(labels) != len(codings):
                raise ValueError(f"labels has {len(labels)} entries for {len(codings)} points.")
            classes, codes = np.unique(labels, return_inverse=True)
            self.scatter_ = self.ax_.scatter(
                codings[:, 0],
                codings[:, 1],
                c=codes,
                cmap=cmap,
                s=s,
                alpha=alpha,
                vmin=-0.5,
                vmax=len(classes) - 0.5,
            )
            handles, _ = self.scatter_.legend_elements(num=list(range(len(classes))))
            self.legend_ = self.ax_.legend(
                handles,
                [str(c) for c in classes],
                loc="center left",
                bbox_to_anchor=(1.0, 0.5),
                fontsize="small",
                frameon=False,
            )
        self.ax_.set_xlabel(self.axis_labels[0])
        self.ax_.set_ylabel(self.axis_labels[1])
        if title is not None:
            self.ax_.set_title(title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        projection="auto",
        random_state=None,
        ax=None,
        cmap="tab10",
        s=6,
        alpha=0.8,
        title=None,
    ):
        """Encode ``X`` with ``estimator.transform`` and draw the codings.

        Parameters
        ----------
        estimator : fitted transformer
            An autoencoder, the VAE (posterior means), or any transformer.
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        y : array-like of shape (n_samples,), default=None
            Labels that colour the points.
        projection : {"auto", "pca", "tsne", None}, default="auto"
            How codings with more than two dimensions become two: "auto" is
            PCA when there are more than two and nothing otherwise; "tsne"
            is slower but keeps neighbourhoods; None refuses to project.
        random_state : int, RandomState instance or None, default=None
            Seeds t-SNE.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        cmap : str or Colormap, default="tab10"
            Colours of the classes.
        s : float, default=6
            Marker size.
        alpha : float, default=0.8
            Marker opacity.
        title : str, default=None
            Title; None: the estimator and the projection.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        if projection not in ("auto", "pca", "tsne", None):
            raise ValueError(
                f"projection must be 'auto', 'pca', 'tsne' or None; got {projection!r}."
            )
        if not callable(getattr(estimator, "transform", None)):
            raise ValueError(
                "LatentSpaceDisplay.from_estimator needs an estimator with a transform "
                f"method; got {type(estimator).__name__}."
            )
        codings = np.asarray(estimator.transform(X), dtype=float)
        n_dims = codings.shape[1]
        if n_dims < 2:
            raise ValueError(f"The latent space has {n_dims} dimension; at least 2 are needed.")
        if projection == "auto":
            projection = "pca" if n_dims > 2 else None
        if projection is None and n_dims > 2:
            raise ValueError(
                f"The latent space has {n_dims} dimensions; pass projection='pca' or "
                "'tsne' to draw it in two."
            )
        if projection == "pca":
            codings = PCA(2).fit_transform(codings)
        elif projection == "tsne":
            codings = TSNE(
                2,
                init="pca",
                random_state=random_state,
                perplexity=min(30.0, (len(codings) - 1) / 3),
            ).fit_transform(codings)
        name = _AXIS_NAMES[projection]
        axis_labels = ("z[0]", "z[1]") if projection is None else (f"{name} 1", f"{name} 2")
        if title is None:
            title = f"{type(estimator).__name__} codings"
            if projection is not None:
                title += f" ({name} of {n_dims}-D)"
        return cls(codings, labels=y, axis_labels=axis_labels).plot(
            ax=ax, cmap=cmap, s=s, alpha=alpha, title=title
        )
