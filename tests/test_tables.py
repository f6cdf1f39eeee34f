"""Tables of mixed types: the encoder, and every generator fitted on a DataFrame."""

import copy

import numpy as np
import pytest
from sklearn.base import clone

import skgen
from skgen import DDPM, GAN, VariationalAutoencoder
from skgen.preprocessing import TableEncoder

from estimators import make

pd = pytest.importorskip("pandas")


def mixed_table(n=400, seed=0):
    """A table of every supported kind of column, with missing values."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    student = latent + rng.normal(0, 0.5, n) > 0.8
    return pd.DataFrame(
        {
            "age": np.clip(np.round(40 + 12 * latent), 18, 90).astype(np.int64),
            "student": np.where(student, "yes", "no"),
            "income": np.where(
                rng.random(n) < 0.15, np.nan, np.exp(8 + 0.4 * latent + rng.normal(0, 0.2, n))
            ),
            "grade": pd.Categorical(
                rng.choice(["low", "mid", "high"], n, p=[0.6, 0.3, 0.1]),
                categories=["low", "mid", "high"],
                ordered=True,
            ),
            "owner": rng.random(n) < 0.4,
            "children": pd.array(
                np.where(rng.random(n) < 0.1, None, rng.poisson(1.5, n)), dtype="Int64"
            ),
            "joined": pd.Timestamp("2020-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s"),
            "city": pd.array(
                np.where(rng.random(n) < 0.05, None, rng.choice(["Oslo", "Lima", "Pune"], n)),
                dtype="string",
            ),
        }
    )


# -- the encoder -----------------------------------------------------------------
@pytest.mark.parametrize("tz", [None, "UTC"])
def test_the_encoding_inverts_exactly(tz):
    table = mixed_table()
    # Missing datetimes, with and without a time zone.
    joined = table["joined"].dt.tz_convert(tz) if tz else table["joined"].dt.tz_localize(None)
    table["joined"] = joined.mask(np.arange(len(table)) % 7 == 0)
    encoder = TableEncoder().fit(table)
    Z = encoder.transform(table)
    assert Z.shape == (len(table), encoder.n_features_out_)
    assert len(encoder.get_feature_names_out()) == encoder.n_features_out_
    back = encoder.inverse_transform(Z)
    assert list(back.columns) == list(table.columns)
    assert back.dtypes.equals(table.dtypes)
    for name in table.columns:
        if table[name].dtype.kind == "f":
            np.testing.assert_allclose(back[name], table[name], rtol=1e-9)
        else:
            assert back[name].equals(table[name]), name


@pytest.mark.parametrize("numeric", ["quantile", "standard"])
def test_decoding_clips_numbers_rounds_integers_and_picks_categories(numeric):
    table = mixed_table()
    encoder = TableEncoder(numeric=numeric).fit(table)
    noisy = encoder.transform(table) + np.random.default_rng(1).normal(
        0, 3, (len(table), encoder.n_features_out_)
    )
    back = encoder.inverse_transform(noisy)
    assert back.dtypes.equals(table.dtypes)
    assert back["age"].between(table["age"].min(), table["age"].max()).all()
    income = back["income"].dropna()
    assert income.between(table["income"].min(), table["income"].max()).all()
    assert set(back["student"]) <= {"yes", "no"}
    assert list(back["grade"].cat.categories) == ["low", "mid", "high"]
    assert back["grade"].cat.ordered


def test_the_encoder_names_the_column_of_bad_input():
    table = mixed_table(50)
    with pytest.raises(ValueError, match="Column 'z' holds only missing values"):
        TableEncoder().fit(table.assign(z=np.nan))
    with pytest.raises(ValueError, match="Column 'z' has dtype complex128"):
        TableEncoder().fit(table.assign(z=np.ones(50) * 1j))
    with pytest.raises(
        ValueError,
        match=r"Column 'id' has 50 distinct values, more than "
        r"max_categories=20.*Drop it",
    ):
        TableEncoder(max_categories=20).fit(table.assign(id=[f"u{i}" for i in range(50)]))
    encoder = TableEncoder().fit(table)
    with pytest.raises(
        ValueError, match="Column 'student' holds values 'maybe' that were not seen during fit"
    ):
        encoder.transform(table.assign(student="maybe"))
    with pytest.raises(ValueError, match="Column 'age' has missing values, but had none"):
        encoder.transform(table.assign(age=np.nan))
    with pytest.raises(ValueError, match="columns .* differ from those seen during fit"):
        encoder.transform(table[table.columns[::-1]])


# -- generators on tables ---------------------------------------------------------
GENERATORS = {
    "vae": lambda: make(
        VariationalAutoencoder,
        n_components=4,
        hidden_layer_sizes=(32,),
        max_iter=60,
        batch_size=32,
        device="cpu",
    ),
    "gan": lambda: make(
        GAN,
        generator_hidden_layer_sizes=(64,),
        discriminator_hidden_layer_sizes=(64,),
        max_iter=60,
        batch_size=32,
        device="cpu",
    ),
    # Learning every conditional of the row takes the DDPM more steps.
    "ddpm": lambda: make(
        DDPM, n_timesteps=50, hidden_width=64, max_iter=200, batch_size=32, device="cpu"
    ),
}


@pytest.fixture(scope="module")
def table():
    return mixed_table()


@pytest.fixture(scope="module", params=list(GENERATORS))
def fitted(request, table):
    return request.param, GENERATORS[request.param]().fit(table)


def test_samples_are_a_table_of_the_same_schema(fitted, table):
    name, est = fitted
    assert est.architecture_ == "tabular"
    samples = est.sample(1000, random_state=0)
    assert isinstance(samples, pd.DataFrame)
    assert list(samples.columns) == list(table.columns)
    assert samples.dtypes.equals(table.dtypes)
    # Integers whole, values inside each column's training range.
    for column in ("age", "income", "children", "joined"):
        present = samples[column].dropna()
        assert present.between(table[column].min(), table[column].max()).all(), column
    assert set(samples["student"]) <= {"yes", "no"}
    assert set(samples["city"].dropna()) <= {"Oslo", "Lima", "Pune"}
    # Missing values where the data has them, about as often.
    for column in ("income", "children", "city"):
        assert abs(samples[column].isna().mean() - table[column].isna().mean()) < 0.1, column
    assert samples["age"].notna().all() and samples["student"].notna().all()
    # Marginals close to the data's.
    assert abs((samples["student"] == "yes").mean() - (table["student"] == "yes").mean()) < 0.12
    real = table["grade"].value_counts(normalize=True)
    fake = samples["grade"].value_counts(normalize=True).reindex(real.index, fill_value=0)
    assert 0.5 * np.abs(real - fake).sum() < 0.15
    assert abs(samples["age"].mean() - table["age"].mean()) < 0.25 * table["age"].std()


def test_samples_are_reproducible_and_survive_a_save(fitted, tmp_path):
    name, est = fitted
    a = est.sample(50, random_state=3)
    assert a.equals(est.sample(50, random_state=3))
    assert not a.equals(est.sample(50, random_state=4))
    loaded = skgen.load(est.save(tmp_path / name))
    assert loaded.sample(50, random_state=3).equals(a)


def test_columns_are_calibrated_to_the_training_marginals(fitted, table):
    from scipy.stats import ks_2samp

    name, est = fitted
    calibration = est.spec_.calibration
    # age, income and joined are numeric (children, with few levels, one-hot)
    assert len(calibration["numeric"]) == 3
    # The numeric map is monotone: it keeps the order of rows in a column.
    rows = np.repeat(np.linspace(-4, 4, 50)[:, None], est.spec_.n_features, axis=1)
    out = est.spec_.calibrated(rows.copy())
    assert (np.diff(out[:, calibration["numeric"]], axis=0) >= 0).all()
    # A value given in conditions goes to the model uncalibrated: the draw
    # that the calibration turns into it.
    back = est.spec_.calibrated(est.spec_.uncalibrated(rows[20:30].copy()))
    index = calibration["numeric"]
    np.testing.assert_allclose(back[:, index], rows[20:30][:, index], atol=1e-9)
    # A value the draws repeat (a collapsed column) maps to the middle.
    collapsed = copy.copy(est.spec_)
    collapsed.calibration = dict(calibration, quantiles=np.zeros_like(calibration["quantiles"]))
    middle = collapsed.calibrated(np.zeros((1, est.spec_.n_features)))
    np.testing.assert_allclose(middle[0, index], 0.0, atol=1e-9)
    # Each numeric column's samples are distributed as the training rows,
    # and each category is drawn about as often: closer than the
    # uncalibrated model's draws.
    samples = est.sample(4000, random_state=0)
    raw = copy.copy(est)
    raw.spec_ = copy.copy(est.spec_)
    raw.spec_.calibration = None
    uncalibrated = raw.sample(4000, random_state=0)
    gaps = {"calibrated": 0.0, "uncalibrated": 0.0}
    for column in ("age", "income", "joined"):
        real = table[column].dropna()
        calibrated = ks_2samp(samples[column].dropna(), real).statistic
        # The DDPM calibrates on four draws per training row: an error about
        # half the 400 training rows' own (0.87 / sqrt(400)).
        assert calibrated < 0.04, (column, calibrated)
        gaps["calibrated"] += calibrated
        gaps["uncalibrated"] += ks_2samp(uncalibrated[column].dropna(), real).statistic
    assert gaps["calibrated"] < gaps["uncalibrated"]

    def distance(drawn, column):
        real = table[column].value_counts(normalize=True, dropna=False)
        fake = drawn[column].value_counts(normalize=True, dropna=False)
        return 0.5 * np.abs(real - fake.reindex(real.index, fill_value=0)).sum()

    gaps = {"calibrated": 0.0, "uncalibrated": 0.0}
    for column in ("student", "grade", "owner", "children", "city"):
        calibrated = distance(samples, column)
        assert calibrated < 0.04, (column, calibrated)
        gaps["calibrated"] += calibrated
        gaps["uncalibrated"] += distance(uncalibrated, column)
    assert gaps["calibrated"] < gaps["uncalibrated"]


def test_a_wide_table_calibrates_on_fewer_draws(monkeypatch):
    from skgen._engine import _table

    rng = np.random.default_rng(0)
    wide = pd.DataFrame(
        {"shop": rng.choice([f"s{i}" for i in range(300)], 600), "x": rng.normal(size=600)}
    )
    est = GENERATORS["vae"]().set_params(max_iter=1).fit(wide)
    n_values = est.spec_.n_features  # the shops that occur, and x
    assert n_values > 200
    draws = []
    draw = est._draw
    monkeypatch.setattr(est, "_draw", lambda n, *a: draws.append(n) or draw(n, *a))
    monkeypatch.setattr(_table, "CALIBRATION_VALUES", 1_000_000)
    est.spec_.trained(est, np.random.RandomState(0))
    # At most CALIBRATION_VALUES values kept, not the 50,000 rows.
    assert sum(draws) == 1_000_000 // n_values
    assert est.sample(5, random_state=0)["shop"].isin(wide["shop"]).all()


def test_partial_fit_calibrates_to_every_row_seen(table):
    est = GENERATORS["vae"]().set_params(max_iter=1)
    est.partial_fit(table)
    first = est.spec_.calibration
    est.partial_fit(table.iloc[:150])  # a chunk with other shares
    assert est.spec_.calibration is not first and est.spec_.n_rows == len(table) + 150
    # The shares aimed at are those of all the rows, not of the last call's.
    seen = est.spec_.encoder.transform(pd.concat([table, table.iloc[:150]]))
    np.testing.assert_allclose(est.spec_.shares, seen.mean(0))
    assert est.sample(20, random_state=0).dtypes.equals(table.dtypes)


def test_the_table_ddpm_trains_for_steps_within_an_epoch_floor_and_cap(monkeypatch):
    from types import SimpleNamespace

    ddpm = DDPM()
    ddpm.spec_ = SimpleNamespace(architecture="tabular", n_features=12)  # as a fit resolves it
    # 6,000 steps of batch 32: a Wage-sized table trains for them (66
    # batches an epoch), a diamonds-sized one for the floor of 30 epochs
    # (6,000 steps would be 6), a small one for the cap of 300.
    assert ddpm._n_epochs(2_100, 32) == 91
    assert ddpm._n_epochs(37_758, 32) == 30
    assert ddpm._n_epochs(240, 32) == 300
    # The floor holds in a fit, where the steps alone would make one epoch.
    monkeypatch.setattr(DDPM, "_auto_training_steps", {"tabular": 1})
    small = DDPM(n_timesteps=20, hidden_width=16, n_blocks=1, random_state=0)
    assert small.fit(mixed_table(60)).n_iter_ == 30


def test_the_vae_encodes_and_decodes_tables(table):
    est = GENERATORS["vae"]().set_params(max_iter=5).fit(table)
    codes = est.transform(table)
    assert codes.shape == (len(table), 4)
    decoded = est.inverse_transform(codes)
    assert isinstance(decoded, pd.DataFrame) and decoded.dtypes.equals(table.dtypes)
    assert np.isfinite(est.score_samples(table)).all()


def test_arrays_and_an_explicit_dense_network_keep_numbers(table):
    numeric = table[["age", "owner"]].astype(float)
    rows = GENERATORS["gan"]().set_params(max_iter=2).fit(numeric.to_numpy())
    assert isinstance(rows.sample(3, random_state=0), np.ndarray)
    dense = GENERATORS["gan"]().set_params(max_iter=2, architecture="dense").fit(numeric)
    assert dense.architecture_ == "dense"
    assert isinstance(dense.sample(3, random_state=0), np.ndarray)
    # A frame of numbers alone reads as its array, as everywhere in sklearn
    # (the same samples, and the column names kept) ...
    plain = table[["age", "children"]].dropna()
    auto = GENERATORS["gan"]().set_params(max_iter=2).fit(plain)
    assert auto.architecture_ == "dense" and list(auto.feature_names_in_) == ["age", "children"]
    twin = GENERATORS["gan"]().set_params(max_iter=2).fit(plain.to_numpy())
    np.testing.assert_allclose(auto.sample(5, random_state=0), twin.sample(5, random_state=0))
    # ... a missing value or architecture="tabular" makes it a table: a
    # DataFrame comes back, integers whole.
    for data, params in [(table[["age", "income"]], {}), (plain, {"architecture": "tabular"})]:
        frame = GENERATORS["gan"]().set_params(max_iter=2, **params).fit(data)
        out = frame.sample(20, random_state=0)
        assert frame.architecture_ == "tabular"
        assert isinstance(out, pd.DataFrame) and out["age"].dtype == np.int64


def test_bad_tables_are_named_and_leave_the_estimator_as_it_was(table):
    est = clone(GENERATORS["ddpm"]()).set_params(max_iter=1)
    with pytest.raises(ValueError, match="Column 'empty' holds only missing values"):
        est.fit(table.assign(empty=None))
    assert not hasattr(est, "spec_") and not hasattr(est, "net_")
    with pytest.raises(ValueError, match="learns a table and needs a pandas DataFrame"):
        clone(est).set_params(architecture="tabular").fit(table[["age"]].to_numpy())
    est.fit(table)
    before = est.sample(5, random_state=0)
    with pytest.raises(ValueError, match="Column 'grade' holds values 'top'"):
        est.partial_fit(table.assign(grade="top"))
    assert est.sample(5, random_state=0).equals(before)
    with pytest.raises(ValueError, match="feature names should match those that were passed"):
        est.score_samples(table.rename(columns={"age": "years"}))


# -- conditional sampling ---------------------------------------------------------
def test_conditions_hold_exactly_and_shift_the_other_columns(fitted, table):
    name, est = fitted
    students = est.sample(300, random_state=0, conditions={"student": "yes"})
    assert (students["student"] == "yes").all() and students.dtypes.equals(table.dtypes)
    others = est.sample(300, random_state=0, conditions={"student": "no"})
    assert (others["student"] == "no").all()
    # In the data, students are older (the latent both depend on): so are
    # the rows drawn given it.
    gap = table.groupby("student")["age"].mean()
    assert gap["yes"] - gap["no"] > 5
    assert students["age"].mean() - others["age"].mean() > 0.3 * (gap["yes"] - gap["no"])
    if name in ("gan", "ddpm"):
        # Importance resampling of the noise (the GAN) or of the early
        # steps (the DDPM): the model's own rows of the level, as an
        # unconditional sample holds them.
        free = est.sample(3000, random_state=2)
        own = free[free["student"] == "yes"]["age"]
        assert abs(students["age"].mean() - own.mean()) < 0.25 * own.std()
    # Several columns, one value per sample, a numeric value and missing.
    grades = np.array(["low", "high"] * 10)
    given = {"grade": grades, "city": None, "owner": True}
    if name != "gan":
        given["age"] = 30
    rows = est.sample(20, random_state=1, conditions=given)
    assert list(rows["grade"]) == list(grades) and rows["city"].isna().all()
    assert rows["owner"].all() and (name == "gan" or (rows["age"] == 30).all())


def test_sets_of_levels_draw_each_level_by_its_share(fitted, table):
    name, est = fitted
    drawn = est.sample(600, random_state=3, conditions={"grade": {"high", "mid"}})
    assert set(drawn["grade"]) == {"mid", "high"} and drawn.dtypes.equals(table.dtypes)
    # The levels by their training shares (3 to 1), not evenly.
    real = table["grade"][table["grade"] != "low"].value_counts(normalize=True)["mid"]
    assert abs((drawn["grade"] == "mid").mean() - real) < 0.08
    # Reproducible whatever order the set iterates in.
    again = est.sample(600, random_state=3, conditions={"grade": frozenset(["mid", "high"])})
    pd.testing.assert_frame_equal(drawn, again)
    # Missing as a level, beside a value given to every row.
    rows = est.sample(300, random_state=4, conditions={"city": {"Oslo", None}, "owner": True})
    assert rows["city"].isna().any() and set(rows["city"].dropna()) == {"Oslo"}
    assert rows["owner"].all()
    # A few whole numbers are encoded as categories: a set of them.
    few = est.sample(100, random_state=5, conditions={"children": {0, 1}})
    assert set(few["children"]) == {0, 1} and few.dtypes.equals(table.dtypes)
    numeric = (
        r"conditions\['age'\]: column 'age' is numeric, and a GAN draws rows given columns "
        "encoded as categories only"
        if name == "gan"
        else r"conditions\['age'\] is the set .* is numeric: give a range"
    )
    for bad, match in (
        ({"age": {30, 40}}, numeric),
        ({"grade": {"mid", "top"}}, r"column 'grade' has the levels \['low', 'mid', 'high'\]"),
        ({"grade": set()}, "holds one or more levels"),
    ):
        with pytest.raises(ValueError, match=match):
            est.sample(3, conditions=bad)


def test_ranges_of_numeric_columns_hold_and_weigh_the_other_columns(fitted, table):
    name, est = fitted
    young = {"age": pd.Interval(18, 32, closed="both")}
    if name == "gan":  # levels of categories only
        with pytest.raises(ValueError, match=r"column 'age' is numeric, and a GAN draws"):
            est.sample(3, conditions=young)
        return
    drawn = est.sample(600, random_state=0, conditions=young)
    assert drawn["age"].between(18, 32).all() and drawn.dtypes.equals(table.dtypes)
    # The other columns as the model draws them in that range: its
    # unconditional rows there, not the whole table's.
    free = est.sample(4000, random_state=1)
    inside = free[free["age"].between(18, 32)]
    assert len(inside) > 300 and abs(free["age"].between(18, 32).mean() - 0.5) > 0.1
    # Both draw by importance resampling: the model's own rows in the range.
    for column in ("income",):
        spread = 0.25 * free[column].std()
        assert abs(drawn[column].median() - inside[column].median()) < spread
        assert abs(drawn[column].median() - free[column].median()) > spread
    if name == "ddpm":
        # The DDPM draws the ages from the training rows' ages in the range,
        # then the rest of each row given its age: the young earn less than
        # the old drawn so, as in the data.
        real = table["age"][table["age"].between(18, 32)]
        assert abs(drawn["age"].mean() - real.mean()) < 0.1 * real.std()
        old = est.sample(600, random_state=0, conditions={"age": pd.Interval(50, 90)})
        assert old["age"].between(50, 90).all()
        gap = free[free["age"] >= 50]["income"].median() - inside["income"].median()
        assert old["income"].median() - drawn["income"].median() > 0.3 * gap > 0
    # Open ends, a column with missing values (a value in a range is never
    # missing), datetimes, one range per sample.
    start = pd.Timestamp("2020-02-01", tz="UTC")
    windows = [pd.Interval(start, start + pd.Timedelta(days=d)) for d in (5, 20) * 10]
    rows = est.sample(
        20,
        random_state=2,
        conditions={  # not in the table's order
            "joined": windows,
            "income": pd.Interval(3000.0, np.inf, closed="neither"),
        },
    )
    assert rows.dtypes.equals(table.dtypes)
    assert (rows["income"] > 3000).all() and rows["income"].notna().all()
    ends = np.array([w.right for w in windows])
    assert ((rows["joined"] > start) & (rows["joined"] <= ends)).all()
    # Drawn inside their ranges, not clipped onto a bound.
    assert rows["income"].nunique() == rows["joined"].nunique() == 20


def test_bad_ranges_are_named(fitted, table):
    name, est = fitted
    for column in ("grade", "children"):  # categories, and a few whole numbers
        match = rf"conditions\['{column}'\] is a range .* categ.* or a set of them"
        with pytest.raises(ValueError, match=match):
            est.sample(3, conditions={column: pd.Interval(1, 2)})
    if name == "gan":  # no numeric column at all (see above)
        return
    with pytest.raises(ValueError, match=r"holds the range \(30.2, 30.8\], which holds no value"):
        est.sample(3, conditions={"age": pd.Interval(30.2, 30.8)})
    low, high = table["age"].min(), table["age"].max()
    with pytest.raises(ValueError, match=rf"training range is \[{low}, {high}\], whole numbers"):
        est.sample(3, conditions={"age": pd.Interval(high, high + 10)})
    with pytest.raises(ValueError, match=r"mixes ranges \(pandas.Interval\) with values"):
        est.sample(2, conditions={"age": [pd.Interval(20, 30), 40]})
    with pytest.raises(ValueError, match="whose ends column 'joined'"):
        est.sample(2, conditions={"joined": pd.Interval(pd.Timedelta(1), pd.Timedelta(2))})


def test_the_ddpm_learns_conditions_on_any_number_of_columns():
    import torch

    from skgen._blocks import TableLayout

    blocks = TableEncoder().fit(mixed_table(50)).blocks_
    layout = TableLayout(blocks)
    given = layout.draw_given(20_000, torch.Generator().manual_seed(0), "cpu")
    # Whole columns are given: every value of a block together.
    for _, start, stop, _ in blocks:
        assert (given[:, start:stop] == given[:, start : start + 1]).all()
    columns = torch.stack([given[:, b[1]] for b in blocks if b[0] != "missing"], 1)
    count = columns.sum(1)
    assert abs((count == 0).float().mean().item() - 0.5) < 0.02
    # Among the conditioned rows, one column given as often as seven.
    shares = torch.bincount(count[count > 0], minlength=8)[1:].float() / (count > 0).sum()
    assert len(shares) == layout.n_columns - 1
    assert (shares - 1 / (layout.n_columns - 1)).abs().max() < 0.02


def test_the_ddpm_draws_given_values_from_its_own_early_steps(fitted, table):
    from skgen.diffusion import _given

    name, est = fitted
    if name != "ddpm":
        return
    # The early steps run on candidates of the unconditional model, and one
    # is picked by the likelihood of the given values: the number of network
    # passes follows the candidates, and the rows hold what is given.
    calls = []
    original = type(est.net_.module_).forward

    def spy(module, x, t, y=None, **kw):
        calls.append((x.shape[0], kw.get("condition")))
        return original(module, x, t, y, **kw)

    steps, income = 10, float(table["income"].median())
    first = int(round(_given.GIVEN_SHARE * steps))
    n_values = est.spec_.n_features
    block = {column: (a, b) for kind, a, b, column in est.spec_.blocks if kind != "missing"}
    (g0, g1), (a0, a1), (i0, i1) = block["grade"], block["age"], block["income"]
    for given, rest in (
        ({"grade": "high", "age": 60}, None),  # a level and a number: both weighed
        ({"grade": "high", "age": 60, "income": income}, ["age", "income"]),
    ):
        calls.clear()
        try:
            type(est.net_.module_).forward = spy
            rows = est.sample(5, random_state=0, conditions=given, n_inference_steps=steps)
        finally:
            type(est.net_.module_).forward = original
        assert (rows["grade"] == "high").all() and (rows["age"] == 60).all()
        early = [c for n, c in calls if n % _given.GIVEN_CANDIDATES == 0 and n > 5]
        late = [c for n, c in calls if n == 5]
        assert len(late) == steps - first and len(early) >= first + 1
        # Late: everything given; early: what the pick does not weigh
        # (two numbers are too sharp to weigh: the early steps are given
        # them).
        assert (late[0][:, n_values + g0 : n_values + g1] == 1).all()
        assert (late[0][:, n_values + a0 : n_values + a1] == 1).all()
        if rest is None:
            assert all(c is None for c in early)
        else:
            assert (early[0][:, n_values + g0 : n_values + g1] == 0).all()
            assert (early[0][:, n_values + a0 : n_values + a1] == 1).all()
            assert (early[0][:, n_values + i0 : n_values + i1] == 1).all()


def test_a_table_ddpm_records_its_trajectory_encoded(fitted, table):
    name, est = fitted
    if name != "ddpm":
        return
    given = {"student": ["yes", "no"] * 3}
    rows, path, timesteps = est.sample(
        6, random_state=0, conditions=given, n_inference_steps=5, return_trajectory=True
    )
    assert path.shape == (6, 6, est.spec_.n_features) and timesteps[-1] == -1
    assert rows.equals(est.sample(6, random_state=0, conditions=given, n_inference_steps=5))
    # The states are encoded rows; the start is noise, the end the rows.
    assert abs(path[0].std() - 1) < 0.3
    start, stop = next((a, b) for kind, a, b, column in est.spec_.blocks if column == "student")
    names = est.spec_.encoder.get_feature_names_out()[start:stop]
    drawn = np.array([n.split("=")[-1] for n in names])[path[-1][:, start:stop].argmax(1)]
    assert (drawn == np.array(given["student"])).mean() >= 0.5


def test_bad_conditions_are_named(fitted):
    name, est = fitted
    with pytest.raises(ValueError, match=r"conditions name columns \['colour'\]"):
        est.sample(3, conditions={"colour": "red"})
    with pytest.raises(ValueError, match=r"conditions\['grade'\] holds 'top', not a category"):
        est.sample(3, conditions={"grade": "top"})
    with pytest.raises(ValueError, match=r"conditions\['grade'\] holds 2 values but 3 samples"):
        est.sample(3, conditions={"grade": ["low", "mid"]})
    for bad in (["age"], {}):
        with pytest.raises(ValueError, match="conditions must be a non-empty dict"):
            est.sample(3, conditions=bad)
    if name == "ddpm":  # draws given values in its own sample
        return
    # A family that draws given no columns says so (the engine's contract).
    plain = copy.copy(est)
    plain._conditions = None
    with pytest.raises(ValueError, match=f"A {type(est).__name__} has no way to draw rows"):
        plain.sample(3, conditions={"grade": "low"})


def test_conditions_need_a_table():
    X = np.random.default_rng(0).normal(size=(64, 3))
    est = make(DDPM, max_iter=1, device="cpu").fit(X)
    with pytest.raises(ValueError, match="conditions= fixes columns of a table"):
        est.sample(2, conditions={0: 1.0})
