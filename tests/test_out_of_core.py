"""Data larger than memory: arrays streamed from disk in bounded reads."""

import dask.array as da
import h5py
import numpy as np
import pytest
import torch
import zarr
from sklearn.datasets import load_digits

from skgen import DDPM, GAN, StackedAutoencoder, VariationalAutoencoder
from skgen._engine import _data


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 40 rows of 64 features, so digits spans 45 blocks."""
    monkeypatch.setattr(_data, "BLOCK_BYTES", 40 * 64 * 4)
    return 40


@pytest.fixture(scope="module")
def pixels():
    digits = load_digits()
    return digits.data.astype(np.uint8), digits.target


@pytest.fixture
def memmap(tmp_path, pixels):
    path = tmp_path / "digits.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=pixels[0].shape)
    out[:] = pixels[0]
    out.flush()
    del out
    return np.load(path, mmap_mode="r")


class RecordingArray:
    """An array-like that is not numpy's: it records every row range read."""

    def __init__(self, X):
        self.X, self.shape, self.dtype = X, X.shape, X.dtype
        self.reads = []

    def __getitem__(self, key):
        assert isinstance(key, slice), key
        start, stop, _ = key.indices(self.shape[0])
        self.reads.append((start, stop))
        return self.X[key]


def vae(**params):
    return VariationalAutoencoder(
        **{
            "n_components": 4,
            "hidden_layer_sizes": (32,),
            "max_iter": 2,
            "random_state": 0,
            **params,
        }
    )


def test_no_read_exceeds_a_block_and_each_epoch_reads_every_row(small_blocks, pixels):
    X = RecordingArray(pixels[0])
    est = vae(batch_size=32).fit(X)
    sizes = [b - a for a, b in X.reads]
    assert max(sizes) <= small_blocks
    # One validating pass, two training epochs, the variance calibration and
    # the latent mixture's codings: every row is read exactly once by each
    # (the first one also alone, to check the features).
    covered = np.zeros(len(pixels[0]), int)
    for a, b in X.reads:
        covered[a:b] += 1
    assert covered[0] == 6 and (covered[1:] == 5).all()
    assert est.n_iter_ == 2 and np.isfinite(est.loss_curve_).all()


def test_each_epoch_reads_the_blocks_in_a_new_order(small_blocks, pixels):
    X = RecordingArray(pixels[0])
    vae(max_iter=2, batch_size=32).fit(X)
    n_blocks = -(-len(pixels[0]) // small_blocks)
    first = X.reads[1 + n_blocks : 1 + 2 * n_blocks]  # after the validating pass
    second = X.reads[1 + 2 * n_blocks : 1 + 3 * n_blocks]
    assert sorted(first) == sorted(second) and first != second
    assert first != sorted(first)


def test_batches_mix_rows_of_several_blocks(small_blocks, pixels):
    X, _ = pixels
    source = _data.ArraySource(X, "test")
    data = _data.ChunkedData(source, preprocess=lambda r: r)
    batches = data.batches(64, shuffle=True, generator=torch.Generator().manual_seed(0))
    assert len(batches) == len(list(batches)) == -(-len(X) // 64)
    rows = torch.cat([x for x, _ in batches]).numpy()
    # Every row exactly once per epoch, in a shuffled order.
    assert sorted(map(bytes, rows.astype(np.uint8))) == sorted(map(bytes, X))
    first = rows[:64].astype(np.uint8)
    origin = {bytes(r): i // small_blocks for i, r in enumerate(X)}
    assert len({origin[bytes(r)] for r in first}) > 4


@pytest.mark.parametrize("shuffle", [True, False])
def test_streamed_batches_are_dealt_out_by_rank_in_equal_counts(small_blocks, shuffle):
    n, world = 1003, 4
    rows = np.arange(n, dtype=np.float32)[:, None].repeat(64, 1)
    data = _data.ChunkedData(
        _data.ArraySource(rows, "test"), torch.arange(n), preprocess=lambda r: r
    )
    shards = []
    for rank in range(world):
        batches = data.batches(
            16,
            shuffle=shuffle,
            rank=rank,
            world_size=world,
            generator=torch.Generator().manual_seed(0),
        )
        xs, ys = zip(*batches)
        assert len(batches) == len(xs) == -(-(n // world) // 16)
        shard = torch.cat(xs)[:, 0].long().tolist()
        assert shard == torch.cat(ys).tolist()  # labels follow their rows
        shards.append(shard)
    assert all(len(s) == n // world for s in shards)
    union = sum(shards, [])
    assert len(set(union)) == len(union) == n - n % world


def test_a_memmap_trains_like_the_array_in_memory(memmap, pixels):
    X = pixels[0].astype(np.float64)
    streamed = vae(max_iter=10).fit(memmap)
    in_memory = vae(max_iter=10).fit(X)
    # Digits fits in one block: the same batches, the same model.
    np.testing.assert_allclose(streamed.loss_curve_, in_memory.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(
        streamed.transform(memmap), in_memory.transform(X), rtol=1e-4, atol=1e-5
    )
    # Inference on the memmap equals inference on its values.
    np.testing.assert_allclose(streamed.transform(memmap), streamed.transform(X), rtol=1e-6)
    np.testing.assert_allclose(streamed.score_samples(memmap), streamed.score_samples(X), rtol=1e-6)
    Z = streamed.transform(X)
    np.testing.assert_allclose(
        streamed.inverse_transform(np.asarray(Z, np.float32)),
        streamed.inverse_transform(Z),
        rtol=1e-4,
        atol=1e-4,
    )
    assert streamed.sample(3, random_state=0).dtype == np.float64  # uint8 -> float64


def test_streaming_in_small_blocks_trains_as_well(small_blocks, memmap, pixels):
    X = pixels[0].astype(np.float64)
    streamed = StackedAutoencoder(16, max_iter=15, random_state=0).fit(memmap)
    in_memory = StackedAutoencoder(16, max_iter=15, random_state=0).fit(X)
    assert streamed.reconstruction_error_ < 1.3 * in_memory.reconstruction_error_
    np.testing.assert_allclose(
        streamed.reconstruction_error_, -streamed.score_samples(X).mean(), rtol=1e-4
    )


def test_an_hdf5_dataset_with_loader_workers(small_blocks, tmp_path, pixels):
    X, y = pixels
    path = tmp_path / "digits.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("images", data=X.reshape(-1, 8, 8), chunks=(40, 8, 8))
    with h5py.File(path, "r") as f:
        images = f["images"]
        fits = [
            vae(conditional=True, n_loader_workers=w, architecture="dense").fit(images, y)
            for w in (0, 2)
        ]
        # Workers read the same buffers in the same order: the same model.
        np.testing.assert_array_equal(fits[0].loss_curve_, fits[1].loss_curve_)
        codings = fits[0].transform(images, y)
    np.testing.assert_allclose(codings, fits[0].transform(X.reshape(-1, 8, 8), y), rtol=1e-6)
    assert fits[0].sample(2, y=[0, 1]).shape == (2, 8, 8)


def test_zarr_and_dask_arrays(small_blocks, tmp_path, pixels):
    X = pixels[0]
    z = zarr.open_array(
        str(tmp_path / "digits.zarr"), mode="w", shape=X.shape, chunks=(100, 64), dtype=X.dtype
    )
    z[:] = X
    for array in (z, da.from_array(X, chunks=(100, 64))):
        est = GAN(max_iter=2, random_state=0).fit(array)
        assert est.spec_.scaler.n_samples_seen == len(X)
        np.testing.assert_allclose(est.spec_.scaler.mean, X.mean(0), rtol=1e-6)
        assert est.sample(5, random_state=0).shape == (5, 64)


def test_greedy_pretraining_and_early_stopping_stream(small_blocks, memmap, pixels):
    est = StackedAutoencoder(
        8,
        hidden_layer_sizes=(32,),
        greedy_pretraining=True,
        early_stopping=True,
        max_iter=3,
        random_state=0,
    )
    with pytest.warns(Warning):  # still improving after 3 epochs
        est.fit(memmap)
    assert len(est.pretraining_loss_curves_) == 2 and len(est.validation_scores_) == 3
    assert np.isfinite(est.transform(memmap)).all()


def test_partial_fit_takes_streamed_chunks(small_blocks, memmap, pixels):
    X = pixels[0].astype(np.float64)
    est = DDPM(max_iter=1, random_state=0)
    for start in range(0, len(X), 600):
        est.partial_fit(memmap[start : start + 600])
    np.testing.assert_allclose(est.spec_.scaler.mean, X.mean(0), rtol=1e-6)
    np.testing.assert_allclose(
        est.spec_.scaler.scale, np.where(X.std(0) > 1e-8, X.std(0), 1), rtol=1e-5
    )
    assert est.n_iter_ == 3


def test_a_large_array_in_memory_streams(monkeypatch, pixels):
    X = pixels[0].astype(np.float32)
    monkeypatch.setattr(_data, "IN_MEMORY_LIMIT", X.nbytes // 2)
    assert _data.is_streamed(X) and not _data.is_streamed(X[:100])
    assert not _data.is_streamed(X.tolist()) and not _data.is_streamed(torch.tensor(X))
    est = vae().fit(X)
    assert est.n_features_in_ == 64


def test_bad_values_are_reported_with_their_rows(small_blocks, tmp_path, pixels):
    X = pixels[0].astype(np.float32)
    X[1500, 3] = np.nan
    path = tmp_path / "bad.npy"
    np.save(path, X)
    est = vae()
    with pytest.raises(ValueError, match="Input X contains NaN in rows 1480 to 1519"):
        est.fit(np.load(path, mmap_mode="r"))
    assert not hasattr(est, "n_features_in_")  # nothing half-fitted
    X[1500, 3] = np.inf
    np.save(path, X)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.fit(np.load(path, mmap_mode="r"))


def test_shape_and_dtype_errors(memmap, tmp_path, pixels):
    est = vae().fit(memmap)
    wide = np.lib.format.open_memmap(
        tmp_path / "wide.npy", mode="w+", dtype=np.float32, shape=(10, 65)
    )
    with pytest.raises(
        ValueError, match="X has 65 features, but VariationalAutoencoder is expecting 64 features"
    ):
        est.transform(wide)
    text = RecordingArray(np.array([["a"] * 64] * 3))
    with pytest.raises(ValueError, match="reads large arrays of numbers only"):
        vae().fit(text)
    empty = RecordingArray(np.zeros((0, 64)))
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        vae().fit(empty)
