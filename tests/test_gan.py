"""GAN: the adversarial loop, its remedies, sampling and the ring benchmark."""

import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skgen import GAN
from skgen.datasets import make_ring_of_gaussians
from skgen.gan._networks import Dropout, MinibatchStd, SpectralNormConv2d, SpectralNormLinear
from skgen.gan._objectives import AdversarialObjective
from skgen.metrics import mode_coverage


def small_gan(**params):
    defaults = dict(
        n_components=4,
        generator_hidden_layer_sizes=(16,),
        discriminator_hidden_layer_sizes=(16,),
        max_iter=2,
        batch_size=64,
        random_state=0,
    )
    defaults.update(params)
    return GAN(**defaults)


def small_dcgan(**params):
    defaults = dict(
        n_components=4,
        architecture="conv",
        channels=(4, 8),
        max_iter=2,
        batch_size=16,
        random_state=0,
    )
    defaults.update(params)
    return GAN(**defaults)


def ring(n, seed):
    return make_ring_of_gaussians(n, random_state=seed)[0]


def test_ring_of_gaussians_modes_are_covered():
    gan = GAN(
        n_components=8, max_iter=200, batch_size=64, learning_rate_init=1e-3, random_state=0
    ).fit(ring(2000, 0))
    centers = make_ring_of_gaussians(1, random_state=0)[2]
    modes, share_near = mode_coverage(gan.sample(2000, random_state=1), centers, radius=0.15)
    assert modes >= 7 and share_near >= 0.6, (modes, share_near)
    assert len(gan.generator_loss_curve_) == len(gan.discriminator_loss_curve_) == 200
    # score: negative MMD to held-out data, far better than an untrained GAN's.
    untrained = GAN(n_components=8, max_iter=1, random_state=0).fit(ring(2000, 0))
    held_out = ring(1000, 5)
    assert gan.score(held_out) > untrained.score(held_out) + 0.1


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(loss="hinge", spectral_norm=True),
        dict(loss="wasserstein-gp", n_critic=2),
        dict(minibatch_std=False, ema_decay=None),
    ],
)
def test_generator_suite(params):
    X = ring(300, 0)
    gan = small_gan(**params).fit(X)
    a = gan.sample(50, random_state=3)
    assert a.shape == (50, 2) and a.dtype == np.float64
    np.testing.assert_array_equal(a, gan.sample(50, random_state=3))
    assert not np.allclose(a, gan.sample(50, random_state=4))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(gan)).sample(50, random_state=3), a)
    np.testing.assert_array_equal(small_gan(**params).fit(X).sample(50, random_state=3), a)
    assert not hasattr(clone(gan), "net_")
    assert np.isfinite(gan.loss_curve_).all() and np.isfinite(gan.discriminator_loss_curve_).all()


def test_samples_keep_the_data_scale_dtype_and_image_shape():
    rng = np.random.default_rng(0)
    images = (rng.random((100, 4, 3)) * 50 + 100).astype(np.float32)
    gan = small_gan().fit(images)
    samples = gan.sample(7, random_state=0)
    assert samples.shape == (7, 4, 3) and samples.dtype == np.float32
    assert 60 < samples.mean() < 190  # mapped back from the standardised space


def test_ema_generator_is_used_for_sampling():
    gan = small_gan(ema_decay=0.9, max_iter=3, device="cpu").fit(ring(300, 0))
    module = gan.module_
    z = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        raw, ema = module.generate(z), module.generate(z, ema=True)
    assert not torch.allclose(raw, ema)
    assert all(not p.requires_grad for p in module.generator_ema.parameters())
    plain = small_gan(ema_decay=None, max_iter=3).fit(ring(300, 0))
    assert plain.module_.generator_ema is None


def test_one_sided_label_smoothing_changes_the_real_target():
    module = small_gan(device="cpu").fit(ring(100, 0)).module_
    x = torch.randn(8, 2, generator=torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        plain = AdversarialObjective(loss="bce").discriminator_loss(module, x, None, gen)
        gen = torch.Generator().manual_seed(0)
        smooth = AdversarialObjective(loss="bce", label_smoothing=0.1).discriminator_loss(
            module, x, None, gen
        )
        real = module.discriminate(x)
        fake_part = plain - torch.nn.functional.binary_cross_entropy_with_logits(
            real, torch.ones_like(real)
        )
        expected = fake_part + torch.nn.functional.binary_cross_entropy_with_logits(
            real, torch.full_like(real, 0.9)
        )
    torch.testing.assert_close(smooth, expected)


def test_spectral_norm_bounds_the_largest_singular_value():
    from skgen._engine._modules import init_parameters_

    layer = init_parameters_(SpectralNormLinear(20, 10), torch.Generator().manual_seed(0))
    for _ in range(200):  # power iterations converge in training mode
        layer(torch.zeros(4, 20))
    w = layer.weight.detach()
    u = layer.u
    v = torch.nn.functional.normalize(w.t() @ u, dim=0)
    normalised = w / (u @ w @ v)
    assert torch.linalg.matrix_norm(normalised, ord=2).item() == pytest.approx(1.0, rel=1e-3)


def test_minibatch_std_adds_the_batch_spread_as_a_feature():
    x = torch.tensor([[0.0, 2.0], [2.0, 4.0]])
    out = MinibatchStd()(x)
    assert out.shape == (2, 3)
    assert out[:, 2].tolist() == [1.0, 1.0]


def test_wasserstein_gp_penalises_critic_gradients():
    gan = small_gan(loss="wasserstein-gp", device="cpu").fit(ring(200, 0))
    module = gan.module_
    with torch.no_grad():
        for p in module.discriminator.parameters():
            p.mul_(50.0)  # a steep critic: gradient norms far from 1
    x = torch.tensor(ring(64, 1), dtype=torch.float32)
    gen = torch.Generator().manual_seed(0)
    loss = AdversarialObjective(loss="wasserstein-gp").discriminator_loss(module, x, None, gen)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        fake = module.generate(torch.randn((64, 4), generator=gen))
    without_penalty = module.discriminate(fake).mean() - module.discriminate(x).mean()
    assert loss.item() > without_penalty.item() + 100


def test_conditional_gan_samples_requested_classes():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    X = np.c_[np.where(y == 0, -3.0, 3.0), np.zeros(600)] + rng.normal(scale=0.3, size=(600, 2))
    gan = GAN(
        n_components=4,
        conditional=True,
        max_iter=60,
        batch_size=64,
        learning_rate_init=1e-3,
        random_state=0,
    ).fit(X, y)
    left, right = gan.sample(200, y=0, random_state=0), gan.sample(200, y=1, random_state=0)
    assert (left[:, 0] < 0).mean() > 0.9 and (right[:, 0] > 0).mean() > 0.9
    with pytest.raises(ValueError, match=r"pass the class labels, sample\(\.\.\., y=\.\.\.\)"):
        gan.sample(3)
    with pytest.raises(ValueError, match=r"labels \[5\] not seen during fit"):
        gan.sample(3, y=5)
    with pytest.raises(ValueError, match="y was passed to sample, but this GAN is not conditional"):
        small_gan().fit(X).sample(3, y=0)
    with pytest.raises(ValueError, match=r"needs class labels: call fit\(X, y\)"):
        GAN(conditional=True, max_iter=1).fit(X)


def test_gan_errors():
    X = ring(100, 0)
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        small_gan(early_stopping=True).fit(X)
    with pytest.raises(ValueError, match="learning_rate_init must be a positive float or a pair"):
        small_gan(learning_rate_init=(1e-3,)).fit(X)
    with pytest.raises(ValueError, match="'generator_hidden_layer_sizes' parameter of GAN"):
        small_gan(generator_hidden_layer_sizes=(0,)).fit(X)


def test_learning_rate_pair_sets_both_optimizers():
    gan = small_gan(learning_rate_init=(1e-3, 4e-3)).fit(ring(100, 0))
    assert gan.net_.optimizer_.param_groups[0]["lr"] == 1e-3
    assert gan.net_.optimizer_discriminator_.param_groups[0]["lr"] == 4e-3


@pytest.fixture(scope="module")
def digit_classifier(digits):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000).fit(digits["X_train"], digits["y_train"])


def test_digits_samples_spread_over_the_classes(digits, digit_classifier):
    # The defaults but 100 epochs (2,100 steps) instead of "auto"'s 10,000:
    # the samples already fill all 10 classes, 37 to 58 of 500 each.
    gan = GAN(random_state=0, max_iter=100).fit(digits["X_train"])
    counts = np.bincount(digit_classifier.predict(gan.sample(500, random_state=0)), minlength=10)
    assert (counts >= 10).sum() >= 8, counts


def test_conditional_digits_have_the_requested_class(digits, digit_classifier):
    # 100 epochs, not "auto"'s 10,000 steps: 98% of the samples already
    # have the requested class.
    gan = GAN(conditional=True, random_state=0, max_iter=100).fit(
        digits["X_train"], digits["y_train"]
    )
    hits = [
        np.mean(digit_classifier.predict(gan.sample(50, y=c, random_state=c)) == c)
        for c in range(10)
    ]
    assert np.mean(hits) >= 0.7, hits


# -- DCGAN (architecture="conv") ------------------------------------------
@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (7, 5, 3), (1, 12)])
def test_dcgan_takes_the_image_shape_from_the_data(shape):
    rng = np.random.default_rng(0)
    X = rng.random((40, *shape)).astype(np.float32) * 4 + 1
    gan = small_dcgan(max_iter=1).fit(X)
    samples = gan.sample(6, random_state=0)
    assert samples.shape == (6, *shape) and samples.dtype == np.float32
    # tanh output mapped back to the data's range
    assert samples.min() >= X.min() - 1e-5 and samples.max() <= X.max() + 1e-5
    image = (shape + (1,))[:3]
    assert gan.module_.discriminator.image_shape == image


def test_dcgan_on_flat_rows_uses_image_shape():
    X = np.random.default_rng(0).random((30, 36))
    gan = small_dcgan(image_shape=(6, 6), max_iter=1).fit(X)
    assert gan.sample(2).shape == (2, 36)
    assert gan.module_.generator.image_shape == (6, 6, 1)
    with pytest.raises(ValueError, match=r"image_shape=\(5, 5\) does not match"):
        small_dcgan(image_shape=(5, 5)).fit(X.reshape(30, 6, 6))
    with pytest.raises(ValueError, match="'channels' parameter of GAN"):
        small_dcgan(channels=()).fit(X)


def test_dcgan_players_follow_the_book():
    gan = small_dcgan(conditional=True, minibatch_std=True, r1_penalty=0, max_iter=1).fit(
        np.random.default_rng(0).random((40, 8, 8)), np.arange(40) % 3
    )
    gen, disc = gan.module_.generator, gan.module_.discriminator
    kinds = [type(m).__name__ for m in gen.convs]
    assert kinds.count("BatchNorm2d") == 3 and kinds[-1] == "Tanh"
    assert [m.stride for m in gen.convs if isinstance(m, torch.nn.ConvTranspose2d)] == [
        (2, 2),
        (2, 2),
    ]
    convs = [m for m in disc.net if isinstance(m, torch.nn.Conv2d)]
    assert [c.stride for c in convs] == [(2, 2), (2, 2)]
    assert convs[0].in_channels == 1 + 3  # image + one-hot label maps
    assert [m.p for m in disc.net if isinstance(m, Dropout)] == [0.4, 0.4]
    assert any(isinstance(m, MinibatchStd) for m in disc.net)
    # With the default R1 penalty, dropout="auto" leaves dropout out.
    penalised = small_dcgan(max_iter=1).fit(np.random.default_rng(0).random((40, 8, 8)))
    assert not any(isinstance(m, Dropout) for m in penalised.module_.discriminator.net)
    dense = small_gan(max_iter=1).fit(ring(50, 0))
    assert not any(isinstance(m, Dropout) for m in dense.module_.discriminator.net)
    spectral = small_dcgan(spectral_norm=True, dropout=0.0, max_iter=1).fit(
        np.random.default_rng(0).random((40, 8, 8))
    )
    layers = list(spectral.module_.discriminator.net)
    assert sum(isinstance(m, SpectralNormConv2d) for m in layers) == 2
    assert not any(isinstance(m, Dropout) for m in layers)


def test_dcgan_fit_is_reproducible_and_leaves_global_rngs_alone():
    X = np.random.default_rng(0).random((60, 8, 8))
    state = torch.random.get_rng_state()
    # Bit for bit on the CPU; cuDNN's convolutions may sum in another order
    # from run to run (tests/test_gpu.py checks what holds on a GPU).
    a = small_dcgan(max_iter=3, device="cpu").fit(X).sample(5, random_state=0)
    assert torch.equal(state, torch.random.get_rng_state())
    torch.rand(3)
    np.testing.assert_array_equal(
        small_dcgan(max_iter=3, device="cpu").fit(X).sample(5, random_state=0), a
    )
    assert not np.allclose(
        small_dcgan(max_iter=3, random_state=1, device="cpu").fit(X).sample(5, random_state=0), a
    )


def test_dropout_draws_its_mask_from_the_given_generator():
    drop = Dropout(0.4).train()
    x = torch.ones(20000)
    a = drop(x, torch.Generator().manual_seed(0))
    assert torch.equal(a, drop(x, torch.Generator().manual_seed(0)))
    assert (a == 0).float().mean().item() == pytest.approx(0.4, abs=0.02)
    assert a.mean().item() == pytest.approx(1.0, abs=0.03)  # rescaled
    assert torch.equal(drop.eval()(x), x)


def test_spectral_norm_conv_bounds_the_reshaped_weight():
    from skgen._engine._modules import init_parameters_

    layer = init_parameters_(
        SpectralNormConv2d(3, 6, 3, padding=1), torch.Generator().manual_seed(0)
    )
    for _ in range(200):
        layer(torch.zeros(1, 3, 4, 4))
    layer.eval()
    w = layer.normalized_weight().detach().reshape(6, -1)
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, rel=1e-3)


# -- the held-out quality monitor ------------------------------------------
def test_quality_is_monitored_on_a_held_out_slice():
    X = ring(500, 0)
    gan = small_gan(max_iter=6, validation_interval=2, batch_size=50).fit(X)
    assert gan.validation_epochs_ == [2, 4, 6]
    assert len(gan.validation_scores_) == 3 and np.all(np.asarray(gan.validation_scores_) < 1)
    assert gan.best_validation_score_ == max(gan.validation_scores_)
    # 10% of the rows held out: 450 train, so 9 batches of 50 per epoch
    assert gan.net_.history[-1, "train_batch_count"] == 9
    off = small_gan(max_iter=6, validation_interval=None, batch_size=50).fit(X)
    assert off.validation_scores_ is None and off.validation_epochs_ is None
    assert off.net_.history[-1, "train_batch_count"] == 10
    # partial_fit never holds rows out
    part = small_gan(validation_interval=1).partial_fit(X)
    assert part.validation_epochs_ == []
    with pytest.raises(ValueError, match="validation_interval=10 holds out 2 rows .* n_samples=2"):
        small_gan().fit(X[:2])


def test_monitored_quality_improves_with_training():
    # On the CPU: one seed's trajectory, measured on the CPU's random streams.
    # The first figure at epoch 5, before the MMD has converged: at epochs
    # 20, 40 and 60 it has (about 3e-4 to 3e-3), and their order is noise
    # that differs between CPUs and thread counts.
    gan = GAN(
        n_components=8,
        max_iter=60,
        batch_size=64,
        validation_interval=5,
        random_state=0,
        device="cpu",
    ).fit(ring(2000, 0))
    first, *_, last = gan.validation_scores_
    assert last > first, gan.validation_scores_


def test_adam_uses_beta1_one_half_unless_set():
    X = np.random.default_rng(0).normal(size=(64, 2))
    common = dict(
        n_components=2,
        generator_hidden_layer_sizes=(8,),
        discriminator_hidden_layer_sizes=(8,),
        max_iter=1,
        validation_interval=None,
        random_state=0,
    )
    gan = GAN(**common).fit(X)
    for opt in (gan.net_.optimizer_, gan.net_.optimizer_discriminator_):
        assert opt.param_groups[0]["betas"] == (0.5, 0.999)
    own = GAN(optimizer_params={"betas": (0.0, 0.9)}, **common).fit(X)
    assert own.net_.optimizer_discriminator_.param_groups[0]["betas"] == (0.0, 0.9)
    assert "betas" not in GAN(optimizer="sgd", **common).fit(X).net_.optimizer_.defaults


def test_warm_start_refuses_to_switch_ema_on_or_off():
    X = np.random.default_rng(0).normal(size=(64, 2))
    gan = GAN(
        n_components=2,
        generator_hidden_layer_sizes=(8,),
        discriminator_hidden_layer_sizes=(8,),
        max_iter=1,
        validation_interval=None,
        warm_start=True,
        ema_decay=None,
        random_state=0,
    ).fit(X)
    with pytest.raises(ValueError, match="after changing ema_decay from None to .a float."):
        gan.set_params(ema_decay=0.9).fit(X)
    # The failed call left the fitted model, and its random stream, as they were.
    assert gan.module_.generator_ema is None and gan.n_iter_ == 1
    state = gan._rng.get_state()[1].copy()
    with pytest.raises(ValueError, match="after changing ema_decay"):
        gan.fit(X)
    np.testing.assert_array_equal(gan._rng.get_state()[1], state)


def test_r1_penalty_adds_the_squared_gradient_norm_on_real_data():
    module = small_gan(device="cpu").fit(ring(100, 0)).module_
    x = torch.randn(8, 2, generator=torch.Generator().manual_seed(1))
    losses = [
        AdversarialObjective(loss="bce", r1_penalty=gamma).discriminator_loss(
            module, x, None, torch.Generator().manual_seed(0)
        )
        for gamma in (0.0, 4.0)
    ]
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(module.discriminate(xr).sum(), xr)
    expected = losses[0] + 4.0 / 2 * grad.pow(2).sum(1).mean()
    torch.testing.assert_close(losses[1], expected)
    # The penalty is differentiable in the discriminator's weights (double backward).
    losses[1].backward()
    assert all(torch.isfinite(p.grad).all() for p in module.discriminator.parameters())


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(), 10.0),
        (dict(architecture="conv", image_shape=(4, 4)), 1.0),
        (dict(loss="hinge"), 10.0),
        (dict(loss="wasserstein-gp"), 0.0),
        (dict(r1_penalty=0.5, loss="wasserstein-gp"), 0.5),
        (dict(r1_penalty=0), 0.0),
    ],
)
def test_r1_penalty_auto_follows_the_architecture_and_loss(params, expected):
    X = np.random.default_rng(0).random((40, 16))
    gan = small_gan(max_iter=1, **params).fit(X)
    assert gan.net_.criterion_.r1_penalty == expected


def test_warm_start_applies_changed_loss_settings():
    X = ring(100, 0)
    gan = small_gan(warm_start=True, r1_penalty=0).fit(X)
    gan.set_params(r1_penalty=2.0, label_smoothing=0.1, loss="hinge").fit(X)
    objective = gan.net_.criterion_
    assert (objective.r1_penalty, objective.label_smoothing, objective.loss) == (2.0, 0.1, "hinge")


def test_minibatch_std_has_finite_second_derivatives_on_constant_features():
    # Blank image borders give features that are constant over the batch;
    # the R1 penalty differentiates through the batch std twice.
    x = torch.cat(
        [torch.randn(6, 3, generator=torch.Generator().manual_seed(0)), torch.zeros(6, 2)], dim=1
    ).requires_grad_(True)
    (grad,) = torch.autograd.grad(MinibatchStd()(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(grad.pow(2).sum(), x)
    assert torch.isfinite(grad).all() and torch.isfinite(second).all()


def test_max_iter_auto_trains_for_a_number_of_generator_steps(monkeypatch):
    import skgen.gan._adversarial as adversarial

    assert GAN().max_iter == "auto"
    monkeypatch.setattr(GAN, "_auto_training_steps", 12)
    # 300 rows, 30 held out by the monitor: 270 rows, 5 batches of 64 an epoch.
    gan = small_gan(max_iter="auto").fit(ring(300, 0))
    assert len(gan.generator_loss_curve_) == 3  # ceil(12 / 5)
    assert gan.n_iter_ == 3
    # The class defaults: about AUTO_TRAINING_STEPS per architecture, whatever
    # the data size.
    monkeypatch.undo()
    for architecture, steps, n_features in [
        ("dense", 20_000, 64),
        ("conv", 10_000, 8 * 8),  # small images train for longer
        ("conv", 10_000, 16 * 16),
        ("conv", 5_000, 28 * 28),
        ("tabular", 10_000, 12),
    ]:
        gan = GAN(architecture=architecture)
        # as a fit resolves it
        gan.spec_ = SimpleNamespace(architecture=architecture, n_features=n_features)
        batch_size = adversarial.AUTO_BATCH_SIZE[architecture]
        for n_rows in (808, 3600, 54_000):
            n_batches = -(-n_rows // batch_size)
            epochs = gan._n_epochs(n_rows, batch_size)
            if architecture == "tabular":  # a small table: a bounded number of epochs
                cap = GAN._auto_max_epochs["tabular"]
                assert epochs == min(cap, -(-steps // n_batches))
                continue
            assert steps <= epochs * n_batches < steps + n_batches


@pytest.mark.parametrize(
    "architecture, n_rows, expected", [("dense", 300, 64), ("conv", 300, 32), ("dense", 40, 40)]
)
def test_batch_size_auto_follows_the_architecture(architecture, n_rows, expected):
    assert GAN().batch_size == "auto"
    X = np.random.default_rng(0).random((n_rows, 4, 4))
    make = small_dcgan if architecture == "conv" else small_gan
    gan = make(batch_size="auto", max_iter=1, validation_interval=None).fit(
        X if architecture == "conv" else X.reshape(n_rows, -1)
    )
    assert gan.net_.batch_size == expected


@pytest.mark.parametrize("make", [small_gan, small_dcgan])
def test_samples_stay_in_each_features_training_range(make):
    rng = np.random.default_rng(0)
    X = rng.random((64, 4, 4))
    X[:, 0, 0] = 0.0  # a blank pixel, like the border of a digit: only a clip
    # makes an unconverged generator's output exactly 0 there
    X[:, 1] *= 0.5  # a row of pixels in [0, 0.5]
    gan = make(max_iter=1, learning_rate_init=0.1).fit(
        X if make is small_dcgan else X.reshape(64, -1)
    )
    samples = gan.sample(500, random_state=0).reshape(500, 4, 4)
    assert (samples[:, 0, 0] == 0).all()
    assert (samples >= X.min(0)).all() and (samples <= X.max(0)).all()


def test_partial_fit_widens_the_sampling_range():
    X = np.random.default_rng(0).random((64, 3))
    gan = small_gan(validation_interval=None).fit(X)
    assert gan.sample(300, random_state=0).max() <= 1.0
    gan.partial_fit(X + 5.0)
    np.testing.assert_array_equal(gan.spec_.scaler.high, (X + 5.0).max(0))
    np.testing.assert_array_equal(gan.spec_.scaler.low, X.min(0))
