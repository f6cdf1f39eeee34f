"""The metrics of synthetic tables: each moves with what it claims to measure."""

import numpy as np
import pytest

from skgen.metrics import (
    column_shapes,
    detection_score,
    make_generation_scorer,
    ml_efficacy,
    pair_trends,
    privacy_scores,
)

pd = pytest.importorskip("pandas")


def table(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "y": 2 * x + rng.normal(0, 0.3, n),
            "kind": np.where(x + rng.normal(0, 0.3, n) > 0, "up", "down"),
            "n": rng.poisson(3, n),
            "city": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.choice(["Oslo", "Lima"], n)),
                dtype="string",
            ),
        }
    )


def test_column_shapes_is_one_minus_ks_or_total_variation():
    real = table()
    score, columns = column_shapes(real, real, return_columns=True)
    assert score == 1.0 and set(columns) == set(real.columns)
    # A shifted number lowers its column only, by its KS statistic.
    shifted = real.assign(x=real["x"] + 10)
    _, columns = column_shapes(real, shifted, return_columns=True)
    assert columns["x"] == 0.0 and columns["y"] == 1.0
    # Categories: total variation, a missing value counted as a category.
    real = pd.DataFrame({"c": ["a", "a", "b", None]})
    fake = pd.DataFrame({"c": ["a", "a", "a", "a"]})
    assert column_shapes(real, fake) == pytest.approx(0.5)
    assert column_shapes(real, fake.assign(c=["a", "a", "b", None])) == 1.0


def test_pair_trends_sees_a_lost_relation_that_column_shapes_does_not():
    real = table()
    rng = np.random.default_rng(1)
    # The same columns, each shuffled on its own: every marginal kept.
    shuffled = real.apply(lambda c: c.sample(frac=1, random_state=rng).to_numpy())
    assert column_shapes(real, shuffled) == 1.0
    score, pairs = pair_trends(real, shuffled, return_pairs=True)
    assert pair_trends(real, real) == 1.0 and score < 0.85
    # Correlation 0.99 against about 0: 1 - 0.99/2.
    assert pairs["x", "y"] == pytest.approx(0.5, abs=0.05)
    assert pairs["x", "kind"] < 0.75  # a number with a category: contingency
    assert pairs["n", "city"] > 0.9  # independent in the data: nothing lost


def test_detection_tells_a_shifted_table_and_not_a_fresh_draw():
    real = table()
    assert detection_score(real, table(seed=1)) < 0.62
    assert detection_score(real, real.assign(x=real["x"] + 3)) > 0.95
    # Every row "up": the real "down" rows give it away (an AUC of 0.75 at best).
    assert detection_score(real, real.assign(kind="up")) > 0.7


def test_ml_efficacy_scores_a_model_trained_on_the_rows():
    train, test = table(), table(seed=1)
    good = ml_efficacy(train, test, "kind")
    rng = np.random.default_rng(0)
    noise = train.assign(kind=rng.permutation(train["kind"].to_numpy()))
    assert good > 0.8 and ml_efficacy(noise, test, "kind") < good - 0.2
    # A numeric target: R²; rows without a target value are left out.
    assert ml_efficacy(train.assign(y=train["y"].mask(train.index % 9 == 0)), test, "y") > 0.8
    with pytest.raises(ValueError, match="target='z' is not a column"):
        ml_efficacy(train, test, "z")
    with pytest.raises(ValueError, match=r"lacks the real table's columns \['kind'\]"):
        ml_efficacy(train, test.drop(columns="kind"), "y")


def test_privacy_scores_catch_copies_and_not_fresh_rows():
    real = table(1200)
    train, holdout = real[:600], real[600:]
    copied = privacy_scores(train, train.sample(300, random_state=0), holdout)
    assert copied == {"exact_copies": 1.0, "closer_to_training": 1.0}
    fresh = privacy_scores(train, table(300, seed=5), holdout)
    assert fresh["exact_copies"] == 0.0
    assert 0.35 < fresh["closer_to_training"] < 0.65


class _Replay:
    """A stand-in generator whose samples are rows of a given table."""

    def __init__(self, rows):
        self.rows = rows

    def sample(self, n, random_state=None):
        return self.rows.sample(n, replace=True, random_state=random_state).reset_index(drop=True)


@pytest.mark.parametrize("metric", ["column_shapes", "pair_trends", "detection"])
def test_table_metrics_are_scorers_with_higher_is_better(metric):
    real = table()
    scorer = make_generation_scorer(metric, n_samples=400)
    good = scorer(_Replay(table(seed=2)), real)
    bad = scorer(_Replay(real.assign(kind="up", x=real["x"] + 3)), real)
    assert good > bad
