"""The reshaping stages of aggregation pipelines: ``$project`` and ``$unwind``, vectorized."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    ARR,
    MISS,
    MISSING,
    NULL,
    codes_of,
    exclude_paths,
    get_path,
    include_paths,
    object_array,
    path_tree,
    set_path,
)
from fo_lite.core.expressions import (
    as_object,
    check_expr,
    check_field_name,
    eval_expr,
    is_ref,
)
from fo_lite.core.paths import column_for, split_path


def _project_spec(spec: Any) -> tuple[bool, dict, dict, bool]:
    """(inclusion mode?, {path: keep}, {name: expression}, keep _id?) of a $project document."""
    if not isinstance(spec, Mapping) or not spec:
        raise TypeError(f"$project needs a non-empty document, got {spec!r}")
    flags, computed = {}, {}
    for path, value in spec.items():
        split_path(path)
        if isinstance(value, (bool, int, np.integer)) and value in (0, 1):
            flags[path] = bool(value)
        elif is_ref(value) or (isinstance(value, Mapping) and list(value) == ["$literal"]):
            check_expr(value, f"$project {path!r}")
            computed[path] = value
        else:
            raise ValueError(
                f'$project {path!r}: {value!r} is not supported; use 1/0, a "$field" '
                'reference or {"$literal": value}'
            )
    names = {*flags, *computed}
    for path in names:
        parts = path.split(".")
        for k in range(1, len(parts)):
            if ".".join(parts[:k]) in names:
                raise ValueError(
                    f"$project paths {'.'.join(parts[:k])!r} and {path!r} collide; keep one"
                )
    keep_id = flags.pop("_id", True)
    modes = set(flags.values())
    if len(modes) > 1 or (computed and modes == {False}):
        raise ValueError("$project cannot mix inclusion and exclusion (except for _id)")
    inclusion = bool(computed) or modes == {True} or (not flags and keep_id)
    return inclusion, flags, computed, keep_id


def check_project(spec: Any) -> None:
    """Validate a $project document."""
    _project_spec(spec)


def _map_objects(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    values = series.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = [fn(v) for v in values]
    return pd.Series(out, dtype=object)


def run_project(frame: pd.DataFrame, spec: Mapping) -> pd.DataFrame:
    """Keep, drop or compute fields (dotted paths reach into flat columns and dicts)."""
    inclusion, flags, computed, keep_id = _project_spec(spec)
    id_col = "_id" if "_id" in frame.columns else ("id" if "id" in frame.columns else None)
    by_col: dict[str, list[list[str]]] = {}
    covered: set[str] = set()
    for path in flags:
        prefix = path + "."
        flat = [c for c in frame.columns if c == path or c.startswith(prefix)]
        covered.update(flat)
        col, rest = column_for(frame, path.split("."))
        if not flat and col is not None and rest:
            by_col.setdefault(col, []).append(rest)
    out = {}
    for col in frame.columns:
        if col == id_col:
            if keep_id:
                out[col] = frame[col]
        elif inclusion:
            if col in covered:
                out[col] = frame[col]
            elif col in by_col:
                tree = path_tree(by_col[col])
                out[col] = _map_objects(frame[col], lambda v, t=tree: include_paths(v, t))
        elif col in by_col:
            tree = path_tree(by_col[col])
            out[col] = _map_objects(frame[col], lambda v, t=tree: exclude_paths(v, t))
        elif col not in covered:
            out[col] = frame[col]
    result = pd.DataFrame(out, index=frame.index)
    for name, expr in computed.items():
        result[name] = as_object(eval_expr(frame, expr))
    return result


def _unwind_spec(arg: Any) -> tuple[str, bool, str | None]:
    if isinstance(arg, str):
        arg = {"path": arg}
    if not isinstance(arg, Mapping):
        raise TypeError(f'$unwind needs "$field" or {{"path": "$field", ...}}, got {arg!r}')
    unknown = set(arg) - {"path", "preserveNullAndEmptyArrays", "includeArrayIndex"}
    if unknown:
        raise ValueError(f"$unwind option {sorted(unknown)[0]!r} is not supported")
    path = arg.get("path")
    if not is_ref(path):
        raise ValueError(f'$unwind path must be a "$field" reference, got {path!r}')
    split_path(path[1:])
    preserve = arg.get("preserveNullAndEmptyArrays", False)
    if not isinstance(preserve, bool):
        raise TypeError(f"$unwind preserveNullAndEmptyArrays must be a bool, got {preserve!r}")
    index = arg.get("includeArrayIndex")
    if index is not None:
        check_field_name("$unwind includeArrayIndex")(index)
    return path[1:], preserve, index


def check_unwind(arg: Any) -> None:
    """Validate a $unwind argument."""
    _unwind_spec(arg)


def run_unwind(frame: pd.DataFrame, arg: Any) -> pd.DataFrame:
    """One document per array element; non-arrays pass; null/missing/[] dropped unless kept."""
    path, preserve, index_name = _unwind_spec(arg)
    col, rest = column_for(frame, path.split("."))
    if col is None:  # $unwind walks documents only: an array before the last part is missing
        values = np.full(len(frame), MISSING, dtype=object)
    else:
        values = frame[col].to_numpy(dtype=object)
        if rest:
            values = object_array(get_path(v, rest) for v in values)
    codes = codes_of(values)
    is_arr = codes == ARR
    lens = np.zeros(len(values), dtype=np.int64)
    lens[is_arr] = np.fromiter(map(len, values[is_arr]), dtype=np.int64, count=int(is_arr.sum()))
    empty = ~is_arr & ((codes == NULL) | (codes == MISS)) | (is_arr & (lens == 0))
    reps = np.where(is_arr & (lens > 0), lens, np.where(empty, int(preserve), 1))
    rows = np.repeat(np.arange(len(values)), reps)
    new = np.empty(int(reps.sum()), dtype=object)
    index = np.empty(len(new), dtype=object)
    pos = 0
    for value, code, count in zip(values, codes, reps, strict=False):
        if count == 0:
            continue
        if code == ARR and len(value):
            new[pos : pos + count] = value
            index[pos : pos + count] = range(count)
        else:
            new[pos] = MISSING if code == ARR else value
            index[pos] = None
        pos += count
    result = frame.take(rows).reset_index(drop=True)
    if col is None:
        col, rest = path.split(".")[0], path.split(".")[1:]
        base = np.full(len(new), MISSING, dtype=object)
    else:
        base = result[col].to_numpy(dtype=object)
    cells = np.empty(len(new), dtype=object)
    cells[:] = [set_path(b, rest, v) for b, v in zip(base, new, strict=False)] if rest else new
    result[col] = pd.Series(cells, dtype=object)
    if index_name is not None:
        result[index_name] = pd.Series(index, dtype=object)
    return result
