"""Displays of image batches: sample grids, reconstructions, interpolations."""

import numpy as np

from ._base import (
    as_images,
    axes_or_new,
    draw_montage,
    estimator_image_shape,
    generated,
    tile_gap,
)


class ImageGridDisplay:
    """A grid of images: samples of a generator or any image batch.

    Build it with :meth:`from_estimator` (draws ``estimator.sample(n)``) or
    from an array, then call :meth:`plot`. The images are tiled into one
    picture on a single axes, so the display fits in any subplot layout.

    Parameters
    ----------
    images : array-like of shape (n_images, n_features) or (n_images, H, W[, C])
        The images; flat rows are reshaped to ``image_shape`` (or to a
        square).
    labels : array-like of shape (n_images,), default=None
        A short text drawn in the corner of each image (class labels).
    image_shape : tuple of int, default=None
        ``(height, width[, channels])`` of flat rows. None: square images.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the grid.
    figure_ : matplotlib Figure
        Figure containing the grid.
    image_ : matplotlib AxesImage
        The tiled picture.
    texts_ : list of matplotlib Text
        The labels drawn on the images (empty without labels).

    See Also
    --------
    ReconstructionDisplay : Originals above their reconstructions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.mixture import GaussianMixture
    >>> from skgen.plotting import ImageGridDisplay
    >>> X = load_digits().data / 16
    >>> gmm = GaussianMixture(4, random_state=0).fit(X)
    >>> disp = ImageGridDisplay.from_estimator(gmm, 16)
    >>> disp.image_.get_array().shape  # 4 x 4 tiles of 8 x 8 pixels, 1 pixel apart
    (35, 35)
    """

    def __init__(self, images, *, labels=None, image_shape=None):
        self.images = images
        self.labels = labels
        self.image_shape = image_shape

    def plot(self, ax=None, *, n_cols=None, cmap="binary", vmin=None, vmax=None, title=None):
        """Draw the grid.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        n_cols : int, default=None
            Images per row; None: a square-ish grid.
        cmap : str or Colormap, default="binary"
            Colour map of grey images (ignored for RGB).
        vmin, vmax : float, default=None
            Value range of the colour map; None: the images' range.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : ImageGridDisplay
            This object, with the artists stored.
        """
        images = as_images(self.images, self.image_shape)
        n = images.shape[0]
        if n == 0:
            raise ValueError("ImageGridDisplay needs at least one image; got 0.")
        n_cols = int(np.ceil(np.sqrt(n))) if n_cols is None else min(int(n_cols), n)
        if n_cols < 1:
            raise ValueError(f"n_cols must be a positive int; got {n_cols}.")
        n_rows = -(-n // n_cols)
        grid = np.full((n_rows * n_cols, *images.shape[1:]), np.nan)
        grid[:n] = images
        grid = grid.reshape(n_rows, n_cols, *images.shape[1:])
        self.ax_, self.figure_ = axes_or_new(ax, "ImageGridDisplay")
        self.image_ = draw_montage(self.ax_, grid, cmap=cmap, vmin=vmin, vmax=vmax)
        self.texts_ = []
        if self.labels is not None:
            labels = np.asarray(self.labels).reshape(-1)
            if len(labels) != n:
                raise ValueError(f"labels has {len(labels)} entries for {n} images.")
            h, w = images.shape[1:3]
            pad = tile_gap(h)
            for k, label in enumerate(labels):
                i, j = divmod(k, n_cols)
                self.texts_.append(
                    self.ax_.text(
                        j * (w + pad),
                        i * (h + pad),
                        str(label),
                        color="tab:red",
                        fontsize=7,
                        ha="left",
                        va="top",
                    )
                )
        if title is not None:
            self.ax_.set_title(title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        n_samples=64,
        *,
        y=None,
        random_state=None,
        image_shape=None,
        ax=None,
        n_cols=None,
        cmap="binary",
        vmin=None,
        vmax=None,
        title=None,
    ):
        """Draw ``estimator.sample(n_samples)`` as a grid.

        Parameters
        ----------
        estimator : fitted estimator with a ``sample`` method
            An skgen generator, or scikit-learn's ``GaussianMixture`` or
            ``KernelDensity``.
        n_samples : int, default=64
            Number of images.
        y : array-like or label, default=None
            Classes to draw from a conditional model; shown on the images.
        random_state : int, RandomState instance or None, default=None
            Passed to ``sample`` when it takes one.
        image_shape : tuple of int, default=None
            Shape of one image; None: the fitted image shape, else square.
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        n_cols : int, default=None
            Images per row.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range of the colour map; None: the samples' range.
        title : str, default=None
            Title; None: ``"<Estimator>.sample(n)"``.

        Returns
        -------
        display : ImageGridDisplay
        """
        samples = generated(
            estimator,
            n_samples,
            caller="ImageGridDisplay.from_estimator",
            random_state=random_state,
            y=y,
        )
        labels = None
        if y is not None:
            labels = np.broadcast_to(np.asarray(y), (n_samples,))
        shape = estimator_image_shape(estimator, image_shape)
        if title is None:
            title = f"{type(estimator).__name__}.sample({n_samples})"
        return cls(samples, labels=labels, image_shape=shape).plot(
            ax=ax, n_cols=n_cols, cmap=cmap, vmin=vmin, vmax=vmax, title=title
        )


def _transform_pair(estimator, caller):
    for method in ("transform", "inverse_transform"):
        if not callable(getattr(estimator, method, None)):
            raise ValueError(
                f"{caller} needs an estimator with transform and inverse_transform (an "
                f"autoencoder, a VAE, PCA); {type(estimator).__name__} has no {method}."
            )


class ReconstructionDisplay:
    """Originals above their reconstructions, the book's autoencoder figure.

    Parameters
    ----------
    originals : array-like of shape (n_images, n_features) or (n_images, H, W[, C])
        The inputs.
    reconstructions : array-like of the same number of images
        What the model gives back for them.
    image_shape : tuple of int, default=None
        Shape of one image for flat rows; None: square images.

    Attributes
    ----------
    errors_ : ndarray of shape (n_images,)
        Mean squared error of each reconstruction, shown under its column.
    ax_ : matplotlib Axes
        Axes with the two rows.
    figure_ : matplotlib Figure
        Figure containing the axes.
    image_ : matplotlib AxesImage
        The tiled picture.

    See Also
    --------
    ImageGridDisplay : A grid of samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skgen.plotting import ReconstructionDisplay
    >>> X = load_digits().data / 16
    >>> disp = ReconstructionDisplay.from_estimator(PCA(10).fit(X), X, n_images=5)
    >>> disp.image_.get_array().shape, disp.errors_.shape
    ((17, 44), (5,))
    """

    def __init__(self, originals, reconstructions, *, image_shape=None):
        self.originals = originals
        self.reconstructions = reconstructions
        self.image_shape = image_shape

    def plot(self, ax=None, *, cmap="binary", vmin=None, vmax=None, title=None):
        """Draw the originals (top row) and reconstructions (bottom row).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the originals' range.
        title : str, default=None
            Title; None: the mean squared error.

        Returns
        -------
        display : ReconstructionDisplay
        """
        originals = as_images(self.originals, self.image_shape, name="originals")
        recons = as_images(self.reconstructions, self.image_shape, name="reconstructions")
        if originals.shape != recons.shape:
            raise ValueError(
                f"originals and reconstructions differ in shape: {originals.shape} vs "
                f"{recons.shape}."
            )
        self.errors_ = ((originals - recons) ** 2).reshape(len(originals), -1).mean(1)
        vmin = float(originals.min()) if vmin is None else vmin
        vmax = float(originals.max()) if vmax is None else vmax
        self.ax_, self.figure_ = axes_or_new(ax, "ReconstructionDisplay")
        self.image_ = draw_montage(
            self.ax_,
            np.stack([originals, recons]),
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            row_labels=["original", "reconstruction"],
            col_labels=[f"{e:.3f}".lstrip("0") for e in self.errors_],
        )
        self.ax_.set_xlabel("squared error per pixel")
        self.ax_.set_title(
            f"mean squared error {self.errors_.mean():.4f}" if title is None else title
        )
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_images=10,
        image_shape=None,
        ax=None,
        cmap="binary",
        vmin=None,
        vmax=None,
        title=None,
    ):
        """Reconstruct the first ``n_images`` rows of ``X`` and draw them.

        The reconstruction is ``inverse_transform(transform(X))``, so any
        autoencoder, the VAE (posterior mean) or ``PCA`` works.

        Parameters
        ----------
        estimator : fitted transformer with ``inverse_transform``
            The model.
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        n_images : int, default=10
            Number of rows of ``X`` to show.
        image_shape : tuple of int, default=None
            Shape of one image; None: the fitted image shape, else square.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the originals' range.
        title : str, default=None
            Title; None: the mean squared error.

        Returns
        -------
        display : ReconstructionDisplay
        """
        _transform_pair(estimator, "ReconstructionDisplay.from_estimator")
        X = X[:n_images]
        recons = estimator.inverse_transform(estimator.transform(X))
        shape = estimator_image_shape(estimator, image_shape)
        return cls(np.asarray(X), recons, image_shape=shape).plot(
            ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, title=title
        )


class InterpolationDisplay:
    """Images decoded along straight lines between pairs of codings.

    Parameters
    ----------
    images : array-like of shape (n_pairs, n_steps, n_features) or (n_pairs, n_steps, H, W[, C])
        One row of decoded images per pair, from start to end.
    alphas : array-like of shape (n_steps,)
        Position of each column on the line (0 is the start, 1 the end).
    image_shape : tuple of int, default=None
        Shape of one image for flat rows; None: square images.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the rows.
    figure_ : matplotlib Figure
        Figure containing the axes.
    image_ : matplotlib AxesImage
        The tiled picture.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.decomposition import PCA
    >>> from skgen.plotting import InterpolationDisplay
    >>> X = load_digits().data / 16
    >>> disp = InterpolationDisplay.from_estimator(PCA(10).fit(X), X[:2], X[2:4], n_steps=5)
    >>> disp.image_.get_array().shape
    (17, 44)
    """

    def __init__(self, images, *, alphas, image_shape=None):
        self.images = images
        self.alphas = alphas
        self.image_shape = image_shape

    def plot(self, ax=None, *, cmap="binary", vmin=None, vmax=None, title=None):
        """Draw one row per pair, one column per point of the line.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the images' range.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : InterpolationDisplay
        """
        grid = as_images(self.images, self.image_shape, lead=2)
        alphas = np.asarray(self.alphas, dtype=float).reshape(-1)
        if len(alphas) != grid.shape[1]:
            raise ValueError(f"alphas has {len(alphas)} entries for {grid.shape[1]} steps.")
        self.ax_, self.figure_ = axes_or_new(ax, "InterpolationDisplay")
        self.image_ = draw_montage(
            self.ax_, grid, cmap=cmap, vmin=vmin, vmax=vmax, col_labels=[f"{a:.2g}" for a in alphas]
        )
        self.ax_.set_xlabel("position between the two codings")
        if title is not None:
            self.ax_.set_title(title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_start,
        X_end,
        *,
        n_steps=10,
        image_shape=None,
        ax=None,
        cmap="binary",
        vmin=None,
        vmax=None,
        title=None,
    ):
        """Encode each start/end pair, decode ``n_steps`` points between them.

        Parameters
        ----------
        estimator : fitted transformer with ``inverse_transform``
            An autoencoder, the VAE or ``PCA``.
        X_start, X_end : array-like of shape (n_pairs, n_features) or image arrays
            Rows of ``X_start`` are joined to the rows of ``X_end``.
        n_steps : int, default=10
            Points on each line, ends included.
        image_shape : tuple of int, default=None
            Shape of one image; None: the fitted image shape, else square.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the images' range.
        title : str, default=None
            Title; None: a description of the interpolation.

        Returns
        -------
        display : InterpolationDisplay
        """
        _transform_pair(estimator, "InterpolationDisplay.from_estimator")
        if int(n_steps) < 2:
            raise ValueError(f"n_steps must be at least 2; got {n_steps}.")
        start, end = estimator.transform(X_start), estimator.transform(X_end)
        if start.shape != end.shape:
            raise ValueError(
                f"X_start and X_end must hold the same number of samples; got "
                f"{start.shape[0]} and {end.shape[0]}."
            )
        alphas = np.linspace(0.0, 1.0, int(n_steps))
        line = (1 - alphas[None, :, None]) * start[:, None] + alphas[None, :, None] * end[:, None]
        decoded = np.asarray(estimator.inverse_transform(line.reshape(-1, start.shape[1])))
        decoded = decoded.reshape(start.shape[0], len(alphas), -1)
        shape = estimator_image_shape(estimator, image_shape)
        if title is None:
            title = f"{type(estimator).__name__}: decoded straight lines between codings"
        return cls(decoded, alphas=alphas, image_shape=shape).plot(
            ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, title=title
        )
