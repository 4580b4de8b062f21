"""The aggregation methods every collection has: ``count``, ``count_values``, ``distinct``,
``bounds``, ``sum``, ``mean``, ``min``, ``max``, ``std``, ``quantiles``, ``histogram_values``
and ``aggregate`` (aggregation objects, or a raw MongoDB pipeline).

Each method runs one :mod:`fo_lite.core.aggregations` object; ``aggregate([...])`` runs several
over one evaluation of the view. A list field aggregates its elements in one C pass over the
lists (fast at a million rows).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import aggregations as foa
from fo_lite.core.documents import MISSING, to_python
from fo_lite.core.expr_eval import evaluate
from fo_lite.core.fields import LIST, PRESENCE, STRING_LIST


class AggregationMethods:
    """Mixed into :class:`~fo_lite.core.collection.SampleCollection`."""

    # -- running --------------------------------------------------------------------------
    def aggregate(self, aggregations: Any) -> Any:
        """Run an aggregation (its result), a list of them (their results, in order, over one
        evaluation of the view), or a MongoDB pipeline (a list of dicts, FiftyOne 2020's form).

        >>> count, labels = dataset.aggregate([fo.Count(), fo.Distinct("ground_truth.label")])  # doctest: +SKIP
        >>> dataset.aggregate([{"$group": {"_id": "$file_hash", "n": {"$sum": 1}}}])  # doctest: +SKIP
        """
        if isinstance(aggregations, foa.Aggregation):
            return self._run([aggregations])[0]
        items = list(aggregations) if isinstance(aggregations, Sequence) else None
        if items and any(isinstance(a, foa.Aggregation) for a in items):
            bad = [a for a in items if not isinstance(a, foa.Aggregation)]
            if bad:
                raise TypeError(
                    f"aggregate takes aggregations or a pipeline of stage dicts, not both "
                    f"(found {bad[0]!r})"
                )
            return self._run(items)
        return self._pipeline(aggregations)

    def _aggregate(self, pipeline: Sequence[Mapping[str, Any]] | None = None, **_: Any) -> list:
        # FiftyOne 1.x code runs raw pipelines through this (private in FiftyOne too); the
        # walkthrough in benchmarks/walkthroughs/fiftyone_*.py does
        return self._pipeline(list(pipeline or []))

    def _pipeline(self, pipeline: Any) -> list[dict]:
        from fo_lite.core.aggregate import run_pipeline, validate_pipeline

        if isinstance(pipeline, Mapping):
            pipeline = [pipeline]
        validate_pipeline(pipeline)
        return run_pipeline(self._frame_for_pipeline(), pipeline)

    def _run(self, aggs: list[foa.Aggregation]) -> list[Any]:
        self._rows()  # evaluated once; each aggregation reads the cached rows
        return [agg.compute(self._values_for(agg)) for agg in aggs]

    def _values_for(self, agg: foa.Aggregation) -> pd.Series:
        """The values ``agg`` computes on: per element, or per sample for ``Values``."""
        field, expr = agg.field_or_expr, agg.expr
        if field is None and expr is None:
            return pd.Series(self._row_positions())  # one per sample
        if not isinstance(field, str) or expr is not None:
            return self._expression_values(field, expr, per_sample=agg.takes == "samples")
        if agg.takes == "samples":
            return pd.Series(self.values(field), dtype=object)
        if isinstance(agg, foa.Count) and self._store.schema.label_type(field) is not None:
            # a label counts where it is set, an empty Classification() too, as in FiftyOne
            return self._series(f"{field}.{PRESENCE}")
        return self._elements(field)

    def _expression_values(self, field: Any, expr: Any, per_sample: bool) -> pd.Series:
        """An ``F`` expression's values (``expr`` applied to ``field``'s value, as FiftyOne
        compiles it with the field as prefix); per element (lists unwound) unless
        ``per_sample``."""
        if isinstance(field, str):
            if not hasattr(expr, "to_mongo"):
                raise TypeError(f"expr must be an F expression, not {expr!r}")
            mongo = expr.to_mongo(prefix="$" + field)
        elif expr is not None:
            raise ValueError("give an F expression as field_or_expr or as expr=, not both")
        else:
            mongo = field.to_mongo() if hasattr(field, "to_mongo") else field
        values = evaluate(self._frame_for_pipeline(), mongo).to_numpy(dtype=object)
        plain = [None if v is MISSING else to_python(v) for v in values]
        if not per_sample:
            plain = [e for v in plain for e in (v if type(v) is list else [v])]
        return pd.Series(plain, dtype=object)

    # -- the values of a field ------------------------------------------------------------
    def _elements(self, field: str) -> pd.Series:
        """The values of ``field``, one per sample (an embedded label: its label); for a list
        field, its elements."""
        schema = self._store.schema
        column = schema.value_column(field)
        series = self._series(column)
        if schema.get(column) not in (LIST, STRING_LIST):
            return series
        return pd.Series(list(itertools.chain.from_iterable(_lists(series))), dtype=object)

    def _series(self, column: str) -> pd.Series:
        rows = self._rows()
        self._check_shown(column, rows)
        if column not in rows.frame.columns:
            return pd.Series(np.full(len(rows.positions), None, dtype=object))
        series = rows.frame[column]
        if rows.positions is self._store.all_positions():  # the whole dataset: no copy
            return series
        return series.take(rows.positions)

    # -- FiftyOne's methods ---------------------------------------------------------------
    def count(self, field_or_expr: Any = None, expr: Any = None, safe: bool = False) -> int:
        """The number of samples, or of non-None values of a field (list elements for lists;
        an embedded label counts where set, even empty, as in FiftyOne)."""
        return self.aggregate(foa.Count(field_or_expr, expr=expr, safe=safe))

    def count_values(
        self, field_or_expr: Any, expr: Any = None, safe: bool = False
    ) -> dict[Any, int]:
        """``{value: count}`` of a field (of list elements for list fields; None for nulls)."""
        return self.aggregate(foa.CountValues(field_or_expr, expr=expr, safe=safe))

    def distinct(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> list[Any]:
        """The sorted distinct non-None values of a field (list elements for list fields)."""
        return self.aggregate(foa.Distinct(field_or_expr, expr=expr, safe=safe))

    def bounds(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> tuple[Any, Any]:
        """``(min, max)`` of the non-None values; ``(None, None)`` when there are none."""
        return self.aggregate(foa.Bounds(field_or_expr, expr=expr, safe=safe))

    def min(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> Any:
        """The smallest non-None value (None when there is none)."""
        return self.aggregate(foa.Min(field_or_expr, expr=expr, safe=safe))

    def max(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> Any:
        """The largest non-None value (None when there is none)."""
        return self.aggregate(foa.Max(field_or_expr, expr=expr, safe=safe))

    def sum(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> Any:
        """The sum of the numeric values (0 when there is none)."""
        return self.aggregate(foa.Sum(field_or_expr, expr=expr, safe=safe))

    def mean(self, field_or_expr: Any, expr: Any = None, safe: bool = False) -> float:
        """The mean of the numeric values (0 when there is none)."""
        return self.aggregate(foa.Mean(field_or_expr, expr=expr, safe=safe))

    def std(
        self, field_or_expr: Any, expr: Any = None, safe: bool = False, sample: bool = False
    ) -> float:
        """The population standard deviation (``sample=True``: the sample one; 0 for none)."""
        return self.aggregate(foa.Std(field_or_expr, expr=expr, safe=safe, sample=sample))

    def quantiles(
        self, field_or_expr: Any, quantiles: Any, expr: Any = None, safe: bool = False
    ) -> Any:
        """The inverted-CDF quantiles (a number in [0, 1], or a list) of the numeric values."""
        return self.aggregate(foa.Quantiles(field_or_expr, quantiles, expr=expr, safe=safe))

    def histogram_values(
        self,
        field_or_expr: Any,
        expr: Any = None,
        bins: int | None = None,
        range: Sequence[float] | None = None,  # noqa: A002 (FiftyOne's name)
        auto: bool = False,
    ) -> tuple[list[int], list[float], int]:
        """``(counts, edges, other)``: a histogram of the numeric values (10 bins over their
        bounds by default); ``other`` counts values outside it, None included."""
        return self.aggregate(
            foa.HistogramValues(field_or_expr, expr=expr, bins=bins, range=range, auto=auto)
        )


def _lists(series: pd.Series) -> list[list]:
    """The non-empty list cells of a list field's column (nulls left out)."""
    cells = series.to_numpy(dtype=object)
    lists = list(filter(None, cells))  # None and [] are falsy: filtered in C
    if any(v.__class__ is not list for v in lists):  # NaN (truthy) for null: a column never set
        lists = [v for v in lists if v.__class__ is list]
    return lists
