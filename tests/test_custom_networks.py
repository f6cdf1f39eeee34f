"""Bring your own network: encoder= / decoder=, generator= / discriminator=, denoiser=."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from torch import nn

from skgen import (
    DDPM,
    GAN,
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.random((96, 6, 6))
LABELS = np.arange(96) % 3
ROWS = IMAGES.reshape(96, -1)


class ConvEncoder(nn.Module):
    """Images (batch, 1, 6, 6) to ``width`` values; a lazy head."""

    def __init__(self, width=4):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.head = nn.LazyLinear(width)

    def forward(self, x, condition=None):
        return self.head(torch.relu(self.conv(x)).flatten(1))


class ConvDecoder(nn.Module):
    """``width`` values to images (batch, 1, 6, 6)."""

    def __init__(self, width=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(width, 36), nn.Unflatten(1, (1, 6, 6)), nn.Conv2d(1, 1, 3, padding=1)
        )

    def forward(self, z, condition=None):
        return self.net(z)


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(36, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1)
        )

    def forward(self, x, condition=None):
        return self.net(x)


class Denoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)
        self.time = nn.Embedding(50, 1)

    def forward(self, x, t, y=None):
        return self.conv(x) + self.time(t)[:, :, None, None]


def fitted(make, X=IMAGES, y=None):
    return make().fit(X, y) if y is not None else make().fit(X)


CASES = {
    "conv-ae": lambda: ConvolutionalAutoencoder(
        4, encoder=ConvEncoder, decoder=ConvDecoder, max_iter=3, random_state=0
    ),
    "vae": lambda: VariationalAutoencoder(
        2, encoder=ConvEncoder(4), decoder=ConvDecoder(2), max_iter=3, random_state=0
    ),
    "gan": lambda: GAN(
        4,
        generator=ConvDecoder(4),
        discriminator=Critic,
        max_iter=3,
        validation_interval=None,
        random_state=0,
    ),
    "ddpm": lambda: DDPM(n_timesteps=50, denoiser=Denoiser, max_iter=3, random_state=0),
}


@pytest.mark.parametrize("name", CASES)
def test_each_family_trains_a_users_network_reproducibly(name):
    first, second = fitted(CASES[name]), fitted(CASES[name])
    assert np.isfinite(first.loss_curve_).all()
    # Every parameter, the user's included, is initialised from random_state.
    for a, b in zip(first.module_.state_dict().values(), second.module_.state_dict().values()):
        torch.testing.assert_close(a, b)
    other = clone(CASES[name]()).set_params(random_state=1).fit(IMAGES)
    assert any(
        not torch.equal(a, b)
        for a, b in zip(first.module_.state_dict().values(), other.module_.state_dict().values())
    )
    if hasattr(first, "sample"):
        samples = first.sample(5, random_state=0)
        assert samples.shape == (5, 6, 6)
        # Equal on the CPU; on a GPU the two fits may differ at float32
        # rounding (cuDNN's summation order).
        np.testing.assert_allclose(samples, second.sample(5, random_state=0), rtol=1e-5, atol=1e-6)
    else:
        assert first.transform(IMAGES).shape == (96, 4)
        assert first.inverse_transform(first.transform(IMAGES[:3])).shape == (3, 6, 6)


def test_the_users_module_is_copied_not_trained():
    encoder, decoder = ConvEncoder(4), ConvDecoder(4)
    encoder(torch.zeros(1, 1, 6, 6))  # materialise the lazy head
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    ae = ConvolutionalAutoencoder(
        4, encoder=encoder, decoder=decoder, max_iter=2, random_state=0
    ).fit(IMAGES)
    assert ae.module_.encoder.module is not encoder
    for key, value in encoder.state_dict().items():
        torch.testing.assert_close(value, before[key])
    assert ae.get_params()["encoder"] is encoder


def test_users_network_sees_torch_layouts():
    seen = {}

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(36, 3)

        def forward(self, x):
            seen.setdefault("shape", tuple(x.shape[1:]))
            return self.linear(x.flatten(1))

    # Channels-last images (n, H, W, C) reach the module as (batch, C, H, W).
    X = RNG.random((96, 6, 3, 2))
    ae = ConvolutionalAutoencoder(3, encoder=Spy, max_iter=1, random_state=0, device="cpu").fit(
        X
    )  # meets CPU tensors below
    assert seen["shape"] == (2, 6, 3)
    codes = ae.transform(X)
    x = torch.as_tensor(X[:4], dtype=torch.float32).permute(0, 3, 1, 2)
    with torch.no_grad():
        expected = ae.module_.encoder.module(x).numpy()
    np.testing.assert_allclose(codes[:4], expected, rtol=1e-5, atol=1e-6)
    # Rows reach a module as (batch, n_features).
    seen.clear()
    StackedAutoencoder(3, encoder=Spy, max_iter=1, random_state=0).fit(ROWS)
    assert seen["shape"] == (36,)


@pytest.mark.parametrize("cls", [StackedAutoencoder, SparseAutoencoder, DenoisingAutoencoder])
def test_a_custom_half_pairs_with_the_built_in_other_half(cls):
    ae = cls(
        3, encoder=nn.Sequential(nn.Linear(36, 3), nn.Sigmoid()), max_iter=2, random_state=0
    ).fit(ROWS)
    assert isinstance(ae.module_.decoder, nn.Sequential)  # built-in
    assert ae.inverse_transform(ae.transform(ROWS[:2])).shape == (2, 36)


def test_conditional_families_pass_labels_to_the_users_modules():
    class Generator(ConvDecoder):
        def forward(self, z, labels):
            return super().forward(z) + labels[:, :1, None, None]

    class LabelCritic(Critic):
        def forward(self, x, labels):
            return super().forward(x) + labels[:, :1]

    gan = GAN(
        4,
        generator=Generator,
        discriminator=LabelCritic,
        conditional=True,
        max_iter=2,
        validation_interval=None,
        random_state=0,
    ).fit(IMAGES, LABELS)
    assert gan.sample(4, y=[0, 1, 2, 0], random_state=0).shape == (4, 6, 6)

    class LabelDenoiser(Denoiser):
        def __init__(self):
            super().__init__()
            self.label = nn.Embedding(4, 1)  # 3 classes and "no label"

        def forward(self, x, t, y):
            return super().forward(x, t) + self.label(y)[:, :, None, None]

    ddpm = DDPM(
        n_timesteps=50, denoiser=LabelDenoiser, conditional=True, max_iter=2, random_state=0
    ).fit(IMAGES, LABELS)
    assert ddpm.sample(3, y=[0, 1, 2], random_state=0).shape == (3, 6, 6)

    class LabelEncoder(ConvEncoder):
        def forward(self, x, labels):
            return super().forward(x) + labels.sum(1, keepdim=True)

    vae = VariationalAutoencoder(
        2, encoder=LabelEncoder, conditional=True, max_iter=2, random_state=0
    ).fit(IMAGES, LABELS)
    assert vae.sample(2, y=[0, 1], random_state=0).shape == (2, 6, 6)


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda: StackedAutoencoder(3, encoder=nn.Linear(36, 5)),
            r"The 'encoder' module must map a batch of shape \(batch, 36\) to \(batch, 3\); "
            r"on a batch of 2 it returned \(2, 5\)",
        ),
        (
            lambda: StackedAutoencoder(3, decoder=nn.Linear(4, 36)),
            r"The 'decoder' module failed when called with a batch of shape \(batch, 3\): "
            r"RuntimeError",
        ),
        (
            lambda: GAN(4, discriminator=nn.Sequential(nn.Flatten(), nn.Linear(36, 2))),
            r"'discriminator' module must map .* to \(batch,\) or \(batch, 1\)",
        ),
        (
            lambda: DDPM(denoiser=nn.Identity, conditional=True),
            r"The 'denoiser' module failed when called with a batch of shape \(batch, 1, 6, 6\) "
            r"and a tensor of shape \(batch,\) and a tensor of shape \(batch,\)",
        ),
        (
            lambda: StackedAutoencoder(3, encoder=nn.Linear(36, 3), tied_weights=True),
            r"tied_weights=True needs the built-in layers, but encoder is your own module",
        ),
        (
            lambda: StackedAutoencoder(3, encoder=int),
            r"The 'encoder' parameter must be a torch.nn.Module instance or subclass",
        ),
        (
            lambda: StackedAutoencoder(3, encoder="mlp"),
            r"The 'encoder' parameter of StackedAutoencoder must be an instance of",
        ),
    ],
)
def test_a_module_that_breaks_the_contract_gets_a_clear_error(make, match):
    estimator = make()
    X = ROWS if isinstance(estimator, StackedAutoencoder) else IMAGES
    with pytest.raises(ValueError, match=match):
        estimator.fit(X, LABELS) if getattr(estimator, "conditional", False) else estimator.fit(X)
    assert not hasattr(estimator, "module_") and not hasattr(estimator, "net_")


def test_parameters_without_a_seeded_initialiser_are_refused():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(36))

        def forward(self, x):
            return x * self.weight

    with pytest.raises(TypeError, match="Scale owns parameters but has no reset_parameters"):
        StackedAutoencoder(3, encoder=nn.Sequential(Scale(), nn.Linear(36, 3)), max_iter=1).fit(
            ROWS
        )


def test_fitted_custom_models_pickle_and_clone():
    model = fitted(CASES["vae"])
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(IMAGES[:5]), model.transform(IMAGES[:5]))
    assert isinstance(clone(model).get_params()["encoder"], ConvEncoder)


def test_warm_start_refuses_another_network():
    ae = StackedAutoencoder(
        3, encoder=nn.Linear(36, 3), max_iter=1, warm_start=True, random_state=0
    ).fit(ROWS)
    ae.fit(ROWS)  # the same module: continues
    assert ae.n_iter_ == 2
    with pytest.raises(ValueError, match="encoder"):
        ae.set_params(encoder=nn.Linear(36, 3)).fit(ROWS)
