"""Text summaries of datasets and views, laid out like FiftyOne's."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fo_lite.core.dataset import Dataset
    from fo_lite.core.view import DatasetView

_PREFIX = "fo_lite.core.fields."


def _kind_name(kind: str) -> str:
    if kind.startswith("EmbeddedDocumentField("):
        return f"{_PREFIX}EmbeddedDocumentField(fo_lite.core.labels.{kind[22:-1]})"
    if kind.startswith("ListField("):
        return f"{_PREFIX}ListField({_PREFIX}{kind[10:-1]})"
    return _PREFIX + kind


def _fields_block(dataset: Dataset) -> list[str]:
    names = list(dataset._schema)
    width = max(len(n) for n in names) + 1
    return [f"    {(n + ':').ljust(width)} {_kind_name(k)}" for n, k in dataset._schema.items()]


def dataset_summary(dataset: Dataset) -> str:
    """FiftyOne-style summary of a dataset."""
    lines = [
        f"Name:        {dataset.name}",
        "Media type:  image",
        f"Num samples: {len(dataset)}",
        f"Persistent:  {dataset.persistent}",
        f"Tags:        {dataset.tags}",
        "Sample fields:",
        *_fields_block(dataset),
    ]
    return "\n".join(lines)


def view_summary(view: DatasetView) -> str:
    """FiftyOne-style summary of a view, with its stages."""
    dataset = view._dataset
    lines = [
        f"Dataset:     {dataset.name}",
        "Media type:  image",
        f"Num samples: {len(view)}",
        "Sample fields:",
        *_fields_block(dataset),
        "View stages:",
    ]
    lines += [f"    {i}. {stage!r}" for i, stage in enumerate(view.stages, 1)] or ["    ---"]
    return "\n".join(lines)
