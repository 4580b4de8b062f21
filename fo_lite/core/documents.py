"""BSON-like value rules shared by queries and pipelines: type brackets, equality, ordering.

Values are plain Python (or numpy) objects. ``MISSING`` marks a field that is absent from a
document (as opposed to ``None``, a field that is present and null). ``frame_from_documents``
builds a frame that keeps that difference, for tests that compare with a MongoDB reference.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd


class _Missing:
    """The type of ``MISSING``: one instance, falsy, never equal to anything else."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING = _Missing()
"""Sentinel for an absent field (in object columns, and as a path lookup result)."""

# Type brackets, numbered in MongoDB's comparison/sort order (null and missing sort together).
MISS, NULL, NUM, STR, OBJ, ARR, OTHER, BOOL, DATE, REGEX = 0, 1, 2, 3, 4, 5, 6, 8, 9, 11

_BY_TYPE: dict[type, int] = {
    type(None): NULL,
    bool: BOOL,
    np.bool_: BOOL,
    int: NUM,
    float: NUM,
    str: STR,
    dict: OBJ,
    list: ARR,
    tuple: ARR,
    _Missing: MISS,
    _dt.datetime: DATE,
    pd.Timestamp: DATE,
    re.Pattern: REGEX,
    np.str_: STR,
    np.int64: NUM,
    np.int32: NUM,
    np.float64: NUM,
    np.float32: NUM,
}


def code_of(value: Any) -> int:
    """Type bracket of one value (NaN, NaT and pd.NA count as null).

    >>> code_of(1) == code_of(2.5) == NUM, code_of(True) == BOOL
    (True, True)
    """
    code = _BY_TYPE.get(type(value))
    if code is None:
        code = _slow_code(value)
    if code == NUM and value != value:  # NaN
        return NULL
    if code == DATE and value is pd.NaT:
        return NULL
    return code


def _slow_code(value: Any) -> int:
    if value is pd.NA or value is pd.NaT:
        return NULL
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return NUM
    if isinstance(value, str):
        return STR
    if isinstance(value, Mapping):
        return OBJ
    if isinstance(value, (list, tuple, np.ndarray)):
        return ARR
    if isinstance(value, (_dt.datetime, np.datetime64)):
        return DATE
    return OTHER


def whole_number(value: Any, what: str, minimum: int, maximum: int) -> int:
    """``value`` as an int when it is a whole number in ``[minimum, maximum]``, as MongoDB
    takes them (``2`` or ``2.0``, never ``True``); else TypeError naming ``what``.

    >>> whole_number(2.0, "$limit", 1, 2**63 - 1)
    2
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if ok and isinstance(value, (float, np.floating)):
        ok = math.isfinite(value) and float(value).is_integer()
    if ok:
        value = int(value)
        ok = minimum <= value <= maximum
    if not ok:
        raise TypeError(f"{what} needs a whole number from {minimum} to {maximum}, got {value!r}")
    return value


# pandas.api.types.infer_dtype result -> the type code every non-null value has
INFERRED_CODES = {
    "string": STR,
    "boolean": BOOL,
    "integer": NUM,
    "floating": NUM,
    "mixed-integer-float": NUM,
    "empty": NULL,
}


def codes_of(values: np.ndarray) -> np.ndarray:
    """Vector of type brackets (int8) for an object array."""
    uniform = INFERRED_CODES.get(pd.api.types.infer_dtype(values, skipna=True))
    if uniform is not None:  # one bracket plus nulls: no per-value work
        return np.where(pd.isna(values), NULL, uniform).astype(np.int8)
    types = map(type, values)
    codes = np.fromiter(
        map(_BY_TYPE.get, types, itertools.repeat(-1)), dtype=np.int8, count=len(values)
    )
    odd = np.flatnonzero(codes < 0)
    for i in odd:
        codes[i] = code_of(values[i])
    floats = codes == NUM
    if floats.any():
        na = pd.isna(values[floats])
        if na.any():
            idx = np.flatnonzero(floats)[na]
            codes[idx] = NULL
    return codes


def bson_equal(a: Any, b: Any) -> bool:
    """MongoDB equality: numbers by value, bool is not a number, documents compare field order.

    >>> bson_equal(1, 1.0), bson_equal(1, True), bson_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    (True, False, False)
    """
    ca, cb = code_of(a), code_of(b)
    if ca != cb:
        return False
    if ca in (NULL, MISS):
        return True
    if ca == ARR:
        return len(a) == len(b) and all(bson_equal(x, y) for x, y in zip(a, b, strict=False))
    if ca == OBJ:
        ka, kb = list(a), list(b)
        return ka == kb and all(bson_equal(a[k], b[k]) for k in ka)
    return bool(a == b)


def sort_key(value: Any) -> tuple:
    """A key ordering any values in MongoDB's BSON comparison order (arrays as whole values)."""
    code = code_of(value)
    if code == MISS:
        code = NULL
    if code in (NULL,):
        return (code, 0)
    if code == ARR:
        return (code, tuple(sort_key(v) for v in value))
    if code == OBJ:
        return (code, tuple((sort_key(v)[0], str(k), sort_key(v)) for k, v in value.items()))
    if code == OTHER:
        return (code, repr(value))
    if code == NUM:
        return (code, float(value) if isinstance(value, np.floating) else value)
    return (code, value)


def rank_values(values: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
    """Dense int64 ranks of values in BSON order (null and missing share the lowest rank).

    Vectorized per bracket (numbers, strings, booleans); documents and arrays use ``sort_key``.
    """
    values = np.asarray(values, dtype=object)
    if codes is None:
        codes = codes_of(values)
    codes = np.where(codes == MISS, NULL, codes)
    ranks = np.zeros(len(values), dtype=np.int64)
    offset = 0
    for code in np.unique(codes):
        mask = codes == code
        sub = values[mask]
        if code == NULL:
            inverse, count = np.zeros(len(sub), dtype=np.int64), 1
        elif code in (NUM, BOOL):
            uniq, inverse = np.unique(sub.astype(float), return_inverse=True)
            count = len(uniq)
        elif code == STR:
            inverse, count = dense_rank_strings(sub)
        else:
            keys = [sort_key(v) for v in sub]
            order = {k: i for i, k in enumerate(sorted(set(keys)))}
            inverse = np.fromiter((order[k] for k in keys), dtype=np.int64, count=len(keys))
            count = len(order)
        ranks[mask] = offset + inverse
        offset += count
    return ranks


def dense_rank_strings(values: Any) -> tuple[np.ndarray, int]:
    """(0-based dense ranks in code-point order, number of distinct strings); no nulls."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover (pyarrow is a dependency)
        pa = None
    if pa is not None:
        try:
            ranks = pc.rank(pa.array(values, type=pa.string()), "ascending", tiebreaker="dense")
        except (pa.ArrowException, TypeError, ValueError):  # e.g. lone surrogates
            pass
        else:
            inverse = ranks.to_numpy().astype(np.int64) - 1
            return inverse, int(inverse.max()) + 1 if len(inverse) else 0
    uniq, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return inverse.astype(np.int64), len(uniq)


def to_python(value: Any) -> Any:
    """A plain Python copy of a value: numpy scalars unboxed, NaN/NaT/NA -> None."""
    code = code_of(value)
    if code in (NULL, MISS):
        return None
    if code == ARR:
        return [to_python(v) for v in value]
    if code == OBJ:
        return {str(k): to_python(v) for k, v in value.items() if v is not MISSING}
    if code == DATE:
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isinf(value):
        return value
    return value


def frame_from_documents(docs: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame with one column per top-level field; absent fields hold ``MISSING``.

    Nested documents stay as dicts (paths walk into them). A column with no absent value and
    clean scalars gets pandas' own dtype (float/int/bool/str), as dataset frames do, when that
    keeps every value's type: integers with nulls become ``Int64``, integers mixed with floats
    stay an object column (a float column would turn ``2`` into ``2.0``).

    >>> frame_from_documents([{"a": 1}, {"b": None}])["a"].tolist()
    [1, MISSING]
    """
    docs = list(docs)
    columns = {}
    for name in _field_order(docs):
        values = [doc.get(name, MISSING) for doc in docs]
        columns[name] = _column_of(values)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(docs)))


def _column_of(values: list) -> pd.Series:
    if any(v is MISSING for v in values):
        return pd.Series(values, dtype=object)
    series = pd.Series(values)
    if pd.api.types.is_float_dtype(series.dtype):
        kinds = {type(v) for v in values if v is not None}
        if kinds == {int}:
            return pd.Series(values, dtype="Int64")
        if int in kinds:
            return pd.Series(values, dtype=object)
    return series


def _field_order(docs: list[Mapping]) -> list[str]:
    """One column order that keeps every document's own field order when the documents agree
    on it (``{"b"}`` then ``{"a", "b"}`` gives ``a, b``); else the order of first appearance."""
    first: dict[str, int] = {}
    succ: dict[str, set[str]] = {}
    for doc in docs:
        keys = list(doc)
        for key in keys:
            first.setdefault(key, len(first))
            succ.setdefault(key, set())
        for before, after in itertools.pairwise(keys):
            succ[before].add(after)
    indegree = dict.fromkeys(first, 0)
    for key in first:
        for after in succ[key]:
            indegree[after] += 1
    ready = sorted((k for k, d in indegree.items() if d == 0), key=first.__getitem__)
    order: list[str] = []
    while ready:
        key = ready.pop(0)
        order.append(key)
        for after in succ[key]:
            indegree[after] -= 1
            if indegree[after] == 0:
                ready.append(after)
        ready.sort(key=first.__getitem__)
    return order if len(order) == len(first) else list(first)


# ---------------------------------------------------------------- documents <-> frames
def group_key(value: Any, code: int) -> Any:
    """Hashable group key: numbers by value, bool apart from numbers, documents by field order."""
    if code == NULL:
        return None
    if code == MISS:
        return ("m",)
    if code == ARR:
        items = object_array(value)
        return ("a", tuple(map(group_key, items, codes_of(items))))
    if code == OBJ:
        items = object_array(value.values())
        return ("o", tuple(zip(value.keys(), map(group_key, items, codes_of(items)), strict=True)))
    if code == NUM:
        return ("n", value)
    return (code, value)


def object_array(seq) -> np.ndarray:
    """A 1-d object array of the items (lists and tuples stay single items)."""
    items = list(seq)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def path_tree(paths: list[list[str]]) -> dict:
    """Nested dict of path parts, ``True`` at each path's end (a shorter path wins)."""
    tree: dict = {}
    for parts in paths:
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if node is True:
                break
        else:
            node[parts[-1]] = True
    return tree


def include_paths(value: Any, tree: dict) -> Any:
    """``value`` keeping only the paths of ``tree`` (``True`` leaves); arrays map their
    elements, nested arrays too. Any other leaf marks a field that ``$project`` computes
    afterwards: below such a mark a value that is not a document stays, as a placeholder,
    where otherwise it is dropped (MISSING)."""
    if isinstance(value, dict):
        out = {}
        for key, val in value.items():
            sub = tree.get(key)
            if sub is True:
                out[key] = val
            elif isinstance(sub, dict):
                inner = include_paths(val, sub)
                if inner is not MISSING:
                    out[key] = inner
        return out
    if type(value) is list:
        return [v for v in (include_paths(e, tree) for e in value) if v is not MISSING]
    return value if has_computed(tree) else MISSING


def has_computed(tree: dict) -> bool:
    """Does a path tree hold a leaf other than ``True`` (a computed field)?"""
    return any(
        sub is not True and (not isinstance(sub, dict) or has_computed(sub))
        for sub in tree.values()
    )


def exclude_paths(value: Any, tree: dict) -> Any:
    """``value`` without the paths of ``tree`` (arrays: each document element)."""
    if isinstance(value, dict):
        out = {}
        for key, val in value.items():
            sub = tree.get(key)
            if sub is None:
                out[key] = val
            elif sub is not True:
                out[key] = exclude_paths(val, sub)
        return out
    if type(value) is list:
        return [exclude_paths(v, tree) for v in value]
    return value


def set_path(value: Any, parts: list[str], new: Any) -> Any:
    """A copy of ``value`` with ``parts`` set to ``new`` (removed when ``new`` is MISSING)."""
    if not parts:
        return new
    if not isinstance(value, dict):
        if new is MISSING:
            return value
        value = {}
    base = dict(value)
    inner = set_path(base.get(parts[0], MISSING), parts[1:], new)
    if inner is MISSING:
        base.pop(parts[0], None)
    else:
        base[parts[0]] = inner
    return base


def get_path(value: Any, parts: list[str]) -> Any:
    """The value at ``parts`` walking documents only (an array on the way: ``MISSING``)."""
    for part in parts:
        if not isinstance(value, dict):
            return MISSING
        value = value.get(part, MISSING)
    return value


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def _plain_column(series: pd.Series) -> tuple[list, bool]:
    """(plain Python values, may hold MISSING) of one column, vectorized for typed dtypes."""
    if series.dtype != object and not pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.astype(object)
        return values.where(series.notna(), None).tolist(), False
    plain = _PLAIN_TYPES
    return [v if type(v) in plain or v is MISSING else to_python(v) for v in series.tolist()], True


def records(frame: pd.DataFrame) -> list[dict]:
    """Plain nested dicts from a frame (``MISSING`` cells left out, NaN -> None, ``_id`` first).

    Flattened columns (``ground_truth.label``) become embedded documents, null where every
    sub-field is null (an unset label), as queries and expressions read them."""
    names = list(frame.columns)
    if "_id" not in names and "id" in names:
        names = ["_id" if c == "id" else c for c in names]
    order = sorted(range(len(names)), key=lambda i: names[i].split(".")[0] != "_id")
    paths = [names[i].split(".") for i in order]
    columns, maybe_missing = [], False
    for i in order:
        values, missing = _plain_column(frame.iloc[:, i])
        columns.append(values)
        maybe_missing |= missing
    if not columns:
        return [{} for _ in range(len(frame))]
    if not maybe_missing and all(len(p) == 1 for p in paths):
        keys = [p[0] for p in paths]
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    flattened = list(dict.fromkeys(p[0] for p in paths if len(p) > 1))
    out = []
    for row in zip(*columns, strict=True):
        doc: dict = {}
        for parts, value in zip(paths, row, strict=True):
            if value is MISSING:
                continue
            target = doc
            for part in parts[:-1]:
                nxt = target.get(part)
                if not isinstance(nxt, dict):
                    nxt = target[part] = {}
                target = nxt
            target[parts[-1]] = value
        for name in flattened:
            if _all_null(doc.get(name)):
                doc[name] = None
        out.append(doc)
    return out


def _all_null(value: Any) -> bool:
    """A non-empty document whose every value is null or such a document."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(v is None or _all_null(v) for v in value.values())
    )
