import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

ALL_AUTOENCODERS = [
    VariationalAutoencoder,
    LinearAutoencoder,
    StackedAutoencoder,
    SparseAutoencoder,
    DenoisingAutoencoder,
    ConvolutionalAutoencoder,
]


def small(cls, **params):
    """An estimator with training settings small enough for unit tests."""
    defaults = {"max_iter": 3, "batch_size": 64, "random_state": 0}
    if cls is VariationalAutoencoder:
        defaults["hidden_layer_sizes"] = (8,)
    elif cls is not LinearAutoencoder:
        key = "channels" if cls is ConvolutionalAutoencoder else "hidden_layer_sizes"
        defaults[key] = (8,)
    defaults.update(params)
    return cls(**defaults)


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1], split 80/20 (images and flat views)."""
    data = load_digits()
    images = (data.images / 16).astype(np.float64)
    train, test, y_train, y_test = train_test_split(
        images, data.target, test_size=0.2, random_state=0
    )
    return {
        "images_train": train,
        "images_test": test,
        "X_train": train.reshape(len(train), -1),
        "X_test": test.reshape(len(test), -1),
        "y_train": y_train,
        "y_test": y_test,
    }
