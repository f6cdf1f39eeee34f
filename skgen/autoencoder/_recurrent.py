"""Recurrent autoencoder for sequences."""

from sklearn.utils._param_validation import StrOptions

from .._blocks import OUTPUT_ACTIVATIONS
from .._engine._docs import fill_doc
from .._engine._validation import check_layer_sizes
from ._base import BaseAutoencoder
from ._networks import RECURRENT_CELLS, RecurrentAutoencoderNet


@fill_doc
class RecurrentAutoencoder(BaseAutoencoder):
    """Recurrent (LSTM or GRU) autoencoder for sequences.

    The encoder reads a sequence step by step through recurrent layers and
    keeps the last step's output of a final layer of ``n_components`` units
    as the coding; the decoder repeats the coding at every step, runs
    recurrent layers back up and maps each step to the input's features:
    the book's LSTM(100)-LSTM(30) / RepeatVector-LSTM(100)-Dense design,
    which reads each 28x28 image as 28 rows of 28 pixels.

    Sequences are given as ``(n_samples, n_steps, n_features)`` arrays, or
    flattened to 2-D (arrays, DataFrames) with ``sequence_shape``; flat rows
    without it are read as sequences of one feature per step.
    ``transform`` gives ``(n_samples, n_components)`` codings and
    ``inverse_transform`` sequences shaped like the input.

    Parameters
    ----------
    n_components : int, default=2
        Size of the codings (units of the encoder's last recurrent layer).

    sequence_shape : tuple of int, default=None
        ``(n_steps, n_features)`` of one sequence, needed only when ``X``
        is flattened to 2-D.

    hidden_layer_sizes : array-like of int, default=(100,)
        Units of the encoder's recurrent layers before the coding layer;
        the decoder has them in reverse order.

    cell : {{"lstm", "gru"}}, default="lstm"
        The recurrent layer.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1),
        ``"tanh"`` (-1, 1), None any value.

    {training_parameters}

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
    ConvolutionalAutoencoder : For images read as images.
    StackedAutoencoder : Dense layers over the flattened sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen import RecurrentAutoencoder
    >>> t = np.linspace(0, 2 * np.pi, 20)
    >>> X = np.sin(t[None, :, None] + np.arange(50)[:, None, None])  # 50 sequences
    >>> ae = RecurrentAutoencoder(2, hidden_layer_sizes=(16,), max_iter=3,
    ...                           random_state=0).fit(X)
    >>> ae.transform(X).shape, ae.inverse_transform(ae.transform(X)).shape
    ((50, 2), (50, 20, 1))
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "sequence_shape": ["array-like", None],
        "hidden_layer_sizes": ["array-like"],
        "cell": [StrOptions(set(RECURRENT_CELLS))],
        "output_activation": [StrOptions(set(OUTPUT_ACTIVATIONS)), None],
    }
    _module_params = (
        "n_components",
        "sequence_shape",
        "hidden_layer_sizes",
        "cell",
        "output_activation",
    )
    _architectures = {"recurrent": "sequences"}

    def __init__(
        self,
        n_components=2,
        *,
        sequence_shape=None,
        hidden_layer_sizes=(100,),
        cell="lstm",
        output_activation=None,
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
        self.sequence_shape = sequence_shape
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cell = cell
        self.output_activation = output_activation
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
        check_layer_sizes(self)

    def _builtin_network(self, spec):
        return RecurrentAutoencoderNet(
            spec.shape,
            self.n_components,
            hidden_sizes=check_layer_sizes(self),
            cell=self.cell,
            output_activation=self.output_activation,
        )
