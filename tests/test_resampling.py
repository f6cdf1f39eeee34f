"""GenerativeResampler: minority rows drawn by a generator, imbalanced-learn style."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skgen import DDPM, GenerativeResampler, VariationalAutoencoder

from estimators import make
from test_tables import mixed_table


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    X = np.r_[
        rng.normal(0, 1, (200, 2)), rng.normal(4, 0.5, (20, 2)), rng.normal((0, 5), 0.5, (40, 2))
    ].astype(np.float32)
    y = np.array(["common"] * 200 + ["rare"] * 20 + ["middle"] * 40)
    return X, y


def resampler(**params):
    return GenerativeResampler(make(DDPM, max_iter=150, device="cpu"), random_state=0, **params)


@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {"common": 200, "rare": 200, "middle": 200}),
        ("not majority", {"common": 200, "rare": 200, "middle": 200}),
        ("minority", {"common": 200, "rare": 200, "middle": 40}),
        ({"rare": 50}, {"common": 200, "rare": 50, "middle": 40}),
    ],
)
def test_it_adds_the_rows_the_strategy_asks_for(strategy, expected, blobs):
    X, y = blobs
    X_res, y_res = resampler(sampling_strategy=strategy).fit_resample(X, y)
    classes, counts = np.unique(y_res, return_counts=True)
    assert dict(zip(classes, counts)) == expected
    assert X_res.dtype == X.dtype and y_res.dtype == y.dtype
    np.testing.assert_array_equal(X_res[: len(X)], X)  # the real rows first, unchanged


def test_new_rows_belong_to_their_class(blobs):
    X, y = blobs
    X_res, y_res = resampler().fit_resample(X, y)
    new, labels = X_res[len(X) :], y_res[len(X) :]
    rare = new[labels == "rare"]
    # The rare class sits around (4, 4): its new rows are there too.
    assert np.linalg.norm(rare.mean(0) - X[y == "rare"].mean(0)) < 1.0
    assert np.linalg.norm(rare.mean(0) - X[y == "common"].mean(0)) > 3.0
    again = resampler().fit_resample(X, y)
    np.testing.assert_array_equal(again[0], X_res)


def test_a_table_of_mixed_types_is_resampled_with_its_schema():
    table = mixed_table(300)
    y = table.pop("student").to_numpy()
    # A column that one class never fills stays empty in its new rows.
    table["income"] = table["income"].mask(y == "yes")
    model = make(VariationalAutoencoder, n_components=4, max_iter=40, device="cpu")
    resampler = GenerativeResampler(model, sampling_strategy=1.0, random_state=0)
    X_res, y_res = resampler.fit_resample(table, y)
    assert X_res.dtypes.equals(table.dtypes) and list(X_res.columns) == list(table.columns)
    assert X_res.iloc[: len(table)].equals(table.reset_index(drop=True))
    values, counts = np.unique(y_res, return_counts=True)
    assert counts[0] == counts[1] == (y == "no").sum()
    new = X_res.iloc[len(table) :]
    assert set(y_res[len(table) :]) == {"yes"} and list(resampler.estimators_) == ["yes"]
    assert new["income"].isna().all()
    # Students are older in the data; the new student rows are too.
    ages = table.groupby(y)["age"].mean()
    assert new["age"].mean() - ages["no"] > 0.5 * (ages["yes"] - ages["no"])


def test_it_works_in_an_imbalanced_learn_pipeline(blobs):
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from sklearn.model_selection import cross_val_score

    X, y = blobs
    pipe = make_pipeline(resampler(), LogisticRegression(max_iter=500))
    scores = cross_val_score(pipe, X, y, cv=3, scoring="f1_macro")
    assert scores.mean() > 0.8


def test_bad_strategies_and_generators_are_named(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"sampling_strategy names classes \['gone'\]"):
        resampler(sampling_strategy={"gone": 10}).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"fewer rows than there are of classes \['rare'\]"):
        resampler(sampling_strategy={"rare": 5}).fit_resample(X, y)
    with pytest.raises(ValueError, match="A float sampling_strategy is for two classes"):
        resampler(sampling_strategy=0.5).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter of GenerativeResampler"):
        GenerativeResampler(LogisticRegression()).fit_resample(X, y)
    with pytest.raises(ValueError, match="X has 260 rows but y has 3"):
        resampler().fit_resample(X, y[:3])
