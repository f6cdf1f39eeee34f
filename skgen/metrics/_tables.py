"""How close a synthetic table is to a real one, column by column and beyond.

Every function takes DataFrames of the same columns (as a generator fitted
on a DataFrame samples them). Higher is better for the similarity scores
(1 is identical); the detection score is a ROC AUC (0.5: indistinguishable).
"""

import numpy as np
from sklearn.utils import check_random_state

from ..preprocessing import TableEncoder
from ..preprocessing._table import _is_categorical
from ._fidelity import classifier_two_sample_score


def _frames(real, synthetic):
    pd = _pandas()
    real, synthetic = pd.DataFrame(real), pd.DataFrame(synthetic)
    missing = [c for c in real.columns if c not in synthetic.columns]
    if missing:
        raise ValueError(f"The synthetic table lacks the real table's columns {missing}.")
    return real, synthetic[real.columns]


def _pandas():
    import pandas as pd

    return pd


def _numbers(series):
    """A numeric column's present values as floats (datetimes as ticks)."""
    present = series.dropna()
    if present.dtype.kind in "mM":
        present = present.astype("int64")
    return present.to_numpy(dtype=np.float64)


def _frequencies(series, categories):
    counts = series.astype(object).where(series.notna(), "<missing>").value_counts(normalize=True)
    return counts.reindex(categories, fill_value=0.0).to_numpy()


def _levels(*columns):
    pd = _pandas()
    values = pd.concat([c.astype(object).where(c.notna(), "<missing>") for c in columns])
    return list(pd.unique(values))


def column_shapes(real, synthetic, *, return_columns=False):
    """How alike each column's distribution is in two tables, from 0 to 1.

    Numeric columns (numbers and datetimes): 1 minus the two-sample
    Kolmogorov-Smirnov statistic of their present values. Other columns: 1
    minus the total variation distance of their categories' frequencies,
    missing values counted as a category. SDV's "column shapes" score.

    Parameters
    ----------
    real, synthetic : DataFrame
        The two tables, with the same columns.
    return_columns : bool, default=False
        Also return the score of every column.

    Returns
    -------
    score : float
        The mean of the columns' scores.
    columns : dict
        Only with ``return_columns=True``: ``{column: score}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgen.metrics import column_shapes
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    >>> fake = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    >>> column_shapes(real, fake) > 0.9
    True
    """
    from scipy.stats import ks_2samp

    real, synthetic = _frames(real, synthetic)
    scores = {}
    for name in real.columns:
        r, s = real[name], synthetic[name]
        if _is_categorical(r.dtype):
            levels = _levels(r, s)
            tv = 0.5 * np.abs(_frequencies(r, levels) - _frequencies(s, levels)).sum()
            scores[name] = 1.0 - tv
        else:
            a, b = _numbers(r), _numbers(s)
            scores[name] = 1.0 - ks_2samp(a, b).statistic if len(a) and len(b) else 0.0
    score = float(np.mean(list(scores.values())))
    return (score, scores) if return_columns else score


def _binned(series, edges):
    """A column as categories: a numeric one cut at ``edges``."""
    pd = _pandas()
    if edges is None:
        return series.astype(object).where(series.notna(), "<missing>")
    values = series.astype("int64") if series.dtype.kind in "mM" else series
    codes = np.searchsorted(edges, values.to_numpy(dtype=np.float64, na_value=np.nan))
    return pd.Series(np.where(series.isna(), -1, codes), index=series.index)


def pair_trends(real, synthetic, *, n_bins=10, return_pairs=False):
    """How alike the relations between pairs of columns are, from 0 to 1.

    Two numeric columns: 1 minus half the absolute difference of their
    Pearson correlations (on rows where both are present). Any other pair:
    1 minus the total variation distance between the two tables'
    contingency tables of the pair, numeric columns cut into ``n_bins``
    bins at the real column's quantiles. SDV's "column pair trends" score.

    Parameters
    ----------
    real, synthetic : DataFrame
        The two tables, with the same columns.
    n_bins : int, default=10
        Bins of a numeric column paired with a categorical one.
    return_pairs : bool, default=False
        Also return the score of every pair.

    Returns
    -------
    score : float
        The mean over pairs of columns.
    pairs : dict
        Only with ``return_pairs=True``: ``{(column, column): score}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgen.metrics import pair_trends
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=500)
    >>> real = pd.DataFrame({"x": x, "y": x + rng.normal(0, 0.1, 500)})
    >>> shuffled = real.assign(y=rng.permutation(real["y"].to_numpy()))
    >>> pair_trends(real, real) > pair_trends(real, shuffled)
    True
    """
    pd = _pandas()
    real, synthetic = _frames(real, synthetic)
    numeric = {c: not _is_categorical(real[c].dtype) for c in real.columns}
    edges = {}
    for c, is_number in numeric.items():
        if is_number:
            values = _numbers(real[c])
            edges[c] = np.unique(np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]))
        else:
            edges[c] = None
    scores = {}
    columns = list(real.columns)
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            if numeric[a] and numeric[b]:
                rho = [_correlation(t[a], t[b]) for t in (real, synthetic)]
                scores[a, b] = 1.0 - abs(rho[0] - rho[1]) / 2
                continue
            tables = []
            for t in (real, synthetic):
                joint = pd.crosstab(
                    _binned(t[a], edges[a]), _binned(t[b], edges[b]), normalize=True
                )
                tables.append(joint.stack())
            both = pd.concat(tables, axis=1).fillna(0.0)
            scores[a, b] = 1.0 - 0.5 * np.abs(both.iloc[:, 0] - both.iloc[:, 1]).sum()
    score = float(np.mean(list(scores.values()))) if scores else 1.0
    return (score, scores) if return_pairs else score


def _correlation(a, b):
    present = a.notna() & b.notna()
    x = a[present].astype("int64") if a.dtype.kind in "mM" else a[present]
    y = b[present].astype("int64") if b.dtype.kind in "mM" else b[present]
    x, y = x.to_numpy(dtype=np.float64), y.to_numpy(dtype=np.float64)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def detection_score(real, synthetic, *, cv=5, random_state=0):
    """ROC AUC of a classifier telling real rows from synthetic ones.

    Both tables are encoded with a :class:`~skgen.preprocessing.TableEncoder`
    fitted on their rows together, and a gradient-boosting classifier is
    cross-validated on as many rows of each (see
    :func:`classifier_two_sample_score`). 0.5: the rows cannot be told apart
    (the ideal); 1: every synthetic row is recognisable.

    Parameters
    ----------
    real, synthetic : DataFrame
        The two tables, with the same columns.
    cv : int, default=5
        Number of folds.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsampling and the folds.

    Returns
    -------
    auc : float
        Mean ROC AUC over the folds.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgen.metrics import detection_score
    >>> rng = np.random.default_rng(0)
    >>> real = pd.DataFrame({"x": rng.normal(size=400), "c": rng.choice(["a", "b"], 400)})
    >>> shifted = real.assign(x=real["x"] + 3)
    >>> detection_score(real, shifted) > 0.9
    True
    """
    real, synthetic = _frames(real, synthetic)
    # Fitted on both: a synthetic value the real rows lack is a clue, not an error.
    both = _pandas().concat([real, synthetic], ignore_index=True)
    encoder = TableEncoder().fit(both)
    return classifier_two_sample_score(
        encoder.transform(real), encoder.transform(synthetic), cv=cv, random_state=random_state
    )


def ml_efficacy(train, test, target, *, estimator=None):
    """Train on one table, test on another: the use of a synthetic table.

    A model predicting ``target`` from the other columns is fitted on
    ``train`` (synthetic rows) and scored on ``test`` (real held-out rows):
    the macro-averaged F1 score for a categorical target, R² for a numeric
    one. Compare it with the same model trained on the real training rows.

    Parameters
    ----------
    train : DataFrame
        The rows to learn from (synthetic).
    test : DataFrame
        The rows to score on (real, held out).
    target : str
        The column to predict.
    estimator : estimator, default=None
        A scikit-learn classifier or regressor on the encoded columns
        (see :class:`~skgen.preprocessing.TableEncoder`); cloned. Default: a
        ``HistGradientBoostingClassifier`` or ``Regressor`` with
        ``random_state=0``.

    Returns
    -------
    score : float
        Macro F1 (classification) or R² (regression) on ``test``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgen.metrics import ml_efficacy
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=600)
    >>> table = pd.DataFrame({"x": x, "label": np.where(x > 0, "up", "down")})
    >>> ml_efficacy(table[:400], table[400:], "label") > 0.9
    True
    """
    from sklearn.base import clone
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import f1_score, r2_score

    train, test = _frames(train, test)
    if target not in train.columns:
        raise ValueError(f"target={target!r} is not a column of the tables.")
    classify = _is_categorical(train[target].dtype)
    features = [c for c in train.columns if c != target]
    encoder = TableEncoder().fit(train[features])
    if estimator is None:
        estimator = (HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor)(
            random_state=0
        )
    y_train, y_test = train[target], test[target]
    if classify:
        y_train, y_test = (
            y.astype(object).where(y.notna(), "<missing>").astype(str) for y in (y_train, y_test)
        )
    else:
        keep = y_train.notna()
        train, y_train = train[keep], y_train[keep]
        keep_test = y_test.notna()
        test, y_test = test[keep_test], y_test[keep_test]
    model = clone(estimator).fit(encoder.transform(train[features]), y_train)
    predicted = model.predict(_encode_unseen(encoder, test[features]))
    if classify:
        return float(f1_score(y_test, predicted, average="macro"))
    return float(r2_score(y_test, predicted))


def _encode_unseen(encoder, frame):
    """Encode rows whose categories or missing values the encoder may not
    have seen (real rows scored by a model trained on synthetic ones):
    those get the column's first level, or no missing indicator."""
    frame = frame.copy()
    for column in encoder.columns_:
        series = frame[column.name]
        if column.kind == "category":
            known = series.isin(column.categories) | (series.isna() & column.has_missing)
            if not known.all():
                frame[column.name] = series.where(known, column.categories[0])
        elif series.isna().any() and not column.has_missing:
            frame[column.name] = series.fillna(series.median())
    return encoder.transform(frame)


def privacy_scores(train, synthetic, holdout, *, random_state=0):
    """Does a generator copy its training rows? Two figures.

    ``exact_copies``: the share of synthetic rows that are equal, in every
    column, to a training row. ``closer_to_training``: the share of
    synthetic rows whose closest record (in the encoding of a
    :class:`~skgen.preprocessing.TableEncoder` fitted on ``train``) is a
    training row rather than a held-out row, with as many training rows as
    held-out ones. Rows drawn from the data's distribution, without
    copying, score about 0.5; rows copied from the training set, more.

    Parameters
    ----------
    train : DataFrame
        The rows the generator was fitted on.
    synthetic : DataFrame
        Its samples.
    holdout : DataFrame
        Real rows it never saw.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsampling of the larger of ``train`` and ``holdout``.

    Returns
    -------
    scores : dict
        ``{"exact_copies": float, "closer_to_training": float}``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skgen.metrics import privacy_scores
    >>> rng = np.random.default_rng(0)
    >>> table = pd.DataFrame({"x": rng.normal(size=600), "c": rng.choice(["a", "b"], 600)})
    >>> train, holdout = table[:300], table[300:]
    >>> privacy_scores(train, train, holdout)["exact_copies"]
    1.0
    """
    from sklearn.neighbors import NearestNeighbors

    train, synthetic = _frames(train, synthetic)
    holdout = holdout[train.columns]
    rng = check_random_state(random_state)
    n = min(len(train), len(holdout))
    train_part = train.iloc[rng.permutation(len(train))[:n]]
    holdout_part = holdout.iloc[rng.permutation(len(holdout))[:n]]
    key = lambda t: t.astype(object).where(t.notna(), None).apply(tuple, axis=1)  # noqa: E731
    copies = key(synthetic).isin(set(key(train))).mean()
    encoder = TableEncoder(numeric="standard").fit(train)
    fake = _encode_unseen(encoder, synthetic)
    d_train = NearestNeighbors(n_neighbors=1).fit(encoder.transform(train_part))
    d_holdout = NearestNeighbors(n_neighbors=1).fit(_encode_unseen(encoder, holdout_part))
    closer = d_train.kneighbors(fake)[0][:, 0] < d_holdout.kneighbors(fake)[0][:, 0]
    return {"exact_copies": float(copies), "closer_to_training": float(closer.mean())}
