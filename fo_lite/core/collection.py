"""SampleCollection: what datasets and views share (reading, views, aggregations, export)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import stages as fos
from fo_lite.core.documents import to_python
from fo_lite.core.fields import BUILTIN_FIELDS, PRESENCE, check_field_name, embedded_type
from fo_lite.core.sample import Sample, attached
from fo_lite.core.stages import Rows
from fo_lite.core.store import SampleStore


class SampleCollection:
    """Base of :class:`~fo_lite.core.dataset.Dataset` and :class:`~fo_lite.core.view.DatasetView`.

    Methods that add a stage return a :class:`~fo_lite.core.view.DatasetView`.
    """

    # set by subclasses: the Dataset whose rows this collection reads (a Dataset is its own),
    # and that dataset's store
    _dataset: Any
    _store: SampleStore
    _is_view = False

    # -- to be provided by subclasses -----------------------------------------------------
    def _rows(self) -> Rows:
        """This collection's rows: the store's live frame and the positions, in order."""
        raise NotImplementedError

    def _add_stage(self, stage: fos.ViewStage) -> SampleCollection:
        raise NotImplementedError

    def _row_positions(self) -> np.ndarray:
        """Positions (into the store's live frame) of this collection's rows, in order."""
        return self._rows().positions

    def __setattr__(self, name: str, value: Any) -> None:
        # FiftyOne raises for unknown attributes, so `dataset.persistant = True` is not lost
        if not name.startswith("_") and not hasattr(getattr(type(self), name, None), "__set__"):
            public = [n for n in dir(type(self)) if not n.startswith("_")]
            close = difflib.get_close_matches(name, public, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}{hint}")
        object.__setattr__(self, name, value)

    # -- size and iteration ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._row_positions())

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Sample]:
        """Iterate over samples; samples deleted during the loop are skipped."""
        ds, store = self._dataset, self._store
        positions = self._row_positions()
        layout = store.layout  # if rows move during the loop, samples re-look-up their row
        ids = store.column_cells("id")[positions]
        in_view = self._is_view
        for pos, sample_id in zip(positions.tolist(), ids.tolist(), strict=True):
            if sample_id in store:
                yield attached(store, ds, sample_id, pos, layout, in_view)

    def iter_samples(self, progress: bool = False) -> Iterator[Sample]:
        """Iterate over samples, with a tqdm progress bar when ``progress=True``."""
        if not progress:
            return iter(self)
        from tqdm.auto import tqdm

        return iter(tqdm(self, total=len(self)))

    def __getitem__(self, key: str | slice) -> Any:
        if isinstance(key, slice):
            if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
                raise ValueError("only slices [start:stop] with non-negative bounds are supported")
            view = self.skip(key.start) if key.start else self.view()
            return view.limit(key.stop - (key.start or 0)) if key.stop is not None else view
        if not isinstance(key, str):
            raise KeyError(f"index a collection by sample id (a string), not {key!r}")
        store = self._store
        store.frame()
        pos = store.position(key)
        if pos is None or (self._is_view and not np.any(self._row_positions() == pos)):
            raise KeyError(f"no sample with id {key!r} in {self._describe()}")
        return attached(store, self._dataset, key, pos, store.layout, self._is_view)

    def _describe(self) -> str:
        return f"dataset {self._dataset.name!r}" + (" view" if self._is_view else "")

    def _sample_at(self, index: int) -> Sample:
        store = self._store
        positions = self._row_positions()
        if len(positions) == 0:
            raise ValueError(f"{self._describe()} is empty")
        pos = int(positions[index])
        sample_id = store.column_cells("id")[pos]
        return attached(store, self._dataset, sample_id, pos, store.layout, self._is_view)

    def first(self) -> Sample:
        """The first sample. Raises ValueError when empty."""
        return self._sample_at(0)

    def last(self) -> Sample:
        """The last sample. Raises ValueError when empty."""
        return self._sample_at(-1)

    def head(self, num_samples: int = 3) -> list[Sample]:
        """The first ``num_samples`` samples, as a list."""
        return list(self.limit(num_samples))

    def tail(self, num_samples: int = 3) -> list[Sample]:
        """The last ``num_samples`` samples, as a list."""
        return list(self.skip(max(len(self) - num_samples, 0)))

    # -- views ----------------------------------------------------------------------------
    def view(self) -> SampleCollection:
        """A view of this collection (for a dataset: of all its samples)."""
        raise NotImplementedError

    def match(self, filter: Mapping[str, Any]) -> SampleCollection:  # noqa: A002 (FiftyOne's name)
        """Samples matching a MongoDB query dict.

        >>> dataset.match({"ground_truth.label": {"$in": ["cat", "dog"]}})  # doctest: +SKIP
        """
        return self._add_stage(fos.Match(filter))

    def match_tags(self, tags: str | Sequence[str], bool: bool = True) -> SampleCollection:  # noqa: A002
        """Samples having any of ``tags``."""
        return self._add_stage(fos.MatchTags(tags, bool))

    def exists(self, field: str, bool: bool = True) -> SampleCollection:  # noqa: A002
        """Samples whose ``field`` is not None (``bool=False``: whose field is None)."""
        self._store.columns_of(field)  # raises for unknown fields
        return self._add_stage(fos.Exists(field, bool))

    def sort_by(self, field_or_fields: str | list, reverse: bool = False) -> SampleCollection:
        """Samples sorted by a field (or several); nulls first, stable."""
        stage = fos.SortBy(field_or_fields, reverse)
        for field, _ in stage.keys:
            self._store.schema.sortable_column(field)  # raises for unknown fields
        return self._add_stage(stage)

    def take(self, size: int, seed: int | None = None) -> SampleCollection:
        """``size`` random samples (the same ones for the same ``seed``)."""
        return self._add_stage(fos.Take(size, seed))

    def limit(self, limit: int) -> SampleCollection:
        """The first ``limit`` samples."""
        return self._add_stage(fos.Limit(limit))

    def skip(self, skip: int) -> SampleCollection:
        """All samples but the first ``skip``."""
        return self._add_stage(fos.Skip(skip))

    def select(self, sample_ids: Any, ordered: bool = False) -> SampleCollection:
        """Only the samples with these ids (ids, samples or a view). Unknown ids warn, counted."""
        stage = fos.Select(_ids_of(sample_ids), ordered)
        fos.warn_unknown_ids(stage, self._store, self._dataset.name)
        return self._add_stage(stage)

    def exclude(self, sample_ids: Any) -> SampleCollection:
        """All samples except those with these ids."""
        return self._add_stage(fos.Exclude(_ids_of(sample_ids)))

    # -- windows of rows, for widgets ------------------------------------------------------
    @property
    def revision(self) -> int:
        """A counter that changes whenever this collection's rows or values may have changed.

        Widgets compare it to know when what they drew is stale (views are immutable, so a
        view's revision is its dataset's).
        """
        return self._store.version

    def rows(self, start: int, stop: int, fields: Sequence[str] = ()) -> dict[str, list[Any]]:
        """Rows ``[start, stop)`` of this collection (clamped to its length), by column.

        Returns ``{"id": [...], field: [...], ...}`` of plain Python values, one per row, in
        collection order; fields are named as in :meth:`values` (``"ground_truth.label"``,
        ``"tags"``, ``"file_hash"``). An unknown field raises ValueError.

        >>> dataset.view().sort_by("filepath").rows(0, 2, ["filepath"])  # doctest: +SKIP
        {'id': ['65f0...', '65f1...'], 'filepath': ['/data/a.jpg', '/data/b.jpg']}
        """
        rows = self._rows()
        stop = min(max(int(stop), 0), len(rows.positions))
        start = min(max(int(start), 0), stop)
        window = rows.positions[start:stop]
        store = self._store
        out = {"id": store.values_at(window, "id", rows.frame)}
        for field in fields:
            if field not in out:
                out[field] = store.values_at(window, field, rows.frame)
        return out

    def positions_of(self, ids: Iterable[str]) -> np.ndarray:
        """The position in this collection (0-based, in collection order) of each id, -1 for
        ids that are not in it.

        >>> view.positions_of([sample.id])  # doctest: +SKIP
        array([17])
        """
        rows = self._rows()
        positions = rows.positions
        where = np.full(len(rows.frame), -1, dtype=np.int64)
        where[positions] = np.arange(len(positions), dtype=np.int64)
        frame_pos = self._store.positions_of(ids)
        found = frame_pos >= 0
        out = np.full(len(frame_pos), -1, dtype=np.int64)
        out[found] = where[frame_pos[found]]
        return out

    # -- values and aggregations ----------------------------------------------------------
    def values(self, field: str) -> list[Any]:
        """The value of ``field`` for every sample, in order, as a list.

        ``values("ground_truth")`` gives Classification objects; ``values("ground_truth.label")``
        the labels.
        """
        rows = self._rows()
        return self._store.values_at(rows.positions, field, rows.frame)

    def set_values(self, field: str, values: Sequence[Any]) -> None:
        """Set ``field`` for every sample in order, in one vectorized write."""
        positions = self._row_positions()
        if len(values) != len(positions):
            raise ValueError(
                f"set_values: got {len(values)} values for {len(positions)} samples of "
                f"{self._describe()}; give one value per sample"
            )
        self._store.set_values_at(positions, field, values)

    def tag_samples(self, tags: str | Iterable[str]) -> None:
        """Add ``tags`` to every sample (a tag a sample has already is not added twice).

        >>> dup_view.tag_samples("duplicate")  # doctest: +SKIP
        >>> dataset.match_tags("duplicate")  # doctest: +SKIP
        """
        new = list(dict.fromkeys(fos.tag_list(tags, "tag_samples")))
        current = [have or [] for have in self.values("tags")]
        self.set_values("tags", [have + [t for t in new if t not in have] for have in current])

    def untag_samples(self, tags: str | Iterable[str]) -> None:
        """Remove ``tags`` from every sample that has them."""
        gone = set(fos.tag_list(tags, "untag_samples"))
        self.set_values(
            "tags", [[t for t in have or () if t not in gone] for have in self.values("tags")]
        )

    def count_sample_tags(self) -> dict[str, int]:
        """``{tag: number of samples with it}``, as in FiftyOne."""
        counts = self.count_values("tags")
        counts.pop(None, None)
        return counts

    def _column_series(self, field: str) -> pd.Series:
        return self._series(self._store.schema.value_column(field))

    def _series(self, column: str) -> pd.Series:
        rows = self._rows()
        if column in rows.frame.columns:
            return rows.frame[column].take(rows.positions)
        return pd.Series(np.full(len(rows.positions), None, dtype=object))

    def count(self, field: str | None = None) -> int:
        """The number of samples, or of non-None values of ``field`` (list elements for lists).

        An embedded label counts where it is set, even with no attribute set (an empty
        ``Classification()``), as in FiftyOne."""
        if field is None:
            return len(self)
        if self._store.schema.label_type(field) is not None:
            return int(self._series(f"{field}.{PRESENCE}").notna().sum())
        series = self._column_series(field)
        if series.dtype == object and series.map(lambda v: isinstance(v, list)).any():
            return int(series.dropna().map(len).sum())
        return int(series.notna().sum())

    def count_values(self, field: str) -> dict[Any, int]:
        """``{value: count}`` of ``field`` (of list elements for list fields; None for nulls)."""
        series = _explode_lists(self._column_series(field))
        counts = series.value_counts(dropna=False, sort=False)
        return {to_python(k): int(v) for k, v in counts.items()}

    def distinct(self, field: str) -> list[Any]:
        """The sorted distinct non-None values of ``field`` (list elements for list fields)."""
        series = _explode_lists(self._column_series(field)).dropna()
        return sorted(to_python(v) for v in pd.unique(series))

    def bounds(self, field: str) -> tuple[Any, Any]:
        """``(min, max)`` of the non-None values of ``field``; ``(None, None)`` when there are none."""
        series = _explode_lists(self._column_series(field)).dropna()
        if series.empty:
            return (None, None)
        return (to_python(series.min()), to_python(series.max()))

    def aggregate(self, pipeline: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> list[dict]:
        """Run a MongoDB aggregation pipeline over the samples; returns a list of dicts.

        >>> dataset.aggregate([{"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
        ...                    {"$match": {"count": {"$gt": 1}}}])  # doctest: +SKIP
        """
        from fo_lite.core.aggregate import run_pipeline, validate_pipeline

        if isinstance(pipeline, Mapping):
            pipeline = [pipeline]
        validate_pipeline(pipeline)
        return run_pipeline(self._frame_for_pipeline(), pipeline)

    def _frame_for_pipeline(self) -> pd.DataFrame:
        rows = self._rows()
        return self._store.rows_frame(rows.positions, rows.frame)

    def to_pandas(self) -> pd.DataFrame:
        """A copy of the samples as a DataFrame (one row per sample, flat dotted columns; an
        embedded label's ``<field>._cls`` column says where it is set)."""
        return self._store.detached(self._frame_for_pipeline())

    def clone(self, name: str | None = None, persistent: bool = False) -> Any:
        """A new dataset holding a copy of these samples: the same ids, fields and order.

        >>> backup = dataset.clone("before_dedup")  # doctest: +SKIP
        >>> cats = dataset.match({"ground_truth.label": "cat"}).clone()  # doctest: +SKIP
        """
        clone = type(self._dataset)(name=name)
        try:
            clone.add_collection(self, new_ids=False)
            clone.tags = list(self._dataset.tags)
            if persistent:
                clone.persistent = True
        except BaseException:
            clone.delete()
            raise
        return clone

    def get_field_schema(self) -> dict[str, str]:
        """``{field name: kind}``, e.g. ``{"filepath": "StringField", ...}``."""
        return self._store.schema.copy()

    # -- files ----------------------------------------------------------------------------
    def compute_filehashes(
        self,
        field: str = "file_hash",
        method: str | None = None,
        num_workers: int | None = None,
        executor: Any = None,
        progress: bool | None = None,
    ) -> None:
        """Hash every sample's file in parallel and store the hashes in ``field`` in one write.

        Unreadable files get None and one counted warning. ``executor`` takes any
        ``concurrent.futures.Executor`` (a process pool, ``dask_client.get_executor()``...).
        """
        from fo_lite.core.features import compute_filehashes

        # checked before any file is read: hashes written over filepath would lose the files
        if field in BUILTIN_FIELDS:
            raise ValueError(
                f"compute_filehashes: {field!r} is a built-in field ({', '.join(BUILTIN_FIELDS)}) "
                "and cannot hold hashes; pass another field name, e.g. field='file_hash'"
            )
        check_field_name(field)
        hashes = compute_filehashes(
            self.values("filepath"),
            method=method,
            num_workers=num_workers,
            executor=executor,
            progress=progress,
        )
        self.set_values(field, hashes)

    def export(
        self,
        export_dir: str,
        label_field: str = "ground_truth",
        dataset_type: str | None = "image_classification_dir_tree",
        export_media: bool | str = True,
        overwrite: bool = False,
        progress: bool | None = None,
    ) -> str:
        """Write the samples as ``<export_dir>/<label>/<file>``; returns ``export_dir``.

        ``export_media``: True (copy), ``"hardlink"``, ``"symlink"`` or False (labels only, a
        manifest). The export is built beside ``export_dir`` and renamed into place when
        complete. A non-empty ``export_dir`` is refused unless ``overwrite=True``.
        """
        from fo_lite.utils.data import export_image_classification_dir_tree

        if dataset_type not in (
            None,
            "image_classification_dir_tree",
            "ImageClassificationDirectoryTree",
        ):
            raise ValueError(
                f"unsupported dataset_type {dataset_type!r}; fo_lite exports "
                "'image_classification_dir_tree'"
            )
        kind = self._store.schema.get(label_field)
        if kind is None:
            raise ValueError(
                f"export: no field {label_field!r}; fields: {', '.join(self._store.schema)}"
            )
        label_column = f"{label_field}.label" if embedded_type(kind) else label_field
        return export_image_classification_dir_tree(
            self.values("filepath"),
            self.values(label_column),
            export_dir,
            export_media=export_media,
            overwrite=overwrite,
            progress=progress,
        )


def _ids_of(sample_ids: Any) -> Any:
    """A collection's ids (a view or dataset given where ids are expected), else as given."""
    return sample_ids.values("id") if isinstance(sample_ids, SampleCollection) else sample_ids


def _explode_lists(series: pd.Series) -> pd.Series:
    """List cells become one row per element (empty lists vanish); other columns unchanged."""
    if series.dtype != object or not series.map(lambda v: isinstance(v, list)).any():
        return series
    return series.explode().dropna()
