"""Linear and stacked (deep) autoencoders."""

import torch

from .._engine._docs import fill_doc
from .._engine._modules import init_parameters_
from .._engine._validation import check_layer_sizes
from ._base import (
    CUSTOM_NETWORK_CONSTRAINTS,
    DENSE_CONSTRAINTS,
    BaseAutoencoder,
)
from ._networks import DenseAutoencoderNet
from ._objectives import ReconstructionObjective


@fill_doc
class LinearAutoencoder(BaseAutoencoder):
    """Linear autoencoder: one linear encoder layer, one linear decoder layer.

    Trained on the mean squared error, it learns the same subspace as
    :class:`~sklearn.decomposition.PCA` (Baldi & Hornik 1989), though not
    an orthonormal basis of it. Mostly a teaching tool and a sanity check
    of the training engine: PCA is faster and exact.

    Parameters
    ----------
    n_components : int, default=2
        Size of the codings; at most ``n_features``.

    {training_parameters}

    Notes
    -----
    The default ``learning_rate_init`` is 0.003 (not 0.001 as for the other
    estimators): on digits it brings the held-out reconstruction error
    close to PCA's at 2, 5 and 10 components in 200 epochs (see the
    autoencoder page of the user guide; ``bench/bench_digits_quality.py``).

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
    sklearn.decomposition.PCA : The exact linear solution.
    StackedAutoencoder : Nonlinear, deeper autoencoder.

    References
    ----------
    .. [1] P. Baldi and K. Hornik, "Neural networks and principal component
       analysis: learning from examples without local minima", Neural
       Networks 2(1), 1989.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import LinearAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = LinearAutoencoder(n_components=5, max_iter=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 5)
    """

    def __init__(
        self,
        n_components=2,
        *,
        max_iter=200,
        batch_size=32,
        learning_rate_init=0.003,
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
        return DenseAutoencoderNet(
            [spec.n_features, self.n_components], coding_activation="identity"
        )


@fill_doc
class StackedAutoencoder(BaseAutoencoder):
    """Stacked (deep) autoencoder with a symmetric MLP encoder and decoder.

    The book's model: ``n_features -> 100 -> n_components -> 100 ->
    n_features`` by default, ReLU hidden layers, linear codings and a linear
    output, trained on the mean squared reconstruction error. A drop-in,
    nonlinear replacement for :class:`~sklearn.decomposition.PCA`.

    Parameters
    ----------
    n_components : int, default=2
        Size of the codings; at most ``n_features``.

    hidden_layer_sizes : array-like of int, default=(100,)
        Sizes of the encoder's hidden layers; the decoder mirrors them.

    activation : {{"relu", "tanh", "logistic", "identity", "elu", "selu", \
"gelu", "leaky_relu"}}, default="relu"
        Activation of the hidden layers.

    output_activation : {{"sigmoid", "tanh"}} or None, default=None
        Activation of the reconstruction: ``"sigmoid"`` outputs (0, 1) and
        suits data in [0, 1], ``"tanh"`` (-1, 1), None any value. ``fit``
        warns (:class:`~skgen.exceptions.DataRangeWarning`) when the data
        leave that range, since the reconstructions could never reach them.

    tied_weights : bool, default=False
        Decoder layers reuse the transposed encoder weights, halving the
        number of weights.

    greedy_pretraining : bool, default=False
        Train one shallow autoencoder per layer first (each for ``max_iter``
        epochs, on the codings of the previous one), stack them, then
        fine-tune the whole network for ``max_iter`` epochs: the book's
        "training one autoencoder at a time". ``n_iter_`` and
        ``loss_curve_`` count the fine-tuning epochs; the pretraining curves
        are in ``pretraining_loss_curves_``.

    {encoder_decoder_parameters}

    {training_parameters}

    Attributes
    ----------
    n_components_ : int
        Size of the codings of the fitted model.

    reconstruction_error_ : float
        Mean squared reconstruction error on the training data at the end of
        fit.

    pretraining_loss_curves_ : list of list of float or None
        With ``greedy_pretraining``, the loss curve of each shallow
        autoencoder, outermost first.

    {training_attributes}

    See Also
    --------
    sklearn.decomposition.PCA : Linear counterpart.
    DenoisingAutoencoder : Trained to undo input noise.
    SparseAutoencoder : With a sparsity penalty on the codings.

    References
    ----------
    .. [1] G. E. Hinton and R. R. Salakhutdinov, "Reducing the dimensionality
       of data with neural networks", Science 313(5786), 2006.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skgen import StackedAutoencoder
    >>> X = load_digits().data / 16
    >>> ae = StackedAutoencoder(n_components=10, max_iter=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 10)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints = {
        **CUSTOM_NETWORK_CONSTRAINTS,
        **BaseAutoencoder._parameter_constraints,
        **DENSE_CONSTRAINTS,
        "tied_weights": ["boolean"],
        "greedy_pretraining": ["boolean"],
    }
    _module_params = (
        "n_components",
        "hidden_layer_sizes",
        "activation",
        "output_activation",
        "tied_weights",
        "encoder",
        "decoder",
    )
    _fitted_attributes = BaseAutoencoder._fitted_attributes + ("pretraining_loss_curves_",)

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        output_activation=None,
        tied_weights=False,
        greedy_pretraining=False,
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
        self.tied_weights = tied_weights
        self.greedy_pretraining = greedy_pretraining
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
        check_layer_sizes(self)
        custom = [name for name in ("encoder", "decoder") if getattr(self, name) is not None]
        for option in ("tied_weights", "greedy_pretraining"):
            if custom and getattr(self, option):
                raise ValueError(
                    f"{option}=True needs the built-in layers, but {' and '.join(custom)} "
                    f"{'is' if len(custom) == 1 else 'are'} your own module: set {option}=False "
                    f"or {' and '.join(n + '=None' for n in custom)}."
                )

    def _builtin_network(self, spec):
        sizes = [spec.n_features, *check_layer_sizes(self), self.n_components]
        return DenseAutoencoderNet(
            sizes,
            activation=self.activation,
            coding_activation="identity",
            output_activation=self.output_activation,
            tied_weights=self.tied_weights,
        )

    def _before_training(self, net, train):
        self.pretraining_loss_curves_ = None
        if not self.greedy_pretraining:
            return
        module, generator = net.module_, net.generator_
        curves = []
        codings = train
        for level in range(module.depth):
            shallow = _init_like(module.shallow_level(level), generator)
            curves.append(
                self._train_module(
                    shallow,
                    ReconstructionObjective(),
                    codings,
                    generator,
                    desc=f"{type(self).__name__} pretraining layer {level + 1}",
                )
            )
            module.load_level(level, shallow)
            shallow.eval()
            with torch.no_grad():
                codings = codings.map(shallow.encode)
        self.pretraining_loss_curves_ = curves


def _init_like(module, generator):
    """Initialise a pretraining network from the fit's generator."""
    cpu_gen = torch.Generator().manual_seed(
        int(torch.randint(2**31 - 1, (1,), generator=generator, device=generator.device))
    )
    return init_parameters_(module, cpu_gen)
