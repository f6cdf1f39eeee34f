"""
Synthetic tables: penguins of every dtype
=========================================

The Palmer penguins table has strings, floats, integers and missing values.
A :class:`~skgen.DDPM` fitted on the DataFrame samples a DataFrame of the
same columns and dtypes, and draws rows given some of their columns. This
example

* compares every column's distribution, real and synthetic;
* maps how much each correlation moves between the real table and the
  synthetic one;
* draws penguins of a given species and island, exactly, and heavy
  penguins (a range of body mass) with a VAE::

    python examples/plot_synthetic_tables.py

It needs the ``palmerpenguins`` package (``pip install palmerpenguins``, a
bench extra of skgen). Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a
few epochs, whose model is barely trained.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from palmerpenguins import load_penguins

from skgen import DDPM, VariationalAutoencoder
from skgen.metrics import column_shapes, detection_score, pair_trends

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"

penguins = load_penguins()
print(penguins.dtypes.to_string())
print(f"missing values: {int(penguins.isna().sum().sum())}")

# %%
# Fit on the DataFrame, sample a DataFrame
# ----------------------------------------
# ``architecture="auto"`` sees a table and picks the tabular network; the
# samples keep the schema: the same string columns with the same levels,
# whole years, numbers inside each column's range, and missing values.
ddpm = DDPM(max_iter=3 if FAST else "auto", random_state=0).fit(penguins)
fake = ddpm.sample(len(penguins), random_state=0)
print(f"architecture: {ddpm.architecture_}; same dtypes: {fake.dtypes.equals(penguins.dtypes)}")
print(fake.head().to_string())
print(f"column shapes {column_shapes(penguins, fake):.3f}, "
      f"pair trends {pair_trends(penguins, fake):.3f}, "
      f"detection AUC {detection_score(penguins, fake):.3f} (0.5 is the ideal)")

# %%
# Column by column
# ----------------
numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
categories = ["species", "island", "sex", "year"]
fig, axes = plt.subplots(2, 4, figsize=(13, 6), layout="constrained")
for ax, column in zip(axes[0], numbers):
    bins = np.histogram_bin_edges(penguins[column].dropna(), 20)
    ax.hist(penguins[column].dropna(), bins, alpha=0.6, label="real", density=True)
    ax.hist(fake[column].dropna(), bins, alpha=0.6, label="synthetic", density=True)
    ax.set_title(column)
axes[0, 0].legend()
for ax, column in zip(axes[1], categories):
    real = penguins[column].astype(str).value_counts(normalize=True)
    synthetic = fake[column].astype(str).value_counts(normalize=True).reindex(real.index,
                                                                              fill_value=0)
    positions = np.arange(len(real))
    ax.bar(positions - 0.2, real, 0.4, label="real")
    ax.bar(positions + 0.2, synthetic, 0.4, label="synthetic")
    ax.set_xticks(positions, real.index, rotation=30)
    ax.set_title(f"{column} (share)")
fig.suptitle("Every column, real and synthetic penguins")

# %%
# Relations between columns
# -------------------------
# The correlations of the numbers and of the categories' indicators, real
# minus synthetic: near zero where the synthetic table keeps a relation.
def indicators(table):
    return pd.get_dummies(table.astype({c: str for c in categories}), dtype=float)


real_corr = indicators(penguins).corr()
fake_corr = indicators(fake).reindex(columns=real_corr.columns, fill_value=0).corr()
difference = (real_corr - fake_corr).fillna(0)
fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
image = ax.imshow(difference, cmap="RdBu", vmin=-1, vmax=1)
ax.set_xticks(range(len(difference)), difference.columns, rotation=90, fontsize=8)
ax.set_yticks(range(len(difference)), difference.columns, fontsize=8)
fig.colorbar(image, label="real minus synthetic correlation")
ax.set_title("How much each correlation moves")

# %%
# Rows given some of their columns
# --------------------------------
# ``conditions`` fixes columns exactly; the rest of each row is drawn given
# them. Gentoo penguins are the heavy ones, on Biscoe island.
given = ddpm.sample(200, random_state=1, conditions={"species": "Gentoo", "island": "Biscoe"})
print(given[["species", "island"]].value_counts().to_string())
real_gentoo = penguins[penguins.species == "Gentoo"]
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
bins = np.histogram_bin_edges(penguins["body_mass_g"].dropna(), 25)
ax.hist(penguins["body_mass_g"].dropna(), bins, alpha=0.4, density=True, label="all real")
ax.hist(real_gentoo["body_mass_g"].dropna(), bins, alpha=0.6, density=True,
        label="real Gentoo")
ax.hist(given["body_mass_g"].dropna(), bins, alpha=0.6, density=True,
        label="drawn given Gentoo, Biscoe")
ax.set_xlabel("body mass (g)")
ax.legend()
fig.savefig("synthetic_tables.png", dpi=80)

# %%
# Rows given a range
# ------------------
# A :class:`~skgen.VariationalAutoencoder` also draws rows given a range of
# a numeric column, a ``pandas.Interval``: here penguins of 5 kg or more.
# Every row lands inside the range, and the other columns follow: nearly all
# heavy penguins are Gentoo, on Biscoe, as in the real table.
vae = VariationalAutoencoder(max_iter=3 if FAST else "auto", random_state=0).fit(penguins)
heavy = vae.sample(200, random_state=1,
                   conditions={"body_mass_g": pd.Interval(5000, np.inf, closed="left")})
print(f"lightest drawn: {heavy['body_mass_g'].min():.0f} g")
real_heavy = penguins[penguins["body_mass_g"] >= 5000]
shares = pd.DataFrame({
    "real, 5 kg or more": real_heavy["species"].value_counts(normalize=True),
    "drawn given [5000, inf)": heavy["species"].value_counts(normalize=True),
    "all real": penguins["species"].value_counts(normalize=True),
}).fillna(0)
ax = shares.T.plot.barh(stacked=True, figsize=(7, 3))
ax.set_xlabel("share of species")
ax.legend(title="species", loc="center left", bbox_to_anchor=(1, 0.5))
ax.figure.set_layout_engine("constrained")
plt.show()
