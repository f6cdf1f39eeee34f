"""skgen.plotting: each display renders with Agg and shows the right content."""

import sys
import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.manifold import TSNE
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity
from sklearn.neural_network import MLPRegressor

from skgen import DDPM, GAN, StackedAutoencoder, VariationalAutoencoder
from skgen.plotting import (
    DiffusionProcessDisplay,
    ImageGridDisplay,
    InterpolationDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ReconstructionDisplay,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    digits = load_digits()
    return digits.data[:600] / 16, digits.target[:600]


@pytest.fixture(scope="module")
def vae(data):
    return VariationalAutoencoder(2, max_iter=5, random_state=0).fit(data[0])


@pytest.fixture(scope="module")
def ddpm(data):
    return DDPM(n_timesteps=40, max_iter=2, random_state=0).fit(data[0])


def rendered(display, tmp_path):
    """Save the display's figure as a PNG and return the path."""
    path = tmp_path / "figure.png"
    display.figure_.savefig(path)
    assert path.stat().st_size > 1000
    return path


def tile(display, i, j, size=8):
    """Tile (i, j) of a montage of size x size images, 1 pixel apart."""
    image = np.ma.filled(display.image_.get_array(), np.nan)
    return image[i * (size + 1) : i * (size + 1) + size, j * (size + 1) : j * (size + 1) + size]


def test_larger_images_get_wider_gaps_that_stay_background():
    # 28x28 tiles 1 pixel apart merge into one block once a figure is
    # resampled to page width; a gap of a tenth of a tile (3 pixels) stays.
    images = np.random.default_rng(0).random((4, 28, 28))
    disp = ImageGridDisplay(images).plot(n_cols=2)
    image = np.ma.filled(disp.image_.get_array(), np.nan)
    assert image.shape == (2 * 28 + 3, 2 * 28 + 3)
    assert np.isnan(image[28:31]).all() and np.isnan(image[:, 28:31]).all()
    np.testing.assert_allclose(image[31:, 31:], images[3])
    plt.close(disp.figure_)


def test_image_grid_tiles_the_images_in_order(data, tmp_path):
    X = data[0][:10]
    disp = ImageGridDisplay(X, labels=np.arange(10)).plot(n_cols=4, title="ten")
    rendered(disp, tmp_path)
    assert disp.image_.get_array().shape == (3 * 9 - 1, 4 * 9 - 1)
    np.testing.assert_allclose(tile(disp, 0, 0), X[0].reshape(8, 8))
    np.testing.assert_allclose(tile(disp, 2, 1), X[9].reshape(8, 8))
    assert np.isnan(tile(disp, 2, 2)).all()  # two empty slots in the last row
    assert [t.get_text() for t in disp.texts_] == [str(k) for k in range(10)]
    assert disp.ax_.get_title() == "ten"


def test_image_grid_from_generators_and_sklearn_samplers(data, vae, tmp_path):
    X = data[0]
    disp = ImageGridDisplay.from_estimator(vae, 9, random_state=0)
    rendered(disp, tmp_path)
    np.testing.assert_allclose(
        tile(disp, 0, 0), vae.sample(9, random_state=0)[0].reshape(8, 8), rtol=1e-5
    )
    assert disp.ax_.get_title() == "VariationalAutoencoder.sample(9)"
    # GaussianMixture.sample returns (X, labels) and takes no random_state.
    gmm = GaussianMixture(2, random_state=0).fit(X)
    assert ImageGridDisplay.from_estimator(gmm, 4).image_.get_array().shape == (17, 17)
    kde = KernelDensity(bandwidth=0.1).fit(X)
    a = ImageGridDisplay.from_estimator(kde, 4, random_state=1).image_.get_array()
    b = ImageGridDisplay.from_estimator(kde, 4, random_state=1).image_.get_array()
    np.testing.assert_array_equal(a, b)


def test_image_grid_of_a_conditional_model_labels_each_image(data):
    X, y = data
    cvae = VariationalAutoencoder(4, conditional=True, max_iter=2, random_state=0).fit(X, y)
    disp = ImageGridDisplay.from_estimator(cvae, 6, y=3, random_state=0)
    assert [t.get_text() for t in disp.texts_] == ["3"] * 6


def test_image_grid_colour_and_non_square_images(tmp_path):
    rgb = np.random.default_rng(0).uniform(size=(5, 4, 6, 3))
    disp = ImageGridDisplay(rgb).plot(n_cols=5)
    rendered(disp, tmp_path)
    assert disp.image_.get_array().shape == (4, 5 * 7 - 1, 3)
    flat = ImageGridDisplay(rgb[..., 0].reshape(5, 24), image_shape=(4, 6)).plot(n_cols=5)
    assert flat.image_.get_array().shape == (4, 34)


def test_image_errors(data):
    with pytest.raises(ValueError, match="60 features as images: it is not a square"):
        ImageGridDisplay(np.zeros((3, 60))).plot()
    with pytest.raises(ValueError, match=r"image_shape=\(7, 7\) does not fit samples of 64"):
        ImageGridDisplay(data[0][:3], image_shape=(7, 7)).plot()
    with pytest.raises(ValueError, match="1, 3 or 4 channels; got samples of shape"):
        ImageGridDisplay(np.zeros((3, 4, 4, 2))).plot()
    with pytest.raises(ValueError, match="labels has 2 entries for 3 images"):
        ImageGridDisplay(data[0][:3], labels=[1, 2]).plot()
    with pytest.raises(ValueError, match="needs an estimator with a sample method; got PCA"):
        ImageGridDisplay.from_estimator(PCA(2).fit(data[0]), 4)
    with pytest.raises(ValueError, match="at least one image"):
        ImageGridDisplay(np.zeros((0, 64))).plot()


def test_reconstruction_shows_originals_over_reconstructions(data, tmp_path):
    X = data[0]
    pca = PCA(10).fit(X)
    disp = ReconstructionDisplay.from_estimator(pca, X, n_images=6)
    rendered(disp, tmp_path)
    assert disp.image_.get_array().shape == (17, 6 * 9 - 1)
    recon = pca.inverse_transform(pca.transform(X[:6]))
    np.testing.assert_allclose(tile(disp, 0, 5), X[5].reshape(8, 8))
    np.testing.assert_allclose(tile(disp, 1, 5), recon[5].reshape(8, 8))
    np.testing.assert_allclose(disp.errors_, ((X[:6] - recon) ** 2).mean(1))
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["original", "reconstruction"]
    assert len(disp.ax_.get_xticklabels()) == 6
    # A full-rank PCA reconstructs exactly.
    exact = ReconstructionDisplay.from_estimator(PCA(64).fit(X), X, n_images=3)
    assert exact.errors_.max() < 1e-20


def test_reconstruction_of_an_image_autoencoder_uses_its_image_shape(data):
    images = data[0].reshape(-1, 8, 8)
    ae = StackedAutoencoder(5, hidden_layer_sizes=(16,), max_iter=2, random_state=0)
    disp = ReconstructionDisplay.from_estimator(ae.fit(images), images, n_images=4)
    assert disp.image_.get_array().shape == (17, 35)
    with pytest.raises(
        ValueError,
        match="needs an estimator with transform and inverse_"
        "transform .* GaussianMixture has no transform",
    ):
        ReconstructionDisplay.from_estimator(GaussianMixture().fit(data[0]), data[0])
    with pytest.raises(ValueError, match="originals and reconstructions differ in shape"):
        ReconstructionDisplay(data[0][:3], data[0][:2]).plot()


def test_interpolation_decodes_the_line_between_codings(data, vae, tmp_path):
    X = data[0]
    pca = PCA(10).fit(X)
    disp = InterpolationDisplay.from_estimator(pca, X[:2], X[2:4], n_steps=5)
    rendered(disp, tmp_path)
    assert disp.image_.get_array().shape == (17, 44)
    recon = pca.inverse_transform(pca.transform(X[:4]))
    np.testing.assert_allclose(tile(disp, 1, 0), recon[1].reshape(8, 8), atol=1e-12)
    np.testing.assert_allclose(tile(disp, 1, 4), recon[3].reshape(8, 8), atol=1e-12)
    np.testing.assert_allclose(
        tile(disp, 0, 2), (recon[0] + recon[2]).reshape(8, 8) / 2, atol=1e-12
    )  # PCA decodes linearly
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["0", "0.25", "0.5", "0.75", "1"]
    vae_disp = InterpolationDisplay.from_estimator(vae, X[:1], X[1:2], n_steps=3)
    assert vae_disp.image_.get_array().shape == (8, 26)
    with pytest.raises(ValueError, match="same number of samples; got 2 and 1"):
        InterpolationDisplay.from_estimator(pca, X[:2], X[2:3])
    with pytest.raises(ValueError, match="n_steps must be at least 2"):
        InterpolationDisplay.from_estimator(pca, X[:2], X[2:4], n_steps=1)


def test_latent_space_draws_codings_coloured_by_class(data, vae, tmp_path):
    X, y = data
    disp = LatentSpaceDisplay.from_estimator(vae, X, y)
    rendered(disp, tmp_path)
    np.testing.assert_allclose(disp.scatter_.get_offsets(), vae.transform(X), rtol=1e-6)
    assert [t.get_text() for t in disp.legend_.get_texts()] == [str(k) for k in range(10)]
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("z[0]", "z[1]")
    # Legend colours match the points' colours class by class.
    colours = disp.scatter_.to_rgba(disp.scatter_.get_array())
    handle = disp.legend_.legend_handles[3]
    np.testing.assert_allclose(handle.get_markerfacecolor()[:3], colours[y == 3][0][:3], atol=1e-6)


def test_latent_space_projects_larger_codings(data):
    X, y = data
    pca5 = PCA(5).fit(X)
    disp = LatentSpaceDisplay.from_estimator(pca5, X)
    expected = PCA(2).fit_transform(pca5.transform(X))
    np.testing.assert_allclose(np.abs(disp.scatter_.get_offsets()), np.abs(expected), atol=1e-8)
    assert disp.legend_ is None and disp.ax_.get_xlabel() == "PCA 1"
    tsne = LatentSpaceDisplay.from_estimator(pca5, X[:200], projection="tsne", random_state=0)
    expected = TSNE(2, init="pca", random_state=0, perplexity=30.0).fit_transform(
        pca5.transform(X[:200])
    )
    np.testing.assert_allclose(tsne.scatter_.get_offsets(), expected, rtol=1e-4, atol=1e-4)
    assert tsne.ax_.get_ylabel() == "t-SNE 2"
    with pytest.raises(ValueError, match="5 dimensions; pass projection='pca' or 'tsne'"):
        LatentSpaceDisplay.from_estimator(pca5, X, projection=None)
    with pytest.raises(ValueError, match="latent space has 1 dimension"):
        LatentSpaceDisplay.from_estimator(PCA(1).fit(X), X)
    with pytest.raises(ValueError, match="projection must be 'auto', 'pca', 'tsne' or None"):
        LatentSpaceDisplay.from_estimator(pca5, X, projection="umap")
    with pytest.raises(ValueError, match="transform method; got GAN"):
        LatentSpaceDisplay.from_estimator(GAN(), X)
    with pytest.raises(ValueError, match=r"codings must have shape \(n_samples, 2\)"):
        LatentSpaceDisplay(np.zeros((3, 3))).plot()


def test_loss_curves_of_a_gan_show_both_players_and_the_held_out_mmd(data, tmp_path):
    gan = GAN(max_iter=4, validation_interval=2, random_state=0).fit(data[0])
    disp = LossCurveDisplay.from_estimator(gan)
    rendered(disp, tmp_path)
    assert list(disp.lines_) == ["generator", "discriminator", "held-out MMD"]
    np.testing.assert_allclose(disp.lines_["generator"].get_ydata(), gan.generator_loss_curve_)
    np.testing.assert_allclose(
        disp.lines_["discriminator"].get_ydata(), gan.discriminator_loss_curve_
    )
    mmd = disp.lines_["held-out MMD"]
    np.testing.assert_array_equal(mmd.get_xdata(), gan.validation_epochs_)
    np.testing.assert_allclose(mmd.get_ydata(), -np.asarray(gan.validation_scores_))
    assert mmd.axes is disp.validation_ax_ and disp.validation_ax_ is not disp.ax_
    assert disp.validation_ax_.get_ylabel() == "held-out MMD"
    assert len(disp.figure_.axes) == 2
    no_monitor = LossCurveDisplay.from_estimator(GAN(max_iter=1, random_state=0).fit(data[0]))
    assert list(no_monitor.lines_) == ["generator", "discriminator"]
    assert no_monitor.validation_ax_ is None


def test_loss_curves_with_early_stopping_share_the_axis(data):
    ae = StackedAutoencoder(
        5, hidden_layer_sizes=(16,), max_iter=4, early_stopping=True, random_state=0
    ).fit(data[0])
    fig, ax = plt.subplots()
    disp = LossCurveDisplay.from_estimator(ae, ax=ax, log_scale=True)
    assert disp.ax_ is ax and disp.validation_ax_ is None
    np.testing.assert_allclose(disp.lines_["training loss"].get_ydata(), ae.loss_curve_)
    np.testing.assert_allclose(
        disp.lines_["validation loss"].get_ydata(), -np.asarray(ae.validation_scores_)
    )
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    # scikit-learn's MLPs have a loss_curve_ too (their validation scores are not losses).
    mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, early_stopping=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(data[0], data[1])
    assert list(LossCurveDisplay.from_estimator(mlp).lines_) == ["training loss"]
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(StackedAutoencoder())
    with pytest.raises(ValueError, match="needs an estimator with a loss_curve_; PCA has none"):
        LossCurveDisplay.from_estimator(PCA(2).fit(data[0]))
    with pytest.raises(ValueError, match="validation_epochs has 1 entries for 2 values"):
        LossCurveDisplay({"a": [1, 2]}, validation_curve=[1, 2], validation_epochs=[1]).plot()
    with pytest.raises(ValueError, match="loss_curves is empty"):
        LossCurveDisplay({}).plot()


def test_diffusion_process_shows_forward_and_reverse_at_the_same_levels(data, ddpm, tmp_path):
    X = data[0][:2]
    disp = DiffusionProcessDisplay.from_estimator(ddpm, X, n_levels=4, random_state=0)
    rendered(disp, tmp_path)
    assert disp.image_.get_array().shape == (4 * 9 - 1, 4 * 9 - 1)
    # The default sampler of the MLP: 10 DPM-Solver++ steps, 4 timesteps
    # apart on the 40 of the fixture (39, 35, ..., 3).
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["data", "3", "23", "39"]
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == [
        "forward 0",
        "forward 1",
        "reverse 0",
        "reverse 1",
    ]
    # The forward rows start from the data and drift away from it as t grows.
    np.testing.assert_allclose(tile(disp, 0, 0), X[0].reshape(8, 8))
    drift = [np.abs(np.clip(tile(disp, 0, j), 0, 1) - X[0].reshape(8, 8)).mean() for j in range(4)]
    assert drift[0] == 0 and drift[1] < 0.05 < drift[2] < drift[3]
    # The reverse rows end (first column) at the samples of the same seed,
    # and the pure-noise column is the sampler's starting noise.
    samples, trajectory, _ = ddpm.sample(2, random_state=0, return_trajectory=True)
    clip = (disp.image_.norm.vmin, disp.image_.norm.vmax)
    np.testing.assert_allclose(tile(disp, 3, 0), samples[1].reshape(8, 8), rtol=1e-5)
    np.testing.assert_allclose(
        np.clip(tile(disp, 2, 3), *clip), np.clip(trajectory[0, 0].reshape(8, 8), *clip), rtol=1e-5
    )


def test_diffusion_process_errors(data, ddpm, vae):
    with pytest.raises(ValueError, match="needs a diffusion model \\(DDPM\\); got Variational"):
        DiffusionProcessDisplay.from_estimator(vae, data[0][:1])
    with pytest.raises(NotFittedError):
        DiffusionProcessDisplay.from_estimator(DDPM(), data[0][:1])
    with pytest.raises(ValueError, match="n_levels must be at least 2"):
        DiffusionProcessDisplay.from_estimator(ddpm, data[0][:1], n_levels=1)
    with pytest.raises(ValueError, match="levels has 2 entries for 3 columns"):
        DiffusionProcessDisplay(np.zeros((1, 3, 64)), np.zeros((1, 3, 64)), levels=[0, 1]).plot()


def test_displays_draw_on_given_axes_of_one_figure(data, vae):
    fig, axes = plt.subplots(1, 3)
    ImageGridDisplay.from_estimator(vae, 4, ax=axes[0])
    LatentSpaceDisplay.from_estimator(vae, data[0], ax=axes[1])
    LossCurveDisplay.from_estimator(vae, ax=axes[2])
    assert len(fig.axes) == 3 and all(ax.has_data() for ax in axes)
    assert len(plt.get_fignums()) == 1


def test_a_missing_matplotlib_is_named(monkeypatch, data):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"requires matplotlib.*scikit-generative\[plots\]"):
        ImageGridDisplay(data[0][:4]).plot()
