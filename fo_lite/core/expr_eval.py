"""MongoDB aggregation expressions (what ``F(...).to_mongo()`` builds) evaluated over a frame.

``evaluate(frame, expr)`` gives one value per row, vectorized where the values are typed
columns; every operator is a handler in one table, :data:`OPERATORS` (name -> function), so
nothing is ever eval'ed, and ``check(expr)`` refuses an operator the table lacks, naming it.

The semantics are MongoDB's aggregation ones, not the query language's: comparisons order by
BSON type first (a missing field < null < numbers < strings < documents < arrays < booleans),
so ``F("n") < 5`` holds where ``n`` is None, as in FiftyOne; ``$and``/``$or``/``$not`` treat
``false``, ``0``, null and missing as false and everything else as true; arithmetic on null
gives null; ``$size`` and ``$in`` of something that is not an array raise, as the server does.

>>> import pandas as pd
>>> frame = pd.DataFrame({"n": [1, 5, None]})
>>> truthy(evaluate(frame, {"$gt": ["$n", 2]})).tolist()
[False, True, False]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    ARR,
    BOOL,
    MISS,
    MISSING,
    NULL,
    NUM,
    OBJ,
    STR,
    bson_equal,
    code_of,
    codes_of,
    group_key,
    sort_key,
)
from fo_lite.core.paths import expr_values, split_path

_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_TYPE_NAMES = {MISS: "missing", NULL: "null", STR: "string", OBJ: "object", ARR: "array"}
_TYPE_NAMES[BOOL] = "bool"


class Const:
    """A literal: the same value for every row (broadcast only when a handler needs arrays)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


Values = pd.Series | Const


# -- public ---------------------------------------------------------------------------------
def evaluate(frame: pd.DataFrame, expr: Any) -> pd.Series:
    """The value of ``expr`` for every row of ``frame`` (a RangeIndex Series; MISSING where
    a field does not exist)."""
    check(expr)
    return _series(_eval(_Context(frame), expr), len(frame))


def truthy(values: pd.Series) -> np.ndarray:
    """Rows where the values are true in MongoDB's sense (not false, 0, null or missing)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return (values.fillna(0) != 0).to_numpy()
    return np.fromiter(map(_truth, values.to_numpy(dtype=object)), dtype=bool, count=len(values))


def check(expr: Any) -> None:
    """Raise ValueError naming the first operator (or variable) that fo_lite cannot evaluate."""
    if isinstance(expr, str) and expr.startswith("$$"):
        raise ValueError(
            f"expression variable {expr!r} is not supported by fo_lite (map/filter/apply and "
            "F() outside an aggregation's expr=); use field references such as F('field')"
        )
    if isinstance(expr, str) and expr.startswith("$"):
        split_path(expr[1:])
    elif isinstance(expr, Mapping):
        keys = list(expr)
        if len(keys) == 1 and str(keys[0]).startswith("$"):
            op = keys[0]
            if op not in OPERATORS:
                raise ValueError(
                    f"expression operator {op!r} is not supported; supported: "
                    f"{', '.join(sorted(OPERATORS))}"
                )
            if op != "$literal":
                check(expr[op])
        else:
            for value in expr.values():
                check(value)
    elif isinstance(expr, list | tuple):
        for item in expr:
            check(item)


# -- evaluation -----------------------------------------------------------------------------
class _Context:
    __slots__ = ("frame", "n")

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.n = frame, len(frame)


def _eval(ctx: _Context, expr: Any) -> Values:
    if isinstance(expr, str) and expr.startswith("$"):
        values = expr_values(ctx.frame, expr[1:])
        return values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(expr, Mapping):
        keys = list(expr)
        if len(keys) == 1 and str(keys[0]).startswith("$"):
            return OPERATORS[keys[0]](ctx, expr[keys[0]])
        parts = {k: _objects(_eval(ctx, v), ctx.n) for k, v in expr.items()}
        docs = [{k: parts[k][i] for k in keys if parts[k][i] is not MISSING} for i in range(ctx.n)]
        return pd.Series(docs, dtype=object)
    if isinstance(expr, list | tuple):
        items = [_eval(ctx, e) for e in expr]
        if all(isinstance(i, Const) for i in items):
            return Const([i.value for i in items])
        columns = [_objects(i, ctx.n) for i in items]
        rows = [[c[r] for c in columns] for r in range(ctx.n)]
        return pd.Series(rows, dtype=object)
    return Const(expr)


def _args(ctx: _Context, arg: Any, count: int | None = None, name: str = "") -> list[Values]:
    items = list(arg) if isinstance(arg, list | tuple) else [arg]
    if count is not None and len(items) != count:
        raise ValueError(f"expression {name} takes {count} argument(s), got {len(items)}")
    return [_eval(ctx, a) for a in items]


def _series(values: Values, n: int) -> pd.Series:
    if isinstance(values, Const):
        out = np.empty(n, dtype=object)
        out[:] = [values.value] * n
        return pd.Series(out, dtype=object)
    return values.reset_index(drop=True)


def _objects(values: Values, n: int) -> np.ndarray:
    """Plain Python values per row (None for null, MISSING for missing)."""
    if isinstance(values, Const):
        out = np.empty(n, dtype=object)
        out[:] = [values.value] * n
        return out
    out = values.to_numpy(dtype=object)
    if values.dtype != object:
        nulls = values.isna().to_numpy()
        if nulls.any():
            out = out.copy()
            out[nulls] = None
    return out


def _bools(mask: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(mask, dtype=bool))


def _truth(value: Any) -> bool:
    if value is None or value is MISSING or value is False:
        return False
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        return value != 0 and value == value  # NaN is null in fo_lite
    return True


# -- comparison -----------------------------------------------------------------------------
def _numeric(values: Values) -> tuple[np.ndarray, np.ndarray] | None:
    """(float values, null mask) of a typed numeric column or number literal, else None."""
    if isinstance(values, Const):
        v = values.value
        if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
            return np.asarray([float(v)]), np.asarray([False])
        return None
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan), values.isna().to_numpy()
    return None


def _cmp(a: Values, b: Values, n: int) -> np.ndarray:
    """-1/0/1 per row: a against b in BSON order."""
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:  # numbers and nulls: no per-row Python work
        (av, anull), (bv, bnull) = na, nb
        out = np.sign(np.nan_to_num(av - bv)).astype(np.int8) * np.ones(n, dtype=np.int8)
        out = np.where(anull & ~bnull, -1, out)
        out = np.where(bnull & ~anull, 1, out)
        return np.where(anull & bnull, 0, out).astype(np.int8)
    left, right = _objects(a, n), _objects(b, n)
    cl, cr = codes_of(left), codes_of(right)
    out = np.sign(cl.astype(np.int16) - cr.astype(np.int16)).astype(np.int8)
    for i in np.flatnonzero(cl == cr):
        code, x, y = cl[i], left[i], right[i]
        if code in (NULL, MISS):
            out[i] = 0
        elif code in (ARR, OBJ):
            out[i] = 0 if bson_equal(x, y) else (1 if sort_key(x) > sort_key(y) else -1)
        else:
            out[i] = (x > y) - (x < y)
    return out


def _comparison(test: Callable[[np.ndarray], np.ndarray]) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        a, b = _args(ctx, arg, 2, "comparison")
        return _bools(test(_cmp(a, b, ctx.n)))

    return handler


def _op_cmp(ctx: _Context, arg: Any) -> Values:
    a, b = _args(ctx, arg, 2, "$cmp")
    return pd.Series(_cmp(a, b, ctx.n).astype(np.int64))


# -- logic ----------------------------------------------------------------------------------
def _op_and(ctx: _Context, arg: Any) -> Values:
    mask = np.ones(ctx.n, dtype=bool)
    for values in _args(ctx, arg):
        mask &= truthy(_series(values, ctx.n))
    return _bools(mask)


def _op_or(ctx: _Context, arg: Any) -> Values:
    mask = np.zeros(ctx.n, dtype=bool)
    for values in _args(ctx, arg):
        mask |= truthy(_series(values, ctx.n))
    return _bools(mask)


def _op_not(ctx: _Context, arg: Any) -> Values:
    (values,) = _args(ctx, arg, 1, "$not")
    return _bools(~truthy(_series(values, ctx.n)))


def _op_cond(ctx: _Context, arg: Any) -> Values:
    if isinstance(arg, Mapping):
        arg = [arg.get("if"), arg.get("then"), arg.get("else")]
    test, then, other = _args(ctx, arg, 3, "$cond")
    chosen = truthy(_series(test, ctx.n))
    return pd.Series(np.where(chosen, _objects(then, ctx.n), _objects(other, ctx.n)), dtype=object)


def _op_if_null(ctx: _Context, arg: Any) -> Values:
    items = _args(ctx, arg)
    out = _objects(items[-1], ctx.n).copy()
    for values in reversed(items[:-1]):
        cells = _objects(values, ctx.n)
        present = np.fromiter((v is not None and v is not MISSING for v in cells), bool, ctx.n)
        out[present] = cells[present]
    return pd.Series(out, dtype=object)


# -- membership and arrays ------------------------------------------------------------------
def _key(value: Any) -> Any:
    return group_key(value, code_of(value))


def _array(value: Any, op: str) -> list:
    if type(value) is not list:
        found = "missing" if value is MISSING else _type_name(value)
        raise ValueError(f"{op} needs an array, found {found} (MongoDB raises here too)")
    return value


def _op_in(ctx: _Context, arg: Any) -> Values:
    needle, haystack = _args(ctx, arg, 2, "$in")
    if isinstance(haystack, Const):
        wanted = _array(haystack.value, "$in's second argument")
        if not isinstance(needle, Const) and needle.dtype != object:  # typed column: isin
            plain = [v for v in wanted if v is not None and not isinstance(v, list | dict)]
            hit = needle.isin(plain).to_numpy()
            return _bools(hit | (needle.isna().to_numpy() & (None in wanted)))
        keys = {_key(v) for v in wanted}
        return _bools([_key(v) in keys for v in _objects(needle, ctx.n)])
    cells = _objects(needle, ctx.n)
    return _bools(
        [
            any(bson_equal(x, h) for h in _array(hay, "$in's second argument"))
            for x, hay in zip(cells, _objects(haystack, ctx.n), strict=True)
        ]
    )


def _op_size(ctx: _Context, arg: Any) -> Values:
    (values,) = _args(ctx, arg, 1, "$size")
    return pd.Series([len(_array(v, "$size")) for v in _objects(values, ctx.n)], dtype=np.int64)


def _op_elem_at(ctx: _Context, arg: Any) -> Values:
    arrays, index = _args(ctx, arg, 2, "$arrayElemAt")
    out = []
    for array, i in zip(_objects(arrays, ctx.n), _objects(index, ctx.n), strict=True):
        if array is None or array is MISSING or i is None:
            out.append(None)
            continue
        items = _array(array, "$arrayElemAt")
        out.append(items[int(i)] if -len(items) <= int(i) < len(items) else MISSING)
    return pd.Series(out, dtype=object)


def _set_op(combine: Callable[[list[list]], Any]) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        columns = [_objects(v, ctx.n) for v in _args(ctx, arg)]
        out = []
        for row in zip(*columns, strict=True):
            if any(v is None or v is MISSING for v in row):
                out.append(None)
            else:
                out.append(combine([_array(v, "a set operator") for v in row]))
        return pd.Series(out, dtype=object)

    return handler


def _intersection(arrays: list[list]) -> list:
    keys = set.intersection(*({_key(v) for v in a} for a in arrays))
    seen: set = set()
    return [v for v in arrays[0] if _key(v) in keys and not (_key(v) in seen or seen.add(_key(v)))]


def _is_subset(arrays: list[list]) -> bool:
    first, second = arrays
    return {_key(v) for v in first} <= {_key(v) for v in second}


def _extreme(largest: bool) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        items = _args(ctx, arg)
        columns = [_objects(v, ctx.n) for v in items]
        out = []
        for row in zip(*columns, strict=True):
            pool = row[0] if len(row) == 1 and type(row[0]) is list else row
            present = [v for v in pool if v is not None and v is not MISSING]
            out.append((max if largest else min)(present, key=sort_key) if present else None)
        return pd.Series(out, dtype=object)

    return handler


# -- arithmetic -----------------------------------------------------------------------------
def _number_of(value: Any, op: str) -> Any:
    if value is None or value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{op} only supports numeric types, not {_type_name(value)}")
    return value


def _arithmetic(op: str, combine: Callable[[list[Any]], Any], arity: int | None = None) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        items = _args(ctx, arg, arity, op)
        numeric = [_numeric(v) for v in items]
        if all(x is not None for x in numeric) and op in _VECTOR_OPS:
            return _vector_arithmetic(op, items, numeric, ctx.n)  # type: ignore[arg-type]
        columns = [_objects(v, ctx.n) for v in items]
        out = []
        for row in zip(*columns, strict=True):
            nums = [_number_of(v, op) for v in row]
            out.append(None if any(v is None for v in nums) else combine(nums))
        return pd.Series(out, dtype=object)

    return handler


_VECTOR_OPS = {"$add": np.add, "$subtract": np.subtract, "$multiply": np.multiply}


def _vector_arithmetic(op: str, items: list[Values], numeric: list, n: int) -> Values:
    ints = all(_is_int(v) for v in items)
    total, nulls = numeric[0][0] * np.ones(n), numeric[0][1] * np.ones(n, dtype=bool)
    for values, null in numeric[1:]:
        total = _VECTOR_OPS[op](total, values)
        nulls = nulls | null
    if ints and not nulls.any():
        return pd.Series(total.astype(np.int64))
    out = pd.Series(total, dtype=float)
    out[nulls] = np.nan
    return out


def _is_int(values: Values) -> bool:
    if isinstance(values, Const):
        return isinstance(values.value, int) and not isinstance(values.value, bool)
    return pd.api.types.is_integer_dtype(values.dtype)


def _divide(nums: list) -> float:
    if nums[1] == 0:
        raise ValueError("$divide by zero (MongoDB raises too)")
    return nums[0] / nums[1]


def _mod(nums: list) -> Any:
    if nums[1] == 0:
        raise ValueError("$mod by zero (MongoDB raises too)")
    return (
        math.fmod(nums[0], nums[1])
        if any(type(v) is float for v in nums)
        else int(math.fmod(nums[0], nums[1]))
    )


def _round(nums: list) -> Any:
    value, place = nums[0], int(nums[1]) if len(nums) > 1 else 0
    rounded = round(value, place)  # half to even, as MongoDB's $round
    return int(rounded) if type(value) is int or place <= 0 and type(value) is int else rounded


def _trunc(nums: list) -> Any:
    value, place = nums[0], int(nums[1]) if len(nums) > 1 else 0
    factor = 10.0**place
    truncated = math.trunc(value * factor) / factor
    return int(truncated) if type(value) is int else truncated


def _whole(fn: Callable[[float], Any]) -> Callable[[list], Any]:
    def combine(nums: list) -> Any:
        value = nums[0]
        return value if type(value) is int else float(fn(value))

    return combine


# -- strings and types ----------------------------------------------------------------------
def _type_name(value: Any) -> str:
    code = code_of(value) if value is not MISSING else MISS
    if code == NUM:
        if isinstance(value, float):
            return "double"
        return "int" if -(2**31) <= value < 2**31 else "long"
    return _TYPE_NAMES.get(code, type(value).__name__)


def _op_type(ctx: _Context, arg: Any) -> Values:
    (values,) = _args(ctx, arg, 1, "$type")
    return pd.Series([_type_name(v) for v in _objects(values, ctx.n)], dtype=object)


def _predicate(test: Callable[[Any], bool]) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        (values,) = _args(ctx, arg, 1, "a type test")
        return _bools([test(v) for v in _objects(values, ctx.n)])

    return handler


def _string_op(op: str, fn: Callable[[str], Any], on_null: Any) -> Callable:
    def handler(ctx: _Context, arg: Any) -> Values:
        (values,) = _args(ctx, arg, 1, op)
        out = []
        for v in _objects(values, ctx.n):
            if v is None or v is MISSING:
                out.append(on_null)
            elif isinstance(v, str):
                out.append(fn(v))
            else:
                raise ValueError(f"{op} needs a string, not {_type_name(v)}")
        return pd.Series(out, dtype=object)

    return handler


def _op_concat(ctx: _Context, arg: Any) -> Values:
    columns = [_objects(v, ctx.n) for v in _args(ctx, arg)]
    out = []
    for row in zip(*columns, strict=True):
        if any(v is None or v is MISSING for v in row):
            out.append(None)
        elif all(isinstance(v, str) for v in row):
            out.append("".join(row))
        else:
            raise ValueError("$concat only supports strings")
    return pd.Series(out, dtype=object)


def _op_regex_match(ctx: _Context, arg: Any) -> Values:
    if not isinstance(arg, Mapping) or "input" not in arg or "regex" not in arg:
        raise ValueError("$regexMatch takes {'input': ..., 'regex': ..., 'options': ...}")
    regex, options = arg["regex"], arg.get("options") or ""
    if not isinstance(regex, str) or not isinstance(options, str):
        raise ValueError("$regexMatch needs a literal string 'regex' and 'options'")
    flags = 0
    for letter in options:
        if letter not in _REGEX_FLAGS:
            raise ValueError(f"$regexMatch: unsupported option {letter!r}")
        flags |= _REGEX_FLAGS[letter]
    pattern = re.compile(regex, flags)
    out = []
    for v in _objects(_eval(ctx, arg["input"]), ctx.n):
        if v is None or v is MISSING:
            out.append(False)
        elif isinstance(v, str):
            out.append(pattern.search(v) is not None)
        else:
            raise ValueError(f"$regexMatch needs 'input' to be a string, not {_type_name(v)}")
    return _bools(out)


def _op_literal(ctx: _Context, arg: Any) -> Values:
    return Const(arg)


# -- the table ------------------------------------------------------------------------------
OPERATORS: dict[str, Callable[[_Context, Any], Values]] = {
    "$eq": _comparison(lambda c: c == 0),
    "$ne": _comparison(lambda c: c != 0),
    "$gt": _comparison(lambda c: c > 0),
    "$gte": _comparison(lambda c: c >= 0),
    "$lt": _comparison(lambda c: c < 0),
    "$lte": _comparison(lambda c: c <= 0),
    "$cmp": _op_cmp,
    "$and": _op_and,
    "$or": _op_or,
    "$not": _op_not,
    "$cond": _op_cond,
    "$ifNull": _op_if_null,
    "$in": _op_in,
    "$size": _op_size,
    "$arrayElemAt": _op_elem_at,
    "$setIntersection": _set_op(_intersection),
    "$setIsSubset": _set_op(_is_subset),
    "$max": _extreme(True),
    "$min": _extreme(False),
    "$add": _arithmetic("$add", sum),
    "$subtract": _arithmetic("$subtract", lambda v: v[0] - v[1], 2),
    "$multiply": _arithmetic("$multiply", math.prod),
    "$divide": _arithmetic("$divide", _divide, 2),
    "$mod": _arithmetic("$mod", _mod, 2),
    "$pow": _arithmetic("$pow", lambda v: v[0] ** v[1], 2),
    "$abs": _arithmetic("$abs", lambda v: abs(v[0]), 1),
    "$sqrt": _arithmetic("$sqrt", lambda v: math.sqrt(v[0]), 1),
    "$ceil": _arithmetic("$ceil", _whole(math.ceil), 1),
    "$floor": _arithmetic("$floor", _whole(math.floor), 1),
    "$round": _arithmetic("$round", _round),
    "$trunc": _arithmetic("$trunc", _trunc),
    "$type": _op_type,
    "$isNumber": _predicate(lambda v: code_of(v) == NUM and v is not MISSING),
    "$isArray": _predicate(lambda v: type(v) is list),
    "$strLenCP": _string_op("$strLenCP", len, None),
    "$toLower": _string_op("$toLower", str.lower, ""),
    "$toUpper": _string_op("$toUpper", str.upper, ""),
    "$concat": _op_concat,
    "$regexMatch": _op_regex_match,
    "$literal": _op_literal,
}
