"""Named datasets: the name -> dataset table behind ``fo.load_dataset`` and friends, and persistence.

The table holds one :class:`Record` per dataset: its name, its :class:`~fo_lite.core.store.SampleStore`,
its metadata (tags, info, creation time) and where it is saved. A ``Dataset`` is a view of its
record; this module does not know the Dataset class (``fo_lite.core.dataset`` builds datasets
from records).

A dataset is *in memory* (it vanishes with the process, as non-persistent datasets do in
FiftyOne) unless ``dataset.persistent = True``; then it lives in
``fo.config.database_dir/<name>/`` (see :mod:`fo_lite.core.storage`) and
``fo.load_dataset(name)`` brings it back in any later process, with the same ids and every
field.

**When a persistent dataset is written.** FiftyOne writes every change to MongoDB at once;
fo_lite keeps the frame in memory and writes the whole dataset atomically (a new file,
fsync, rename) at these moments:

- ``dataset.persistent = True`` and ``dataset.save()``;
- after each bulk change of its store (``set_values``, ``compute_filehashes``,
  ``delete_samples``, ``add_samples``, adding/renaming/deleting a field);
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
import fnmatch
import os
import sys
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fo_lite.core import locking, storage
from fo_lite.core.config import config
from fo_lite.core.store import SampleStore


class DatasetNotFoundError(ValueError):
    """No dataset has the given name (in memory or saved), as in FiftyOne."""


@dataclass
class _OnDisk:
    folder: Path
    saved_version: int  # store.version when last written
    saved_meta: tuple = ()  # (tags, info) then (plain attributes: no version bump)
    watcher: Callable[[], None] | None = None


@dataclass(eq=False)
class Record:
    """One dataset's entry: name, rows, metadata, and where it is saved (if persistent)."""

    name: str
    store: SampleStore
    owner: Any = None  # the Dataset object
    tags: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    created_at: datetime = field(default_factory=datetime.now)
    persistent: bool = False
    deleted: bool = False
    disk: _OnDisk | None = None

    def check_alive(self) -> None:
        """Raise ValueError if the dataset was deleted."""
        if self.deleted:
            raise ValueError(f"dataset {self.name!r} has been deleted")


_loaded: dict[str, Record] = {}

_MAX_FOLDER_NAME = 200
_OWNER_PID = os.getpid()


# -- names and folders ----------------------------------------------------------------------
def _folder_name(name: str) -> str:
    quoted = urllib.parse.quote(name, safe=" ")
    if quoted.startswith("."):  # no hidden folders, no "." or ".."
        quoted = "%2E" + quoted[1:]
    return quoted


def dataset_dir(name: str) -> Path:
    """The folder a dataset called ``name`` is saved in under the current ``database_dir``.

    Other modules may keep files of a persistent dataset there (e.g. brain results); the
    folder moves with a renamed dataset."""
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


def is_saved(name: str) -> bool:
    """Whether a dataset called ``name`` is saved in ``database_dir``."""
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


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset name must be a non-empty string, not {name!r}")
    return name


def create(name: str | None, overwrite: bool, owner: Any) -> Record:
    """A record for a new empty dataset called ``name`` (deleting the old one if
    ``overwrite``; a made-up name if None), registered under its name."""
    if name is None:
        name = _auto_name()
    elif dataset_exists(_check_name(name)):
        if not overwrite:
            raise ValueError(
                f"dataset {name!r} already exists; load it with fo.load_dataset({name!r}), "
                "pick another name, or pass overwrite=True to replace it"
            )
        delete_dataset(name)
    record = Record(name, SampleStore(name), owner)
    _loaded[name] = record
    return record


def loaded(name: str) -> Record | None:
    """The record of the dataset called ``name`` if it is loaded in this process."""
    return _loaded.get(name)


def loaded_datasets() -> list[Any]:
    """The dataset objects loaded in this process."""
    return [record.owner for record in _loaded.values()]


def dataset_exists(name: str) -> bool:
    """Whether a dataset called ``name`` is loaded in this process or saved on disk."""
    return name in _loaded or is_saved(name)


def list_datasets(glob_patt: str | None = None) -> list[str]:
    """The sorted names of all datasets (in memory and saved in ``database_dir``), optionally
    only those matching a glob pattern such as ``"cifar*"``."""
    names = sorted(set(_loaded) | set(_saved_names()))
    if glob_patt is not None:
        names = [n for n in names if fnmatch.fnmatchcase(n, glob_patt)]
    return names


def not_found(name: str) -> DatasetNotFoundError:
    """The error for an unknown dataset name, listing the datasets there are."""
    known = ", ".join(list_datasets()) or "none"
    return DatasetNotFoundError(
        f"dataset {name!r} not found (in memory or in {config.database_dir}); datasets: {known}"
    )


def load_saved(name: str, make_owner: Callable[[Record], Any]) -> Record:
    """Read the saved dataset ``name`` into a new registered record (its lock held);
    ``make_owner(record)`` builds the dataset object for it.

    Raises :class:`~fo_lite.core.locking.DatasetLockedError` if another process has it open,
    and :class:`~fo_lite.core.storage.StorageError` for a damaged file (left untouched)."""
    folder = dataset_dir(name)
    lock = storage.lock_path(folder)
    locking.acquire(lock, what=f"dataset {name!r}")
    try:
        frame, meta = storage.load_state(folder)
        _check_saved_dataset(folder, frame, meta)
        record = Record(name, SampleStore(name))
        _install_state(record, frame, meta)
        record.owner = make_owner(record)
    except BaseException:
        locking.release(lock)
        raise
    _loaded[name] = record
    record.persistent = True
    _track(record, _OnDisk(folder, -1))
    _mark_saved(record)
    return record


def delete_dataset(name: str) -> None:
    """Delete the dataset called ``name``, in memory and on disk."""
    record = _loaded.get(name)
    if record is not None:
        delete(record)
    elif is_saved(name):
        storage.delete_state(dataset_dir(name))
    else:
        raise not_found(name)


# -- persistence ----------------------------------------------------------------------------
def _state_of(record: Record) -> dict:
    return {
        "name": record.name,
        "schema": record.store.schema.copy(),
        "tags": list(record.tags),
        "info": record.info,
        "created_at": record.created_at.isoformat(),
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


def _install_state(record: Record, frame, meta: dict) -> None:
    """Make ``record`` hold the saved ``frame`` and metadata (dropping unsaved changes)."""
    record.store.adopt(frame, meta["schema"])
    record.tags = list(meta.get("tags", []))
    record.info = dict(meta.get("info") or {})
    record.created_at = datetime.fromisoformat(meta["created_at"])


def _meta_now(record: Record) -> tuple:
    return (tuple(record.tags), repr(record.info))


def _mark_saved(record: Record) -> None:
    disk = record.disk
    assert disk is not None
    disk.saved_version = record.store.version
    disk.saved_meta = _meta_now(record)


def _write(record: Record) -> None:
    frame = record.store.frame()
    storage.save_state(record.disk.folder, frame, _state_of(record))  # type: ignore[union-attr]
    _mark_saved(record)


def _is_dirty(record: Record) -> bool:
    disk = record.disk
    return disk is not None and (
        record.store.version != disk.saved_version or _meta_now(record) != disk.saved_meta
    )


def _track(record: Record, disk: _OnDisk) -> None:
    """Save ``record`` after each bulk change of its store from now on."""
    disk.watcher = lambda: save(record)
    record.disk = disk
    record.store.watch(disk.watcher)


def _untrack(record: Record) -> _OnDisk | None:
    disk, record.disk = record.disk, None
    if disk is not None and disk.watcher is not None:
        record.store.unwatch(disk.watcher)
    return disk


def set_persistent(record: Record, persistent: bool) -> None:
    """Make a dataset persistent (saved now, then as the module docstring says) or not.

    Making a persistent dataset non-persistent deletes its saved copy at once (the data in
    memory stays until the process ends).
    """
    record.check_alive()
    name = record.name
    if not persistent:
        disk = _untrack(record)
        if disk is not None:
            storage.delete_state(disk.folder)
        record.persistent = False
        return
    if record.disk is not None:
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
        record.disk = _OnDisk(folder, -1)
        _write(record)
    except BaseException:
        record.disk = None
        if not storage.has_state(folder):
            storage.delete_state(folder)  # leave no empty folder behind
        locking.release(lock)
        raise
    _track(record, record.disk)
    record.persistent = True


def save(record: Record) -> None:
    """Write a persistent dataset to disk now (nothing to do for in-memory datasets)."""
    record.check_alive()
    if record.disk is not None:
        _write(record)


def reload(record: Record) -> None:
    """Reload a persistent dataset from disk, dropping unsaved changes (in-memory: nothing)."""
    record.check_alive()
    disk = record.disk
    if disk is None:
        return
    frame, meta = storage.load_state(disk.folder)
    _check_saved_dataset(disk.folder, frame, meta)
    _install_state(record, frame, meta)
    _mark_saved(record)


def rename(record: Record, new_name: str) -> None:
    """Give a dataset a new name; a persistent one's whole folder moves, in one rename."""
    record.check_alive()
    _check_name(new_name)
    if new_name == record.name:
        return
    if dataset_exists(new_name):
        raise ValueError(f"dataset name {new_name!r} is not available: a dataset has it")
    disk = record.disk
    if disk is not None:
        target = dataset_dir(new_name)
        try:
            os.rename(disk.folder, target)  # atomic: the folder is wholly old or wholly new
        except OSError as e:
            raise type(e)(e.errno, f"cannot rename {disk.folder} to {target}: {e.strerror}") from e
        storage.fsync_dir(target.parent)
        locking.moved(storage.lock_path(disk.folder), storage.lock_path(target))
        disk.folder = target
    del _loaded[record.name]
    record.name = record.store.name = new_name
    _loaded[new_name] = record
    if disk is not None:
        _write(record)  # the saved name; the folder already says it


def delete(record: Record) -> None:
    """Delete a dataset and its saved copy; its object raises on further use."""
    if record.deleted:
        return
    disk = _untrack(record)
    if disk is not None:
        storage.delete_state(disk.folder)
    if _loaded.get(record.name) is record:
        del _loaded[record.name]
    record.deleted = True
    record.persistent = False
    record.store.close(f"dataset {record.name!r} has been deleted")


def forget(record: Record) -> None:
    """Drop a dataset whose construction failed (releasing its saved copy's lock)."""
    if _loaded.get(record.name) is record:
        del _loaded[record.name]
    disk = _untrack(record)
    if disk is not None:
        locking.release(storage.lock_path(disk.folder))


def _save_all_at_exit() -> None:
    if os.getpid() != _OWNER_PID:
        return  # a forked child exiting: the parent owns the datasets and their locks
    for name, record in list(_loaded.items()):
        if record.deleted or not _is_dirty(record):
            continue
        try:
            _write(record)
        except Exception as err:  # never let one dataset stop the others at exit
            print(
                f"fo_lite: could not save dataset {name!r} at exit: {err}; "
                f"{record.disk.folder} holds its last save",  # type: ignore[union-attr]
                file=sys.stderr,
            )


atexit.register(_save_all_at_exit)
