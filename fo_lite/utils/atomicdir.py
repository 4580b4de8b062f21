"""Build a folder in a hidden temporary sibling and rename it into place when complete.

Anything that writes a whole folder (an export, a generated tree) uses :func:`building_dir`, so
an interrupted run (an exception, KeyboardInterrupt, a full disk) leaves neither a folder that
looks complete nor temporary litter: the folder appears complete, or not at all.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["building_dir", "check_target_dir"]


def check_target_dir(target: str, overwrite: bool, what: str = "folder") -> str:
    """Return ``target`` as an absolute path after checking it may be (re)built.

    Raises ``NotADirectoryError`` when it is a file and ``FileExistsError`` when it is a
    non-empty folder and ``overwrite`` is false.
    """
    final = os.path.abspath(os.fspath(target))
    if os.path.lexists(final) and not os.path.isdir(final):
        raise NotADirectoryError(f"{what} {final!r} exists and is not a folder; pick another path")
    if not overwrite and os.path.isdir(final) and any(os.scandir(final)):
        raise FileExistsError(
            f"{what} {final!r} is not empty; pass overwrite=True to replace it, "
            "or choose an empty or new folder"
        )
    return final


@contextmanager
def building_dir(target: str, overwrite: bool = False, what: str = "folder") -> Iterator[str]:
    """Yield a fresh hidden sibling folder of ``target``; on success, swap it in as ``target``.

    The sibling lives in the same parent (same filesystem), so the final step is a rename. With
    ``overwrite=True`` an existing ``target`` is replaced: the old folder is renamed aside, the
    new one renamed in, then the old one removed. On any error (including KeyboardInterrupt) the
    temporary folder is removed and ``target`` is left as it was.

    Example::

        with building_dir("/data/export", overwrite=True) as tmp:
            write_files_into(tmp)
        # /data/export now holds exactly what was written
    """
    final = check_target_dir(target, overwrite, what)
    parent, name = os.path.split(final)
    if len(os.fsencode(name)) > _NAME_MAX:
        raise OSError(
            errno.ENAMETOOLONG,
            f"{what} {final!r}: its name is too long ({len(os.fsencode(name))} bytes; at most "
            f"{_NAME_MAX} bytes per name); choose a shorter name",
        )
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=_sibling_prefix(name, "tmp"), dir=parent)
    except OSError as e:
        raise _explain(e, parent, what) from e
    try:
        yield tmp
        _swap_in(tmp, final, overwrite, what)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: str, final: str, overwrite: bool, what: str) -> None:
    check_target_dir(final, overwrite, what)  # again: something may have appeared meanwhile
    if not os.path.isdir(final):
        os.rename(tmp, final)
        return
    if not any(os.scandir(final)):
        os.rmdir(final)
        os.rename(tmp, final)
        return
    parent, name = os.path.split(final)
    old = tempfile.mkdtemp(prefix=_sibling_prefix(name, "old"), dir=parent)
    os.rename(final, os.path.join(old, name))
    try:
        os.rename(tmp, final)
    except BaseException:
        os.rename(os.path.join(old, name), final)  # put the old one back
        os.rmdir(old)
        raise
    shutil.rmtree(old, ignore_errors=True)


_NAME_MAX = 255  # bytes in one file name on Linux and macOS file systems


def _sibling_prefix(name: str, kind: str) -> str:
    """A hidden sibling's name prefix: the target's name, cut so the sibling's name stays legal."""
    return f".{name[:40]}.{kind}-"


def _explain(e: OSError, parent: str, what: str) -> OSError:
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return PermissionError(
            e.errno,
            f"cannot write the {what} into {parent!r} (read-only or no permission): "
            f"{e.strerror}; choose a writable location",
        )
    return e
