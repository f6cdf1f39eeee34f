"""skgen's global configuration, in the manner of ``sklearn.set_config``.

Two settings of the CPU on which skgen trains or runs a network:

* ``n_threads``: how many CPU threads torch uses. torch starts one thread
  per core and its OpenMP threads spin while they wait for each other; on
  a small machine, or one where another process keeps a core busy, that
  makes a fit several times slower than with fewer threads
  (``bench/bench_threads.py``).
* ``flush_denormal``: whether subnormal floats (below about 1.2e-38 in
  float32) are flushed to zero. Adam's moment estimates of weights whose
  gradient stops (a dead ReLU unit, a pixel that is rarely inked) decay by
  ``beta1`` a step into subnormal numbers, and stay there: ``0.9`` times
  the smallest subnormal rounds back to itself. x86 CPUs handle such
  numbers several times slower, so a dense network's epochs grow slower as
  it trains (``bench/bench_autoencoders.py``).
"""

import functools
import os
import threading
from contextlib import contextmanager

import torch

_DEFAULTS = {"n_threads": "auto", "flush_denormal": True}
_local = threading.local()
# Variables with which a user has already chosen the thread count.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """The current values of skgen's global settings.

    Returns
    -------
    config : dict
        ``{"n_threads": ..., "flush_denormal": ...}``; see :func:`set_config`.

    Examples
    --------
    >>> import skgen
    >>> skgen.get_config()["n_threads"]
    'auto'
    """
    return dict(_config())


def _check_n_threads(n_threads):
    if n_threads in ("auto", "torch") or n_threads is None:
        return
    if isinstance(n_threads, bool) or not isinstance(n_threads, int) or n_threads < 1:
        raise ValueError(
            f"n_threads must be 'auto', 'torch', None or an int >= 1; got {n_threads!r}."
        )


def _check_flush_denormal(flush_denormal):
    if flush_denormal is not None and not isinstance(flush_denormal, bool):
        raise ValueError(f"flush_denormal must be True, False or None; got {flush_denormal!r}.")


def set_config(n_threads=None, flush_denormal=None):
    """Set skgen's global settings (for this thread of the program).

    Parameters
    ----------
    n_threads : "auto", "torch", int or None, default=None
        CPU threads torch may use while skgen trains, samples or transforms;
        the previous count is restored after each call.

        - ``"auto"`` (the initial value): one per two logical CPUs of this
          process (one on a 2-CPU machine), never more than torch already
          uses; torch's own count when ``OMP_NUM_THREADS`` or
          ``MKL_NUM_THREADS`` is set.
        - ``"torch"``: torch's count as it is (``torch.set_num_threads``,
          ``threadpoolctl``).
        - an int: exactly that many.
        - None leaves the setting unchanged.

    flush_denormal : bool or None, default=None
        Whether subnormal floats are flushed to zero on the CPU while skgen
        trains, samples or transforms (``torch.set_flush_denormal``), the
        previous mode being restored after each call. True (the initial
        value) keeps a dense network's training steps at full speed once
        Adam's moment estimates of idle weights have decayed below about
        1.2e-38, where x86 CPUs slow down several times; it changes only
        values that small. False leaves torch's mode as it is. None leaves
        the setting unchanged.

    Examples
    --------
    >>> import skgen
    >>> skgen.set_config(n_threads=1)
    >>> skgen.get_config()["n_threads"]
    1
    >>> skgen.set_config(n_threads="auto")
    """
    _check_flush_denormal(flush_denormal)  # both checked before either is set
    if n_threads is not None:
        _check_n_threads(n_threads)
        _config()["n_threads"] = n_threads
    if flush_denormal is not None:
        _config()["flush_denormal"] = flush_denormal


@contextmanager
def config_context(*, n_threads=None, flush_denormal=None):
    """Change skgen's global settings inside a ``with`` block.

    Parameters
    ----------
    n_threads : "auto", "torch", int or None, default=None
        See :func:`set_config`; None keeps the current value.
    flush_denormal : bool or None, default=None
        See :func:`set_config`; None keeps the current value.

    Yields
    ------
    None

    Examples
    --------
    >>> import skgen
    >>> with skgen.config_context(n_threads=2):
    ...     skgen.get_config()["n_threads"]
    2
    >>> skgen.get_config()["n_threads"]
    'auto'
    """
    old = get_config()
    set_config(n_threads=n_threads, flush_denormal=flush_denormal)
    try:
        yield
    finally:
        _config().update(old)


def _available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def threads_to_use():
    """The torch thread count for the next network call, or None to keep
    torch's current one."""
    n_threads = _config()["n_threads"]
    if n_threads == "torch":
        return None
    if n_threads != "auto":
        return n_threads
    if any(os.environ.get(name) for name in _THREAD_VARIABLES):
        return None
    return max(1, min(torch.get_num_threads(), _available_cpus() // 2))


def _flushing_denormals():
    """Whether the CPU flushes subnormal floats to zero now (torch has no
    getter: a subnormal times one is zero when it does)."""
    return torch.tensor([1e-40]).mul_(1.0).item() == 0.0


@contextmanager
def cpu_settings():
    """Run a block with :func:`threads_to_use` torch threads and, with
    ``flush_denormal``, subnormal floats flushed to zero; then restore both.
    Nested blocks (a fit that samples) change nothing more."""
    wanted = threads_to_use()
    current = torch.get_num_threads()
    flush = _config()["flush_denormal"] and not _flushing_denormals()
    if wanted is not None and wanted != current:
        torch.set_num_threads(wanted)
    else:
        wanted = None
    if flush:
        # False where the CPU cannot flush them: then there is nothing to undo.
        flush = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if flush:
            torch.set_flush_denormal(False)
        if wanted is not None:
            torch.set_num_threads(current)


def with_cpu_settings(method):
    """Decorate a method to run under :func:`cpu_settings`."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with cpu_settings():
            return method(*args, **kwargs)

    return wrapper
