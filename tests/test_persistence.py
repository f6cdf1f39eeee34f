"""Saving and loading without pickle: skgen.load and every estimator's save."""

import copy
import json
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EpochScoring

import skgen
from skgen import (
    DDPM,
    GAN,
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    EncoderClassifier,
    HashingAutoencoder,
    LinearAutoencoder,
    RecurrentAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

from estimators import make

CPU = {"device": "cpu", "random_state": 0, "batch_size": 64}
IMAGES = {"image_shape": (8, 8)}

# (estimator, whether it takes images, whether it is conditional): every
# family of the shared list (tests/estimators.py), with the options whose
# state a save must keep.
CASES = {
    "LinearAutoencoder": (make(LinearAutoencoder, n_components=3, max_iter=2, **CPU), False, False),
    "StackedAutoencoder-pretrained": (
        make(StackedAutoencoder, n_components=3, greedy_pretraining=True, max_iter=2, **CPU),
        False,
        False,
    ),
    "SparseAutoencoder": (
        make(SparseAutoencoder, n_components=12, max_iter=2, **CPU),
        False,
        False,
    ),
    "DenoisingAutoencoder": (
        make(DenoisingAutoencoder, n_components=3, max_iter=2, **CPU),
        False,
        False,
    ),
    "ConvolutionalAutoencoder": (
        make(ConvolutionalAutoencoder, n_components=3, channels=(4,), max_iter=2, **CPU),
        True,
        False,
    ),
    "HashingAutoencoder": (
        make(HashingAutoencoder, n_components=4, max_iter=2, **CPU),
        False,
        False,
    ),
    "RecurrentAutoencoder-gru": (
        make(RecurrentAutoencoder, n_components=3, cell="gru", max_iter=2, **CPU),
        True,
        False,
    ),
    "VAE-dense-mixture": (
        make(VariationalAutoencoder, n_components=3, max_iter=2, **CPU),
        False,
        False,
    ),
    "VAE-conv-conditional": (
        make(
            VariationalAutoencoder,
            n_components=3,
            channels=(4,),
            conditional=True,
            max_iter=2,
            **CPU,
        ),
        True,
        True,
    ),
    "GAN-dense-ema": (make(GAN, ema_decay=0.9, max_iter=2, **CPU), False, False),
    "DCGAN-conditional": (
        make(GAN, channels=(4,), conditional=True, max_iter=2, **CPU),
        True,
        True,
    ),
    "DDPM-mlp": (make(DDPM, max_iter=2, **CPU), False, False),
    "DDPM-unet-conditional-ema": (
        make(DDPM, channels=(4,), conditional=True, max_iter=2, **CPU),
        True,
        True,
    ),
}


def data(digits, images, conditional, n=192):
    X = digits["images_train" if images else "X_train"][:n].astype(np.float32)
    return X, (digits["y_train"][:n] if conditional else None)


def outputs(est, X, y):
    """Every output of a fitted model that a user relies on."""
    kw = {} if y is None else {"y": y}
    out = {}
    if hasattr(est, "transform"):
        codes = est.transform(X, **kw)
        out["transform"] = codes
        out["inverse_transform"] = est.inverse_transform(codes, **kw)
    if hasattr(est, "score_samples"):
        out["score_samples"] = est.score_samples(X, **kw)
    if hasattr(est, "sample"):
        sample_kw = {} if y is None else {"y": y[:8]}
        out["sample"] = est.sample(8, random_state=3, **sample_kw)
    return out


def same(a, b):
    """Exact equality of fitted attributes, recursively."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, np.random.RandomState):
        sa, sb = a.get_state(), b.get_state()
        return sa[0] == sb[0] and np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:]
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return type(a) is type(b) and same(vars(a), vars(b))
    return type(a) is type(b) and a == b


def fitted_attributes(est):
    params = est.get_params(deep=False)
    return {k: v for k, v in vars(est).items() if k not in params and k != "net_"}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, digits, tmp_path_factory):
    """A fitted estimator, its data, and its save (with optimizer state)."""
    est, images, conditional = CASES[request.param]
    X, y = data(digits, images, conditional)
    est = clone(est).fit(X, y)
    path = est.save(tmp_path_factory.mktemp(request.param) / "model", include_optimizer=True)
    return est, X, y, path


def test_a_loaded_model_is_the_saved_one_bit_for_bit(case):
    est, X, y, path = case
    loaded = skgen.load(path)
    assert type(loaded) is type(est)
    assert same(loaded.get_params(), est.get_params())
    assert same(fitted_attributes(loaded), fitted_attributes(est))
    assert list(loaded.net_.history) == list(est.net_.history)
    expected, got = outputs(est, X, y), outputs(loaded, X, y)
    assert expected.keys() == got.keys()
    for method in expected:
        assert got[method].dtype == expected[method].dtype, method
        np.testing.assert_array_equal(got[method], expected[method], err_msg=method)
    saved = {k: v for k, v in est.module_.state_dict().items()}
    for key, value in loaded.module_.state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_training_continues_exactly_with_the_optimizer_state(case):
    est, X, y, path = case
    # The fixture's estimator is shared: continue a private copy of it.
    original, loaded = copy.deepcopy(est), skgen.load(path)
    original.partial_fit(X, y)
    loaded.partial_fit(X, y)
    for (key, a), b in zip(
        original.module_.state_dict().items(), loaded.module_.state_dict().values()
    ):
        assert torch.equal(a, b), key
    assert loaded.loss_curve_ == original.loss_curve_
    assert loaded.n_iter_ == est.n_iter_ + 1


def test_continued_training_matches_a_model_that_was_never_saved(digits, tmp_path):
    X, _ = data(digits, False, False)
    est = VariationalAutoencoder(3, hidden_layer_sizes=(8,), max_iter=2, **CPU).fit(X)
    twin = clone(est).fit(X)
    est.save(tmp_path / "m", include_optimizer=True)
    loaded = skgen.load(tmp_path / "m")
    twin.set_params(warm_start=True, max_iter=3).fit(X)
    loaded.set_params(warm_start=True, max_iter=3).fit(X)
    assert loaded.loss_curve_ == twin.loss_curve_
    np.testing.assert_array_equal(loaded.transform(X), twin.transform(X))


def test_without_optimizer_state_training_restarts_the_optimizer(digits, tmp_path):
    X, _ = data(digits, False, False)
    est = GAN(
        4,
        generator_hidden_layer_sizes=(16,),
        discriminator_hidden_layer_sizes=(16,),
        max_iter=2,
        **CPU,
    ).fit(X)
    est.save(tmp_path / "m", include_optimizer=True)
    assert (tmp_path / "m" / "optimizer.safetensors").is_file()
    # Saving again without the optimizer removes the stale optimizer file.
    est.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]
    loaded = skgen.load(tmp_path / "m")
    assert not loaded.net_.optimizer_.state  # fresh Adam moments
    before = {k: v.clone() for k, v in loaded.module_.state_dict().items()}
    loaded.partial_fit(X)
    assert any(not torch.equal(v, loaded.module_.state_dict()[k]) for k, v in before.items())
    assert np.isfinite(loaded.sample(4, random_state=0)).all()


def test_feature_names_and_string_classes_round_trip(digits, tmp_path):
    X = pd.DataFrame(digits["X_train"][:128], columns=[f"px{i}" for i in range(64)])
    y = np.array(["even", "odd"])[digits["y_train"][:128] % 2]
    est = VariationalAutoencoder(
        2, hidden_layer_sizes=(8,), conditional=True, max_iter=2, **CPU
    ).fit(X, y)
    loaded = skgen.load(est.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    np.testing.assert_array_equal(loaded.classes_, est.classes_)
    np.testing.assert_array_equal(
        loaded.sample(4, random_state=0, y="odd"), est.sample(4, random_state=0, y="odd")
    )


def test_a_torch_optim_class_and_a_random_state_instance_are_stored(digits, tmp_path):
    X, _ = data(digits, False, False)
    rng = np.random.RandomState(5)
    est = StackedAutoencoder(
        3,
        hidden_layer_sizes=(8,),
        max_iter=2,
        optimizer=torch.optim.AdamW,
        optimizer_params={"betas": (0.8, 0.99)},
        device="cpu",
        random_state=rng,
    ).fit(X)
    loaded = skgen.load(est.save(tmp_path / "m", include_optimizer=True))
    assert loaded.optimizer is torch.optim.AdamW
    assert loaded.optimizer_params == {"betas": (0.8, 0.99)}
    assert same(loaded.random_state, rng)
    assert isinstance(loaded.net_.optimizer_, torch.optim.AdamW)


# -- custom networks ------------------------------------------------------
class TinyDecoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(3, 64)

    def forward(self, z):
        return torch.sigmoid(self.layer(z))


def test_a_custom_network_is_passed_back_at_load_time(digits, tmp_path):
    X, _ = data(digits, False, False)
    est = StackedAutoencoder(
        3, hidden_layer_sizes=(8,), decoder=TinyDecoder(), max_iter=2, **CPU
    ).fit(X)
    est.save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["params"]["decoder"]["class"].endswith("TinyDecoder")
    with pytest.raises(ValueError, match=r"custom network .*TinyDecoder.* 'decoder' parameter"):
        skgen.load(tmp_path / "m")
    with pytest.raises(ValueError, match="not network parameters"):
        skgen.load(tmp_path / "m", networks={"generator": TinyDecoder()})
    loaded = skgen.load(tmp_path / "m", networks={"decoder": TinyDecoder})
    np.testing.assert_array_equal(
        loaded.inverse_transform(loaded.transform(X)), est.inverse_transform(est.transform(X))
    )
    loaded.partial_fit(X)  # the signature check accepts the network passed back


def test_a_network_passed_for_a_built_in_one_is_refused(digits, tmp_path):
    X, _ = data(digits, False, False)
    StackedAutoencoder(3, hidden_layer_sizes=(8,), max_iter=1, **CPU).fit(X).save(tmp_path / "m")
    with pytest.raises(ValueError, match=r"built-in network"):
        skgen.load(tmp_path / "m", networks={"decoder": TinyDecoder})


# -- what save refuses ----------------------------------------------------
@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = data(digits, False, False)
    return LinearAutoencoder(3, max_iter=2, **CPU).fit(X)


def test_save_needs_a_fitted_estimator(tmp_path):
    with pytest.raises(NotFittedError):
        LinearAutoencoder(3).save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_save_refuses_callbacks_and_says_what_to_do(fitted, tmp_path):
    est = clone(fitted).set_params(callbacks=[EpochScoring("train_loss")])
    est.__dict__.update(
        {k: v for k, v in vars(fitted).items() if k.endswith("_") or k.startswith("_")}
    )
    with pytest.raises(ValueError, match=r"callbacks=.*set_params\(callbacks=None\)"):
        est.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_save_refuses_an_optimizer_outside_torch_optim(fitted, tmp_path):
    class MyAdam(torch.optim.Adam):
        pass

    est = clone(fitted).set_params(optimizer=MyAdam)
    est.__dict__.update({k: v for k, v in vars(fitted).items() if k not in est.get_params()})
    with pytest.raises(ValueError, match=r"optimizer=.*MyAdam.*by name"):
        est.save(tmp_path / "m")


def test_save_refuses_a_subclass_and_a_file_path(fitted, tmp_path):
    class MyAE(LinearAutoencoder):
        pass

    sub = MyAE(3, max_iter=1, **CPU).fit(np.random.RandomState(0).rand(20, 4))
    with pytest.raises(TypeError, match="MyAE is not one of them"):
        sub.save(tmp_path / "sub")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="it is a file"):
        fitted.save(tmp_path / "file")


# -- what load refuses, and never runs ----------------------------------------
@pytest.fixture
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "model")


def edit_config(path, edit):
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))


class _Payload:
    """Unpickling it would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_pickle_in_the_directory_is_never_executed(saved, tmp_path):
    import pickle

    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(str(marker)))
    (saved / "model.pkl").write_bytes(payload)
    skgen.load(saved)  # an extra file is ignored, not read
    assert not marker.exists()
    # A pickle in place of the weights is refused by safetensors' reader.
    (saved / "model.safetensors").write_bytes(payload)
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        skgen.load(saved)
    assert not marker.exists()


def test_a_tampered_config_never_imports_what_it_names(saved, tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "evil_skgen_module.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nclass Evil: pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    attacks = [
        (
            "estimator",
            lambda c: c.update(estimator="evil_skgen_module.Evil"),
            r"names the estimator 'evil_skgen_module.Evil', which is not one of skgen's",
        ),
        (
            "object",
            lambda c: c["attributes"].update(
                loss_curve_={"__object__": "evil_skgen_module.Evil", "state": {}}
            ),
            r"attributes.loss_curve_ names an object 'evil_skgen_module.Evil' that skgen does "
            r"not load",
        ),
        (
            "optimizer",
            lambda c: c["params"].update(optimizer={"__optimizer__": "evil_skgen_module"}),
            r"names an optimizer 'evil_skgen_module' that torch.optim does not have",
        ),
        (
            "unknown tag",
            lambda c: c["attributes"].update(
                loss_curve_={"__reduce__": ["evil_skgen_module.Evil", []]}
            ),
            r"attributes.loss_curve_ has an unknown entry",
        ),
        (
            "attribute name",
            lambda c: c["attributes"].update(__class__="Evil"),
            r"a fitted LinearAutoencoder has no attributes \['__class__'\]",
        ),
    ]
    original = (saved / "config.json").read_text()
    for what, edit, message in attacks:
        (saved / "config.json").write_text(original)
        edit_config(saved, edit)
        with pytest.raises(ValueError, match=message):
            skgen.load(saved)
    assert "evil_skgen_module" not in sys.modules
    assert not marker.exists()


@pytest.mark.parametrize(
    "edit, error, message",
    [
        (
            lambda c: c.update(format_version=99),
            ValueError,
            r"format version 99; this skgen .* reads format version 2 and older. Upgrade skgen",
        ),
        (lambda c: c.update(format="other"), ValueError, r"not a skgen model configuration"),
        (lambda c: c.update(extra=1), ValueError, r"unknown entries \['extra'\]"),
        (
            lambda c: c["params"].update(n_layers=3),
            ValueError,
            r"sets parameters \['n_layers'\] that LinearAutoencoder does not have",
        ),
        (
            lambda c: c["params"].update(max_iter="many"),
            InvalidParameterError,
            r"'max_iter' parameter of LinearAutoencoder",
        ),
        (
            lambda c: c["attributes"]["_module_signature"]["__dict__"].update(n_components=5),
            ValueError,
            r"network weights saved in .* mismatched shapes \(encoder.*saved \(3, 64\), expected "
            r"\(5, 64\)",
        ),
        (
            lambda c: c["attributes"].update(loss_curve_={"__array__": "data.nothing"}),
            ValueError,
            r"refers to a tensor 'data.nothing' that model.safetensors does not have",
        ),
    ],
)
def test_a_tampered_or_newer_config_gets_a_clear_error(saved, edit, error, message):
    edit_config(saved, edit)
    with pytest.raises(error, match=message):
        skgen.load(saved)


def test_missing_files_get_a_clear_error(saved, tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        skgen.load(tmp_path / "nowhere")
    (saved / "model.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match=r"model.safetensors' is missing"):
        skgen.load(saved)
    (saved / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        skgen.load(saved)
    (saved / "config.json").unlink()
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        skgen.load(saved)


def test_a_missing_optimizer_file_is_named(fitted, tmp_path):
    path = fitted.save(tmp_path / "m", include_optimizer=True)
    (path / "optimizer.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match="optimizer.safetensors' is missing"):
        skgen.load(path)


# -- devices ---------------------------------------------------------------
def test_device_none_keeps_the_saved_device_or_falls_back_to_the_cpu(saved):
    assert skgen.load(saved, device=None).device == "cpu"
    assert skgen.load(saved, device="auto").device == "auto"
    if torch.cuda.is_available():
        pytest.skip("the fallback is for machines without CUDA")
    edit_config(saved, lambda c: c["params"].update(device="cuda"))
    with pytest.warns(UserWarning, match="device='cuda', which this machine does not have"):
        loaded = skgen.load(saved, device=None)
    assert loaded.device == "cpu"
    assert skgen.load(saved).device == "cpu"  # the default puts it on the CPU


def test_a_model_trained_in_fp16_loads_without_cuda(saved):
    if torch.cuda.is_available():
        pytest.skip("checks a machine without CUDA")
    edit_config(saved, lambda c: c["params"].update(mixed_precision="fp16"))
    loaded = skgen.load(saved)
    assert loaded.mixed_precision == "fp16"
    assert np.isfinite(loaded.transform(np.zeros((2, 64)))).all()
    with pytest.raises(ValueError, match="mixed_precision='fp16' needs a CUDA device"):
        loaded.partial_fit(np.zeros((4, 64)))


# -- pipelines -------------------------------------------------------------
def test_the_documented_pipeline_recipe(digits, tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    X, y = digits["X_train"][:300], digits["y_train"][:300]
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("ae", StackedAutoencoder(5, max_iter=3, **CPU)),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    ).fit(X, y)
    # Save: the skgen step with skgen, the rest with skops.
    pipe.named_steps["ae"].save(tmp_path / "ae")
    sio.dump(pipe.set_params(ae="passthrough"), tmp_path / "pipeline.skops")
    pipe.set_params(ae=skgen.load(tmp_path / "ae"))
    # Load: skops lists no type it would need to trust; put the step back.
    assert sio.get_untrusted_types(file=tmp_path / "pipeline.skops") == []
    restored = sio.load(tmp_path / "pipeline.skops", trusted=[])
    restored.set_params(ae=skgen.load(tmp_path / "ae"))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))


# -- what the fit built, not what the parameters say now ----------------------
def test_a_model_is_rebuilt_as_its_fit_built_it(digits, tmp_path):
    X, _ = data(digits, False, False)
    gan = GAN(
        4,
        generator_hidden_layer_sizes=(16,),
        discriminator_hidden_layer_sizes=(16,),
        dropout=0.2,
        max_iter=2,
        **CPU,
    ).fit(X)
    # A warm start keeps the network and the optimizer the fit built, even
    # after the parameters that made them change.
    gan.set_params(
        dropout=0.0, warm_start=True, optimizer="sgd", generator_hidden_layer_sizes=(32,)
    )
    with pytest.raises(ValueError, match="generator_hidden_layer_sizes"):
        gan.fit(X)  # the shape cannot change on a warm start...
    gan.set_params(generator_hidden_layer_sizes=(16,)).fit(X)  # ...dropout and optimizer can
    gan.set_params(generator_hidden_layer_sizes=(64,))  # changed, not refitted
    loaded = skgen.load(gan.save(tmp_path / "m", include_optimizer=True))
    assert loaded.get_params()["generator_hidden_layer_sizes"] == (64,)
    assert isinstance(loaded.net_.optimizer_, torch.optim.Adam)

    def dropouts(est):
        return [m.p for m in est.module_.modules() if type(m).__name__ == "Dropout"]

    assert dropouts(loaded) == dropouts(gan) == [0.2]
    np.testing.assert_array_equal(loaded.sample(8, random_state=0), gan.sample(8, random_state=0))
    for est in (gan, loaded):
        est.set_params(generator_hidden_layer_sizes=(16,)).partial_fit(X)
    for (key, a), b in zip(gan.module_.state_dict().items(), loaded.module_.state_dict().values()):
        assert torch.equal(a, b), key


def test_a_random_state_instance_stays_the_fits_generator(digits, tmp_path):
    X, _ = data(digits, False, False)
    est = LinearAutoencoder(3, max_iter=1, device="cpu", random_state=np.random.RandomState(1)).fit(
        X
    )
    assert est._rng is est.random_state
    loaded = skgen.load(est.save(tmp_path / "m"))
    assert loaded._rng is loaded.random_state


def test_save_refuses_a_parameter_json_cannot_hold(fitted, tmp_path):
    est = copy.deepcopy(fitted)
    est.optimizer_params = {"weight_decay": range(1)}
    with pytest.raises(
        ValueError,
        match=r"params.optimizer_params.weight_decay holds a "
        r"builtins.range.*plain values",
    ):
        est.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_tampered_optimizer_state_is_refused_at_load(fitted, tmp_path):
    from safetensors.torch import load_file, save_file

    path = fitted.save(tmp_path / "m", include_optimizer=True)
    file = path / "optimizer.safetensors"
    from safetensors import safe_open

    with safe_open(str(file), "pt") as f:
        metadata = f.metadata()
    tensors = load_file(file)
    key = next(k for k in tensors if k.endswith("exp_avg"))
    tensors[key] = torch.zeros(5)
    save_file(tensors, file, metadata=metadata)
    with pytest.raises(
        ValueError,
        match=r"state of 'optimizer' .* 'exp_avg' of parameter .* "
        r"shape \(5,\)",
    ):
        skgen.load(path)


def test_fitted_attributes_must_be_the_classes_own(digits, tmp_path):
    X, _ = data(digits, False, False)
    path = (
        VariationalAutoencoder(2, hidden_layer_sizes=(8,), max_iter=1, **CPU)
        .fit(X)
        .save(tmp_path / "m")
    )
    original = (path / "config.json").read_text()
    edit_config(path, lambda c: c["attributes"].pop("latent_mixture_"))
    with pytest.raises(ValueError, match=r"needs \['latent_mixture_'\]"):
        skgen.load(path)
    (path / "config.json").write_text(original)
    edit_config(path, lambda c: c["attributes"].update(bogus_=1, module_=2))
    with pytest.raises(ValueError, match=r"has no attributes \['bogus_', 'module_'\]"):
        skgen.load(path)


def test_files_of_two_saves_are_not_mixed(fitted, tmp_path):
    path = fitted.save(tmp_path / "m")
    old_config = (path / "config.json").read_text()
    fitted.save(path)  # a second save whose config write was lost
    (path / "config.json").write_text(old_config)
    with pytest.raises(ValueError, match="come from different saves"):
        skgen.load(path)
    assert not list(path.glob("*.tmp"))


def test_malformed_values_get_a_clear_error(saved):
    original = (saved / "config.json").read_text()
    edit_config(saved, lambda c: c["net"].update(history=[1, 2]))
    with pytest.raises(ValueError, match=r"net.history is not a list of epoch records"):
        skgen.load(saved)
    # A nesting deeper than Python's recursion limit.
    deep = "[" * 100_000 + "]" * 100_000
    (saved / "config.json").write_text(
        original.replace('"n_iter_":', f'"x_": {deep}, "n_iter_":', 1)
    )
    with pytest.raises(ValueError, match=r"not valid JSON: RecursionError"):
        skgen.load(saved)


# -- models that hold models ---------------------------------------------------
@pytest.mark.parametrize("wrap", [False, True], ids=["autoencoder", "frozen"])
def test_an_encoder_classifier_saves_with_its_autoencoder(wrap, digits, tmp_path):
    from sklearn.frozen import FrozenEstimator

    X, y = digits["X_train"][:300], digits["y_train"][:300]
    ae = StackedAutoencoder(6, hidden_layer_sizes=(16,), max_iter=3, **CPU).fit(X)
    clf = EncoderClassifier(FrozenEstimator(ae) if wrap else ae, max_iter=3, **CPU).fit(X, y)
    loaded = skgen.load(clf.save(tmp_path / "clf", include_optimizer=True))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    # The autoencoder parameter comes back fitted, as it was given.
    inner = loaded.autoencoder.estimator if wrap else loaded.autoencoder
    assert type(loaded.autoencoder) is type(clf.autoencoder)
    np.testing.assert_array_equal(inner.transform(X), ae.transform(X))
    # Training continues as it would have without the round trip.
    for est in (clf, loaded):
        est.set_params(warm_start=True, max_iter=1).fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_an_unpretrained_encoder_classifier_saves(digits, tmp_path):
    X, y = digits["X_train"][:200], digits["y_train"][:200]
    clf = EncoderClassifier(StackedAutoencoder(6, hidden_layer_sizes=(16,)), max_iter=2, **CPU).fit(
        X, y
    )
    assert not clf.pretrained_
    loaded = skgen.load(clf.save(tmp_path / "clf"))
    assert not hasattr(loaded.autoencoder, "net_")
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_a_fitted_pipeline_saves_without_pickle(digits, tmp_path):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler

    X, y = digits["X_train"][:300] * 16, digits["y_train"][:300]
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("pca", PCA(20)),
            ("ae", StackedAutoencoder(5, max_iter=3, **CPU)),
            ("clf", LogisticRegression(max_iter=300)),
        ]
    ).fit(X, y)
    path = skgen.save(pipe, tmp_path / "pipe")
    config = json.loads((path / "config.json").read_text())
    assert config["estimator"] == "sklearn.pipeline.Pipeline"
    loaded = skgen.load(path)
    assert [name for name, _ in loaded.steps] == ["scale", "pca", "ae", "clf"]
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded[:-1].transform(X), pipe[:-1].transform(X))


def test_a_pipeline_step_skgen_does_not_store_is_refused(digits, tmp_path):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    X, y = digits["X_train"][:100], digits["y_train"][:100]
    pipe = make_pipeline(StackedAutoencoder(3, max_iter=1, **CPU), KNeighborsClassifier())
    with pytest.raises(
        ValueError,
        match=r"params.steps\[1\]\[1\] holds a "
        r"sklearn.neighbors.*KNeighborsClassifier.*pickle",
    ):
        skgen.save(pipe.fit(X, y), tmp_path / "knn")
    assert not (tmp_path / "knn").exists()
    with pytest.raises(TypeError, match="KNeighborsClassifier is not one of them"):
        skgen.save(KNeighborsClassifier().fit(X, y), tmp_path / "alone")


def test_a_tampered_nested_model_is_refused_by_name(digits, tmp_path):
    X, y = digits["X_train"][:200], digits["y_train"][:200]
    ae = StackedAutoencoder(6, hidden_layer_sizes=(16,), max_iter=2, **CPU).fit(X)
    path = EncoderClassifier(ae, max_iter=1, **CPU).fit(X, y).save(tmp_path / "clf")
    edit_config(
        path,
        lambda c: c["params"]["autoencoder"]["__model__"].update(
            estimator="evil_skgen_module.Evil"
        ),
    )
    with pytest.raises(ValueError, match="names the estimator 'evil_skgen_module.Evil'"):
        skgen.load(path)
