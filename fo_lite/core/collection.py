"""SampleCollection: what datasets and views share (reading, views, aggregations, export)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import stages as fos
from fo_lite.core.aggregating import AggregationMethods
from fo_lite.core.fields import (
    Field,
    field_of_kind,
)
from fo_lite.core.file_methods import FileMethods
from fo_lite.core.sample import Sample, attached
from fo_lite.core.savecontext import SaveContext
from fo_lite.core.stages import Rows
from fo_lite.core.store import SampleStore
from fo_lite.core.view_methods import ViewMethods


class SampleCollection(AggregationMethods, ViewMethods, FileMethods):
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

    def _serialize(self) -> list[dict[str, Any]]:
        """The collection's stages as a JSON-able list of dicts (none for a dataset)."""
        return []

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
        rows = self._rows()
        positions, hidden, selected = rows.positions, rows.hidden, rows.selected
        overlay = _overlay(rows)
        layout = store.layout  # if rows move during the loop, samples re-look-up their row
        ids = store.column_cells("id")[positions]
        in_view = self._is_view
        alive = store.id_index()  # live: an id deleted during the loop is skipped
        for pos, sample_id in zip(positions.tolist(), ids.tolist(), strict=True):
            if sample_id in alive:
                yield attached(
                    store, ds, sample_id, pos, layout, in_view, hidden, selected, overlay
                )

    def iter_samples(
        self,
        progress: bool = False,
        autosave: bool = False,
        batch_size: float | None = None,
        batching_strategy: str | None = None,
    ) -> Iterator[Sample]:
        """Iterate over samples, with a tqdm progress bar when ``progress=True``.

        ``autosave=True`` saves each sample when the loop moves on (and at the end, or at a
        ``break``), as in FiftyOne; ``batch_size``/``batching_strategy`` are as in
        :meth:`save_context`.

        >>> for sample in dataset.iter_samples(autosave=True):  # doctest: +SKIP
        ...     sample["file_hash"] = fou.compute_filehash(sample.filepath)
        """
        context = self.save_context(batch_size, batching_strategy) if autosave else None
        samples: Iterator[Sample] = iter(self)
        if progress:
            from tqdm.auto import tqdm

            samples = iter(tqdm(samples, total=len(self)))
        return samples if context is None else _autosaved(samples, context)

    def save_context(
        self, batch_size: float | None = None, batching_strategy: str | None = None
    ) -> SaveContext:
        """A context that saves samples in a loop: ``ctx.save(sample)`` (see
        :class:`~fo_lite.core.savecontext.SaveContext`).

        >>> with dataset.save_context() as ctx:  # doctest: +SKIP
        ...     for sample in dataset:
        ...         sample["n"] = 1
        ...         ctx.save(sample)
        """
        return SaveContext(self, batch_size, batching_strategy)

    def __getitem__(self, key: str | slice) -> Any:
        if isinstance(key, slice):
            if key.step not in (None, 1) or (key.start or 0) < 0 or (key.stop or 0) < 0:
                raise ValueError("only slices [start:stop] with non-negative bounds are supported")
            view = self.skip(key.start) if key.start else self.view()
            return view.limit(key.stop - (key.start or 0)) if key.stop is not None else view
        if not isinstance(key, str):
            raise ValueError(f"index a collection by sample id (a string) or a slice, not {key!r}")
        store = self._store
        rows = self._rows()
        pos = store.position(key)
        if pos is None or (self._is_view and not np.any(rows.positions == pos)):
            raise KeyError(f"no sample with id {key!r} in {self._describe()}")
        layout, in_view, overlay = store.layout, self._is_view, _overlay(rows)
        hidden, selected = rows.hidden, rows.selected
        return attached(store, self._dataset, key, pos, layout, in_view, hidden, selected, overlay)

    def _describe(self) -> str:
        return f"dataset {self._dataset.name!r}" + (" view" if self._is_view else "")

    def _sample_at(self, index: int) -> Sample:
        store = self._store
        rows = self._rows()
        if len(rows.positions) == 0:
            raise ValueError(f"{self._describe()} is empty")
        pos = int(rows.positions[index])
        sample_id = store.column_cells("id")[pos]
        layout, in_view = store.layout, self._is_view
        hidden, selected, overlay = rows.hidden, rows.selected, _overlay(rows)
        return attached(
            store, self._dataset, sample_id, pos, layout, in_view, hidden, selected, overlay
        )

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

    def concat(self, samples: SampleCollection) -> SampleCollection:
        """This collection's samples followed by those of ``samples`` (a view or the whole of
        the same dataset)."""
        if not isinstance(samples, SampleCollection) or samples._dataset is not self._dataset:
            raise ValueError(
                f"concat takes a view of dataset {self._dataset.name!r} (or the dataset itself)"
            )
        return self._add_stage(fos.Concat(samples._serialize()))

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
        out = {"id": store.values_at(window, "id")}
        for field in fields:
            if field not in out:
                self._check_shown(field, rows)
                out[field] = store.values_at(window, field)
        return out

    def _check_shown(self, field: str, rows: Rows) -> None:
        top = field.partition(".")[0]
        if top in rows.hidden:
            raise ValueError(
                f"{self._describe()} excludes field {top!r} (select_fields/exclude_fields)"
            )

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
    def values(
        self,
        field_or_expr: Any,
        expr: Any = None,
        missing_value: Any = None,
        unwind: bool = False,
    ) -> list[Any]:
        """The value of a field, or of an ``F`` expression (``expr=`` applies one to the
        field's value), for every sample, in order; for a list of fields, one such list per
        field. None values become ``missing_value``; ``unwind=True`` flattens list values.

        ``values("ground_truth")`` gives Classification objects; ``values("ground_truth.label")``
        the labels.

        >>> ids, hashes = dataset.values(["id", "file_hash"])  # doctest: +SKIP
        >>> dataset.values(F("tags").length())  # doctest: +SKIP
        """
        if isinstance(field_or_expr, list | tuple):
            return [self.values(f, expr, missing_value, unwind) for f in field_or_expr]
        if isinstance(field_or_expr, str) and expr is None:
            rows = self._rows()
            self._check_shown(field_or_expr, rows)
            out = self._store.values_at(rows.positions, field_or_expr, rows.overlay_frame)
        else:
            out = list(self._expression_values(field_or_expr, expr, per_sample=True))
        if unwind:
            out = [e for v in out for e in (v if type(v) is list else [v])]
        if missing_value is not None:
            out = [missing_value if v is None else v for v in out]
        return out

    def set_values(
        self,
        field: str,
        values: Any,
        key_field: str | None = None,
        expand_schema: bool = True,
    ) -> None:
        """Set ``field`` for every sample in order, in one vectorized write.

        ``values`` may instead be a dict ``{key: value}``: the samples whose ``key_field``
        (default ``"id"``) is a key get its value and the others keep theirs; a key no sample
        has raises ValueError, as in FiftyOne. ``expand_schema=False`` refuses a new field.

        >>> dataset.set_values("file_hash", {sample_id: "ab12"}, key_field="id")  # doctest: +SKIP
        """
        if not expand_schema and field.partition(".")[0] not in self._store.schema:
            raise ValueError(
                f"set_values: {self._describe()} has no field {field!r} and expand_schema=False"
            )
        positions = self._row_positions()
        if isinstance(values, Mapping):
            key_field = key_field or "id"
            keys = self.values(key_field)
            chosen = [i for i, key in enumerate(keys) if key in values]
            unknown = set(values) - {keys[i] for i in chosen}
            if unknown:
                raise ValueError(
                    f"set_values: {len(unknown)} keys match no sample's {key_field!r} in "
                    f"{self._describe()} (e.g. {next(iter(unknown))!r}); nothing was set"
                )
            positions = positions[np.asarray(chosen, dtype=np.int64)]
            values = [values[keys[i]] for i in chosen]
        elif key_field is not None:
            raise ValueError(f"set_values: key_field={key_field!r} needs values as a dict")
        elif len(values) != len(positions):
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

    def _frame_for_pipeline(self) -> pd.DataFrame:
        rows = self._rows()
        frame = self._store.rows_frame(rows.positions, rows.overlay_frame)
        if rows.hidden:
            hidden = [c for c in frame.columns if c.partition(".")[0] in rows.hidden]
            frame = frame.drop(columns=hidden)
        return frame

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

    def get_field_schema(
        self, ftype: Any = None, embedded_doc_type: type | None = None
    ) -> dict[str, Field]:
        """``{field name: field object}`` in order, e.g. ``{"filepath": StringField, ...}``;
        only fields of class ``ftype`` (and label type ``embedded_doc_type``) when given.

        >>> isinstance(dataset.get_field_schema()["file_hash"], fo.StringField)  # doctest: +SKIP
        True
        """
        out = {}
        hidden = self._rows().hidden if self._is_view else frozenset()
        for name, kind in self._store.schema.items():
            if name in hidden:
                continue
            field = field_of_kind(kind, name)
            if ftype is not None and not isinstance(field, ftype):
                continue
            if embedded_doc_type is not None and getattr(field, "document_type", None) is not (
                embedded_doc_type
            ):
                continue
            out[name] = field
        return out

    def get_field(self, path: str) -> Field:
        """The field object of a field (``"ground_truth"``) or label attribute
        (``"ground_truth.label"``); ValueError for an unknown one."""
        schema = self._store.schema
        kind = schema.get(path)
        if kind is None:
            kind = schema.kind_of_column(schema.value_column(path))
        return field_of_kind(kind, path)

    def has_field(self, path: str) -> bool:
        """Whether :meth:`get_field` knows ``path``."""
        try:
            self.get_field(path)
        except ValueError:
            return False
        return True

    def clone_sample_field(self, field_name: str, new_field_name: str) -> None:
        """Copy a field into a new one (for a view: only its samples' values; None elsewhere)."""
        positions = self._row_positions() if self._is_view else None
        self._store.copy_field(field_name, new_field_name, positions)

    def clear_sample_field(self, field_name: str) -> None:
        """Set a field to None for every sample (of a view: of its samples)."""
        positions = self._row_positions() if self._is_view else None
        self._store.clear_field(field_name, positions)


def _overlay(rows: Rows) -> tuple[pd.DataFrame, frozenset[str]] | None:
    """What samples of a set_field view read their set values from."""
    if not rows.overlay:
        return None
    return rows.frame, frozenset(c.partition(".")[0] for c in rows.overlay)


def _autosaved(samples: Iterator[Sample], context: SaveContext) -> Iterator[Sample]:
    # a break closes this generator at its yield: the context exits and writes what was saved
    with context:
        for sample in samples:
            yield sample
            context.save(sample)


def _ids_of(sample_ids: Any) -> Any:
    """A collection's ids (a view or dataset given where ids are expected), else as given."""
    return sample_ids.values("id") if isinstance(sample_ids, SampleCollection) else sample_ids
