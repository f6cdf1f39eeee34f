"""MNIST and Fashion-MNIST through OpenML, cached in scikit-learn's data home."""

import os
from urllib.error import URLError

import numpy as np
from sklearn.datasets import fetch_openml, get_data_home
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

# name -> (OpenML data id, rows, training rows, class names)
_DATASETS = {
    "Fashion-MNIST": (
        40996,
        70000,
        60000,
        [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],
    ),
    "MNIST": (554, 70000, 60000, [str(d) for d in range(10)]),
}


def _load(name, data_home, return_X_y, as_frame):
    data_id, n_rows, n_train, names = _DATASETS[name]
    try:
        raw = fetch_openml(
            data_id=data_id, data_home=data_home, as_frame=False, cache=True, parser="liac-arff"
        )
    except (URLError, OSError) as exc:
        raise OSError(
            f"{name} could not be downloaded from OpenML (data_id={data_id}) and no "
            f"cached copy was found in {get_data_home(data_home)!r}: {exc}. Connect to "
            "the internet once, or copy an existing scikit-learn data home there."
        ) from exc
    X = np.asarray(raw.data)
    if X.shape != (n_rows, 784):
        raise ValueError(f"OpenML returned {X.shape} pixels for {name}; expected ({n_rows}, 784).")
    X = X.astype(np.float32) / np.float32(255.0)
    y = np.asarray(raw.target).astype(np.int64)
    train, test = slice(0, n_train), slice(n_train, n_rows)
    if as_frame:
        import pandas as pd

        columns = [f"pixel{i + 1}" for i in range(784)]
        data = pd.DataFrame(X, columns=columns)
        target = pd.Series(y, name="class")
        if return_X_y:
            return data.iloc[train], data.iloc[test], target.iloc[train], target.iloc[test]
        return Bunch(data=data, target=target, target_names=names, train=train, test=test)
    images = X.reshape(n_rows, 28, 28)
    if return_X_y:
        return images[train], images[test], y[train], y[test]
    return Bunch(data=X, images=images, target=y, target_names=names, train=train, test=test)


_PARAMS = {
    "data_home": [str, os.PathLike, None],
    "return_X_y": ["boolean"],
    "as_frame": ["boolean"],
}


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def load_fashion_mnist(*, data_home=None, return_X_y=False, as_frame=False):
    """Fashion-MNIST: 70,000 28x28 grey images of 10 clothing classes.

    Downloaded once from OpenML through :func:`sklearn.datasets.fetch_openml`
    and cached in scikit-learn's data home; later calls work offline.
    Pixels are float32 in [0, 1]; the first 60,000 images are the official
    training set, the last 10,000 the test set.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache folder; default ``~/scikit_learn_data`` (or ``SCIKIT_LEARN_DATA``).
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` with images of shape
        ``(n, 28, 28)`` (flat DataFrames with ``as_frame=True``).
    as_frame : bool, default=False
        Pixels as a DataFrame of 784 columns and labels as a Series.

    Returns
    -------
    data : Bunch or tuple
        Bunch with ``data`` (70000, 784), ``images`` (70000, 28, 28; not
        with ``as_frame``), ``target`` (int), ``target_names`` and the
        ``train`` / ``test`` slices of the official split; or the tuple of
        ``return_X_y``.

    Raises
    ------
    OSError
        When the data are not cached and cannot be downloaded.

    Examples
    --------
    >>> from skgen.datasets import load_fashion_mnist
    >>> X_train, X_test, y_train, y_test = load_fashion_mnist(
    ...     return_X_y=True)  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    return _load("Fashion-MNIST", data_home, return_X_y, as_frame)


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def load_mnist(*, data_home=None, return_X_y=False, as_frame=False):
    """MNIST: 70,000 28x28 grey images of handwritten digits.

    Same interface and caching as :func:`load_fashion_mnist` (OpenML's
    ``mnist_784``); the first 60,000 images are the official training set.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Cache folder; default ``~/scikit_learn_data`` (or ``SCIKIT_LEARN_DATA``).
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` with images of shape
        ``(n, 28, 28)`` (flat DataFrames with ``as_frame=True``).
    as_frame : bool, default=False
        Pixels as a DataFrame of 784 columns and labels as a Series.

    Returns
    -------
    data : Bunch or tuple
        As for :func:`load_fashion_mnist`.

    Raises
    ------
    OSError
        When the data are not cached and cannot be downloaded.

    Examples
    --------
    >>> from skgen.datasets import load_mnist
    >>> mnist = load_mnist()  # doctest: +SKIP
    >>> mnist.images[mnist.train].shape  # doctest: +SKIP
    (60000, 28, 28)
    """
    return _load("MNIST", data_home, return_X_y, as_frame)
