"""The sidebar: value counts and bounds of the shown rows, and the filters clicked in it.

Which fields: label fields (their 100 most common values and the bounds of their confidence,
unless the first
:data:`PROBE_ROWS` rows already hold more than :data:`MAX_LABELS` distinct ones), ``tags``,
every bool field, every string field whose values repeat (at most :data:`MAX_VALUES` distinct
ones, and at most one per two rows: a hash or a path is not listed), and the bounds of every
numeric field. The probe keeps a field of a million distinct values from being counted. A filter is a real view: ``base.match({path: {"$in": values}})`` per field (the
values of one field OR-ed, fields AND-ed, in the order they were first clicked) and
``base.match_tags(values)`` for tags, so ``session.view`` reads back what the grid shows.

A field with an active filter is counted without its own filter (faceted counts), so the
values not chosen yet stay visible and can be added.
"""

from __future__ import annotations

from typing import Any

from fo_lite.session.messages import Scalar, SidebarField
from fo_lite.session.text import format_value, is_label_kind, kind_name

MAX_VALUES = 100  # values listed per field; a string field with more is not listed
MAX_LABELS = 1_000  # a label field with more distinct values (in the probe) is not listed
PROBE_ROWS = 5_000
_NUMERIC = ("IntField", "FloatField")


class Filters:
    """Values chosen per field path; ``apply(base)`` builds the filtered view.

    >>> f = Filters()
    >>> f.set("ground_truth.label", ["cat", "dog"])
    >>> f.values
    {'ground_truth.label': ['cat', 'dog']}
    """

    def __init__(self) -> None:
        self.values: dict[str, list[Scalar]] = {}

    def __bool__(self) -> bool:
        return bool(self.values)

    def set(self, path: str, values: list[Scalar]) -> None:
        """Filter ``path`` on ``values`` (an empty list removes the filter on ``path``)."""
        if values:
            self.values[path] = list(dict.fromkeys(values))
        else:
            self.values.pop(path, None)

    def clear(self) -> None:
        self.values = {}

    def apply(self, base: Any, skip: str | None = None) -> Any:
        """``base`` with every filter (but the one on ``skip``) as ``match``/``match_tags``."""
        view = base
        for path, values in self.values.items():
            if path == skip:
                continue
            if path == "tags":
                view = view.match_tags(values)
            else:
                view = view.match({path: {"$in": values}})
        return view


def filterable(schema: dict[str, str], label_field: str | None) -> dict[str, str]:
    """``{path: kind}`` the sidebar may show: label paths, tags, strings, bools and numbers."""
    out: dict[str, str] = {}
    if label_field and is_label_kind(schema.get(label_field, "")):
        out[f"{label_field}.label"] = "label"
    for name, field in schema.items():
        kind = kind_name(field)
        if name in ("id", "filepath"):
            continue
        if is_label_kind(kind):
            out.setdefault(f"{name}.label", "label")
        elif name == "tags" or kind in ("StringField", "BooleanField") or kind in _NUMERIC:
            out[name] = kind
    return out


def sidebar_fields(
    shown: Any, base: Any, filters: Filters, label_field: str | None
) -> list[SidebarField]:
    """The sidebar's sections for the rows ``shown`` (``base`` filtered by ``filters``)."""
    schema = shown.get_field_schema()
    out: list[SidebarField] = []
    for path, kind in filterable(schema, label_field).items():
        counted = filters.apply(base, skip=path) if path in filters.values else shown
        if kind in _NUMERIC:
            lo, hi = counted.bounds(path)
            if lo is not None:
                out.append(_section(path, "bounds", bounds=[format_value(lo), format_value(hi)]))
            continue
        most = {"label": MAX_LABELS, "StringField": MAX_VALUES}.get(kind)
        if most and len(counted.limit(PROBE_ROWS).count_values(path)) > most:
            continue
        counts = counted.count_values(path)  # list fields ("tags") counted in one C pass
        if kind == "StringField" and len(counts) > min(MAX_VALUES, len(counted) // 2):
            continue
        active = filters.values.get(path, [])
        out.append(_values_section(path, counts, active))
        if kind == "label":
            out += _confidence(counted, path.rsplit(".", 1)[0])
    return out


def _confidence(collection: Any, label: str) -> list[SidebarField]:
    """The bounds of a label's confidence, when some sample has one."""
    try:
        lo, hi = collection.bounds(f"{label}.confidence")
    except ValueError:  # no confidence was ever set on this label field
        return []
    if lo is None:
        return []
    return [_section(f"{label}.confidence", "bounds", bounds=[format_value(lo), format_value(hi)])]


def _values_section(path: str, counts: dict[Any, int], active: list[Scalar]) -> SidebarField:
    items = [(v, n) for v, n in counts.items() if v is None or isinstance(v, (str, bool))]
    items.sort(key=lambda vn: (-vn[1], str(vn[0])))
    listed = items[:MAX_VALUES]
    shown = {v for v, _ in listed}
    # a chosen value the rows no longer have stays listed (count 0), so it can be unchosen
    listed += [(v, 0) for v in active if v not in shown]
    return _section(
        path, "values", values=[[v, n] for v, n in listed], more=len(items) - len(listed)
    ) | {"active": list(active)}


def _section(
    path: str,
    kind: Any,
    values: list[list] | None = None,
    more: int = 0,
    bounds: list[str | None] | None = None,
) -> SidebarField:
    return {
        "path": path,
        "kind": kind,
        "values": values or [],
        "more": max(more, 0),
        "active": [],
        "bounds": bounds,
    }
