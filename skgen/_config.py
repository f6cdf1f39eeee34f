"""skgen's global configuration, in the manner of ``sklearn.set_config``.

One setting so far, ``n_threads``: how many CPU threads torch uses while
skgen trains or runs a network. torch starts one thread per core and its
OpenMP threads spin while they wait for each other; on a small machine,
or one where another process keeps a core busy, that makes a fit several
times slower than with fewer threads (``bench/bench_threads.py``).
"""

import functools
import os
import threading
from contextlib import contextmanager

import torch

_DEFAULTS = {"n_threads": "auto"}
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
        ``{"n_threads": ...}``; see :func:`set_config`.

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


def set_config(n_threads=None):
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

    Examples
    --------
    >>> import skgen
    >>> skgen.set_config(n_threads=1)
    >>> skgen.get_config()["n_threads"]
    1
    >>> skgen.set_config(n_threads="auto")
    """
    if n_threads is not None:
        _check_n_threads(n_threads)
        _config()["n_threads"] = n_threads


@contextmanager
def config_context(*, n_threads=None):
    """Change skgen's global settings inside a ``with`` block.

    Parameters
    ----------
    n_threads : "auto", "torch", int or None, default=None
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
    set_config(n_threads=n_threads)
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


@contextmanager
def torch_threads():
    """Run a block with :func:`threads_to_use` torch threads, then restore
    the count. Nested blocks (a fit that samples) change nothing more."""
    wanted = threads_to_use()
    current = torch.get_num_threads()
    if wanted is None or wanted == current:
        yield
        return
    torch.set_num_threads(wanted)
    try:
        yield
    finally:
        torch.set_num_threads(current)


def with_torch_threads(method):
    """Decorate a method to run under :func:`torch_threads`."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with torch_threads():
            return method(*args, **kwargs)

    return wrapper
