"""Expressions: ``"$field"`` references and literals for pipelines (checked and evaluated on a
frame), and FiftyOne's ``F`` / ``ViewField`` builder of aggregation expressions."""

from __future__ import annotations

import re
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


# -- F / ViewField: FiftyOne's expression builder ------------------------------------------
# The classes below build MongoDB aggregation-expression dicts exactly as FiftyOne's
# ``ViewExpression.to_mongo()`` does; fo_lite.core.expr_eval evaluates them over a frame.


class ViewExpression:
    """An expression over a sample's fields, built with Python operators on ``F(...)``:
    ``(F("confidence") > 0.9) & F("label").is_in(["cat", "dog"])``.

    ``to_mongo()`` gives its MongoDB form; ``dataset.match(expr)``, ``sort_by(expr)``,
    ``set_field(field, expr)``, ``values(expr)`` and the aggregations evaluate it over the
    frame (see docs/query-semantics.md for the supported operators).

    >>> (F("n") + 1 > 2).to_mongo()
    {'$gt': [{'$add': ['$n', 1]}, 2]}
    """

    def __init__(self, expr: Any) -> None:
        self._expr = expr
        self._prefix: str | None = None

    @property
    def is_frozen(self) -> bool:
        """Whether the expression's field prefix is fixed (``F("$field")``)."""
        return self._prefix is not None

    def to_mongo(self, prefix: str | None = None) -> Any:
        """The MongoDB aggregation expression (field names prefixed by ``prefix``)."""
        if self.is_frozen:
            prefix = self._prefix
        return _to_mongo(self._expr, prefix)

    def __repr__(self) -> str:
        return repr(self.to_mongo())

    __hash__ = object.__hash__

    # comparison
    def __eq__(self, other: Any) -> ViewExpression:  # type: ignore[override]
        return ~self.exists() if other is None else ViewExpression({"$eq": [self, other]})

    def __ne__(self, other: Any) -> ViewExpression:  # type: ignore[override]
        return self.exists() if other is None else ViewExpression({"$ne": [self, other]})

    def __gt__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$gt": [self, other]})

    def __ge__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$gte": [self, other]})

    def __lt__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$lt": [self, other]})

    def __le__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$lte": [self, other]})

    def exists(self, bool: bool = True) -> ViewExpression:  # noqa: A002 (FiftyOne's name)
        """Whether the value exists and is not None (``bool=False``: the opposite)."""
        expr = ViewExpression({"$gt": [self, None]})
        return expr if bool else ~expr

    def is_null(self) -> ViewExpression:
        """Whether the value is None or missing."""
        return self == None  # noqa: E711 (builds the expression)

    def is_in(self, values: Any) -> ViewExpression:
        """Whether the value is one of ``values``."""
        values = [values] if isinstance(values, str) else list(values)
        return ViewExpression({"$in": [self, values]})

    # logic
    def __invert__(self) -> ViewExpression:
        return ViewExpression({"$not": self})

    def __and__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$and": [self, other]})

    def __rand__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$and": [other, self]})

    def __or__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$or": [self, other]})

    def __ror__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$or": [other, self]})

    def if_else(self, true_expr: Any, false_expr: Any) -> ViewExpression:
        """``true_expr`` where this is true, else ``false_expr``."""
        return ViewExpression({"$cond": {"if": self, "then": true_expr, "else": false_expr}})

    # arithmetic
    def __add__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$add": [self, other]})

    def __radd__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$add": [other, self]})

    def __sub__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$subtract": [self, other]})

    def __rsub__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$subtract": [other, self]})

    def __mul__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$multiply": [self, other]})

    def __rmul__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$multiply": [other, self]})

    def __truediv__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$divide": [self, other]})

    def __rtruediv__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$divide": [other, self]})

    def __mod__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$mod": [self, other]})

    def __rmod__(self, other: Any) -> ViewExpression:
        return ViewExpression({"$mod": [other, self]})

    def __pow__(self, power: Any) -> ViewExpression:
        return self.pow(power)

    def __abs__(self) -> ViewExpression:
        return self.abs()

    def __round__(self, place: int = 0) -> ViewExpression:
        return self.round(place)

    def __ceil__(self) -> ViewExpression:
        return self.ceil()

    def __floor__(self) -> ViewExpression:
        return self.floor()

    def abs(self) -> ViewExpression:
        """The absolute value."""
        return ViewExpression({"$abs": self})

    def round(self, place: int = 0) -> ViewExpression:
        """Rounded at decimal ``place`` (half to even, as MongoDB)."""
        return ViewExpression({"$round": [self, place]})

    def ceil(self) -> ViewExpression:
        """The smallest integer not below the value."""
        return ViewExpression({"$ceil": self})

    def floor(self) -> ViewExpression:
        """The largest integer not above the value."""
        return ViewExpression({"$floor": self})

    def trunc(self, place: int = 0) -> ViewExpression:
        """Truncated at decimal ``place``."""
        return ViewExpression({"$trunc": [self, place]})

    def pow(self, power: Any) -> ViewExpression:
        """The value to the given power."""
        return ViewExpression({"$pow": [self, power]})

    def sqrt(self) -> ViewExpression:
        """The square root."""
        return ViewExpression({"$sqrt": self})

    def max(self, value: Any = None) -> ViewExpression:
        """The largest element of an array, or the larger of this and ``value``."""
        return ViewExpression({"$max": self if value is None else [self, value]})

    def min(self, value: Any = None) -> ViewExpression:
        """The smallest element of an array, or the smaller of this and ``value``."""
        return ViewExpression({"$min": self if value is None else [self, value]})

    # types
    def type(self) -> ViewExpression:
        """The BSON type name (``"string"``, ``"double"``, ``"null"``, ``"missing"``...)."""
        return ViewExpression({"$type": self})

    def is_missing(self) -> ViewExpression:
        """Whether the field does not exist."""
        return self.type() == "missing"

    def is_number(self) -> ViewExpression:
        """Whether the value is a number."""
        return ViewExpression({"$isNumber": self})

    def is_string(self) -> ViewExpression:
        """Whether the value is a string."""
        return self.type() == "string"

    def is_array(self) -> ViewExpression:
        """Whether the value is an array."""
        return ViewExpression({"$isArray": self})

    # arrays
    def __getitem__(self, index: int) -> ViewExpression:
        if isinstance(index, slice):
            raise ValueError("expression slices are not supported by fo_lite; use an index")
        return ViewExpression({"$arrayElemAt": [self, index]})

    def length(self) -> ViewExpression:
        """The length of an array (0 for None or missing)."""
        return ViewExpression({"$size": {"$ifNull": [self, []]}})

    def contains(self, values: Any, all: bool = False) -> ViewExpression:  # noqa: A002
        """Whether an array holds ``values`` (one value, or any of several; all of them with
        ``all=True``)."""
        if not isinstance(values, ViewExpression):
            if isinstance(values, list | tuple | set):
                values = list(values)
                if len(values) == 1:
                    values = values[0]
            if not isinstance(values, list):
                return ViewExpression({"$in": [values, self]})
        if not all:
            return self.intersection(values).length() > 0
        return (values if isinstance(values, ViewExpression) else ViewExpression(values)).is_subset(
            self
        )

    def is_subset(self, values: Any) -> ViewExpression:
        """Whether this array's elements are all in ``values``."""
        other = values if isinstance(values, ViewExpression) else list(values)
        return ViewExpression({"$setIsSubset": [self, other]})

    def intersection(self, *args: Any) -> ViewExpression:
        """The elements common to this array and the others."""
        return ViewExpression({"$setIntersection": [self, *args]})

    # strings
    def strlen(self) -> ViewExpression:
        """The length of a string."""
        return ViewExpression({"$strLenCP": self})

    def lower(self) -> ViewExpression:
        """The string in lower case."""
        return ViewExpression({"$toLower": self})

    def upper(self) -> ViewExpression:
        """The string in upper case."""
        return ViewExpression({"$toUpper": self})

    def concat(self, *args: Any) -> ViewExpression:
        """This string followed by the others."""
        return ViewExpression({"$concat": [self, *args]})

    def re_match(self, regex: str, options: str | None = None) -> ViewExpression:
        """Whether the string matches the regular expression (``options="i"``: any case)."""
        return ViewExpression({"$regexMatch": {"input": self, "regex": regex, "options": options}})

    def starts_with(self, str_or_strs: Any, case_sensitive: bool = True) -> ViewExpression:
        """Whether the string starts with the given string (or any of several)."""
        return self._re_literal(str_or_strs, "^{}", case_sensitive)

    def ends_with(self, str_or_strs: Any, case_sensitive: bool = True) -> ViewExpression:
        """Whether the string ends with the given string (or any of several)."""
        return self._re_literal(str_or_strs, "{}$", case_sensitive)

    def contains_str(self, str_or_strs: Any, case_sensitive: bool = True) -> ViewExpression:
        """Whether the string contains the given string (or any of several)."""
        return self._re_literal(str_or_strs, "{}", case_sensitive)

    def matches_str(self, str_or_strs: Any, case_sensitive: bool = True) -> ViewExpression:
        """Whether the string is exactly the given string (or one of several)."""
        return self._re_literal(str_or_strs, "^{}$", case_sensitive)

    def _re_literal(self, str_or_strs: Any, template: str, case_sensitive: bool) -> ViewExpression:
        escaped = _escape_regex_chars(str_or_strs)
        body = escaped if isinstance(escaped, str) else f"({'|'.join(escaped)})"
        return self.re_match(template.format(body), options=None if case_sensitive else "i")


class ViewField(ViewExpression):
    """A field of the document in context: ``F("ground_truth.label")``; ``F("$field")`` is
    always the sample's field (also inside nested contexts); ``F()`` is the current value.

    >>> F("$ground_truth.label").to_mongo(prefix="$$this")
    '$ground_truth.label'
    """

    def __init__(self, name: str | None = None) -> None:
        name = name or ""
        frozen = name.startswith("$")
        super().__init__(name[1:] if frozen else name)
        if frozen:
            self._prefix = ""

    def to_mongo(self, prefix: str | None = None) -> Any:
        if self.is_frozen:
            prefix = self._prefix
        if prefix:
            return f"{prefix}.{self._expr}" if self._expr else prefix
        if self._expr:
            return "$" + self._expr
        return "$$ROOT" if self.is_frozen else "$$CURRENT"


F = ViewField


def _to_mongo(value: Any, prefix: str | None) -> Any:
    if isinstance(value, ViewExpression):
        return value.to_mongo(prefix)
    if isinstance(value, dict):
        return {_to_mongo(k, prefix): _to_mongo(v, prefix) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_mongo(v, prefix) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _escape_regex_chars(str_or_strs: Any) -> Any:
    """Regex special characters escaped with a backslash, as FiftyOne escapes them."""
    special = re.compile(r"([\[\]{}()*+\-?.,\\^$|#])")
    if isinstance(str_or_strs, str):
        return special.sub(r"\\\1", str_or_strs)
    return [special.sub(r"\\\1", s) for s in str_or_strs]
