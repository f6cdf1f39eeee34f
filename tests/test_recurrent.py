"""RecurrentAutoencoder: sequences in, codings out, sequences back."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from skgen import RecurrentAutoencoder


def sine_waves(n, n_steps=20, seed=0):
    """Sines of random frequency and phase: a 2-parameter family PCA cannot
    span with 2 components."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, n_steps)
    freq, phase = rng.uniform(1, 3, n), rng.uniform(0, 2 * np.pi, n)
    return np.sin(2 * np.pi * freq[:, None] * t[None] + phase[:, None])[:, :, None]


@pytest.fixture(scope="module")
def waves():
    return sine_waves(300), sine_waves(100, seed=1)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_it_beats_pca_on_held_out_sequences(cell, waves):
    train, test = waves
    ae = RecurrentAutoencoder(
        2,
        hidden_layer_sizes=(16,),
        cell=cell,
        # 80 epochs: at 40 the LSTM's error ranged from 0.45 to 0.72 of PCA's
        # with the thread count (one trajectory, chaotic at this rate); at 80
        # from 0.15 to 0.50 over seeds and thread counts.
        max_iter=80,
        batch_size=32,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(train)
    codings = ae.transform(test)
    rebuilt = ae.inverse_transform(codings)
    assert codings.shape == (100, 2) and rebuilt.shape == test.shape
    flat_train, flat_test = train.reshape(300, -1), test.reshape(100, -1)
    pca = PCA(2).fit(flat_train)
    pca_error = ((pca.inverse_transform(pca.transform(flat_test)) - flat_test) ** 2).mean()
    error = ((rebuilt - test) ** 2).mean()
    assert error < 0.7 * pca_error
    assert ae.score(test) == pytest.approx(-error, rel=1e-5)


def test_flat_rows_with_a_sequence_shape_read_as_the_same_sequences(waves):
    train = waves[0][:64]
    params = dict(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    as_3d = RecurrentAutoencoder(2, **params).fit(train)
    flat = RecurrentAutoencoder(2, sequence_shape=(20, 1), **params).fit(train.reshape(64, -1))
    np.testing.assert_allclose(
        flat.transform(train.reshape(64, -1)), as_3d.transform(train), rtol=1e-6, atol=1e-7
    )
    # Flat in, flat out; 3-D in, 3-D out.
    assert flat.inverse_transform(flat.transform(train.reshape(64, -1))).shape == (64, 20)
    # Digits as 8 rows of 8 pixels, the book's reading of an image.
    digits = np.random.RandomState(0).rand(40, 64)
    rows = RecurrentAutoencoder(3, sequence_shape=(8, 8), **params).fit(digits)
    assert rows.module_.n_steps == 8 and rows.module_.n_features == 8


@pytest.mark.parametrize(
    "params, X_shape, message",
    [
        (
            {"sequence_shape": (3, 5)},
            (10, 20),
            r"sequence_shape=\(3, 5\) holds 15 values but X "
            "has 20 features",
        ),
        (
            {"sequence_shape": (4, 3)},
            (10, 3, 4),
            r"does not match the sequences in X, of shape "
            r"\(3, 4\)",
        ),
        ({"sequence_shape": (0, 4)}, (10, 4), "must be \\(n_steps, n_features\\) with positive"),
        ({}, (10, 2, 3, 4), r"takes sequences \(n_samples, n_steps, n_features\)"),
        ({"cell": "rnn"}, (10, 4), "'cell' parameter of RecurrentAutoencoder must be a str among"),
    ],
)
def test_bad_shapes_and_cells_are_named(params, X_shape, message):
    X = np.zeros(X_shape)
    ae = RecurrentAutoencoder(1, max_iter=1, **params)
    with pytest.raises(ValueError, match=message):
        ae.fit(X)
    assert not hasattr(ae, "net_")


def test_training_is_reproducible_and_the_network_is_initialised_locally(waves):
    import torch

    train = waves[0][:64]
    state = torch.random.get_rng_state()
    a = RecurrentAutoencoder(2, hidden_layer_sizes=(8,), max_iter=2, random_state=3).fit(train)
    b = RecurrentAutoencoder(2, hidden_layer_sizes=(8,), max_iter=2, random_state=3).fit(train)
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(a.transform(train), b.transform(train))
