"""Run :func:`fo_lite.brain.batch.hash_chunk` over many files, on any executor, with a bar.

Files go out in chunks (a few hundred each: little per-task overhead, and the bar moves);
the results come back in any order and are stitched into whole-collection arrays in input
order. Which executor:

- ``executor`` given (a thread or process pool, ``dask_client.get_executor()``...): used as it
  is and not shut down;
- else, from :data:`PROCESS_THRESHOLD` files on and unless ``num_workers=1``: this process and
  ``num_workers - 1`` worker processes of :mod:`fo_lite.brain.pool` (default: one per core).
  The workers take chunks from the front, this process from the back (the chunks no worker has
  started yet), so no core waits and this process's own results are never pickled;
- else in this process, chunk after chunk.

Unreadable files never raise: they come back in ``failed`` and one warning counts them.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor, Future, as_completed
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from tqdm.auto import tqdm

from fo_lite.brain import pool
from fo_lite.brain.batch import ChunkResult, hash_chunk
from fo_lite.brain.decode import THUMB
from fo_lite.brain.variants import VARIANTS

__all__ = ["PROCESS_THRESHOLD", "run"]

#: from this many files on, the default is worker processes rather than this process
PROCESS_THRESHOLD = 2000
#: show a progress bar by default from this many files on
PROGRESS_THRESHOLD = 1000


def check_workers(num_workers: object) -> None:
    """Raise for a ``num_workers`` that is not None or a positive int."""
    if num_workers is not None and (
        isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 1
    ):
        raise ValueError(f"num_workers must be a positive int or None, got {num_workers!r}")


def run(
    paths: Sequence[str],
    method: str,
    hash_size: int,
    near: bool,
    num_workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    desc: str = "Hashing images",
) -> ChunkResult:
    """Decode and hash every path (one result from row 0); see the module docstring for
    where the work runs."""
    check_workers(num_workers)
    n = len(paths)
    bits_per = hash_size * hash_size
    out = ChunkResult(
        start=0,
        ok=np.zeros(n, dtype=bool),
        file_hashes=[None] * n,
        bits=np.zeros((n, bits_per), dtype=bool),
        thumbs=np.zeros((n, THUMB, THUMB), dtype=np.uint8) if near else None,
        variants=np.zeros((n, len(VARIANTS)), dtype=np.uint64) if near else None,
        stds=np.zeros(n, dtype=np.float32),
        colours=np.full((n, 3), np.nan, dtype=np.float32),
        failed=[],
    )
    if n == 0:
        return out
    show = n >= PROGRESS_THRESHOLD if progress is None else bool(progress)
    with tqdm(total=n, desc=desc, unit="img", disable=not show) as bar:
        workers = num_workers or os.cpu_count() or 1
        if executor is None and (workers == 1 or n < PROCESS_THRESHOLD):
            step = max(64, min(2048, math.ceil(n / 50)))
            for start in range(0, n, step):
                part = hash_chunk(paths[start : start + step], start, method, hash_size, near)
                _place(out, part, bar)
        elif executor is not None:
            _run_on(executor, paths, method, hash_size, near, out, bar)
        else:
            with pool.worker_pool(workers - 1) as workers_pool:
                try:
                    _run_on(workers_pool, paths, method, hash_size, near, out, bar, here=True)
                except BrokenProcessPool:  # a worker died (killed, out of memory)
                    pool.shutdown_pool(wait=False)  # start afresh next time
                    raise
    if out.failed:
        out.failed.sort()
        shown = "; ".join(f"{p!r} ({why})" for _, p, why in out.failed[:3])
        more = f"; and {len(out.failed) - 3} more" if len(out.failed) > 3 else ""
        warnings.warn(
            f"could not read or decode {len(out.failed)} of {n} images; they get no hash and "
            f"are never grouped: {shown}{more}",
            RuntimeWarning,
            stacklevel=3,
        )
    return out


def _run_on(target, paths, method, hash_size, near, out, bar, here: bool = False) -> None:
    n = len(paths)
    # ~64 chunks, 64 to 1024 files each: per-task overhead (pickling, dask) stays noise,
    # every worker stays busy, and the bar moves
    step = min(1024, max(64, math.ceil(n / 64)))
    futures: dict[Future, int] = {}
    try:
        for start in range(0, n, step):
            chunk = list(paths[start : start + step])
            futures[target.submit(hash_chunk, chunk, start, method, hash_size, near)] = start
        if here:  # from the back: a chunk no worker has taken yet is ours
            for fut in reversed(list(futures)):
                if not fut.cancel():
                    break
                start = futures.pop(fut)
                part = hash_chunk(paths[start : start + step], start, method, hash_size, near)
                _place(out, part, bar)
        for fut in as_completed(futures):
            part = fut.result()
            _place(out, part, bar)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _place(out: ChunkResult, part: ChunkResult, bar) -> None:
    """Copy one chunk's results into ``out`` at their rows, and move the bar."""
    s = slice(part.start, part.start + len(part.ok))
    out.ok[s] = part.ok
    out.file_hashes[s] = part.file_hashes
    out.bits[s] = part.bits
    out.stds[s] = part.stds
    out.colours[s] = part.colours
    if out.thumbs is not None:
        out.thumbs[s] = part.thumbs
        out.variants[s] = part.variants
    out.failed.extend(part.failed)
    bar.update(len(part.ok))
