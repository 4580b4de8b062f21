"""View stages about fields: ``select_fields`` and ``exclude_fields`` choose which fields a
view shows, ``set_field`` gives a field new values in the view.

A left-out field is missing from the view's schema, its samples, ``values`` and exports, as in
FiftyOne; the built-in fields (``id``, ``filepath``, ``tags``) are always shown. A field set by
``set_field`` reads with its new values in the view (samples, values, later stages) until
``view.save()`` writes them to the dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from fo_lite.core import expr_eval
from fo_lite.core.documents import MISSING
from fo_lite.core.fields import BUILTIN_FIELDS, READ_ONLY_FIELDS
from fo_lite.core.stage_base import Rows, ViewStage, plain_json


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


class SetField(ViewStage):
    """Give a field (or a label attribute such as ``"pred.confidence"``) the value of an ``F``
    expression, or a literal, in the view. As in FiftyOne, the expression is relative to the
    field's parent: ``set_field("pred.confidence", F("confidence") * 2)``."""

    name = "set_field"

    def __init__(self, field: str, expr: Any) -> None:
        if not isinstance(field, str) or not field:
            raise TypeError(f"set_field takes a field name, not {field!r}")
        if field in READ_ONLY_FIELDS:
            raise ValueError(f"set_field: field {field!r} is read-only")
        parent = field.rpartition(".")[0]
        self.field = field
        self.expr = (
            expr.to_mongo(prefix="$" + parent if parent else None)
            if hasattr(expr, "to_mongo")
            else expr
        )
        expr_eval.check(self.expr)
        plain_json(self.expr, "set_field")

    def kwargs(self) -> dict[str, Any]:
        return {"field": self.field, "expr": self.expr}

    def apply(self, rows: Rows) -> Rows:
        schema = rows.store.schema
        if schema.label_type(self.field) is not None:
            raise ValueError(
                f"set_field: {self.field!r} is a label field; set one of its attributes "
                f"instead (e.g. {self.field + '.label'!r})"
            )
        column = schema.value_column(self.field)
        computed = expr_eval.evaluate(rows.subframe(), self.expr, checked=True).to_numpy(
            dtype=object
        )
        computed = np.where(computed == MISSING, None, computed)
        frame = rows.frame
        if column in frame.columns:
            full = frame[column].to_numpy(dtype=object).copy()
        else:
            full = np.full(len(frame), None, dtype=object)
        full[rows.positions] = computed
        return rows.set_column(column, full)


FIELD_STAGES: tuple[type[ViewStage], ...] = (SelectFields, ExcludeFields, SetField)
