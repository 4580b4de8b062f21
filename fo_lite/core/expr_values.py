"""What the expression evaluator's handlers share: :class:`Context` (the frame and the way
back into the evaluator), :class:`Const` (a literal), and conversions between column values
and plain Python values (None for null, MISSING for a missing field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import ARR, BOOL, MISS, MISSING, NULL, NUM, OBJ, STR, code_of, group_key

_TYPE_NAMES = {MISS: "missing", NULL: "null", STR: "string", OBJ: "object", ARR: "array"}
_TYPE_NAMES[BOOL] = "bool"


class Const:
    """A literal: the same value for every row (broadcast only when a handler needs arrays)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


Values = pd.Series | Const


class Context:
    """The rows being evaluated, and the evaluator to call back for sub-expressions."""

    __slots__ = ("evaluator", "frame", "n")

    def __init__(self, frame: pd.DataFrame, evaluator: Callable[[Context, Any], Values]) -> None:
        self.frame, self.n, self.evaluator = frame, len(frame), evaluator

    def eval(self, expr: Any) -> Values:
        """The values of a sub-expression."""
        return self.evaluator(self, expr)

    def args(self, arg: Any, count: int | None = None, name: str = "") -> list[Values]:
        """An operator's arguments (one, or a list), evaluated; ``count`` checks how many."""
        items = list(arg) if isinstance(arg, list | tuple) else [arg]
        if count is not None and len(items) != count:
            raise ValueError(f"expression {name} takes {count} argument(s), got {len(items)}")
        return [self.eval(a) for a in items]


def series(values: Values, n: int) -> pd.Series:
    if isinstance(values, Const):
        out = np.empty(n, dtype=object)
        out[:] = [values.value] * n
        return pd.Series(out, dtype=object)
    return values.reset_index(drop=True)


def objects(values: Values, n: int) -> np.ndarray:
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


def bools(mask: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(mask, dtype=bool))


def truth(value: Any) -> bool:
    if value is None or value is MISSING or value is False:
        return False
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        return value != 0 and value == value  # NaN is null in fo_lite
    return True


def numeric(values: Values) -> tuple[np.ndarray, np.ndarray] | None:
    """(float values, null mask) of a typed numeric column or number literal, else None."""
    if isinstance(values, Const):
        v = values.value
        if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
            return np.asarray([float(v)]), np.asarray([False])
        return None
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan), values.isna().to_numpy()
    return None


def key_of(value: Any) -> Any:
    """A hashable key equal for BSON-equal values (1 and 1.0; not 1 and True)."""
    return group_key(value, code_of(value))


def array_of(value: Any, op: str) -> list:
    """``value`` if it is an array, else the error MongoDB gives."""
    if type(value) is not list:
        found = "missing" if value is MISSING else type_name(value)
        raise ValueError(f"{op} needs an array, found {found} (MongoDB raises here too)")
    return value


def type_name(value: Any) -> str:
    """MongoDB's ``$type`` name of a value."""
    code = code_of(value) if value is not MISSING else MISS
    if code == NUM:
        if isinstance(value, float):
            return "double"
        return "int" if -(2**31) <= value < 2**31 else "long"
    return _TYPE_NAMES.get(code, type(value).__name__)
