"""What the one training engine gives every family, not only the autoencoders.

Each family (autoencoders, the VAE, the GAN, the DDPM) runs here on its
vector and its image architecture: the same training step, warm-start
mechanism, precision and randomness rules hold for all of them.
"""

import copy
import pickle

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skgen import (
    DDPM,
    GAN,
    VariationalAutoencoder,
)
from skgen._engine._net import TrainingNet
from skgen.gan._objectives import input_gradient

from conftest import small
from estimators import VARIANTS, make, variant
from sync_spy import HostReads


def family(name):
    """A factory of the CPU-pinned small estimator ``name`` of the shared
    list (tests/estimators.py): keyword arguments win."""
    return lambda **params: variant(name, **{"device": "cpu", **params})


FAMILIES = {name: family(name) for name in VARIANTS}


def output(est, X):
    """What a fitted model gives: codings, or samples from a fixed seed."""
    if hasattr(est, "transform"):
        return est.transform(X)
    return est.sample(16, random_state=0)


def weights(est):
    return {k: v.detach().clone() for k, v in est.module_.state_dict().items()}


@pytest.fixture(scope="module")
def X(digits):
    return digits["X_train"][:256]


class _BatchListener(Callback):
    """Listens to batch events: the fit runs skorch's per-batch loop."""

    def on_batch_end(self, net, **kwargs):
        self.n = getattr(self, "n", 0) + 1


class _GradRecorder(Callback):
    def on_grad_computed(self, net, named_parameters, batch=None, training=False, **kw):
        named = list(named_parameters)
        self.calls = getattr(self, "calls", []) + [[name for name, _ in named]]
        grads = [p.grad for _, p in named if p.grad is not None]
        self.finite = (
            getattr(self, "finite", True)
            and all(bool(torch.isfinite(g).all()) for g in grads)
            and bool(grads)
        )


@pytest.mark.parametrize("name", FAMILIES)
def test_both_epoch_paths_run_the_same_training_step(name, X):
    # The fast loop and skorch's per-batch loop (used when a callback
    # listens to batches) share one step, EMA and extra losses included:
    # the weights come out identical.
    fast = FAMILIES[name]().fit(X)
    listener = _BatchListener()
    slow = FAMILIES[name](callbacks=[("listener", listener)]).fit(X)
    assert (
        dict(slow.net_.callbacks_)["listener"].n
        == len(slow.net_.history[-1, "batches"]) * slow.n_iter_
    )
    for key, value in weights(fast).items():
        torch.testing.assert_close(weights(slow)[key], value, rtol=0, atol=0, msg=key)
    np.testing.assert_allclose(fast.loss_curve_, slow.loss_curve_, rtol=1e-5)
    if isinstance(fast, GAN):
        np.testing.assert_allclose(
            fast.discriminator_loss_curve_, slow.discriminator_loss_curve_, rtol=1e-5
        )


@pytest.mark.parametrize("name", FAMILIES)
def test_callbacks_see_the_gradients_of_every_update(name, X):
    recorder = _GradRecorder()
    est = FAMILIES[name](callbacks=[("grads", recorder)]).fit(X)
    seen = dict(est.net_.callbacks_)["grads"]
    n_batches = sum(len(row["batches"]) for row in est.net_.history)
    assert seen.finite
    trainable = [n for n, p in est.module_.named_parameters() if p.requires_grad]
    if not isinstance(est, GAN):
        assert seen.calls == [trainable] * n_batches
        return
    # A discriminator update, then a generator update: each shows the
    # parameters its own optimizer steps, not the other player's.
    players = [
        [n for n in trainable if n.startswith(p + ".")] for p in ("discriminator", "generator")
    ]
    assert seen.calls == players * n_batches


def _small_table(n=96):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "kind": rng.choice(["a", "b", "c"], n),
            "count": rng.integers(0, 100, n),
        }
    )


_TABLE_FAMILIES = {
    "VAE-table": lambda: make(VariationalAutoencoder, device="cpu"),
    "GAN-table": lambda: make(GAN, device="cpu"),
    "DDPM-table": lambda: make(DDPM, device="cpu"),
}


def _host_reads(name, X, monkeypatch):
    """Fit the family ``name`` with a spy on each training step and epoch:
    what each read on the host, and the fitted estimator."""
    step, run_epoch = TrainingNet.train_batch, TrainingNet._run_epoch
    steps, epochs = [], []

    def spied_step(net, batch):
        with HostReads() as spy:
            out = step(net, batch)
        steps.append(spy.reads)
        return out

    def spied_epoch(net, *args, **kwargs):
        with HostReads() as spy:
            run_epoch(net, *args, **kwargs)
        epochs.append(spy.reads)

    monkeypatch.setattr(TrainingNet, "train_batch", spied_step)
    monkeypatch.setattr(TrainingNet, "_run_epoch", spied_epoch)
    if name in _TABLE_FAMILIES:
        est = _TABLE_FAMILIES[name]().fit(_small_table())
        assert est.architecture_ == "tabular"
    else:
        est = FAMILIES[name]().fit(X)
    assert len(steps) == sum(row["train_batch_count"] for row in est.net_.history)
    return steps, epochs, est


@pytest.mark.parametrize("name", [*FAMILIES, *_TABLE_FAMILIES])
def test_a_training_step_never_reads_a_value_on_the_host(name, X, monkeypatch):
    # On a GPU, reading a value back (item(), bool(t), tolist(), a copy to the
    # host, nonzero) waits for every queued kernel: a step must not, and an
    # epoch reads once, its mean losses at its end. Caught on the CPU too.
    steps, epochs, est = _host_reads(name, X, monkeypatch)
    assert [reads for reads in steps if reads] == []
    assert epochs == [["Tensor.tolist"]] * len(epochs) and len(epochs) >= est.n_iter_


def test_the_host_read_spy_catches_a_step_that_reads(X, monkeypatch):
    step = TrainingNet.train_batch

    def reading_step(net, batch):
        losses = step(net, batch)
        if losses[0] > 1e9:  # bool(tensor): a read
            raise AssertionError
        return losses

    monkeypatch.setattr(TrainingNet, "train_batch", reading_step)
    steps, epochs, _ = _host_reads("StackedAutoencoder", X, monkeypatch)
    assert steps and all(reads == ["aten::_local_scalar_dense"] for reads in steps)


@pytest.mark.parametrize("name", FAMILIES)
def test_fit_is_reproducible_and_leaves_global_rngs_alone(name, X):
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = output(FAMILIES[name]().fit(X), X)
    assert torch.equal(torch_state, torch.random.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])
    torch.rand(3)
    b = output(FAMILIES[name]().fit(X), X)
    np.testing.assert_array_equal(a, b)
    c = output(FAMILIES[name](random_state=1).fit(X), X)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("name", FAMILIES)
def test_bf16_mixed_precision_trains_close_to_float32(name, X):
    full = FAMILIES[name]().fit(X)
    mixed = FAMILIES[name](mixed_precision="bf16").fit(X)
    assert np.all(np.isfinite(mixed.loss_curve_))
    # bfloat16 keeps about 3 significant digits: close, not equal.
    np.testing.assert_allclose(mixed.loss_curve_, full.loss_curve_, rtol=0.05, atol=0.02)
    assert mixed.loss_curve_ != full.loss_curve_
    # Weights stay float32, and outputs come in the data's dtype.
    assert all(p.dtype == torch.float32 for p in mixed.module_.parameters())
    out = output(mixed, X)
    assert out.dtype == X.dtype and np.all(np.isfinite(out))


@pytest.mark.parametrize("name", ["StackedAutoencoder", "GAN-dense", "DDPM-mlp"])
def test_mixed_precision_can_change_on_a_warm_start(name, X):
    est = FAMILIES[name](warm_start=True).fit(X)
    est.set_params(mixed_precision="bf16").fit(X)
    assert est.net_.autocast_dtype is torch.bfloat16
    est.set_params(mixed_precision=None).fit(X)
    assert est.net_.autocast_dtype is None and np.all(np.isfinite(est.loss_curve_))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU's error")
def test_fp16_needs_cuda_and_leaves_the_estimator_unfitted(X):
    est = FAMILIES["StackedAutoencoder"](mixed_precision="fp16")
    with pytest.raises(ValueError, match="mixed_precision='fp16' needs a CUDA device"):
        est.fit(X)
    assert not hasattr(est, "net_")


def test_fitted_estimators_pickle_with_mixed_precision(X):
    est = FAMILIES["GAN-dense"](mixed_precision="bf16").fit(X)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.sample(8, random_state=0), est.sample(8, random_state=0))


@pytest.mark.parametrize("name", ["GAN-dense", "DDPM-mlp"])
@pytest.mark.parametrize("first, second", [(0.999, None), (None, 0.9)])
def test_warm_start_cannot_switch_the_ema_on_or_off(name, first, second, X):
    est = FAMILIES[name](warm_start=True, ema_decay=first).fit(X)
    before = weights(est)
    est.set_params(ema_decay=second)
    with pytest.raises(ValueError, match="after changing ema_decay"):
        est.fit(X)
    for key, value in weights(est).items():
        torch.testing.assert_close(value, before[key], rtol=0, atol=0)


@pytest.mark.parametrize("name", ["GAN-dense", "DDPM-mlp"])
def test_warm_start_applies_a_new_ema_decay(name, X):
    est = FAMILIES[name](warm_start=True, ema_decay=0.999).fit(X)
    est.set_params(ema_decay=0.5).fit(X)
    assert est.net_.ema_decay == 0.5


def test_gradient_penalty_input_gradient_is_unscaled_under_loss_scaling():
    # fp16's loss scaling multiplies the scores before the penalty's
    # gradient and divides it after: the penalty sees the true gradient.
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    scores = (x**3).sum(1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**12)
    plain = input_gradient(scores, x)
    scaled = input_gradient(scores, x, scaler)
    torch.testing.assert_close(scaled, plain)
    torch.testing.assert_close(plain, 3 * x.detach() ** 2)
    assert scaled.requires_grad  # kept in the graph, for the penalty's own gradient


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, mode",
    [("StackedAutoencoder", True), ("DDPM-mlp", True), ("GAN-dense", "reduce-overhead")],
)
def test_compile_trains_like_eager_without_graph_breaks_and_pickles(name, mode, X):
    from torch._dynamo.utils import counters

    eager = FAMILIES[name]().fit(X)
    counters.clear()
    compiled = FAMILIES[name](compile=mode).fit(X)
    # skgen's own code compiles in one graph per network: no graph breaks.
    assert not counters["graph_break"], dict(counters["graph_break"])
    assert counters["stats"]["unique_graphs"] >= 1
    np.testing.assert_allclose(compiled.loss_curve_, eager.loss_curve_, rtol=1e-4)
    # Parameter names are the plain network's, and nothing compiled is
    # left on the fitted network: it copies and pickles as usual.
    assert list(compiled.module_.state_dict()) == list(eager.module_.state_dict())
    assert all("forward" not in vars(m) for m in compiled.module_.modules())
    again = pickle.loads(pickle.dumps(compiled))
    np.testing.assert_array_equal(output(again, X), output(compiled, X))
    # A warm start reuses the compiled code and keeps training.
    compiled.set_params(warm_start=True).fit(X)
    assert compiled.n_iter_ == 2 * eager.n_iter_


def test_compile_takes_torch_compile_modes_and_names_a_bad_one(X):
    est = FAMILIES["StackedAutoencoder"](compile="fastest")
    with pytest.raises(ValueError, match="'compile' parameter .* must be"):
        est.fit(X)
    assert not hasattr(est, "net_")


@pytest.fixture
def fp16_on_cpu(monkeypatch):
    """Let fp16 run on the CPU (torch has float16 autocast and a CPU
    GradScaler there), so the loss-scaling path is tested without CUDA."""
    from skgen._engine import _estimator, _training
    from skgen._engine._torch import check_mixed_precision

    def allow(mixed_precision, device):
        if mixed_precision == "fp16":
            return torch.float16
        return check_mixed_precision(mixed_precision, device)

    for module in (_estimator, _training):
        monkeypatch.setattr(module, "check_mixed_precision", allow)


@pytest.mark.parametrize("loss, r1", [("wasserstein-gp", 0.0), ("bce", 10.0)])
def test_fp16_loss_scaling_runs_several_critic_steps_and_gradient_penalties(
    loss, r1, fp16_on_cpu, X
):
    # n_critic discriminator steps per batch each step and update the
    # scale; the penalties' input gradients are scaled, then unscaled.
    def gan(**params):
        return FAMILIES["GAN-dense"](loss=loss, n_critic=3, r1_penalty=r1, **params)

    full = gan().fit(X)
    mixed = gan(mixed_precision="fp16").fit(X)
    scaler = mixed.net_.grad_scaler_
    assert scaler is not None and scaler.get_scale() > 1.0
    assert np.all(np.isfinite(mixed.discriminator_loss_curve_))
    # The first epoch is close to float32's; after it the adversarial game
    # amplifies rounding (and the steps loss scaling skipped while it found
    # its scale), so only the trend is compared.
    d_mixed, d_full = mixed.discriminator_loss_curve_, full.discriminator_loss_curve_
    assert d_mixed[0] == pytest.approx(d_full[0], rel=0.1, abs=0.05)
    assert np.sign(d_mixed[-1] - d_mixed[0]) == np.sign(d_full[-1] - d_full[0])
    assert all(p.dtype == torch.float32 for p in mixed.module_.parameters())


def test_fp16_callbacks_see_unscaled_gradients(fp16_on_cpu, X):
    def first_norm(**params):
        est = FAMILIES["StackedAutoencoder"](
            max_iter=1, callbacks=[("norm", _GradNorm())], **params
        ).fit(X)
        return dict(est.net_.callbacks_)["norm"].norms[0]

    # The first batch's gradient norm, as a clipping callback would see it:
    # the same size with and without loss scaling (by 2**16).
    assert first_norm(mixed_precision="fp16") == pytest.approx(first_norm(), rel=0.05)


class _GradNorm(Callback):
    def on_grad_computed(self, net, named_parameters, **kw):
        norm = torch.sqrt(sum((p.grad.float() ** 2).sum() for _, p in named_parameters))
        self.norms = getattr(self, "norms", []) + [float(norm)]


def test_gan_checks_its_parameters_on_a_warm_start_too(X):
    gan = FAMILIES["GAN-dense"](warm_start=True).fit(X)
    with pytest.raises(ValueError, match="GAN does not support early_stopping=True"):
        gan.set_params(early_stopping=True).fit(X)
    with pytest.raises(ValueError, match="learning_rate_init must be a positive float or a pair"):
        gan.set_params(early_stopping=False, learning_rate_init=(1e-3, -1.0)).fit(X)
    assert gan.n_iter_ == 3  # the fitted model is as it was


@pytest.mark.parametrize(
    "name, param, value, attribute",
    [
        ("VAE-dense", "beta", 4.0, "beta"),
        ("GAN-dense", "loss", "hinge", "loss"),
        ("DDPM-mlp", "loss", "huber", "loss"),
    ],
)
def test_a_warm_start_applies_changed_loss_settings(name, param, value, attribute, X):
    est = FAMILIES[name](warm_start=True).fit(X)
    before = est.loss_curve_[-1]
    est.set_params(**{param: value}).fit(X)
    assert getattr(est.net_.criterion_, attribute) == value
    assert est.loss_curve_[-1] != before and np.all(np.isfinite(est.loss_curve_))


def test_a_warm_start_applies_a_changed_sparsity_weight(X):
    from skgen import SparseAutoencoder

    est = small(SparseAutoencoder, warm_start=True, sparsity="kl", device="cpu").fit(X)
    est.set_params(sparsity_weight=0.5).fit(X)
    assert est.net_.criterion_.sparsity_weight == 0.5


@pytest.mark.parametrize("name", ["VAE-dense", "GAN-dense", "DDPM-mlp"])
def test_a_warm_start_cannot_make_a_model_conditional(name, digits):
    X, y = digits["X_train"][:256], digits["y_train"][:256]
    est = FAMILIES[name](warm_start=True).fit(X)
    with pytest.raises(ValueError, match="after changing conditional from False to True"):
        est.set_params(conditional=True).fit(X, y)
    assert not hasattr(est, "classes_")


# -- partial_fit: running statistics and classes ------------------------------
@pytest.mark.parametrize("images", [False, True])
def test_the_scaler_merges_chunks_into_the_whole_data_statistics(images):
    from skgen._engine._scaling import DataScaler

    rng = np.random.default_rng(0)
    X = (rng.normal(size=(300, 5)) * [1, 2, 3, 4, 0] + [0, 1, -1, 5, 2]).astype(np.float32)
    mode = "symmetric" if images else "standard"
    whole = DataScaler(mode).fit(X)
    for order in ([0, 1, 2], [2, 0, 1]):
        chunks = np.array_split(X, [70, 200])
        scaler = DataScaler(mode).fit(chunks[order[0]])
        for i in order[1:]:
            scaler.partial_fit(chunks[i])
        for name in ("mean", "scale", "low", "high"):
            np.testing.assert_allclose(
                getattr(scaler, name), getattr(whole, name), rtol=1e-5, atol=1e-6, err_msg=name
            )
        assert scaler.n_samples_seen == 300 and scaler.mean.dtype == whole.mean.dtype


@pytest.mark.parametrize("name", ["GAN-dense", "DCGAN", "DDPM-mlp", "DDPM-unet"])
def test_partial_fit_scale_does_not_depend_on_the_chunks_order(name, X):
    # The first chunk has a narrower range than the data: its scale alone
    # would be wrong.
    order = np.argsort(X[:, 36])
    chunks = np.array_split(X[order], 4)
    models = []
    for sequence in (chunks, chunks[::-1]):
        est = FAMILIES[name]()
        for chunk in sequence:
            est.partial_fit(chunk)
        models.append(est)
    whole = FAMILIES[name]().fit(X).spec_.scaler
    for est in models:
        np.testing.assert_allclose(est.spec_.scaler.mean, whole.mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(est.spec_.scaler.scale, whole.scale, rtol=1e-5, atol=1e-6)


def test_a_failed_partial_fit_leaves_the_scale_alone(X, monkeypatch):
    est = FAMILIES["GAN-dense"]().partial_fit(X[:64])
    before = copy.deepcopy(vars(est.spec_.scaler))

    def fail(*args, **kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(type(est), "_run", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        est.partial_fit(X[64:] + 3.0)
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(est.spec_.scaler, key), value)


@pytest.mark.parametrize("name", ["VAE-dense", "DDPM-mlp"])
def test_classes_on_the_first_partial_fit_admit_later_classes(name, digits):
    X, y = digits["X_train"][:200], digits["y_train"][:200]
    first, later = y < 5, y >= 5
    est = FAMILIES[name](conditional=True)
    est.partial_fit(X[first], y[first], classes=np.arange(10))
    np.testing.assert_array_equal(est.classes_, np.arange(10))
    est.partial_fit(X[later], y[later])
    assert est.sample(3, random_state=0, y=7).shape[0] == 3
    with pytest.raises(ValueError, match=r"labels \[11\] not seen during fit"):
        est.partial_fit(X[:2], np.array([11, 1]))
    with pytest.raises(
        ValueError,
        match=r"classes=\[0, 1\] differs from the classes of the "
        r"first call",
    ):
        est.partial_fit(X[:2], y[:2], classes=[0, 1])
    # Without classes, the first chunk's labels are the classes, and the
    # error says how to do otherwise.
    plain = FAMILIES[name](conditional=True).partial_fit(X[first], y[first])
    with pytest.raises(
        ValueError,
        match=r"not seen during fit.*partial_fit\(X, y, "
        r"classes=\.\.\.\) on the first call",
    ):
        plain.partial_fit(X[later], y[later])
