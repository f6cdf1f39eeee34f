"""The shared base of encoder-decoder transformers (autoencoders, the VAE)."""

import numbers

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._estimator import BaseNeuralEstimator
from ._modules import user_network
from ._validation import validate_codings


class EncoderDecoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator
):
    """A network of an encoder and a decoder, used as a transformer like ``PCA``.

    ``transform`` gives ``n_components`` codings per sample and
    ``inverse_transform`` decodes codings back to the data's scale and
    shape. The family provides its built-in network (``_builtin_network``),
    how an encoder and a decoder make one (``_assemble_network``) and what
    encoding and decoding a batch mean (``_encode``, ``_decode``); this
    class puts a user's own ``encoder`` / ``decoder`` in place of the
    built-in halves.
    """

    _parameter_constraints = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        **BaseNeuralEstimator._parameter_constraints,
    }
    _module_params = ("n_components",)
    _fitted_attributes = BaseNeuralEstimator._fitted_attributes + ("n_components_",)

    # -- the network -------------------------------------------------------
    def _build_network(self, spec):
        encoder = getattr(self, "encoder", None)
        decoder = getattr(self, "decoder", None)
        if encoder is None and decoder is None:
            return self._builtin_network(spec)
        codings = (self.n_components,)
        extras = self._condition_example()
        # The built-in network supplies the half the user did not give.
        built = self._builtin_network(spec) if encoder is None or decoder is None else None
        return self._assemble_network(
            built.encoder
            if encoder is None
            else user_network(encoder, "encoder", spec.layout, (self._encoder_width(),), extras),
            built.decoder
            if decoder is None
            else user_network(decoder, "decoder", codings, spec.layout, extras),
            spec,
        )

    def _builtin_network(self, spec):
        """The built-in network of this family for data of ``spec``."""
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

    def _encode(self, module, batch, labels):
        """The codings of a batch in the network's space."""
        return module.encode(batch)

    def _decode(self, module, codings, labels):
        """What ``inverse_transform`` shows of codings, in the network's space."""
        return module.decode(codings)

    def _labels_for(self, y, n_samples, method):
        """Encoded labels of a conditional model; others ignore ``y``."""
        return None

    def _after_training(self, net, train):
        self.n_components_ = self.n_components

    # -- the transformer ---------------------------------------------------
    def _inputs(self, X):
        """Validated samples (or a streamed source) and the map of a batch of
        them to the network's space."""
        X = self._read(X)
        preprocess = None if self.spec_.scaler is None else self.spec_.to_model
        return X, preprocess

    def transform(self, X, y=None):
        """Encode ``X`` into its codings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data (images may also be given
            flattened).
        y : array-like of shape (n_samples,), default=None
            Class labels of a model fitted with ``conditional=True``;
            ignored otherwise.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The codings, with the dtype of ``X`` (float32 or float64).
        """
        X, preprocess = self._inputs(X)
        labels = self._labels_for(y, X.shape[0], "transform")
        return self._forward_batches(
            lambda m, b, *yb: self._encode(m, b, yb[0] if yb else None),
            X,
            X.dtype,
            labels=labels,
            preprocess=preprocess,
        )

    def inverse_transform(self, X, y=None):
        """Decode codings back to the data's space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codings, for example from :meth:`transform`.
        y : array-like of shape (n_samples,), default=None
            Class labels of a model fitted with ``conditional=True``;
            ignored otherwise.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features) or image shape
            Reconstructions, shaped and scaled like the training samples.
        """
        check_is_fitted(self)
        Z = validate_codings(self, X, self.n_components_, "inverse_transform")
        labels = self._labels_for(y, Z.shape[0], "inverse_transform")
        out = self._forward_batches(
            lambda m, b, *yb: self._decode(m, b, yb[0] if yb else None), Z, Z.dtype, labels=labels
        )
        return self.spec_.to_data(out)

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
