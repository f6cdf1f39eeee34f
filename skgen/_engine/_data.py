"""Training data: tensors held in memory, or an array streamed from disk.

Both kinds offer what the training loop and the families' hooks use:
``len``, ``batches`` (an epoch's mini-batches, shuffled and sharded over a
process group), ``eval_batches`` (a pass in order, for calibration),
``split`` (a held-out part), ``map`` (the data through a trained encoder,
for greedy pretraining) and ``materialize``.

``TensorData`` is the fast path: one float32 tensor, on the training device.
``ChunkedData`` reads an ``ArraySource`` (an ``np.memmap``, ``h5py`` or
``zarr`` array, dask array, anything with ``shape``, ``dtype`` and row
slicing) in contiguous blocks: each epoch shuffles the blocks' order, reads
``BLOCKS_PER_BUFFER`` of them at a time into a buffer whose rows are
shuffled together, and converts and scales rows to float32 a buffer at a
time, so memory stays bounded by a few buffers whatever the file's size.
"""

import math
import mmap
import multiprocessing
import os

import numpy as np
import scipy.sparse as sp
import torch

from ._inference import INFERENCE_BATCH_SIZE, tensor_batches
from ._scaling import DataStats

# Rows are read in contiguous blocks of about BLOCK_BYTES (as float32);
# BLOCKS_PER_BUFFER random blocks make a buffer, shuffled as one.
BLOCK_BYTES = 4 << 20
BLOCKS_PER_BUFFER = 8
# An array held in memory whose float32 copy would exceed this is streamed
# like a file instead of copied whole.
IN_MEMORY_LIMIT = 2 << 30


def block_rows(n_features):
    """Rows of one contiguous read: about ``BLOCK_BYTES`` as float32."""
    return max(1, BLOCK_BYTES // (4 * n_features))


def is_streamed(X):
    """Whether ``X`` is read in chunks rather than validated into memory.

    Memory maps and array-likes that numpy does not hold (h5py, zarr,
    dask, ...) with at least two dimensions are; so is a numeric array in
    memory whose float32 copy exceeds ``IN_MEMORY_LIMIT``. Lists, frames,
    sparse matrices and tensors are not.
    """
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) < 2 or getattr(X, "dtype", None) is None:
        return False
    if isinstance(X, np.memmap):
        return True
    if isinstance(X, np.ndarray):
        return X.dtype.kind in "biuf" and X.size * 4 > IN_MEMORY_LIMIT
    if torch.is_tensor(X) or sp.issparse(X) or hasattr(X, "columns"):
        return False
    return hasattr(X, "__getitem__")


def _reopener(X):
    """A function that opens ``X`` again in another process, or None.

    An HDF5 file handle must not cross a fork: a loader worker reopens
    the file by name.
    """
    if type(X).__module__.startswith("h5py"):
        filename, name = X.file.filename, X.name

        def reopen():
            import h5py

            return h5py.File(filename, "r")[name]

        return reopen
    return None


def _release_pages(array, start, stop):
    """Drop the pages of rows ``start:stop`` of a memory map from this
    process's resident memory once they are copied (they stay in the page
    cache), so that reading a large file does not grow the process."""
    mm = getattr(array, "_mmap", None)
    madvise = getattr(mm, "madvise", None)
    if madvise is None or array.mode == "c" or not array.flags.c_contiguous:
        return  # a copy-on-write map would lose its changes
    try:
        base = np.frombuffer(mm, np.uint8).ctypes.data
        first = array.ctypes.data - base + start * array.strides[0]
        last = first + (stop - start) * array.strides[0]
        page = mmap.PAGESIZE
        first -= first % page
        last = min(-(-last // page) * page, len(mm))
        if last > first:
            madvise(mmap.MADV_DONTNEED, first, last - first)
    except (AttributeError, BufferError, OSError, ValueError):
        pass


class ArraySource:
    """A large array-like read by row ranges and validated as it is read.

    Slicing rows (``source[a:b]``) reads them, flattens images, converts
    them to ``dtype`` (float32 for float32 data, else float64, as
    ``check_array``) and checks that they are finite, so inference passes
    it where a validated array goes.
    """

    ndim = 2

    def __init__(self, X, estimator_name):
        self.array = X
        self.estimator_name = estimator_name
        shape = tuple(int(s) for s in X.shape)
        self.sample_shape = shape[1:]
        self.shape = (shape[0], int(np.prod(shape[1:])))
        self.raw_dtype = np.dtype(X.dtype)
        self.dtype = np.dtype(np.float32 if self.raw_dtype == np.float32 else np.float64)
        self._reopen = _reopener(X)
        self._pid = os.getpid()

    def __len__(self):
        return self.shape[0]

    @property
    def n_features(self):
        return self.shape[1]

    def __getitem__(self, key):
        start, stop, step = key.indices(self.shape[0])
        if step != 1:
            raise IndexError("An ArraySource reads contiguous rows only.")
        return self.read(start, stop)

    def _array(self):
        if self._reopen is not None and os.getpid() != self._pid:
            self.array, self._pid = self._reopen(), os.getpid()
        return self.array

    def read(self, start, stop, dtype=None):
        """Rows ``start:stop`` as a 2-D array of ``dtype`` (default ``dtype``)."""
        out = np.empty((stop - start, self.n_features), dtype=dtype or self.dtype)
        self.read_into(start, stop, out)
        return out

    def read_into(self, start, stop, out):
        """Read rows ``start:stop`` into the float array ``out``, converting
        them there (no converted copy of their own)."""
        array = self._array()
        raw = np.asarray(array[start:stop])
        out[...] = raw.reshape(raw.shape[0], -1)
        if isinstance(array, np.memmap):
            _release_pages(array, start, stop)
        if raw.dtype.kind == "f" and not np.isfinite(out).all():
            what = (
                "NaN" if np.isnan(out).any() else f"infinity or a value too large for {out.dtype!r}"
            )
            raise ValueError(
                f"Input X contains {what} in rows {start} to {stop - 1}. "
                f"{self.estimator_name} does not accept missing or infinite values: "
                "drop or impute them first."
            )

    def stats(self):
        """``DataStats`` of every row: one pass, validating as it reads."""
        rows = block_rows(self.n_features)
        stats = None
        for start in range(0, self.shape[0], rows):
            part = DataStats.of(self.read(start, min(start + rows, self.shape[0])))
            stats = part if stats is None else stats.merge(part)
        return stats


class TensorData(torch.utils.data.Dataset):
    """Training data held in memory: ``X`` and optional ``y`` tensors.

    A ``Dataset`` with a length, so skorch callbacks that size epochs
    (``ProgressBar``) work; the loop itself slices the tensors directly.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, i):
        return self.X[i], (None if self.y is None else self.y[i])

    def batches(self, batch_size, **kwargs):
        return TensorBatches(self, batch_size, **kwargs)

    def eval_batches(self, batch_size=INFERENCE_BATCH_SIZE):
        """``(X, y)`` batches in order, on the data's device."""
        return tensor_batches(self.X, self.y, batch_size=batch_size)

    def split(self, n_valid, rng):
        """``(rest, held_out)``: ``n_valid`` random rows held out."""
        perm = torch.from_numpy(rng.permutation(len(self))).to(self.X.device)
        tensors = (self.X, self.y)
        return tuple(
            TensorData(*(None if t is None else t[part] for t in tensors))
            for part in (perm[n_valid:], perm[:n_valid])
        )

    @property
    def device(self):
        return self.X.device

    def to(self, device):
        return TensorData(*(None if t is None else t.to(device) for t in (self.X, self.y)))

    def map(self, fn):
        """The rows through ``fn`` (a trained encoder), computed now."""
        return TensorData(fn(self.X), self.y)

    def materialize(self):
        return self


class TensorBatches:
    """Mini-batches ``(X, y)`` of a ``TensorData``, skorch's batch format.

    ``y`` is None for unconditional models. With ``shuffle`` a fresh
    permutation is drawn from ``generator`` each epoch and every batch
    gathers its rows; otherwise batches are plain views. Batches are moved
    to ``device`` when the data lives elsewhere.
    """

    def __init__(
        self, data, batch_size, *, shuffle, generator=None, device=None, rank=0, world_size=1
    ):
        self.tensors = (data.X,) if data.y is None else (data.X, data.y)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.generator = generator
        self.device = device
        self.rank, self.world_size = rank, world_size
        self.n_samples = data.X.shape[0]
        # Each of world_size processes takes every world_size-th row from
        # its rank on, of the first n - n % world_size: equal batch counts.
        self.n_local = self.n_samples // world_size

    def __len__(self):
        return math.ceil(self.n_local / self.batch_size)

    def __iter__(self):
        n, bs, tensors = self.n_local, self.batch_size, self.tensors
        move = self.device is not None and tensors[0].device != self.device
        perm = None
        if self.shuffle:
            gen_device = self.generator.device if self.generator is not None else "cpu"
            perm = torch.randperm(self.n_samples, generator=self.generator, device=gen_device)
            perm = perm.to(tensors[0].device)
        if self.world_size > 1:
            if perm is None:
                perm = torch.arange(self.n_samples, device=tensors[0].device)
            perm = perm[self.rank : n * self.world_size : self.world_size]
        for start in range(0, n, bs):
            if perm is None:
                batch = [t[start : start + bs] for t in tensors]
            else:
                idx = perm[start : start + bs]
                batch = [t.index_select(0, idx) for t in tensors]
            if move:
                batch = [t.to(self.device, non_blocking=True) for t in batch]
            yield (batch[0], batch[1] if len(batch) > 1 else None)


def _indices(ranges):
    return torch.cat([torch.arange(a, b) for a, b in ranges])


def _coalesce(ranges):
    """Sorted ranges, adjacent ones joined."""
    out = []
    for a, b in sorted(ranges):
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        elif b > a:
            out.append((a, b))
    return out


class ChunkedData:
    """Training rows streamed from an ``ArraySource``.

    ``ranges`` are the row ranges of the source this data covers (a
    validation split holds out whole blocks); ``y`` is an in-memory label
    tensor indexed like the source; ``preprocess`` maps float32 rows to the
    network's space (the scaler) and must keep them float32; ``maps`` are
    functions applied to every batch on the training device (the trained
    encoders of greedy pretraining). ``workers`` loader processes read and
    convert buffers ahead of the training loop. Batches of
    ``eval_batches`` go to ``device``; training batches to the net's.
    """

    def __init__(
        self, source, y=None, *, preprocess, ranges=None, maps=(), workers=0, device="cpu"
    ):
        self.source, self.y = source, y
        self.preprocess, self.maps, self.workers = preprocess, tuple(maps), workers
        self.device = torch.device(device)
        self.ranges = [(0, len(source))] if ranges is None else ranges
        self.block_rows = block_rows(source.n_features)

    def __len__(self):
        return sum(b - a for a, b in self.ranges)

    def _with(self, **changes):
        kwargs = dict(
            preprocess=self.preprocess,
            ranges=self.ranges,
            maps=self.maps,
            workers=self.workers,
            device=self.device,
        )
        kwargs.update(changes)
        return ChunkedData(self.source, self.y, **kwargs)

    def _blocks(self):
        br = self.block_rows
        return [(s, min(s + br, b)) for a, b in self.ranges for s in range(a, b, br)]

    def split(self, n_valid, rng):
        """``(rest, held_out)``: random blocks holding ``n_valid`` rows held
        out (the last one cut to size), kept as row ranges."""
        blocks = self._blocks()
        held, rest, count = [], [], 0
        for i in rng.permutation(len(blocks)):
            a, b = blocks[i]
            take = min(b - a, max(n_valid - count, 0))
            held.append((a, a + take))
            rest.append((a + take, b))
            count += take
        return self._with(ranges=_coalesce(rest)), self._with(ranges=_coalesce(held))

    def to(self, device):
        """The same rows, their batches moved to ``device`` as they are read."""
        return self._with(device=device)

    def map(self, fn):
        """The rows through ``fn``, applied to each batch as it is read."""
        return self._with(maps=self.maps + (fn,))

    def load(self, ranges):
        """The rows of ``ranges`` as one float32 tensor, scaled."""
        rows = np.empty((sum(b - a for a, b in ranges), self.source.n_features), np.float32)
        at = 0
        for a, b in ranges:
            self.source.read_into(a, b, rows[at : at + b - a])
            at += b - a
        rows = self.preprocess(rows)
        return torch.from_numpy(np.ascontiguousarray(rows, dtype=np.float32))

    def _apply_maps(self, x):
        if self.maps:
            with torch.no_grad():
                for fn in self.maps:
                    x = fn(x)
        return x

    def eval_batches(self, batch_size=INFERENCE_BATCH_SIZE):
        """``(X, y)`` batches in order, moved to ``device``."""
        device = self.device
        for ranges in self.buffers():
            x = self.load(ranges)
            y = None if self.y is None else self.y[_indices(ranges)]
            for xb, yb in tensor_batches(x, y, batch_size=batch_size):
                xb = self._apply_maps(xb.to(device))
                yield xb, (None if yb is None else yb.to(device))

    def materialize(self):
        """The rows in memory, as a ``TensorData`` (for small held-out parts)."""
        parts = list(self._with(device="cpu").eval_batches())
        x = torch.cat([x for x, _ in parts])
        return TensorData(x, None if self.y is None else torch.cat([y for _, y in parts]))

    def batches(self, batch_size, **kwargs):
        return ChunkBatches(self, batch_size, **kwargs)

    def buffers(self, generator=None):
        """One epoch's buffers: lists of row ranges, each a few random
        blocks (in order without ``generator``)."""
        blocks = self._blocks()
        if generator is not None:
            order = torch.randperm(
                len(blocks), generator=generator, device=generator.device
            ).tolist()
            blocks = [blocks[i] for i in order]
        step = BLOCKS_PER_BUFFER
        return [sorted(blocks[i : i + step]) for i in range(0, len(blocks), step)]

    def read_buffers(self, buffers):
        """The buffers' rows, read by ``workers`` processes ahead of use."""
        if self.workers == 0:
            for ranges in buffers:
                yield self.load(ranges)
            return
        methods = multiprocessing.get_all_start_methods()
        loader = torch.utils.data.DataLoader(
            _BufferReader(self),
            batch_size=None,
            sampler=buffers,
            num_workers=self.workers,
            multiprocessing_context="fork" if "fork" in methods else None,
        )
        yield from loader


class _BufferReader(torch.utils.data.Dataset):
    """What a loader worker runs: a buffer's ranges to its rows."""

    def __init__(self, data):
        self.data = data

    def __len__(self):
        return len(self.data)

    def __getitem__(self, ranges):
        return self.data.load(ranges)


class ChunkBatches:
    """An epoch of mini-batches ``(X, y)`` of a ``ChunkedData``.

    Rows of each buffer are permuted with ``generator`` (with ``shuffle``);
    rows a buffer leaves over start the next one's first batch, so every
    batch but the last has ``batch_size`` rows, as in memory. In a process
    group each process takes every ``world_size``-th row of the epoch's
    stream from its rank on, of the first ``n - n % world_size``: every
    process reads every buffer and trains on the same number of batches.
    """

    def __init__(
        self, data, batch_size, *, shuffle, generator=None, device=None, rank=0, world_size=1
    ):
        self.data, self.batch_size = data, int(batch_size)
        self.generator = generator if shuffle else None
        self.device = torch.device("cpu") if device is None else device
        self.rank, self.world_size = rank, world_size
        self.n_local = len(data) // world_size

    def __len__(self):
        return math.ceil(self.n_local / self.batch_size)

    def _batch(self, x, rows, idx):
        """The batch of buffer rows ``rows`` (source rows ``idx``), moved."""
        data, device = self.data, self.device
        x = data._apply_maps(x.index_select(0, rows).to(device, non_blocking=True))
        y = None if data.y is None else data.y[idx].to(device, non_blocking=True)
        return x, y

    def __iter__(self):
        data, bs, gen, world = self.data, self.batch_size, self.generator, self.world_size
        total = self.n_local * world
        buffers = data.buffers(gen)
        offset = 0
        carry = None  # rows a buffer left over, and their source rows
        for ranges, x in zip(buffers, data.read_buffers(buffers)):
            idx = _indices(ranges)
            m = x.shape[0]
            order = (
                torch.randperm(m, generator=gen, device=gen.device).cpu()
                if gen is not None
                else torch.arange(m)
            )
            if world > 1:
                order = order[(self.rank - offset) % world : max(min(m, total - offset), 0) : world]
            offset += m
            start = 0
            if carry is not None:
                # Complete the previous buffer's last batch with this one's rows.
                start = min(bs - carry[0].shape[0], order.shape[0])
                carry = (
                    torch.cat([carry[0], x.index_select(0, order[:start])]),
                    torch.cat([carry[1], idx[order[:start]]]),
                )
                if carry[0].shape[0] < bs:
                    continue
                yield self._batch(carry[0], torch.arange(bs), carry[1])
                carry = None
            full = start + (order.shape[0] - start) // bs * bs
            for s in range(start, full, bs):
                yield self._batch(x, order[s : s + bs], idx[order[s : s + bs]])
            if full < order.shape[0]:
                rest = order[full:]
                carry = (x.index_select(0, rest), idx[rest])
        if carry is not None and carry[0].shape[0]:
            yield self._batch(carry[0], torch.arange(carry[0].shape[0]), carry[1])
