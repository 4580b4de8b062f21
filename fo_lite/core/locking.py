"""One writer per persistent dataset: an OS-level lock on a ``.lock`` file.

The process that has a persistent dataset open for writing holds an exclusive
``fcntl.flock`` on the dataset's lock file. The kernel drops the lock when the process
exits or is killed, so a crash never leaves a stale lock behind. The lock file also
records who holds it (pid, host, command line), which is what another process shows in
its error message. The text in the file is only a label: the flock is the lock.

Locks are re-entrant within one process (a count per lock file), because ``flock`` locks
belong to an open file description and a second ``open`` in the same process would
otherwise conflict with the first.

Reading a dataset file needs no lock: saves replace the file atomically, so a reader
always sees one complete state.

``flock`` is reliable on local disks; on network filesystems it may be advisory per host.

Example::

    acquire("/data/ds/dataset.lock", what="dataset 'cifar'")
    try:
        ...  # write
    finally:
        release("/data/ds/dataset.lock")
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from dataclasses import dataclass


class DatasetLockedError(RuntimeError):
    """Another process holds the dataset's lock; the message names it and the fix."""


@dataclass
class _Held:
    fd: int
    count: int


# realpath of lock file -> open descriptor holding the flock
_HELD: dict[str, _Held] = {}


def _key(lock_path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(lock_path))


def _forget_after_fork() -> None:
    # A forked child shares the parent's lock; it must not think it owns it, and closing
    # its copies of the descriptors leaves the parent's lock in place.
    for held in _HELD.values():
        try:
            os.close(held.fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def holder_info(lock_path: str | os.PathLike[str]) -> dict:
    """What the lock file says about its holder: ``{"pid", "host", "cmd", "since"}`` or ``{}``."""
    try:
        with open(lock_path, encoding="utf-8") as f:
            info = json.loads(f.read() or "{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def describe_holder(info: dict) -> str:
    """A short human description of a lock holder, e.g. ``pid 123 on host h (python x.py)``."""
    if not info.get("pid"):
        return "another process (it did not record its pid)"
    text = f"pid {info['pid']}"
    if info.get("host"):
        text += f" on host {info['host']}"
    if info.get("cmd"):
        text += f" ({info['cmd']})"
    if info.get("since"):
        text += f", open since {info['since']}"
    return text


def _write_holder(fd: int) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "cmd": " ".join([os.path.basename(sys.executable)] + sys.argv)[:200],
        "since": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    data = json.dumps(info).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def is_held(lock_path: str | os.PathLike[str]) -> bool:
    """True if this process holds the lock."""
    return _key(lock_path) in _HELD


def acquire(lock_path: str | os.PathLike[str], *, what: str = "this dataset") -> None:
    """Take the exclusive lock without waiting, or raise :class:`DatasetLockedError`.

    Re-entrant: each call must be matched by one :func:`release`. The lock file's folder
    must exist (``FileNotFoundError`` otherwise). ``what`` names the dataset in errors.
    """
    key = _key(lock_path)
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        return
    while True:
        fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            info = holder_info(key)
            raise DatasetLockedError(
                f"{what} is open for writing in {describe_holder(info)}; lock file {key}. "
                "Two processes writing one dataset would lose changes. Fix: finish with it "
                "there (end that process or Jupyter kernel; it saves the dataset as it exits), "
                "then load it here. To only read the data meanwhile, open the dataset.parquet "
                "file next to the lock file with pandas.read_parquet."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The file may have been deleted (dataset deleted) between open and flock: then our
        # lock is on an orphan inode and protects nothing; retry on the current file.
        try:
            same = os.stat(key).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    _write_holder(fd)
    _HELD[key] = _Held(fd=fd, count=1)


def moved(old_path: str | os.PathLike[str], new_path: str | os.PathLike[str]) -> None:
    """Record that a held lock file was renamed (its folder moved): the same lock, a new path."""
    held = _HELD.pop(_key(old_path), None)
    if held is not None:
        _HELD[_key(new_path)] = held


def release(lock_path: str | os.PathLike[str], *, unlink: bool = False) -> None:
    """Drop one hold on the lock; the last one unlocks it.

    ``unlink=True`` (when deleting the dataset) removes the lock file and unlocks at once,
    whatever the count. Releasing a lock this process does not hold does nothing.
    """
    key = _key(lock_path)
    held = _HELD.get(key)
    if held is None:
        return
    held.count -= 1
    if held.count > 0 and not unlink:
        return
    del _HELD[key]
    if unlink:
        try:
            os.unlink(key)
        except FileNotFoundError:
            pass
    else:
        try:
            os.ftruncate(held.fd, 0)
        except OSError:
            pass
    os.close(held.fd)
