"""skgen's own epoch-level helpers of the loop, and users' callbacks."""

import copy
import pickle
import sys

from skorch.callbacks import Callback

from ._distributed import check_callback, main_process_only


class EpochProgressBar(Callback):
    """A tqdm bar over epochs showing the training and validation loss.

    skorch's own ``ProgressBar`` counts batches; this one is what
    ``verbose=1`` turns on.
    """

    def __init__(self, desc=None):
        self.desc = desc

    def initialize(self):
        self.pbar_ = None
        return self

    def on_train_begin(self, net, X=None, y=None, epochs=None, **kwargs):
        from tqdm.auto import tqdm

        self.close()
        self.pbar_ = tqdm(
            total=epochs or net.max_epochs,
            desc=self.desc,
            unit="epoch",
            file=sys.stderr,
            leave=True,
            dynamic_ncols=True,
        )

    def on_epoch_end(self, net, **kwargs):
        if self.pbar_ is None:
            return
        row = net.history[-1]
        postfix = {"loss": f"{row['train_loss']:.4g}"}
        if "valid_loss" in row:
            postfix["val_loss"] = f"{row['valid_loss']:.4g}"
        for key, value in row.items():
            if key.startswith("monitor_"):
                postfix[key[len("monitor_") :]] = f"{value:.4g}"
        self.pbar_.set_postfix(postfix, refresh=False)
        self.pbar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.close()

    def close(self):
        if getattr(self, "pbar_", None) is not None:
            self.pbar_.close()
            self.pbar_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["pbar_"] = None
        return state


class EarlyStopper:
    """Stop when the validation loss stops improving, keep the best weights.

    Training stops after ``patience`` epochs in a row without an
    improvement of at least ``tol`` (scikit-learn's ``n_iter_no_change`` and
    ``tol``). The weights of the epoch with the lowest validation loss are
    kept in memory and restored by :meth:`restore`.
    """

    def __init__(self, patience, tol):
        self.patience = patience
        self.tol = tol
        self.reference = float("inf")
        self.best_loss = float("inf")
        self.best_state = None
        self.best_epoch = None
        self.bad_epochs = 0
        self.stopped = False

    def update(self, net):
        """Record the last epoch; return True when training should stop."""
        loss = net.history[-1, "valid_loss"]
        if loss < self.best_loss:
            self.best_loss = loss
            self.best_epoch = len(net.history)
            self.best_state = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        if loss < self.reference - self.tol:
            self.reference = loss
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        self.stopped = self.bad_epochs >= self.patience
        return self.stopped

    def restore(self, net):
        if self.best_state is not None:
            net.module_.load_state_dict(self.best_state)


# What a callback's monitor of the validation loss watches when a fit has
# no validation split (early_stopping=False): the training loss.
TRAINING_MONITORS = {"valid_loss": "train_loss", "valid_loss_best": "train_loss_best"}


def copy_callback(callback):
    """A copy of a skorch callback that fitting may change.

    A deep copy where one can be made; otherwise (a callback holding a lock,
    a file or a writer) a new instance of its class built from the same
    parameter objects, which is what ``sklearn.base.clone`` does to an
    estimator, without copying the parameters.
    """
    try:
        return copy.deepcopy(callback)
    except (TypeError, AttributeError, RuntimeError, copy.Error, pickle.PicklingError):
        params = callback.get_params(deep=False)
        return type(callback)(**params)


def user_callbacks(callbacks, validation, ctx):
    """Copies of the ``callbacks`` parameter for a fresh net.

    Fitting must not mutate the user's objects (sklearn convention), so
    each callback is deep-copied. One that cannot be (a ``TensorBoard``
    holding a ``SummaryWriter`` and its thread lock) is rebuilt from its
    parameters, which are shared rather than copied, like skorch's own
    use of the instance. Without a validation split (``validation``
    False), a monitor of the validation loss (skorch's ``Checkpoint``
    and ``EarlyStopping`` defaults) watches the training loss instead,
    as scikit-learn's MLPs do without ``early_stopping``. In a process
    group (``ctx``), callbacks that write or print stay in rank 0.
    """
    out = []
    for i, cb in enumerate(callbacks or []):
        named = isinstance(cb, tuple) and len(cb) == 2 and isinstance(cb[0], str)
        obj = cb[1] if named else cb
        if not isinstance(obj, Callback):
            raise ValueError(
                "The 'callbacks' parameter must be a list of skorch callbacks "
                f"or (name, callback) pairs. Got {cb!r} at index {i}."
            )
        if ctx is not None:
            check_callback(obj)
            if not ctx.is_main and main_process_only(obj):
                continue  # files and printing: the main process's alone
        obj = copy_callback(obj)
        if not validation and getattr(obj, "monitor", None) in TRAINING_MONITORS:
            obj.monitor = TRAINING_MONITORS[obj.monitor]
        out.append((cb[0], obj) if named else obj)
    return out
