"""
Outlier detection with autoencoders
===================================

An autoencoder trained on normal data reconstructs normal data well and
anything else badly, so its reconstruction error is an outlier score.
:class:`~skgen.OutlierDetector` gives that score scikit-learn's outlier
interface (``score_samples``, ``decision_function``, ``predict``, a
``contamination`` threshold), the one of ``IsolationForest``. This example

* trains a :class:`~skgen.DenoisingAutoencoder` on the 1s and 7s of
  scikit-learn's 8x8 digits and screens held-out digits, next to
  ``IsolationForest`` and ``LocalOutlierFactor`` (histograms of the
  decision function, ROC AUC);
* fits a detector on the whole digits data set and shows the digits it
  finds strangest, above their reconstructions::

    python examples/plot_outlier_detection.py

Set ``SKGEN_EXAMPLES_FAST=1`` for a quick run with a few epochs, whose
models are barely trained.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor

from skgen import DenoisingAutoencoder, OutlierDetector
from skgen.plotting import ImageGridDisplay, ReconstructionDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
EPOCHS = 3 if FAST else 300

digits = load_digits()
X, y = digits.data / 16, digits.target

# %%
# Screening new digits
# --------------------
# The normal data are 1s and 7s: two thirds of them train, the last third
# and every other digit are screened. ``contamination=0.05`` puts the
# threshold below 5% of the scores of normal digits; ``cv=5`` takes those
# scores out of fold (each from a model that did not train on the digit),
# because a network rebuilds its own training digits better than new ones
# and a threshold from training scores would reject many new 1s and 7s.
normal = np.isin(y, [1, 7])
train, held_out = train_test_split(np.flatnonzero(normal), test_size=1 / 3,
                                   random_state=0, stratify=y[normal])
screened = np.r_[held_out, np.flatnonzero(~normal)]
is_normal = normal[screened]

autoencoder = DenoisingAutoencoder(16, hidden_layer_sizes=(128,), noise_level=0.2,
                                   max_iter=EPOCHS, random_state=0)
detectors = {
    "DenoisingAutoencoder": OutlierDetector(autoencoder, contamination=0.05, cv=5),
    "IsolationForest": IsolationForest(contamination=0.05, random_state=0),
    "LocalOutlierFactor": LocalOutlierFactor(novelty=True, contamination=0.05),
}
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
for ax, (name, detector) in zip(axes, detectors.items()):
    detector.fit(X[train])
    decision = detector.decision_function(X[screened])
    auc = roc_auc_score(is_normal, decision)
    flagged = (detector.predict(X[screened]) == -1)
    print(f"{name:22s} ROC AUC {auc:.4f}   flags {flagged[is_normal].mean():5.1%} of new "
          f"1s and 7s, {flagged[~is_normal].mean():5.1%} of other digits")
    bins = np.linspace(decision.min(), decision.max(), 40)
    ax.hist(decision[is_normal], bins=bins, alpha=0.6, density=True, label="new 1s and 7s")
    ax.hist(decision[~is_normal], bins=bins, alpha=0.6, density=True, label="other digits")
    ax.axvline(0, color="k", linestyle="--", linewidth=1, label="threshold")
    ax.set_title(f"{name}: ROC AUC {auc:.3f}")
    ax.set_xlabel("decision_function (negative: outlier)")
    ax.legend()
fig.tight_layout()
fig.savefig("outlier_scores.png", dpi=80)

# %%
# The strangest digits of the data set
# ------------------------------------
# Fitted on all 1,797 digits, the detector ranks each by how badly the
# autoencoder rebuilds it. The lowest scores are digits drawn unusually:
# cut off, thick, or in a style few others share. Their reconstructions
# (middle panel, bottom row) show what the model expected instead.
everything = OutlierDetector(autoencoder, contamination=0.02)
labels = everything.fit_predict(X)
order = np.argsort(everything.score_samples(X))
print(f"contamination=0.02 flags {np.sum(labels == -1)} of {len(X)} digits")
strangest = order[:16]
fig, axes = plt.subplots(1, 3, figsize=(15, 3.2))
ImageGridDisplay(X[strangest], labels=y[strangest]).plot(
    ax=axes[0], n_cols=8, vmin=0, vmax=1, title="the 16 strangest digits (label in corner)")
ReconstructionDisplay.from_estimator(everything.estimator_, X[strangest[:8]], ax=axes[1])
axes[1].set_title("the 8 strangest (top) and their reconstructions")
ImageGridDisplay(X[order[-16:]], labels=y[order[-16:]]).plot(
    ax=axes[2], n_cols=8, vmin=0, vmax=1, title="the 16 most typical digits")
fig.tight_layout()
fig.savefig("outlier_digits.png", dpi=80)
plt.show()
