"""Behaviour the training engine gives every estimator.

Parametrised over all estimators, so a new estimator gets these for free.
"""

import io
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from skorch.callbacks import Callback, EpochScoring, LRScheduler, ProgressBar

import skgen
from skgen import LinearAutoencoder, StackedAutoencoder
from skgen.exceptions import TrainingDivergedError

from conftest import ALL_AUTOENCODERS, small

ids = [cls.__name__ for cls in ALL_AUTOENCODERS]


def fit_transform_output(est, X):
    est.fit(X)
    return est.transform(X)


@pytest.mark.parametrize("cls", ALL_AUTOENCODERS, ids=ids)
def test_random_state_makes_fit_bit_for_bit_reproducible(cls, digits):
    # Bit for bit is the CPU's promise; on a GPU, cuDNN may sum in another
    # order from run to run (tests/test_gpu.py checks what holds there).
    X = digits["X_train"][:300]
    a = fit_transform_output(small(cls, random_state=3, device="cpu"), X)
    b = fit_transform_output(small(cls, random_state=3, device="cpu"), X)
    c = fit_transform_output(small(cls, random_state=4, device="cpu"), X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("cls", ALL_AUTOENCODERS, ids=ids)
def test_fit_does_not_touch_or_depend_on_global_rngs(cls, digits):
    X = digits["X_train"][:200]
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = fit_transform_output(small(cls, device="cpu"), X)
    assert torch.equal(torch_state, torch.random.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])
    # Draws from the global generators in between change nothing.
    torch.rand(10)
    np.random.rand(10)
    b = fit_transform_output(small(cls, device="cpu"), X)
    np.testing.assert_array_equal(a, b)


def test_two_estimators_interleaved_do_not_disturb_each_other(digits):
    X = digits["X_train"][:300]
    alone = fit_transform_output(small(StackedAutoencoder, random_state=1), X)
    first = small(StackedAutoencoder, random_state=1, warm_start=True, max_iter=1)
    other = small(StackedAutoencoder, random_state=2, warm_start=True, max_iter=1)
    for _ in range(3):  # interleave epochs of two estimators
        first.fit(X)
        other.fit(X)
    assert first.n_iter_ == 3
    # Same number of epochs, same seed, other estimator in between: different
    # from the 3-epoch fit only through warm-start reseeding, not through the
    # other estimator. Check the latter directly:
    again = small(StackedAutoencoder, random_state=1, warm_start=True, max_iter=1)
    for _ in range(3):
        again.fit(X)
    np.testing.assert_array_equal(first.transform(X), again.transform(X))
    assert alone.shape == first.transform(X).shape


@pytest.mark.parametrize("cls", ALL_AUTOENCODERS, ids=ids)
def test_pickle_joblib_and_clone_round_trips(cls, digits, tmp_path):
    X = digits["X_train"][:200]
    est = small(cls).fit(X)
    expected = est.transform(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X), expected)
    joblib.dump(est, tmp_path / "est.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "est.joblib").transform(X), expected)
    # An unpickled estimator keeps training.
    restored.partial_fit(X)
    assert restored.n_iter_ == est.n_iter_ + 1
    fresh = clone(est)
    assert not hasattr(fresh, "net_")
    assert fresh.get_params() == est.get_params()


def _tensors_pickled_by(obj):
    """How many torch tensors ``pickle.dumps(obj)`` writes itself."""
    found = []

    class Spy(pickle.Pickler):
        def reducer_override(self, value):
            if isinstance(value, torch.Tensor):
                found.append(value)
            return NotImplemented

    Spy(io.BytesIO()).dump(obj)
    return len(found)


@pytest.mark.parametrize("name", ["StackedAutoencoder", "VAE", "GAN", "DDPM"])
def test_pickle_sends_every_tensor_through_skorchs_device_mapping(name, digits):
    # skorch unpickles the attributes in cuda_dependent_attributes_ onto the
    # CPU when the pickle came from a GPU and none is present; a tensor
    # pickled anywhere else makes such a pickle fail to load without CUDA.
    import skgen

    est = getattr(skgen, name)(max_iter=1, random_state=0).fit(digits["X_train"][:100])
    state = est.net_.__getstate__()
    blob = state.pop("__cuda_dependent_attributes__")
    assert blob and _tensors_pickled_by(state) == 0
    assert all(_tensors_pickled_by(v) == 0 for k, v in vars(est).items() if k != "net_")
    restored = pickle.loads(pickle.dumps(est))
    assert restored.net_.module is restored.net_.module_  # one network, not two copies
    assert restored.net_.criterion is restored.net_.criterion_


def test_fitted_attributes(digits):
    X = digits["X_train"][:300]
    est = small(StackedAutoencoder, max_iter=4).fit(X)
    assert est.n_iter_ == 4
    assert len(est.loss_curve_) == 4
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.validation_scores_ is None
    assert est.n_features_in_ == 64
    assert isinstance(est.module_, torch.nn.Module)
    assert est.module_ is est.net_.module_
    assert est.reconstruction_error_ == pytest.approx(-est.score(X), rel=1e-5)
    assert list(est.get_feature_names_out()) == [f"stackedautoencoder{i}" for i in range(2)]


def test_early_stopping_restores_best_weights_and_stops(digits):
    X = digits["X_train"]
    # A learning rate so large that the validation loss bounces around.
    est = small(
        StackedAutoencoder,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=60,
        learning_rate_init=0.05,
        hidden_layer_sizes=(32,),
    )
    est.fit(X)
    assert est.n_iter_ < 60
    assert len(est.validation_scores_) == est.n_iter_
    best_epoch = int(np.argmax(est.validation_scores_))
    assert est.best_validation_score_ == est.validation_scores_[best_epoch]
    assert est.best_loss_ == pytest.approx(-est.best_validation_score_)
    # The kept weights are the best epoch's: recompute the validation split.
    rng = np.random.RandomState(0)
    rng.randint(np.iinfo(np.int32).max)  # nothing drawn before the split
    n_valid = int(np.ceil(0.1 * len(X)))
    perm = np.random.RandomState(0).permutation(len(X))
    valid = X[perm[:n_valid]]
    assert est.score(valid) == pytest.approx(est.best_validation_score_, rel=1e-4)
    if best_epoch < est.n_iter_ - 1:
        assert est.validation_scores_[-1] < est.best_validation_score_


def test_convergence_warning_only_with_early_stopping(digits):
    X = digits["X_train"][:300]
    with pytest.warns(ConvergenceWarning, match="still improving after max_iter=2"):
        small(StackedAutoencoder, early_stopping=True, max_iter=2).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        small(StackedAutoencoder, max_iter=2).fit(X)


@pytest.mark.parametrize("cls", ALL_AUTOENCODERS, ids=ids)
def test_divergence_raises_and_leaves_estimator_unfitted(cls, digits):
    X = digits["X_train"][:200] * 1e3
    est = small(cls, optimizer="sgd", learning_rate_init=1e6)
    with pytest.raises(TrainingDivergedError, match=r"diverged: the training loss became"):
        est.fit(X)
    with pytest.raises(NotFittedError):
        est.transform(X)
    assert set(vars(est)) == set(est.get_params())


def test_failed_refit_leaves_no_stale_fitted_state(digits):
    X = digits["X_train"][:200]
    est = small(StackedAutoencoder).fit(X)
    est.set_params(optimizer="sgd", learning_rate_init=1e6)
    with pytest.raises(TrainingDivergedError):
        est.fit(X * 1e3)
    assert set(vars(est)) == set(est.get_params())
    with pytest.raises(NotFittedError):
        est.transform(X)


def test_concurrent_float64_inference_is_safe(digits):
    from concurrent.futures import ThreadPoolExecutor

    X = digits["X_train"]
    est = small(StackedAutoencoder).fit(X.astype(np.float32))
    expected = est.transform(X)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda a: est.transform(a), [X, X.astype(np.float32)] * 8))
    for i, r in enumerate(results):
        np.testing.assert_allclose(r, expected, rtol=1e-5, atol=1e-6)
        assert r.dtype == (np.float64 if i % 2 == 0 else np.float32)
    assert next(est.module_.parameters()).dtype == torch.float32


def test_divergence_during_partial_fit_restores_previous_state(digits):
    X = digits["X_train"][:200]
    est = small(StackedAutoencoder, optimizer="sgd", learning_rate_init=0.01).fit(X)
    before = est.transform(X)
    n_iter = est.n_iter_
    est.set_params(learning_rate_init=1e6)
    with pytest.raises(TrainingDivergedError, match="left as it was before this call"):
        est.partial_fit(X * 1e3)
    np.testing.assert_array_equal(est.transform(X), before)
    assert len(est.net_.history) == n_iter
    assert all(torch.isfinite(p).all() for p in est.module_.parameters())


def test_warm_start_continues_and_partial_fit_adds_one_epoch(digits):
    X = digits["X_train"][:300]
    est = small(StackedAutoencoder, max_iter=3, warm_start=True).fit(X)
    first_curve = list(est.loss_curve_)
    est.fit(X)
    assert est.n_iter_ == 6
    assert est.loss_curve_[:3] == first_curve
    assert est.loss_curve_[5] < first_curve[0]
    est.partial_fit(X)
    assert est.n_iter_ == 7
    # Without warm_start, fit starts over.
    est.set_params(warm_start=False).fit(X)
    assert est.n_iter_ == 3


def test_partial_fit_streams_chunks(digits):
    X = digits["X_train"]
    est = small(StackedAutoencoder, hidden_layer_sizes=(32,), n_components=5)
    for _ in range(4):
        for chunk in np.array_split(X, 6):
            est.partial_fit(chunk)
    assert est.n_iter_ == 24
    assert est.score(digits["X_test"]) > small(StackedAutoencoder, n_components=5, max_iter=1).fit(
        X[:50]
    ).score(digits["X_test"])


def test_warm_start_refuses_architecture_change(digits):
    X = digits["X_train"][:100]
    est = small(StackedAutoencoder, warm_start=True).fit(X)
    est.set_params(n_components=3)
    with pytest.raises(ValueError, match="after changing n_components from 2 to 3"):
        est.fit(X)
    with pytest.raises(ValueError, match="after changing n_components from 2 to 3"):
        est.partial_fit(X)


def test_verbose_shows_progress_bar_and_quiet_prints_nothing(digits, capsys):
    X = digits["X_train"][:100]
    small(StackedAutoencoder, verbose=0).fit(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    with pytest.warns(ConvergenceWarning):
        small(StackedAutoencoder, verbose=1, early_stopping=True, max_iter=3).fit(X)
    err = capsys.readouterr().err
    assert "StackedAutoencoder" in err and "3/3" in err
    assert "loss=" in err and "val_loss=" in err


class _Recorder(Callback):
    def initialize(self):
        self.events = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.events.append(("epoch", net.history[-1, "train_loss"]))


class _BatchCounter(Callback):
    def initialize(self):
        self.batches = 0
        return self

    def on_batch_end(self, net, training=False, **kwargs):
        self.batches += training


def test_skorch_callbacks_are_used_and_not_mutated(digits):
    X = digits["X_train"][:320]
    recorder, counter = _Recorder(), _BatchCounter()
    sched = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = small(
        StackedAutoencoder,
        max_iter=3,
        batch_size=64,
        callbacks=[recorder, ("counter", counter), sched],
    ).fit(X)
    # The user's objects are copied, never mutated by fit.
    assert not hasattr(recorder, "events") and not hasattr(counter, "batches")
    fitted = dict(est.net_.callbacks_)
    assert [e[1] for e in fitted["_Recorder"].events] == est.loss_curve_
    # A batch-level callback switches to skorch's per-batch loop: it sees
    # every batch, and the epoch loss is the same figure.
    assert fitted["counter"].batches == 3 * 5
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.001 * 0.5**3)
    assert "train_batch_size" in est.net_.history[-1, "batches", 0]


def test_batch_callbacks_do_not_change_the_result(digits):
    X = digits["X_train"][:320]
    fast = small(StackedAutoencoder).fit(X)
    slow = small(StackedAutoencoder, callbacks=[_BatchCounter()]).fit(X)
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(fast.transform(X), slow.transform(X), rtol=1e-4, atol=1e-6)


def test_skorch_progressbar_and_scoring_callbacks_work(digits, capsys):
    X = digits["X_train"][:128]
    est = small(
        StackedAutoencoder,
        max_iter=2,
        callbacks=[ProgressBar(), EpochScoring(lambda net, X, y: 1.0, name="one", on_train=True)],
    )
    est.fit(X)
    assert est.net_.history[-1, "one"] == 1.0


def test_skorch_early_stopping_callback_is_honoured(digits):
    from skorch.callbacks import EarlyStopping

    X = digits["X_train"][:200]
    est = small(
        StackedAutoencoder,
        max_iter=50,
        learning_rate_init=0.5,
        callbacks=[EarlyStopping(monitor="train_loss", patience=2, threshold=10)],
    )
    est.fit(X)
    assert est.n_iter_ < 50


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"max_iter": 0},
            r"The 'max_iter' parameter of StackedAutoencoder must be an int in "
            r"the range \[1, inf\). Got 0 instead.",
        ),
        ({"n_components": 0}, r"The 'n_components' parameter .* Got 0 instead"),
        ({"batch_size": "big"}, r"The 'batch_size' parameter"),
        ({"optimizer": "adagrad"}, r"The 'optimizer' parameter"),
        ({"optimizer": dict}, r"torch.optim.Optimizer subclass. Got <class 'dict'>"),
        ({"optimizer_params": {"lr": 1}}, r"optimizer_params cannot set \['lr'\]"),
        ({"optimizer_params": {"nope": 1}}, r"optimizer_params has keys \['nope'\] that Adam"),
        ({"device": "gpu"}, r"The 'device' parameter must be 'auto', 'cpu'"),
        ({"callbacks": [3]}, r"list of skorch callbacks .* Got 3 at index 0"),
        ({"validation_fraction": 1.5}, r"The 'validation_fraction' parameter"),
        ({"hidden_layer_sizes": (10, -1)}, r"sequence of positive ints. Got \(10, -1\)"),
        ({"activation": "softmax"}, r"The 'activation' parameter"),
        ({"n_components": 65}, r"n_components=65 must be at most n_features=64"),
    ],
)
def test_bad_parameters_get_clear_errors(params, match, digits):
    est = small(StackedAutoencoder, **params)
    with pytest.raises(ValueError, match=match):
        est.fit(digits["X_train"][:50])
    assert not hasattr(est, "net_")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_cuda_requested_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the error cannot happen")
    est = small(StackedAutoencoder, device="cuda")
    with pytest.raises(ValueError, match="CUDA is not available on this machine"):
        est.fit(np.zeros((10, 4)))


def test_mps_requested_without_mps():
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        pytest.skip("this machine has MPS; the error cannot happen")
    with pytest.raises(ValueError, match="MPS is not available on this machine"):
        small(StackedAutoencoder, device="mps").fit(np.zeros((10, 4)))


def test_custom_modules_without_generator_init_are_refused():
    from skgen._engine._modules import init_parameters_

    class Raw(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(3))

    with pytest.raises(TypeError, match="Raw owns parameters but has no reset_parameters"):
        init_parameters_(
            torch.nn.Sequential(torch.nn.Linear(2, 2), Raw()), torch.Generator().manual_seed(0)
        )


def test_early_stopping_with_too_few_samples():
    est = small(StackedAutoencoder, early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match=r"n_samples=1\b"):
        est.fit(np.ones((1, 4)))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "Input X contains NaN"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), "Input X contains infinity"),
        (np.empty((0, 4)), r"Found array with 0 sample\(s\)"),
        (np.ones(4), "Expected 2D array, got 1D array"),
        (np.ones((2, 2, 2, 2, 2)), "got an array with 5 dimensions"),
    ],
)
def test_bad_data_gets_clear_errors(X, match):
    with pytest.raises(ValueError, match=match):
        small(StackedAutoencoder, n_components=1).fit(X)


def test_sparse_input_is_rejected():
    from scipy import sparse

    with pytest.raises(TypeError, match="Sparse data was passed"):
        small(StackedAutoencoder).fit(sparse.csr_matrix(np.ones((5, 4))))


def test_wrong_shapes_after_fit(digits):
    est = small(StackedAutoencoder).fit(digits["images_train"][:100])
    with pytest.raises(
        ValueError,
        match=r"X has 10 features, but StackedAutoencoder is "
        r"expecting 64 features",
    ):
        est.transform(np.ones((3, 10)))
    with pytest.raises(
        ValueError,
        match=r"samples of shape \(4, 16\), but StackedAutoencoder "
        r"was fitted on samples of shape \(8, 8\)",
    ):
        est.transform(np.ones((3, 4, 16)))
    with pytest.raises(
        ValueError,
        match=re.escape(
            "X has 5 features, but StackedAutoencoder.inverse_transform is expecting 2 "
            "features (n_components)"
        ),
    ):
        est.inverse_transform(np.ones((3, 5)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes_are_preserved(dtype, digits):
    X = digits["X_train"][:100].astype(dtype)
    est = small(StackedAutoencoder).fit(X)
    assert est.transform(X).dtype == dtype
    assert est.inverse_transform(est.transform(X)).dtype == dtype
    assert est.score_samples(X).dtype == np.float64


def test_integer_input_is_accepted(digits):
    X = (digits["X_train"][:100] * 16).astype(np.int64)
    est = small(StackedAutoencoder).fit(X)
    assert est.transform(X).dtype == np.float64


def test_images_keep_their_shape(digits):
    images = digits["images_train"][:100]
    est = small(StackedAutoencoder).fit(images)
    assert est.n_features_in_ == 64
    codes = est.transform(images)
    assert est.inverse_transform(codes).shape == (100, 8, 8)
    # Flattened images are accepted too and give the same codings.
    np.testing.assert_array_equal(est.transform(images.reshape(100, -1)), codes)
    rgb = np.repeat(images[..., None], 3, axis=-1)
    est3 = small(StackedAutoencoder).fit(rgb)
    assert est3.inverse_transform(est3.transform(rgb)).shape == (100, 8, 8, 3)


def test_dataframes_keep_feature_names_and_set_output(digits):
    import pandas as pd

    X = pd.DataFrame(digits["X_train"][:100], columns=[f"px{i}" for i in range(64)])
    est = small(StackedAutoencoder).set_output(transform="pandas").fit(X)
    assert list(est.feature_names_in_) == list(X.columns)
    out = est.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["stackedautoencoder0", "stackedautoencoder1"]
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.transform(X.to_numpy())


def test_inference_runs_in_batches_in_eval_mode(digits, monkeypatch):
    from skgen._engine import _inference

    monkeypatch.setattr(_inference, "INFERENCE_BATCH_SIZE", 7)
    X = digits["X_train"][:100]
    est = small(StackedAutoencoder).fit(X)
    sizes = []
    hook = est.module_.encoder_linears[0].register_forward_hook(
        lambda m, i, o: sizes.append((i[0].shape[0], m.training, torch.is_grad_enabled()))
    )
    est.transform(X)
    hook.remove()
    assert [s for s, _, _ in sizes] == [7] * 14 + [2]
    assert not any(training or grad for _, training, grad in sizes)


def test_device_can_be_changed_after_fit(digits):
    X = digits["X_train"][:100]
    est = small(StackedAutoencoder, device="cpu").fit(X)
    est.set_params(device="auto")
    assert est.transform(X).shape == (100, 2)
    assert next(est.module_.parameters()).device.type == (
        "cuda" if torch.cuda.is_available() else "cpu"
    )


@pytest.mark.parametrize(
    "name, kind",
    [("adam", "fused"), ("nadam", "foreach"), ("rmsprop", "foreach"), ("sgd", "fused")],
)
def test_builtin_optimizers_use_fast_implementations(name, kind, digits):
    est = small(StackedAutoencoder, optimizer=name).fit(digits["X_train"][:100])
    assert est.net_.optimizer_.param_groups[0][kind] is True
    assert np.isfinite(est.loss_curve_).all()


def test_optimizer_class_and_params(digits):
    est = small(
        StackedAutoencoder,
        optimizer=torch.optim.AdamW,
        optimizer_params={"weight_decay": 0.5, "fused": False},
    )
    est.fit(digits["X_train"][:100])
    group = est.net_.optimizer_.param_groups[0]
    assert isinstance(est.net_.optimizer_, torch.optim.AdamW)
    assert group["weight_decay"] == 0.5 and not group["fused"]


def test_linear_autoencoder_is_reproducible_across_batch_sizes_of_inference(digits):
    est = small(LinearAutoencoder, n_components=3).fit(digits["X_train"])
    full = est.transform(digits["X_test"])
    parts = np.vstack([est.transform(digits["X_test"][i : i + 17]) for i in range(0, 360, 17)])
    np.testing.assert_allclose(full, parts, rtol=1e-6, atol=1e-7)


class _RateRecorder(Callback):
    def initialize(self):
        self.rates = []
        return self

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.rates.append(net.optimizer_.param_groups[0]["lr"])


def test_cosine_learning_rate_decays_per_step_and_restarts(digits):
    X = digits["X_train"][:128]  # 2 batches of 64 an epoch
    params = dict(max_iter=4, learning_rate="cosine", learning_rate_init=0.01)
    est = small(StackedAutoencoder, callbacks=[("rates", _RateRecorder())], **params).fit(X)
    rates = dict(est.net_.callbacks_)["rates"].rates
    np.testing.assert_allclose(rates, [0.01 * 0.5 * (1 + np.cos(np.pi * s / 8)) for s in range(8)])
    # The fast loop (no batch callback) follows the same schedule.
    fast = small(StackedAutoencoder, **params).fit(X)
    np.testing.assert_allclose(fast.loss_curve_, est.loss_curve_, rtol=1e-6)
    # The optimizer is left at the base rate: a warm start or partial_fit
    # starts from it, and partial_fit keeps it constant.
    assert est.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01)
    est.partial_fit(X)
    assert rates[8:] == [pytest.approx(0.01)] * 2
    # It changes training; the constant schedule is the former behaviour.
    constant = small(StackedAutoencoder, max_iter=4, learning_rate_init=0.01).fit(X)
    assert constant.loss_curve_ != fast.loss_curve_
    with pytest.raises(ValueError, match="'learning_rate' parameter of StackedAutoencoder"):
        small(StackedAutoencoder, learning_rate="step").fit(X)


@pytest.mark.parametrize("n_rows, expected", [(300, 200), (50, 50)])
def test_batch_size_auto_is_min_of_200_and_n_samples(n_rows, expected):
    # scikit-learn's MLP rule, for families that set no size of their own.
    X = np.random.default_rng(0).random((n_rows, 4))
    ae = StackedAutoencoder(
        2, hidden_layer_sizes=(), batch_size="auto", max_iter=1, random_state=0
    ).fit(X)
    assert ae.net_.batch_size == expected


def test_tensorboard_callback_with_a_summary_writer_works(digits, tmp_path):
    # A SummaryWriter holds a thread lock: it cannot be deep-copied, so the
    # callback is rebuilt around the same writer instead of failing at fit.
    from skorch.callbacks import TensorBoard
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(tmp_path))
    callback = TensorBoard(writer, close_after_train=False)
    est = small(StackedAutoencoder, max_iter=3, callbacks=[("tb", callback)])
    est.fit(digits["X_train"][:128])
    writer.flush()
    fitted = dict(est.net_.callbacks_)["tb"]
    assert fitted is not callback and fitted.writer is writer
    assert not hasattr(callback, "first_batch_")  # the user's object was not used
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path)).Reload()
    losses = [e.value for e in events.Scalars("Loss/train_loss")]
    np.testing.assert_allclose(losses, est.loss_curve_, rtol=1e-5)
    writer.close()


def test_checkpoint_monitors_the_training_loss_without_a_validation_split(digits, tmp_path):
    from skorch.callbacks import Checkpoint

    checkpoint = Checkpoint(dirname=str(tmp_path))
    est = small(StackedAutoencoder, max_iter=4, callbacks=[checkpoint])
    est.fit(digits["X_train"][:128])
    # The user's callback keeps its monitor; the fitted copy watches the
    # training loss, and saves whenever it reached a new low.
    assert checkpoint.monitor == "valid_loss_best"
    fitted = [cb for _, cb in est.net_.callbacks_ if isinstance(cb, Checkpoint)][0]
    assert fitted.monitor == "train_loss_best"
    saved = list(est.net_.history[:, "event_cp"])
    assert saved == list(est.net_.history[:, "train_loss_best"]) and saved[0]
    assert (tmp_path / "params.pt").exists()
    # The loss falls at every epoch here, so the file holds the last weights.
    assert saved[-1]
    state = torch.load(tmp_path / "params.pt", weights_only=True)
    for name, value in est.module_.state_dict().items():
        torch.testing.assert_close(state[name], value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_checkpoint_monitors_the_validation_loss_with_early_stopping(digits, tmp_path):
    from skorch.callbacks import Checkpoint

    est = small(
        StackedAutoencoder,
        max_iter=4,
        early_stopping=True,
        callbacks=[Checkpoint(dirname=str(tmp_path))],
    )
    est.fit(digits["X_train"][:200])
    fitted = [cb for _, cb in est.net_.callbacks_ if isinstance(cb, Checkpoint)][0]
    assert fitted.monitor == "valid_loss_best"
    assert list(est.net_.history[:, "event_cp"]) == list(est.net_.history[:, "valid_loss_best"])


def test_skorch_early_stopping_with_its_default_monitor_stops_on_the_training_loss(digits):
    from skorch.callbacks import EarlyStopping

    stopper = EarlyStopping(patience=2, threshold=10, sink=lambda *a: None)
    est = small(StackedAutoencoder, max_iter=50, callbacks=[stopper])
    est.fit(digits["X_train"][:200])
    # threshold=10 (relative) is never met: it stops after patience epochs.
    assert est.n_iter_ == 3
    assert stopper.monitor == "valid_loss"


class _Threads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("threads", torch.get_num_threads())


def test_training_honours_a_threadpoolctl_limit_and_restores_it(digits):
    # The documented way to bound torch's CPU threads for one fit.
    from threadpoolctl import threadpool_limits

    X = digits["X_train"][:64]
    before = torch.get_num_threads()
    with threadpool_limits(limits=1):
        limited = small(StackedAutoencoder, max_iter=2, callbacks=[_Threads()]).fit(X)
    with skgen.config_context(n_threads="torch"):  # torch's own count, untouched
        free = small(StackedAutoencoder, max_iter=2, callbacks=[_Threads()]).fit(X)
    assert list(limited.net_.history[:, "threads"]) == [1, 1]
    assert list(free.net_.history[:, "threads"]) == [before, before]
    assert torch.get_num_threads() == before
