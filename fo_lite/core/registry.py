"""Named datasets: the name -> dataset table behind ``fo.load_dataset`` and friends, and persistence.

A dataset is *in memory* (it vanishes with the process, as non-persistent datasets do in
FiftyOne) unless ``dataset.persistent = True``; then it lives in
``fo.config.database_dir/<name>/`` (see :mod:`fo_lite.core.storage`) and
``fo.load_dataset(name)`` brings it back in any later process, with the same ids and every
field.

**When a persistent dataset is written.** FiftyOne writes every change to MongoDB at once;
fo_lite keeps the frame in memory and writes the whole dataset atomically (a new file,
fsync, rename) at these moments:

- ``dataset.persistent = True`` and ``dataset.save()``;
- after each bulk change the Dataset reports through :func:`changed` (``set_values``,
  ``compute_filehashes``, ``delete_samples``, ``add_samples``, adding/deleting a field);
- at interpreter exit (``atexit``: a normal exit, or a Jupyter kernel shut down or
  restarted), if anything changed since the last write.

Per-sample edits (``sample.save()``, ``del dataset[id]``) are buffered and written with the
next of those, so a loop over a million samples does not rewrite the file a million times.
If the process is killed (SIGKILL, out of memory) the dataset on disk is the last write:
call ``dataset.save()`` after a long loop to be safe.

**One writer.** The process that has a persistent dataset loaded holds its lock until it
deletes it, makes it non-persistent, or exits. ``fo.load_dataset`` in a second process
raises :class:`~fo_lite.core.locking.DatasetLockedError` naming the first one; to only
*read* the data meanwhile, open ``<database_dir>/<name>/dataset.parquet`` with
``pandas.read_parquet`` (reads need no lock: saves replace the file atomically).

A dataset keeps the folder it was saved to or loaded from; changing
``fo.config.database_dir`` affects datasets persisted or loaded afterwards.

Example::

    dataset.persistent = True          # written now, and whenever it changes in bulk
    # ... new process ...
    dataset = fo.load_dataset("cifar100_with_duplicates")
"""

from __future__ import annotations

import atexit
import os
import sys
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fo_lite.core import locking, storage
from fo_lite.core.config import config

if TYPE_CHECKING:
    from fo_lite.core.dataset import Dataset

_loaded: dict[str, Dataset] = {}


@dataclass
class _OnDisk:
    folder: Path
    saved_version: int  # dataset._version when last written
    saved_tags: tuple = ()  # dataset.tags then (a plain list attribute: no version bump)


# name -> where a loaded persistent dataset lives (its lock is held while listed here)
_on_disk: dict[str, _OnDisk] = {}

# the name load_dataset is rebuilding: claim_name lets that one through
_restoring: str | None = None

_MAX_FOLDER_NAME = 200
_OWNER_PID = os.getpid()


# -- names and folders ----------------------------------------------------------------------
def _folder_name(name: str) -> str:
    quoted = urllib.parse.quote(name, safe=" ")
    if quoted.startswith("."):  # no hidden folders, no "." or ".."
        quoted = "%2E" + quoted[1:]
    return quoted


def dataset_dir(name: str) -> Path:
    """The folder a dataset called ``name`` is saved in under the current ``database_dir``."""
    folder = _folder_name(name)
    if len(folder.encode("utf-8")) > _MAX_FOLDER_NAME:
        raise ValueError(
            f"dataset name {name[:40]!r}... is too long to save ({len(folder)} characters "
            f"as a folder name, at most {_MAX_FOLDER_NAME}); use a shorter name"
        )
    return Path(config.database_dir) / folder


def _saved_names() -> list[str]:
    root = Path(config.database_dir)
    if not root.is_dir():
        return []
    names = []
    for entry in root.iterdir():
        name = urllib.parse.unquote(entry.name)
        if _folder_name(name) == entry.name and storage.has_state(entry):
            names.append(name)
    return names


def _is_saved(name: str) -> bool:
    try:
        return storage.has_state(dataset_dir(name))
    except ValueError:
        return False


# -- the table ------------------------------------------------------------------------------
def _auto_name() -> str:
    base = datetime.now().strftime("%Y.%m.%d.%H.%M.%S")
    name, n = base, 1
    while dataset_exists(name):
        n += 1
        name = f"{base}.{n}"
    return name


def claim_name(name: str | None, overwrite: bool) -> str:
    """Check that a new dataset may take ``name`` (deleting the old one if ``overwrite``)."""
    if name is None:
        return _auto_name()
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset name must be a non-empty string, not {name!r}")
    if name == _restoring:
        return name
    if dataset_exists(name):
        if not overwrite:
            raise ValueError(
                f"dataset {name!r} already exists; load it with fo.load_dataset({name!r}), "
                "pick another name, or pass overwrite=True to replace it"
            )
        delete_dataset(name)
    return name


def register(dataset: Dataset) -> None:
    """Record a new dataset under its name."""
    _loaded[dataset.name] = dataset


def unregister(dataset: Dataset) -> None:
    """Forget a dataset whose construction failed (releasing its saved copy's lock)."""
    if _loaded.get(dataset.name) is dataset:
        del _loaded[dataset.name]
        disk = _on_disk.pop(dataset.name, None)
        if disk is not None:
            locking.release(storage.lock_path(disk.folder))


def dataset_exists(name: str) -> bool:
    """Whether a dataset called ``name`` is loaded in this process or saved on disk."""
    return name in _loaded or _is_saved(name)


def list_datasets() -> list[str]:
    """The names of all datasets, sorted: those in memory and those saved in ``database_dir``."""
    return sorted(set(_loaded) | set(_saved_names()))


def load_dataset(name: str) -> Dataset:
    """The dataset called ``name``: the loaded one, or the saved one read from disk.

    Raises ``ValueError`` for an unknown name, :class:`~fo_lite.core.locking.DatasetLockedError`
    if another process has it open, and :class:`~fo_lite.core.storage.StorageError` for a
    damaged file or one from a newer fo_lite (the file is left untouched).

    >>> dataset = fo.load_dataset("cifar100_with_duplicates")  # doctest: +SKIP
    """
    dataset = _loaded.get(name)
    if dataset is not None:
        return dataset
    if not _is_saved(name):
        known = ", ".join(list_datasets()) or "none"
        raise ValueError(
            f"no dataset named {name!r} (in memory or in {config.database_dir}); datasets: {known}"
        )
    return _load_saved(name, dataset_dir(name))


def _load_saved(name: str, folder: Path) -> Dataset:
    global _restoring
    from fo_lite.core.dataset import Dataset

    lock = storage.lock_path(folder)
    locking.acquire(lock, what=f"dataset {name!r}")
    dataset = None
    try:
        frame, meta = storage.load_state(folder)
        _check_saved_dataset(folder, frame, meta)
        _restoring = name
        try:
            dataset = Dataset(name=name)
        finally:
            _restoring = None
        _install_state(dataset, frame, meta)
    except BaseException:
        if dataset is not None:
            unregister(dataset)
        locking.release(lock)
        raise
    dataset._persistent = True
    _on_disk[name] = _OnDisk(folder, dataset._version, tuple(dataset.tags))
    return dataset


def delete_dataset(name: str) -> None:
    """Delete the dataset called ``name``, in memory and on disk."""
    dataset = _loaded.get(name)
    if dataset is not None:
        dataset.delete()
    elif _is_saved(name):
        storage.delete_state(dataset_dir(name))
    else:
        load_dataset(name)  # raises, listing the datasets there are


# -- the Dataset's hooks --------------------------------------------------------------------
def _state_of(dataset: Dataset) -> dict:
    return {
        "name": dataset.name,
        "schema": dict(dataset._schema),
        "tags": list(dataset.tags),
        "created_at": dataset.created_at.isoformat(),
        "saved_at": datetime.now().isoformat(),
    }


def _check_saved_dataset(folder: Path, frame, meta: dict) -> None:
    schema = meta.get("schema")
    try:
        datetime.fromisoformat(meta.get("created_at"))
        dated = True
    except (TypeError, ValueError):
        dated = False
    if not isinstance(schema, dict) or "id" not in frame.columns or not dated:
        raise storage.CorruptDatasetError(
            f"{storage.data_path(folder)} is an fo_lite file but not a saved Dataset (no "
            "schema or id column); it was left untouched. Move it away or delete the folder."
        )


def _install_state(dataset: Dataset, frame, meta: dict) -> None:
    """Make ``dataset`` hold the saved ``frame`` and metadata (dropping unsaved changes)."""
    dataset._adopt(frame, dict(meta["schema"]))
    dataset.tags = list(meta.get("tags", []))
    dataset.created_at = datetime.fromisoformat(meta["created_at"])


def _write(dataset: Dataset, disk: _OnDisk) -> None:
    frame = dataset._live_frame()
    storage.save_state(disk.folder, frame, _state_of(dataset))
    disk.saved_version = dataset._version
    disk.saved_tags = tuple(dataset.tags)


def _is_dirty(dataset: Dataset, disk: _OnDisk) -> bool:
    return dataset._version != disk.saved_version or tuple(dataset.tags) != disk.saved_tags


def set_persistent(dataset: Dataset, persistent: bool) -> None:
    """Make ``dataset`` persistent (saved now, then as the module docstring says) or not.

    Making a persistent dataset non-persistent deletes its saved copy at once (the data in
    memory stays until the process ends).
    """
    name = dataset.name
    if not persistent:
        disk = _on_disk.pop(name, None)
        if disk is not None:
            storage.delete_state(disk.folder)
        dataset._persistent = False
        return
    if name in _on_disk:
        return
    folder = dataset_dir(name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise type(e)(
            e.errno,
            f"cannot create the dataset folder {folder} in fo.config.database_dir "
            f"({config.database_dir}; env FO_LITE_DATABASE_DIR): {e.strerror}; set it to a "
            "writable folder",
        ) from e
    lock = storage.lock_path(folder)
    locking.acquire(lock, what=f"dataset {name!r}")
    try:
        if storage.has_state(folder):
            raise ValueError(
                f"another dataset named {name!r} was saved in {folder} meanwhile (by another "
                "process); to keep both, make a dataset with a new name; to replace it, "
                f"fo.delete_dataset({name!r}) first"
            )
        disk = _OnDisk(folder, -1)
        _write(dataset, disk)
    except BaseException:
        if not storage.has_state(folder):
            storage.delete_state(folder)  # leave no empty folder behind
        locking.release(lock)
        raise
    _on_disk[name] = disk
    dataset._persistent = True


def save(dataset: Dataset) -> None:
    """Write a persistent dataset to disk now (nothing to do for in-memory datasets)."""
    dataset._check_alive()
    disk = _on_disk.get(dataset.name)
    if disk is not None and dataset.persistent:
        _write(dataset, disk)


def changed(dataset: Dataset) -> None:
    """The Dataset's bulk-change hook: write a persistent dataset (O(1) for in-memory ones)."""
    if dataset.persistent and not dataset.deleted:
        save(dataset)


def reload(dataset: Dataset) -> None:
    """Reload a persistent dataset from disk, dropping unsaved changes (in-memory: nothing)."""
    dataset._check_alive()
    disk = _on_disk.get(dataset.name)
    if disk is None or not dataset.persistent:
        return
    frame, meta = storage.load_state(disk.folder)
    _check_saved_dataset(disk.folder, frame, meta)
    _install_state(dataset, frame, meta)
    disk.saved_version = dataset._version
    disk.saved_tags = tuple(dataset.tags)


def delete(dataset: Dataset) -> None:
    """Delete ``dataset`` and its saved copy; the object raises on further use."""
    disk = _on_disk.get(dataset.name)
    if disk is not None and _loaded.get(dataset.name) is dataset:
        storage.delete_state(disk.folder)
        del _on_disk[dataset.name]
    unregister(dataset)
    dataset._deleted = True
    dataset._persistent = False


def _save_all_at_exit() -> None:
    if os.getpid() != _OWNER_PID:
        return  # a forked child exiting: the parent owns the datasets and their locks
    for name, disk in list(_on_disk.items()):
        dataset = _loaded.get(name)
        if dataset is None or dataset.deleted or not _is_dirty(dataset, disk):
            continue
        try:
            _write(dataset, disk)
        except Exception as err:  # never let one dataset stop the others at exit
            print(
                f"fo_lite: could not save dataset {name!r} at exit: {err}; "
                f"{disk.folder} holds its last save",
                file=sys.stderr,
            )


atexit.register(_save_all_at_exit)
