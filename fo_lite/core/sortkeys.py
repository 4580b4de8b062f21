"""``$sort`` keys as the MongoDB server builds them, vectorized where the data allows.

The server builds a document's sort key the way it builds index keys: each sort path yields a
set of values (a path through an array yields one value per element; an element without the
field, or one that is not a document, yields null; an empty array partway along the path
yields null; an empty array at the end yields a key below null; an array at the end yields
its elements, nested arrays staying whole; a numeric part picks that element of an array),
and the document sorts by the smallest combination in the sort's own order (so by an array's
smallest element ascending, its largest descending). Two sort paths that meet two different
arrays in one document are refused ("parallel arrays"), as is a numeric part that names both
an array element and a field of a document inside that array ("ambiguous field name").

Typed columns (numbers, strings, booleans: no arrays, no documents) are ranked with numpy and
pyarrow; only rows holding arrays or documents take the per-row walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    ARR,
    MISS,
    MISSING,
    NULL,
    OBJ,
    codes_of,
    dense_rank_strings,
    rank_values,
    sort_key,
)
from fo_lite.core.paths import column_for, embedded_documents, split_path


class _Undefined:
    """The key of an empty array at the end of a sort path: below null."""

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()
_NULL_RANK, _UNDEFINED_RANK = -1, -2


# ---------------------------------------------------------------- the per-document walk
def _index(part: str) -> int:
    """The array index a path part names (``"1"``), else -1 (``"01"`` is a field name)."""
    return int(part) if part.isdigit() and str(int(part)) == part else -1


def _dotted_or_array(value: Any, parts: list[str]) -> tuple[Any, list[str] | None]:
    """Walk ``parts`` through documents (``value`` may be an array, indexed by the first part)
    until the end or an array: (what was found, the parts left after it) or (MISSING, None)."""
    for k, part in enumerate(parts):
        if type(value) is list:  # only at the start: an array looked up by position
            i = _index(part)
            value = value[i] if 0 <= i < len(value) else MISSING
        elif isinstance(value, dict):
            value = value.get(part, MISSING)
        else:
            return MISSING, None
        if value is MISSING:
            return MISSING, None
        if k == len(parts) - 1:
            return value, []
        if type(value) is list:
            return value, parts[k + 1 :]
        if not isinstance(value, dict):
            return MISSING, None
    return value, []


def _refuse(kind: str, paths: list[str]) -> ValueError:
    if kind == "parallel":
        return ValueError(
            f"$sort on {', '.join(map(repr, paths))}: a document holds arrays at two of these "
            "paths (parallel arrays); MongoDB cannot sort it either: sort on one array field"
        )
    return ValueError(
        f"$sort on {paths[0]!r}: a numeric path part names both an array element and a field "
        "of a document inside the array (ambiguous field name); MongoDB refuses it too"
    )


def _keys(obj, rest, fixed, positional, out, names) -> None:
    """Append every key tuple of ``obj`` (MongoDB's index-key generation, one array level)."""
    rest, fixed = list(rest), list(fixed)
    n = len(rest)
    array, in_array, expand = None, [], True
    for i in range(n):
        parts = rest[i]
        if not parts:  # done: a value, or the end of the path at an array
            continue
        have = isinstance(obj, dict) and parts[0] in obj
        if have and positional[i] is not None:
            raise _refuse("ambiguous", [names[i]])
        if have:
            value, left = _dotted_or_array(obj, parts)
        elif positional[i] is not None:
            indexed, value, left = positional[i]
            expand = expand and type(indexed) is not list
        else:
            value, left = MISSING, None
        if value is MISSING:
            fixed[i], rest[i] = None, None
        elif type(value) is list:
            in_array.append(i)
            rest[i] = left
            if array is None:
                array = value
            elif value is not array:
                raise _refuse("parallel", names)
        else:
            fixed[i], rest[i] = value, None
    if array is None:
        out.append(tuple(fixed))
        return
    if not array:
        _element(UNDEFINED, array, rest, fixed, in_array, True, [None] * n, out, names)
        return
    sub = [None] * n
    for i in range(n):
        parts = rest[i]
        if parts and 0 <= _index(parts[0]) < len(array):
            sub[i] = (array[_index(parts[0])], *_dotted_or_array(array, parts))
    for elem in array:
        _element(elem, array, rest, fixed, in_array, expand, sub, out, names)


def _element(entry, array, rest, fixed, in_array, expand, positional, out, names) -> None:
    fixed = list(fixed)
    for i in in_array:
        if rest[i] == []:  # the path ends at the array: this element (or the array itself)
            fixed[i] = entry if expand else array
    _keys(entry if isinstance(entry, dict) else {}, rest, fixed, positional, out, names)


class _Desc:
    """Reverses the order of a key (descending fields)."""

    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __lt__(self, other):
        return other.k < self.k

    def __eq__(self, other):
        return self.k == other.k


def _order_key(value: Any) -> tuple:
    return (-1, 0) if value is UNDEFINED else sort_key(value)


# ---------------------------------------------------------------- ranks over a frame
def _typed_ranks(series: pd.Series) -> np.ndarray | None:
    """Ranks of a typed column (null lowest), or None for object columns."""
    if pd.api.types.is_numeric_dtype(series.dtype):  # bools too: one bracket per column
        floats = series.to_numpy(dtype=float, na_value=np.nan)
        _, inverse = np.unique(floats, return_inverse=True)
        return np.where(np.isnan(floats), _NULL_RANK, inverse)
    if series.dtype != object and pd.api.types.is_string_dtype(series.dtype):
        na = series.isna().to_numpy()
        ranks = np.full(len(series), _NULL_RANK, dtype=np.int64)
        ranks[~na] = dense_rank_strings(series[~na])[0]
        return ranks
    return None


def _value_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks of chosen key values in BSON order; null/missing and UNDEFINED below all."""
    undefined = np.fromiter((v is UNDEFINED for v in values), dtype=bool, count=len(values))
    if undefined.any():
        values = values.copy()
        values[undefined] = None
    codes = codes_of(values)
    ranks = rank_values(values, codes)
    ranks[(codes == NULL) | (codes == MISS)] = _NULL_RANK
    ranks[undefined] = _UNDEFINED_RANK
    return ranks


def _roots(frame: pd.DataFrame, path: str) -> tuple[Any, list[str], str]:
    """(root values, path parts below the root, root name) of a sort path."""
    parts = split_path(path)
    col, rest = column_for(frame, parts)
    if col is None:
        embedded = embedded_documents(frame, path)
        if embedded is None:
            return np.full(len(frame), MISSING, dtype=object), [], path
        return embedded, [], path
    return frame[col].reset_index(drop=True), rest, col


def sort_order(frame: pd.DataFrame, spec: Mapping[str, int]) -> np.ndarray:
    """Row positions of ``frame`` in ``$sort`` order (stable: ties keep the input order)."""
    n = len(frame)
    paths, directions = list(spec), [int(d) for d in spec.values()]
    ranks: list[np.ndarray | None] = [None] * len(paths)
    slow: list[int] = []  # sort fields that need the per-row walk on some rows
    roots_of: dict[str, np.ndarray] = {}
    field_rest, field_root_name = [], []
    for i, path in enumerate(paths):
        roots, rest, name = _roots(frame, path)
        field_rest.append(rest)
        field_root_name.append(name)
        if isinstance(roots, pd.Series) and not rest:
            typed = _typed_ranks(roots)
            if typed is not None:
                ranks[i] = typed
                continue
        objs = roots.to_numpy(dtype=object) if isinstance(roots, pd.Series) else roots
        roots_of[name] = objs
        slow.append(i)
    if slow:
        _object_ranks(slow, field_rest, field_root_name, roots_of, directions, paths, ranks, n)
    keys = [r * d for r, d in zip(ranks, directions, strict=True)]
    return np.lexsort(keys[::-1]) if keys else np.arange(n)


def _object_ranks(slow, field_rest, root_names, roots_of, directions, paths, ranks, n) -> None:
    """Fill ``ranks`` for the fields in ``slow``: rows whose roots hold no array or document
    take their key directly; the others take the per-row walk over all these fields at once."""
    names = list(dict.fromkeys(root_names[i] for i in slow))
    complex_rows = np.zeros(n, dtype=bool)
    codes = {}
    for name in names:
        codes[name] = codes_of(roots_of[name])
        complex_rows |= (codes[name] == ARR) | (codes[name] == OBJ)
    chosen = {}
    for i in slow:
        objs = roots_of[root_names[i]]
        values = objs.copy() if not field_rest[i] else np.full(n, None, dtype=object)
        chosen[i] = values
    rows = np.flatnonzero(complex_rows)
    if len(rows):
        slot = {name: k for k, name in enumerate(names)}
        parts = [field_rest[i] for i in slow]
        which = [slot[root_names[i]] for i in slow]
        dirs = [directions[i] for i in slow]
        labels = [paths[i] for i in slow]
        for row in rows:
            roots = [roots_of[name][row] for name in names]
            key = _row_key(roots, which, parts, dirs, labels)
            for k, i in enumerate(slow):
                chosen[i][row] = key[k]
    for i in slow:
        ranks[i] = _value_ranks(chosen[i])


def _row_key(roots, which, parts, directions, labels) -> tuple:
    """The key one document sorts by: its smallest key tuple in the sort's order. ``roots``
    are the root values of the row, ``which[i]`` the root of field i (fields on one root
    share its arrays), ``parts[i]`` the path below it."""
    doc = {f"r{k}": v for k, v in enumerate(roots) if v is not MISSING}
    rest = [[f"r{w}", *p] for w, p in zip(which, parts, strict=True)]
    out: list[tuple] = []
    _keys(doc, rest, [None] * len(rest), [None] * len(rest), out, labels)
    if len(out) == 1:
        return out[0]

    def order(key):
        return tuple(
            _order_key(v) if d > 0 else _Desc(_order_key(v))
            for v, d in zip(key, directions, strict=True)
        )

    return min(out, key=order)


__all__ = ["UNDEFINED", "sort_order"]
