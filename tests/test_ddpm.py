"""DDPM: the noise schedule, training, DDPM/DDIM sampling, guidance, quality."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.mixture import GaussianMixture

from skgen import DDPM
from skgen.datasets import make_ring_of_gaussians
from skgen.diffusion import NoiseSchedule
from skgen.metrics import energy_distance


def small_ddpm(**params):
    defaults = dict(
        n_timesteps=20, hidden_width=16, n_blocks=1, max_iter=2, batch_size=32, random_state=0
    )
    defaults.update(params)
    return DDPM(**defaults)


# -- the schedule ------------------------------------------------------------
def test_book_cosine_schedule_reproduces_its_alpha_bar_curve():
    # The book's variance_schedule(T=4000, s=0.008, max_beta=0.999), with
    # its steps indexed from 1 (index 0 is the clean image).
    T, s, max_beta = 4000, 0.008, 0.999
    t = np.arange(T + 1)
    f = np.cos((t / T + s) / (1 + s) * np.pi / 2) ** 2
    alpha = np.append(1, np.clip(f[1:] / f[:-1], 1 - max_beta, 1))
    book_bar = np.cumprod(alpha)
    schedule = NoiseSchedule(T, "cosine")
    np.testing.assert_allclose(schedule.alpha_bars.numpy(), book_bar[1:], rtol=1e-5, atol=1e-12)
    bars = schedule.alpha_bars.numpy()
    assert np.all(np.diff(bars) < 0)
    assert bars[0] > 0.9999 and bars[T // 2 - 1] == pytest.approx(0.5, abs=0.02)
    assert schedule.betas.max().item() == pytest.approx(0.999, rel=1e-6)


def test_linear_schedule_is_ho_et_al():
    betas = NoiseSchedule(1000, "linear").betas.double().numpy()
    np.testing.assert_allclose(betas, np.linspace(1e-4, 0.02, 1000), rtol=1e-4)
    # other T: the same total noise
    half = NoiseSchedule(500, "linear").betas.double().numpy()
    assert half[0] == pytest.approx(2e-4) and half[-1] == pytest.approx(0.04)


@pytest.mark.parametrize("t", [0, 100, 500, 999])
def test_add_noise_has_the_closed_form_mean_and_variance(t):
    schedule = NoiseSchedule(1000, "cosine")
    gen = torch.Generator().manual_seed(0)
    x0 = torch.full((200_000, 1), 1.5)
    noise = torch.randn(x0.shape, generator=gen)
    steps = torch.full((x0.shape[0],), t)
    x_t = schedule.add_noise(x0, noise, steps)
    ab = schedule.alpha_bars[t].item()
    assert x_t.mean().item() == pytest.approx(np.sqrt(ab) * 1.5, abs=0.01)
    assert x_t.var().item() == pytest.approx(1 - ab, abs=0.01 + 0.01 * (1 - ab))
    # exactly the formula, draw by draw
    torch.testing.assert_close(x_t, np.sqrt(ab) * x0 + np.sqrt(1 - ab) * noise)


def test_v_target_and_its_inversion():
    schedule = NoiseSchedule(100, "cosine", prediction="v")
    gen = torch.Generator().manual_seed(0)
    x0, noise = torch.randn(50, 3, generator=gen), torch.randn(50, 3, generator=gen)
    t = torch.randint(0, 100, (50,), generator=gen)
    ab = schedule.alpha_bars[t][:, None]
    v = schedule.target(x0, noise, t)
    torch.testing.assert_close(v, ab.sqrt() * noise - (1 - ab).sqrt() * x0)
    x0_hat, eps_hat = schedule.split(schedule.add_noise(x0, noise, t), v, t)
    torch.testing.assert_close(x0_hat, x0, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(eps_hat, noise, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("eta, n_steps", [(1.0, None), (0.0, 10), (1.0, 10)])
def test_reverse_steps_with_an_exact_denoiser_recover_the_data(eta, n_steps):
    # Data: a point mass at c. The exact noise prediction is known in closed form.
    schedule = NoiseSchedule(200, "cosine")
    c = torch.tensor([0.5, -0.25])
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 2, generator=gen)
    steps = schedule.inference_timesteps(n_steps)
    assert steps[0] == 199 and steps == sorted(steps, reverse=True)
    assert len(steps) == (200 if n_steps is None else n_steps)
    for i, t in enumerate(steps):
        ab = schedule.alpha_bars[t]
        eps = (x - ab.sqrt() * c) / (1 - ab).sqrt()
        x = schedule.step(
            eps, t, x, prev_t=steps[i + 1] if i + 1 < len(steps) else -1, eta=eta, generator=gen
        )
    torch.testing.assert_close(x, c.expand(8, 2), atol=1e-4, rtol=0)


# -- the estimator -----------------------------------------------------------
def test_sampling_is_reproducible_shaped_and_scaled_like_the_data():
    rng = np.random.default_rng(0)
    images = (rng.random((60, 4, 3)) * 50 + 100).astype(np.float32)
    # Bit-for-bit equality is a CPU promise: CUDA kernels may sum in another
    # order from run to run (see the GPU tests for what holds there).
    ddpm = small_ddpm(max_iter=1, device="cpu").fit(images)
    a = ddpm.sample(7, random_state=0)
    assert a.shape == (7, 4, 3) and a.dtype == np.float32 and 60 < a.mean() < 190
    np.testing.assert_array_equal(a, ddpm.sample(7, random_state=0))
    assert not np.allclose(a, ddpm.sample(7, random_state=1))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ddpm)).sample(7, random_state=0), a)
    np.testing.assert_array_equal(
        small_ddpm(max_iter=1, device="cpu").fit(images).sample(7, random_state=0), a
    )
    assert not hasattr(clone(ddpm), "net_")
    # DDIM is deterministic given the starting noise and differs from DDPM
    d1 = ddpm.sample(7, random_state=0, sampler="ddim", n_inference_steps=5)
    assert not np.allclose(d1, a)


def test_unet_takes_any_image_size():
    for shape in [(8, 8), (7, 5, 3), (28, 28)]:
        X = np.random.default_rng(0).random((16, *shape))
        ddpm = small_ddpm(architecture="unet", channels=(4, 8), max_iter=1).fit(X)
        out = ddpm.sample(2, random_state=0, n_inference_steps=3)
        assert out.shape == (2, *shape)
        assert out.min() >= X.min() - 1e-6 and out.max() <= X.max() + 1e-6  # clipped x0


def test_samples_are_produced_in_bounded_batches(monkeypatch, capsys):
    import skgen.diffusion._reverse as ddpm_module

    ddpm = small_ddpm(max_iter=1, verbose=1).fit(np.random.default_rng(0).random((40, 2)))
    monkeypatch.setattr(ddpm_module, "INFERENCE_BATCH_SIZE", 7)
    seen = []
    original = DDPM._denoise

    def spy(module, x, *args):
        seen.append(x.shape[0])
        return original(module, x, *args)

    monkeypatch.setattr(DDPM, "_denoise", staticmethod(spy))
    out = ddpm.sample(20, random_state=0, n_inference_steps=4, sampler="ddim")
    assert out.shape == (20, 2) and np.isfinite(out).all()
    assert max(seen) == 7 and len(seen) == 3 * 4
    assert "DDPM sampling" in capsys.readouterr().err


def test_ema_weights_are_used_for_sampling():
    X = np.random.default_rng(0).normal(size=(200, 2))
    ddpm = small_ddpm(max_iter=3, device="cpu").fit(X)  # the network meets CPU tensors
    module = ddpm.module_
    assert all(not p.requires_grad for p in module.denoiser_ema.parameters())
    x, t = torch.randn(4, 2), torch.tensor([3, 5, 7, 9])
    with torch.no_grad():
        assert not torch.allclose(module(x, t), module(x, t, ema=True))
    assert small_ddpm(ema_decay=None, max_iter=1).fit(X).module_.denoiser_ema is None


def test_options_train_and_are_applied():
    X = np.random.default_rng(0).normal(size=(100, 3))
    for params in [
        dict(prediction="v"),
        dict(loss="huber"),
        dict(noise_schedule="linear"),
        dict(architecture="unet", channels=(4,)),
    ]:
        ddpm = small_ddpm(**params).fit(X)
        assert np.isfinite(ddpm.loss_curve_).all()
        schedule = ddpm.schedule_
        assert schedule.prediction == ddpm.prediction
        assert schedule.kind == ddpm.noise_schedule
        assert np.isfinite(ddpm.sample(3, random_state=0, n_inference_steps=5)).all()


def test_huber_loss_is_the_objective():
    from skgen.diffusion._objectives import DenoisingObjective

    module = small_ddpm(max_iter=1, device="cpu").fit(np.zeros((10, 2)) + [[0, 1]]).module_
    schedule = NoiseSchedule(20)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(0)) * 5
    losses = {}
    for kind in ("mse", "huber"):
        losses[kind] = DenoisingObjective(schedule, loss=kind)(
            module, (x, None), generator=torch.Generator().manual_seed(1)
        ).item()
    assert losses["huber"] < losses["mse"]


def test_score_samples_prefers_data_to_noise():
    X, _ = make_moons(600, noise=0.05, random_state=0)
    ddpm = DDPM(n_timesteps=100, max_iter=20, random_state=0).fit(X)
    real = ddpm.score_samples(make_moons(200, noise=0.05, random_state=1)[0])
    noise = ddpm.score_samples(np.random.default_rng(0).uniform(-1.5, 2.5, (200, 2)))
    assert real.shape == (200,) and real.mean() > noise.mean()
    assert ddpm.score(X[:50]) == pytest.approx(ddpm.score_samples(X[:50]).mean())


def test_sampler_auto_picks_the_sampler_and_its_steps_by_network():
    # sampler="auto" (the default): DPM-Solver++ with 10 steps for the
    # residual MLP, its SDE form with 30 for the U-Net whatever the image
    # size, DDIM with 50 for tables; one network pass a step (the SDE
    # solver's Karras levels may round to fewer timesteps of a short
    # schedule). n_inference_steps changes the number of steps, not the
    # sampler.
    from skgen.diffusion._samplers import SAMPLERS

    rng = np.random.default_rng(0)
    mlp = small_ddpm(n_timesteps=100, max_iter=1).fit(rng.normal(size=(50, 2)))
    unets = [
        small_ddpm(n_timesteps=100, architecture="unet", channels=(4,), max_iter=1).fit(
            rng.random((8, side, side))
        )
        for side in (8, 28)
    ]
    table = small_ddpm(n_timesteps=100, max_iter=1).fit(
        pd.DataFrame({"x": rng.normal(size=40), "c": rng.choice(["a", "b"], 40)})
    )
    assert table.architecture_ == "tabular"
    cases = [(mlp, "dpm++", 10), *[(unet, "dpm++sde", 30) for unet in unets]]
    for ddpm, name, steps in [*cases, (table, "ddim", 50)]:
        assert ddpm.sampler == "auto"
        samples, passes = count_network_passes(ddpm, n_samples=6, random_state=0)
        assert passes == len(SAMPLERS[name]().timesteps(ddpm.schedule_, steps))
        assert passes == steps or name == "dpm++sde" and 25 <= passes < steps
        np.testing.assert_array_equal(
            samples, ddpm.sample(6, random_state=0, sampler=name, n_inference_steps=steps)
        )
        np.testing.assert_array_equal(
            ddpm.sample(6, random_state=1, n_inference_steps=4),
            ddpm.sample(6, random_state=1, sampler=name, n_inference_steps=4),
        )
    # The estimator's own sampler and steps are overridden by sample's.
    mlp.set_params(sampler="ddim", n_inference_steps=7)
    assert count_network_passes(mlp, n_samples=3, random_state=0)[1] == 7
    assert count_network_passes(mlp, n_samples=3, random_state=0, sampler="auto")[1] == 7
    mlp.set_params(n_inference_steps=None)
    assert count_network_passes(mlp, n_samples=3, random_state=0, sampler="auto")[1] == 10


def test_ddpm_errors():
    X = np.random.default_rng(0).normal(size=(50, 2))
    ddpm = small_ddpm(max_iter=1).fit(X)
    with pytest.raises(
        ValueError, match="sampler must be 'auto', 'ddpm', 'ddim', 'dpm\\+\\+' or 'dpm\\+\\+sde'"
    ):
        ddpm.sample(2, sampler="euler")
    with pytest.raises(ValueError, match="n_inference_steps must be a positive int"):
        ddpm.sample(2, n_inference_steps=0)
    with pytest.raises(ValueError, match="'guidance_scale' parameter of DDPM.sample"):
        ddpm.sample(2, guidance_scale=-1.0)
    with pytest.raises(ValueError, match=r"needs class labels: call fit\(X, y\)"):
        small_ddpm(conditional=True).fit(X)
    with pytest.raises(
        ValueError, match="y was passed to sample, but this DDPM is not conditional"
    ):
        ddpm.sample(2, y=0)
    with pytest.raises(ValueError, match="after changing ema_decay from .a float. to None"):
        small_ddpm(warm_start=True).fit(X).set_params(ema_decay=None).fit(X)
    with pytest.raises(ValueError, match="'n_timesteps' parameter of DDPM"):
        small_ddpm(n_timesteps=1).fit(X)


# -- quality bars ------------------------------------------------------------
def v_energy(a, b):
    return energy_distance(a, b, unbiased=False)


def count_network_passes(ddpm, **sample_kwargs):
    """Samples of ``ddpm.sample(**sample_kwargs)`` and how many network passes they took."""
    calls = []
    hook = ddpm.module_.register_forward_hook(lambda *args: calls.append(1))
    try:
        samples = ddpm.sample(**sample_kwargs)
    finally:
        hook.remove()
    return samples, len(calls)


def quality_check(ddpm, X_train, held_out, baseline=None):
    """Energy distances of samples and of held-out halves (same sizes).

    The cost of each sampler is counted in network passes, not wall-clock
    time, so the figures do not depend on how busy the machine is.
    """
    n = len(held_out) // 2
    halves = v_energy(held_out[:n], held_out[n:])
    ancestral, passes_ancestral = count_network_passes(
        ddpm, n_samples=n, random_state=1, sampler="ddpm"
    )
    ddim, passes_ddim = count_network_passes(
        ddpm, n_samples=n, random_state=1, sampler="ddim", n_inference_steps=50
    )
    dpm, passes_dpm = count_network_passes(ddpm, n_samples=n, random_state=1, sampler="dpm++")
    return dict(
        halves=halves,
        ancestral=v_energy(ancestral, held_out[n:]),
        ddim=v_energy(ddim, held_out[n:]),
        dpm=v_energy(dpm, held_out[n:]),
        passes_ancestral=passes_ancestral,
        passes_ddim=passes_ddim,
        passes_dpm=passes_dpm,
    )


@pytest.mark.parametrize("data", ["moons", "ring"])
def test_samples_match_2d_distributions(data):
    if data == "moons":
        X, _ = make_moons(3000, noise=0.05, random_state=0)
        held_out, _ = make_moons(2000, noise=0.05, random_state=1)
    else:
        X = make_ring_of_gaussians(3000, random_state=0)[0]
        held_out = make_ring_of_gaussians(2000, random_state=1)[0]
    # About 10,000 steps (a third of the MLP's max_iter="auto", for the
    # suite's time). The ring's modes are sharp (std 0.05 at radius 2): they
    # need the less noisy gradients of larger batches. On the CPU: its
    # margins were measured on the CPU's random streams.
    batch_size = 32 if data == "moons" else 128
    epochs = -(-10_000 // -(-len(X) // batch_size))
    ddpm = DDPM(random_state=0, batch_size=batch_size, max_iter=epochs, device="cpu").fit(X)
    q = quality_check(ddpm, X, held_out)
    assert q["ancestral"] <= 2 * q["halves"], q
    # DDIM with 50 steps: within 20% of ancestral sampling, with 1/20 of the network passes
    assert q["ddim"] <= 1.2 * max(q["ancestral"], q["halves"]), q
    assert q["passes_ddim"] == 50 and q["passes_ancestral"] == ddpm.n_timesteps, q
    assert q["passes_dpm"] == 20, q
    if data == "moons":
        # DPM-Solver++(2M): as close as all 1000 ancestral steps in 20 passes.
        # Not on the ring, whose modes (std 0.05 at radius 2) are nearly
        # points: extrapolating the clean-sample predictions overshoots
        # there (1.44x the halves' distance against DDIM-50's 1.19x,
        # measured), as the DDPM guide says.
        assert q["dpm"] <= 1.2 * max(q["ancestral"], q["halves"]), q
    if data == "moons":
        gmm = GaussianMixture(2, random_state=0).fit(X)
        gmm_energy = v_energy(gmm.sample(1000)[0], held_out[1000:])
        assert q["ancestral"] <= gmm_energy / 2, (q, gmm_energy)


@pytest.fixture(scope="module")
def digit_classifier(digits):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000).fit(digits["X_train"], digits["y_train"])


def test_digits_samples_spread_over_the_classes(digits, digit_classifier):
    ddpm = DDPM(random_state=0, max_iter=25).fit(digits["X_train"])
    samples = ddpm.sample(500, random_state=0, sampler="ddim")
    counts = np.bincount(digit_classifier.predict(samples), minlength=10)
    assert (counts >= 10).sum() >= 8, counts


def test_guided_digits_have_the_requested_class(digits, digit_classifier):
    ddpm = DDPM(conditional=True, random_state=0, max_iter=25).fit(
        digits["X_train"], digits["y_train"]
    )
    hits = {}
    for scale in (0.0, 3.0):
        hits[scale] = np.mean(
            [
                np.mean(
                    digit_classifier.predict(
                        ddpm.sample(50, y=c, random_state=c, sampler="ddim", guidance_scale=scale)
                    )
                    == c
                )
                for c in range(10)
            ]
        )
    assert hits[3.0] >= 0.8, hits
    assert hits[0.0] < 0.3, hits  # guidance 0 ignores the label
    with pytest.raises(ValueError, match=r"pass the class labels, sample\(\.\.\., y=\.\.\.\)"):
        ddpm.sample(3)


def test_trajectory_records_the_reverse_process():
    X = np.random.default_rng(0).normal(5.0, 2.0, size=(80, 2))
    ddpm = small_ddpm(max_iter=1).fit(X)
    out, path, steps = ddpm.sample(
        6, random_state=0, n_inference_steps=4, sampler="ddim", return_trajectory=True
    )
    assert path.shape == (5, 6, 2) and steps == [19, 14, 9, 4, -1]
    np.testing.assert_array_equal(path[-1], out)
    np.testing.assert_array_equal(
        out, ddpm.sample(6, random_state=0, n_inference_steps=4, sampler="ddim")
    )
    # the start is standard noise mapped to the data's scale
    start = ddpm.spec_.scaler.transform(path[0])
    assert np.abs(start).max() < 5 and not np.allclose(path[0], out)


def test_add_noise_runs_the_forward_process_in_the_data_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, [2.0, 0.5], size=(4000, 2))
    ddpm = small_ddpm(n_timesteps=50, max_iter=1).fit(X)
    ab = ddpm.schedule_.alpha_bars.cpu().numpy()
    for t in (0, 25, 49):
        noisy = ddpm.add_noise(X, t, random_state=1)
        # in standardised units: mean sqrt(ab) * x0, variance 1 - ab
        z, z0 = ddpm.spec_.scaler.transform(noisy), ddpm.spec_.scaler.transform(X)
        resid = z - np.sqrt(ab[t]) * z0
        np.testing.assert_allclose(resid.mean(0), 0, atol=4 * np.sqrt((1 - ab[t]) / 4000) + 1e-6)
        np.testing.assert_allclose(resid.var(0), 1 - ab[t], rtol=0.1, atol=1e-6)
    np.testing.assert_array_equal(
        ddpm.add_noise(X[:3], [0, 10, 49], random_state=2),
        ddpm.add_noise(X[:3], [0, 10, 49], random_state=2),
    )
    images = rng.uniform(size=(30, 4, 4))
    unet = small_ddpm(architecture="unet", channels=(4,), max_iter=1).fit(images)
    assert unet.add_noise(images[:2], 5, random_state=0).shape == (2, 4, 4)
    for bad in (50, -1, [1, 2], 1.5):
        with pytest.raises(
            ValueError,
            match=r"timesteps must be an int or one int per "
            r"sample \(3\) in \[0, 49\]",
        ):
            ddpm.add_noise(X[:3], bad)


def test_unet_digits_samples_spread_over_the_classes(digits, digit_classifier):
    ddpm = DDPM(architecture="unet", random_state=0, max_iter=20).fit(digits["images_train"])
    samples = ddpm.sample(500, random_state=0, sampler="ddim")
    assert samples.shape == (500, 8, 8)
    counts = np.bincount(digit_classifier.predict(samples.reshape(500, -1)), minlength=10)
    assert (counts >= 10).sum() >= 8, counts


def test_max_iter_auto_trains_for_a_number_of_steps(monkeypatch):
    monkeypatch.setattr(DDPM, "_auto_training_steps", 30)
    X = np.random.default_rng(0).normal(size=(100, 2))
    ddpm = small_ddpm(max_iter="auto", batch_size=32).fit(X)  # 4 batches an epoch
    assert ddpm.n_iter_ == 8  # ceil(30 / 4)
    assert small_ddpm(max_iter="auto", batch_size=200).fit(X).n_iter_ == 30
    assert DDPM().max_iter == "auto"
    with pytest.raises(ValueError, match="'max_iter' parameter of DDPM"):
        small_ddpm(max_iter="longer").fit(X)


def run_sampler(sampler, schedule, x, network, n_steps):
    timesteps = sampler.timesteps(schedule, n_steps)
    for i, t in enumerate(timesteps):
        prev_t = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        x = sampler.step(schedule, network(x, t), t, prev_t, x, None)
    return x


def test_dpm_solver_is_second_order_on_a_gaussian():
    # For data N(0, s^2) the ideal denoiser is known in closed form and the
    # probability-flow ODE maps x_T to x_T * s / sqrt(ab_T s^2 + 1 - ab_T):
    # a first-order solver (DDIM) converges as 1/steps, DPM-Solver++(2M) as
    # 1/steps^2, so 20 of its steps beat DDIM's 50 several times over.
    from skgen.diffusion import NoiseSchedule
    from skgen.diffusion._samplers import SAMPLERS

    s2 = 0.25
    schedule = NoiseSchedule(1000, "cosine", prediction="epsilon")

    def ideal(x, t):
        ab = schedule.alpha_bars[t].double()
        x0 = ab.sqrt() * s2 / (ab * s2 + 1 - ab) * x
        return (x - ab.sqrt() * x0) / (1 - ab).sqrt()

    x_T = torch.randn(500, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    ab_T = schedule.alpha_bars[-1].double()
    exact = x_T * s2**0.5 / (ab_T * s2 + 1 - ab_T).sqrt()

    def error(name, n_steps):
        return float(
            (run_sampler(SAMPLERS[name](), schedule, x_T, ideal, n_steps) - exact).abs().max()
        )

    assert error("dpm++", 20) < error("ddim", 50) / 5
    assert error("dpm++", 20) < error("dpm++", 10) / 4 < error("ddim", 10) / 4
    # One step is DDIM's first-order step: the two agree exactly.
    torch.testing.assert_close(
        run_sampler(SAMPLERS["dpm++"](), schedule, x_T, ideal, 1),
        run_sampler(SAMPLERS["ddim"](), schedule, x_T, ideal, 1),
    )


def test_dpm_solver_starts_afresh_on_every_run():
    # DDPM.sample reuses one sampler over its batches of rows: the solver's
    # memory of the previous step must not leak from one batch to the next.
    from skgen.diffusion import NoiseSchedule
    from skgen.diffusion._samplers import SAMPLERS

    schedule = NoiseSchedule(100, "cosine", prediction="v")
    x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))

    def network(x, t):
        return torch.tanh(x) * (t + 1) / 100

    sampler = SAMPLERS["dpm++"]()
    first = run_sampler(sampler, schedule, x, network, 6)
    torch.testing.assert_close(run_sampler(sampler, schedule, x, network, 6), first)
    torch.testing.assert_close(run_sampler(SAMPLERS["dpm++"](), schedule, x, network, 6), first)
    assert not torch.allclose(first, run_sampler(SAMPLERS["ddim"](), schedule, x, network, 6))


def test_karras_timesteps_skip_pure_noise_and_end_at_the_clean_sample():
    from skgen.diffusion import NoiseSchedule

    schedule = NoiseSchedule(1000, "cosine", prediction="v")
    ab = schedule.alpha_bars.double()
    sigma = ((1 - ab) / ab).sqrt()
    for n in (2, 10, 20, 50):
        steps = schedule.karras_timesteps(n)
        assert steps[0] == 999 and steps[-1] == 0 and len(steps) == n
        assert all(a > b for a, b in zip(steps, steps[1:]))
        # After the start from pure noise (sigma ~ 2e4 here), no step above
        # sigma_max: the next timestep is the one nearest to sigma 80.
        assert n == 2 or 60 < sigma[steps[1]] <= 100
    # Denser where the noise is low: the gaps in sigma shrink.
    gaps = -np.diff(sigma[schedule.karras_timesteps(20)[1:]].numpy())
    assert (np.diff(gaps) < 0).all()
    assert schedule.karras_timesteps(1) == [999]
    assert schedule.karras_timesteps(None) == list(range(999, -1, -1))
    # A short schedule: levels that round to the same step are visited once.
    short = NoiseSchedule(20, "cosine", prediction="v").karras_timesteps(15)
    assert len(short) <= 15 and len(set(short)) == len(short) and short[-1] == 0


def test_dpm_solver_sde_draws_the_distribution_from_fresh_noise():
    # With the ideal denoiser of N(0, s^2) data, the reverse SDE's samples
    # are N(0, s^2) for any starting noise; the solver keeps that with 50
    # steps (an SDE solver needs more steps than the ODE's for the same
    # accuracy on an exact network). Its noise comes from the generator:
    # same seed, same samples.
    from skgen.diffusion import NoiseSchedule
    from skgen.diffusion._samplers import SAMPLERS

    s2 = 0.25
    schedule = NoiseSchedule(1000, "cosine", prediction="v")

    def ideal(x, t):  # the velocity of the ideal denoiser
        ab = schedule.alpha_bars[t].double()
        x0 = ab.sqrt() * s2 / (ab * s2 + 1 - ab) * x
        eps = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
        return ab.sqrt() * eps - (1 - ab).sqrt() * x0

    def run(seed, start):
        sampler, gen = SAMPLERS["dpm++sde"](), torch.Generator().manual_seed(seed)
        timesteps = sampler.timesteps(schedule, 50)
        x = start
        for i, t in enumerate(timesteps):
            prev_t = timesteps[i + 1] if i + 1 < len(timesteps) else -1
            x = sampler.step(schedule, ideal(x, t), t, prev_t, x, gen)
        return x

    start = torch.randn(20_000, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x = run(1, start)
    assert abs(float(x.var()) - s2) < 0.02 and abs(float(x.mean())) < 0.02
    torch.testing.assert_close(run(1, start), x)
    # Fresh noise at every step: another seed, other samples from the same start.
    assert float((run(2, start) - x).abs().mean()) > 0.05
    # The ODE from a shrunken start stays shrunken; the SDE forgets its start.
    ode = run_sampler(SAMPLERS["dpm++"](), schedule, 0.5 * start, ideal, 50)
    assert float(ode.var()) < 0.5 * s2 < s2 - 0.02 < float(run(1, 0.5 * start).var())


def test_a_new_sampler_is_one_class():
    from skgen.diffusion._samplers import SAMPLERS, Sampler

    class HalfwaySampler(Sampler):
        """DDIM with half of DDPM's noise added back at every step."""

        name = "halfway"
        default_steps = 7

        def step(self, schedule, output, t, prev_t, x, generator):
            return schedule.step(output, t, x, prev_t=prev_t, eta=0.5, generator=generator)

    try:
        X = np.random.default_rng(0).normal(size=(64, 2))
        ddpm = small_ddpm(sampler="halfway").fit(X)
        a = ddpm.sample(5, random_state=0)
        assert a.shape == (5, 2) and np.isfinite(a).all()
        np.testing.assert_array_equal(a, ddpm.sample(5, random_state=0))
        assert not np.array_equal(a, ddpm.sample(5, random_state=0, sampler="ddim"))
        _, path, timesteps = ddpm.sample(5, random_state=0, return_trajectory=True)
        assert len(timesteps) == 8 and len(path) == 8  # its 7 default steps
    finally:
        del SAMPLERS["halfway"]
    with pytest.raises(ValueError, match="'sampler' parameter of DDPM"):
        small_ddpm(sampler="halfway").fit(X)
