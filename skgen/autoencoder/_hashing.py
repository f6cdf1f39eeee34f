"""Binary hashing autoencoder (semantic hashing)."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._engine._docs import fill_doc
from .._engine._validation import check_layer_sizes
from ._base import DENSE_CONSTRAINTS, BaseAutoencoder
from ._networks import HashingAutoencoderNet
from ._objectives import ReconstructionObjective


@fill_doc
class HashingAutoencoder(BaseAutoencoder):
    """Autoencoder with binary codings, for semantic hashing.

    A dense autoencoder whose codings are sigmoids, with Gaussian noise of
    standard deviation ``coding_noise`` added to their inputs (logits)
    during training. Only a coding pushed far from 0 gets its value through
    such noise, so training drives every coding to saturate near 0 or 1:
    each sample gets ``n_components`` bits, and similar samples get similar
    bits (the book's "binary hashing" autoencoder, after Salakhutdinov and
    Hinton's semantic hashing). ``transform`` gives the sigmoid values,
    :meth:`binary_codes` the bits, for hash tables or Hamming-distance
    search.

    Parameters
    ----------
    n_components : int, default=16
        Number of bits; at most ``n_features``.

    hidden_layer_sizes : array-like of int, default=(100,)
        Widths of the encoder's hidden layers; the decoder mirrors them.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the hidden layers.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1),
        ``"tanh"`` (-1, 1), None any value.

    coding_noise : float, default=15.0
        Standard deviation of the Gaussian noise added to the codings'
        logits during training (the book's ``GaussianNoise(15)``); 0 gives
        plain sigmoid codings that need not saturate. Inference adds none.

    {training_parameters}

    Attributes
    ----------
    n_components_ : int
        Number of bits of the fitted model.

    reconstruction_error_ : float
        Mean squared reconstruction error on the training data at the end of
        fit.

    {training_attributes}

    See Also
    --------
    StackedAutoencoder : Real-valued codings.
    SparseAutoencoder : Sigmoid codings kept sparse, not binary.

    References
    ----------
    .. [1] R. Salakhutdinov and G. Hinton, "Semantic hashing",
       International Journal of Approximate Reasoning 50(7), 2009.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import HashingAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = HashingAutoencoder(8, max_iter=3, random_state=0).fit(X)
    >>> codes = ae.binary_codes(X)
    >>> codes.shape, codes.dtype
    ((1797, 8), dtype('bool'))
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "coding_noise": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _module_params = ("n_components", "hidden_layer_sizes", "activation", "output_activation")

    def __init__(
        self,
        n_components=16,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        output_activation=None,
        coding_noise=15.0,
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
        self.coding_noise = coding_noise
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
        return HashingAutoencoderNet(
            [spec.n_features, *check_layer_sizes(self), self.n_components],
            activation=self.activation,
            output_activation=self.output_activation,
        )

    def _build_objective(self):
        return ReconstructionObjective(coding_noise=float(self.coding_noise))

    def binary_codes(self, X):
        """The bits of each sample: its codings thresholded at 0.5.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image array
            Data shaped like the training data.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components), dtype bool
            ``transform(X) > 0.5``. ``np.packbits(codes, axis=1)`` packs
            them into bytes; the Hamming distance of two codes is the
            number of bits where they differ.
        """
        check_is_fitted(self)
        return np.asarray(self.transform(X)) > 0.5
