"""OutlierDetector: scikit-learn's outlier API on skgen's generative models."""

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import KFold
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils._param_validation import InvalidParameterError

import skgen
from skgen import (
    DDPM,
    GAN,
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    OutlierDetector,
    StackedAutoencoder,
    VariationalAutoencoder,
)

MODELS = {
    "stacked": StackedAutoencoder(8, hidden_layer_sizes=(64,), max_iter=40, random_state=0),
    "denoising": DenoisingAutoencoder(8, hidden_layer_sizes=(64,), max_iter=40, random_state=0),
    "vae": VariationalAutoencoder(4, hidden_layer_sizes=(64,), max_iter=40, random_state=0),
    "ddpm": DDPM(n_timesteps=50, hidden_width=64, n_blocks=2, max_iter=40, random_state=0),
}


@pytest.fixture(scope="module")
def zeros_and_others():
    """Normal data: digit 0 (two thirds train); outliers: the other digits."""
    X, y = load_digits(return_X_y=True)
    X = X / 16
    zeros = np.flatnonzero(y == 0)
    train, held_out = zeros[: 2 * len(zeros) // 3], zeros[2 * len(zeros) // 3 :]
    others = np.flatnonzero(y != 0)[::4]
    return X[train], X[held_out], X[others]


@pytest.fixture(scope="module")
def fitted(zeros_and_others):
    X_train = zeros_and_others[0]
    return {
        name: OutlierDetector(model, contamination=0.1).fit(X_train)
        for name, model in MODELS.items()
    }


@pytest.mark.parametrize("name", MODELS)
def test_every_family_tells_other_digits_from_the_normal_one(name, fitted, zeros_and_others):
    detector = fitted[name]
    _, normal, others = zeros_and_others
    scores = detector.score_samples(np.r_[normal, others])
    is_normal = np.r_[np.ones(len(normal)), np.zeros(len(others))]
    assert roc_auc_score(is_normal, scores) > 0.95
    # The threshold from 10% of the training rows keeps most new zeros and
    # rejects most other digits.
    assert (detector.predict(normal) == 1).mean() > 0.6
    assert (detector.predict(others) == -1).mean() > 0.8


@pytest.mark.parametrize("name", MODELS)
def test_scores_do_not_depend_on_batching_or_row_order(name, fitted, zeros_and_others):
    detector = fitted[name]
    X = np.r_[zeros_and_others[1], zeros_and_others[2][:40]]
    whole = detector.score_samples(X)
    in_pieces = np.concatenate([detector.score_samples(X[i : i + 7]) for i in range(0, len(X), 7)])
    order = np.random.RandomState(0).permutation(len(X))
    np.testing.assert_allclose(in_pieces, whole, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        detector.score_samples(X[order]), whole[order], rtol=1e-10, atol=1e-12
    )
    np.testing.assert_array_equal(detector.predict(X[order]), detector.predict(X)[order])


def test_the_detector_is_reproducible_with_the_model_random_state(zeros_and_others):
    X_train, normal, _ = zeros_and_others
    model = MODELS["vae"]
    first = OutlierDetector(model).fit(X_train)
    again = OutlierDetector(model).fit(X_train)
    other = OutlierDetector(clone(model).set_params(random_state=1)).fit(X_train)
    np.testing.assert_array_equal(first.score_samples(normal), again.score_samples(normal))
    assert first.offset_ == again.offset_
    assert not np.allclose(first.score_samples(normal), other.score_samples(normal))


@pytest.mark.parametrize("contamination", [0.05, 0.2, 0.5])
def test_a_contamination_fraction_flags_that_share_of_the_training_rows(
    contamination, fitted, zeros_and_others
):
    X_train = zeros_and_others[0]
    detector = clone(fitted["stacked"]).set_params(contamination=contamination)
    labels = detector.fit_predict(X_train)
    assert set(np.unique(labels)) == {-1, 1}
    assert abs((labels == -1).mean() - contamination) <= 1 / len(X_train)
    # fit_predict reuses the training scores: the same as fit(X).predict(X).
    np.testing.assert_array_equal(labels, detector.predict(X_train))
    scores = detector.score_samples(X_train)
    assert detector.offset_ == pytest.approx(np.percentile(scores, 100 * contamination))
    np.testing.assert_allclose(detector.decision_function(X_train), scores - detector.offset_)


def test_auto_contamination_puts_the_threshold_at_tukeys_fence(fitted, zeros_and_others):
    X_train, normal, others = zeros_and_others
    detector = clone(fitted["denoising"]).set_params(contamination="auto").fit(X_train)
    scores = detector.score_samples(X_train)
    q1, q3 = np.percentile(scores, [25, 75])
    assert detector.offset_ == pytest.approx(q1 - 1.5 * (q3 - q1))
    # A rule, not a fraction: few normal training rows fall below it, most
    # other digits do.
    assert (detector.predict(X_train) == -1).mean() < 0.15
    assert (detector.predict(others) == -1).mean() > 0.8


def test_the_detector_works_inside_a_pipeline_and_around_any_density_model(zeros_and_others):
    X_train, normal, others = zeros_and_others
    pipe = make_pipeline(MinMaxScaler(), OutlierDetector(MODELS["stacked"])).fit(X_train * 16)
    direct = OutlierDetector(MODELS["stacked"]).fit(MinMaxScaler().fit_transform(X_train * 16))
    np.testing.assert_allclose(
        pipe.score_samples(normal * 16),
        direct.score_samples(MinMaxScaler().fit(X_train * 16).transform(normal * 16)),
    )
    assert set(pipe.predict(others * 16)) <= {-1, 1}
    # Any estimator with fit and score_samples: a scikit-learn mixture.
    mixture = OutlierDetector(
        GaussianMixture(2, reg_covar=0.05, random_state=0), contamination=0.1
    ).fit(X_train)
    assert (mixture.predict(others) == -1).mean() > 0.8


def test_image_models_score_image_arrays():
    images = load_digits().images / 16
    y = load_digits().target
    model = ConvolutionalAutoencoder(4, channels=(8,), max_iter=10, random_state=0)
    detector = OutlierDetector(model, contamination=0.1).fit(images[y == 1])
    assert detector.n_features_in_ == 64
    assert detector.score_samples(images[:5]).shape == (5,)
    assert set(detector.predict(images[:30])) <= {-1, 1}


def test_an_unfitted_detector_has_no_fitted_attributes():
    detector = OutlierDetector(MODELS["stacked"])
    assert not hasattr(detector, "n_features_in_")
    assert not hasattr(detector, "offset_")


def test_bad_estimators_and_contamination_are_refused_by_name(zeros_and_others):
    X_train = zeros_and_others[0]
    with pytest.raises(
        InvalidParameterError,
        match="'estimator' parameter of OutlierDetector must be an object "
        "implementing 'fit' and 'score_samples'",
    ):
        OutlierDetector(GAN(max_iter=1)).fit(X_train)
    with pytest.raises(InvalidParameterError, match="'contamination' parameter"):
        OutlierDetector(MODELS["stacked"], contamination=0.7).fit(X_train)
    with pytest.raises(
        ValueError,
        match=r"unconditional model; VariationalAutoencoder"
        r"\(conditional=True\)",
    ):
        OutlierDetector(VariationalAutoencoder(conditional=True)).fit(X_train)


class _NaNScores(BaseEstimator):
    """A model whose training diverged: some scores are NaN."""

    def fit(self, X, y=None):
        self.n_features_in_ = X.shape[1]
        return self

    def score_samples(self, X):
        scores = -np.abs(X).sum(1)
        scores[:3] = np.nan
        return scores


def test_non_finite_training_scores_fail_and_a_failed_refit_keeps_the_last_fit(zeros_and_others):
    X_train = zeros_and_others[0]
    detector = OutlierDetector(PCA(3)).fit(X_train)
    estimator, offset = detector.estimator_, detector.offset_
    with pytest.raises(
        ValueError,
        match=r"gives 3 of the \d+ training samples a score "
        "that is NaN or infinite",
    ):
        detector.set_params(estimator=_NaNScores()).fit(X_train)
    assert detector.estimator_ is estimator and detector.offset_ == offset
    with pytest.raises(ValueError, match="X has 5 features, but"):
        detector.predict(X_train[:, :5])


@pytest.mark.parametrize("name", ["vae", "ddpm"])
def test_a_saved_detector_loads_without_pickle_and_flags_the_same_rows(
    name, fitted, zeros_and_others, tmp_path
):
    detector = clone(fitted[name]).set_params(cv=3).fit(zeros_and_others[0])
    X = np.r_[zeros_and_others[1], zeros_and_others[2]]
    loaded = skgen.load(detector.save(tmp_path / "detector"))
    assert isinstance(loaded, OutlierDetector)
    assert loaded.offset_ == detector.offset_
    assert loaded.get_params()["contamination"] == detector.contamination
    assert loaded.cv == 3
    np.testing.assert_array_equal(loaded.score_samples(X), detector.score_samples(X))
    np.testing.assert_array_equal(loaded.predict(X), detector.predict(X))
    # The detector's estimator parameter is the model unfitted, as at fit.
    assert not hasattr(loaded.estimator, "net_")
    assert type(loaded.estimator) is type(detector.estimator)


def test_saving_needs_a_fitted_detector_around_a_skgen_model(fitted, zeros_and_others, tmp_path):
    with pytest.raises(NotFittedError):
        OutlierDetector(MODELS["stacked"]).save(tmp_path / "unfitted")
    with pytest.raises(ValueError, match=r"cannot be saved with cv=KFold.*set_params\(cv=None\)"):
        clone(fitted["stacked"]).set_params(cv=KFold(2)).fit(zeros_and_others[0]).save(
            tmp_path / "kfold"
        )
    density = OutlierDetector(KernelDensity(bandwidth=0.5)).fit(zeros_and_others[0])
    with pytest.raises(
        TypeError,
        match="estimator is a KernelDensity, which skgen cannot save. Use pickle or joblib",
    ):
        density.save(tmp_path / "density")
    assert not (tmp_path / "density").exists()
    # scikit-learn's GaussianMixture is stored as data, like skgen's models.
    mixture = OutlierDetector(GaussianMixture(1, random_state=0)).fit(zeros_and_others[0])
    loaded = skgen.load(mixture.save(tmp_path / "mixture"))
    np.testing.assert_array_equal(
        loaded.decision_function(zeros_and_others[1]),
        mixture.decision_function(zeros_and_others[1]),
    )


@pytest.mark.parametrize(
    "edit, error, message",
    [
        (
            lambda c: c["params"].update(contamination=2.0),
            InvalidParameterError,
            "'contamination' parameter of OutlierDetector",
        ),
        (
            lambda c: c["attributes"].update(offset_="low"),
            ValueError,
            "must hold offset_, a finite number",
        ),
        (
            lambda c: c["attributes"]["estimator_"]["__model__"]["params"].update(n_layers=3),
            ValueError,
            r"sets parameters \['n_layers'\] that StackedAutoencoder does not have",
        ),
        (lambda c: c.update(extra=1), ValueError, r"has unknown entries \['extra'\]"),
    ],
)
def test_a_tampered_detector_config_gets_a_clear_error(edit, error, message, fitted, tmp_path):
    path = fitted["stacked"].save(tmp_path / "detector")
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(error, match=message):
        skgen.load(path)


def test_a_memory_mapped_training_set_streams_through_the_detector(zeros_and_others, tmp_path):
    X_train, normal, others = zeros_and_others
    np.save(tmp_path / "train.npy", X_train.astype(np.float32))
    mapped = np.load(tmp_path / "train.npy", mmap_mode="r")
    detector = OutlierDetector(MODELS["stacked"], contamination=0.1)
    labels = detector.fit_predict(mapped)
    assert abs((labels == -1).mean() - 0.1) <= 1 / len(X_train)
    assert detector.offset_ == pytest.approx(np.percentile(detector.score_samples(mapped), 10))
    assert (detector.predict(others) == -1).mean() > 0.8


def test_cv_sets_the_threshold_from_out_of_fold_scores(zeros_and_others):
    X_train, normal, others = zeros_and_others
    model = MODELS["denoising"]
    detector = OutlierDetector(model, contamination=0.1, cv=KFold(3)).fit(X_train)
    out_of_fold = np.empty(len(X_train))
    for train, test in KFold(3).split(X_train):
        out_of_fold[test] = clone(model).fit(X_train[train]).score_samples(X_train[test])
    assert detector.offset_ == pytest.approx(np.percentile(out_of_fold, 10))
    # The model itself is fitted on every row, as without cv.
    np.testing.assert_array_equal(
        detector.score_samples(normal), OutlierDetector(model).fit(X_train).score_samples(normal)
    )
    # Training scores are optimistic: a threshold from them rejects more
    # new normal digits than the 10% asked for; out-of-fold scores do not.
    from_training = OutlierDetector(model, contamination=0.1).fit(X_train)
    rejected = {
        "cv": (detector.predict(normal) == -1).mean(),
        "training": (from_training.predict(normal) == -1).mean(),
    }
    assert rejected["cv"] < rejected["training"]
    assert rejected["cv"] <= 0.2
    assert (detector.predict(others) == -1).mean() > 0.8
