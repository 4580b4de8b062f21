"""Read and write image-classification folder trees: ``<dataset_dir>/<label>/<image file>``.

As in FiftyOne's format, images in ``<dataset_dir>/_unlabeled/`` have no label.

:func:`parse_image_classification_dir_tree` reads a tree into ``(filepath, label)`` pairs;
:func:`export_image_classification_dir_tree` (from :mod:`fo_lite.utils.export`) writes one.
"""

from __future__ import annotations

import os
import warnings

from fo_lite.utils.export import (
    UNLABELED,
    export_image_classification_dir_tree,
    read_labels_manifest,
)

__all__ = [
    "IMAGE_EXTENSIONS",
    "UNLABELED",
    "export_image_classification_dir_tree",
    "parse_image_classification_dir_tree",
    "read_labels_manifest",
]

#: File name endings read as images (compared case-insensitively).
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .jfif .png .gif .bmp .dib .tif .tiff .webp .ppm .pgm .pbm .pnm .ico".split()
)

_LAYOUT = "<dataset_dir>/<label>/<image file>, one subfolder per class"


def _is_image_name(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in IMAGE_EXTENSIONS


def parse_image_classification_dir_tree(
    dataset_dir: str,
) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Read a folder of class subfolders into ``(samples, classes)``.

    ``samples`` is a list of ``(absolute_filepath, label)``, one per image file found directly
    in ``<dataset_dir>/<label>/``, sorted by label then file name; ``classes`` is the sorted list
    of class subfolders (including empty ones). Images in ``_unlabeled/`` get the label None,
    and ``_unlabeled`` is no class. Image files are recognised by extension
    (:data:`IMAGE_EXTENSIONS`, case-insensitive); names starting with ``.`` are ignored. What
    is skipped is reported in one warning with counts: non-image files, files directly in
    ``dataset_dir``, nested sub-subfolders (their files are not imported, as in FiftyOne),
    broken symlinks and symlink loops, unreadable subfolders.

    Raises ``FileNotFoundError`` for a missing path, ``NotADirectoryError`` for a file and
    ``ValueError`` when no image is found.

    Example::

        samples, classes = parse_image_classification_dir_tree("/data/cifar100_with_duplicates")
        samples[0]   # ('/data/cifar100_with_duplicates/apple/1023.jpg', 'apple')
    """
    root = os.path.abspath(os.fspath(dataset_dir))
    if not os.path.exists(root):
        raise FileNotFoundError(
            f"dataset folder {root!r} does not exist; check the path (expected {_LAYOUT})"
        )
    if not os.path.isdir(root):
        raise NotADirectoryError(
            f"{root!r} is a file, not a folder; pass the folder that holds one subfolder per "
            f"class ({_LAYOUT})"
        )
    skipped = _Skipped()
    class_dirs: list[tuple[str, str]] = []
    with os.scandir(root) as it:
        for entry in it:
            name = entry.name
            if name.startswith("."):
                continue
            kind = _kind(entry)
            if kind == "dir":
                class_dirs.append((name, entry.path))
            else:
                skipped.add(kind if kind != "file" else "top", entry.path)
    class_dirs.sort()
    classes: list[str] = []
    samples: list[tuple[str, str | None]] = []
    for folder, path in class_dirs:
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError as e:
            skipped.add("unreadable", f"{path} ({e.strerror})")
            continue
        label = None if folder == UNLABELED else folder
        if label is not None:
            classes.append(label)
        found = []
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            if _is_image_name(name):
                try:
                    if entry.is_file():
                        found.append(name)
                        continue
                except OSError:  # symlink loop and the like
                    skipped.add("broken", entry.path)
                    continue
            kind = _kind(entry)
            skipped.add(
                "nested" if kind == "dir" else "other" if kind == "file" else kind, entry.path
            )
        found.sort()
        prefix = path + os.sep
        samples.extend([(prefix + name, label) for name in found])
    skipped.warn(root)
    if not samples:
        found_what = (
            f"{len(classes)} class subfolders but no image files in them"
            if classes
            else "no class subfolders"
        )
        raise ValueError(
            f"no images found in {root!r}: {found_what}; expected {_LAYOUT} "
            f"(image extensions: {', '.join(sorted(IMAGE_EXTENSIONS))})"
        )
    return samples, classes


def _kind(entry: os.DirEntry) -> str:
    """'dir', 'file', or 'broken' (dangling symlink, loop, unreadable entry)."""
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file"
    except OSError:
        return "broken"
    return "broken" if entry.is_symlink() else "other"


class _Skipped:
    """Counts what the walk skipped, for one summarizing warning."""

    _TEXT = {
        "other": "non-image files",
        "top": "files directly in the dataset folder (not in a class subfolder)",
        "nested": "nested subfolders (their files are not imported)",
        "broken": "broken symlinks or symlink loops",
        "unreadable": "unreadable class subfolders",
    }

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}

    def add(self, kind: str, path: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        ex = self.examples.setdefault(kind, [])
        if len(ex) < 3:
            ex.append(path)

    def warn(self, root: str) -> None:
        if not self.counts:
            return
        parts = [
            f"{self.counts[k]} {self._TEXT[k]} (e.g. {', '.join(map(repr, self.examples[k]))})"
            for k in self._TEXT
            if k in self.counts
        ]
        warnings.warn(f"skipped in {root!r}: " + "; ".join(parts), UserWarning, stacklevel=3)
