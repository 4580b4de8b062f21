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
    has_computed,
    include_paths,
    object_array,
    path_tree,
    records,
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
    for path, value in _flatten(spec):
        split_path(path)
        if isinstance(value, (bool, int, float, np.integer, np.floating)):
            flags[path] = bool(value)  # as the server: any non-zero number includes
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


def _flatten(spec: Mapping, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) pairs; a sub-document of fields (``{"a": {"b": 1}}``) is the same
    as its dotted paths (``{"a.b": 1}``)."""
    out = []
    for key, value in spec.items():
        path = f"{prefix}{key}"
        nested = isinstance(value, Mapping) and value
        if nested and not any(str(k).startswith("$") for k in value):
            out += _flatten(value, path + ".")
        else:
            out.append((path, value))
    return out


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
    tree = _computed_tree(frame, computed)  # top-level name -> values, or a subtree
    nested = {name for name, node in tree.items() if isinstance(node, dict)}
    for path in [p for p in flags if p.split(".")[0] in nested]:  # handled with the subtree
        _add_path(tree[path.split(".")[0]], path.split(".")[1:], True)
        del flags[path]
    result = _keep_or_drop(frame, inclusion, flags, keep_id, skip=nested)
    for name, node in tree.items():
        if isinstance(node, np.ndarray):  # a computed top-level field comes last
            result[name] = node
            continue
        present = name in frame.columns or any(
            isinstance(c, str) and c.startswith(name + ".") for c in frame.columns
        )
        base = _document_column(frame, name)
        cells = np.empty(len(frame), dtype=object)
        cells[:] = [
            _with_expressions(include_paths(b, node) if b is not MISSING else b, node, row)
            for row, b in enumerate(base)
        ]
        if present:  # at the field's place in the input (a frame has one column order)
            place = sum(_before(frame, c, name) for c in result.columns)
            result.insert(place, name, cells)
        else:
            result[name] = cells
    return result


def _keep_or_drop(frame, inclusion, flags, keep_id, skip) -> pd.DataFrame:
    """The included (or not excluded) fields of ``frame``, in its column order."""
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
        elif isinstance(col, str) and col.split(".")[0] in skip:
            continue
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
    return pd.DataFrame(out, index=frame.index)


def _before(frame: pd.DataFrame, col: Any, name: str) -> bool:
    """Does result column ``col`` come before field ``name`` in the input frame?"""
    columns = [str(c).split(".")[0] for c in frame.columns]
    return columns.index(str(col).split(".")[0]) < columns.index(name)


def _add_path(node: dict, parts: list[str], leaf: Any) -> None:
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = leaf


def _computed_tree(frame: pd.DataFrame, computed: Mapping) -> dict:
    """Computed fields by path, in the order given: name -> values (an object array) or a
    subtree of such (``{"w": {"v": values}}`` for ``"w.v"``)."""
    tree: dict = {}
    for name, expr in computed.items():
        _add_path(tree, name.split("."), as_object(eval_expr(frame, expr)))
    return tree


def _with_expressions(value: Any, node: dict, row: int) -> Any:
    """The second pass: set the computed sub-fields of ``node`` (for row ``row``). A document
    gets them (a missing value removes the field), an array gets them in each element,
    anything else becomes a new document of them (``{}`` when all are missing)."""
    if type(value) is list:
        return [_with_expressions(e, node, row) for e in value]
    out = dict(value) if isinstance(value, dict) else {}
    for key, sub in node.items():
        if isinstance(sub, np.ndarray):
            new = sub[row]
        elif isinstance(sub, dict) and has_computed(sub):
            new = _with_expressions(out.get(key, MISSING), sub, row)
        else:
            continue
        if new is MISSING:
            out.pop(key, None)
        else:
            out[key] = new
    return out


def _document_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The values of field ``name`` (its column, or documents folded from flattened ``name.x``
    columns), MISSING where absent."""
    if name in frame.columns:
        return frame[name].to_numpy(dtype=object)
    prefix = name + "."
    flat = [c for c in frame.columns if isinstance(c, str) and c.startswith(prefix)]
    if not flat:
        return np.full(len(frame), MISSING, dtype=object)
    sub = frame[flat].rename(columns=lambda c: c[len(prefix) :])
    return object_array(records(sub))


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
