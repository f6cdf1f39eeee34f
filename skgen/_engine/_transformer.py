"""The shared base of encoder-decoder transformers (autoencoders, the VAE)."""

import numbers

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval

from .._blocks import user_network
from ._estimator import BaseNeuralEstimator
from ._validation import sample_layout


class EncoderDecoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                                BaseNeuralEstimator):
    """A network of an encoder and a decoder, used as a transformer like ``PCA``.

    ``transform`` gives ``n_components`` codings per sample. The family
    provides its built-in network (``_build_network``) and how an encoder
    and a decoder make one (``_assemble_network``); this class puts a user's
    own ``encoder`` / ``decoder`` in place of the built-in halves.
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        **BaseNeuralEstimator._parameter_constraints,
    }
    _module_params = ("n_components",)

    def _build_module(self, n_features, sample_shape):
        encoder = getattr(self, "encoder", None)
        decoder = getattr(self, "decoder", None)
        if encoder is None and decoder is None:
            return self._build_network(n_features, sample_shape)
        layout = sample_layout(self, n_features, sample_shape)
        codings = (self.n_components,)
        extras = self._condition_example()
        # The built-in network supplies the half the user did not give.
        built = (self._build_network(n_features, sample_shape)
                 if encoder is None or decoder is None else None)
        return self._assemble_network(
            built.encoder if encoder is None else user_network(
                encoder, "encoder", layout, (self._encoder_width(),), extras),
            built.decoder if decoder is None else user_network(
                decoder, "decoder", codings, layout, extras),
        )

    def _build_network(self, n_features, sample_shape):
        """The built-in network of this autoencoder."""
        raise NotImplementedError

    def _encoder_width(self):
        """Outputs of the encoder per sample."""
        return self.n_components

    def _condition_example(self):
        """Extra arguments of the encoder and decoder, for a batch of two."""
        return ()

    def _assemble_network(self, encoder, decoder):
        """The whole network from an encoder and a decoder on flat rows."""
        raise NotImplementedError

    @property
    def _n_features_out(self):
        return self.n_components_

    def score(self, X, y=None):
        """Mean of ``score_samples``, so model selection needs no labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        score : float
            The mean of ``score_samples(X)``.
        """
        return float(np.mean(self.score_samples(X)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
