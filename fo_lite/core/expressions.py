"""Aggregation expressions: ``"$field"`` references and literals, checked and evaluated on a frame."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.paths import expr_values, split_path


def is_ref(expr: Any) -> bool:
    """Whether ``expr`` is a ``"$field.path"`` reference."""
    return isinstance(expr, str) and expr.startswith("$")


def check_expr(expr: Any, where: str) -> None:
    """Supported expressions: "$field.path" references and scalar literals."""
    if is_ref(expr):
        split_path(expr[1:])
    elif isinstance(expr, Mapping):
        if list(expr) == ["$literal"]:
            return
        ops = [k for k in expr if str(k).startswith("$")]
        raise ValueError(
            f"{where}: expression {ops[0] if ops else expr!r} is not supported; use a "
            '"$field" reference or a literal (e.g. 1, "x", {"$literal": ...})'
        )
    elif isinstance(expr, (list, tuple)):
        raise ValueError(f"{where}: array expressions are not supported: {expr!r}")


class Literal:
    """A constant expression over ``n`` rows (materialized only when an array is needed)."""

    def __init__(self, value: Any, n: int):
        self.value, self.n = value, n

    def __len__(self) -> int:
        return self.n

    def to_numpy(self) -> np.ndarray:
        out = np.empty(self.n, dtype=object)
        out[:] = [self.value] * self.n
        return out


def eval_expr(frame: pd.DataFrame, expr: Any) -> pd.Series | np.ndarray | Literal:
    """The values of a checked expression for every row of ``frame``."""
    if is_ref(expr):
        return expr_values(frame, expr[1:])
    if isinstance(expr, Mapping):
        expr = expr["$literal"]
    return Literal(expr, len(frame))


def as_object(values: Any) -> np.ndarray:
    """Expression values as an object array."""
    if isinstance(values, Literal):
        return values.to_numpy()
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    return np.asarray(values, dtype=object)


def check_field_name(stage: str) -> Callable[[Any], None]:
    """A validator for a stage argument that names an output field (``$count``, ...)."""

    def check(arg: Any) -> None:
        if not isinstance(arg, str) or not arg or arg.startswith("$") or "." in arg:
            raise ValueError(f"{stage} needs a field name (no '$', no '.'), got {arg!r}")

    return check
