"""Every generator on digits: fit time, sample time and sample quality.

Data: scikit-learn's digits (pixels / 16), ``train_test_split(test_size=0.5,
random_state=0)``: the models train on one half, the other half is the
held-out reference. Each model draws as many samples as the held-out half
has rows (``random_state=0``), clipped to the pixels' range [0, 1].
Figures, all against the held-out half:

* FD: Frechet distance in the features of a small classifier trained on the
  training half (``skgen.metrics.ClassifierFeatures``, the FID substitute);
* precision / recall (k = 5, ``precision_recall_density_coverage``);
* C2ST: cross-validated AUC of a classifier telling samples from held-out
  data (0.5 is ideal).

The first row compares the training half itself with the held-out half,
the floor every model is measured against. The baselines are
scikit-learn's ``GaussianMixture`` (10 full-covariance components) and
``KernelDensity`` (Gaussian, bandwidth chosen by 3-fold grid search).

Run: ``python bench/bench_generators.py [--fast]``
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KernelDensity

from skgen import DDPM, GAN, VAE
from skgen.metrics import (
    ClassifierFeatures,
    classifier_two_sample_score,
    frechet_distance,
    precision_recall_density_coverage,
)


class Sampled:
    """Wrap a fitted model whose ``sample`` needs other arguments."""

    def __init__(self, model, **kwargs):
        self.model, self.kwargs = model, kwargs

    def sample(self, n):
        out = self.model.sample(n, **self.kwargs)
        return out[0] if isinstance(out, tuple) else out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="a few epochs, for a smoke run")
    args = parser.parse_args()
    ep = (lambda n: 2) if args.fast else (lambda n: n)  # noqa: E731
    digits = load_digits()
    X_train, X_test, y_train, _ = train_test_split(digits.images / 16, digits.target,
                                                   test_size=0.5, random_state=0)
    flat_train, flat_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    features = ClassifierFeatures().fit(flat_train, y_train)
    n = len(flat_test)

    def kde():
        search = GridSearchCV(KernelDensity(), {"bandwidth": np.logspace(-1.5, 0, 10)}, cv=3)
        return search.fit(flat_train).best_estimator_

    models = {
        "VAE (dense)": lambda: VAE(10, max_iter=ep(200), random_state=0).fit(flat_train),
        "GAN (dense)": lambda: GAN(max_iter=ep(200), random_state=0).fit(flat_train),
        "GAN (DCGAN + mb std + EMA)": lambda: GAN(
            architecture="conv", minibatch_std=True, ema_decay=0.99, max_iter=ep(100),
            random_state=0).fit(X_train),
        "DDPM (MLP)": lambda: DDPM(max_iter=ep(100), random_state=0).fit(flat_train),
        "DDPM (U-Net)": lambda: DDPM(architecture="unet", max_iter=ep(20),
                                     random_state=0).fit(X_train),
        "GaussianMixture(10)": lambda: GaussianMixture(10, random_state=0).fit(flat_train),
        "KernelDensity": kde,
    }
    samplers = {
        "DDPM (MLP)": {"ancestral": {}, "DDIM 50": {"sampler": "ddim"}},
        "DDPM (U-Net)": {"ancestral": {}, "DDIM 50": {"sampler": "ddim"}},
    }
    print(f"digits: {len(flat_train)} training rows, {n} held-out rows; "
          f"{'FAST smoke run' if args.fast else 'full settings'}")
    header = (f"{'model':<34}{'fit s':>7}{'sample s':>10}{'FD':>9}{'precision':>11}"
              f"{'recall':>8}{'C2ST AUC':>10}")
    print(header)

    def row(name, fit_s, sample_s, samples):
        samples = samples.reshape(len(samples), -1)
        fd = frechet_distance(flat_test, samples, features=features)
        p, r, _, _ = precision_recall_density_coverage(flat_test, samples)
        auc = classifier_two_sample_score(flat_test, samples)
        print(f"{name:<34}{fit_s:>7}{sample_s:>10}{fd:>9.2f}{p:>11.2f}{r:>8.2f}{auc:>10.3f}",
              flush=True)

    row("training half (reference)", "", "", flat_train[:n])
    for name, fit in models.items():
        start = time.perf_counter()
        model = fit()
        fit_s = time.perf_counter() - start
        for label, kwargs in samplers.get(name, {"": {}}).items():
            sampler = Sampled(model, random_state=0, **kwargs) \
                if not isinstance(model, (GaussianMixture, KernelDensity)) else None
            start = time.perf_counter()
            if sampler is None:
                samples = model.sample(n, random_state=0) if isinstance(model, KernelDensity) \
                    else model.sample(n)[0]
            else:
                samples = sampler.sample(n)
            sample_s = time.perf_counter() - start
            full = f"{name}, {label}" if label else name
            row(full, f"{fit_s:.0f}", f"{sample_s:.1f}", np.clip(samples, 0, 1))


if __name__ == "__main__":
    main()
