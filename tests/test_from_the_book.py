"""Every skgen line of docs/user_guide/from_the_book.rst runs (tiny data, 1 epoch)."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from skgen import (
    DDPM,
    GAN,
    VAE,
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    LinearAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
)
from skgen.plotting import (
    DiffusionProcessDisplay,
    ImageGridDisplay,
    LatentSpaceDisplay,
    ReconstructionDisplay,
)

rng = np.random.default_rng(0)
IMAGES = rng.random((40, 28, 28)).astype(np.float32)
X3 = rng.normal(size=(60, 3))


def one_epoch(est):
    return est.set_params(max_iter=1, random_state=42)


def test_book_cells_have_the_documented_skgen_equivalents():
    codings = LinearAutoencoder(
        2, optimizer="sgd", learning_rate_init=0.5, max_iter=500, random_state=42
    ).fit_transform(X3)
    assert codings.shape == (60, 2)
    for est in [
        StackedAutoencoder(
            30, hidden_layer_sizes=(100,), optimizer="nadam", max_iter=20, early_stopping=True
        ),
        StackedAutoencoder(30, tied_weights=True),
        StackedAutoencoder(30, greedy_pretraining=True),
        ConvolutionalAutoencoder(30, channels=(16, 32, 64)),
        DenoisingAutoencoder(30, noise="gaussian", noise_level=0.2),
        DenoisingAutoencoder(30, noise="dropout", noise_level=0.5),
        SparseAutoencoder(300, sparsity="l1", sparsity_weight=1e-4),
        SparseAutoencoder(300, sparsity="kl", sparsity_target=0.1),
    ]:
        est = one_epoch(est).fit(IMAGES)
        assert est.inverse_transform(est.transform(IMAGES[:2])).shape == (2, 28, 28)
    vae = one_epoch(
        VAE(10, architecture="dense", hidden_layer_sizes=(150, 100), sample_prior="normal")
    ).fit(IMAGES)
    assert vae.latent_mixture_ is None
    assert vae.sample(12).shape == (12, 28, 28)
    z1, z2 = vae.transform(IMAGES[:2])
    assert vae.inverse_transform(np.linspace(z1, z2, 8)).shape == (8, 28, 28)
    gan = one_epoch(
        GAN(
            30,
            architecture="dense",
            generator_hidden_layer_sizes=(100, 150),
            discriminator_hidden_layer_sizes=(150, 100),
            minibatch_std=False,
            ema_decay=None,
            r1_penalty=0,
            batch_size=32,
            optimizer="rmsprop",
            validation_interval=None,
        )
    ).fit(IMAGES)
    assert gan.module_.generator_ema is None
    assert gan.sample(32).shape == (32, 28, 28)
    dcgan = one_epoch(
        GAN(
            100,
            architecture="conv",
            channels=(64, 128),
            minibatch_std=False,
            ema_decay=None,
            r1_penalty=0,
            optimizer="rmsprop",
            validation_interval=None,
        )
    ).fit(IMAGES[:8])
    assert dcgan.sample(2).shape == (2, 28, 28)
    remedies = one_epoch(
        GAN(
            30,
            architecture="dense",
            label_smoothing=0.1,
            spectral_norm=True,
            n_critic=5,
            loss="wasserstein-gp",
            minibatch_std=True,
            ema_decay=0.999,
            validation_interval=None,
        )
    ).fit(IMAGES)
    assert remedies.sample(2).shape == (2, 28, 28)
    ddpm = one_epoch(
        DDPM(
            n_timesteps=4000,
            architecture="unet",
            loss="huber",
            prediction="epsilon",
            channels=(8, 16),
        )
    ).fit(IMAGES[:8])
    assert ddpm.sample(1).shape == (1, 28, 28)  # DDIM, 50 steps
    assert ddpm.sample(1, sampler="ddpm", n_inference_steps=20).shape == (1, 28, 28)
    assert ddpm.schedule_.n_timesteps == 4000

    matplotlib.use("Agg")
    y = np.arange(40) % 10
    shown = [
        ReconstructionDisplay.from_estimator(vae, IMAGES),
        LatentSpaceDisplay.from_estimator(vae, IMAGES, y, projection="tsne"),
        ImageGridDisplay.from_estimator(gan, 32),
        DiffusionProcessDisplay.from_estimator(ddpm.set_params(n_inference_steps=10), IMAGES[:1]),
    ]
    assert [d.ax_.has_data() for d in shown] == [True] * 4
    plt.close("all")
