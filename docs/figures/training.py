"""The training guide's figure: what ``early_stopping`` and the learning rate do.

Fits a ``StackedAutoencoder(10)`` on scikit-learn's digits (pixels / 16)
twice, with ``early_stopping=True`` (10% of the rows held out, patience
``n_iter_no_change=10``, ``max_iter=300``): once with the autoencoders'
default ``learning_rate="constant"`` and once with ``"cosine"``. Each panel is a
``LossCurveDisplay``.
Writes ``docs/_static/training.png``::

    python docs/figures/training.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skgen import StackedAutoencoder  # noqa: E402
from skgen.plotting import LossCurveDisplay  # noqa: E402


def main():
    X = load_digits().data / 16
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, schedule in zip(axes, ("constant", "cosine")):
        ae = StackedAutoencoder(
            10,
            early_stopping=True,
            n_iter_no_change=10,
            max_iter=300,
            learning_rate=schedule,
            random_state=0,
        ).fit(X)
        LossCurveDisplay.from_estimator(ae, ax=ax, log_scale=True)
        ax.set_title(
            f'learning_rate="{schedule}": stopped after {ae.n_iter_} epochs,\n'
            f"best validation loss {ae.best_loss_:.4f}"
        )
    fig.tight_layout()
    out = Path(__file__).resolve().parents[1] / "_static" / "training.png"
    fig.savefig(out, dpi=90)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
