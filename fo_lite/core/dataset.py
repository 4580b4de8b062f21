"""Dataset: owns one pandas DataFrame, one row per sample, and keeps it current.

Writes from ``sample.save()`` go to a per-field buffer and deletions to a mask; both are
applied in one vectorized step per field the next time the frame is read
(:meth:`Dataset._live_frame`), so the walkthrough's per-sample loops are O(1) per call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import columns, registry
from fo_lite.core import fields as fof
from fo_lite.core.collection import SampleCollection
from fo_lite.core.labels import Classification
from fo_lite.core.sample import Sample
from fo_lite.core.stages import ViewStage
from fo_lite.core.view import DatasetView


class Dataset(SampleCollection):
    """A named collection of image samples backed by a pandas DataFrame.

    >>> dataset = fo.Dataset.from_image_classification_samples(
    ...     [("/data/cat/1.jpg", "cat"), ("/data/dog/2.jpg", "dog")], name="pets")  # doctest: +SKIP
    >>> dataset.count_values("ground_truth.label")  # doctest: +SKIP
    {'cat': 1, 'dog': 1}
    """

    media_type = "image"

    def __init__(
        self, name: str | None = None, persistent: bool = False, overwrite: bool = False
    ) -> None:
        self._name = registry.claim_name(name, overwrite)
        self._dataset = self
        self._schema: dict[str, str] = {
            "id": fof.ID,
            "filepath": fof.STRING,
            "tags": fof.STRING_LIST,
        }
        self._frame = pd.DataFrame(
            {
                "id": pd.Series([], dtype=object),
                "filepath": pd.Series([], dtype=object),
                "tags": pd.Series([], dtype=object),
            }
        )
        self._pos: dict[str, int] = {}
        self._alive: np.ndarray | None = None
        self._n_dead = 0
        self._pending: dict[str, dict[int, Any]] = {}
        self._column_cache: dict[str, np.ndarray] = {}
        self._version = 0
        self._layout = 0
        self._all_positions = np.empty(0, dtype=np.int64)
        self._deleted = False
        self._persistent = False
        self.tags: list[str] = []
        self.created_at = datetime.now()
        registry.register(self)
        if persistent:
            self.persistent = True

    # -- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The dataset's name (unique among loaded and saved datasets)."""
        return self._name

    @property
    def persistent(self) -> bool:
        """Whether the dataset is kept on disk (see ``fo.config.database_dir``)."""
        return self._persistent

    @persistent.setter
    def persistent(self, value: bool) -> None:
        self._check_alive()
        registry.set_persistent(self, bool(value))

    @property
    def deleted(self) -> bool:
        """Whether :meth:`delete` was called."""
        return self._deleted

    def save(self) -> None:
        """Write a persistent dataset to disk now (a no-op for non-persistent datasets)."""
        registry.save(self)

    def reload(self) -> None:
        """Reload a persistent dataset from disk, dropping unsaved changes."""
        registry.reload(self)

    def delete(self) -> None:
        """Delete the dataset (and its saved copy); the object can no longer be used."""
        registry.delete(self)

    def _check_alive(self) -> None:
        if self._deleted:
            raise ValueError(f"dataset {self._name!r} has been deleted")

    def view(self) -> DatasetView:
        """A view of all samples."""
        return DatasetView(self)

    def _add_stage(self, stage: ViewStage) -> DatasetView:
        return DatasetView(self, (stage,))

    # -- the frame ------------------------------------------------------------------------
    def _live_frame(self) -> pd.DataFrame:
        """The current frame: buffered writes applied, deleted rows dropped. O(1) if none."""
        self._check_alive()
        if self._pending:
            self._flush_writes()
        if self._n_dead:
            self._compact()
        return self._frame

    def _row_positions(self) -> np.ndarray:
        frame = self._live_frame()
        if len(self._all_positions) != len(frame):
            self._all_positions = np.arange(len(frame), dtype=np.int64)
        return self._all_positions

    def __len__(self) -> int:
        return len(self._frame) - self._n_dead

    def _changed(self) -> None:
        self._version += 1

    def _new_layout(self) -> None:
        """Row positions changed: cached column arrays and sample handles must re-look-up."""
        self._layout += 1
        self._column_cache.clear()

    def _compact(self) -> None:
        keep = self._alive
        self._frame = self._frame[keep].reset_index(drop=True)
        self._alive = None
        self._n_dead = 0
        # _pos keeps its keys in row order (appends add in order, deletions pop), so the
        # surviving ids are renumbered in place: no second dict, no new id strings
        for new_pos, sample_id in enumerate(self._pos):
            self._pos[sample_id] = new_pos
        self._new_layout()

    def _adopt(self, frame: pd.DataFrame, schema: dict[str, str]) -> None:
        """Hold ``frame`` (a RangeIndex, an ``id`` column) and ``schema`` instead of the current
        rows, dropping unsaved writes."""
        self._frame = frame
        self._schema = schema
        self._pos = dict(zip(frame["id"].tolist(), range(len(frame)), strict=True))
        self._pending = {}
        self._alive = None
        self._n_dead = 0
        self._new_layout()
        self._changed()

    def _detached(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` (rows of this dataset) that shares no list or dict with it."""
        copied = frame.copy()
        for column in copied.columns:
            kind = self._kind_of_column(column)
            if kind in fof.MUTABLE_KINDS:
                cells = [fof.owned_copy(v, kind) for v in copied[column]]
                copied[column] = pd.Series(cells, index=copied.index, dtype=object)
        return copied

    def _flush_writes(self) -> None:
        for column, updates in self._pending.items():
            positions = np.fromiter(updates.keys(), dtype=np.int64, count=len(updates))
            columns.assign_cells(self, column, positions, updates.values())
        self._pending = {}

    def _kind_of_column(self, column: str) -> str:
        field, _, attr = column.partition(".")
        kind = self._schema.get(field, fof.ANY)
        if attr:
            return fof.STRING if attr == "label" else fof.FLOAT
        return kind

    def _column_array(self, column: str) -> np.ndarray:
        """The column as an object array of plain Python values (None for null), cached."""
        cached = self._column_cache.get(column)
        if cached is None:
            series = self._frame[column]
            cached = series.to_numpy(dtype=object)
            nulls = series.isna().to_numpy()
            if nulls.any():
                cached = cached.copy()  # may be a read-only view of the frame's data
                cached[nulls] = None
            self._column_cache[column] = cached
        return cached

    # -- schema ---------------------------------------------------------------------------
    def _columns_of(self, field: str) -> list[str]:
        """The frame columns that store ``field`` (several for an embedded label field)."""
        kind = self._schema.get(field)
        if kind is not None:
            label_type = fof.embedded_type(kind)
            if label_type is None:
                return [field]
            return [
                f"{field}.{a}" for a in label_type.attributes() if f"{field}.{a}" in self._frame
            ]
        if field in self._frame.columns or field == "_id":
            return ["id" if field == "_id" else field]
        raise ValueError(self._unknown_field_message(field))

    def _unknown_field_message(self, field: str) -> str:
        return f"dataset {self._name!r} has no field {field!r}; fields: {', '.join(self._schema)}"

    def _value_column(self, field: str) -> str:
        """The single column holding ``field``'s values (``ground_truth`` -> its label column)."""
        columns = self._columns_of(field)
        if len(columns) == 1:
            return columns[0]
        label = f"{field}.label"
        if label in columns:
            return label
        raise ValueError(f"field {field!r} has no single column of values")

    def _sortable_column(self, field: str) -> str:
        column = self._value_column(field)
        if self._schema.get(column) in (fof.LIST, fof.STRING_LIST, fof.DICT):
            raise ValueError(f"cannot sort by {field!r}: it holds lists or dicts")
        return column

    def _label_fields(self) -> list[str]:
        return [f for f, k in self._schema.items() if fof.embedded_type(k)]

    def _register_kind(self, field: str, kind: str) -> None:
        old = self._schema.get(field)
        self._schema[field] = kind if old is None else fof.merge_kinds(old, kind, field)

    def add_sample_field(self, field: str, kind: str = fof.ANY) -> None:
        """Declare a new field (every sample gets None)."""
        fof.check_field_name(field)
        if field in self._schema:
            raise ValueError(f"field {field!r} already exists")
        self._schema[field] = kind
        self._frame[field] = np.full(len(self._frame), None, dtype=object)
        self._changed()
        registry.changed(self)

    def delete_sample_field(self, field: str) -> None:
        """Remove a field from every sample."""
        if field in fof.BUILTIN_FIELDS:
            raise ValueError(f"field {field!r} cannot be deleted")
        columns = self._columns_of(field)
        self._live_frame()
        self._frame = self._frame.drop(columns=columns)
        del self._schema[field]
        self._new_layout()
        self._changed()
        registry.changed(self)

    # -- reads and writes from samples ----------------------------------------------------
    def _read_field(self, pos: int, field: str) -> Any:
        kind = self._schema.get(field)
        if kind is None:
            raise KeyError(field)
        label_type = fof.embedded_type(kind)
        if label_type is None:
            return self._read_cell(pos, field)
        values = {a: self._read_cell(pos, f"{field}.{a}") for a in label_type.attributes()}
        if all(v is None for v in values.values()):
            return None
        return label_type(**values)

    def _read_cell(self, pos: int, column: str) -> Any:
        # hot path of every `sample.field` read in a loop: dict lookups only
        pending = self._pending.get(column) if self._pending else None
        if pending is not None and pos in pending:
            value = pending[pos]
        else:
            values = self._column_cache.get(column)
            if values is None:
                if column not in self._frame.columns:
                    return None
                values = self._column_array(column)
            value = values[pos]
        if type(value) is list or type(value) is dict:  # a copy: the caller may change it
            return fof.owned_copy(value, self._schema.get(column))
        return value

    def _write_sample(self, pos: int, edits: dict[str, Any]) -> None:
        schema = self._schema
        new_kinds: dict[str, str] = {}
        for field, value in edits.items():
            kind = fof.kind_of_value(value)
            old = schema.get(field)
            if kind != old:  # merge_kinds raises for a misfit before anything is written
                new_kinds[field] = kind if old is None else fof.merge_kinds(old, kind, field)
        if new_kinds:
            schema.update(new_kinds)
        for field, value in edits.items():
            label_type = fof.embedded_type(schema[field])
            if label_type is None:
                self._pending.setdefault(field, {})[pos] = fof.owned_copy(value, schema[field])
            else:
                for attr in label_type.attributes():
                    attr_value = None if value is None else getattr(value, attr)
                    column = f"{field}.{attr}"
                    if attr_value is not None or column in self._frame.columns:
                        self._pending.setdefault(column, {})[pos] = attr_value
        self._changed()

    # -- vectorized values ----------------------------------------------------------------
    def _values_at(self, positions: np.ndarray, field: str) -> list[Any]:
        return columns.values_at(self, positions, field)

    def _set_values_at(self, positions: np.ndarray, field: str, values: Sequence[Any]) -> None:
        columns.set_values_at(self, positions, field, values)
        self._changed()
        registry.changed(self)

    # -- adding and deleting --------------------------------------------------------------
    def add_samples(self, samples: Iterable[Sample]) -> list[str]:
        """Add samples (made with ``fo.Sample(...)``); returns their new ids."""
        samples = list(samples)
        for s in samples:
            if not isinstance(s, Sample):
                raise TypeError(f"add_samples takes fo.Sample objects, not {type(s).__name__}")
            if s._dataset is not None:
                raise ValueError(f"sample {s.id} already belongs to dataset {s._dataset.name!r}")
        rows = [s._edits for s in samples]
        fields = list(dict.fromkeys(f for row in rows for f in row))
        columns = {f: [fof.owned_copy(row.get(f)) for row in rows] for f in fields}
        ids = self._append_columns(columns)
        registry.changed(self)
        for s, sample_id, pos in zip(
            samples, ids, range(len(self._frame) - len(ids), len(self._frame)), strict=True
        ):
            s._dataset, s._sample_id, s._pos, s._layout, s._edits = (
                self,
                sample_id,
                pos,
                self._layout,
                {},
            )
        return ids

    def add_sample(self, sample: Sample) -> str:
        """Add one sample; returns its id."""
        return self.add_samples([sample])[0]

    def _append_columns(self, new_columns: dict[str, Sequence[Any]]) -> list[str]:
        """Append rows given as ``{field: values}``; returns the new ids (vectorized)."""
        ids = columns.append_columns(self, new_columns)
        self._new_layout()
        self._changed()
        return ids

    def __delitem__(self, sample_id: str) -> None:
        """``del dataset[id]``: delete one sample (O(1); rows are compacted lazily)."""
        self._check_alive()
        sample_id = getattr(sample_id, "_sample_id", sample_id)
        pos = self._pos.pop(sample_id, None)
        if pos is None:
            raise KeyError(f"no sample with id {sample_id!r} in dataset {self._name!r}")
        if self._alive is None:
            self._alive = np.ones(len(self._frame), dtype=bool)
        self._alive[pos] = False
        self._n_dead += 1
        self._changed()

    def delete_samples(self, samples_or_ids: Any) -> None:
        """Delete samples given as ids, samples, or a view, in one vectorized step."""
        from fo_lite.core.stages import _id_list

        ids = _id_list(samples_or_ids, "delete_samples")
        self._live_frame()
        unknown = [i for i in ids if i not in self._pos]
        if unknown:
            raise KeyError(
                f"delete_samples: {len(unknown)} ids are not in dataset {self._name!r} "
                f"(e.g. {unknown[0]!r}); nothing was deleted"
            )
        positions = np.fromiter((self._pos.pop(i) for i in set(ids)), dtype=np.int64)
        self._alive = np.ones(len(self._frame), dtype=bool)
        self._alive[positions] = False
        self._n_dead = len(positions)
        self._changed()
        registry.changed(self)

    def clear(self) -> None:
        """Delete all samples."""
        self.delete_samples(list(self._pos))

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def from_image_classification_samples(
        cls,
        samples: Iterable[tuple[str, Any]],
        name: str | None = None,
        label_field: str = "ground_truth",
        classes: Sequence[str] | None = None,
        overwrite: bool = False,
        persistent: bool = False,
    ) -> Dataset:
        """A dataset from ``(filepath, label)`` pairs, e.g. from ``parse_image_classification_dir_tree``.

        ``label`` is a class name, or an index into ``classes``; None leaves the sample unlabeled.
        """
        fof.check_field_name(label_field)
        pairs = list(samples)
        isabs, abspath = os.path.isabs, os.path.abspath
        filepaths = [p if not isinstance(p, str) or isabs(p) else abspath(p) for p, _ in pairs]
        labels = [_label_name(t, classes) for _, t in pairs]
        dataset = cls(name=name, overwrite=overwrite)
        try:
            dataset._schema[label_field] = fof.embedded_kind(Classification)
            if pairs:
                dataset._append_columns({"filepath": filepaths, f"{label_field}.label": labels})
            if persistent:
                dataset.persistent = True
        except Exception:
            registry.unregister(dataset)
            raise
        return dataset

    @classmethod
    def from_dir(
        cls,
        dataset_dir: str,
        dataset_type: str = "image_classification_dir_tree",
        name: str | None = None,
        label_field: str = "ground_truth",
        overwrite: bool = False,
        persistent: bool = False,
    ) -> Dataset:
        """A dataset from a folder of ``<label>/<image>`` files (one class per subfolder)."""
        from fo_lite.utils.data import parse_image_classification_dir_tree

        if dataset_type not in (
            "image_classification_dir_tree",
            "ImageClassificationDirectoryTree",
        ):
            raise ValueError(
                f"unsupported dataset_type {dataset_type!r}; fo_lite reads "
                "'image_classification_dir_tree' (<dataset_dir>/<label>/<image>)"
            )
        samples, _ = parse_image_classification_dir_tree(dataset_dir)
        return cls.from_image_classification_samples(
            samples, name=name, label_field=label_field, overwrite=overwrite, persistent=persistent
        )

    # -- printing -------------------------------------------------------------------------
    def summary(self) -> str:
        """A text summary: name, size, persistence and the field schema."""
        from fo_lite.core.summary import dataset_summary

        return dataset_summary(self)

    def __repr__(self) -> str:
        return self.summary()

    def stats(self) -> dict[str, Any]:
        """Size figures: samples and the frame's memory in bytes."""
        frame = self._live_frame()
        return {"samples": len(frame), "memory_bytes": int(frame.memory_usage(deep=True).sum())}


def _label_name(target: Any, classes: Sequence[str] | None) -> str | None:
    if target is None or isinstance(target, str):
        return target
    if isinstance(target, Classification):
        return target.label
    if (
        classes is not None
        and isinstance(target, int | np.integer)
        and not isinstance(target, bool)
    ):
        if not 0 <= target < len(classes):
            raise IndexError(f"class index {target} is outside classes (0..{len(classes) - 1})")
        return classes[int(target)]
    raise TypeError(
        f"label {target!r} must be a class name string, or an int index with classes=[...]"
    )
