"""File hashes: :func:`compute_filehash` for one file, :func:`compute_filehashes` for many.

The default method is **xxh3_128** (XXH3, 128-bit, seed 0, from the ``xxhash`` package): a
32-character lowercase hex string that depends only on the file's bytes, so it is the same in
every process and on every machine (unlike Python's salted ``hash()``). Any ``hashlib``
algorithm (``"md5"``, ``"sha1"``, ``"sha256"``, ...) and the xxhash variants ``"xxh64"``,
``"xxh3_64"`` and ``"xxh128"`` (same as ``"xxh3_128"``) are available by name.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed

import xxhash

__all__ = ["DEFAULT_METHOD", "compute_filehash", "compute_filehashes", "hash_methods"]

DEFAULT_METHOD = "xxh3_128"
#: read size: files below it are read and hashed in one go, bigger ones streamed in chunks
CHUNK_SIZE = 1 << 20
#: show a progress bar by default from this many files on
PROGRESS_THRESHOLD = 1000

# name -> (one-shot hex function, incremental hasher factory)
_XXHASH: dict[str, tuple[Callable[[bytes], str], Callable[[], object]]] = {
    "xxh3_128": (xxhash.xxh3_128_hexdigest, xxhash.xxh3_128),
    "xxh128": (xxhash.xxh3_128_hexdigest, xxhash.xxh3_128),
    "xxh3_64": (xxhash.xxh3_64_hexdigest, xxhash.xxh3_64),
    "xxh64": (xxhash.xxh64_hexdigest, xxhash.xxh64),
}


def hash_methods() -> list[str]:
    """The method names :func:`compute_filehash` accepts (xxhash variants, then hashlib's)."""
    hashlib_names = sorted(
        n for n in hashlib.algorithms_available if not n.startswith("shake") and n.islower()
    )
    return list(_XXHASH) + [n for n in hashlib_names if n not in _XXHASH]


def _resolve(method: str | None) -> tuple[Callable[[bytes], str], Callable[[], object]]:
    if method is None:
        return _XXHASH[DEFAULT_METHOD]
    name = method
    if isinstance(name, str):
        key = name.lower()
        if key in _XXHASH:
            return _XXHASH[key]
        if not key.startswith("shake") and key in {a.lower() for a in hashlib.algorithms_available}:
            try:
                hashlib.new(key)
            except ValueError:
                pass
            else:
                return (lambda data: hashlib.new(key, data).hexdigest()), (lambda: hashlib.new(key))
    raise ValueError(
        f"unknown hash method {method!r}; choose one of {hash_methods()} "
        f"(None means {DEFAULT_METHOD!r})"
    )


def compute_filehash(filepath: str | os.PathLike, method: str | None = None) -> str:
    """Return the hex hash of a file's bytes (default ``xxh3_128``; see :func:`hash_methods`).

    Files under 1 MiB are read in one call; bigger files are streamed in 1 MiB chunks, so
    memory stays flat. Raises ``OSError`` (e.g. ``FileNotFoundError``) if the file cannot be
    read and ``ValueError`` for an unknown method.

    Example::

        compute_filehash("cat.jpg")                 # 'b3e1...' (32 hex chars, xxh3_128)
        compute_filehash("cat.jpg", method="md5")   # same as hashlib.md5(bytes).hexdigest()
    """
    oneshot, factory = _resolve(method)
    return _hash_file(os.fspath(filepath), oneshot, factory)


def _hash_file(path: str, oneshot: Callable[[bytes], str], factory: Callable[[], object]) -> str:
    # os.open/os.read: no file object per call, a third faster than open() on small files
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, CHUNK_SIZE)
        more = os.read(fd, CHUNK_SIZE)  # b"" at EOF; never trust a short read to mean EOF
        if not more:
            return oneshot(data)
        h = factory()
        h.update(data)  # type: ignore[attr-defined]
        while more:
            h.update(more)  # type: ignore[attr-defined]
            more = os.read(fd, CHUNK_SIZE)
        return h.hexdigest()  # type: ignore[attr-defined]
    finally:
        os.close(fd)


def _hash_chunk(
    paths: Sequence[object], method: str | None, start: int = 0
) -> tuple[list[str | None], list[tuple[int, str, str]]]:
    """Hash a run of files; failures give None plus (position, path, reason). Picklable."""
    oneshot, factory = _resolve(method)
    out: list[str | None] = []
    failed: list[tuple[int, str, str]] = []
    for k, p in enumerate(paths):
        try:
            out.append(_hash_file(os.fspath(p), oneshot, factory))  # type: ignore[arg-type]
        except (OSError, ValueError, TypeError) as e:
            out.append(None)
            why = getattr(e, "strerror", None) or str(e) or type(e).__name__
            failed.append((start + k, str(p), why))
    return out, failed


def compute_filehashes(
    filepaths: Sequence[str],
    method: str | None = None,
    num_workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> list[str | None]:
    """Hash many files in parallel; return the hashes in input order.

    Reads run in a thread pool (hashing and file reads release the GIL) of ``num_workers``
    threads (default: ``min(4, cpu_count)``; ``num_workers=1`` hashes inline). A given
    ``executor`` (e.g. a ``ProcessPoolExecutor`` or a dask client's ``get_executor()``) is used
    as is, and not shut down; files are submitted in chunks so per-task overhead stays small.
    A progress bar (tqdm.auto) shows by default from 1,000 files on. A file that cannot be read
    gets ``None`` and one warning counts all such files and names the first few; nothing raises
    for an unreadable file.

    Example::

        hashes = compute_filehashes(paths)                   # ['1f0c...', None, ...]
        hashes = compute_filehashes(paths, method="md5", num_workers=4)
    """
    _resolve(method)  # a bad method fails before any work
    paths = list(filepaths)
    n = len(paths)
    if num_workers is not None and (not isinstance(num_workers, int) or num_workers < 1):
        raise ValueError(f"num_workers must be a positive int or None, got {num_workers!r}")
    results: list[str | None] = [None] * n
    failed: list[tuple[int, str, str]] = []
    if n == 0:
        return results
    show = n >= PROGRESS_THRESHOLD if progress is None else bool(progress)
    bar = _progress_bar(n, show)
    try:
        if executor is None and (num_workers == 1 or n < 64):
            step = max(1, min(4096, n // 50 + 1))
            for start in range(0, n, step):
                hashes, bad = _hash_chunk(paths[start : start + step], method, start)
                results[start : start + step] = hashes
                failed.extend(bad)
                bar.update(len(hashes))
        else:
            _run_parallel(paths, method, num_workers, executor, results, failed, bar)
    finally:
        bar.close()
    if failed:
        _warn_failures(failed, n)
    return results


def _run_parallel(paths, method, num_workers, executor, results, failed, bar) -> None:
    n = len(paths)
    # more threads than cores only adds GIL contention when files are in the page cache
    workers = num_workers or min(4, os.cpu_count() or 1)
    # ~64 chunks: few enough that per-task overhead (threads, pickling, dask) is noise,
    # enough that all workers stay busy and the bar moves
    step = min(4096, max(32, math.ceil(n / 64)))
    own = executor is None
    pool = ThreadPoolExecutor(max_workers=workers) if own else executor
    futures: dict[Future, int] = {}
    try:
        for start in range(0, n, step):
            futures[pool.submit(_hash_chunk, paths[start : start + step], method, start)] = start
        for fut in as_completed(futures):
            start = futures[fut]
            hashes, bad = fut.result()
            results[start : start + len(hashes)] = hashes
            failed.extend(bad)
            bar.update(len(hashes))
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _warn_failures(failed: list[tuple[int, str, str]], n: int) -> None:
    failed.sort()  # chunks finish in any order: name the first failures in input order
    shown = "; ".join(f"{p!r} ({why})" for _, p, why in failed[:3])
    more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
    warnings.warn(
        f"could not read {len(failed)} of {n} files; their hash is None: {shown}{more}",
        RuntimeWarning,
        stacklevel=3,
    )


class _NoBar:
    def update(self, k: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, show: bool):
    if not show:
        return _NoBar()
    from tqdm.auto import tqdm  # imported only when shown: keeps `import fo_lite` fast

    return tqdm(total=total, desc="Hashing files", unit="file")
