"""HashingAutoencoder: binary codings for semantic hashing."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skgen import HashingAutoencoder


@pytest.fixture(scope="module")
def split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def hashed(split):
    X_train = split[0]
    state = torch.random.get_rng_state()
    ae = HashingAutoencoder(16, max_iter=100, random_state=0).fit(X_train)
    # The training noise comes from the fit's own generator.
    assert torch.equal(torch.random.get_rng_state(), state)
    return ae


def test_noise_on_the_logits_makes_the_codings_bits(hashed, split):
    X_train, X_test = split[0], split[1]
    saturated = lambda P: ((P < 0.1) | (P > 0.9)).mean()  # noqa: E731
    assert saturated(hashed.transform(X_test)) > 0.9
    plain = HashingAutoencoder(16, coding_noise=0.0, max_iter=100, random_state=0).fit(X_train)
    assert saturated(plain.transform(X_test)) < 0.5
    # The bits carry what the codings carry: decoding the bits rebuilds
    # almost as well as decoding the sigmoid values.
    from_bits = hashed.inverse_transform(hashed.binary_codes(X_test).astype(np.float64))
    from_values = hashed.inverse_transform(hashed.transform(X_test))
    assert ((from_bits - X_test) ** 2).mean() < 1.3 * ((from_values - X_test) ** 2).mean()


def test_binary_codes_are_the_thresholded_codings(hashed, split):
    X_test = split[1]
    codes = hashed.binary_codes(X_test)
    assert codes.dtype == bool and codes.shape == (len(X_test), 16)
    np.testing.assert_array_equal(codes, hashed.transform(X_test) > 0.5)
    assert np.packbits(codes, axis=1).shape == (len(X_test), 2)


def test_similar_digits_share_most_bits(hashed, split):
    X_test = split[1]
    codes = hashed.binary_codes(X_test)
    rng = np.random.RandomState(0)
    nudged = np.clip(X_test + 0.05 * rng.standard_normal(X_test.shape), 0, 1)
    assert (hashed.binary_codes(nudged) == codes).mean() > 0.9
    others = codes[rng.permutation(len(codes))]
    assert (others == codes).mean() < 0.75


def test_hamming_search_finds_digits_of_the_same_class(hashed, split):
    X_train, X_test, y_train, y_test = split
    distance = (hashed.binary_codes(X_test)[:, None, :] != hashed.binary_codes(X_train)[None]).sum(
        -1
    )
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :10]
    precision = (y_train[nearest] == y_test[:, None]).mean()
    assert precision > 0.5  # chance: 0.1


def test_coding_noise_is_validated():
    with pytest.raises(
        ValueError,
        match="'coding_noise' parameter of HashingAutoencoder must be a float in the range",
    ):
        HashingAutoencoder(coding_noise=-1.0).fit(np.zeros((10, 20)))
