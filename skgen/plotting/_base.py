"""Helpers shared by the displays: matplotlib import, image layout, montages."""

import inspect

import numpy as np


def check_matplotlib(caller):
    """Import pyplot, or say how to install matplotlib."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is in the test extra
        raise ImportError(
            f"{caller} requires matplotlib. Install it with "
            "`pip install scikit-generative[plots]` or `pip install matplotlib`."
        ) from exc
    return plt


def axes_or_new(ax, caller, figsize=None):
    """``(ax, figure)``: the given axes, or a new figure's single axes."""
    plt = check_matplotlib(caller)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax, ax.figure


def estimator_image_shape(estimator, image_shape=None):
    """``image_shape`` if given, else the image shape the estimator was fitted on, else None."""
    if image_shape is not None:
        return image_shape
    spec = getattr(estimator, "spec_", None)
    shape = None if spec is None else spec.sample_shape
    return tuple(shape) if shape is not None and len(shape) >= 2 else None


def as_images(X, image_shape=None, *, name="images", lead=1):
    """Arrange data as images ``(*lead_dims, H, W)`` or ``(*lead_dims, H, W, C)``.

    ``X`` has ``lead`` leading axes (samples, or rows and columns of a grid)
    followed by either one flat feature axis or an image's axes. A flat axis
    is reshaped to ``image_shape``, or to a square when that is None and the
    number of features is a perfect square. A channel axis of size 1 is
    dropped; other channel counts must be 3 (RGB) or 4 (RGBA).
    """
    X = np.asarray(X, dtype=np.float64)
    lead_shape, sample = X.shape[:lead], X.shape[lead:]
    if X.ndim < lead + 1:
        raise ValueError(
            f"{name} must have {lead} leading axis(es) and the samples' axes; got an "
            f"array of shape {X.shape}."
        )
    n_features = int(np.prod(sample))
    if image_shape is not None:
        image_shape = tuple(int(s) for s in image_shape)
        if int(np.prod(image_shape)) != n_features:
            raise ValueError(
                f"image_shape={image_shape} does not fit samples of {n_features} values "
                f"(shape {sample})."
            )
        sample = image_shape
    elif len(sample) == 1:
        side = int(round(np.sqrt(n_features)))
        if side * side != n_features:
            raise ValueError(
                f"Cannot show samples of {n_features} features as images: it is not a "
                "square number; pass image_shape=(height, width[, channels])."
            )
        sample = (side, side)
    if len(sample) == 3 and sample[-1] == 1:
        sample = sample[:2]
    if len(sample) not in (2, 3) or (len(sample) == 3 and sample[-1] not in (3, 4)):
        raise ValueError(
            f"Images must be (height, width) or (height, width, channels) with 1, 3 or 4 "
            f"channels; got samples of shape {sample}."
        )
    return X.reshape(*lead_shape, *sample)


def tile_gap(size):
    """Pixels between tiles of ``size`` pixels: about a tenth of a tile.

    One pixel for 8x8 digits, three for 28x28 images, so the gap survives
    the figure's resampling at any page width.
    """
    return max(1, round(size / 10))


def montage(grid, pad=None):
    """Tile ``grid`` of shape ``(rows, cols, H, W[, C])`` into one image.

    Tiles are separated by ``pad`` pixels (None: :func:`tile_gap` of the
    tile height) of NaN, drawn in the background colour, for grey images,
    or of white for colour images.
    """
    rows, cols, h, w = grid.shape[:4]
    pad = tile_gap(h) if pad is None else pad
    channels = grid.shape[4:]
    fill = np.nan if not channels else 1.0
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, *channels), fill)
    for i in range(rows):
        for j in range(cols):
            out[i * (h + pad) : i * (h + pad) + h, j * (w + pad) : j * (w + pad) + w] = grid[i, j]
    return out


def tile_centers(n, size, pad):
    """Pixel coordinates of the centres of ``n`` tiles of ``size`` pixels,
    ``pad`` pixels apart."""
    return [k * (size + pad) + (size - 1) / 2 for k in range(n)]


def draw_montage(ax, grid, *, cmap, vmin, vmax, row_labels=None, col_labels=None):
    """Show a ``(rows, cols, H, W[, C])`` grid of images on ``ax``.

    Row and column labels become tick labels, so the axes keeps no frame
    but still names what each row and column is. Returns the AxesImage.
    """
    from matplotlib import colormaps

    pad = tile_gap(grid.shape[2])
    image = montage(grid, pad)
    finite = grid[np.isfinite(grid)]
    if vmin is None:
        vmin = float(finite.min()) if finite.size else 0.0
    if vmax is None:
        vmax = float(finite.max()) if finite.size else 1.0
    if grid.ndim == 5:  # colour: imshow takes values in [0, 1]
        image = np.clip((image - vmin) / max(vmax - vmin, 1e-12), 0, 1)
        artist = ax.imshow(image, interpolation="nearest")
    else:
        cmap = colormaps[cmap] if isinstance(cmap, str) else cmap
        artist = ax.imshow(
            image,
            cmap=cmap.with_extremes(bad="white"),
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
        )
    rows, cols, h, w = grid.shape[:4]
    ax.set_xticks(
        tile_centers(cols, w, pad) if col_labels is not None else [],
        [str(c) for c in col_labels] if col_labels is not None else [],
        fontsize="small",
    )
    ax.set_yticks(
        tile_centers(rows, h, pad) if row_labels is not None else [],
        [str(r) for r in row_labels] if row_labels is not None else [],
        fontsize="small",
    )
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return artist


def generated(estimator, n_samples, *, caller, random_state=None, y=None):
    """``estimator.sample(...)``'s samples, also for sklearn's samplers.

    ``GaussianMixture.sample`` returns ``(X, labels)`` and takes no
    ``random_state``; ``KernelDensity.sample`` takes one.
    """
    if not callable(getattr(estimator, "sample", None)):
        raise ValueError(
            f"{caller} needs an estimator with a sample method; got {type(estimator).__name__}."
        )
    accepted = inspect.signature(estimator.sample).parameters
    params = {}
    if random_state is not None and "random_state" in accepted:
        params["random_state"] = random_state
    if y is not None:
        params["y"] = y
    out = estimator.sample(n_samples, **params)
    return out[0] if isinstance(out, tuple) else out
