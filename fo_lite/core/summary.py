"""Text summaries of datasets and views, laid out like FiftyOne's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_PREFIX = "fo_lite.core.fields."


def _kind_name(kind: str) -> str:
    if kind.startswith("EmbeddedDocumentField("):
        return f"{_PREFIX}EmbeddedDocumentField(fo_lite.core.labels.{kind[22:-1]})"
    if kind.startswith("ListField("):
        return f"{_PREFIX}ListField({_PREFIX}{kind[10:-1]})"
    return _PREFIX + kind


def _fields_block(schema: Mapping[str, str]) -> list[str]:
    width = max(len(n) for n in schema) + 1
    return [f"    {(n + ':').ljust(width)} {_kind_name(k)}" for n, k in schema.items()]


def dataset_summary(
    name: str, num_samples: int, persistent: bool, tags: list[str], schema: Mapping[str, str]
) -> str:
    """FiftyOne-style summary of a dataset."""
    lines = [
        f"Name:        {name}",
        "Media type:  image",
        f"Num samples: {num_samples}",
        f"Persistent:  {persistent}",
        f"Tags:        {tags}",
        "Sample fields:",
        *_fields_block(schema),
    ]
    return "\n".join(lines)


def view_summary(
    name: str, num_samples: int, schema: Mapping[str, str], stages: Sequence[Any]
) -> str:
    """FiftyOne-style summary of a view, with its stages."""
    lines = [
        f"Dataset:     {name}",
        "Media type:  image",
        f"Num samples: {num_samples}",
        "Sample fields:",
        *_fields_block(schema),
        "View stages:",
    ]
    lines += [f"    {i}. {stage!r}" for i, stage in enumerate(stages, 1)] or ["    ---"]
    return "\n".join(lines)
