"""skgen's estimators with settings that train in about a second: the one
list that every shared suite draws from.

``FAST`` holds the parameters of a small instance of every public
estimator class, ``make(cls, **params)`` builds one (the parameters given
win), and ``VARIANTS`` names the configurations the engine's family tests
run: each family on its vector and its image network. A test fails while a
public class of ``skgen`` is missing from ``FAST``.
"""

from skgen import (
    DDPM,
    GAN,
    ConvolutionalAutoencoder,
    DenoisingAutoencoder,
    EncoderClassifier,
    GenerativeResampler,
    HashingAutoencoder,
    LinearAutoencoder,
    OutlierDetector,
    RecurrentAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    VariationalAutoencoder,
)

# What every neural estimator gets unless told otherwise.
COMMON = {"max_iter": 3, "batch_size": 64, "random_state": 0}

# Each class's small settings; a callable value is called for a fresh object.
FAST = {
    LinearAutoencoder: {},
    StackedAutoencoder: {"hidden_layer_sizes": (8,)},
    SparseAutoencoder: {"hidden_layer_sizes": (8,)},
    DenoisingAutoencoder: {"hidden_layer_sizes": (8,)},
    ConvolutionalAutoencoder: {"channels": (8,)},
    RecurrentAutoencoder: {"hidden_layer_sizes": (8,)},
    # 2 bits, not the default 16: scikit-learn's checks fit 4 features.
    HashingAutoencoder: {"n_components": 2, "hidden_layer_sizes": (8,)},
    VariationalAutoencoder: {"hidden_layer_sizes": (8,)},
    GAN: {
        "n_components": 4,
        "generator_hidden_layer_sizes": (16,),
        "discriminator_hidden_layer_sizes": (16,),
    },
    DDPM: {"n_timesteps": 20, "hidden_width": 16, "n_blocks": 1},
    EncoderClassifier: {
        "autoencoder": lambda: make(StackedAutoencoder, max_iter=2),
        "max_iter": 100,
    },
    OutlierDetector: {"estimator": lambda: make(StackedAutoencoder, max_iter=2)},
    GenerativeResampler: {"estimator": lambda: make(DDPM, max_iter=2), "random_state": 0},
}

AUTOENCODERS = [
    LinearAutoencoder,
    StackedAutoencoder,
    SparseAutoencoder,
    DenoisingAutoencoder,
    ConvolutionalAutoencoder,
    RecurrentAutoencoder,
    HashingAutoencoder,
]

IMAGES = {"image_shape": (8, 8)}

# The engine's family tests: every family on its vector and image networks.
VARIANTS = {
    "StackedAutoencoder": (StackedAutoencoder, {}),
    "VAE-dense": (VariationalAutoencoder, {}),
    "VAE-conv": (VariationalAutoencoder, {"architecture": "conv", "channels": (4,), **IMAGES}),
    "GAN-dense": (GAN, {}),
    "DCGAN": (GAN, {"architecture": "conv", "channels": (4,), "max_iter": 2, **IMAGES}),
    "RecurrentAutoencoder": (RecurrentAutoencoder, {"sequence_shape": (8, 8)}),
    "HashingAutoencoder": (HashingAutoencoder, {"n_components": 4}),
    "DDPM-mlp": (DDPM, {}),
    "DDPM-unet": (DDPM, {"architecture": "unet", "channels": (4,), "max_iter": 2, **IMAGES}),
}


def make(cls, **params):
    """A small ``cls``: its ``FAST`` settings, then ``params``."""
    settings = {k: v for k, v in COMMON.items() if k in cls._get_param_names()}
    settings.update(
        {k: v() if callable(v) and not isinstance(v, type) else v for k, v in FAST[cls].items()}
    )
    settings.update(params)
    return cls(**settings)


def variant(name, **params):
    """The family configuration ``name`` of ``VARIANTS``, with ``params``."""
    cls, settings = VARIANTS[name]
    return make(cls, **{**settings, **params})
