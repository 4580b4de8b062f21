"""FiftyOne's aggregation objects: ``fo.Count``, ``fo.CountValues``, ``fo.Distinct``,
``fo.Bounds``, ``fo.Sum``, ``fo.Mean``, ``fo.Min``, ``fo.Max``, ``fo.Std``, ``fo.Quantiles``,
``fo.HistogramValues`` and ``fo.Values``.

An aggregation holds what to aggregate (a field name or an ``F`` expression, ``expr=`` applied
to the field's values, ``safe=True`` to ignore inf) and computes its result from the values a
collection hands it (:meth:`Aggregation.compute`); ``collection.aggregate(agg)`` or
``collection.aggregate([agg, ...])`` runs them, evaluating the view once.

>>> fo.Bounds("confidence")  # doctest: +SKIP
<Bounds: field_or_expr='confidence'>

As in FiftyOne, aggregations of a list field aggregate its elements, nulls are left out (an
empty collection gives Sum/Mean/Std 0 and Bounds ``(None, None)``), Std is the population
standard deviation (``sample=True``: the sample one) and Quantiles are the inverted-CDF ones.
fo_lite keeps NaN as null, so NaN counts nowhere.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.documents import sort_key, to_python

__all__ = [
    "AGGREGATIONS",
    "Aggregation",
    "Bounds",
    "Count",
    "CountValues",
    "Distinct",
    "HistogramValues",
    "Max",
    "Mean",
    "Min",
    "Quantiles",
    "Std",
    "Sum",
    "Values",
]


class Aggregation:
    """Base class; subclasses implement :meth:`compute` on the values of one collection."""

    #: "elements": one value per element (list fields unwound, nulls kept as None);
    #: "samples": one value per sample (``Values``)
    takes = "elements"

    def __init__(self, field_or_expr: Any = None, expr: Any = None, safe: bool = False) -> None:
        if field_or_expr is not None and not isinstance(field_or_expr, str):
            _check_expression(field_or_expr, type(self).__name__)
        if expr is not None:
            _check_expression(expr, type(self).__name__)
        self.field_or_expr = field_or_expr
        self.expr = expr
        self.safe = bool(safe)

    def _kwargs(self) -> dict[str, Any]:
        out = {"field_or_expr": _plain(self.field_or_expr), "expr": _plain(self.expr)}
        if self.safe:
            out["safe"] = True
        return out

    def _serialize(self) -> dict[str, Any]:
        """The aggregation as a JSON-able dict (expressions in their MongoDB form)."""
        return {"_cls": type(self).__name__, "kwargs": self._kwargs()}

    @staticmethod
    def _from_dict(d: Mapping[str, Any]) -> Aggregation:
        """Rebuild an aggregation from :meth:`_serialize` output (a table lookup)."""
        cls = AGGREGATIONS.get(d.get("_cls")) if isinstance(d, Mapping) else None
        if cls is None:
            raise ValueError(f"not a serialized aggregation: {d!r}")
        kwargs = dict(d.get("kwargs") or {})
        for key in ("field_or_expr", "expr"):
            if isinstance(kwargs.get(key), Mapping | list):
                from fo_lite.core.expressions import ViewExpression

                kwargs[key] = ViewExpression(kwargs[key])
        return cls(**kwargs)

    def default_result(self) -> Any:
        """The result for a collection with no values."""
        return None

    def compute(self, values: pd.Series) -> Any:
        """The result from the collection's values (see :attr:`takes`)."""
        raise NotImplementedError

    def _clean(self, values: pd.Series) -> pd.Series:
        """Non-null values, without inf when ``safe``."""
        values = values.dropna()
        if self.safe and len(values):
            finite = [not (isinstance(v, float) and math.isinf(v)) for v in values]
            values = values[np.asarray(finite, dtype=bool)]
        return values

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._kwargs() == other._kwargs()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self._kwargs())))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._kwargs().items() if v is not None)
        return f"<{type(self).__name__}: {shown}>"


class Count(Aggregation):
    """The number of samples (no field), or of non-null values of a field."""

    def default_result(self) -> int:
        return 0

    def compute(self, values: pd.Series) -> int:
        return len(self._clean(values))


class CountValues(Aggregation):
    """``{value: count}`` over a field's values (None counts nulls)."""

    def default_result(self) -> dict:
        return {}

    def compute(self, values: pd.Series) -> dict[Any, int]:
        if self.safe:
            nulls = int(values.isna().sum())
            values = self._clean(values)
            counts = {to_python(k): int(v) for k, v in values.value_counts(sort=False).items()}
            if nulls:
                counts[None] = nulls
            return counts
        out: dict[Any, int] = {}
        for k, v in values.value_counts(dropna=False, sort=False).items():
            key = to_python(k)  # None and NaN (both null) may be counted apart: add them up
            out[key] = out.get(key, 0) + int(v)
        return out


class Distinct(Aggregation):
    """The sorted distinct non-null values."""

    def default_result(self) -> list:
        return []

    def compute(self, values: pd.Series) -> list[Any]:
        values = self._clean(values)
        unique = pd.unique(values)
        if values.dtype.kind in "biuf":  # numbers: sorted in C, unboxed in one step
            return np.sort(np.asarray(unique)).tolist()
        if values.dtype != object:  # strings
            return sorted(unique.tolist())
        return _sorted(to_python(v) for v in unique)


class Bounds(Aggregation):
    """``(min, max)`` of the non-null values, ``(None, None)`` for none."""

    def default_result(self) -> tuple[None, None]:
        return (None, None)

    def compute(self, values: pd.Series) -> tuple[Any, Any]:
        values = self._clean(values)
        if not len(values):
            return (None, None)
        if values.dtype != object:  # one typed column: its own min and max
            return (to_python(values.min()), to_python(values.max()))
        ordered = _sorted(to_python(v) for v in pd.unique(values))
        return (ordered[0], ordered[-1])


class Min(Aggregation):
    """The smallest non-null value (None for none)."""

    def compute(self, values: pd.Series) -> Any:
        return Bounds(safe=self.safe).compute(values)[0]


class Max(Aggregation):
    """The largest non-null value (None for none)."""

    def compute(self, values: pd.Series) -> Any:
        return Bounds(safe=self.safe).compute(values)[1]


class Sum(Aggregation):
    """The sum of the numeric values (0 for none)."""

    def default_result(self) -> int:
        return 0

    def compute(self, values: pd.Series) -> Any:
        numbers_ = _numbers(self._clean(values))
        with np.errstate(invalid="ignore"):  # inf + -inf is NaN, as in MongoDB
            return _unboxed(numbers_.sum()) if len(numbers_) else 0


class Mean(Aggregation):
    """The mean of the numeric values (0 for none)."""

    def default_result(self) -> int:
        return 0

    def compute(self, values: pd.Series) -> Any:
        numbers_ = _numbers(self._clean(values))
        with np.errstate(invalid="ignore"):
            return float(numbers_.mean()) if len(numbers_) else 0


class Std(Aggregation):
    """The population standard deviation of the numeric values (``sample=True``: the sample
    one); 0 for none."""

    def __init__(
        self, field_or_expr: Any = None, expr: Any = None, safe: bool = False, sample: bool = False
    ) -> None:
        super().__init__(field_or_expr, expr, safe)
        self.sample = bool(sample)

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "sample": self.sample}

    def default_result(self) -> int:
        return 0

    def compute(self, values: pd.Series) -> Any:
        numbers_ = _numbers(self._clean(values))
        ddof = 1 if self.sample else 0
        if len(numbers_) <= ddof:
            return 0
        with np.errstate(invalid="ignore"):
            return float(np.std(numbers_.to_numpy(dtype=float), ddof=ddof))


class Quantiles(Aggregation):
    """The ``quantiles`` (a number or a list, each in [0, 1]) of the numeric values, by the
    inverted CDF: the smallest value whose share of values at or below it reaches q."""

    def __init__(
        self, field_or_expr: Any, quantiles: Any, expr: Any = None, safe: bool = False
    ) -> None:
        super().__init__(field_or_expr, expr, safe)
        qs = quantiles if isinstance(quantiles, Sequence | np.ndarray) else [quantiles]
        if isinstance(quantiles, str) or not all(
            isinstance(q, numbers.Real) and not isinstance(q, bool) and 0 <= q <= 1 for q in qs
        ):
            raise ValueError(f"quantiles must be numbers in [0, 1] (or a list), not {quantiles!r}")
        self.quantiles = [float(q) for q in qs] if _is_list(quantiles) else float(quantiles)

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "quantiles": self.quantiles}

    def default_result(self) -> Any:
        return [None] * len(self.quantiles) if _is_list(self.quantiles) else None

    def compute(self, values: pd.Series) -> Any:
        ordered = np.sort(_numbers(self._clean(values)).to_numpy(dtype=float))
        if not len(ordered):
            return self.default_result()
        qs = self.quantiles if _is_list(self.quantiles) else [self.quantiles]
        picks = [_unboxed(ordered[max(math.ceil(q * len(ordered)) - 1, 0)]) for q in qs]
        return picks if _is_list(self.quantiles) else picks[0]


class HistogramValues(Aggregation):
    """``(counts, edges, other)``: counts of numeric values in ``bins`` equal bins over
    ``range`` (default: the values' bounds), the bin edges, and how many values fell outside
    (nulls and non-finite ones included)."""

    def __init__(
        self,
        field_or_expr: Any,
        expr: Any = None,
        bins: int | None = None,
        range: Sequence[float] | None = None,  # noqa: A002 (FiftyOne's name)
        auto: bool = False,
    ) -> None:
        super().__init__(field_or_expr, expr)
        if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or bins < 1):
            raise ValueError(f"bins must be a positive integer, not {bins!r}")
        if range is not None and (len(range) != 2 or not range[0] <= range[1]):
            raise ValueError(f"range must be [low, high], not {range!r}")
        self.bins = 10 if bins is None else bins
        self.range = None if range is None else [float(range[0]), float(range[1])]
        self.auto = bool(auto)

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "bins": self.bins, "range": self.range, "auto": self.auto}

    def default_result(self) -> tuple[list, list, int]:
        return ([], [], 0)

    def compute(self, values: pd.Series) -> tuple[list[int], list[float], int]:
        present = values.dropna()
        numbers_ = _numbers(present).to_numpy(dtype=float)
        finite = numbers_[np.isfinite(numbers_)]
        if self.range is not None:
            low, high = self.range
        elif len(finite):
            low, high = float(finite.min()), float(finite.max())
        else:
            return ([0] * self.bins, [], len(values))
        if low == high:
            high = low + 1.0
        counts, edges = np.histogram(finite, bins=self.bins, range=(low, high))
        inside = int(counts.sum())
        return ([int(c) for c in counts], [float(e) for e in edges], len(values) - inside)


class Values(Aggregation):
    """The value of a field (or expression) for every sample, in order; ``unwind=True``
    flattens list values; None becomes ``missing_value``."""

    takes = "samples"

    def __init__(
        self,
        field_or_expr: Any,
        expr: Any = None,
        missing_value: Any = None,
        unwind: bool = False,
    ) -> None:
        super().__init__(field_or_expr, expr)
        self.missing_value = missing_value
        self.unwind = bool(unwind)

    def _kwargs(self) -> dict[str, Any]:
        return {**super()._kwargs(), "missing_value": self.missing_value, "unwind": self.unwind}

    def default_result(self) -> list:
        return []

    def compute(self, values: pd.Series) -> list[Any]:
        out = list(values)
        if self.unwind:
            out = [e for v in out for e in (v if type(v) is list else [v])]
        if self.missing_value is not None:
            out = [self.missing_value if v is None else v for v in out]
        return out


AGGREGATIONS: dict[str, type[Aggregation]] = {
    cls.__name__: cls
    for cls in (
        Count,
        CountValues,
        Distinct,
        Bounds,
        Min,
        Max,
        Sum,
        Mean,
        Std,
        Quantiles,
        HistogramValues,
        Values,
    )
}


def _unboxed(value: Any) -> Any:
    """A NumPy number as a Python one (NaN kept: a sum over inf and -inf is NaN)."""
    return value.item() if isinstance(value, np.generic) else value


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _numbers(values: pd.Series) -> pd.Series:
    """The numeric values (bools and others left out, as MongoDB's $sum and $avg do)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values
    keep = [isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values]
    return values[np.asarray(keep, dtype=bool)] if len(values) else values


def _sorted(values: Any) -> list[Any]:
    """Values in MongoDB's order (numbers before strings, ...); one type sorts natively."""
    values = list(values)
    kinds = {bool if type(v) is bool else str if type(v) is str else float for v in values}
    if len(kinds) == 1 and all(type(v) in (bool, str, int, float) for v in values):
        return sorted(values)
    return sorted(values, key=sort_key)


def _plain(value: Any) -> Any:
    """A field name as is, an expression in its MongoDB form."""
    return value.to_mongo() if hasattr(value, "to_mongo") else value


def _check_expression(value: Any, what: str) -> None:
    if not hasattr(value, "to_mongo"):
        raise TypeError(f"{what} takes a field name or an F expression, not {value!r}")
