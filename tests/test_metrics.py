"""Two-sample distances: closed forms and known answers."""

import numpy as np
import pytest
from scipy import stats
from sklearn.decomposition import PCA

from skgen.datasets import make_ring_of_gaussians
from skgen.metrics import energy_distance, frechet_distance, mmd, mode_coverage


def gaussian(mean, cov, n, seed):
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=n)


def test_frechet_distance_of_two_gaussians_matches_the_analytic_value():
    mu1, mu2 = np.array([0.0, 1.0]), np.array([2.0, -1.0])
    cov1 = np.array([[1.0, 0.3], [0.3, 0.5]])
    cov2 = np.array([[2.0, -0.2], [-0.2, 1.0]])
    from scipy.linalg import sqrtm

    expected = (
        np.sum((mu1 - mu2) ** 2)
        + np.trace(cov1)
        + np.trace(cov2)
        - 2 * np.trace(np.real(sqrtm(cov1 @ cov2)))
    )
    got = frechet_distance(gaussian(mu1, cov1, 200_000, 0), gaussian(mu2, cov2, 200_000, 1))
    assert got == pytest.approx(expected, rel=0.01)


def test_frechet_distance_in_one_dimension_is_the_gaussian_w2():
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2.
    x = np.random.default_rng(0).normal(1.0, 2.0, size=(100_000, 1))
    y = np.random.default_rng(1).normal(-1.0, 0.5, size=(100_000, 1))
    assert frechet_distance(x, y) == pytest.approx(4.0 + 1.5**2, rel=0.01)


def test_frechet_distance_survives_singular_covariances():
    rng = np.random.default_rng(0)
    low_rank = rng.normal(size=(500, 2)) @ rng.normal(size=(2, 10))  # rank 2 in 10-D
    value = frechet_distance(low_rank, low_rank + 1.0)
    assert np.isfinite(value) and value == pytest.approx(10.0, rel=1e-3)
    assert frechet_distance(low_rank, low_rank) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_in_a_feature_space():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(500, 5)), rng.normal(size=(500, 5)) + 2.0
    pca = PCA(2).fit(X)
    assert frechet_distance(X, Y, features=pca.transform) == pytest.approx(
        frechet_distance(pca.transform(X), pca.transform(Y))
    )


def test_mmd_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    same = [mmd(rng.normal(size=(200, 2)), rng.normal(size=(200, 2))) for _ in range(10)]
    assert abs(np.mean(same)) < 0.005  # unbiased: zero on average
    shifts = [
        mmd(rng.normal(size=(200, 2)), rng.normal(s, 1, size=(200, 2)), gamma=0.5)
        for s in (0.5, 1.0, 2.0)
    ]
    assert shifts[0] < shifts[1] < shifts[2]


def test_mmd_with_an_explicit_gamma_matches_a_direct_computation():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))

    def k(a, b):
        return np.exp(-0.3 * np.sum((a - b) ** 2))

    kxx = np.mean([k(X[i], X[j]) for i in range(5) for j in range(5) if i != j])
    kyy = np.mean([k(Y[i], Y[j]) for i in range(4) for j in range(4) if i != j])
    kxy = np.mean([k(a, b) for a in X for b in Y])
    assert mmd(X, Y, gamma=0.3) == pytest.approx(kxx + kyy - 2 * kxy)


def test_energy_distance_matches_scipy_in_one_dimension():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3000), rng.normal(1.0, 2.0, size=3000)
    # scipy's 1-D energy distance is sqrt(2 E|X-Y| - E|X-X'| - E|Y-Y'|), biased.
    ours = energy_distance(x[:, None], y[:, None])
    assert np.sqrt(ours) == pytest.approx(stats.energy_distance(x, y), rel=0.02)


def test_distances_reject_mismatched_features():
    for fn in (mmd, energy_distance, frechet_distance):
        with pytest.raises(ValueError, match="same number of features; got 2 and 3"):
            fn(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="The 'gamma' parameter of mmd"):
        mmd(np.zeros((5, 2)), np.zeros((5, 2)), gamma=-1)


def test_mode_coverage_counts_covered_modes_and_near_share():
    X, y, centers = make_ring_of_gaussians(800, std=0.05, random_state=0)
    # In 2-D, P(||N(0, s^2 I)|| < 3 s) = 1 - exp(-9 / 2).
    assert mode_coverage(X, centers, radius=0.15) == (8, pytest.approx(1 - np.exp(-4.5), abs=0.01))
    collapsed = X[y == 3]
    assert mode_coverage(collapsed, centers, radius=0.15)[0] == 1
    far = X * 3
    assert mode_coverage(far, centers, radius=0.15) == (0, 0.0)


def test_ring_of_gaussians_is_reproducible_and_shaped():
    X, y, centers = make_ring_of_gaussians(500, n_modes=5, radius=3.0, random_state=1)
    np.testing.assert_array_equal(
        X, make_ring_of_gaussians(500, n_modes=5, radius=3.0, random_state=1)[0]
    )
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0)
    assert set(np.unique(y)) == set(range(5))
    assert np.abs(X - centers[y]).max() < 0.5


# -- precision, recall, density, coverage ------------------------------------
from skgen.metrics import (  # noqa: E402
    classifier_two_sample_score,
    make_generation_scorer,
    memorization_ratio,
    precision_recall_density_coverage,
)


def test_prdc_known_answers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    p, r, d, c = precision_recall_density_coverage(X, X)
    assert (p, r, c) == (1.0, 1.0, 1.0)
    assert d == pytest.approx(6 / 5)  # its own ball and k = 5 others, on average
    far = precision_recall_density_coverage(X, X + 100.0)
    assert far == (0.0, 0.0, 0.0, 0.0)
    # Two real modes; the generator covers one of them.
    real = np.vstack([rng.normal(-5, 1, (300, 2)), rng.normal(5, 1, (300, 2))])
    one_mode = rng.normal(-5, 1, (300, 2))
    p, r, d, c = precision_recall_density_coverage(real, one_mode)
    assert p > 0.9
    assert r == pytest.approx(0.5, abs=0.06) and c == pytest.approx(0.5, abs=0.06)
    # Samples crowded at one point of the data: faithful, but no coverage.
    crowded = np.zeros((300, 2)) + rng.normal(scale=0.01, size=(300, 2))
    p, r, d, c = precision_recall_density_coverage(X, crowded)
    assert p == 1.0 and c < 0.05 and r < 0.05
    with pytest.raises(ValueError, match="n_neighbors=5 must be smaller"):
        precision_recall_density_coverage(X[:4], X)


def test_classifier_two_sample_score_known_answers():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 3))
    same = classifier_two_sample_score(real, rng.normal(size=(400, 3)))
    assert abs(same - 0.5) < 0.08
    assert classifier_two_sample_score(real, rng.normal(4, 1, size=(400, 3))) > 0.99
    # a linear classifier cannot see a variance difference; the default can
    from sklearn.linear_model import LogisticRegression

    wide = rng.normal(scale=3, size=(400, 3))
    assert classifier_two_sample_score(real, wide) > 0.8
    assert classifier_two_sample_score(real, wide, estimator=LogisticRegression()) < 0.65
    with pytest.raises(ValueError, match="cv=5 folds need at least 5 real"):
        classifier_two_sample_score(real[:3], wide)


def test_memorization_ratio_detects_copies():
    rng = np.random.default_rng(0)
    train, holdout = rng.normal(size=(600, 2)), rng.normal(size=(600, 2))
    copies = train[:200] + rng.normal(scale=1e-4, size=(200, 2))
    fresh = rng.normal(size=(200, 2))
    assert memorization_ratio(train, copies, holdout) < 0.01
    assert memorization_ratio(train, fresh, holdout) == pytest.approx(1.0, abs=0.2)
    # a larger training set is subsampled, so density alone does not count
    big_train = rng.normal(size=(6000, 2))
    assert memorization_ratio(big_train, fresh, holdout) == pytest.approx(1.0, abs=0.2)


def test_generation_scorer_samples_and_ranks_models():
    from sklearn.model_selection import GridSearchCV

    from skgen import DDPM

    X = rng_ring = np.random.default_rng(0).normal(size=(400, 2)) * [1.0, 0.2]
    good = DDPM(n_timesteps=50, max_iter=20, random_state=0).fit(X)
    bad = DDPM(n_timesteps=50, max_iter=1, learning_rate_init=1e-5, random_state=0).fit(X)
    for name in ("energy_distance", "mmd", "coverage", "classifier_two_sample"):
        scorer = make_generation_scorer(name, n_samples=300)
        assert scorer(good, rng_ring) > scorer(bad, rng_ring), name
    # callable metric with its direction
    mean_gap = lambda a, b: float(np.abs(a.mean(0) - b.mean(0)).sum())  # noqa: E731
    assert make_generation_scorer(mean_gap)(good, X) <= 0
    assert make_generation_scorer(mean_gap, greater_is_better=True)(good, X) >= 0
    search = GridSearchCV(
        DDPM(n_timesteps=50, random_state=0),
        {"max_iter": [1, 20]},
        cv=2,
        scoring=make_generation_scorer("energy_distance"),
    ).fit(X)
    assert search.best_params_ == {"max_iter": 20}
    with pytest.raises(ValueError, match="greater_is_better is only for callable metrics"):
        make_generation_scorer("mmd", greater_is_better=True)
    with pytest.raises(ValueError, match="'metric' parameter of make_generation_scorer"):
        make_generation_scorer("fid")


def test_generation_scorer_draws_the_fold_classes_of_a_conditional_model():
    from skgen import GAN

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 100)
    X = np.c_[np.where(y == 0, -3.0, 3.0), np.zeros(200)] + rng.normal(scale=0.3, size=(200, 2))
    # 120 steps: too few for the R1 penalty's flatter discriminator to teach the
    # classes apart; this test is about the scorer, so the penalty is off.
    gan = GAN(
        n_components=4, conditional=True, max_iter=30, batch_size=64, r1_penalty=0, random_state=0
    ).fit(X, y)
    scorer = make_generation_scorer("energy_distance")
    right = scorer(gan, X, y)
    assert right > scorer(gan, X, 1 - y)  # swapped labels draw the wrong classes
    with pytest.raises(ValueError, match="pass y to the search's fit"):
        scorer(gan, X)


# -- classifier features -------------------------------------------------------
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skgen.metrics import ClassifierFeatures  # noqa: E402


@parametrize_with_checks([ClassifierFeatures(hidden_layer_sizes=(8,), max_iter=20)])
def test_classifier_features_is_an_sklearn_transformer(estimator, check):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_classifier_features_are_the_penultimate_layer(digits):
    features = ClassifierFeatures(max_iter=200).fit(digits["images_train"], digits["y_train"])
    H = features.transform(digits["images_test"])
    assert H.shape == (len(digits["images_test"]), 64) and (H >= 0).all()
    clf = features.classifier_
    logits = H @ clf.coefs_[-1] + clf.intercepts_[-1]
    proba = np.exp(logits - logits.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    np.testing.assert_allclose(proba, clf.predict_proba(digits["X_test"]), rtol=1e-6)
    # Frechet distance in this space: held-out digits are close, one class is far
    X_tr, X_te, y_te = digits["X_train"], digits["X_test"], digits["y_test"]
    near = frechet_distance(X_tr, X_te, features=features)
    ones_only = frechet_distance(X_tr, X_te[y_te == 1], features=features)
    noise = frechet_distance(X_tr, np.random.default_rng(0).random(X_te.shape), features=features)
    assert near < ones_only / 5 and near < noise / 5
