"""Sparse and denoising autoencoders: regularised, may be overcomplete."""

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from .._engine._docs import fill_doc
from .._engine._validation import check_layer_sizes
from ._base import (
    CUSTOM_NETWORK_CONSTRAINTS,
    DENSE_CONSTRAINTS,
    BaseAutoencoder,
)
from ._networks import DenseAutoencoderNet
from ._objectives import ReconstructionObjective


def _dense_module(estimator, spec, coding_activation):
    sizes = [spec.n_features, *check_layer_sizes(estimator), estimator.n_components]
    return DenseAutoencoderNet(
        sizes,
        activation=estimator.activation,
        coding_activation=coding_activation,
        output_activation=estimator.output_activation,
    )


@fill_doc
class SparseAutoencoder(BaseAutoencoder):
    """Sparse autoencoder: sigmoid codings with a sparsity penalty.

    Each coding is a sigmoid unit; a penalty pushes its mean activation over
    a batch toward ``sparsity_target`` (``"kl"``, the KL divergence of
    Ng's sparse autoencoder) or all activations toward zero (``"l1"``, the
    book's activity regularisation). The codings may outnumber the input
    features (overcomplete).

    Parameters
    ----------
    n_components : int, default=2
        Number of codings (sigmoid units); may exceed ``n_features``.

    hidden_layer_sizes : array-like of int, default=(100,)
        Sizes of the encoder's hidden layers; the decoder mirrors them.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the hidden layers.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1),
        ``"tanh"`` (-1, 1), None any value. ``fit`` warns
        (:class:`~skgen.exceptions.DataRangeWarning`) when the data leave
        that range, since the reconstructions could never reach them.

    sparsity : {{"kl", "l1"}}, default="kl"
        ``"kl"`` adds ``sparsity_weight * sum_j KL(target || mean_j)`` where
        ``mean_j`` is coding ``j``'s mean activation over the batch; ``"l1"``
        adds ``sparsity_weight * mean(sum_j |coding_j|)``.

    sparsity_target : float, default=0.1
        Target mean activation of each coding, for ``sparsity="kl"``.

    sparsity_weight : float, default=0.01
        Weight of the penalty relative to the mean squared error.

    {encoder_decoder_parameters}

    {training_parameters}

    Attributes
    ----------
    n_components_ : int
        Number of codings of the fitted model.

    reconstruction_error_ : float
        Mean squared reconstruction error on the training data at the end of
        fit (penalty excluded).

    {training_attributes}

    See Also
    --------
    StackedAutoencoder : The same network without the penalty, linear codings.

    References
    ----------
    .. [1] A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford, 2011.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import SparseAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = SparseAutoencoder(n_components=100, max_iter=5, random_state=0).fit(X)
    >>> codings = ae.transform(X)
    >>> codings.shape, bool(((codings > 0) & (codings < 1)).all())
    ((1797, 100), True)
    """

    _parameter_constraints = {
        **CUSTOM_NETWORK_CONSTRAINTS,
        **BaseAutoencoder._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "sparsity": [StrOptions({"kl", "l1"})],
        "sparsity_target": [Interval(numbers.Real, 0, 1, closed="neither")],
        "sparsity_weight": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _module_params = (
        "n_components",
        "hidden_layer_sizes",
        "activation",
        "output_activation",
        "encoder",
        "decoder",
    )
    _allow_overcomplete = True

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        output_activation=None,
        sparsity="kl",
        sparsity_target=0.1,
        sparsity_weight=0.01,
        encoder=None,
        decoder=None,
        max_iter=200,
        batch_size=32,
        learning_rate_init=0.001,
        learning_rate="constant",
        optimizer="adam",
        optimizer_params=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        callbacks=None,
        device="auto",
        n_loader_workers=0,
        mixed_precision=None,
        compile=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.sparsity = sparsity
        self.sparsity_target = sparsity_target
        self.sparsity_weight = sparsity_weight
        self.encoder = encoder
        self.decoder = decoder
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.n_loader_workers = n_loader_workers
        self.mixed_precision = mixed_precision
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _builtin_network(self, spec):
        return _dense_module(self, spec, "logistic")

    def _build_objective(self):
        return ReconstructionObjective(
            sparsity=self.sparsity,
            sparsity_target=self.sparsity_target,
            sparsity_weight=self.sparsity_weight,
        )


@fill_doc
class DenoisingAutoencoder(BaseAutoencoder):
    """Denoising autoencoder: reconstructs clean inputs from corrupted ones.

    During training each batch is corrupted (Gaussian noise or dropout of
    input entries) before encoding, and the loss compares the reconstruction
    with the clean batch; ``transform`` and friends never add noise. The
    network learns the structure of the data rather than the identity, so
    the codings may be overcomplete.

    Parameters
    ----------
    n_components : int, default=2
        Size of the codings; may exceed ``n_features``.

    hidden_layer_sizes : array-like of int, default=(100,)
        Sizes of the encoder's hidden layers; the decoder mirrors them.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the hidden layers.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1),
        ``"tanh"`` (-1, 1), None any value. ``fit`` warns
        (:class:`~skgen.exceptions.DataRangeWarning`) when the data leave
        that range, since the reconstructions could never reach them.

    noise : {{"gaussian", "dropout"}}, default="gaussian"
        ``"gaussian"`` adds ``N(0, noise_level**2)`` to every entry;
        ``"dropout"`` zeroes entries with probability ``noise_level`` and
        scales the rest by ``1 / (1 - noise_level)``.

    noise_level : float, default=0.1
        Standard deviation of the Gaussian noise, in the units of ``X``, or
        the dropout probability (then below 1).

    {encoder_decoder_parameters}

    {training_parameters}

    Attributes
    ----------
    n_components_ : int
        Size of the codings of the fitted model.

    reconstruction_error_ : float
        Mean squared reconstruction error of the clean training data at the
        end of fit.

    {training_attributes}

    See Also
    --------
    StackedAutoencoder : The same network trained on clean inputs.

    References
    ----------
    .. [1] P. Vincent, H. Larochelle, Y. Bengio and P.-A. Manzagol,
       "Extracting and composing robust features with denoising
       autoencoders", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from skgen import DenoisingAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = DenoisingAutoencoder(n_components=10, max_iter=5, random_state=0).fit(X)
    >>> noisy = X + np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    >>> ae.inverse_transform(ae.transform(noisy)).shape
    (1797, 64)
    """

    _parameter_constraints = {
        **CUSTOM_NETWORK_CONSTRAINTS,
        **BaseAutoencoder._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "noise": [StrOptions({"gaussian", "dropout"})],
        "noise_level": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _module_params = (
        "n_components",
        "hidden_layer_sizes",
        "activation",
        "output_activation",
        "encoder",
        "decoder",
    )
    _allow_overcomplete = True

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        output_activation=None,
        noise="gaussian",
        noise_level=0.1,
        encoder=None,
        decoder=None,
        max_iter=200,
        batch_size=32,
        learning_rate_init=0.001,
        learning_rate="constant",
        optimizer="adam",
        optimizer_params=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        callbacks=None,
        device="auto",
        n_loader_workers=0,
        mixed_precision=None,
        compile=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.noise = noise
        self.noise_level = noise_level
        self.encoder = encoder
        self.decoder = decoder
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.device = device
        self.n_loader_workers = n_loader_workers
        self.mixed_precision = mixed_precision
        self.compile = compile
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        if self.noise == "dropout" and self.noise_level >= 1:
            raise ValueError(
                f"noise_level={self.noise_level} is a dropout probability with "
                "noise='dropout' and must be below 1."
            )

    def _builtin_network(self, spec):
        return _dense_module(self, spec, "identity")

    def _build_objective(self):
        return ReconstructionObjective(noise=self.noise, noise_level=self.noise_level)
