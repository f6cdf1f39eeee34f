"""The forward (noising) and reverse (generating) processes of a DDPM."""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import as_images, axes_or_new, draw_montage, estimator_image_shape


class DiffusionProcessDisplay:
    """Images at several noise levels: forward process above reverse process.

    Column ``j`` shows the same noise level in every row. Forward rows read
    left to right (data, then more and more noise); reverse rows read right
    to left, from pure noise to the generated sample in the first column.

    Parameters
    ----------
    forward : array-like of shape (n_images, n_levels, ...)
        Noised versions of data images; the first level is the clean data.
    reverse : array-like of shape (n_images, n_levels, ...)
        States of the reverse process at the same levels; the first level
        is the final sample.
    levels : array-like of shape (n_levels,)
        Label of each column (``"data"``, then the timesteps).
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

    Notes
    -----
    States are shown in the data's scale. The default residual-MLP DDPM
    standardises each feature, so pure noise mapped back already has each
    pixel's mean and spread and early states look like blurred data (and
    the deterministic path of DDIM or DPM-Solver++ moves little). The U-Net
    (``architecture="unet"``) maps the data's range to [-1, 1] with one
    scale for all pixels, and its noisy states look like noise.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skgen import DDPM
    >>> from skgen.plotting import DiffusionProcessDisplay
    >>> X = load_digits().data / 16
    >>> ddpm = DDPM(n_timesteps=50, max_iter=1, random_state=0).fit(X)
    >>> disp = DiffusionProcessDisplay.from_estimator(ddpm, X[:1], n_levels=5, random_state=0)
    >>> [t.get_text() for t in disp.ax_.get_xticklabels()]
    ['data', '4', '19', '34', '49']
    """

    def __init__(self, forward, reverse, *, levels, image_shape=None):
        self.forward = forward
        self.reverse = reverse
        self.levels = levels
        self.image_shape = image_shape

    def plot(self, ax=None, *, cmap="binary", vmin=None, vmax=None, title=None):
        """Draw the forward rows, then the reverse rows.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None: a new figure.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the clean data's range, so noise saturates.
        title : str, default=None
            Title of the axes.

        Returns
        -------
        display : DiffusionProcessDisplay
        """
        forward = as_images(self.forward, self.image_shape, name="forward", lead=2)
        reverse = as_images(self.reverse, self.image_shape, name="reverse", lead=2)
        if forward.shape[1:] != reverse.shape[1:]:
            raise ValueError(
                f"forward and reverse must have the same levels and image shape; got "
                f"{forward.shape[1:]} and {reverse.shape[1:]}."
            )
        levels = list(self.levels)
        if len(levels) != forward.shape[1]:
            raise ValueError(f"levels has {len(levels)} entries for {forward.shape[1]} columns.")
        clean = np.concatenate([forward[:, 0], reverse[:, 0]])
        vmin = float(clean.min()) if vmin is None else vmin
        vmax = float(clean.max()) if vmax is None else vmax
        many = len(forward) > 1 or len(reverse) > 1
        row_labels = [
            f"forward {i}" if many else "forward (noising) →" for i in range(len(forward))
        ] + [f"reverse {i}" if many else "← reverse (sampling)" for i in range(len(reverse))]
        self.ax_, self.figure_ = axes_or_new(ax, "DiffusionProcessDisplay")
        self.image_ = draw_montage(
            self.ax_,
            np.concatenate([forward, reverse]),
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            row_labels=row_labels,
            col_labels=levels,
        )
        self.ax_.set_xlabel("timestep t")
        if title is not None:
            self.ax_.set_title(title)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_levels=8,
        y=None,
        random_state=None,
        sampler=None,
        n_inference_steps=None,
        image_shape=None,
        ax=None,
        cmap="binary",
        vmin=None,
        vmax=None,
        title=None,
    ):
        """Noise the images ``X`` and run the reverse process for as many samples.

        Parameters
        ----------
        estimator : fitted DDPM
            The diffusion model.
        X : array-like of shape (n_images, n_features) or image array
            Data images for the forward rows; as many samples are drawn for
            the reverse rows.
        n_levels : int, default=8
            Columns: the clean data and ``n_levels - 1`` noise levels
            spread over the reverse process's timesteps.
        y : array-like or label, default=None
            Classes of the samples of a conditional model.
        random_state : int, RandomState instance or None, default=None
            Seeds the forward noise and the sampler.
        sampler : {"ddpm", "ddim"}, default=None
            Overrides the estimator's sampler.
        n_inference_steps : int, default=None
            Overrides the estimator's number of reverse steps.
        image_shape : tuple of int, default=None
            Shape of one image; None: the fitted image shape, else square.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        cmap : str or Colormap, default="binary"
            Colour map of grey images.
        vmin, vmax : float, default=None
            Value range; None: the clean images' range.
        title : str, default=None
            Title; None: a description of the sampler.

        Returns
        -------
        display : DiffusionProcessDisplay
        """
        if not (
            callable(getattr(estimator, "add_noise", None))
            and hasattr(type(estimator), "schedule_")
        ):
            raise ValueError(
                "DiffusionProcessDisplay.from_estimator needs a diffusion model (DDPM); got "
                f"{type(estimator).__name__}."
            )
        check_is_fitted(estimator)
        if int(n_levels) < 2:
            raise ValueError(f"n_levels must be at least 2; got {n_levels}.")
        rng = check_random_state(random_state)
        X = np.asarray(X)
        samples, trajectory, timesteps = estimator.sample(
            len(X),
            random_state=rng,
            n_inference_steps=n_inference_steps,
            y=y,
            sampler=sampler,
            return_trajectory=True,
        )
        # trajectory[k] is the state at timesteps[k] (noisiest first); keep
        # n_levels - 1 of them, evenly spread, in increasing noise.
        picks = np.unique(
            np.linspace(0, len(timesteps) - 2, int(n_levels) - 1).round().astype(int)
        )[::-1]
        steps = [int(timesteps[k]) for k in picks]
        reverse = [samples] + [trajectory[k] for k in picks]
        forward = [X] + [estimator.add_noise(X, t, random_state=rng) for t in steps]
        shape = estimator_image_shape(estimator, image_shape)
        n = len(X)
        forward = np.stack([np.reshape(f, (n, -1)) for f in forward], axis=1)
        reverse = np.stack([np.reshape(r, (n, -1)) for r in reverse], axis=1)
        if title is None:
            kind = estimator._sampler(sampler, None)[0].name
            title = f"{type(estimator).__name__}: forward noising and {kind} sampling"
        return cls(forward, reverse, levels=["data", *steps], image_shape=shape).plot(
            ax=ax, cmap=cmap, vmin=vmin, vmax=vmax, title=title
        )
