"""Dataset: a named collection of samples, and the functions that find datasets by name.

A Dataset is the user's handle on a registry record (name, tags, persistence; see
:mod:`fo_lite.core.registry`) and its :class:`~fo_lite.core.store.SampleStore` (the rows).
Writes from ``sample.save()`` are buffered and deletions masked by the store, so the
walkthrough's per-sample loops are O(1) per call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from fo_lite.core import fields as fof
from fo_lite.core import registry
from fo_lite.core.collection import SampleCollection
from fo_lite.core.labels import Classification
from fo_lite.core.registry import DatasetNotFoundError, Record, dataset_exists, list_datasets
from fo_lite.core.sample import Sample, attach
from fo_lite.core.stages import Rows, ViewStage, id_list
from fo_lite.core.summary import dataset_summary
from fo_lite.core.view import DatasetView

__all__ = [
    "Dataset",
    "DatasetNotFoundError",
    "dataset_exists",
    "delete_dataset",
    "list_datasets",
    "load_dataset",
]


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
        record = registry.create(name, overwrite, owner=self)
        self._record = record
        self._store = record.store
        self._dataset = self
        if persistent:
            try:
                self.persistent = True
            except BaseException:
                registry.forget(record)
                raise

    @classmethod
    def _of_record(cls, record: Record) -> Dataset:
        dataset = cls.__new__(cls)
        dataset._record, dataset._store, dataset._dataset = record, record.store, dataset
        return dataset

    # -- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The dataset's name (unique among loaded and saved datasets).

        Assigning renames it; a persistent dataset's folder moves with it, atomically."""
        return self._record.name

    @name.setter
    def name(self, value: str) -> None:
        registry.rename(self._record, value)

    @property
    def persistent(self) -> bool:
        """Whether the dataset is kept on disk (see ``fo.config.database_dir``)."""
        return self._record.persistent

    @persistent.setter
    def persistent(self, value: bool) -> None:
        registry.set_persistent(self._record, bool(value))

    @property
    def tags(self) -> list[str]:
        """The dataset's own tags (a list you may change in place)."""
        return self._record.tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        self._record.check_alive()
        self._record.tags = list(value)

    @property
    def created_at(self) -> datetime:
        """When the dataset was made."""
        return self._record.created_at

    @property
    def deleted(self) -> bool:
        """Whether :meth:`delete` was called."""
        return self._record.deleted

    def save(self) -> None:
        """Write a persistent dataset to disk now (a no-op for non-persistent datasets)."""
        registry.save(self._record)

    def reload(self) -> None:
        """Reload a persistent dataset from disk, dropping unsaved changes."""
        registry.reload(self._record)

    def delete(self) -> None:
        """Delete the dataset (and its saved copy); the object can no longer be used."""
        registry.delete(self._record)

    def view(self) -> DatasetView:
        """A view of all samples."""
        self._store.check_open()
        return DatasetView(self)

    def _add_stage(self, stage: ViewStage) -> DatasetView:
        self._store.check_open()
        return DatasetView(self, (stage,))

    def _rows(self) -> Rows:
        store = self._store
        return Rows(store, store.all_positions())

    def __len__(self) -> int:
        return len(self._store)

    def _live_frame(self) -> Any:
        # kept for fo_lite.session until it reads through the public rows() seam (issue 10)
        return self._store.frame()

    # -- fields ---------------------------------------------------------------------------
    def add_sample_field(self, field: str, kind: str = fof.ANY) -> None:
        """Declare a new field (every sample gets None)."""
        self._store.add_field(field, kind)

    def delete_sample_field(self, field: str) -> None:
        """Remove a field from every sample."""
        self._store.drop_field(field)

    # -- adding and deleting --------------------------------------------------------------
    def add_samples(self, samples: Iterable[Sample]) -> list[str]:
        """Add samples (made with ``fo.Sample(...)``); returns their new ids."""
        samples = list(samples)
        for s in samples:
            if not isinstance(s, Sample):
                raise TypeError(f"add_samples takes fo.Sample objects, not {type(s).__name__}")
            if s.dataset is not None:
                raise ValueError(f"sample {s.id} already belongs to dataset {s.dataset.name!r}")
        rows = [dict(s.iter_fields()) for s in samples]
        fields = list(dict.fromkeys(f for row in rows for f in row))
        columns = {f: [fof.owned_copy(row.get(f)) for row in rows] for f in fields}
        ids = self._store.append(columns)
        for s, sample_id in zip(samples, ids, strict=True):
            attach(s, self._store, self, sample_id)
        return ids

    def add_sample(self, sample: Sample) -> str:
        """Add one sample; returns its id."""
        return self.add_samples([sample])[0]

    def add_collection(self, collection: SampleCollection, new_ids: bool = False) -> list[str]:
        """Add copies of the samples of another dataset or view, with every field of its
        dataset; returns their ids (the same ids unless ``new_ids=True``)."""
        rows = collection._rows()
        frame = rows.store.detached(rows.store.rows_frame(rows.positions, rows.frame))
        return self._store.append_frame(frame, rows.store.schema, new_ids)

    def __delitem__(self, sample_id: str) -> None:
        """``del dataset[id]``: delete one sample (O(1); rows are compacted lazily)."""
        sample_id = sample_id.id if isinstance(sample_id, Sample) else sample_id
        try:
            self._store.delete(sample_id)
        except KeyError:
            raise KeyError(f"no sample with id {sample_id!r} in dataset {self.name!r}") from None

    def delete_samples(self, samples_or_ids: Any) -> None:
        """Delete samples given as ids, samples, or a view, in one vectorized step."""
        if isinstance(samples_or_ids, SampleCollection):
            ids = samples_or_ids.values("id")
        else:
            ids = id_list(samples_or_ids, "delete_samples")
        try:
            self._store.delete_many(ids)
        except KeyError as e:
            unknown = e.args[0]
            raise KeyError(
                f"delete_samples: {len(unknown)} ids are not in dataset {self.name!r} "
                f"(e.g. {unknown[0]!r}); nothing was deleted"
            ) from None

    def clear(self) -> None:
        """Delete all samples."""
        self._store.delete_many(self._store.ids())

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
            dataset._store.add_field(label_field, fof.embedded_kind(Classification))
            if pairs:
                dataset._store.append({"filepath": filepaths, f"{label_field}.label": labels})
            if persistent:
                dataset.persistent = True
        except Exception:
            dataset.delete()
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
        return dataset_summary(
            self.name, len(self), self.persistent, self.tags, self.get_field_schema()
        )

    def __repr__(self) -> str:
        return self.summary()

    def stats(self) -> dict[str, Any]:
        """Size figures: samples and the frame's memory in bytes."""
        frame = self._store.frame()
        return {"samples": len(frame), "memory_bytes": int(frame.memory_usage(deep=True).sum())}


def load_dataset(name: str) -> Dataset:
    """The dataset called ``name``: the loaded one, or the saved one read from disk.

    Raises :class:`DatasetNotFoundError` (a ValueError) for an unknown name,
    :class:`~fo_lite.core.locking.DatasetLockedError` if another process has it open, and
    :class:`~fo_lite.core.storage.StorageError` for a damaged file or one from a newer fo_lite
    (the file is left untouched).

    >>> dataset = fo.load_dataset("cifar100_with_duplicates")  # doctest: +SKIP
    """
    record = registry.loaded(name)
    if record is not None:
        return record.owner
    if not registry.is_saved(name):
        raise registry.not_found(name)
    return registry.load_saved(name, Dataset._of_record).owner


def delete_dataset(name: str) -> None:
    """Delete the dataset called ``name``, in memory and on disk."""
    registry.delete_dataset(name)


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
