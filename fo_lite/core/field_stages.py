"""View stages that choose which fields a view shows: ``select_fields`` and ``exclude_fields``.

A left-out field is missing from the view's schema, its samples, ``values`` and exports, as in
FiftyOne; the built-in fields (``id``, ``filepath``, ``tags``) are always shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fo_lite.core.fields import BUILTIN_FIELDS
from fo_lite.core.stage_base import Rows, ViewStage


def _names(fields: str | Iterable[str] | None, stage: str) -> list[str]:
    if fields is None:
        return []
    items = [fields] if isinstance(fields, str) else list(fields)
    if not all(isinstance(f, str) and f for f in items):
        raise TypeError(f"{stage} takes field names (strings), not {fields!r}")
    return [f.partition(".")[0] for f in items]  # an embedded path chooses its field


class SelectFields(ViewStage):
    """Show only ``field_names`` (and the built-in fields)."""

    name = "select_fields"

    def __init__(self, field_names: str | Iterable[str] | None = None) -> None:
        self.field_names = _names(field_names, "select_fields")

    def kwargs(self) -> dict[str, Any]:
        return {"field_names": self.field_names}

    def apply(self, rows: Rows) -> Rows:
        return rows.select([*BUILTIN_FIELDS, *self.field_names])


class ExcludeFields(ViewStage):
    """Show every field but ``field_names`` (built-in fields cannot be excluded)."""

    name = "exclude_fields"

    def __init__(self, field_names: str | Iterable[str]) -> None:
        self.field_names = _names(field_names, "exclude_fields")
        builtin = [f for f in self.field_names if f in BUILTIN_FIELDS]
        if builtin:
            raise ValueError(f"exclude_fields: cannot exclude the built-in field {builtin[0]!r}")

    def kwargs(self) -> dict[str, Any]:
        return {"field_names": self.field_names}

    def apply(self, rows: Rows) -> Rows:
        return rows.hide(self.field_names)


FIELD_STAGES: tuple[type[ViewStage], ...] = (SelectFields, ExcludeFields)
