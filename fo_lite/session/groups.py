"""Group bands for ``session.group_by``: the rows sorted by a field, and where each group starts.

The grid shows ``collection.sort_by(path)`` (stable: within a group the view's order is kept;
groups in ascending value order, nulls first) and draws a header above the first row of each
group. Group sizes come from ``count_values`` (fast at 1M rows); a few group starts are checked
against the sorted rows, and the exact (slower) way of reading the sorted values is used
whenever they disagree, e.g. for mixed types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.session.decorations import Decorations
from fo_lite.session.messages import GroupHead
from fo_lite.session.text import format_value

_SPOT_CHECKS = 8
HEAD_TEXT_MAX = 200


@dataclass(frozen=True)
class Groups:
    """Groups of the sorted rows: group ``g`` holds rows ``[starts[g], starts[g + 1])``."""

    path: str
    starts: np.ndarray  # int64, ascending, starts[0] == 0 unless there are no rows
    values: list[Any]
    length: int

    def __len__(self) -> int:
        return len(self.starts)

    def count(self, g: int) -> int:
        """Rows in group ``g``."""
        end = self.starts[g + 1] if g + 1 < len(self.starts) else self.length
        return int(end - self.starts[g])

    def group_at(self, row: int) -> int:
        """The group that row ``row`` belongs to."""
        return int(np.searchsorted(self.starts, row, side="right") - 1)

    def starts_bytes(self) -> bytes:
        """The starts as little-endian int32 (the grid's ``groups`` buffer)."""
        return self.starts.astype("<i4").tobytes()

    def heads(self, start: int, stop: int, decorations: Decorations | None) -> list[GroupHead]:
        """Headers of the groups that start in rows ``[start, stop)``."""
        lo, hi = np.searchsorted(self.starts, [start, stop], side="left")
        out: list[GroupHead] = []
        for g in range(int(lo), int(hi)):
            value, count = self.values[g], self.count(g)
            extra = decorations.group(self.path, value, count) if decorations else None
            extra = extra or {}
            out.append(
                {
                    "start": int(self.starts[g]),
                    "count": count,
                    "text": format_value(value, HEAD_TEXT_MAX),
                    "note": format_value(extra.get("note"), HEAD_TEXT_MAX),
                    "actions": [[str(a), str(label)] for a, label in extra.get("actions", [])],
                }
            )
        return out


def group_rows(collection: Any, path: str) -> tuple[Any, Groups]:
    """``(collection sorted by path, its groups)``."""
    shown = collection.sort_by(path)
    length = len(shown)
    groups = _from_counts(collection, shown, path, length)
    if groups is None:
        groups = _from_values(shown, path, length)
    return shown, groups


def _null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _from_counts(collection: Any, shown: Any, path: str, length: int) -> Groups | None:
    counts = collection.count_values(path)
    nulls = sum(n for v, n in counts.items() if _null(v))
    try:
        keys = sorted(v for v in counts if not _null(v))
    except TypeError:  # mixed types: let the sorted rows say
        return None
    values: list[Any] = ([None] if nulls else []) + keys
    sizes = ([nulls] if nulls else []) + [counts[k] for k in keys]
    if sum(sizes) != length:
        return None
    starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64) if sizes else np.empty(0, np.int64)
    groups = Groups(path, starts, values, length)
    picks = np.unique(np.linspace(0, len(starts) - 1, min(_SPOT_CHECKS, len(starts))).astype(int))
    for g in picks.tolist():
        first = int(starts[g])
        found = shown.rows(first, first + 1, [path])[path][0]
        if not (_null(found) and _null(values[g])) and found != values[g]:
            return None
    return groups


def _from_values(shown: Any, path: str, length: int) -> Groups:
    values = shown.values(path)
    if not values:
        return Groups(path, np.empty(0, np.int64), [], 0)
    codes, _ = pd.factorize(pd.Series(values, dtype=object))
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    return Groups(path, starts, [values[i] for i in starts.tolist()], length)
