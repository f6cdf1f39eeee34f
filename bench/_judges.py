"""A second judge of generated images: a small convolutional classifier.

``skgen.metrics.ClassifierFeatures`` (scikit-learn's MLP on flat pixels) is
the benchmark's first judge. A ranking of generators should not hang on one
network's idea of what matters, so :class:`ConvJudge` is a different network
trained on the same training split: two 3x3 convolutions with max pooling and
a dense layer, in torch, with its own seed. Its last hidden layer (128 ReLU
units) is the feature space in which the Frechet distance, precision and
recall are computed again. Bench only: it is not part of skgen's API.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class ConvJudge:
    """A convolutional digit classifier whose last hidden layer is a
    feature space (``transform``), trained with Adam on ``fit``'s images."""

    def __init__(self, *, epochs=30, batch_size=64, random_state=1):
        self.epochs, self.batch_size, self.random_state = epochs, batch_size, random_state

    def _network(self, side, n_classes):
        pooled = -(-(-(-side // 2)) // 2)  # two 2x2 ceil-mode poolings
        return nn.ModuleDict(
            {
                "convs": nn.Sequential(
                    nn.Conv2d(1, 32, 3, padding=1),
                    nn.ReLU(),
                    nn.MaxPool2d(2, ceil_mode=True),
                    nn.Conv2d(32, 64, 3, padding=1),
                    nn.ReLU(),
                    nn.MaxPool2d(2, ceil_mode=True),
                    nn.Flatten(),
                    nn.Linear(64 * pooled * pooled, 128),
                    nn.ReLU(),
                ),
                "head": nn.Linear(128, n_classes),
            }
        )

    def _images(self, X):
        X = np.asarray(X, dtype=np.float32)
        side = self.side_
        return torch.from_numpy(X.reshape(len(X), 1, side, side))

    def fit(self, X, y):
        """Train on images ``X`` (``(n, side, side)`` or flat) with labels ``y``."""
        X = np.asarray(X)
        self.side_ = X.shape[1] if X.ndim == 3 else int(round(np.sqrt(X.shape[1])))
        self.classes_, codes = np.unique(y, return_inverse=True)
        generator = torch.Generator().manual_seed(self.random_state)
        # torch's default initialisation draws from the global generator:
        # leave it as it was, and draw the weights from the local one.
        with torch.random.fork_rng(devices=[]):
            self.net_ = self._network(self.side_, len(self.classes_))
        with torch.no_grad():
            for p in self.net_.parameters():
                fan_in = p[0].numel() if p.ndim > 1 else p.numel()
                bound = 1.0 / np.sqrt(fan_in)
                p.uniform_(-bound, bound, generator=generator)
        images, labels = self._images(X), torch.from_numpy(codes.astype(np.int64))
        optimizer = torch.optim.Adam(self.net_.parameters(), lr=1e-3)
        for _ in range(self.epochs):
            order = torch.randperm(len(images), generator=generator)
            for start in range(0, len(images), self.batch_size):
                batch = order[start : start + self.batch_size]
                logits = self.net_["head"](self.net_["convs"](images[batch]))
                loss = F.cross_entropy(logits, labels[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        return self

    @torch.no_grad()
    def transform(self, X):
        """The last hidden layer's activations, ``(n, 128)``."""
        return self.net_["convs"](self._images(X)).numpy().astype(np.float64)

    @torch.no_grad()
    def score(self, X, y):
        """Accuracy on labelled images."""
        logits = self.net_["head"](self.net_["convs"](self._images(X)))
        return float((self.classes_[logits.argmax(1).numpy()] == np.asarray(y)).mean())


# The columns :func:`judge` fills, judge 1's then judge 2's.
JUDGE_COLUMNS = ["FD", "precision", "recall", "FD 2", "precision 2", "recall 2"]
# Where each judge's Frechet distance is in :func:`judge`'s figures.
FD = [JUDGE_COLUMNS.index("FD"), JUDGE_COLUMNS.index("FD 2")]


def baseline_bar(baselines):
    """Each judge's FD of the better baseline: ``baselines`` maps a key to
    ``(name, figures)``, as ``bench_generators.baselines`` returns."""
    return [min(figures[i] for _, figures in baselines.values()) for i in FD]


def beats_both(figures, bar):
    """Whether samples with these :func:`judge` figures have a lower FD than
    both baselines under both judges (``bar`` from :func:`baseline_bar`)."""
    return all(figures[i] < b for i, b in zip(FD, bar))


def fit_judges(X_train, y_train, *, fast=False):
    """Both judges, trained on the training images and their labels."""
    from skgen.metrics import ClassifierFeatures

    flat = np.asarray(X_train).reshape(len(X_train), -1)
    return [
        ClassifierFeatures(random_state=0).fit(flat, y_train),
        ConvJudge(epochs=2 if fast else 30).fit(X_train, y_train),
    ]


def judge(judges, real_features, samples):
    """FD, precision and recall (k = 5) of ``samples`` against the real
    held-out images, whose features under each judge are ``real_features``:
    six figures, in the order of ``JUDGE_COLUMNS``."""
    from skgen.metrics import frechet_distance, precision_recall_density_coverage

    flat = np.clip(np.asarray(samples).reshape(len(samples), -1), 0, 1)
    figures = []
    for one, real in zip(judges, real_features):
        fake = one.transform(flat)
        precision, recall, _, _ = precision_recall_density_coverage(real, fake)
        figures += [frechet_distance(real, fake), precision, recall]
    return figures
