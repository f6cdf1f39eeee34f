"""Data loaders, tested offline with a fake OpenML payload."""

from urllib.error import URLError

import numpy as np
import pytest
from sklearn.utils import Bunch

import skgen.datasets._openml as openml
from skgen.datasets import load_fashion_mnist, load_mnist, make_ring_of_gaussians


@pytest.fixture
def fake_openml(monkeypatch):
    calls = []
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(70000, 784)).astype(np.float64)
    target = np.array([str(i % 10) for i in range(70000)], dtype=object)

    def fetch(**kwargs):
        calls.append(kwargs)
        return Bunch(data=pixels, target=target)

    monkeypatch.setattr(openml, "fetch_openml", fetch)
    return calls, pixels


@pytest.mark.parametrize("loader, data_id", [(load_fashion_mnist, 40996), (load_mnist, 554)])
def test_loaders_return_scaled_images_and_the_official_split(
    fake_openml, loader, data_id, tmp_path
):
    calls, pixels = fake_openml
    bunch = loader(data_home=tmp_path)
    assert calls[-1]["data_id"] == data_id and calls[-1]["data_home"] == tmp_path
    assert calls[-1]["cache"] is True
    assert bunch.images.shape == (70000, 28, 28) and bunch.data.dtype == np.float32
    assert bunch.data.min() >= 0 and bunch.data.max() <= 1
    np.testing.assert_allclose(bunch.images[3].ravel(), pixels[3] / 255, rtol=1e-6)
    assert bunch.target.dtype == np.int64 and bunch.target[:3].tolist() == [0, 1, 2]
    assert len(bunch.target_names) == 10
    X_train, X_test, y_train, y_test = loader(return_X_y=True)
    assert X_train.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    np.testing.assert_array_equal(X_test[0], bunch.images[60000])
    assert len(y_train) == 60000 and len(y_test) == 10000
    frame = loader(as_frame=True)
    assert frame.data.shape == (70000, 784) and frame.data.columns[0] == "pixel1"
    assert frame.target.name == "class"
    Xf_train, _, yf_train, _ = loader(return_X_y=True, as_frame=True)
    assert Xf_train.shape == (60000, 784) and len(yf_train) == 60000


def test_loader_offline_without_cache_gives_a_clear_error(monkeypatch, tmp_path):
    def offline(**kwargs):
        raise URLError("no network")

    monkeypatch.setattr(openml, "fetch_openml", offline)
    with pytest.raises(
        OSError,
        match="Fashion-MNIST could not be downloaded from OpenML "
        r"\(data_id=40996\) and no cached copy was found",
    ):
        load_fashion_mnist(data_home=tmp_path)


def test_loader_rejects_an_unexpected_payload(monkeypatch):
    monkeypatch.setattr(
        openml, "fetch_openml", lambda **kw: Bunch(data=np.zeros((10, 784)), target=np.zeros(10))
    )
    with pytest.raises(ValueError, match=r"OpenML returned \(10, 784\) pixels for MNIST"):
        load_mnist()


def test_ring_of_gaussians_is_reproducible():
    X, y, centers = make_ring_of_gaussians(400, random_state=0)
    np.testing.assert_array_equal(X, make_ring_of_gaussians(400, random_state=0)[0])
    assert X.shape == (400, 2) and centers.shape == (8, 2) and set(y) == set(range(8))
    assert np.allclose(np.linalg.norm(centers, axis=1), 2.0)
