"""Brain results kept with their dataset, under a brain key, as FiftyOne keeps brain runs.

In memory, every run computed with a ``brain_key`` is remembered for its dataset while the
process lives. For a persistent dataset it is also written to
``<dataset folder>/brain/<brain_key>.json`` (the folder of
:func:`fo_lite.core.registry.dataset_dir`), so :func:`load_brain_results` finds it after a
kernel restart. The file is JSON (loading it never runs code): the checked pairs, the
grouping settings and the review decisions, written atomically (a temporary sibling, fsync,
rename, fsync of the folder), so it is the old file or the new one, never half of one.

Loading validates the file and drops the samples that no longer exist (deleted since) with
their pairs and decisions. A file left by another dataset that had the same name (its
creation time differs) is not loaded.

The hashes themselves are fields of the dataset (``phash``...), saved with the dataset.

Example::

    index = fob.compute_near_duplicates(dataset, brain_key="near_dups")
    # ... after a restart ...
    index = fob.load_brain_results(dataset, "near_dups")
"""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from fo_lite.brain.results import NearDuplicateIndex
    from fo_lite.core.collection import SampleCollection
    from fo_lite.core.dataset import Dataset

__all__ = ["delete_brain_run", "list_brain_runs", "load_brain_results", "save"]

FORMAT = 1
KIND = "near_duplicates"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

# (dataset name, dataset creation time) -> brain key -> index
_memory: dict[tuple[str, str], dict[str, NearDuplicateIndex]] = {}


class BrainResultsError(ValueError):
    """A stored brain run cannot be used; the message names the file and what to do."""


def check_brain_key(key: object) -> str:
    """``key`` if it can name a brain run (letters, digits, ``_ . -``), else a ValueError."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(
            f"invalid brain_key {key!r}: use 1-100 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return key


def dataset_of(samples: SampleCollection) -> Dataset:
    """The dataset a collection (dataset or view) belongs to."""
    name = getattr(samples, "dataset_name", None)
    if name is None:
        return samples  # type: ignore[return-value]
    from fo_lite.core.dataset import load_dataset

    return load_dataset(name)


def _identity(dataset: Dataset) -> tuple[str, str]:
    return dataset.name, dataset.created_at.isoformat()


def _folder(dataset: Dataset) -> Path:
    from fo_lite.core.registry import dataset_dir

    return dataset_dir(dataset.name) / "brain"


def _path(dataset: Dataset, key: str) -> Path:
    return _folder(dataset) / f"{key}.json"


def save(index: NearDuplicateIndex) -> Path | None:
    """Remember ``index`` under its brain key; write it if its dataset is persistent."""
    key = check_brain_key(index.brain_key)
    dataset = dataset_of(index.samples)
    name, created = _identity(dataset)
    _memory.setdefault((name, created), {})[key] = index
    if not dataset.persistent:
        return None
    doc = {
        "format": FORMAT,
        "kind": KIND,
        "brain_key": key,
        "dataset": name,
        "dataset_created_at": created,
        "saved_at": datetime.now().isoformat(),
        "on_view": getattr(index.samples, "dataset_name", None) is not None,
        **index.state(),
    }
    path = _path(dataset, key)
    _write_atomic(path, json.dumps(doc, allow_nan=False).encode("utf-8"))
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    folder = path.parent
    new_folder = not folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if new_folder:
        _fsync_dir(folder.parent)
    tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(dataset: Dataset, key: str) -> dict | None:
    path = _path(dataset, key)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(raw)
    except ValueError as e:
        raise BrainResultsError(
            f"cannot read brain run {key!r} of dataset {dataset.name!r}: {path} is not valid "
            f"JSON ({e}); delete it (fob.delete_brain_run) and compute the run again"
        ) from None
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        raise BrainResultsError(f"{path} is not a stored near-duplicate run; it was left untouched")
    if not isinstance(doc.get("format"), int) or doc["format"] > FORMAT:
        raise BrainResultsError(
            f"{path} has format {doc.get('format')!r}, newer than this fo_lite reads "
            f"({FORMAT}); upgrade fo_lite to load it"
        )
    if doc.get("dataset_created_at") != _identity(dataset)[1]:
        return None  # left by an earlier dataset of the same name
    return doc


def load_brain_results(samples: SampleCollection, brain_key: str) -> NearDuplicateIndex:
    """The near-duplicate run stored as ``brain_key`` for this dataset (or a view's dataset).

    Raises ValueError if there is none (naming the runs there are), and
    :class:`BrainResultsError` for a damaged file (left untouched).
    """
    key = check_brain_key(brain_key)
    dataset = dataset_of(samples)
    cached = _memory.get(_identity(dataset), {}).get(key)
    if cached is not None:
        return cached
    doc = _read(dataset, key) if dataset.persistent else None
    if doc is None:
        runs = ", ".join(list_brain_runs(dataset)) or "none"
        raise ValueError(
            f"dataset {dataset.name!r} has no brain run {key!r}; its runs: {runs}. Compute one "
            f"with fob.compute_near_duplicates(dataset, brain_key={key!r})"
        )
    index = _rebuild(dataset, key, doc)
    _memory.setdefault(_identity(dataset), {})[key] = index
    return index


def _rebuild(dataset: Dataset, key: str, doc: dict[str, Any]) -> NearDuplicateIndex:
    from fo_lite.brain.keep import check_keep
    from fo_lite.brain.results import NearDuplicateIndex, check_thresh

    path = _path(dataset, key)
    try:
        ids = [str(i) for i in doc["ids"]]
        a = np.asarray(doc["a"], dtype=np.int64)
        b = np.asarray(doc["b"], dtype=np.int64)
        d = np.asarray(doc["distance"], dtype=np.float32)
        exact = np.asarray(doc["exact"], dtype=bool)
        config = dict(doc["config"])
        keep = check_keep(doc.get("keep", "first"))
        thresh = check_thresh(doc["thresh"])
        if not (len(a) == len(b) == len(d) == len(exact)):
            raise ValueError("pair arrays of different lengths")
        if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= len(ids)):
            raise ValueError("a pair names a sample outside the stored ids")
    except (KeyError, TypeError, ValueError) as e:
        raise BrainResultsError(
            f"cannot use brain run {key!r} of dataset {dataset.name!r}: {path} is damaged "
            f"({e}); delete it (fob.delete_brain_run) and compute the run again"
        ) from None
    # samples deleted since the run are dropped, with their pairs
    alive = dataset.positions_of(ids) >= 0 if ids else np.zeros(0, dtype=bool)
    new_row = np.cumsum(alive) - 1
    keep_pair = alive[a] & alive[b] if len(a) else np.zeros(0, dtype=bool)
    kept_ids = [i for i, live in zip(ids, alive.tolist(), strict=True) if live]
    samples = dataset.select(kept_ids, ordered=True) if doc.get("on_view") else dataset
    index = NearDuplicateIndex(
        samples,
        kept_ids,
        new_row[a[keep_pair]],
        new_row[b[keep_pair]],
        d[keep_pair],
        exact[keep_pair],
        config,
        keep=keep,
        thresh=thresh,
        brain_key=key,
        kept_choice=[str(i) for i in doc.get("kept_choice", [])],
        excluded=[str(i) for i in doc.get("excluded", [])],
        fields=doc.get("fields"),
    )
    return index


def list_brain_runs(samples: SampleCollection) -> list[str]:
    """The brain keys of the runs stored for this dataset (in memory or on disk), sorted."""
    dataset = dataset_of(samples)
    keys = set(_memory.get(_identity(dataset), {}))
    if dataset.persistent:
        folder = _folder(dataset)
        if folder.is_dir():
            for path in folder.glob("*.json"):
                try:
                    if _read(dataset, path.stem) is not None:
                        keys.add(path.stem)
                except BrainResultsError:
                    keys.add(path.stem)  # listed, so it can be deleted
    return sorted(keys)


def delete_brain_run(samples: SampleCollection, brain_key: str) -> None:
    """Forget a stored run (in memory and on disk). The fields it wrote stay."""
    key = check_brain_key(brain_key)
    dataset = dataset_of(samples)
    _memory.get(_identity(dataset), {}).pop(key, None)
    path = _path(dataset, key)
    if path.exists():
        path.unlink()
        _fsync_dir(path.parent)
