"""The plotting guide's figure: the code at the top of that page, run.

Fits ``VariationalAutoencoder(10, early_stopping=True)`` on scikit-learn's
digits (pixels / 16) and draws the guide's 2x3 grid of displays. Writes
``docs/_static/plotting.png``::

    python docs/figures/plotting.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skgen import VariationalAutoencoder  # noqa: E402
from skgen.plotting import (  # noqa: E402
    ImageGridDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
)


def main():
    # The guide's code block, line for line.
    X, y = load_digits(return_X_y=True)
    X = X / 16
    vae = VariationalAutoencoder(10, early_stopping=True, random_state=0).fit(X)
    fig, axes = plt.subplots(2, 3, figsize=(14, 8))
    ImageGridDisplay.from_estimator(vae, 36, random_state=0, ax=axes[0, 0])
    ReconstructionDisplay.from_estimator(vae, X, ax=axes[0, 1])
    ReconstructionDisplay.from_estimator(PCA(10).fit(X), X, ax=axes[0, 2])
    LatentSpaceDisplay.from_estimator(vae, X, y, projection="tsne", ax=axes[1, 0])
    LossCurveDisplay.from_estimator(vae, ax=axes[1, 1])
    # Not in the block: the empty sixth panel is hidden.
    axes[1, 2].set_axis_off()
    fig.tight_layout()
    out = Path(__file__).resolve().parents[1] / "_static" / "plotting.png"
    fig.savefig(out, dpi=80)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
