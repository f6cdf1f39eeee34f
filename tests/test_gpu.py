"""GPU behaviour: runs where CUDA is available, skips cleanly elsewhere."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

import skgen
from skgen import ConvolutionalAutoencoder, StackedAutoencoder, VariationalAutoencoder

from conftest import small

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def run_without_a_gpu(code):
    """Run ``code`` in a fresh interpreter that sees no GPU; it prints ok."""
    env = {"CUDA_VISIBLE_DEVICES": "", "PATH": "/usr/bin:/bin"}
    # Where skgen or its dependencies come from the path, not an install.
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@cuda
@pytest.mark.parametrize(
    "cls", [StackedAutoencoder, ConvolutionalAutoencoder, VariationalAutoencoder]
)
def test_fit_on_gpu_matches_cpu_quality(cls, digits):
    X, X_test = digits["images_train"], digits["images_test"]
    gpu = small(cls, device="cuda", max_iter=10, n_components=5).fit(X)
    cpu = small(cls, device="cpu", max_iter=10, n_components=5).fit(X)
    assert next(gpu.module_.parameters()).is_cuda
    assert gpu.transform(X_test).dtype == np.float64
    assert gpu.score(X_test) == pytest.approx(cpu.score(X_test), rel=0.2)


@cuda
def test_gpu_fitted_estimator_unpickles_on_a_cpu_only_machine(digits, tmp_path):
    X = digits["X_train"][:200]
    est = small(StackedAutoencoder, device="cuda").fit(X)
    path = tmp_path / "est.pkl"
    path.write_bytes(pickle.dumps(est))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", est.transform(X))
    # A fresh interpreter that sees no GPU at all.
    code = f"""
import pickle, warnings, numpy as np, torch
assert not torch.cuda.is_available()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    est = pickle.loads(open({str(path)!r}, "rb").read())
est.set_params(device="cpu")
X = np.load({str(tmp_path / "X.npy")!r})
np.testing.assert_allclose(est.transform(X), np.load({str(tmp_path / "expected.npy")!r}),
                           rtol=1e-4, atol=1e-5)
est.partial_fit(X)
print("ok")
"""
    run_without_a_gpu(code)


@cuda
def test_device_moves_between_gpu_and_cpu_after_fit(digits):
    X = digits["X_train"][:200]
    est = small(StackedAutoencoder, device="cuda").fit(X)
    expected = est.transform(X)
    est.set_params(device="cpu")
    np.testing.assert_allclose(est.transform(X), expected, rtol=1e-4, atol=1e-5)
    est.partial_fit(X)  # optimizer state followed the parameters
    est.set_params(device="cuda").partial_fit(X)
    assert next(est.module_.parameters()).is_cuda


@cuda
def test_vae_samples_on_gpu_are_reproducible(digits):
    vae = small(VariationalAutoencoder, device="cuda").fit(digits["X_train"])
    np.testing.assert_array_equal(vae.sample(50, random_state=0), vae.sample(50, random_state=0))
    assert vae.sample(5).shape == (5, 64)


@cuda
def test_gan_and_dcgan_train_and_sample_on_gpu(digits):
    from skgen import GAN

    for params, X in (
        (dict(), digits["X_train"]),
        (dict(architecture="conv", channels=(8, 16)), digits["images_train"]),
    ):
        gan = GAN(max_iter=3, device="cuda", random_state=0, validation_interval=1, **params).fit(X)
        assert next(gan.module_.parameters()).is_cuda
        samples = gan.sample(10, random_state=0)
        assert samples.shape == (10, *X.shape[1:]) and np.isfinite(samples).all()
        assert len(gan.validation_scores_) == 3


@cuda
def test_ddpm_trains_samples_and_scores_on_gpu(digits):
    from skgen import DDPM

    for params, X in (
        (dict(), digits["X_train"]),
        (dict(architecture="unet", channels=(8, 16)), digits["images_train"]),
    ):
        ddpm = DDPM(n_timesteps=50, max_iter=3, device="cuda", random_state=0, **params).fit(X)
        assert next(ddpm.module_.parameters()).is_cuda
        assert ddpm.schedule_.alpha_bars.is_cuda
        out = ddpm.sample(10, random_state=0, sampler="ddim", n_inference_steps=5)
        assert out.shape == (10, *X.shape[1:]) and np.isfinite(out).all()
        np.testing.assert_array_equal(
            out, ddpm.sample(10, random_state=0, sampler="ddim", n_inference_steps=5)
        )
        assert np.isfinite(ddpm.score_samples(X[:20])).all()


@cuda
def test_gpu_fit_is_reproducible_to_rounding_and_leaves_global_rngs_alone(digits):
    # cuDNN may sum in another order from run to run: two fits with one
    # random_state agree to float32 rounding on a GPU (bit for bit on the CPU).
    X = digits["images_train"][:200]
    cpu_state, cuda_state = torch.random.get_rng_state(), torch.cuda.get_rng_state()
    a = small(ConvolutionalAutoencoder, device="cuda").fit(X).transform(X)
    assert torch.equal(cpu_state, torch.random.get_rng_state())
    assert torch.equal(cuda_state, torch.cuda.get_rng_state())
    b = small(ConvolutionalAutoencoder, device="cuda").fit(X).transform(X)
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    c = small(ConvolutionalAutoencoder, device="cuda", random_state=1).fit(X).transform(X)
    assert not np.allclose(a, c, rtol=1e-2)


@cuda
@pytest.mark.parametrize("precision", ["fp16", "bf16"])
@pytest.mark.parametrize("model", ["wgan-gp", "dcgan-r1", "ddpm-unet", "vae-conv"])
def test_mixed_precision_on_gpu_trains_float32_weights(precision, model, digits):
    from skgen import DDPM, GAN

    if precision == "bf16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bfloat16")
    X = digits["images_train"][:512]
    make = {
        "wgan-gp": lambda **p: GAN(
            n_components=8, loss="wasserstein-gp", n_critic=2, max_iter=2, **p
        ),
        "dcgan-r1": lambda **p: GAN(
            n_components=8, architecture="conv", channels=(8,), max_iter=2, **p
        ),
        "ddpm-unet": lambda **p: DDPM(n_timesteps=50, channels=(8,), max_iter=2, **p),
        "vae-conv": lambda **p: small(
            VariationalAutoencoder, architecture="conv", channels=(8,), **p
        ),
    }[model]
    full = make(device="cuda", random_state=0).fit(X)
    mixed = make(device="cuda", random_state=0, mixed_precision=precision).fit(X)
    assert np.all(np.isfinite(mixed.loss_curve_))
    np.testing.assert_allclose(mixed.loss_curve_, full.loss_curve_, rtol=0.1, atol=0.05)
    assert all(p.dtype == torch.float32 for p in mixed.module_.parameters())
    scaler = mixed.net_.grad_scaler_
    assert (scaler is not None) == (precision == "fp16")
    if scaler is not None:
        assert scaler.get_scale() > 1.0  # loss scaling ran and did not collapse
    out = mixed.sample(8, random_state=0) if hasattr(mixed, "sample") else None
    assert out is None or (out.dtype == X.dtype and np.all(np.isfinite(out)))


@cuda
def test_compile_on_gpu_trains_like_eager(digits):
    from skgen import DDPM

    X = digits["images_train"][:512]

    def make(**p):
        return DDPM(n_timesteps=50, channels=(8,), max_iter=2, device="cuda", random_state=0, **p)

    eager, compiled = make().fit(X), make(compile=True).fit(X)
    np.testing.assert_allclose(compiled.loss_curve_, eager.loss_curve_, rtol=0.05)
    assert list(compiled.module_.state_dict()) == list(eager.module_.state_dict())
    pickle.loads(pickle.dumps(compiled)).sample(4, random_state=0)


@cuda
def test_cuda_graphs_train_reproducibly_and_like_eager(digits):
    from skgen import DDPM

    X = digits["images_train"][:512]

    def make(**p):
        return DDPM(n_timesteps=50, channels=(8,), max_iter=2, device="cuda", random_state=0, **p)

    eager = make().fit(X)
    first, second = make(compile="reduce-overhead").fit(X), make(compile="reduce-overhead").fit(X)
    for key, value in first.module_.state_dict().items():
        torch.testing.assert_close(second.module_.state_dict()[key], value, rtol=0, atol=0)
    np.testing.assert_allclose(first.loss_curve_, eager.loss_curve_, rtol=0.05)
    np.testing.assert_array_equal(first.sample(4, random_state=0), second.sample(4, random_state=0))


@cuda
@pytest.mark.parametrize("cls, architecture", [("VAE", "conv"), ("GAN", "conv"), ("DDPM", "unet")])
def test_a_gpu_training_step_never_waits_for_the_device(cls, architecture, digits, monkeypatch):
    # torch's own check: a synchronising call inside a step raises.
    from skgen._engine._net import TrainingNet

    from sync_spy import HostReads

    step, reads = TrainingNet.train_batch, []

    def checked_step(net, batch):
        torch.cuda.set_sync_debug_mode("error")
        try:
            with HostReads() as spy:
                out = step(net, batch)
        finally:
            torch.cuda.set_sync_debug_mode("default")
        reads.extend(spy.reads)
        return out

    monkeypatch.setattr(TrainingNet, "train_batch", checked_step)
    est = small(getattr(skgen, cls), device="cuda", architecture=architecture, channels=(4,))
    est.set_params(max_iter=2).fit(digits["images_train"][:256])
    assert reads == []


@cuda
def test_a_model_saved_on_a_gpu_loads_without_one(digits, tmp_path):
    from skgen import load

    X = digits["images_train"][:256].astype(np.float32)
    est = small(VariationalAutoencoder, device="cuda", channels=(4,)).fit(X)
    est.save(tmp_path / "m", include_optimizer=True)
    expected = {"transform": est.transform(X), "sample": est.sample(8, random_state=0)}
    # Back on the GPU: the same outputs bit for bit, and training continues.
    on_gpu = load(tmp_path / "m", device="cuda")
    np.testing.assert_array_equal(on_gpu.transform(X), expected["transform"])
    np.testing.assert_array_equal(on_gpu.sample(8, random_state=0), expected["sample"])
    on_gpu.partial_fit(X)
    np.save(tmp_path / "X.npy", X)
    np.savez(tmp_path / "expected.npz", **expected)
    # In a fresh interpreter that sees no GPU: it loads onto the CPU and
    # agrees to float32 rounding.
    code = f"""
import numpy as np, torch, skgen
assert not torch.cuda.is_available()
est = skgen.load({str(tmp_path / "m")!r})
assert est.device == "cpu"
X, expected = np.load({str(tmp_path / "X.npy")!r}), np.load({str(tmp_path / "expected.npz")!r})
np.testing.assert_allclose(est.transform(X), expected["transform"], rtol=1e-4, atol=1e-4)
np.testing.assert_allclose(est.sample(8, random_state=0), expected["sample"], atol=1e-4)
est.partial_fit(X)
print("ok")
"""
    run_without_a_gpu(code)


@cuda
@pytest.mark.parametrize("workers", [0, 2])
def test_a_memmap_streams_to_the_gpu(workers, digits, tmp_path):
    from skgen import DDPM

    X = (digits["images_train"] * 16).astype(np.uint8)
    path = tmp_path / "pixels.npy"
    np.save(path, X)
    mm = np.load(path, mmap_mode="r")
    gpu = DDPM(
        max_iter=2, early_stopping=True, device="cuda", n_loader_workers=workers, random_state=0
    )
    with pytest.warns(Warning):  # still improving after 2 epochs
        gpu.fit(mm)
    cpu = DDPM(max_iter=2, early_stopping=True, device="cpu", random_state=0)
    with pytest.warns(Warning):
        cpu.fit(mm)
    assert next(gpu.module_.parameters()).is_cuda
    # The shuffles come from each device's own generator: alike, not equal.
    assert gpu.loss_curve_[-1] == pytest.approx(cpu.loss_curve_[-1], rel=0.2)
    assert np.isfinite(gpu.score_samples(mm)).all()


@cuda
def test_an_outlier_detector_trains_on_the_gpu_and_ranks_like_on_the_cpu(digits):
    from sklearn.metrics import roc_auc_score

    from skgen import OutlierDetector

    X, y = digits["X_train"], digits["y_train"]
    normal, X_test, is_normal = X[y == 0], digits["X_test"], digits["y_test"] == 0
    aucs = {}
    for device in ("cuda", "cpu"):
        model = StackedAutoencoder(
            8, hidden_layer_sizes=(64,), max_iter=40, device=device, random_state=0
        )
        detector = OutlierDetector(model, contamination=0.1).fit(normal)
        assert next(detector.estimator_.module_.parameters()).device.type == device
        aucs[device] = roc_auc_score(is_normal, detector.score_samples(X_test))
        labels = detector.predict(X_test)
        np.testing.assert_array_equal(
            labels, np.where(detector.decision_function(X_test) < 0, -1, 1)
        )
    assert aucs["cuda"] > 0.95
    assert aucs["cuda"] == pytest.approx(aucs["cpu"], abs=0.02)


@cuda
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_recurrent_and_hashing_autoencoders_train_on_the_gpu(cell, digits):
    from skgen import HashingAutoencoder, RecurrentAutoencoder

    images, test = digits["images_train"], digits["images_test"]
    errors = {}
    for device in ("cuda", "cpu"):
        ae = RecurrentAutoencoder(
            5, hidden_layer_sizes=(32,), cell=cell, max_iter=10, device=device, random_state=0
        ).fit(images)
        assert next(ae.module_.parameters()).device.type == device
        assert ae.inverse_transform(ae.transform(test)).shape == test.shape
        errors[device] = -ae.score(test)
    assert errors["cuda"] == pytest.approx(errors["cpu"], rel=0.2)
    hashing = HashingAutoencoder(8, max_iter=10, device="cuda", random_state=0).fit(
        digits["X_train"]
    )
    codes = hashing.binary_codes(digits["X_test"])
    assert codes.dtype == bool and codes.shape == (len(digits["X_test"]), 8)


@cuda
def test_an_encoder_classifier_fine_tunes_on_the_gpu_from_a_cpu_autoencoder(digits):
    from skgen import EncoderClassifier

    X, y = digits["X_train"], digits["y_train"]
    ae = StackedAutoencoder(
        16, hidden_layer_sizes=(64,), max_iter=20, device="cpu", random_state=0
    ).fit(X)
    clf = EncoderClassifier(
        ae, freeze_encoder=True, max_iter=50, device="cuda", random_state=0
    ).fit(X[:200], y[:200])
    assert next(clf.module_.parameters()).is_cuda
    assert next(ae.module_.parameters()).device.type == "cpu"  # left where it was
    assert clf.score(digits["X_test"], digits["y_test"]) > 0.6


@cuda
@pytest.mark.parametrize("family", ["vae", "gan", "ddpm"])
def test_a_table_trains_and_samples_on_the_gpu(family, tmp_path):
    import pandas as pd

    from skgen import DDPM, GAN

    from test_tables import mixed_table

    table = mixed_table()
    cls = {"vae": VariationalAutoencoder, "gan": GAN, "ddpm": DDPM}[family]
    est = cls(max_iter=30, batch_size=32, device="cuda", random_state=0).fit(table)
    assert est.architecture_ == "tabular" and next(est.module_.parameters()).is_cuda
    rows = est.sample(500, random_state=0)
    assert isinstance(rows, pd.DataFrame) and rows.dtypes.equals(table.dtypes)
    assert rows["age"].between(table["age"].min(), table["age"].max()).all()
    assert rows.equals(est.sample(500, random_state=0))
    if family != "gan":
        given = est.sample(50, random_state=0, conditions={"student": "yes"})
        assert (given["student"] == "yes").all()
    loaded = skgen.load(est.save(tmp_path / family), device="cpu")
    assert loaded.sample(20, random_state=0).dtypes.equals(table.dtypes)
