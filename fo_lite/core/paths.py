"""Dotted field paths on a frame: which values a path yields for each row.

A query path yields *candidates* per row, as MongoDB's matcher does: the value itself and, when
it is an array, each of its elements; an array met before the last path part is traversed into
its document elements, and a numeric part also picks the element at that index (see
``_walk_array``). Typed columns (numeric, bool, str) are one candidate per row and stay
vectorized; only object columns holding lists, dicts or mixed types take the per-value walk.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    ARR,
    BOOL,
    DATE,
    INFERRED_CODES,
    MISS,
    MISSING,
    NULL,
    NUM,
    STR,
    codes_of,
    records,
)


def split_path(path: Any) -> list[str]:
    """Check a field path (``a.b.c``) and return its parts; raise naming what is wrong."""
    if not isinstance(path, str):
        raise TypeError(f"field path must be a string, got {type(path).__name__}: {path!r}")
    if not path:
        raise ValueError("empty field path: name a field, e.g. 'ground_truth.label'")
    parts = path.split(".")
    if any(not p for p in parts):
        raise ValueError(f"field path {path!r} has an empty part; use e.g. 'a.b'")
    if "$" in path:
        raise ValueError(f"field path {path!r} contains '$'; field names may not contain '$'")
    return parts


class Cands:
    """Candidate values of a path: ``values[i]`` belongs to row ``owner[i]``.

    ``owner is None`` means one candidate per row (row i -> candidate i). ``direct`` is False
    for candidates that are elements of an array value (not the value itself).
    """

    __slots__ = ("n", "values", "codes", "owner", "direct", "typed")

    def __init__(self, n, values, codes, owner=None, direct=None, typed=None):
        self.n = n
        self.values = values
        self.codes = codes
        self.owner = owner
        self.direct = direct
        self.typed = typed

    def rows(self, hit: np.ndarray) -> np.ndarray:
        """Per-row OR of a per-candidate bool array."""
        if self.owner is None:
            return np.asarray(hit, dtype=bool)
        out = np.zeros(self.n, dtype=bool)
        out[self.owner[hit]] = True
        return out

    def direct_mask(self) -> np.ndarray:
        """Per-candidate bool: the path's value itself (not an element of an array value)."""
        if self.direct is None:
            return np.ones(len(self.codes), dtype=bool)
        return self.direct

    def select(self, code: int) -> tuple[np.ndarray, Any]:
        """(candidate mask, values of that bracket) with numbers as float64, bools as bool."""
        mask = self.codes == code
        if self.typed == code:
            vals = self.values if mask.all() else self.values[mask]
            return mask, vals
        sub = np.asarray(self.values, dtype=object)[mask]
        if code == NUM:
            sub = sub.astype(float)
        elif code == BOOL:
            sub = sub.astype(bool)
        return mask, sub

    def object_values(self) -> np.ndarray:
        """The candidate values as an object array."""
        return np.asarray(self.values, dtype=object)


def _leaf(value, vals, direct):
    vals.append(value)
    direct.append(True)
    if type(value) is list:  # an array at the end of the path: itself and each element
        vals.extend(value)
        direct.extend([False] * len(value))


def _walk(value, parts, i, vals, direct):
    """Candidates of ``parts[i:]`` in ``value``, a document or the value found so far."""
    if i == len(parts):
        _leaf(value, vals, direct)
    elif isinstance(value, dict):
        _walk(value.get(parts[i], MISSING), parts, i + 1, vals, direct)
    elif type(value) is list:
        _walk_array(value, parts, i, vals, direct)
    else:  # a scalar, null or missing before the end of the path: the path is missing
        vals.append(MISSING)
        direct.append(True)


def _walk_array(array, parts, i, vals, direct):
    """An array met before the end of the path, as MongoDB's matcher walks it: each document
    element continues the path; the element whose index is the next part continues it after
    that part (at the end of the path it is one value, its elements are not expanded). Other
    elements (scalars, nested arrays) yield nothing."""
    key = parts[i]
    last = i + 1 == len(parts)
    index = int(key) if key.isdigit() and str(int(key)) == key else -1
    for j, elem in enumerate(array):
        if j == index:
            if last:
                vals.append(elem)
                direct.append(True)
            elif isinstance(elem, dict):
                _walk(elem.get(parts[i + 1], MISSING), parts, i + 2, vals, direct)
            elif type(elem) is list:
                _walk_array(elem, parts, i + 1, vals, direct)
        if isinstance(elem, dict):
            _walk(elem.get(key, MISSING), parts, i + 1, vals, direct)


def walk_candidates(roots: np.ndarray, parts: list[str]) -> Cands:
    """Candidates of ``parts`` below each root value (per-value walk; object data only)."""
    n = len(roots)
    if not parts:
        return leaf_candidates(roots)
    vals: list = []
    direct: list = []
    counts = np.empty(n, dtype=np.int64)
    for row, root in enumerate(roots):
        start = len(vals)
        _walk(root, parts, 0, vals, direct)
        counts[row] = len(vals) - start
    arr = np.empty(len(vals), dtype=object)
    arr[:] = vals
    owner = np.repeat(np.arange(n), counts)
    return Cands(n, arr, codes_of(arr), owner, np.asarray(direct, dtype=bool))


def leaf_candidates(values: np.ndarray) -> Cands:
    """Candidates of object values at the end of a path: each value, plus array elements."""
    values = np.asarray(values, dtype=object)
    n = len(values)
    codes = codes_of(values)
    is_list = codes == ARR
    if not is_list.any():
        return Cands(n, values, codes)
    lists = values[is_list]
    lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    elems = np.empty(int(lens.sum()), dtype=object)
    elems[:] = list(itertools.chain.from_iterable(lists))
    all_vals = np.concatenate([values, elems])
    owner = np.concatenate([np.arange(n), np.repeat(np.flatnonzero(is_list), lens)])
    direct = np.concatenate([np.ones(n, bool), np.zeros(len(elems), bool)])
    return Cands(n, all_vals, np.concatenate([codes, codes_of(elems)]), owner, direct)


def typed_candidates(series: pd.Series) -> Cands | None:
    """One candidate per row for a column of a single scalar bracket (plus nulls), else None."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        code = BOOL
    elif pd.api.types.is_numeric_dtype(dtype):
        code = NUM
    elif pd.api.types.is_string_dtype(dtype) and dtype is not np.dtype(object):
        code = STR
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        code = DATE
    elif dtype is np.dtype(object):
        code = INFERRED_CODES.get(pd.api.types.infer_dtype(series, skipna=True))
        if code is None:
            return None
    else:
        return None
    na = series.isna().to_numpy(dtype=bool)
    codes = np.where(na, NULL, code).astype(np.int8)
    values = series.reset_index(drop=True)
    if code == NUM and dtype is np.dtype(object):
        values = values.astype(float)
    elif code == BOOL and dtype is np.dtype(object):
        values = values.where(~na, False).astype(bool)
    return Cands(len(series), values, codes, typed=code)


def column_for(frame: pd.DataFrame, parts: list[str]) -> tuple[str | None, list[str]]:
    """The column holding a path (exact name, else the longest dotted prefix) and the rest."""
    path = ".".join(parts)
    if path in frame.columns:
        return path, []
    if parts[0] == "_id" and "_id" not in frame.columns and "id" in frame.columns:
        return column_for(frame, ["id", *parts[1:]])
    for k in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in frame.columns:
            return prefix, parts[k:]
    return None, parts


#: a dataset frame's presence column of an embedded label (core's ``fields.PRESENCE``): null
#: where the label itself is unset (None), so its attribute columns are missing there
PRESENCE = "_cls"


def unset_rows(frame: pd.DataFrame, col: str) -> np.ndarray | None:
    """Rows where column ``col`` (``ground_truth.label``) is missing because its embedded
    document is unset: ``ground_truth._cls`` is null there, as FiftyOne stores
    ``ground_truth: null``. None when there are no such rows (or no presence column)."""
    root, dot, leaf = col.rpartition(".")
    if not dot or leaf == PRESENCE:
        return None
    presence = f"{root}.{PRESENCE}"
    if presence not in frame.columns:
        return None
    unset = frame[presence].isna().to_numpy(dtype=bool)
    return unset if unset.any() else None


def _missing_where(values: np.ndarray | pd.Series, unset: np.ndarray | None) -> Any:
    if unset is None:
        return values
    out = np.asarray(values, dtype=object).copy()
    out[unset] = MISSING
    return out


def embedded_documents(frame: pd.DataFrame, path: str) -> np.ndarray | None:
    """Documents rebuilt from flattened columns (``ground_truth`` from ``ground_truth.label``,
    ...): null where every sub-field is null, as an unset embedded field is. None when the frame
    has no such columns. Per-row work: only for queries on a whole embedded field."""
    prefix = path + "."
    subcols = [c for c in frame.columns if isinstance(c, str) and c.startswith(prefix)]
    if not subcols:
        return None
    sub = frame[subcols].reset_index(drop=True)
    sub.columns = [c[len(prefix) :] for c in subcols]
    docs = np.empty(len(sub), dtype=object)
    docs[:] = records(sub)
    docs[sub.isna().all(axis=1).to_numpy()] = None
    return docs


class FrameSource:
    """Resolves query paths against a frame's columns."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.n = len(frame)

    def candidates(self, path: str) -> Cands:
        """The candidates of ``path`` for every row of the frame."""
        parts = split_path(path)
        col, rest = column_for(self.frame, parts)
        if col is None:
            embedded = embedded_documents(self.frame, path)
            if embedded is not None:
                return leaf_candidates(embedded)
            return Cands(self.n, np.full(self.n, MISSING, dtype=object), np.zeros(self.n, np.int8))
        series = self.frame[col]
        if isinstance(series, pd.DataFrame):
            raise ValueError(f"the frame has several columns named {col!r}")
        unset = unset_rows(self.frame, col)
        if not rest:
            typed = typed_candidates(series)
            if typed is not None:
                if unset is not None:  # an unset label's attributes are missing
                    typed.codes[unset] = MISS
                return typed
            return leaf_candidates(_missing_where(series.to_numpy(dtype=object), unset))
        return walk_candidates(_missing_where(series.to_numpy(dtype=object), unset), rest)


class ValuesSource:
    """Resolves query paths inside each of a sequence of documents (``$elemMatch``)."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self.n = len(values)

    def candidates(self, path: str) -> Cands:
        """The candidates of ``path`` inside each document."""
        return walk_candidates(self.values, split_path(path))


def _expr_walk(value, parts, i):
    if i == len(parts):
        return value
    if isinstance(value, dict):
        return _expr_walk(value.get(parts[i], MISSING), parts, i + 1)
    if type(value) is list:  # documents only: other elements, nested arrays too, are skipped
        out = [_expr_walk(e, parts, i) for e in value if isinstance(e, dict)]
        return [v for v in out if v is not MISSING]
    return MISSING


def expr_values(frame: pd.DataFrame, path: str) -> pd.Series | np.ndarray:
    """Values of an aggregation field reference (``"$a.b"``) per row.

    Returns the column itself when the path names one; otherwise an object array walking into
    dicts (arrays of documents map to arrays of the field's values, as in MongoDB).
    """
    parts = split_path(path)
    col, rest = column_for(frame, parts)
    if col is None:
        embedded = embedded_documents(frame, path)
        return np.full(len(frame), MISSING, dtype=object) if embedded is None else embedded
    unset = unset_rows(frame, col)
    if not rest:
        column = frame[col].reset_index(drop=True)
        return column if unset is None else pd.Series(_missing_where(column, unset), dtype=object)
    roots = _missing_where(frame[col].to_numpy(dtype=object), unset)
    out = np.empty(len(roots), dtype=object)
    out[:] = [_expr_walk(v, rest, 0) for v in roots]
    return out


__all__ = ["Cands", "FrameSource", "ValuesSource", "column_for", "expr_values", "split_path"]
