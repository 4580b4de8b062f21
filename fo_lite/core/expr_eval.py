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

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from fo_lite.core.documents import MISSING
from fo_lite.core.expr_logic import LOGIC_OPERATORS, truthy
from fo_lite.core.expr_math import MATH_OPERATORS
from fo_lite.core.expr_values import Const, Context, Values, objects, series
from fo_lite.core.paths import expr_values, split_path

__all__ = ["OPERATORS", "check", "evaluate", "truthy"]


def evaluate(frame: pd.DataFrame, expr: Any, checked: bool = False) -> pd.Series:
    """The value of ``expr`` for every row of ``frame`` (a RangeIndex Series; MISSING where
    a field does not exist); ``checked=True`` skips :func:`check` (done when a stage was made)."""
    if not checked:
        check(expr)
    return series(_eval(Context(frame, _eval), expr), len(frame))


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
    elif isinstance(expr, list | tuple) and not _is_literal_list(expr):
        for item in expr:
            check(item)


def _eval(ctx: Context, expr: Any) -> Values:
    if isinstance(expr, str) and expr.startswith("$"):
        values = expr_values(ctx.frame, expr[1:])
        return values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(expr, Mapping):
        keys = list(expr)
        if len(keys) == 1 and str(keys[0]).startswith("$"):
            return OPERATORS[keys[0]](ctx, expr[keys[0]])
        parts = {k: objects(_eval(ctx, v), ctx.n) for k, v in expr.items()}
        docs = [{k: parts[k][i] for k in keys if parts[k][i] is not MISSING} for i in range(ctx.n)]
        return pd.Series(docs, dtype=object)
    if isinstance(expr, list | tuple):
        if _is_literal_list(expr):  # e.g. is_in's 10,000 hashes: one constant, no recursion
            return Const(list(expr))
        items = [_eval(ctx, e) for e in expr]
        if all(isinstance(i, Const) for i in items):
            return Const([i.value for i in items])
        columns = [objects(i, ctx.n) for i in items]
        rows = [[c[r] for c in columns] for r in range(ctx.n)]
        return pd.Series(rows, dtype=object)
    return Const(expr)


def _is_literal_list(items: Any) -> bool:
    """No field reference, operator or nested array among the items: a constant array."""
    return all(
        not isinstance(item, Mapping | list | tuple)
        and not (isinstance(item, str) and item.startswith("$"))
        for item in items
    )


#: every operator fo_lite evaluates: name -> handler(context, argument)
OPERATORS: dict[str, Callable[[Context, Any], Values]] = {**LOGIC_OPERATORS, **MATH_OPERATORS}
