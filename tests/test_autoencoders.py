"""What each autoencoder must do, on real (tiny) data."""

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from skgen import (
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)

from conftest import small


def held_out_mse(est, X_train, X_test):
    est.fit(X_train)
    recon = est.inverse_transform(est.transform(X_test))
    return float(np.mean((recon.reshape(X_test.shape) - X_test) ** 2))


@pytest.fixture(scope="module")
def linear_vs_pca(digits):
    k = 5
    ae = LinearAutoencoder(k, random_state=0)  # default settings
    ae_mse = held_out_mse(ae, digits["X_train"], digits["X_test"])
    pca = PCA(k)
    pca_mse = held_out_mse(pca, digits["X_train"], digits["X_test"])
    return ae, pca, ae_mse, pca_mse


def test_linear_autoencoder_learns_the_pca_subspace(linear_vs_pca):
    ae, pca, _, _ = linear_vs_pca
    decoder = ae.module_.decoder_linears[0].weight.detach().cpu().numpy()  # (64, k)
    angles = np.degrees(subspace_angles(decoder, pca.components_.T))
    assert angles.max() < 10, angles


def test_linear_autoencoder_matches_pca_reconstruction(linear_vs_pca):
    _, _, ae_mse, pca_mse = linear_vs_pca
    assert ae_mse <= 1.02 * pca_mse, (ae_mse, pca_mse)


@pytest.mark.parametrize("cls", [StackedAutoencoder, SparseAutoencoder, DenoisingAutoencoder])
def test_nonlinear_autoencoders_beat_pca_on_held_out_digits(cls, digits):
    k = 5
    pca_mse = held_out_mse(PCA(k), digits["X_train"], digits["X_test"])
    ae_mse = held_out_mse(cls(k, max_iter=40, random_state=0), digits["X_train"], digits["X_test"])
    assert ae_mse < 0.9 * pca_mse, (ae_mse, pca_mse)


def test_convolutional_autoencoder_beats_pca_on_images(digits):
    k = 5
    pca_mse = held_out_mse(PCA(k), digits["X_train"], digits["X_test"])
    ae = ConvolutionalAutoencoder(k, channels=(16, 32), max_iter=25, batch_size=32, random_state=0)
    ae_mse = held_out_mse(ae, digits["images_train"], digits["images_test"])
    assert ae_mse < 0.9 * pca_mse, (ae_mse, pca_mse)


def test_tied_weights_share_the_encoder_weights(digits):
    X = digits["X_train"]
    tied = StackedAutoencoder(5, tied_weights=True, max_iter=30, random_state=0)
    tied_mse = held_out_mse(tied, X, digits["X_test"])
    untied = small(StackedAutoencoder, hidden_layer_sizes=(100,), n_components=5).fit(X)
    n_tied = sum(p.numel() for p in tied.module_.parameters())
    n_untied = sum(p.numel() for p in untied.module_.parameters())
    assert n_untied - n_tied == 64 * 100 + 100 * 5
    # The decoder really uses the transposed encoder weight.
    module = tied.module_
    z = torch.randn(4, 5, device=module.encoder_linears[1].weight.device)
    expected = torch.nn.functional.linear(
        z, module.encoder_linears[1].weight.t(), module.decoder_linears[1].bias
    )
    with torch.no_grad():
        layer_out = module.decoder_linears[1](z, module.encoder_linears[1].weight)
    torch.testing.assert_close(layer_out, expected)
    # Half the weights, still far better than PCA.
    pca_mse = held_out_mse(PCA(5), X, digits["X_test"])
    assert tied_mse < 0.8 * pca_mse, (tied_mse, pca_mse)


def test_greedy_pretraining_trains_each_level_then_fine_tunes(digits):
    X = digits["X_train"]
    est = StackedAutoencoder(
        5, hidden_layer_sizes=(32,), greedy_pretraining=True, max_iter=8, random_state=0
    ).fit(X)
    curves = est.pretraining_loss_curves_
    assert len(curves) == 2 and all(len(c) == 8 for c in curves)
    assert all(c[-1] < c[0] for c in curves)
    assert est.n_iter_ == 8
    # Fine-tuning starts from the stacked shallow autoencoders, so its first
    # epoch is already far better than a network trained from scratch for one.
    scratch = StackedAutoencoder(5, hidden_layer_sizes=(32,), max_iter=1, random_state=0)
    assert est.loss_curve_[0] < scratch.fit(X).loss_curve_[0]


def test_greedy_pretraining_off_by_default(digits):
    est = small(StackedAutoencoder).fit(digits["X_train"][:100])
    assert est.pretraining_loss_curves_ is None


@pytest.mark.parametrize("target", [0.05, 0.2])
def test_sparse_autoencoder_mean_activation_lands_near_target(target, digits):
    X = digits["X_train"]
    est = SparseAutoencoder(
        100, sparsity_target=target, sparsity_weight=0.05, max_iter=30, random_state=0
    ).fit(X)
    mean_activation = est.transform(X).mean()
    assert abs(mean_activation - target) < 0.3 * target, mean_activation
    # Overcomplete: 100 codings for 64 features is allowed.
    assert est.transform(X).shape == (len(X), 100)


def test_sparse_l1_penalty_shrinks_codings(digits):
    X = digits["X_train"]
    weak = SparseAutoencoder(
        50, sparsity="l1", sparsity_weight=0.0, max_iter=15, random_state=0
    ).fit(X)
    strong = SparseAutoencoder(
        50, sparsity="l1", sparsity_weight=1e-2, max_iter=15, random_state=0
    ).fit(X)
    assert strong.transform(X).mean() < 0.5 * weak.transform(X).mean()


def test_denoising_autoencoder_denoises(digits):
    rng = np.random.default_rng(0)
    X, clean = digits["X_train"], digits["X_test"]
    noisy = clean + rng.normal(scale=0.2, size=clean.shape)
    params = dict(n_components=30, max_iter=40, random_state=0)
    dae = DenoisingAutoencoder(noise_level=0.2, **params).fit(X)
    plain = StackedAutoencoder(**params).fit(X)

    def err(est):
        return np.mean((est.inverse_transform(est.transform(noisy)) - clean) ** 2)

    noise_err = np.mean((noisy - clean) ** 2)
    assert err(dae) < 0.5 * noise_err, (err(dae), noise_err)
    assert err(dae) < 0.8 * err(plain), (err(dae), err(plain))


def test_denoising_noise_only_during_training(digits):
    X = digits["X_train"][:200]
    est = small(DenoisingAutoencoder, noise="dropout", noise_level=0.5).fit(X)
    np.testing.assert_array_equal(est.transform(X), est.transform(X))


def test_dropout_noise_level_must_be_below_one(digits):
    est = small(DenoisingAutoencoder, noise="dropout", noise_level=1.0)
    with pytest.raises(ValueError, match="noise_level=1.0 is a dropout probability"):
        est.fit(digits["X_train"][:50])


def test_undercomplete_autoencoders_refuse_wide_codings():
    X = np.random.default_rng(0).random((20, 4))
    for cls in (LinearAutoencoder, StackedAutoencoder, ConvolutionalAutoencoder):
        with pytest.raises(ValueError, match="n_components=5 must be at most n_features=4"):
            small(cls, n_components=5).fit(X)
    for cls in (SparseAutoencoder, DenoisingAutoencoder):
        assert small(cls, n_components=5).fit(X).transform(X).shape == (20, 5)


@pytest.mark.parametrize(
    "shape, image_shape, expected",
    [
        ((8, 8), None, (8, 8)),
        ((28, 28), None, (28, 28)),
        ((7, 5, 3), None, (7, 5, 3)),
        ((64,), (8, 8), (64,)),
        ((30,), None, (30,)),
    ],
)
def test_convolutional_autoencoder_shapes(shape, image_shape, expected):
    X = np.random.default_rng(0).random((40, *shape)).astype(np.float32)
    est = small(
        ConvolutionalAutoencoder, n_components=4, image_shape=image_shape, channels=(4, 8, 8)
    ).fit(X)
    codes = est.transform(X)
    assert codes.shape == (40, 4) and codes.dtype == np.float32
    assert est.inverse_transform(codes).shape == (40, *expected)


def test_convolutional_image_shape_errors():
    X = np.zeros((5, 64))
    with pytest.raises(
        ValueError,
        match=r"image_shape=\(8, 7\) holds 56 values but X has "
        r"64 features",
    ):
        small(ConvolutionalAutoencoder, image_shape=(8, 7)).fit(X)
    with pytest.raises(ValueError, match=r"image_shape=\(4, 4\) does not match the images"):
        small(ConvolutionalAutoencoder, image_shape=(4, 4)).fit(np.zeros((5, 8, 8)))
    with pytest.raises(
        ValueError,
        match=r"'image_shape' parameter of ConvolutionalAutoencoder "
        r"must be \(height, width\) or",
    ):
        small(ConvolutionalAutoencoder, image_shape=(64,)).fit(X)
    with pytest.raises(ValueError, match="'channels' parameter of ConvolutionalAutoencoder"):
        small(ConvolutionalAutoencoder, channels=()).fit(np.zeros((5, 8, 8)))


def test_score_is_negative_reconstruction_mse(digits):
    X = digits["X_test"]
    est = small(StackedAutoencoder).fit(digits["X_train"])
    recon = est.inverse_transform(est.transform(X))
    np.testing.assert_allclose(est.score_samples(X), -((recon - X) ** 2).mean(1), rtol=1e-5)
    assert est.score(X) == pytest.approx(np.mean(est.score_samples(X)))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_pipeline_in_grid_search(n_jobs, digits):
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("ae", StackedAutoencoder(hidden_layer_sizes=(32,), max_iter=10, random_state=0)),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    )
    search = GridSearchCV(pipe, {"ae__n_components": [2, 10]}, cv=2, n_jobs=n_jobs)
    search.fit(digits["X_train"], digits["y_train"])
    scores = search.cv_results_["mean_test_score"]
    # More codings carry more class information.
    assert scores[1] > scores[0]
    assert search.best_params_ == {"ae__n_components": 10}
    assert search.score(digits["X_test"], digits["y_test"]) > 0.85


def test_unsupervised_grid_search_uses_score(digits):
    search = GridSearchCV(
        StackedAutoencoder(hidden_layer_sizes=(32,), max_iter=10, random_state=0),
        {"n_components": [2, 8]},
        cv=2,
    )
    search.fit(digits["X_train"])
    assert search.best_params_ == {"n_components": 8}


@pytest.mark.parametrize(
    "activation, scale, warns",
    [
        ("sigmoid", 16.0, True),
        ("sigmoid", 1.0, False),
        ("tanh", -1.5, True),
        ("tanh", 1.0, False),
        (None, 16.0, False),
    ],
)
def test_bounded_output_activation_warns_on_data_outside_its_range(activation, scale, warns):
    import warnings

    from skgen.exceptions import DataRangeWarning

    X = np.random.default_rng(0).random((40, 6)) * scale  # in [0, scale] or [scale, 0]
    for est in (
        StackedAutoencoder(2, output_activation=activation, max_iter=1),
        ConvolutionalAutoencoder(2, output_activation=activation, channels=(2,), max_iter=1),
    ):
        data = X.reshape(40, 2, 3) if isinstance(est, ConvolutionalAutoencoder) else X
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            est.fit(data)
        messages = [str(w.message) for w in caught if w.category is DataRangeWarning]
        assert bool(messages) is warns, messages
        if warns:
            assert f"output_activation={activation!r}" in messages[0]
            assert "MinMaxScaler" in messages[0]
