"""DatasetView: a dataset plus a chain of stages, evaluated lazily and never stale."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fo_lite.core.collection import SampleCollection
from fo_lite.core.stages import Rows, ViewStage, stage_from_dict
from fo_lite.core.summary import view_summary


class DatasetView(SampleCollection):
    """An immutable, lazy view: each method returns a new view with one more stage.

    The view re-evaluates whenever its dataset changes, so it never shows deleted samples.

    >>> view = dataset.view().match({"ground_truth.label": "mountain"}).sort_by("filepath")  # doctest: +SKIP
    """

    _is_view = True

    def __init__(self, dataset: Any, stages: Iterable[ViewStage] = ()) -> None:
        self._dataset = dataset
        self._store = dataset._store
        self._stages: tuple[ViewStage, ...] = tuple(stages)
        self._cached_version = -1
        self._cached_rows: Rows | None = None

    @property
    def dataset(self) -> Any:
        """The :class:`~fo_lite.core.dataset.Dataset` this view reads.

        >>> view = dataset.match({"ground_truth.label": "cat"})  # doctest: +SKIP
        >>> view.dataset is dataset  # doctest: +SKIP
        True
        """
        return self._dataset

    @property
    def dataset_name(self) -> str:
        """The name of the dataset this view reads."""
        return self._dataset.name

    @property
    def name(self) -> str:
        """The dataset's name (views have no name of their own)."""
        return self._dataset.name

    @property
    def stages(self) -> tuple[ViewStage, ...]:
        """The view's stages, in order."""
        return self._stages

    def view(self) -> DatasetView:
        """This view (views are immutable)."""
        return self

    def _add_stage(self, stage: ViewStage) -> DatasetView:
        return DatasetView(self._dataset, (*self._stages, stage))

    def _rows(self) -> Rows:
        store = self._store
        store.frame()  # pending writes and deletions first: compaction moves rows
        if self._cached_rows is None or self._cached_version != store.version:
            rows = Rows(store, store.all_positions())
            for stage in self._stages:
                rows = stage.apply(rows)
            self._cached_rows, self._cached_version = rows, store.version
        return self._cached_rows

    def save(self, fields: str | Iterable[str] | None = None) -> None:
        """Write the values ``set_field`` stages gave (all, or those of ``fields``) to the
        dataset, for this view's samples.

        Unlike FiftyOne, fields the view leaves out are not deleted from the dataset (use
        ``delete_sample_field`` for that)."""
        rows = self._rows()
        if not rows.overlay:
            return
        wanted = None if fields is None else {fields} if isinstance(fields, str) else set(fields)
        frame = rows.frame
        for column in list(rows.overlay):
            if wanted is None or column.partition(".")[0] in wanted:
                values = self._store.values_at(rows.positions, column, frame)
                self._store.set_values_at(rows.positions, column, values)

    def reload(self) -> None:
        """Evaluate the view again now (views also do so by themselves when the dataset
        changes)."""
        self._cached_rows = None

    def _serialize(self) -> list[dict[str, Any]]:
        """The stages as a JSON-able list of dicts."""
        return [stage.to_dict() for stage in self._stages]

    @classmethod
    def _from_serialized(cls, dataset: Any, stages: Iterable[Mapping[str, Any]]) -> DatasetView:
        """Rebuild a view of ``dataset`` from :meth:`_serialize` output."""
        return cls(dataset, [stage_from_dict(d) for d in stages])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DatasetView):
            return NotImplemented
        return self._dataset is other._dataset and self._stages == other._stages

    def __hash__(self) -> int:
        return hash((id(self._dataset), self._stages))

    def summary(self) -> str:
        """A text summary: dataset, size, fields and stages."""
        return view_summary(self.name, len(self), self.get_field_schema(), self._stages)

    def __repr__(self) -> str:
        return self.summary()
