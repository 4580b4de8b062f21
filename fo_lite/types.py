"""Dataset types, FiftyOne's ``fo.types``: what ``Dataset.from_dir`` reads and ``export`` writes.

fo_lite reads and writes one format, FiftyOne's image classification directory tree::

    <dataset_dir>/
        <classA>/<image>
        <classB>/<image>
        _unlabeled/<image>      (samples with no label)

>>> import fo_lite as fo
>>> fo.types.ImageClassificationDirectoryTree.name
'image_classification_dir_tree'
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Dataset",
    "ImageClassificationDataset",
    "ImageClassificationDirectoryTree",
    "LabeledImageDataset",
    "resolve",
]


class Dataset:
    """Base type of dataset formats."""

    #: the format's short name (fo_lite's 2020 spelling)
    name = ""


class LabeledImageDataset(Dataset):
    """Base type of formats of images with labels."""


class ImageClassificationDataset(LabeledImageDataset):
    """Base type of formats of images with one classification each."""


class ImageClassificationDirectoryTree(ImageClassificationDataset):
    """One subfolder per class, its images inside; ``_unlabeled/`` holds unlabeled images."""

    name = "image_classification_dir_tree"


_SUPPORTED = (ImageClassificationDirectoryTree,)


def resolve(dataset_type: Any, verb: str) -> type[Dataset]:
    """The format class for ``dataset_type``: a class of this module, an instance of one, or a
    name (``"image_classification_dir_tree"``, ``"ImageClassificationDirectoryTree"``).

    Raises ValueError naming the supported formats for anything else."""
    if isinstance(dataset_type, Dataset):
        dataset_type = type(dataset_type)
    for cls in _SUPPORTED:
        if dataset_type is cls or dataset_type in (cls.name, cls.__name__):
            return cls
    shown = getattr(dataset_type, "__name__", dataset_type)
    raise ValueError(
        f"unsupported dataset_type {shown!r}; fo_lite {verb} "
        "fo.types.ImageClassificationDirectoryTree (<dataset_dir>/<label>/<image>)"
    )
