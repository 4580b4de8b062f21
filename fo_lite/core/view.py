"""DatasetView: a dataset plus a chain of stages, evaluated lazily and never stale."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fo_lite.core.collection import SampleCollection
from fo_lite.core.stages import ViewStage, stage_from_dict

if TYPE_CHECKING:
    from fo_lite.core.dataset import Dataset


class DatasetView(SampleCollection):
    """An immutable, lazy view: each method returns a new view with one more stage.

    The view re-evaluates whenever its dataset changes, so it never shows deleted samples.

    >>> view = dataset.view().match({"ground_truth.label": "mountain"}).sort_by("filepath")  # doctest: +SKIP
    """

    _is_view = True

    def __init__(self, dataset: Dataset, stages: Iterable[ViewStage] = ()) -> None:
        self._dataset = dataset
        self._stages: tuple[ViewStage, ...] = tuple(stages)
        self._cached_version = -1
        self._cached_positions = np.empty(0, dtype=np.int64)

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

    def _row_positions(self) -> np.ndarray:
        ds = self._dataset
        frame = ds._live_frame()
        if self._cached_version != ds._version:
            positions = np.arange(len(frame), dtype=np.int64)
            for stage in self._stages:
                positions = stage.apply(frame, positions, ds)
            self._cached_positions = positions
            self._cached_version = ds._version
        return self._cached_positions

    def _serialize(self) -> list[dict[str, Any]]:
        """The stages as a JSON-able list of dicts."""
        return [stage.to_dict() for stage in self._stages]

    @classmethod
    def _from_serialized(cls, dataset: Dataset, stages: Iterable[Mapping[str, Any]]) -> DatasetView:
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
        from fo_lite.core.summary import view_summary

        return view_summary(self)

    def __repr__(self) -> str:
        return self.summary()
