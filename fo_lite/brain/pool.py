"""The default worker processes for decoding and hashing.

Decoding is mostly Python (Pillow's file handling) and holds the GIL, so threads do not use a
second core; processes do. How they start depends on where fo_lite runs:

- in a notebook or a console (``__main__`` is no file): ``spawn``, safe beside the kernel's
  threads. A spawned worker costs about half a second to start, so one pool is kept for the
  life of the interpreter (shut down at exit) and reused by every call with as many workers;
- from a script: ``fork``, because ``spawn`` would run the script's top-level code again in
  every worker (Python's "main module" rule), which a script written without
  ``if __name__ == "__main__":`` does not survive. Forking is cheap, and a forked worker holds
  copies of every file and pipe its parent had open, so those workers live for one call only:
  a worker kept alive would keep, say, a server's output pipe open after its parent closed it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["shutdown_pool", "start_method", "worker_pool"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def start_method() -> str:
    """How worker processes start here: "fork" from a script, "spawn" in a notebook."""
    main = sys.modules.get("__main__")
    from_file = getattr(main, "__file__", None) is not None
    if from_file and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """Worker processes for one call: the shared spawned pool, or a forked one of its own."""
    if start_method() == "fork":
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    yield _shared(workers)


def _shared(workers: int) -> ProcessPoolExecutor:
    global _pool, _workers
    with _lock:
        if _pool is None or _workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("spawn")
            _pool, _workers = ProcessPoolExecutor(workers, mp_context=context), workers
        return _pool


def shutdown_pool(wait: bool = True) -> None:
    """Stop the shared workers (they start again when next needed; call after a worker died)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=wait, cancel_futures=True)
            _pool = None


atexit.register(shutdown_pool)
