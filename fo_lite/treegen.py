"""Write a generated classification tree with known duplicates, and its ground truth.

Shared by the CIFAR-100 builder (:mod:`fo_lite.zoo`) and the drawn stand-in
(:mod:`fo_lite.standin`): both write ``<dataset_dir>/<label>/<i>.jpg`` and then replace some
files by byte-identical copies of other samples' files. The ground truth is a small JSON file
*beside* the tree (``<dataset_dir>.manifest.json``), so the tree itself holds images only.
"""

from __future__ import annotations

import json
import os
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import xxhash

from fo_lite.utils.atomicdir import building_dir

__all__ = ["duplicate_plan", "manifest_path", "read_manifest", "TreeWriter"]

MANIFEST_FORMAT = 1


def duplicate_plan(size: int, fraction: float, rng: np.random.Generator) -> dict[int, int]:
    """Pick which samples become copies: ``{target index: source index}``.

    ``round(fraction * size)`` distinct targets; each source is a sample that is not a target
    (a source may be copied more than once, making groups of three or more).
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)):
        raise TypeError(f"duplicate_fraction must be a number, got {fraction!r}")
    if not 0 <= fraction < 1:
        raise ValueError(f"duplicate_fraction must be in [0, 1), got {fraction!r}")
    n_dup = min(int(round(fraction * size)), size - 1)
    if n_dup <= 0:
        return {}
    targets = rng.choice(size, size=n_dup, replace=False)
    keep = np.setdiff1d(np.arange(size), targets)
    sources = keep[rng.integers(0, len(keep), size=n_dup)]
    return {int(t): int(s) for t, s in sorted(zip(targets.tolist(), sources.tolist(), strict=True))}


def manifest_path(dataset_dir: str) -> str:
    """Where the ground truth of a generated tree lives: ``<dataset_dir>.manifest.json``."""
    return os.path.abspath(os.fspath(dataset_dir)).rstrip(os.sep) + ".manifest.json"


def read_manifest(dataset_dir: str) -> dict:
    """Return the ground truth written beside a generated tree.

    Keys: ``source`` ("cifar100" or "standin"), ``size``, ``seed``, ``duplicate_fraction``,
    ``duplicates`` (list of ``[copy, original]`` paths relative to the tree) and ``counts``:
    ``samples``, ``duplicates`` (files that are extra copies), ``duplicate_groups``,
    ``in_duplicate_groups`` (files sharing their bytes with another) and ``unique``.

    Example::

        counts = read_manifest(root)["counts"]
        assert counts["unique"] == counts["samples"] - counts["duplicates"]
    """
    path = manifest_path(dataset_dir)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no ground truth for {dataset_dir!r}: {path!r} is missing "
            "(it is written by make_image_classification_tree / cifar100_with_duplicates)"
        ) from None


class TreeWriter:
    """Context manager that writes a tree into a temporary sibling and renames it into place.

    ``labels[i]`` is sample i's folder; ``plan`` maps copy -> original (see
    :func:`duplicate_plan`). Call :meth:`write_all` with a function ``i -> JPEG bytes``.
    """

    def __init__(
        self,
        dataset_dir: str,
        labels: Sequence[str],
        plan: dict[int, int],
        overwrite: bool = False,
        meta: dict | None = None,
    ) -> None:
        self.dataset_dir = os.path.abspath(os.fspath(dataset_dir))
        self.labels = labels
        self.plan = plan
        self.meta = dict(meta or {})
        self._ctx = building_dir(self.dataset_dir, overwrite, what="dataset folder")
        self._tmp = ""
        self._digests: list[bytes] = []
        self._mtmp = ""

    def relpath(self, i: int) -> str:
        """Path of sample ``i`` relative to the tree: ``<label>/<i>.jpg``."""
        return f"{self.labels[i]}/{i}.jpg"

    def __enter__(self) -> TreeWriter:
        self._tmp = self._ctx.__enter__()
        return self

    def write_all(self, render: Callable[[int], bytes]) -> None:
        """Write every sample: originals from ``render(i)``, then the planned copies."""
        for label in sorted(set(self.labels)):
            os.mkdir(os.path.join(self._tmp, label))
        n = len(self.labels)
        digests: list[bytes] = [b""] * n
        keep: dict[int, bytes] = {}
        sources = set(self.plan.values())
        batch: list[tuple[str, bytes]] = []
        # file creation is a third of the time and releases the GIL: one writer thread
        # overlaps it with drawing and encoding, in batches to keep per-task overhead low
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: deque = deque()
            for i in range(n):
                if i in self.plan:
                    continue
                data = render(i)
                digests[i] = xxhash.xxh3_128_digest(data)
                if i in sources:
                    keep[i] = data
                batch.append((os.path.join(self._tmp, self.relpath(i)), data))
                if len(batch) >= 256:
                    pending.append(pool.submit(_write_many, batch))
                    batch = []
                    # surface a write error (a full disk) early; bound the queued bytes
                    while pending and (pending[0].done() or len(pending) > 8):
                        pending.popleft().result()
            for t, s in self.plan.items():
                digests[t] = digests[s]
                batch.append((os.path.join(self._tmp, self.relpath(t)), keep[s]))
            pending.append(pool.submit(_write_many, batch))
            for fut in pending:
                fut.result()  # re-raise a write error (a full disk) here
        self._digests = digests

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        if exc_type is None:
            try:
                self._write_manifest()
            except BaseException as e:
                self._ctx.__exit__(type(e), e, e.__traceback__)
                raise
        try:
            result = self._ctx.__exit__(exc_type, exc, tb)
        except BaseException:
            if self._mtmp:
                _unlink_quiet(self._mtmp)
            raise
        if exc_type is None and self._mtmp:
            os.replace(self._mtmp, manifest_path(self.dataset_dir))
        return result

    def _write_manifest(self) -> None:
        counts = Counter(self._digests)
        groups = [c for c in counts.values() if c > 1]
        n = len(self.labels)
        doc = {
            "format": MANIFEST_FORMAT,
            **self.meta,
            "size": n,
            "duplicate_fraction": self.meta.get("duplicate_fraction"),
            "duplicates": [[self.relpath(t), self.relpath(s)] for t, s in self.plan.items()],
            "counts": {
                "samples": n,
                "duplicates": n - len(counts),
                "duplicate_groups": len(groups),
                "in_duplicate_groups": sum(groups),
                "unique": len(counts),
            },
        }
        final = manifest_path(self.dataset_dir)
        self._mtmp = os.path.join(os.path.dirname(final), "." + os.path.basename(final) + ".tmp")
        with open(self._mtmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def _write_many(items: list[tuple[str, bytes]]) -> None:
    for path, data in items:
        _write(path, data)


def _write(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _unlink_quiet(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
