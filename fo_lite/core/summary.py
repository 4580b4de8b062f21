"""Text summaries of datasets and views, laid out like FiftyOne's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _fields_block(schema: Mapping[str, Any]) -> list[str]:
    """One line per field: its name and its field object's full class name."""
    width = max(len(n) for n in schema) + 1
    return [f"    {(n + ':').ljust(width)} {field}" for n, field in schema.items()]


def dataset_summary(
    name: str, num_samples: int, persistent: bool, tags: list[str], schema: Mapping[str, Any]
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
    name: str, num_samples: int, schema: Mapping[str, Any], stages: Sequence[Any]
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
