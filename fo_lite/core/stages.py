"""View stages: small objects that validate, serialize and apply themselves.

The protocol (``apply(rows) -> rows``) is in :mod:`fo_lite.core.stage_base`; the stages that
choose fields are in :mod:`fo_lite.core.field_stages`.

Serialized form: ``{"_stage": "match", "kwargs": {...}}``; :func:`stage_from_dict` rebuilds a
stage by looking its name up in :data:`STAGES` (nothing is eval'ed).
"""

from __future__ import annotations

import builtins
import random
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import expr_eval
from fo_lite.core.documents import rank_values
from fo_lite.core.field_stages import FIELD_STAGES
from fo_lite.core.query import match_mask, validate_query
from fo_lite.core.stage_base import (
    Rows,
    ViewStage,
    check_count,
    id_list,
    plain_json,
    tag_list,
)
from fo_lite.core.store import SampleStore


class Match(ViewStage):
    """Keep samples matching a MongoDB query dict (``{"ground_truth.label": "mountain"}``) or
    an ``F`` expression (``F("file_hash").is_in(hashes)``, kept as ``{"$expr": ...}``)."""

    name = "match"

    def __init__(self, filter: Any) -> None:  # noqa: A002 (FiftyOne's name)
        if hasattr(filter, "to_mongo"):
            filter = {"$expr": filter.to_mongo()}  # noqa: A001
        self.query, self.expr = _split_expr(filter)
        validate_query(self.query)
        if self.expr is not None:
            expr_eval.check(self.expr)
        self.filter = filter
        self._plain_filter = plain_json(filter, "match")

    def kwargs(self) -> dict[str, Any]:
        return {"filter": self._plain_filter}

    def apply(self, rows: Rows) -> Rows:
        sub = rows.subframe()
        mask = np.asarray(match_mask(sub, self.query), dtype=bool)
        if self.expr is not None:
            mask &= expr_eval.truthy(expr_eval.evaluate(sub, self.expr, checked=True))
        return rows.keep(rows.positions[mask])


def _split_expr(query: Any) -> tuple[Any, Any]:
    """(the query without its top-level ``$expr``, that expression or None)."""
    if isinstance(query, Mapping) and "$expr" in query:
        return {k: v for k, v in query.items() if k != "$expr"}, query["$expr"]
    return query, None


class MatchTags(ViewStage):
    """Keep samples that have any of ``tags`` (all of them with ``all=True``); ``bool=False``
    keeps the others."""

    name = "match_tags"

    def __init__(
        self,
        tags: str | Iterable[str],
        bool: bool | None = None,  # noqa: A002 (FiftyOne's name)
        all: bool = False,  # noqa: A002
    ) -> None:
        self.tags = tag_list(tags, "match_tags")
        self.bool = True if bool is None else builtins.bool(bool)
        self.all = builtins.bool(all)

    def kwargs(self) -> dict[str, Any]:
        return {"tags": self.tags, "bool": self.bool, "all": self.all}

    def apply(self, rows: Rows) -> Rows:
        if self.all and not self.tags:
            mask = np.ones(len(rows.positions), dtype=bool)  # every sample has all of no tags
        else:
            query = {"tags": {"$all" if self.all else "$in": self.tags}}
            mask = np.asarray(match_mask(rows.subframe(), query), dtype=bool)
        return rows.keep(rows.positions[mask if self.bool else ~mask])


class Exists(ViewStage):
    """Keep samples whose ``field`` is set (not None); ``bool=False`` keeps those where it is not."""

    name = "exists"

    def __init__(self, field: str, bool: bool = True) -> None:  # noqa: A002
        if not isinstance(field, str) or not field:
            raise TypeError(f"exists takes a field name, not {field!r}")
        self.field = field
        self.bool = bool

    def kwargs(self) -> dict[str, Any]:
        return {"field": self.field, "bool": self.bool}

    def apply(self, rows: Rows) -> Rows:
        sub = rows.subframe()
        columns = [c for c in rows.store.columns_of(self.field) if c in sub.columns]
        present = (
            sub[columns].notna().any(axis=1).to_numpy() if columns else np.zeros(len(sub), bool)
        )
        return rows.keep(rows.positions[present if self.bool else ~present])


class SortBy(ViewStage):
    """Sort by one field or ``F`` expression, or several (a list of them or of ``(key, 1 |
    -1)`` pairs). Keys order values as MongoDB does (null first ascending, last descending,
    then numbers, strings...); the sort is stable.
    """

    name = "sort_by"

    def __init__(self, field_or_fields: Any, reverse: bool = False) -> None:
        self.keys = self._parse(field_or_fields)
        self.field_or_fields = field_or_fields
        self.reverse = bool(reverse)

    @staticmethod
    def _parse(spec: Any) -> list[tuple[Any, bool]]:
        single = isinstance(spec, str | Mapping) or hasattr(spec, "to_mongo")
        items = [spec] if single else spec
        if not isinstance(items, list | tuple) or not items:
            raise TypeError(f"sort_by takes a field name or a list of them, not {spec!r}")
        keys = []
        for item in items:
            key, asc = item, True
            if isinstance(item, list | tuple) and len(item) == 2 and item[1] in (1, -1):
                key, asc = item[0], item[1] == 1
            if hasattr(key, "to_mongo"):
                key = key.to_mongo()
            if isinstance(key, Mapping):
                expr_eval.check(key)
            elif not isinstance(key, str):
                raise TypeError(
                    f"sort_by: cannot sort by {item!r}; give a field name, an F expression or "
                    "a (key, 1 or -1) pair"
                )
            keys.append((key, asc))
        return keys

    def kwargs(self) -> dict[str, Any]:
        spec = [key if asc else [key, -1] for key, asc in self.keys]
        single = len(self.keys) == 1 and self.keys[0][1]
        return {"field_or_fields": spec[0] if single else spec, "reverse": self.reverse}

    def apply(self, rows: Rows) -> Rows:
        sub = rows.subframe()
        ranks = []
        for key, asc in self.keys:
            if isinstance(key, str):
                column = rows.store.schema.sortable_column(key)
                if column not in sub.columns:  # a column no row has set sorts nothing
                    continue
                values = sub[column].reset_index(drop=True)
            else:
                values = expr_eval.evaluate(sub, key, checked=True)
            rank = _sort_ranks(values)
            ranks.append(rank if asc != self.reverse else -rank)
        if not ranks:
            return rows
        return rows.keep(rows.positions[np.lexsort(ranks[::-1])])


def _sort_ranks(values: pd.Series) -> np.ndarray:
    """Dense ranks in MongoDB's order (null and missing lowest)."""
    if values.dtype != object:  # one typed column (nulls as NaN): ranked in C
        return values.rank(method="dense", na_option="top").to_numpy(dtype=np.int64)
    return rank_values(values.to_numpy(dtype=object))


class Take(ViewStage):
    """A random sample of ``size`` samples; the same ones every time for a given ``seed``."""

    name = "take"

    def __init__(self, size: int, seed: int | None = None) -> None:
        self.size = check_count(size, "take size")
        self.seed = _seed(seed, "take")

    def kwargs(self) -> dict[str, Any]:
        return {"size": self.size, "seed": self.seed}

    def apply(self, rows: Rows) -> Rows:
        rng = np.random.default_rng(self.seed)
        size = min(self.size, len(rows.positions))
        return rows.keep(rows.positions[rng.choice(len(rows.positions), size=size, replace=False)])


class Shuffle(ViewStage):
    """All samples in a random order; the same order every time for a given ``seed``."""

    name = "shuffle"

    def __init__(self, seed: int | None = None) -> None:
        self.seed = _seed(seed, "shuffle")

    def kwargs(self) -> dict[str, Any]:
        return {"seed": self.seed}

    def apply(self, rows: Rows) -> Rows:
        return rows.keep(
            rows.positions[np.random.default_rng(self.seed).permutation(len(rows.positions))]
        )


def _seed(seed: Any, stage: str) -> int:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise TypeError(f"{stage} seed must be an integer or None, not {seed!r}")
    # a view must not change between evaluations: fix a seed now if none was given
    return int(seed) if seed is not None else random.randrange(2**32)


class Limit(ViewStage):
    """The first ``limit`` samples."""

    name = "limit"

    def __init__(self, limit: int) -> None:
        self.limit = check_count(limit, "limit")

    def kwargs(self) -> dict[str, Any]:
        return {"limit": self.limit}

    def apply(self, rows: Rows) -> Rows:
        return rows.keep(rows.positions[: self.limit])


class Skip(ViewStage):
    """All but the first ``skip`` samples."""

    name = "skip"

    def __init__(self, skip: int) -> None:
        self.skip = check_count(skip, "skip")

    def kwargs(self) -> dict[str, Any]:
        return {"skip": self.skip}

    def apply(self, rows: Rows) -> Rows:
        return rows.keep(rows.positions[self.skip :])


def _id_positions(ids: list[str], store: SampleStore) -> np.ndarray:
    positions = store.positions_of(ids)
    return positions[positions >= 0]


class Select(ViewStage):
    """Only the samples with the given ids, in view order (``ordered=True``: in the ids' order)."""

    name = "select"

    def __init__(self, sample_ids: Any, ordered: bool = False) -> None:
        self.sample_ids = id_list(sample_ids, "select")
        self.ordered = bool(ordered)

    def kwargs(self) -> dict[str, Any]:
        return {"sample_ids": self.sample_ids, "ordered": self.ordered}

    def apply(self, rows: Rows) -> Rows:
        wanted = _id_positions(self.sample_ids, rows.store)
        n, positions = len(rows.frame), rows.positions
        if self.ordered:
            in_view = np.zeros(n, dtype=bool)
            in_view[positions] = True
            wanted = pd.unique(wanted)
            return rows.keep(wanted[in_view[wanted]])
        mask = np.zeros(n, dtype=bool)
        mask[wanted] = True
        return rows.keep(positions[mask[positions]])

    def unknown_ids(self, store: SampleStore) -> list[str]:
        """The ids that name no sample of ``store``."""
        return [i for i in self.sample_ids if i not in store]


class Exclude(ViewStage):
    """All samples but those with the given ids."""

    name = "exclude"

    def __init__(self, sample_ids: Any) -> None:
        self.sample_ids = id_list(sample_ids, "exclude")

    def kwargs(self) -> dict[str, Any]:
        return {"sample_ids": self.sample_ids}

    def apply(self, rows: Rows) -> Rows:
        mask = np.ones(len(rows.frame), dtype=bool)
        mask[_id_positions(self.sample_ids, rows.store)] = False
        return rows.keep(rows.positions[mask[rows.positions]])


class Concat(ViewStage):
    """This view's samples, then those of another view of the same dataset (given as that
    view's serialized stages; a sample in both appears twice, as in FiftyOne)."""

    name = "concat"

    def __init__(self, samples: list[Mapping[str, Any]]) -> None:
        if not isinstance(samples, list):
            raise TypeError(f"concat takes the stage dicts of a view, not {samples!r}")
        self.stages = [stage_from_dict(d) for d in samples]
        self.samples = [stage.to_dict() for stage in self.stages]

    def kwargs(self) -> dict[str, Any]:
        return {"samples": self.samples}

    def apply(self, rows: Rows) -> Rows:
        other = Rows(rows.store, rows.store.all_positions())
        for stage in self.stages:
            other = stage.apply(other)
        return rows.keep(np.concatenate([rows.positions, other.positions]))


STAGES: dict[str, type[ViewStage]] = {
    cls.name: cls
    for cls in (
        Match,
        MatchTags,
        Exists,
        SortBy,
        Take,
        Shuffle,
        Limit,
        Skip,
        Select,
        Exclude,
        Concat,
        *FIELD_STAGES,
    )
}


def stage_from_dict(data: Mapping[str, Any]) -> ViewStage:
    """Rebuild a stage from :meth:`ViewStage.to_dict` output."""
    if not isinstance(data, Mapping) or "_stage" not in data:
        raise ValueError(f"not a serialized view stage: {data!r}")
    cls = STAGES.get(data["_stage"])
    if cls is None:
        raise ValueError(
            f"unknown view stage {data['_stage']!r}; known stages: {', '.join(sorted(STAGES))}"
        )
    kwargs = data.get("kwargs", {})
    if not isinstance(kwargs, Mapping):
        raise ValueError(f"stage kwargs must be a dict, not {kwargs!r}")
    return cls(**kwargs)


def warn_unknown_ids(stage: Select, store: SampleStore, name: str) -> None:
    """Warn once, with a count, when a ``select`` names ids that are not in the dataset."""
    unknown = stage.unknown_ids(store)
    if unknown:
        warnings.warn(
            f"select: {len(unknown)} of {len(stage.sample_ids)} ids are not in dataset "
            f"{name!r} and are ignored (e.g. {unknown[0]!r})",
            stacklevel=3,
        )


__all__ = [
    *(cls.__name__ for cls in STAGES.values()),
    "Rows",
    "ViewStage",
    "id_list",
    "stage_from_dict",
    "tag_list",
]
