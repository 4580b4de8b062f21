"""MongoDB aggregation pipelines run vectorized on a frame.

>>> import pandas as pd
>>> frame = pd.DataFrame({"h": ["a", "b", "a"]})
>>> run_pipeline(frame, [{"$group": {"_id": "$h", "n": {"$sum": 1}}}, {"$match": {"n": {"$gt": 1}}}])
[{'_id': 'a', 'n': 2}]

Stages live in ``STAGES`` and accumulators in ``ACCUMULATORS`` (name -> handler); anything else
raises ValueError naming it. Between stages the documents are a frame whose columns are dotted
paths (or top-level fields holding dicts); ``run_pipeline`` turns the last frame into plain
Python dicts. See docs/query-semantics.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    MISS,
    MISSING,
    NULL,
    NUM,
    code_of,
    codes_of,
    group_key,
    object_array,
    rank_values,
    records,
    to_python,
    whole_number,
)
from fo_lite.core.expressions import (
    Literal,
    as_object,
    check_expr,
    check_field_name,
    eval_expr,
    is_ref,
)
from fo_lite.core.paths import split_path
from fo_lite.core.query import match_mask, validate_query
from fo_lite.core.reshape import check_project, check_unwind, run_project, run_unwind
from fo_lite.core.sortkeys import sort_order


# ---------------------------------------------------------------- grouping
def _firsts(codes: np.ndarray, k: int, last: bool = False) -> np.ndarray:
    """Position of the first (or last) row of each group."""
    pos = np.arange(len(codes))
    if last:
        out = np.full(k, -1, dtype=np.int64)
        np.maximum.at(out, codes, pos)
    else:
        out = np.full(k, len(codes), dtype=np.int64)
        np.minimum.at(out, codes, pos)
    return out


def _factorize(values, missing_is_null: bool = True) -> tuple[np.ndarray, Any]:
    """(group code per row, one value per group) of a value vector."""
    if isinstance(values, pd.Series) and values.dtype != object:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.asarray(codes, dtype=np.int64), pd.Series(uniques)
    objs = as_object(values)
    kind = pd.api.types.infer_dtype(objs, skipna=True)
    if kind in ("string", "boolean", "integer", "floating", "mixed-integer-float"):
        # one bracket (plus nulls): hash the values themselves (object str columns, pandas 2)
        codes, uniques = pd.factorize(objs, use_na_sentinel=False)
        uniques = object_array(uniques)
        uniques[pd.isna(uniques)] = None
        return np.asarray(codes, dtype=np.int64), pd.Series(uniques, dtype=object)
    vcodes = codes_of(objs)
    if missing_is_null:
        vcodes[vcodes == MISS] = NULL
    keys = object_array(map(group_key, objs, vcodes))
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    reps = objs[_firsts(codes, len(uniques))]
    if missing_is_null:
        reps[codes_of(reps) == MISS] = None
    return codes, pd.Series(reps, dtype=object)


def _group_ids(frame: pd.DataFrame, spec: Any) -> tuple[np.ndarray, pd.Series]:
    """(group code per row, the _id of each group)."""
    n = len(frame)
    if isinstance(spec, Mapping) and list(spec) != ["$literal"]:
        if not spec:
            return np.zeros(n, dtype=np.int64), pd.Series([{}] if n else [], dtype=object)
        if len(spec) == 1:  # the server keeps a missing value of a one-field _id as null
            ((name, expr),) = spec.items()
            codes, uniques = _factorize(eval_expr(frame, expr))
            ids = [{name: to_python(v)} for v in uniques.tolist()]
            return codes, pd.Series(object_array(ids), dtype=object)
        parts = [(name, as_object(eval_expr(frame, e))) for name, e in spec.items()]
        combined = np.zeros(n, dtype=np.int64)
        for _, vals in parts:
            codes, uniques = _factorize(vals, missing_is_null=False)
            combined, _ = pd.factorize(combined * (len(uniques) + 1) + codes)
        combined = np.asarray(combined, dtype=np.int64)
        first = _firsts(combined, int(combined.max()) + 1 if n else 0)
        ids = [{name: vals[i] for name, vals in parts if vals[i] is not MISSING} for i in first]
        return combined, pd.Series(object_array(ids), dtype=object)
    return _factorize(eval_expr(frame, spec))


# ---------------------------------------------------------------- accumulators
# Each: (values per row, group code per row, number of groups) -> list of per-group results.
def _numeric(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is-number mask, float values, is-float mask) of a value vector."""
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values.dtype):
        if pd.api.types.is_bool_dtype(values.dtype):
            n = len(values)
            return np.zeros(n, bool), np.zeros(n), np.zeros(n, bool)
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(floats)
        is_float = np.full(len(floats), pd.api.types.is_float_dtype(values.dtype))
        return ok, np.where(ok, floats, 0.0), is_float & ok
    objs = as_object(values)
    ok = codes_of(objs) == NUM
    floats = np.zeros(len(objs))
    floats[ok] = objs[ok].astype(float)
    is_float = np.zeros(len(objs), bool)
    is_float[ok] = [isinstance(v, (float, np.floating)) for v in objs[ok]]
    return ok, floats, is_float


def _acc_sum(values, codes, k):
    if isinstance(values, Literal):
        lit = values.value
        if code_of(lit) != NUM:
            return np.zeros(k, dtype=np.int64)
        counts = np.bincount(codes, minlength=k)
        return counts * lit if isinstance(lit, float) else counts * int(lit)
    ok, floats, is_float = _numeric(values)
    sums = np.bincount(codes[ok], weights=floats[ok], minlength=k)
    any_float = np.bincount(codes[is_float], minlength=k) > 0
    if not any_float.any():
        return np.rint(sums).astype(np.int64)
    if any_float.all():
        return sums
    return object_array(
        float(s) if f else int(round(s)) for s, f in zip(sums, any_float, strict=True)
    )


def _acc_avg(values, codes, k):
    ok, floats, _ = _numeric(values)
    sums = np.bincount(codes[ok], weights=floats[ok], minlength=k)
    counts = np.bincount(codes[ok], minlength=k)
    return [float(s / c) if c else None for s, c in zip(sums, counts, strict=False)]


def _extreme(values, codes, k, largest: bool):
    objs = as_object(values)
    vcodes = codes_of(objs)
    valid = np.flatnonzero((vcodes != NULL) & (vcodes != MISS))
    out: list = [None] * k
    if not len(valid):
        return out
    ranks = rank_values(objs[valid], vcodes[valid])
    order = np.lexsort((-ranks if largest else ranks, codes[valid]))
    grp = codes[valid][order]
    starts = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    for g, pos in zip(grp[starts], valid[order][starts], strict=False):
        out[g] = to_python(objs[pos])
    return out


def _pick(values, codes, k, last: bool):
    objs = as_object(values)[_firsts(codes, k, last)]
    objs[codes_of(objs) == MISS] = None
    return objs


def _collect(values, codes, k, unique: bool):
    objs = as_object(values)
    keep = np.flatnonzero(codes_of(objs) != MISS)
    if unique and len(keep):
        keys = object_array(
            group_key(v, c) for v, c in zip(objs[keep], codes_of(objs[keep]), strict=False)
        )
        kcodes, _ = pd.factorize(keys, use_na_sentinel=False)
        pairs = pd.DataFrame({"g": codes[keep], "k": kcodes})
        keep = keep[~pairs.duplicated().to_numpy()]
    out: list = [[] for _ in range(k)]
    if not len(keep):
        return out
    order = keep[np.argsort(codes[keep], kind="stable")]
    grp = codes[order]
    bounds = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        out[grp[a]] = [to_python(v) for v in objs[order[a:b]]]
    return out


ACCUMULATORS: dict[str, Callable[[Any, np.ndarray, int], list]] = {
    "$sum": _acc_sum,
    "$avg": _acc_avg,
    "$min": lambda v, c, k: _extreme(v, c, k, largest=False),
    "$max": lambda v, c, k: _extreme(v, c, k, largest=True),
    "$first": lambda v, c, k: _pick(v, c, k, last=False),
    "$last": lambda v, c, k: _pick(v, c, k, last=True),
    "$push": lambda v, c, k: _collect(v, c, k, unique=False),
    "$addToSet": lambda v, c, k: _collect(v, c, k, unique=True),
}
"""$group accumulators: name -> handler(values, group codes, number of groups)."""


def _column(values) -> pd.Series:
    """A frame column from accumulator results: typed numpy stays typed, else object."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        return pd.Series(values)
    return pd.Series(object_array(values), dtype=object)


# ---------------------------------------------------------------- stages
def _check_group(spec: Any) -> None:
    if not isinstance(spec, Mapping):
        raise TypeError(f"$group needs a document, got {spec!r}")
    if "_id" not in spec:
        raise ValueError('$group needs an _id (e.g. {"_id": "$field"} or {"_id": None})')
    ident = spec["_id"]
    if isinstance(ident, Mapping) and list(ident) != ["$literal"]:
        for name, expr in ident.items():
            if str(name).startswith("$"):
                raise ValueError(f"$group _id: {name!r} is not supported (only field names)")
            check_expr(expr, "$group _id")
    else:
        check_expr(ident, "$group _id")
    for name, acc in spec.items():
        if name == "_id":
            continue
        split_path(name)
        if "." in name:
            raise ValueError(f"$group output field {name!r} may not contain '.'")
        if not isinstance(acc, Mapping) or len(acc) != 1:
            raise TypeError(f"$group field {name!r} needs one accumulator, e.g. {{'$sum': 1}}")
        ((op, expr),) = acc.items()
        if op not in ACCUMULATORS:
            raise ValueError(
                f"$group accumulator {op!r} is not supported; supported: "
                f"{', '.join(sorted(ACCUMULATORS))}"
            )
        check_expr(expr, f"{op} in {name!r}")


def _run_group(frame: pd.DataFrame, spec: Mapping) -> pd.DataFrame:
    codes, ids = _group_ids(frame, spec["_id"])
    k = len(ids)
    out = {"_id": ids}
    for name, acc in spec.items():
        if name != "_id":
            ((op, expr),) = acc.items()
            out[name] = _column(ACCUMULATORS[op](eval_expr(frame, expr), codes, k))
    return pd.DataFrame(out, index=pd.RangeIndex(k))


def _check_sort(spec: Any) -> None:
    if not isinstance(spec, Mapping) or not spec:
        raise TypeError(f"$sort needs a non-empty document of field: 1 or -1, got {spec!r}")
    for path, direction in spec.items():
        split_path(path)
        if isinstance(direction, bool) or direction not in (1, -1):
            raise ValueError(f"$sort direction for {path!r} must be 1 or -1, got {direction!r}")


def _run_sort(frame: pd.DataFrame, spec: Mapping) -> pd.DataFrame:
    return frame.take(sort_order(frame, spec)).reset_index(drop=True)


def _check_count_int(name: str, minimum: int):
    def check(arg):
        whole_number(arg, name, minimum, 2**63 - 1)

    return check


def _run_count(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame(index=pd.RangeIndex(0))
    return pd.DataFrame({name: [len(frame)]})


def _check_sort_by_count(arg: Any) -> None:
    if not is_ref(arg):
        raise ValueError(f'$sortByCount needs a "$field" reference, got {arg!r}')
    split_path(arg[1:])


def _run_sort_by_count(frame: pd.DataFrame, arg: str) -> pd.DataFrame:
    grouped = _run_group(frame, {"_id": arg, "count": {"$sum": 1}})
    order = np.argsort(-grouped["count"].to_numpy(), kind="stable")
    return grouped.take(order).reset_index(drop=True)


STAGES: dict[str, tuple[Callable[[Any], None], Callable[[pd.DataFrame, Any], pd.DataFrame]]] = {
    "$match": (validate_query, lambda f, q: f[match_mask(f, q)].reset_index(drop=True)),
    "$group": (_check_group, _run_group),
    "$sort": (_check_sort, _run_sort),
    "$limit": (_check_count_int("$limit", 1), lambda f, n: f.iloc[: int(n)]),
    "$skip": (_check_count_int("$skip", 0), lambda f, n: f.iloc[int(n) :].reset_index(drop=True)),
    "$project": (check_project, run_project),
    "$count": (check_field_name("$count"), _run_count),
    "$unwind": (check_unwind, run_unwind),
    "$sortByCount": (_check_sort_by_count, _run_sort_by_count),
}
"""Pipeline stages: name -> (validator(argument), runner(frame, argument) -> frame)."""


def validate_pipeline(pipeline: Sequence[Mapping]) -> None:
    """Check a pipeline (a list of one-key stage dicts); raise naming the bad stage or part.

    >>> validate_pipeline([{"$out": "x"}])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: pipeline stage '$out' is not supported; supported stages: ...
    """
    if isinstance(pipeline, (str, bytes, Mapping)) or not isinstance(pipeline, Sequence):
        raise TypeError(f"a pipeline must be a list of stage dicts, got {pipeline!r}")
    for i, stage in enumerate(pipeline):
        if not isinstance(stage, Mapping) or len(stage) != 1:
            raise TypeError(
                f"pipeline stage {i} must be a dict with exactly one key, got {stage!r}"
            )
        ((name, arg),) = stage.items()
        if name not in STAGES:
            raise ValueError(
                f"pipeline stage {name!r} is not supported; supported stages: "
                f"{', '.join(sorted(STAGES))}"
            )
        STAGES[name][0](arg)


def run_pipeline(frame: pd.DataFrame, pipeline: Sequence[Mapping]) -> list[dict]:
    """Run an aggregation pipeline; return plain Python dicts (no numpy scalars, no NaN).

    Columns named with dots come out as nested documents; the ``id`` column is ``_id``.
    """
    validate_pipeline(pipeline)
    frame = frame.reset_index(drop=True)
    for stage in pipeline:
        ((name, arg),) = stage.items()
        frame = STAGES[name][1](frame, arg)
    return records(frame)


__all__ = ["ACCUMULATORS", "STAGES", "records", "run_pipeline", "validate_pipeline"]
