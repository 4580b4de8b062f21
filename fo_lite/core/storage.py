"""Saving and loading one persistent dataset: one Parquet file per dataset folder.

A dataset folder holds::

    dataset.parquet   the rows (one column per field) + fo_lite metadata in the schema
    dataset.lock      held (flock) by the process that has the dataset open for writing

**Why Parquet via pyarrow.** It is typed (ints stay ints, strings stay strings, lists stay
lists), columnar and compressed (a million rows save and load in about a second and take
tens of MB), readable by any tool (pandas, DuckDB, Spark) and *safe*: loading a file never
runs code, unlike pickle, which fo_lite never uses. Columns Arrow cannot type exactly (mixed
types) are stored as JSON text, marked in the metadata (see :mod:`fo_lite.core.frame_codec`).

**One file, one state.** The metadata (name, field types, format version, times...) lives in
the Parquet footer, so rows and metadata are always from the same save. Every page carries a
CRC that loading verifies, so damaged bytes are reported, never loaded as wrong values.

**Atomic saves.** A save writes a temporary sibling (``.dataset.parquet.<pid>.<random>.tmp``),
flushes and fsyncs it, ``os.replace``s it over ``dataset.parquet`` and fsyncs the folder. A
process killed at any moment leaves the old or the new file, never a broken one; loading
never reads temporaries, and the next save deletes any that a killed writer left behind.

**Locking.** A save takes the folder's lock (re-entrant, see :mod:`fo_lite.core.locking`),
so it fails with :class:`~fo_lite.core.locking.DatasetLockedError` naming the other process
if another one has the dataset open for writing. Loading needs no lock: thanks to the atomic
rename a reader always sees one complete state, even while another process saves.

Example::

    save_state("/data/ds/cifar", frame, {"name": "cifar"})
    frame, meta = load_state("/data/ds/cifar")
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from fo_lite.core import locking
from fo_lite.core.frame_codec import frame_to_table, table_to_frame

#: Bumped whenever a file written by this version cannot be read by older ones.
FORMAT_VERSION = 1
DATA_FILE = "dataset.parquet"
LOCK_FILE = "dataset.lock"
_META_KEY = b"fo_lite"
_TMP_PREFIX = "." + DATA_FILE + "."
_TMP_SUFFIX = ".tmp"


class StorageError(RuntimeError):
    """A saved dataset cannot be read; the message names the file and what to do."""


class CorruptDatasetError(StorageError):
    """The dataset file is damaged or not an fo_lite file. It is left untouched."""


class NewerFormatError(StorageError):
    """The dataset file was written by a newer fo_lite. It is left untouched."""


def data_path(dataset_dir: str | os.PathLike[str]) -> Path:
    """Path of the Parquet file inside a dataset folder."""
    return Path(dataset_dir) / DATA_FILE


def lock_path(dataset_dir: str | os.PathLike[str]) -> Path:
    """Path of the lock file inside a dataset folder."""
    return Path(dataset_dir) / LOCK_FILE


def has_state(dataset_dir: str | os.PathLike[str]) -> bool:
    """True if the folder holds a saved dataset (a complete file; temporaries do not count)."""
    return data_path(dataset_dir).is_file()


def fsync_dir(path: Path) -> None:
    """fsync a folder, so that a rename or a new entry in it survives a crash."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_temporaries(folder: Path) -> None:
    """Delete temporaries left by killed writers (only call while holding the lock)."""
    for path in folder.glob(_TMP_PREFIX + "*" + _TMP_SUFFIX):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _header(specs: list[dict], num_rows: int, metadata: dict) -> bytes:
    from fo_lite import __version__

    header = {
        "format_version": FORMAT_VERSION,
        "fo_lite_version": __version__,
        "num_rows": num_rows,
        "columns": specs,
        "metadata": metadata,
    }
    try:
        return json.dumps(header, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"dataset metadata must be JSON-able (str keys; str/int/float/bool/None/lists/"
            f"dicts, no NaN): {err}"
        ) from None


def save_state(
    dataset_dir: str | os.PathLike[str], frame: pd.DataFrame, metadata: dict[str, Any]
) -> Path:
    """Atomically replace the dataset saved in ``dataset_dir`` by ``frame`` + ``metadata``.

    The folder is created if needed. The frame's index is not stored (loading gives a
    ``RangeIndex``). Values that cannot be stored exactly raise before anything is written,
    and so does a lock held by another process. Returns the data file's path.
    """
    folder = Path(dataset_dir)
    table, specs = frame_to_table(frame)
    header = _header(specs, len(frame), dict(metadata))
    table = table.replace_schema_metadata({_META_KEY: header})

    created = not folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if created:
        fsync_dir(folder.parent)
    lock = lock_path(folder)
    locking.acquire(lock, what=f"the dataset in {folder}")
    try:
        _remove_temporaries(folder)
        tmp = folder / f"{_TMP_PREFIX}{os.getpid()}.{secrets.token_hex(4)}{_TMP_SUFFIX}"
        try:
            with open(tmp, "xb") as f:
                pq.write_table(table, f, compression="zstd", write_page_checksum=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, data_path(folder))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(folder)
    finally:
        locking.release(lock)
    return data_path(folder)


def _corrupt(path: Path, detail: str) -> CorruptDatasetError:
    return CorruptDatasetError(
        f"cannot read the saved dataset {path}: {detail}. The file was left untouched. "
        f"Restore it from a backup, or delete the folder {path.parent} (fo.delete_dataset "
        "does this) and rebuild the dataset."
    )


def _read_header(path: Path, schema: pa.Schema) -> dict:
    raw = (schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise _corrupt(path, "it is a Parquet file but was not written by fo_lite")
    try:
        header = json.loads(raw)
        version = header["format_version"]
    except (ValueError, KeyError, TypeError):
        raise _corrupt(path, "its fo_lite metadata is unreadable") from None
    if not isinstance(version, int):
        raise _corrupt(path, f"its format version {version!r} is not a number")
    if version > FORMAT_VERSION:
        raise NewerFormatError(
            f"the saved dataset {path} has format version {version} (written by fo_lite "
            f"{header.get('fo_lite_version', '?')}), but this fo_lite reads format versions "
            f"up to {FORMAT_VERSION}. The file was left untouched: upgrade fo_lite "
            "(pip install -U fo_lite) to load it."
        )
    return header


def read_metadata(dataset_dir: str | os.PathLike[str]) -> dict:
    """The metadata dict saved with the dataset, reading only the file's footer."""
    path = data_path(dataset_dir)
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError) as err:
        raise _corrupt(path, str(err)) from err
    return _read_header(path, schema)["metadata"]


def load_state(dataset_dir: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict]:
    """Load ``(frame, metadata)`` saved by :func:`save_state`. Never modifies the folder.

    Raises ``FileNotFoundError`` if nothing is saved there, :class:`NewerFormatError` for a
    file from a newer fo_lite and :class:`CorruptDatasetError` for a damaged file.
    """
    path = data_path(dataset_dir)
    if not path.is_file():
        raise FileNotFoundError(f"no saved dataset at {path}")
    try:
        parquet = pq.ParquetFile(path, page_checksum_verification=True)
        header = _read_header(path, parquet.schema_arrow)
        table = parquet.read()
        frame = table_to_frame(table, header["columns"], header["num_rows"])
    except StorageError:
        raise
    except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as err:
        raise _corrupt(path, f"{type(err).__name__}: {err}") from err
    return frame, header["metadata"]


def delete_state(dataset_dir: str | os.PathLike[str]) -> None:
    """Delete a saved dataset and its whole folder, files other modules keep there included
    (fails if another process has it open).

    The data file goes first, so a concurrent reader sees either the dataset or nothing; a side
    file that cannot be removed is reported in a warning (the dataset is gone by then).
    """
    folder = Path(dataset_dir)
    if not folder.is_dir():
        return
    lock = lock_path(folder)
    locking.acquire(lock, what=f"the dataset in {folder}")
    try:
        data_path(folder).unlink(missing_ok=True)
        _remove_temporaries(folder)
        fsync_dir(folder)
    finally:
        locking.release(lock, unlink=True)
    try:
        shutil.rmtree(folder)
    except OSError as err:
        warnings.warn(
            f"the dataset in {folder} was deleted, but files left in its folder could not be "
            f"removed ({err}); delete the folder by hand",
            RuntimeWarning,
            stacklevel=3,
        )
