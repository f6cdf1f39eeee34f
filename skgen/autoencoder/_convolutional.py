"""Convolutional autoencoder for image arrays."""

from sklearn.utils._param_validation import StrOptions

from .._blocks import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .._engine._docs import fill_doc
from .._engine._validation import check_channels
from ._base import CUSTOM_NETWORK_CONSTRAINTS, BaseAutoencoder
from ._networks import ConvAutoencoderNet


@fill_doc
class ConvolutionalAutoencoder(BaseAutoencoder):
    """Convolutional autoencoder for images.

    The encoder stacks 3x3 convolutions and 2x2 max-pooling (the book's
    16-32-64 design) and a linear layer to the codings; the decoder mirrors
    it with stride-2 transposed convolutions. Works for any image size
    (8x8 digits, 28x28 Fashion-MNIST, odd sizes) and any number of channels.

    Images are given as ``(n_samples, height, width)`` or ``(n_samples,
    height, width, channels)`` arrays, or flattened with ``image_shape``.
    Flattened input without ``image_shape`` is treated as one-dimensional
    signals (each row a 1 x n_features image), so 1-D convolutions are used.

    Parameters
    ----------
    n_components : int, default=2
        Size of the codings; at most the number of pixels times channels.

    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of one image,
        needed only when ``X`` is flattened to 2-D.

    channels : array-like of int, default=(16, 32, 64)
        Feature maps of each encoder block; each block halves the image size.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the hidden layers.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1),
        ``"tanh"`` (-1, 1), None any value. ``fit`` warns
        (:class:`~skgen.exceptions.DataRangeWarning`) when the data leave
        that range, since the reconstructions could never reach them.

    {encoder_decoder_parameters}

    {training_parameters}

    Notes
    -----
    ``max_iter`` defaults to 100 (not 200): convolutions are costly on a CPU,
    and 100 epochs already beat PCA clearly on digits (see "How they
    compare with PCA" on the autoencoder page of the user guide;
    ``bench/bench_digits_quality.py``).

    Attributes
    ----------
    n_components_ : int
        Size of the codings of the fitted model.

    reconstruction_error_ : float
        Mean squared reconstruction error on the training data at the end of
        fit.

    {training_attributes}

    See Also
    --------
    StackedAutoencoder : Dense counterpart, for any tabular data.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import ConvolutionalAutoencoder
    >>> images = load_digits().images / 16  # (1797, 8, 8)
    >>> ae = ConvolutionalAutoencoder(n_components=10, max_iter=2, random_state=0)
    >>> ae.fit(images).transform(images).shape
    (1797, 10)
    >>> ae.inverse_transform(ae.transform(images[:4])).shape
    (4, 8, 8)
    """

    _parameter_constraints = {
        **CUSTOM_NETWORK_CONSTRAINTS,
        **BaseAutoencoder._parameter_constraints,
        "image_shape": ["array-like", None],
        "channels": ["array-like"],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "output_activation": [StrOptions(set(OUTPUT_ACTIVATIONS)), None],
    }
    _module_params = (
        "n_components",
        "image_shape",
        "channels",
        "activation",
        "output_activation",
        "encoder",
        "decoder",
    )
    _architectures = {"conv": "images"}

    def __init__(
        self,
        n_components=2,
        *,
        image_shape=None,
        channels=(16, 32, 64),
        activation="relu",
        output_activation=None,
        encoder=None,
        decoder=None,
        max_iter=100,
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
        self.image_shape = image_shape
        self.channels = channels
        self.activation = activation
        self.output_activation = output_activation
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
        check_channels(self)

    def _builtin_network(self, spec):
        return ConvAutoencoderNet(
            spec.shape,
            self.n_components,
            channels=check_channels(self),
            activation=self.activation,
            output_activation=self.output_activation,
        )
