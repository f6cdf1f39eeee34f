"""skgen.set_config / config_context: the torch threads of a fit, and subnormal floats."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

import skgen
from skgen import StackedAutoencoder, VariationalAutoencoder
from skgen._config import _available_cpus, _flushing_denormals

from estimators import make


class _Threads(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("threads", torch.get_num_threads())


@pytest.fixture
def X():
    return np.random.default_rng(0).random((64, 6)).astype(np.float32)


def fit_threads(X, **params):
    est = make(StackedAutoencoder, n_components=2, max_iter=2, callbacks=[_Threads()], **params)
    return list(est.fit(X).net_.history[:, "threads"])


def test_auto_uses_one_thread_per_two_cpus_and_restores_torchs_count(X, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    expected = max(1, min(before, _available_cpus() // 2))
    assert skgen.get_config()["n_threads"] == "auto"
    assert fit_threads(X) == [expected, expected]
    assert torch.get_num_threads() == before
    # A thread count the user chose through the environment is kept.
    monkeypatch.setenv("OMP_NUM_THREADS", str(before))
    assert fit_threads(X) == [before, before]


def record_threads(est):
    """Record torch's thread count at every layer the estimator runs."""
    seen = []
    for module in est.module_.modules():
        module.register_forward_hook(lambda *a: seen.append(torch.get_num_threads()))
    return seen


def test_an_explicit_count_holds_for_fits_samples_and_transforms(X):
    before = torch.get_num_threads()
    vae = make(VariationalAutoencoder, n_components=2, max_iter=1).fit(X)
    seen = record_threads(vae)
    with skgen.config_context(n_threads=3):
        assert fit_threads(X) == [3, 3]
        vae.sample(5, random_state=0)
        assert seen and set(seen) == {3}
        seen.clear()
        vae.transform(X)
        assert seen and set(seen) == {3}
    assert skgen.get_config()["n_threads"] == "auto"
    assert torch.get_num_threads() == before
    # A failed fit restores the count too.
    with skgen.config_context(n_threads=3), pytest.raises(ValueError):
        make(StackedAutoencoder, n_components=2, max_iter=1).fit(X[:, :0])
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, "many", True])
def test_bad_thread_counts_are_named(bad):
    with pytest.raises(ValueError, match="n_threads must be 'auto', 'torch', None or an int"):
        skgen.set_config(n_threads=bad)
    assert skgen.get_config()["n_threads"] == "auto"


class _Flushing(Callback):
    def on_epoch_end(self, net, **kwargs):
        net.history.record("flushing", _flushing_denormals())


def test_subnormals_are_flushed_while_skgen_runs_and_restored_after(X):
    # Adam's moments of idle weights decay into subnormal floats, which x86
    # CPUs handle tens of times slower: skgen flushes them while it works.
    assert not _flushing_denormals()
    est = make(StackedAutoencoder, n_components=2, max_iter=2, callbacks=[_Flushing()])
    assert list(est.fit(X).net_.history[:, "flushing"]) == [True, True]
    assert not _flushing_denormals()
    seen = []
    for module in est.module_.modules():
        module.register_forward_hook(lambda *a: seen.append(_flushing_denormals()))
    est.transform(X)
    assert seen and all(seen) and not _flushing_denormals()
    # Turned off, torch's mode is left as it is.
    with skgen.config_context(flush_denormal=False):
        assert list(est.fit(X).net_.history[:, "flushing"]) == [False, False]
    assert skgen.get_config()["flush_denormal"] is True
    # A mode the user set is kept, and left set.
    torch.set_flush_denormal(True)
    try:
        assert list(est.fit(X).net_.history[:, "flushing"]) == [True, True]
        assert _flushing_denormals()
    finally:
        torch.set_flush_denormal(False)


def test_flushing_leaves_a_fit_the_same_where_nothing_is_subnormal(X):
    on = make(StackedAutoencoder, n_components=2, max_iter=3).fit(X)
    with skgen.config_context(flush_denormal=False):
        off = make(StackedAutoencoder, n_components=2, max_iter=3).fit(X)
    np.testing.assert_array_equal(on.transform(X), off.transform(X))


@pytest.mark.parametrize("bad", [0, 1, "yes"])
def test_bad_flush_settings_are_named(bad):
    with pytest.raises(ValueError, match="flush_denormal must be True, False or None"):
        skgen.set_config(flush_denormal=bad)
    assert skgen.get_config() == {"n_threads": "auto", "flush_denormal": True}
