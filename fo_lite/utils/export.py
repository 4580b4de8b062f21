"""Write an image-classification folder tree ``<export_dir>/<label>/<file>``, atomically.

The export is built in a hidden temporary sibling of ``export_dir`` and renamed into place
when complete (:mod:`fo_lite.utils.atomicdir`): an interrupted export leaves nothing that looks
complete and no litter. Source files are only ever read.
"""

from __future__ import annotations

import csv
import errno
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from fo_lite.utils.atomicdir import building_dir

#: The folder of samples without a label (FiftyOne's name, read back as no label).
UNLABELED = "_unlabeled"

__all__ = ["LABELS_MANIFEST", "export_image_classification_dir_tree", "read_labels_manifest"]

#: File written by ``export_media=False``: CSV with header ``filepath,label``.
LABELS_MANIFEST = "labels.csv"
_MODES = {True: "copy", "copy": "copy", "hardlink": "hardlink", "symlink": "symlink", False: None}


def export_image_classification_dir_tree(
    filepaths: Sequence[str],
    labels: Sequence[str | None],
    export_dir: str,
    export_media: bool | str = True,
    overwrite: bool = False,
    progress: bool | None = None,
    rel_dir: str | None = None,
) -> str:
    """Export images into ``<export_dir>/<label>/<filename>``; return ``export_dir`` (absolute).

    ``export_media``: ``True`` (or ``"copy"``) copies the files, ``"hardlink"`` and
    ``"symlink"`` link to them, ``False`` writes no media, only ``<export_dir>/labels.csv``
    (header ``filepath,label``, source paths as given, an empty label for none). Rules:

    - samples whose label is ``None``/NaN go to ``<export_dir>/_unlabeled/``, as in FiftyOne;
    - a label that cannot be a folder name (empty, ``.``/``..``, containing ``/`` or a NUL,
      starting with ``.`` which would hide it, longer than 255 bytes) raises ``ValueError``
      before anything is written;
    - ``rel_dir``: each file keeps its path relative to ``rel_dir`` under its label folder
      (``<label>/<sub/dirs>/<file>``); a file outside ``rel_dir`` raises ValueError before
      anything is written. Without it, files keep their base names;
    - equal names within one label folder are kept apart in input order as FiftyOne does:
      ``name.jpg``, ``name-2.jpg``, ``name-3.jpg``, ... (skipping names already taken);
    - a non-empty ``export_dir`` is refused unless ``overwrite=True`` (then it is replaced
      whole, only once the new export is complete); exporting into a folder that holds
      source images, or into one that contains them, is refused;
    - on any error (a missing source, a full disk, KeyboardInterrupt) nothing is left behind.

    Re-reading the result with ``parse_image_classification_dir_tree`` gives the same
    (label, file bytes) pairs.

    Example::

        export_image_classification_dir_tree(paths, labels, "/data/clean")
        export_image_classification_dir_tree(paths, labels, "/data/links", export_media="hardlink")
    """
    mode = _mode(export_media)
    paths = [os.fspath(p) for p in filepaths]
    labels = list(labels)
    if len(paths) != len(labels):
        raise ValueError(f"got {len(paths)} filepaths but {len(labels)} labels; they must pair up")
    final = os.path.abspath(os.fspath(export_dir))
    labels = [UNLABELED if _is_null(label) else label for label in labels]
    _check_labels(labels)
    _check_not_overlapping(final, paths)
    if mode is None:
        return _write_manifest(final, paths, labels, overwrite)
    jobs, folders = _plan(paths, labels, rel_dir)
    with building_dir(final, overwrite, what="export folder") as tmp:
        for folder in sorted(folders):
            os.makedirs(os.path.join(tmp, folder), exist_ok=True)
        _transfer(jobs, tmp, mode, final, progress)
    return final


def read_labels_manifest(export_dir: str) -> list[tuple[str, str | None]]:
    """Read the ``labels.csv`` of a ``export_media=False`` export as ``(filepath, label)`` pairs
    (None for an unlabeled sample)."""
    with open(os.path.join(export_dir, LABELS_MANIFEST), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return [(r[0], None if r[1] == "" else r[1]) for r in rows[1:]]


def _mode(export_media: bool | str) -> str | None:
    if isinstance(export_media, (bool, str)) and export_media in _MODES:  # not 1, 0, 1.0
        return _MODES[export_media]
    hint = " (moving is not supported: an export never touches its sources)"
    raise ValueError(
        f"export_media must be True, False, 'copy', 'hardlink' or 'symlink', got {export_media!r}"
        + (hint if export_media == "move" else "")
    )


def _is_null(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check_labels(labels: list) -> None:
    bad: dict[str, str] = {}
    for lab in set(labels):
        why = _bad_label(lab)
        if why:
            bad[repr(lab)] = why
    if bad:
        shown = "; ".join(f"{k}: {v}" for k, v in sorted(bad.items())[:5])
        raise ValueError(
            f"{len(bad)} labels cannot be folder names ({shown}); change them "
            "(e.g. with set_values) and export again. Nothing was written."
        )


def _bad_label(label: object) -> str | None:
    if not isinstance(label, str):
        return f"not a string ({type(label).__name__})"
    if label in ("", ".", ".."):
        return "empty, '.' or '..'"
    if "/" in label or "\0" in label or (os.altsep and os.altsep in label) or os.sep in label:
        return "contains a path separator or NUL"
    if label.startswith("."):
        return "starts with '.', so the folder would be hidden and skipped on re-import"
    if len(os.fsencode(label)) > 255:
        return "longer than 255 bytes"
    return None


def _check_not_overlapping(final: str, paths: list[str]) -> None:
    dest = os.path.realpath(final)
    for src_dir in {
        os.path.realpath(d) for d in {os.path.dirname(os.path.abspath(p)) for p in paths}
    }:
        if _within(dest, src_dir) or _within(src_dir, dest):
            raise ValueError(
                f"cannot export into {final!r}: it is or is inside a folder that holds source "
                f"images, or it contains one ({src_dir!r}); choose an export folder outside "
                "the source tree"
            )


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _plan(
    paths: list[str], labels: list, rel_dir: str | None
) -> tuple[list[tuple[str, str]], set[str]]:
    """(source, relative destination) pairs with collision-free names, in input order, and
    the folders they go to."""
    base = None if rel_dir is None else os.path.abspath(os.path.expanduser(os.fspath(rel_dir)))
    taken: dict[str, set[str]] = {}
    next_suffix: dict[tuple[str, str], int] = {}  # only for names that collided
    folders: set[str] = set()
    jobs = []
    for path, label in zip(paths, labels, strict=True):
        names = taken.setdefault(label, set())
        name = os.path.basename(path) if base is None else _relative(path, base)
        if name in names:
            k = next_suffix.get((label, name), 2)
            stem, ext = os.path.splitext(name)
            while (candidate := f"{stem}-{k}{ext}") in names:
                k += 1
            next_suffix[(label, name)] = k + 1
            name = candidate
        names.add(name)
        rel = f"{label}{os.sep}{name}"
        folders.add(label if base is None else os.path.dirname(rel))
        jobs.append((path, rel))
    return jobs, folders


def _relative(path: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), base)
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
        raise ValueError(
            f"export: {path!r} is not inside rel_dir {base!r}; pass a rel_dir that holds every "
            "file, or none to keep only file names. Nothing was written."
        )
    return rel


def _copy(src: str, dst: str) -> None:
    """Copy bytes with the kernel's help (like shutil.copyfile, without its extra checks)."""
    fin = os.open(src, os.O_RDONLY)
    try:
        fout = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            size = os.fstat(fin).st_size
            offset = 0
            while True:
                sent = os.sendfile(fout, fin, offset, max(size - offset, 1 << 20))
                if sent == 0:
                    break
                offset += sent
        finally:
            os.close(fout)
    finally:
        os.close(fin)


def _hardlink(src: str, dst: str) -> None:
    os.link(src, dst)


def _symlink(src: str, dst: str) -> None:
    os.symlink(os.path.abspath(src), dst)


_OPS = {"copy": _copy, "hardlink": _hardlink, "symlink": _symlink}


def _run_chunk(op, jobs: list[tuple[str, str]], tmp: str) -> int:
    prefix = tmp + os.sep
    for src, rel in jobs:
        try:
            op(src, prefix + rel)
        except OSError as e:
            raise _explain(e, src) from e
    return len(jobs)


def _transfer(jobs, tmp: str, mode: str, final: str, progress: bool | None) -> None:
    op = _OPS[mode] if mode != "copy" or hasattr(os, "sendfile") else _copy_portable
    n = len(jobs)
    show = n >= 1000 if progress is None else bool(progress)
    bar = _Bar(n, f"Exporting to {os.path.basename(final)}") if show else _Bar(0, "")
    step = 512
    chunks = [jobs[s : s + step] for s in range(0, n, step)]
    try:
        if n < 2 * step:
            for chunk in chunks:
                done = _run_chunk(op, chunk, tmp)
                bar.update(done)
            return
        # two threads overlap one file's syscalls with the next one's Python work
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(_run_chunk, op, c, tmp) for c in chunks]
            try:
                for fut in futures:
                    done = fut.result()
                    bar.update(done)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        bar.close()


class _Bar:
    """A tqdm.auto bar, or nothing when total is 0 (tqdm imported only when shown)."""

    def __init__(self, total: int, desc: str) -> None:
        self._bar = None
        if total:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="file")

    def update(self, k: int) -> None:
        if self._bar is not None:
            self._bar.update(k)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _copy_portable(src: str, dst: str) -> None:
    import shutil

    shutil.copyfile(src, dst)


def _explain(e: OSError, src: str) -> OSError:
    if e.errno == errno.ENOSPC:
        msg = "the disk is full; free some space or export elsewhere. Nothing was written"
    elif e.errno == errno.EXDEV:
        msg = "hard links need the export on the same filesystem as the images; use copies"
    elif e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        msg = "permission denied or read-only filesystem. Nothing was written"
    elif e.errno == errno.ENOENT:
        msg = "the source file is missing. Nothing was written"
    else:
        msg = f"{e.strerror}. Nothing was written"
    return type(e)(e.errno, f"export failed at {src!r}: {msg}")


def _write_manifest(final: str, paths: list[str], labels: list, overwrite: bool):
    with building_dir(final, overwrite, what="export folder") as tmp:
        target = os.path.join(tmp, LABELS_MANIFEST)
        with open(target, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["filepath", "label"])
            w.writerows(
                (p, "" if lab == UNLABELED else lab) for p, lab in zip(paths, labels, strict=True)
            )
            f.flush()
            os.fsync(f.fileno())
    return final
