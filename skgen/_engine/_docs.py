"""Docstring pieces shared by every estimator (numpydoc)."""

import inspect
import textwrap

from ._estimator import auto_epochs

MAX_ITER_DOC = """\
max_iter : int, default={max_iter}
        Number of epochs (passes over the training data)."""


def auto_max_iter_doc(
    steps, why, *, what="optimizer steps", batch_size=32, max_epochs=None, min_epochs=None
):
    """The ``max_iter`` entry of a family with ``max_iter="auto"``.

    ``steps`` is a number of steps, or a dict ``{architecture: steps}``
    whose steps may be ``{most values per sample: steps}`` (see
    ``for_size``);
    ``batch_size`` is the default batch size, a number or a dict keyed the
    same way; ``max_epochs`` and ``min_epochs``, ``{architecture: most
    (least) epochs}``. The examples of epoch counts are computed, so they
    follow all four.
    """
    max_epochs = max_epochs or {}
    min_epochs = min_epochs or {}

    def size(name):
        return batch_size[name] if isinstance(batch_size, dict) else batch_size

    def examples(n_steps, bs, name=None):
        cap, floor = max_epochs.get(name), min_epochs.get(name, 1)
        return ", ".join(
            f"{min(max(auto_epochs(n_steps, n, bs), floor), cap or float('inf')):,} on {n:,} rows"
            for n in (898, 4000, 60000)
        )

    def most_epochs(name):
        least = f", at least {min_epochs[name]:,}" if name in min_epochs else ""
        return f"{least}, at most {max_epochs[name]:,} epochs" if name in max_epochs else least

    def one(name, n):
        at = f" at batch size {size(name)}" if isinstance(batch_size, dict) else ""
        if not isinstance(n, dict):
            return (
                f"{n:,} {what} with ``architecture={name!r}`` "
                f"({examples(n, size(name), name)}{at}{most_epochs(name)})"
            )
        # {most values per sample (None: any size): steps}, see for_size
        return f"with ``architecture={name!r}``, " + ", ".join(
            f"{k:,}"
            + ("" if i else f" {what}")
            + (" on larger samples" if most is None else f" on samples of up to {most:,} values")
            + f" ({examples(k, size(name), name)}{at}{most_epochs(name)})"
            for i, (most, k) in enumerate(n.items())
        )

    if isinstance(steps, dict):
        amount = "; ".join(one(name, n) for name, n in steps.items())
    else:
        amount = f"{steps:,} {what} ({examples(steps, batch_size)})" + "".join(
            f", at most {cap:,} epochs with ``architecture={name!r}``"
            for name, cap in max_epochs.items()
        )
    at = "" if isinstance(batch_size, dict) else f", at ``batch_size={batch_size}``"
    body = (
        f'Number of epochs (passes over the training data). ``"auto"`` trains for '
        f"as many epochs as make about {amount}{at}: {why}"
    )
    return 'max_iter : int or "auto", default="auto"\n' + textwrap.fill(
        body,
        76,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _batch_size_doc(auto):
    """The ``batch_size`` description for a class's ``_auto_batch_size``."""
    if isinstance(auto, dict):
        sizes = ", ".join(f"{size} with ``architecture={name!r}``" for name, size in auto.items())
        body = (
            f'Size of the mini-batches. ``"auto"`` uses {sizes} (at most '
            "``n_samples``), the sizes at which the defaults were measured; "
            "larger values are clipped to ``n_samples``."
        )
    elif auto == 200:
        body = (
            'Size of the mini-batches. ``"auto"`` uses ``min(200, n_samples)`` like '
            "scikit-learn's ``MLPRegressor``; larger values are clipped to "
            "``n_samples``."
        )
    else:
        body = (
            f'Size of the mini-batches. ``"auto"`` uses ``min({auto}, n_samples)``; '
            "larger values are clipped to ``n_samples``."
        )
    return textwrap.fill(
        body,
        76,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
        break_on_hyphens=False,
        break_long_words=False,
    )


ENCODER_DECODER_PARAMETERS = """\
encoder : torch.nn.Module instance or subclass, default=None
        Your own encoder instead of the built-in layers: a module that maps a
        batch of samples to ``(batch, n_components)`` codings. Samples come in
        torch's layout, ``(batch, n_features)`` for rows and ``(batch,
        channels, height, width)`` for images (image arrays, or rows with
        ``image_shape``). An instance is copied and a subclass called with no
        arguments at every fresh fit, and its parameters are re-initialised
        from ``random_state``; see :ref:`custom-networks` for the contract.
        None: the built-in encoder.

    decoder : torch.nn.Module instance or subclass, default=None
        Your own decoder: maps ``(batch, n_components)`` codings to a batch of
        samples in the same layout. ``output_activation`` applies to the
        built-in decoder only. None: the built-in decoder."""

TRAINING_PARAMETERS = """\
{max_iter_doc}

    batch_size : int or "auto", default={batch_size}
{batch_size_doc}

    learning_rate_init : float, default={learning_rate_init}
        Learning rate of the optimizer.

    learning_rate : {"constant", "cosine"}, default={learning_rate}
        Learning-rate schedule over the ``max_iter`` epochs of each ``fit``
        call. ``"constant"`` keeps ``learning_rate_init``; ``"cosine"``
        decays it at every optimizer step along a half cosine to (nearly)
        zero by the last step (Loshchilov & Hutter 2017); a warm-started
        ``fit`` runs the schedule again from the top. ``partial_fit``
        always uses the constant rate.

    optimizer : {"adam", "nadam", "sgd", "rmsprop"} or torch optimizer class, \
default="adam"
        The optimizer. Built-in names use torch's fastest implementation for
        the device (fused Adam and SGD, multi-tensor NAdam and RMSprop).

    optimizer_params : dict, default=None
        Extra keyword arguments for the optimizer, for example
        ``{"weight_decay": 1e-4}`` or ``{"momentum": 0.9}``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when the
        validation loss has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the weights of the best epoch are restored. A
        ``ConvergenceWarning`` is raised if ``max_iter`` is reached first.
        Ignored by ``partial_fit``.

    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.

    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.

    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an
        improvement for early stopping.

    warm_start : bool, default=False
        If True, ``fit`` continues training the fitted network (and its
        optimizer state) for ``max_iter`` more epochs instead of starting
        over.

    callbacks : list of skorch callbacks, default=None
        Any `skorch callbacks <https://skorch.readthedocs.io/en/stable/callbacks.html>`_
        (``Checkpoint``, ``LRScheduler``, ``EarlyStopping``, ``ProgressBar``,
        ``TensorBoard``...) or ``(name, callback)`` pairs. They are copied at
        fit, so the objects passed here are never modified; one that cannot
        be deep-copied (``TensorBoard`` and its ``SummaryWriter``) is rebuilt
        around the same parameter objects. Without a validation split
        (``early_stopping=False``), a callback that monitors
        ``"valid_loss"`` or ``"valid_loss_best"`` (the defaults of skorch's
        ``EarlyStopping`` and ``Checkpoint``) monitors ``"train_loss"`` or
        ``"train_loss_best"`` instead.

    device : str or torch.device, default="auto"
        Where to train and infer: ``"auto"`` picks CUDA, then MPS, then the
        CPU. Can be changed with ``set_params`` after fitting.

    n_loader_workers : int, default=0
        Processes that read and convert the data while the network trains,
        when ``fit`` streams ``X`` from disk (an ``np.memmap``, an HDF5 or
        zarr array, a dask array; see :ref:`out-of-core`), as PyTorch's
        ``DataLoader(num_workers=...)``. Each worker opens HDF5 files
        itself. 0 reads in the training process. Arrays held in memory
        ignore it; results do not depend on it.

    mixed_precision : {"bf16", "fp16"}, default=None
        Train with automatic mixed precision: the losses and the networks'
        forward passes run under ``torch.autocast`` in bfloat16 (``"bf16"``:
        the CPU and recent GPUs) or float16 (``"fp16"``: CUDA only, with
        ``torch.amp.GradScaler`` loss scaling). Weights, optimizer state and
        outputs stay float32, and inference (``transform``, ``sample``...)
        runs in float32. None trains in float32. See :ref:`performance-tips`.

    compile : bool or {"default", "reduce-overhead", "max-autotune"}, default=False
        Compile the networks' forward and backward passes with
        ``torch.compile`` while training (skorch's name); True is
        ``"default"``, a string is ``torch.compile``'s ``mode``. The first
        batches of each ``fit`` call wait for the compiler (seconds to
        minutes); it pays off on a GPU and for long fits.
        ``"reduce-overhead"`` also replays each network's kernels as a CUDA
        graph on a GPU, which removes the launch cost that bounds small
        networks' steps there (on a CPU it compiles as ``"default"``); the
        optimizer's step and the objective's random draws stay outside the
        graphs, so a seed gives the same fit on the same device. A GAN's
        discriminator stays eager under a gradient penalty (``r1_penalty``,
        ``"wasserstein-gp"``), which compiled code cannot differentiate
        twice. Parameter names, ``state_dict`` keys and pickles are those of
        the plain network, and inference runs uncompiled.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, validation split and every
        random draw of training through a local ``torch.Generator``; the
        global torch and numpy generators are never touched. An int makes
        ``fit`` reproducible bit for bit on the CPU.

    verbose : int, default=0
        ``1`` shows a progress bar over epochs with the training (and
        validation) loss; ``0`` prints nothing."""

TRAINING_ATTRIBUTES = """\
net_ : skgen's skorch ``NeuralNet``
        The trained skorch net, with its ``history`` and ``callbacks_``.

    module_ : torch.nn.Module
        The trained network (``net_.module_``).

    n_iter_ : int
        Number of epochs run, counting warm starts and ``partial_fit`` calls.

    loss_curve_ : list of float
        Training loss at the end of each epoch.

    validation_scores_ : list of float or None
        Negative validation loss at each epoch (higher is better) when
        ``early_stopping=True`` (a model with a held-out quality monitor
        records that instead, see its Notes), else None.

    validation_epochs_ : list of int or None
        Epochs (counted from 1) of the figures in ``validation_scores_``.

    best_validation_score_ : float or None
        Largest of ``validation_scores_``, or None.

    best_loss_ : float
        The loss of the kept weights: the lowest validation loss with early
        stopping, else the lowest training loss.

    spec_ : DataSpec
        What the fit learnt about its input: the kind of data, the shape and
        dtype of one sample, the network chosen for it and the scaling the
        network trains on (with each feature's training range, which
        samples are clipped to).

    n_features_in_ : int
        Number of features seen during fit (pixels times channels for
        images).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column
        names."""


def fill_doc(cls):
    """Put the shared parameter and attribute docs into a class docstring.

    Defaults shown are read from the class's own ``__init__``, so a class
    with other defaults documents its own; a class that trains for a number
    of steps with ``max_iter="auto"`` (``_auto_training_steps``) gets that
    documented, with its ``_auto_training_reason``.
    """
    defaults = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()}
    max_iter_doc = MAX_ITER_DOC
    if cls._auto_training_steps is not None:
        batch_size = defaults["batch_size"]
        max_iter_doc = auto_max_iter_doc(
            cls._auto_training_steps,
            cls._auto_training_reason,
            what=cls._auto_training_unit,
            batch_size=cls._auto_batch_size if batch_size == "auto" else batch_size,
            max_epochs=cls._auto_max_epochs,
            min_epochs=cls._auto_min_epochs,
        )
    shared = TRAINING_PARAMETERS.replace("{max_iter_doc}", max_iter_doc)
    shared = shared.replace("{batch_size_doc}", _batch_size_doc(cls._auto_batch_size))
    for name in ("max_iter", "batch_size", "learning_rate_init", "learning_rate"):
        shared = shared.replace("{" + name + "}", repr(defaults[name]))
    cls.__doc__ = cls.__doc__.format(
        training_parameters=shared,
        training_attributes=TRAINING_ATTRIBUTES,
        encoder_decoder_parameters=ENCODER_DECODER_PARAMETERS,
    )
    return cls
