"""What every autoencoder shares: the transformer interface."""

import warnings

import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions

from .._blocks import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .._engine._estimator import MODULE_OR_CLASS
from .._engine._transformer import EncoderDecoderTransformer
from ..exceptions import DataRangeWarning
from ._networks import EncoderDecoderNet
from ._objectives import ReconstructionObjective

# What each bounded output activation can reconstruct.
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}

# A user's own encoder and decoder (see skgen._engine._modules.user_network).
CUSTOM_NETWORK_CONSTRAINTS = {"encoder": MODULE_OR_CLASS, "decoder": MODULE_OR_CLASS}

DENSE_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like"],
    "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
    "output_activation": [StrOptions(set(OUTPUT_ACTIVATIONS)), None],
}


class BaseAutoencoder(EncoderDecoderTransformer):
    """Base class of the autoencoders: a transformer like ``PCA``.

    ``transform`` gives the codings, ``inverse_transform`` decodes codings
    back to the input space (images keep their shape), and ``score_samples``
    is the negative reconstruction MSE of each sample.
    """

    # Undercomplete autoencoders refuse n_components > n_features: with a
    # wider code they can learn the identity. Sparse and denoising ones
    # regularise the code and may be overcomplete.
    _allow_overcomplete = False
    _fitted_attributes = EncoderDecoderTransformer._fitted_attributes + ("reconstruction_error_",)

    def _fit_data(self, spec, stats):
        n_features = stats.n_features
        if not self._allow_overcomplete and self.n_components > n_features:
            raise ValueError(
                f"n_components={self.n_components} must be at most "
                f"n_features={n_features} for {type(self).__name__}, an "
                "undercomplete autoencoder. Use SparseAutoencoder or "
                "DenoisingAutoencoder for overcomplete codings."
            )
        activation = getattr(self, "output_activation", None)
        if activation in OUTPUT_RANGES and stats.n_samples:
            low, high = OUTPUT_RANGES[activation]
            if stats.min() < low or stats.max() > high:
                warnings.warn(
                    f"output_activation={activation!r} reconstructs values in "
                    f"[{low:g}, {high:g}], but X has values in [{stats.min():.4g}, "
                    f"{stats.max():.4g}]: the reconstructions cannot reach the data. "
                    f"Scale X into [{low:g}, {high:g}] (for example with MinMaxScaler"
                    f"{'(feature_range=(-1, 1))' if low else ''}) or set "
                    "output_activation=None.",
                    DataRangeWarning,
                )

    def _assemble_network(self, encoder, decoder, spec):
        return EncoderDecoderNet(encoder, decoder)

    def _build_objective(self):
        return ReconstructionObjective()

    def _after_training(self, net, train):
        super()._after_training(net, train)
        module = net.module_
        module.eval()
        total = 0.0
        with torch.inference_mode():
            for batch, _ in train.eval_batches():
                total += ((module(batch) - batch) ** 2).mean(1).sum().item()
        self.reconstruction_error_ = total / len(train)

    def score_samples(self, X, y=None):
        """Negative mean squared reconstruction error of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((inverse_transform(transform(x)) - x) ** 2)`` per sample;
            higher is better.
        """
        X, preprocess = self._inputs(X)
        return self._forward_batches(
            lambda m, b: -((m(b) - b) ** 2).mean(1), X, np.float64, preprocess=preprocess
        )
