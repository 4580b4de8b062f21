"""MongoDB query dicts as vectorized boolean masks over a frame.

>>> import pandas as pd
>>> frame = pd.DataFrame({"n": [1, 5, None], "tags": [["a"], [], None]})
>>> match_mask(frame, {"n": {"$gt": 2}}).tolist(), match_mask(frame, {"tags": "a"}).tolist()
([False, True, False], [True, False, False])

Operators live in one table, ``OPERATORS`` (name -> handler); nothing is ever eval'ed. The
semantics (null vs missing, arrays, type brackets) are MongoDB's; see docs/query-semantics.md.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import (
    ARR,
    BOOL,
    DATE,
    MISS,
    NULL,
    NUM,
    REGEX,
    STR,
    bson_equal,
    code_of,
    codes_of,
    sort_key,
    whole_number,
)
from fo_lite.core.paths import Cands, FrameSource, ValuesSource, split_path
from fo_lite.core.regex import compile_regex

LOGICAL = ("$and", "$or", "$nor")
INT32_MAX = 2**31 - 1  # the server keeps $size in an int
_SCALAR = (NUM, STR, BOOL, DATE)


# ---------------------------------------------------------------- per-candidate tests
def _eq_hits(c: Cands, value: Any) -> np.ndarray:
    """Per-candidate bool: candidate equals ``value`` (None also matches missing)."""
    code = code_of(value)
    if code == MISS:
        raise ValueError("MISSING is not a query value")
    if code == NULL:
        return (c.codes == NULL) | (c.codes == MISS)
    if code == REGEX:
        return _regex_hits(c, value)
    hit = np.zeros(len(c.codes), dtype=bool)
    if code in _SCALAR:
        mask, vals = c.select(code)
        if mask.any():
            hit[mask] = np.asarray(vals == value, dtype=bool)
        return hit
    mask = c.codes == code
    objs = c.object_values()[mask]
    hit[mask] = [bson_equal(v, value) for v in objs]
    return hit


def _in_hits(c: Cands, values: list) -> np.ndarray:
    hit = np.zeros(len(c.codes), dtype=bool)
    by_code: dict[int, list] = {}
    by_type: dict[type, list] = {}
    for v in values:
        by_type.setdefault(type(v), []).append(v)
    for typ, group in by_type.items():
        if typ in _PLAIN:  # one bracket per Python type (NaN counts as null)
            code = code_of(typ())
            by_code.setdefault(code, []).extend(v for v in group if v == v)
            if typ is float and any(v != v for v in group):
                by_code.setdefault(NULL, []).append(None)
        else:
            for v in group:
                by_code.setdefault(code_of(v), []).append(v)
    for code, group in by_code.items():
        if code in (NUM, STR, BOOL):
            mask, vals = c.select(code)
            if mask.any():
                hit[mask] |= _isin(vals, group, code)
        else:
            for v in group:
                hit |= _eq_hits(c, v)
    return hit


def _isin(vals: Any, group: list, code: int) -> np.ndarray:
    """Vectorized membership; strings use pyarrow's hash lookup (fastest for str and object)."""
    if code == STR:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not isinstance(vals, pd.Series) or "pyarrow" not in str(
            getattr(vals.dtype, "storage", "")
        ):
            vals = np.asarray(vals, dtype=object)
        try:
            found = pc.is_in(
                pa.array(vals, type=pa.string(), from_pandas=True),
                value_set=pa.array([str(v) for v in group], type=pa.string()),
            )
            return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)
        except (pa.ArrowException, UnicodeError):  # e.g. lone surrogates: exact path below
            pass
    if isinstance(vals, np.ndarray):  # keep object arrays object (no str-dtype conversion)
        vals = pd.Series(vals, dtype=vals.dtype, copy=False)
    return vals.isin(group).to_numpy(dtype=bool)


def _compare_hits(c: Cands, value: Any, op: Callable) -> np.ndarray:
    code = code_of(value)
    if code == NULL:  # $gte/$lte null behave as equality with null; $gt/$lt match nothing
        if op in (operator.ge, operator.le):
            return _eq_hits(c, None)
        return np.zeros(len(c.codes), dtype=bool)
    hit = np.zeros(len(c.codes), dtype=bool)
    if code in _SCALAR:
        mask, vals = c.select(code)
        if mask.any():
            hit[mask] = np.asarray(op(vals, value), dtype=bool)
        return hit
    mask = c.codes == code
    key = sort_key(value)
    hit[mask] = [op(sort_key(v), key) for v in c.object_values()[mask]]
    return hit


def _regex_hits(c: Cands, pattern: Any, options: str | None = None) -> np.ndarray:
    """Per-candidate bool: a string the MongoDB regex (pattern and options) matches."""
    regex = compile_regex(pattern, options)
    hit = np.zeros(len(c.codes), dtype=bool)
    mask, vals = c.select(STR)
    if mask.any():
        search = regex.search
        found = pd.Series(vals, dtype=object).map(lambda s: search(s) is not None)
        hit[mask] = found.to_numpy(dtype=bool)
    return hit


# ---------------------------------------------------------------- operator handlers
# Each handler: (candidates, operand, whole operator doc, evaluator) -> per-row bool array.
def _op_eq(c, arg, spec, ev):
    if isinstance(arg, re.Pattern):  # $eq takes a regex as a value: only equal regexes match
        hit = np.zeros(len(c.codes), dtype=bool)
        mask = c.codes == REGEX
        hit[mask] = [v == arg for v in c.object_values()[mask]]
        return c.rows(hit)
    return c.rows(_eq_hits(c, arg))


def _op_ne(c, arg, spec, ev):
    return ~c.rows(_eq_hits(c, arg))


def _op_in(c, arg, spec, ev):
    return c.rows(_in_hits(c, arg))


def _op_nin(c, arg, spec, ev):
    return ~c.rows(_in_hits(c, arg))


def _comparison(op):
    def handler(c, arg, spec, ev):
        return c.rows(_compare_hits(c, arg, op))

    return handler


def _op_exists(c, arg, spec, ev):
    present = c.rows(c.codes != MISS)
    return present if arg else ~present


def _op_regex(c, arg, spec, ev):
    return c.rows(_regex_hits(c, arg, spec.get("$options")))


def _op_options(c, arg, spec, ev):
    return np.ones(c.n, dtype=bool)  # consumed by $regex


def _op_size(c, arg, spec, ev):
    mask = (c.codes == ARR) & c.direct_mask()
    hit = np.zeros(len(c.codes), dtype=bool)
    lists = c.object_values()[mask]
    hit[mask] = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)) == int(arg)
    return c.rows(hit)


def _op_all(c, arg, spec, ev):
    out = np.ones(c.n, dtype=bool) if arg else np.zeros(c.n, dtype=bool)
    for value in arg:
        if isinstance(value, Mapping) and "$elemMatch" in value:
            out &= _op_elem_match(c, value["$elemMatch"], value, ev)
        else:
            out &= c.rows(_eq_hits(c, value))
    return out


def _op_elem_match(c, arg, spec, ev):
    mask = (c.codes == ARR) & c.direct_mask()
    idx = np.flatnonzero(mask)
    lists = c.object_values()[mask]
    lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    elems = np.empty(int(lens.sum()), dtype=object)
    elems[:] = [e for lst in lists for e in lst]
    sub_owner = np.repeat(idx, lens)
    if _is_value_form(arg):
        sub = Cands(len(elems), elems, codes_of(elems))
        elem_hit = ev.operators(sub, arg)
    else:  # documents, and arrays as documents with fields "0", "1", ... (as the server does)
        is_doc = np.zeros(len(elems), dtype=bool)
        for k, e in enumerate(elems):
            if type(e) is list:
                elems[k] = {str(j): v for j, v in enumerate(e)}
                is_doc[k] = True
            elif isinstance(e, dict):
                is_doc[k] = True
        elem_hit = ev.match(ValuesSource(elems), arg) & is_doc
    hit = np.zeros(len(c.codes), dtype=bool)
    hit[sub_owner[elem_hit]] = True
    return c.rows(hit)


def _op_not(c, arg, spec, ev):
    if isinstance(arg, re.Pattern):
        return ~c.rows(_regex_hits(c, arg))
    return ~ev.operators(c, arg)


OPERATORS: dict[str, Callable[..., np.ndarray]] = {
    "$eq": _op_eq,
    "$ne": _op_ne,
    "$gt": _comparison(operator.gt),
    "$gte": _comparison(operator.ge),
    "$lt": _comparison(operator.lt),
    "$lte": _comparison(operator.le),
    "$in": _op_in,
    "$nin": _op_nin,
    "$exists": _op_exists,
    "$regex": _op_regex,
    "$options": _op_options,
    "$size": _op_size,
    "$all": _op_all,
    "$elemMatch": _op_elem_match,
    "$not": _op_not,
}
"""The field operators: name -> handler(candidates, operand, operator doc, evaluator)."""

SUPPORTED = sorted([*OPERATORS, *LOGICAL])


def _is_operator_doc(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and str(next(iter(value))).startswith("$")


def _is_value_form(spec: Mapping) -> bool:
    """$elemMatch on values ({"$gt": 1}) rather than on documents ({"p": 1}, {"$or": ...})."""
    return _is_operator_doc(spec) and not any(k in LOGICAL for k in spec)


class _Evaluator:
    def match(self, source, query: Mapping) -> np.ndarray:
        out = np.ones(source.n, dtype=bool)
        for key, cond in query.items():
            if key in LOGICAL:
                parts = [self.match(source, q) for q in cond]
                if key == "$and":
                    res = np.logical_and.reduce(parts) if parts else out
                else:
                    res = np.logical_or.reduce(parts)
                    res = ~res if key == "$nor" else res
                out &= res
            else:
                c = source.candidates(key)
                if _is_operator_doc(cond):
                    out &= self.operators(c, cond)
                else:
                    out &= c.rows(_eq_hits(c, cond))
            if not out.any():
                break
        return out

    def operators(self, c: Cands, spec: Mapping) -> np.ndarray:
        out = np.ones(c.n, dtype=bool)
        for name, arg in spec.items():
            out &= OPERATORS[name](c, arg, spec, self)
        return out


_EVALUATOR = _Evaluator()


# ---------------------------------------------------------------- validation
def _unsupported(name: str) -> ValueError:
    return ValueError(
        f"query operator {name!r} is not supported; supported operators: {', '.join(SUPPORTED)}"
    )


def _check_list(name: str, arg: Any, nonempty: bool = False) -> None:
    if not isinstance(arg, (list, tuple)):
        raise TypeError(f"{name} needs a list, got {type(arg).__name__}: {arg!r}")
    if nonempty and not arg:
        raise ValueError(f"{name} needs a non-empty list")


_PLAIN = (str, int, float, bool, type(None), np.str_)


def _check_value(value: Any, where: str) -> None:
    if type(value) in _PLAIN:
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: document keys must be strings, got {k!r}")
            _check_value(v, where)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_value(v, where)
    elif callable(value) and not isinstance(value, re.Pattern):
        raise TypeError(f"{where}: a function is not a query value (nothing is eval'ed)")


def _validate_operators(path: str, spec: Mapping) -> None:
    for name, arg in spec.items():
        if not isinstance(name, str) or not name.startswith("$"):
            raise ValueError(
                f"field {path!r}: {name!r} mixed with operators; an operator document may "
                "only hold operators (use $and to combine conditions)"
            )
        if name not in OPERATORS:
            raise _unsupported(name)
        where = f"{name} on {path!r}"
        if name in ("$in", "$nin", "$all"):
            _check_list(where, arg)
            for v in arg:
                if name == "$all" and isinstance(v, Mapping) and "$elemMatch" in v:
                    _validate_elem_match(path, v["$elemMatch"])
                elif _is_operator_doc(v):
                    raise ValueError(f"{where}: operators cannot be nested in {name}: {v!r}")
                else:
                    _check_value(v, where)
        elif name == "$size":
            whole_number(arg, where, 0, INT32_MAX)
        elif name == "$regex":
            if isinstance(arg, re.Pattern) and spec.get("$options"):
                raise ValueError(
                    f"$regex on {path!r}: options set in both the compiled pattern and "
                    "$options (MongoDB refuses it too); put the flags in one place"
                )
            compile_regex(arg, spec.get("$options"))
        elif name == "$options":
            if "$regex" not in spec:
                raise ValueError(f"$options on {path!r} needs a $regex beside it")
        elif name == "$elemMatch":
            _validate_elem_match(path, arg)
        elif name == "$not":
            if isinstance(arg, re.Pattern):
                continue
            if not _is_operator_doc(arg):
                raise TypeError(f"$not on {path!r} needs an operator document or a regex")
            _validate_operators(path, arg)
        elif name != "$exists":
            if isinstance(arg, re.Pattern) and name != "$eq":
                raise ValueError(
                    f"{where}: a regex cannot be the operand (MongoDB refuses it too); "
                    'match with {"$regex": ...}, or negate with {"$not": regex}'
                )
            _check_value(arg, where)


def _validate_elem_match(path: str, arg: Any) -> None:
    if not isinstance(arg, Mapping):
        raise TypeError(f"$elemMatch on {path!r} needs a document, got {arg!r}")
    if _is_value_form(arg):
        _validate_operators(path, arg)
    else:
        validate_query(arg)


def validate_query(query: Mapping) -> None:
    """Check a MongoDB query dict; raise ValueError/TypeError naming the bad part.

    >>> validate_query({"$where": "1"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: query operator '$where' is not supported; supported operators: ...
    """
    depth = _nesting_depth(query)
    if depth > MAX_NESTING:
        raise ValueError(
            f"the query nests {depth} levels deep; MongoDB refuses documents nested deeper than "
            f"{MAX_NESTING} levels: flatten it (e.g. one $and with a list of conditions)"
        )
    _validate_query(query)


MAX_NESTING = 100  # MongoDB's limit on the nesting depth of documents


def _nesting_depth(value: object) -> int:
    """How deeply dicts nest in ``value``, through lists (iterative: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children, depth = item.values(), depth + 1
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend(
            (child, depth) for child in children if isinstance(child, Mapping | list | tuple)
        )
    return deepest


def _validate_query(query: Mapping) -> None:
    if not isinstance(query, Mapping):
        raise TypeError(f"a query must be a dict, got {type(query).__name__}: {query!r}")
    for key, cond in query.items():
        if not isinstance(key, str):
            raise TypeError(f"query keys must be strings, got {key!r}")
        if key.startswith("$"):
            if key not in LOGICAL:
                raise _unsupported(key)
            _check_list(key, cond, nonempty=True)
            for sub in cond:
                _validate_query(sub)
            continue
        split_path(key)
        if _is_operator_doc(cond):
            _validate_operators(key, cond)
        else:
            _check_value(cond, f"field {key!r}")
            if isinstance(cond, Mapping) and any(str(k).startswith("$") for k in cond):
                raise ValueError(
                    f"field {key!r}: operators must come first and not be mixed with fields"
                )


def match_mask(frame: pd.DataFrame, query: Mapping) -> np.ndarray:
    """Boolean mask (numpy, ``len(frame)``) of the rows matching a MongoDB query dict.

    >>> import pandas as pd
    >>> match_mask(pd.DataFrame({"x": ["a", "b"]}), {"x": {"$in": ["b"]}}).tolist()
    [False, True]
    """
    validate_query(query)
    return _EVALUATOR.match(FrameSource(frame), query)


def match_source(source: Any, query: Mapping) -> np.ndarray:
    """``match_mask`` over any path source (a frame source or a documents source)."""
    return _EVALUATOR.match(source, query)


__all__ = ["OPERATORS", "SUPPORTED", "match_mask", "validate_query"]
