"""The stage methods every collection has (``match``, ``sort_by``, ``set_field``, ``take``...):
each validates its arguments against the schema and adds one stage, returning a
:class:`~fo_lite.core.view.DatasetView`. (``select``, ``exclude`` and ``concat``, which take
other collections, are on :class:`~fo_lite.core.collection.SampleCollection`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fo_lite.core import stages as fos
from fo_lite.core.field_stages import ExcludeFields, SelectFields, SetField


class ViewMethods:
    """Mixed into :class:`~fo_lite.core.collection.SampleCollection`."""

    def match(self, filter: Any) -> Any:  # noqa: A002 (FiftyOne's name)
        """Samples matching a MongoDB query dict or an ``F`` expression.

        >>> dataset.match({"ground_truth.label": {"$in": ["cat", "dog"]}})  # doctest: +SKIP
        >>> dataset.match(F("file_hash").is_in(dup_hashes))  # doctest: +SKIP
        """
        return self._add_stage(fos.Match(filter))

    def match_tags(
        self,
        tags: str | Sequence[str],
        bool: bool | None = None,  # noqa: A002 (FiftyOne's name)
        all: bool = False,  # noqa: A002
    ) -> Any:
        """Samples having any of ``tags`` (all of them with ``all=True``; ``bool=False``: the
        others).

        >>> dataset.match_tags(["dup", "reviewed"], all=True)  # doctest: +SKIP
        """
        return self._add_stage(fos.MatchTags(tags, bool, all))

    def exists(self, field: str, bool: bool = True) -> Any:  # noqa: A002
        """Samples whose ``field`` is not None (``bool=False``: whose field is None)."""
        self._store.columns_of(field)  # raises for unknown fields
        return self._add_stage(fos.Exists(field, bool))

    def sort_by(self, field_or_expr: Any, reverse: bool = False) -> Any:
        """Samples sorted by a field or ``F`` expression (or several, as a list of them or of
        ``(key, 1 | -1)`` pairs); nulls first ascending, stable.

        >>> dataset.sort_by(F("tags").length(), reverse=True)  # doctest: +SKIP
        """
        stage = fos.SortBy(field_or_expr, reverse)
        for key, _ in stage.keys:
            if isinstance(key, str):
                self._store.schema.sortable_column(key)  # raises for unknown fields
        return self._add_stage(stage)

    def set_field(self, field: str, expr: Any) -> Any:
        """A view where ``field`` (a field, or a label attribute such as ``"pred.label"``)
        holds the value of an ``F`` expression (or a literal); ``view.save()`` writes it.

        >>> view = dataset.set_field("score", F("score") * 2)  # doctest: +SKIP
        """
        stage = SetField(field, expr)
        self._store.schema.value_column(field)  # raises for unknown fields
        return self._add_stage(stage)

    def take(self, size: int, seed: int | None = None) -> Any:
        """``size`` random samples (the same ones for the same ``seed``)."""
        return self._add_stage(fos.Take(size, seed))

    def shuffle(self, seed: int | None = None) -> Any:
        """All samples in a random order (the same order for the same ``seed``)."""
        return self._add_stage(fos.Shuffle(seed))

    def select_fields(self, field_names: str | Sequence[str] | None = None) -> Any:
        """Only these fields (and ``id``, ``filepath``, ``tags``) in the view's samples, schema,
        values and exports.

        >>> dataset.select_fields("ground_truth").get_field_schema().keys()  # doctest: +SKIP
        dict_keys(['id', 'filepath', 'tags', 'ground_truth'])
        """
        stage = SelectFields(field_names)
        for field in stage.field_names:
            self._store.schema.value_column(field)  # raises for unknown fields
        return self._add_stage(stage)

    def exclude_fields(self, field_names: str | Sequence[str]) -> Any:
        """Every field but these (``id``, ``filepath`` and ``tags`` cannot be excluded)."""
        stage = ExcludeFields(field_names)
        for field in stage.field_names:
            self._store.schema.value_column(field)  # raises for unknown fields
        return self._add_stage(stage)

    def limit(self, limit: int) -> Any:
        """The first ``limit`` samples."""
        return self._add_stage(fos.Limit(limit))

    def skip(self, skip: int) -> Any:
        """All samples but the first ``skip``."""
        return self._add_stage(fos.Skip(skip))
