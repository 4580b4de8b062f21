"""Expression operators that compare, decide and look into arrays: ``$eq`` ... ``$cmp``,
``$and``/``$or``/``$not``/``$cond``/``$ifNull``, ``$in``, ``$size``, ``$arrayElemAt``, the set
operators and ``$max``/``$min``. Comparisons follow BSON order: missing < null < numbers <
strings < documents < arrays < booleans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import ARR, MISS, MISSING, NULL, OBJ, bson_equal, codes_of, sort_key
from fo_lite.core.expr_values import (
    Const,
    Context,
    Values,
    array_of,
    bools,
    key_of,
    numeric,
    objects,
    series,
    truth,
)


def truthy(values: pd.Series) -> np.ndarray:
    """Rows where the values are true in MongoDB's sense (not false, 0, null or missing)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return (values.fillna(0) != 0).to_numpy()
    return np.fromiter(map(truth, values.to_numpy(dtype=object)), dtype=bool, count=len(values))


def _cmp(a: Values, b: Values, n: int) -> np.ndarray:
    """-1/0/1 per row: a against b in BSON order."""
    na, nb = numeric(a), numeric(b)
    if na is not None and nb is not None:  # numbers and nulls: no per-row Python work
        (av, anull), (bv, bnull) = na, nb
        out = np.sign(np.nan_to_num(av - bv)).astype(np.int8) * np.ones(n, dtype=np.int8)
        out = np.where(anull & ~bnull, -1, out)
        out = np.where(bnull & ~anull, 1, out)
        return np.where(anull & bnull, 0, out).astype(np.int8)
    if _is_strings(a) and isinstance(b, Const) and isinstance(b.value, str):  # a label == "cat"
        nulls = a.isna().to_numpy()
        greater = (a > b.value).to_numpy(dtype=bool, na_value=False)
        less = (a < b.value).to_numpy(dtype=bool, na_value=False)
        return np.where(nulls, -1, greater.astype(np.int8) - less.astype(np.int8)).astype(np.int8)
    left, right = objects(a, n), objects(b, n)
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


def _is_strings(values: Values) -> bool:
    """A typed string column (pandas ``str``/``string`` dtype, nulls as NA)."""
    return (
        not isinstance(values, Const)
        and values.dtype != object
        and pd.api.types.is_string_dtype(values.dtype)
    )


def _comparison(test: Callable[[np.ndarray], np.ndarray]) -> Callable:
    def handler(ctx: Context, arg: Any) -> Values:
        a, b = ctx.args(arg, 2, "comparison")
        return bools(test(_cmp(a, b, ctx.n)))

    return handler


def _op_cmp(ctx: Context, arg: Any) -> Values:
    a, b = ctx.args(arg, 2, "$cmp")
    return pd.Series(_cmp(a, b, ctx.n).astype(np.int64))


def _op_and(ctx: Context, arg: Any) -> Values:
    mask = np.ones(ctx.n, dtype=bool)
    for values in ctx.args(arg):
        mask &= truthy(series(values, ctx.n))
    return bools(mask)


def _op_or(ctx: Context, arg: Any) -> Values:
    mask = np.zeros(ctx.n, dtype=bool)
    for values in ctx.args(arg):
        mask |= truthy(series(values, ctx.n))
    return bools(mask)


def _op_not(ctx: Context, arg: Any) -> Values:
    (values,) = ctx.args(arg, 1, "$not")
    return bools(~truthy(series(values, ctx.n)))


def _op_cond(ctx: Context, arg: Any) -> Values:
    if isinstance(arg, Mapping):
        arg = [arg.get("if"), arg.get("then"), arg.get("else")]
    test, then, other = ctx.args(arg, 3, "$cond")
    chosen = truthy(series(test, ctx.n))
    return pd.Series(np.where(chosen, objects(then, ctx.n), objects(other, ctx.n)), dtype=object)


def _op_if_null(ctx: Context, arg: Any) -> Values:
    items = ctx.args(arg)
    out = objects(items[-1], ctx.n).copy()
    for values in reversed(items[:-1]):
        cells = objects(values, ctx.n)
        present = np.fromiter((v is not None and v is not MISSING for v in cells), bool, ctx.n)
        out[present] = cells[present]
    return pd.Series(out, dtype=object)


def _op_in(ctx: Context, arg: Any) -> Values:
    needle, haystack = ctx.args(arg, 2, "$in")
    if isinstance(haystack, Const):
        wanted = array_of(haystack.value, "$in's second argument")
        if not isinstance(needle, Const) and needle.dtype != object:  # typed column: in C
            hit = _typed_isin(needle, wanted)
            return bools(hit | (needle.isna().to_numpy() & (None in wanted)))
        keys = {key_of(v) for v in wanted}
        return bools([key_of(v) in keys for v in objects(needle, ctx.n)])
    cells = objects(needle, ctx.n)
    return bools(
        [
            any(bson_equal(x, h) for h in array_of(hay, "$in's second argument"))
            for x, hay in zip(cells, objects(haystack, ctx.n), strict=True)
        ]
    )


def _typed_isin(needle: pd.Series, wanted: list) -> np.ndarray:
    """Rows of a typed column equal to one of ``wanted`` (only values of its BSON type can be:
    ``True`` is not ``1``)."""
    if _is_strings(needle):
        import pyarrow as pa
        import pyarrow.compute as pc

        strings = pa.array([v for v in wanted if isinstance(v, str)], type=pa.string())
        try:  # pandas' own isin loops over the values in Python
            return pc.is_in(pa.array(needle), value_set=strings).to_numpy(zero_copy_only=False)
        except (pa.ArrowException, TypeError):
            return needle.isin(strings.to_pylist()).to_numpy()
    if pd.api.types.is_bool_dtype(needle.dtype):
        same = [v for v in wanted if isinstance(v, bool | np.bool_)]
    else:
        same = [v for v in wanted if isinstance(v, int | float) and not isinstance(v, bool)]
    return needle.isin(same).to_numpy()


def _op_size(ctx: Context, arg: Any) -> Values:
    (values,) = ctx.args(arg, 1, "$size")
    return pd.Series([len(array_of(v, "$size")) for v in objects(values, ctx.n)], dtype=np.int64)


def _op_elem_at(ctx: Context, arg: Any) -> Values:
    arrays, index = ctx.args(arg, 2, "$arrayElemAt")
    out = []
    for array, i in zip(objects(arrays, ctx.n), objects(index, ctx.n), strict=True):
        if array is None or array is MISSING or i is None:
            out.append(None)
            continue
        items = array_of(array, "$arrayElemAt")
        out.append(items[int(i)] if -len(items) <= int(i) < len(items) else MISSING)
    return pd.Series(out, dtype=object)


def _set_op(combine: Callable[[list[list]], Any], null_gives_null: bool = True) -> Callable:
    def handler(ctx: Context, arg: Any) -> Values:
        columns = [objects(v, ctx.n) for v in ctx.args(arg)]
        out = []
        for row in zip(*columns, strict=True):
            if null_gives_null and any(v is None or v is MISSING for v in row):
                out.append(None)
            else:
                out.append(combine([array_of(v, "a set operator") for v in row]))
        return pd.Series(out, dtype=object)

    return handler


def _intersection(arrays: list[list]) -> list:
    keys = set.intersection(*({key_of(v) for v in a} for a in arrays))
    seen: set = set()
    return [
        v for v in arrays[0] if key_of(v) in keys and not (key_of(v) in seen or seen.add(key_of(v)))
    ]


def _is_subset(arrays: list[list]) -> bool:
    first, second = arrays
    return {key_of(v) for v in first} <= {key_of(v) for v in second}


def _extreme(largest: bool) -> Callable:
    def handler(ctx: Context, arg: Any) -> Values:
        items = ctx.args(arg)
        columns = [objects(v, ctx.n) for v in items]
        out = []
        for row in zip(*columns, strict=True):
            pool = row[0] if len(row) == 1 and type(row[0]) is list else row
            present = [v for v in pool if v is not None and v is not MISSING]
            out.append((max if largest else min)(present, key=sort_key) if present else None)
        return pd.Series(out, dtype=object)

    return handler


LOGIC_OPERATORS: dict[str, Callable[[Context, Any], Values]] = {
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
    "$setIsSubset": _set_op(_is_subset, null_gives_null=False),  # null: the server refuses
    "$max": _extreme(True),
    "$min": _extreme(False),
}
