"""GAN: the adversarial loop, its remedies, sampling and the ring benchmark."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from skgen import GAN
from skgen.datasets import make_ring_of_gaussians
from skgen.metrics import mode_coverage
from skgen.gan._networks import MinibatchStd, SpectralNormLinear
from skgen.gan._objectives import AdversarialObjective


def small_gan(**params):
    defaults = dict(n_components=4, generator_hidden_layer_sizes=(16,),
                    discriminator_hidden_layer_sizes=(16,), max_iter=2, batch_size=64,
                    random_state=0)
    defaults.update(params)
    return GAN(**defaults)


@parametrize_with_checks([small_gan()])
def test_sklearn_compatible_gan(estimator, check):
    check(estimator)


def ring(n, seed):
    return make_ring_of_gaussians(n, random_state=seed)[0]


def test_ring_of_gaussians_modes_are_covered():
    gan = GAN(n_components=8, max_iter=200, batch_size=64, learning_rate_init=1e-3,
              random_state=0).fit(ring(2000, 0))
    centers = make_ring_of_gaussians(1, random_state=0)[2]
    modes, share_near = mode_coverage(gan.sample(2000, random_state=1), centers, radius=0.15)
    assert modes >= 7 and share_near >= 0.6, (modes, share_near)
    assert len(gan.generator_loss_curve_) == len(gan.discriminator_loss_curve_) == 200
    # score: negative MMD to held-out data, far better than an untrained GAN's.
    untrained = GAN(n_components=8, max_iter=1, random_state=0).fit(ring(2000, 0))
    held_out = ring(1000, 5)
    assert gan.score(held_out) > untrained.score(held_out) + 0.1


@pytest.mark.parametrize("params", [dict(), dict(loss="hinge", spectral_norm=True),
                                    dict(loss="wasserstein-gp", n_critic=2),
                                    dict(minibatch_std=True, ema_decay=0.9)])
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
    gan = small_gan(ema_decay=0.9, max_iter=3).fit(ring(300, 0))
    module = gan.module_
    z = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        raw, ema = module.generate(z), module.generate(z, ema=True)
    assert not torch.allclose(raw, ema)
    assert all(not p.requires_grad for p in module.generator_ema.parameters())
    plain = small_gan(max_iter=3).fit(ring(300, 0))
    assert plain.module_.generator_ema is None


def test_one_sided_label_smoothing_changes_the_real_target():
    module = small_gan().fit(ring(100, 0)).module_
    x = torch.randn(8, 2, generator=torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        plain = AdversarialObjective(loss="bce").discriminator_loss(module, x, None, gen)
        gen = torch.Generator().manual_seed(0)
        smooth = AdversarialObjective(loss="bce", label_smoothing=0.1).discriminator_loss(
            module, x, None, gen)
        real = module.discriminate(x)
        fake_part = plain - torch.nn.functional.binary_cross_entropy_with_logits(
            real, torch.ones_like(real))
        expected = fake_part + torch.nn.functional.binary_cross_entropy_with_logits(
            real, torch.full_like(real, 0.9))
    torch.testing.assert_close(smooth, expected)


def test_spectral_norm_bounds_the_largest_singular_value():
    from skgen._blocks import init_parameters_

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
    gan = small_gan(loss="wasserstein-gp").fit(ring(200, 0))
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
    gan = GAN(n_components=4, conditional=True, max_iter=60, batch_size=64,
              learning_rate_init=1e-3, random_state=0).fit(X, y)
    left, right = gan.sample(200, y=0, random_state=0), gan.sample(200, y=1, random_state=0)
    assert (left[:, 0] < 0).mean() > 0.9 and (right[:, 0] > 0).mean() > 0.9
    with pytest.raises(ValueError, match=r"pass the class labels, sample\(\.\.\., y=\.\.\.\)"):
        gan.sample(3)
    with pytest.raises(ValueError, match=r"labels \[5\] not seen during fit"):
        gan.sample(3, y=5)
    with pytest.raises(ValueError, match=r"needs class labels: call fit\(X, y\)"):
        GAN(conditional=True, max_iter=1).fit(X)


def test_gan_errors():
    X = ring(100, 0)
    with pytest.raises(ValueError, match="does not support early_stopping=True"):
        small_gan(early_stopping=True).fit(X)
    with pytest.raises(ValueError, match="learning_rate_init must be a positive float or a "
                                         "pair"):
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
    gan = GAN(random_state=0).fit(digits["X_train"])  # default settings
    counts = np.bincount(digit_classifier.predict(gan.sample(500, random_state=0)),
                         minlength=10)
    assert (counts >= 10).sum() >= 8, counts


def test_conditional_digits_have_the_requested_class(digits, digit_classifier):
    gan = GAN(conditional=True, random_state=0).fit(digits["X_train"], digits["y_train"])
    hits = [np.mean(digit_classifier.predict(gan.sample(50, y=c, random_state=c)) == c)
            for c in range(10)]
    assert np.mean(hits) >= 0.7, hits
