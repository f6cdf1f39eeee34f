"""Data-parallel training in a process group, and searches on a Dask cluster.

Two gloo processes on the CPU, started with ``torch.multiprocessing.spawn``
(what ``torchrun`` does, minus the launcher): each fits the same estimator
on the same data, as a script under ``torchrun`` would.
"""

import json
import os
import sys

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from sklearn.datasets import load_digits

from skgen import DDPM, GAN, StackedAutoencoder, VariationalAutoencoder
from skgen._engine import _data

from estimators import make as small
from test_tables import mixed_table

WORLD_SIZE = 2
# The shared list's small estimators (tests/estimators.py). Per-process
# batch 32 on 2 processes: a global batch of 64.
ESTIMATORS = {
    "vae": lambda: small(
        VariationalAutoencoder, n_components=3, max_iter=2, batch_size=32, device="cpu"
    ),
    "gan": lambda: small(
        GAN, n_critic=2, loss="wasserstein-gp", max_iter=2, batch_size=32, device="cpu"
    ),
    "ae": lambda: small(
        StackedAutoencoder, n_components=3, max_iter=2, batch_size=32, device="cpu"
    ),
    # BatchNorm in the generator, a held-out quality monitor every epoch.
    "dcgan": lambda: small(
        GAN,
        architecture="conv",
        image_shape=(8, 8),
        channels=(4,),
        validation_interval=1,
        max_iter=2,
        batch_size=32,
        device="cpu",
    ),
}


def digits():
    return (load_digits().data[:256] / 16).astype(np.float32)


def _weights(est):
    return torch.cat(
        [p.detach().flatten() for p in est.module_.state_dict().values() if p.is_floating_point()]
    ).tolist()


def _summary(est, seen):
    X = digits()
    return {
        # Row checksums of the data in the network's space (the VAE scales it).
        "data_rows": est.spec_.to_model(X).sum(1).tolist(),
        "weights": _weights(est),
        "validation_scores": est.validation_scores_,
        "loss_curve": est.loss_curve_,
        "history": [{k: v for k, v in row.items() if "loss" in k} for row in est.net_.history],
        "rows": list(seen),
        "sample": est.sample(4, random_state=0).tolist() if hasattr(est, "sample") else None,
    }


def _worker(rank, init_file, out_dir):
    """One process: join the group, fit every estimator, write the results."""
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=WORLD_SIZE
    )
    try:
        X = digits()
        # Record which rows each process trains on (the shards).
        seen = []
        original = _data.TensorBatches.__iter__

        def recording(self):
            for batch in original(self):
                if self.shuffle:
                    seen.extend(batch[0].sum(1).tolist())  # rows by a checksum
                yield batch

        _data.TensorBatches.__iter__ = recording
        results = {}
        for name, make in ESTIMATORS.items():
            seen.clear()
            est = make().fit(X)
            if name == "vae":  # then a continued fit, in both processes
                est.partial_fit(X)
            results[name] = _summary(est, seen)
        # A DataFrame of mixed types, learnt as a table.
        est = small(DDPM, max_iter=2, batch_size=32, device="cpu").fit(mixed_table(128))
        results["ddpm-table"] = {
            "architecture": est.architecture_,
            "weights": _weights(est),
            "loss_curve": est.loss_curve_,
            "sample": est.sample(8, random_state=0, conditions={"student": "yes"})
            .astype(str)
            .to_numpy()
            .tolist(),
        }
        # The same VAE on X streamed from a memory map, in 16 blocks of 16 rows.
        _data.BLOCK_BYTES = 16 * X.shape[1] * 4
        path = os.path.join(out_dir, f"X{rank}.npy")
        np.save(path, X)
        original_chunks = _data.ChunkBatches.__iter__

        def recording_chunks(self):
            for batch in original_chunks(self):
                if self.generator is not None:
                    seen.extend(batch[0].sum(1).tolist())
                yield batch

        _data.ChunkBatches.__iter__ = recording_chunks
        seen.clear()
        est = ESTIMATORS["vae"]().fit(np.load(path, mmap_mode="r"))
        results["vae-streamed"] = _summary(est, seen)
        _data.ChunkBatches.__iter__ = original_chunks
        # Printing and files are rank 0's; other callbacks run everywhere.
        from skorch.callbacks import Checkpoint, EarlyStopping

        _data.TensorBatches.__iter__ = original
        est = StackedAutoencoder(
            3,
            hidden_layer_sizes=(8,),
            max_iter=1,
            device="cpu",
            random_state=0,
            verbose=1,
            callbacks=[
                Checkpoint(dirname=os.path.join(out_dir, "ckpt")),
                EarlyStopping(monitor="train_loss"),
            ],
        ).fit(X)
        results["callbacks"] = sorted(type(cb).__name__ for _, cb in est.net_.callbacks_)
        with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
            json.dump(results, f)
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ddp")
    mp.spawn(_worker, args=(str(tmp / "init"), str(tmp)), nprocs=WORLD_SIZE, join=True)
    return [json.loads((tmp / f"rank{r}.json").read_text()) for r in range(WORLD_SIZE)]


@pytest.mark.parametrize("name", ["vae", "gan", "ae", "dcgan", "vae-streamed"])
def test_every_process_ends_with_the_same_model_and_losses(ranks, name):
    first, second = ranks[0][name], ranks[1][name]
    assert first["weights"] == second["weights"]
    assert first["validation_scores"] == second["validation_scores"]
    assert first["history"] == second["history"]
    assert first["loss_curve"] == second["loss_curve"]
    if first["sample"] is not None:
        assert first["sample"] == second["sample"]


def test_a_table_trains_alike_in_every_process(ranks):
    first, second = ranks[0]["ddpm-table"], ranks[1]["ddpm-table"]
    assert first["architecture"] == "tabular"
    assert first["weights"] == second["weights"]
    assert first["loss_curve"] == second["loss_curve"]
    assert first["sample"] == second["sample"]
    assert {row[1] for row in first["sample"]} == {"yes"}  # the column given


# The VAE also streamed from a memory map.
@pytest.mark.parametrize("name", ["vae", "ae", "vae-streamed"])
def test_processes_train_on_disjoint_shards_that_cover_the_data(ranks, name):
    X = digits()
    checksums = sorted(ranks[0][name]["data_rows"])
    epochs = 2
    rows = [ranks[r][name]["rows"] for r in range(WORLD_SIZE)]
    # Each process sees half the rows per epoch (same count), all of them
    # over the two processes: the multiset of row checksums is the data's.
    epochs += name == "vae"  # its partial_fit
    assert len(rows[0]) == len(rows[1]) == epochs * len(X) // WORLD_SIZE
    per_epoch = len(X) // WORLD_SIZE
    for epoch in range(epochs):
        both = sorted(
            rows[0][epoch * per_epoch : (epoch + 1) * per_epoch]
            + rows[1][epoch * per_epoch : (epoch + 1) * per_epoch]
        )
        np.testing.assert_allclose(both, checksums, rtol=1e-5, atol=1e-5)
    assert rows[0] != rows[1]


@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_are_dealt_out_by_rank_in_equal_counts(shuffle):
    n, world = 103, 4
    data = _data.TensorData(torch.arange(n))
    shards = []
    for rank in range(world):
        batches = _data.TensorBatches(
            data,
            8,
            shuffle=shuffle,
            rank=rank,
            world_size=world,
            generator=torch.Generator().manual_seed(0),
        )
        shards.append(torch.cat([x for x, _ in batches]).tolist())
        assert len(batches) == len(list(batches)) == 4  # ceil(25 / 8)
    assert all(len(s) == n // world for s in shards)
    union = sum(shards, [])
    assert len(set(union)) == len(union) == n - n % world
    # The shards interleave one permutation, the one a single process draws.
    whole = torch.cat(
        [
            x
            for x, _ in _data.TensorBatches(
                data, 8 * world, shuffle=shuffle, generator=torch.Generator().manual_seed(0)
            )
        ]
    )
    assert (
        torch.stack([torch.tensor(s) for s in shards], 1).flatten().tolist()
        == whole[: n - n % world].tolist()
    )


def test_progress_and_files_are_the_main_process_s(ranks):
    main, other = ranks[0]["callbacks"], ranks[1]["callbacks"]
    assert {"Checkpoint", "EpochProgressBar", "EarlyStopping"} <= set(main)
    assert "EarlyStopping" in other
    assert "Checkpoint" not in other and "EpochProgressBar" not in other


def test_a_deterministic_model_matches_one_process_with_the_global_batch(ranks):
    # No noise in the autoencoder's objective: two processes with batch 32
    # take the steps of one process with batch 64 over the same shuffling.
    single = ESTIMATORS["ae"]().set_params(batch_size=64).fit(digits())
    np.testing.assert_allclose(ranks[0]["ae"]["loss_curve"], single.loss_curve_, rtol=1e-5)
    weights = torch.cat(
        [
            p.detach().flatten()
            for p in single.module_.state_dict().values()
            if p.is_floating_point()
        ]
    ).numpy()
    np.testing.assert_allclose(ranks[0]["ae"]["weights"], weights, rtol=1e-4, atol=1e-6)


@pytest.fixture
def second_of_two(monkeypatch):
    """This process as rank 1 of 2, for the checks that run before any
    collective (a fixed random_state needs no broadcast)."""
    from skgen._engine import _distributed, _estimator, _training

    ctx = _distributed.Distributed(rank=1, world_size=2, local_rank=1)
    for module in (_estimator, _training):
        monkeypatch.setattr(module, "distributed_context", lambda: ctx)
        monkeypatch.setattr(module, "current_context", lambda: ctx)


def test_too_few_rows_for_the_processes_is_a_clear_error(second_of_two):
    X = digits()[:11]
    est = VariationalAutoencoder(
        2,
        hidden_layer_sizes=(8,),
        early_stopping=True,
        validation_fraction=0.05,
        device="cpu",
        random_state=0,
    )
    with pytest.raises(
        ValueError,
        match=r"trains in 2 processes, but its validation rows "
        r"number 1: every process needs at least one",
    ):
        est.fit(X)
    assert not hasattr(est, "net_")
    with pytest.raises(ValueError, match=r"X has 1 samples: give every process"):
        est.set_params(early_stopping=False).fit(X[:1])


def test_checkpoint_load_best_is_refused_in_several_processes(second_of_two, tmp_path):
    from skorch.callbacks import Checkpoint

    est = StackedAutoencoder(
        3,
        max_iter=1,
        device="cpu",
        random_state=0,
        callbacks=[Checkpoint(dirname=str(tmp_path), load_best=True)],
    )
    with pytest.raises(
        ValueError,
        match=r"Checkpoint\(load_best=True\) cannot be used when "
        r"training in several processes.*early_stopping",
    ):
        est.fit(digits())


def test_a_single_process_trains_as_before(tmp_path):
    # No process group: the fit takes the one-process path.
    assert not dist.is_initialized()
    est = ESTIMATORS["vae"]().fit(digits())
    assert est.net_.distributed_ is None and len(est.loss_curve_) == 2


def test_the_dask_search_scores_equal_a_serial_search():
    pytest.importorskip("distributed")
    from dask.distributed import Client, LocalCluster
    from joblib import parallel_config
    from sklearn.model_selection import GridSearchCV

    X = digits()[:160]
    grid = {"n_components": [2, 4]}
    make = lambda: GridSearchCV(  # noqa: E731
        VariationalAutoencoder(hidden_layer_sizes=(8,), max_iter=2, device="cpu", random_state=0),
        grid,
        cv=2,
        n_jobs=-1,
    )
    serial = make().set_params(n_jobs=None).fit(X)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        with parallel_config(backend="dask"):
            clustered = make().fit(X)
    np.testing.assert_allclose(
        clustered.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"], rtol=1e-6
    )
    assert clustered.best_params_ == serial.best_params_


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
