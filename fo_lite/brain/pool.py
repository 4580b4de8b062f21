"""The default worker processes for decoding and hashing, reused across calls.

Decoding is mostly Python (Pillow's file handling) and holds the GIL, so threads do not use a
second core; processes do. Starting them costs up to half a second, so one pool is kept for
the life of the interpreter (shut down at exit) and reused by every call with the same number
of workers.

How they start: in a notebook or a console (``__main__`` is no file) with ``spawn``, which is
safe beside the kernel's threads; from a script with ``fork``, because ``spawn`` would run the
script's top-level code again in every worker (Python's "main module" rule), which a script
written without ``if __name__ == "__main__":`` does not survive.
"""

from __future__ import annotations

import atexit
import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

__all__ = ["default_pool", "shutdown_pool"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0


def _start_method() -> str:
    main = sys.modules.get("__main__")
    from_file = getattr(main, "__file__", None) is not None
    if from_file and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def default_pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool of ``workers`` processes, started (or restarted) if needed."""
    global _pool, _workers
    with _lock:
        if _pool is None or _workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context(_start_method())
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
