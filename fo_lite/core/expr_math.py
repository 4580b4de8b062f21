"""Expression operators that compute: arithmetic (``$add`` ... ``$round``; null in, null
out; non-numbers refused as the server refuses them), strings (``$toLower``, ``$regexMatch``
...), types (``$type``, ``$isNumber``, ``$isArray``) and ``$literal``.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import MISSING, NUM, code_of
from fo_lite.core.expr_values import Const, Context, Values, bools, numeric, objects, type_name
from fo_lite.core.regex import compile_regex


def _number_of(value: Any, op: str) -> Any:
    if value is None or value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{op} only supports numeric types, not {type_name(value)}")
    return value


def _arithmetic(op: str, combine: Callable[[list[Any]], Any], arity: int | None = None) -> Callable:
    def handler(ctx: Context, arg: Any) -> Values:
        items = ctx.args(arg, arity, op)
        typed = [numeric(v) for v in items]
        if all(x is not None for x in typed) and op in _VECTOR_OPS:
            out = _vector_arithmetic(op, items, typed, ctx.n)  # type: ignore[arg-type]
            if out is not None:
                return out
        columns = [objects(v, ctx.n) for v in items]
        out = []
        for row in zip(*columns, strict=True):
            nums = [_number_of(v, op) for v in row]
            out.append(None if any(v is None for v in nums) else combine(nums))
        return pd.Series(out, dtype=object)

    return handler


_VECTOR_OPS = {"$add": np.add, "$subtract": np.subtract, "$multiply": np.multiply}


def _vector_arithmetic(op: str, items: list[Values], numeric: list, n: int) -> Values | None:
    """Typed columns and number literals in one numpy pass; integers stay integers (a nullable
    Int64 column when there are nulls), as the server keeps ints ints. None when an integer
    result may be past 2**53, where floats are no longer exact (the row-by-row path decides)."""
    total, nulls = numeric[0][0] * np.ones(n), numeric[0][1] * np.ones(n, dtype=bool)
    largest = np.abs(np.where(nulls, 0, total)).max(initial=0)
    for values, null in numeric[1:]:
        total = _VECTOR_OPS[op](total, values)
        nulls = nulls | null
        largest = max(largest, np.abs(np.where(nulls, 0, total)).max(initial=0))
    if all(_is_int(v) for v in items):
        if largest >= 2**53:
            return None
        exact = np.where(nulls, 0, total).astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(exact, nulls.copy()))
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


def _op_type(ctx: Context, arg: Any) -> Values:
    (values,) = ctx.args(arg, 1, "$type")
    return pd.Series([type_name(v) for v in objects(values, ctx.n)], dtype=object)


def _predicate(test: Callable[[Any], bool]) -> Callable:
    def handler(ctx: Context, arg: Any) -> Values:
        (values,) = ctx.args(arg, 1, "a type test")
        return bools([test(v) for v in objects(values, ctx.n)])

    return handler


# the server changes the case of ASCII letters only ("été" upper is "éTé")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def _case_op(op: str, table: dict[int, int]) -> Callable:
    """$toLower/$toUpper: null or missing gives "", numbers are written out, as the server does."""

    def handler(ctx: Context, arg: Any) -> Values:
        (values,) = ctx.args(arg, 1, op)
        out = []
        for v in objects(values, ctx.n):
            if v is None or v is MISSING:
                out.append("")
            elif isinstance(v, str):
                out.append(v.translate(table))
            elif isinstance(v, int | float) and not isinstance(v, bool):
                out.append(_number_text(v))
            else:
                raise ValueError(f"{op}: can't convert from BSON type {type_name(v)} to String")
        return pd.Series(out, dtype=object)

    return handler


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # the server writes the double 1.0 as "1"
    return repr(value)


def _op_strlen(ctx: Context, arg: Any) -> Values:
    (values,) = ctx.args(arg, 1, "$strLenCP")
    out = []
    for v in objects(values, ctx.n):
        if not isinstance(v, str):
            found = "missing" if v is MISSING else type_name(v)
            raise ValueError(f"$strLenCP requires a string argument, found: {found}")
        out.append(len(v))
    return pd.Series(out, dtype=object)


def _op_concat(ctx: Context, arg: Any) -> Values:
    columns = [objects(v, ctx.n) for v in ctx.args(arg)]
    out = []
    for row in zip(*columns, strict=True):
        if any(v is None or v is MISSING for v in row):
            out.append(None)
        elif all(isinstance(v, str) for v in row):
            out.append("".join(row))
        else:
            raise ValueError("$concat only supports strings")
    return pd.Series(out, dtype=object)


def _op_regex_match(ctx: Context, arg: Any) -> Values:
    if not isinstance(arg, Mapping) or "input" not in arg or "regex" not in arg:
        raise ValueError("$regexMatch takes {'input': ..., 'regex': ..., 'options': ...}")
    regex, options = arg["regex"], arg.get("options") or ""
    if not isinstance(regex, str) or not isinstance(options, str):
        raise ValueError("$regexMatch needs a literal string 'regex' and 'options'")
    pattern = compile_regex(regex, options)  # PCRE's meaning, as the query's $regex
    out = []
    for v in objects(ctx.eval(arg["input"]), ctx.n):
        if v is None or v is MISSING:
            out.append(False)
        elif isinstance(v, str):
            out.append(pattern.search(v) is not None)
        else:
            raise ValueError(f"$regexMatch needs 'input' to be a string, not {type_name(v)}")
    return bools(out)


def _op_literal(ctx: Context, arg: Any) -> Values:
    return Const(arg)


MATH_OPERATORS: dict[str, Callable[[Context, Any], Values]] = {
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
    "$strLenCP": _op_strlen,
    "$toLower": _case_op("$toLower", _ASCII_LOWER),
    "$toUpper": _case_op("$toUpper", _ASCII_UPPER),
    "$concat": _op_concat,
    "$regexMatch": _op_regex_match,
    "$literal": _op_literal,
}
