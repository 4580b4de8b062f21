"""Field values as display text for the grid (never HTML: the grid sets ``textContent``)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

TILE_TEXT_MAX = 300


def format_value(value: Any, limit: int = TILE_TEXT_MAX) -> str | None:
    """A field value as display text (``None`` for null), at most ``limit`` characters.

    >>> format_value(0.123456789), format_value(["a", "b"]), format_value(float("nan"))
    ('0.123457', 'a, b', None)
    """
    text = _to_text(value)
    if text is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else f"{float(value):.6g}"
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            return "[]"
        return ", ".join(t for t in (_to_text(v) for v in value) if t is not None)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def kind_name(field: Any) -> str:
    """The kind string of a ``get_field_schema()`` value (a field object, or a kind string)."""
    return str(getattr(field, "kind", field) or "")


def is_label_kind(kind: Any) -> bool:
    """Whether a ``get_field_schema()`` kind is an embedded label (shown by its ``.label``)."""
    return kind_name(kind).startswith("EmbeddedDocumentField")


def resolve_field(schema: dict[str, str], field: str | None) -> str | None:
    """The path to read for ``field``: ``<field>.label`` for a label field, the field itself
    for a plain one or a label's attribute (``ground_truth.label``); ``None`` when unknown.

    >>> resolve_field({"ground_truth": "EmbeddedDocumentField(Classification)"}, "ground_truth")
    'ground_truth.label'
    """
    if not field:
        return None
    kind = schema.get(field)
    if kind is not None:
        return f"{field}.label" if is_label_kind(kind) else field
    root, _, rest = field.partition(".")
    if rest and is_label_kind(schema.get(root, "")):
        return field
    return None


def field_problem(schema: dict[str, Any], trait: str, value: str, dataset_name: str) -> str | None:
    """Why ``value`` cannot be the session's ``trait`` (``tile_field`` or ``group_by``) for a
    dataset of this schema, or None when it can."""
    path = resolve_field(schema, value)
    if path is not None and not (
        trait == "group_by" and kind_name(schema.get(path)).startswith("List")
    ):
        return None
    kind = "a field" if trait == "tile_field" else "a field to group by (not a list)"
    return f"{trait} {value!r} is not {kind} of dataset {dataset_name!r}; choose one of {sorted(schema)}"
