"""EncoderClassifier: unsupervised pretraining, the book's "reusing the encoder"."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.utils._param_validation import InvalidParameterError

from skgen import (
    ConvolutionalAutoencoder,
    EncoderClassifier,
    StackedAutoencoder,
    VariationalAutoencoder,
)


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_size=0.25, random_state=0, stratify=y
    )
    labelled = np.concatenate([np.flatnonzero(y_train == c)[:10] for c in range(10)])
    return X_train, X_test, y_train, y_test, labelled


@pytest.fixture(scope="module")
def autoencoder(digits_split):
    """Fitted on every training digit, without labels."""
    return StackedAutoencoder(16, hidden_layer_sizes=(64,), max_iter=60, random_state=0).fit(
        digits_split[0]
    )


def test_the_classifier_starts_from_the_fitted_encoder(autoencoder, digits_split):
    X_train, X_test, y_train, _, labelled = digits_split
    before = {k: v.clone() for k, v in autoencoder.module_.state_dict().items()}
    frozen = EncoderClassifier(autoencoder, freeze_encoder=True, max_iter=30, random_state=0).fit(
        X_train[labelled], y_train[labelled]
    )
    assert frozen.pretrained_
    # A frozen encoder is the autoencoder's: same codings.
    with torch.inference_mode():
        codings = frozen.module_.autoencoder.encode(torch.tensor(X_test, dtype=torch.float32))
    np.testing.assert_allclose(
        codings.numpy(), autoencoder.transform(X_test.astype(np.float32)), rtol=1e-5, atol=1e-6
    )
    tuned = EncoderClassifier(autoencoder, max_iter=30, random_state=0).fit(
        X_train[labelled], y_train[labelled]
    )
    moved = [
        not torch.equal(p, before[k].to(p.device))
        for k, p in tuned.module_.autoencoder.state_dict().items()
        if "encoder" in k
    ]
    assert any(moved)  # fine-tuning trains the encoder
    # The autoencoder itself is never changed.
    for k, v in autoencoder.module_.state_dict().items():
        assert torch.equal(v, before[k])


def test_pretrained_codings_carry_the_classes(autoencoder, digits_split):
    X_train, X_test, y_train, y_test, labelled = digits_split
    params = dict(freeze_encoder=True, max_iter=200, random_state=0)
    pretrained = EncoderClassifier(autoencoder, **params).fit(X_train[labelled], y_train[labelled])
    random = EncoderClassifier(StackedAutoencoder(16, hidden_layer_sizes=(64,)), **params).fit(
        X_train[labelled], y_train[labelled]
    )
    assert not random.pretrained_
    # 100 labels on a frozen encoder: what it learnt without labels is what
    # the linear head can use.
    assert pretrained.score(X_test, y_test) > random.score(X_test, y_test) + 0.1
    assert pretrained.score(X_test, y_test) > 0.7


def test_labels_probabilities_and_reproducibility(autoencoder, digits_split):
    X_train, X_test, y_train, _, labelled = digits_split
    names = np.array(list("abcdefghij"))[y_train[labelled]]
    state = torch.random.get_rng_state()
    clf = EncoderClassifier(autoencoder, max_iter=5, random_state=0).fit(X_train[labelled], names)
    again = EncoderClassifier(autoencoder, max_iter=5, random_state=0).fit(X_train[labelled], names)
    assert torch.equal(torch.random.get_rng_state(), state)
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 10)
    np.testing.assert_allclose(proba.sum(1), 1)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(1)])
    assert set(clf.predict(X_test)) <= set("abcdefghij")
    np.testing.assert_array_equal(proba, again.predict_proba(X_test))


def test_a_frozen_estimator_keeps_the_pretraining_through_clone(autoencoder, digits_split):
    X_train, _, y_train, _, labelled = digits_split
    clf = EncoderClassifier(FrozenEstimator(autoencoder), max_iter=5, random_state=0)
    scores = cross_val_score(clf, X_train[labelled], y_train[labelled], cv=2)
    assert scores.shape == (2,)
    assert clf.fit(X_train[labelled], y_train[labelled]).pretrained_
    # Without the wrapper, clone (as in cross_val_score) drops the weights.
    from sklearn.base import clone

    assert not clone(EncoderClassifier(autoencoder)).autoencoder.__sklearn_is_fitted__()


def test_images_go_through_a_convolutional_encoder():
    data = load_digits()
    images, y = data.images / 16, data.target
    ae = ConvolutionalAutoencoder(8, channels=(8,), max_iter=3, random_state=0).fit(images)
    clf = EncoderClassifier(ae, max_iter=3, random_state=0).fit(images[:200], y[:200])
    assert clf.predict(images[200:210]).shape == (10,)


def test_bad_input_is_named(autoencoder, digits_split):
    X_train, _, y_train, _, labelled = digits_split
    X, y = X_train[labelled], y_train[labelled]
    with pytest.raises(
        InvalidParameterError,
        match="'autoencoder' parameter of EncoderClassifier must be an instance of",
    ):
        EncoderClassifier(VariationalAutoencoder()).fit(X, y)
    with pytest.raises(ValueError, match="requires y to be passed"):
        EncoderClassifier(autoencoder).fit(X)
    with pytest.raises(ValueError, match="at least 2 classes; y has 1 class"):
        EncoderClassifier(autoencoder).fit(X, np.zeros(len(X)))
    clf = EncoderClassifier(autoencoder, max_iter=1)
    with pytest.raises(
        ValueError,
        match=r"X has samples of shape \(32,\), but the "
        r"autoencoder was fitted on samples of shape \(64,\)",
    ):
        clf.fit(X[:, :32], y)
    assert not hasattr(clf, "net_")


def test_a_warm_start_can_unfreeze_the_encoder(autoencoder, digits_split):
    X_train, _, y_train, _, labelled = digits_split
    X, y = X_train[labelled], y_train[labelled]
    clf = EncoderClassifier(
        autoencoder, freeze_encoder=True, warm_start=True, max_iter=5, random_state=0
    ).fit(X, y)
    encoder = lambda: [p.detach().clone() for p in clf.module_.autoencoder.parameters()]  # noqa: E731
    head_only = encoder()
    assert all(
        torch.equal(a, b.to(a.device)) for a, b in zip(head_only, autoencoder.module_.parameters())
    )
    clf.set_params(freeze_encoder=False).fit(X, y)
    assert any(not torch.equal(a, b) for a, b in zip(head_only, encoder()))
