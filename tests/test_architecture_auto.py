"""``architecture="auto"``: image arrays get convolutional networks, vectors dense ones."""

import numpy as np
import pytest

from skgen import DDPM, GAN, VariationalAutoencoder

from estimators import FAST

# The shared list's small estimators (tests/estimators.py), with two
# convolutional levels so the image network differs from the dense one.
CASES = [
    (VariationalAutoencoder, dict(n_components=2, channels=(4, 8)), "conv", "dense"),
    (
        GAN,
        dict(
            n_components=2,
            channels=(4, 8),
            generator_hidden_layer_sizes=(8,),
            discriminator_hidden_layer_sizes=(8,),
            validation_interval=None,
        ),
        "conv",
        "dense",
    ),
    (DDPM, dict(n_timesteps=10, channels=(4, 8), hidden_width=8), "unet", "mlp"),
]


@pytest.mark.parametrize("cls, params, image, vector", CASES, ids=[c[0].__name__ for c in CASES])
def test_auto_follows_the_data(cls, params, image, vector):
    images = np.random.default_rng(0).random((40, 6, 5))
    common = {**FAST[cls], "max_iter": 1, "batch_size": 20, "random_state": 0, **params}
    assert cls().architecture == "auto"
    on_images = cls(**common).fit(images)
    assert on_images.architecture_ == image
    on_rows = cls(**common).fit(images.reshape(40, -1))
    assert on_rows.architecture_ == vector
    # Flat rows with image_shape are images too, with the same network.
    with_shape = cls(image_shape=(6, 5), **common).fit(images.reshape(40, -1))
    assert with_shape.architecture_ == image
    assert sum(p.numel() for p in with_shape.module_.parameters()) == sum(
        p.numel() for p in on_images.module_.parameters()
    )
    # "auto" picks exactly what the explicit value builds.
    explicit = cls(architecture=image, **common).fit(images)
    np.testing.assert_array_equal(
        explicit.sample(3, random_state=0), on_images.sample(3, random_state=0)
    )
    assert on_images.sample(2, random_state=0).shape == (2, 6, 5)
    assert on_rows.sample(2, random_state=0).shape == (2, 30)
    # An explicit dense network on images stays dense.
    assert cls(architecture=vector, **common).fit(images).architecture_ == vector
