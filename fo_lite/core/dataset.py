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
        # the store's frame, for benchmarks/rows_1m.py's bytes-per-row figure (not an API)
        return self._store.frame()

    # -- fields ---------------------------------------------------------------------------
    def add_sample_field(
        self,
        field_name: str,
        ftype: Any = fof.Field,
        embedded_doc_type: type | None = None,
        subfield: Any = None,
    ) -> None:
        """Declare a new field; every sample holds None.

        >>> dataset.add_sample_field("file_hash", fo.StringField)  # doctest: +SKIP
        >>> dataset.add_sample_field("pred", fo.EmbeddedDocumentField,
        ...                          embedded_doc_type=fo.Classification)  # doctest: +SKIP
        """
        self._store.add_field(field_name, fof.kind_of_field(ftype, embedded_doc_type, subfield))

    def rename_sample_field(self, field_name: str, new_field_name: str) -> None:
        """Rename a field of every sample."""
        self._store.rename_field(field_name, new_field_name)

    def delete_sample_field(self, field_name: str) -> None:
        """Remove a field from every sample."""
        self._store.drop_field(field_name)

    def delete_sample_fields(self, field_names: str | Iterable[str]) -> None:
        """Remove several fields."""
        for field in [field_names] if isinstance(field_names, str) else list(field_names):
            self._store.drop_field(field)

    # -- adding and deleting --------------------------------------------------------------
    def add_samples(self, samples: Iterable[Sample], expand_schema: bool = True) -> list[str]:
        """Add samples; returns their new ids.

        A new sample (``fo.Sample(...)``) becomes a handle on its row; a sample of a dataset
        (this one or another), or a whole dataset or view, is added as a copy and left as it
        is, as in FiftyOne. ``expand_schema=False`` refuses samples with fields the dataset
        does not have (ValueError, nothing added)."""
        if isinstance(samples, SampleCollection):
            if not expand_schema:
                self._check_no_new_fields(samples.get_field_schema())
            return self.add_collection(samples, new_ids=True)
        samples = list(samples)
        for s in samples:
            if not isinstance(s, Sample):
                raise TypeError(f"add_samples takes fo.Sample objects, not {type(s).__name__}")
        rows = [dict(s.iter_fields()) for s in samples]
        fields = list(dict.fromkeys(f for row in rows for f in row))
        if not expand_schema:
            self._check_no_new_fields(fields)
        columns = {f: [fof.owned_copy(row.get(f)) for row in rows] for f in fields}
        ids = self._store.append(columns)
        for s, sample_id in zip(samples, ids, strict=True):
            if s.dataset is None:
                attach(s, self._store, self, sample_id)
        return ids

    def add_sample(self, sample: Sample, expand_schema: bool = True) -> str:
        """Add one sample; returns its id (see :meth:`add_samples`)."""
        return self.add_samples([sample], expand_schema=expand_schema)[0]

    def _check_no_new_fields(self, fields: Iterable[str]) -> None:
        new = [f for f in fields if f not in self._store.schema]
        if new:
            raise ValueError(
                f"fields {new} are not in dataset {self.name!r} and expand_schema=False; add "
                "them with add_sample_field first, or pass expand_schema=True"
            )

    def add_collection(self, collection: SampleCollection, new_ids: bool = False) -> list[str]:
        """Add copies of the samples of another dataset or view, with every field of its
        dataset; returns their ids (the same ids unless ``new_ids=True``)."""
        kinds = {name: field.kind for name, field in collection.get_field_schema().items()}
        frame = collection.to_pandas()  # a copy of the fields the collection shows
        return self._store.append_frame(frame, kinds, new_ids)

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
        dataset_type: Any = None,
        name: str | None = None,
        label_field: str | None = None,
        tags: str | Sequence[str] | None = None,
        overwrite: bool = False,
        persistent: bool = False,
    ) -> Dataset:
        """A dataset from a folder of ``<label>/<image>`` files (one class per subfolder;
        ``_unlabeled/`` for images without a label), FiftyOne's
        ``fo.types.ImageClassificationDirectoryTree`` (the default). ``label_field`` defaults
        to ``"ground_truth"``; ``tags`` are given to every sample.

        >>> fo.Dataset.from_dir("/data/pets", fo.types.ImageClassificationDirectoryTree)  # doctest: +SKIP
        """
        from fo_lite.types import resolve
        from fo_lite.utils.data import parse_image_classification_dir_tree

        resolve(dataset_type or "image_classification_dir_tree", "reads")
        samples, _ = parse_image_classification_dir_tree(dataset_dir)
        dataset = cls.from_image_classification_samples(
            samples,
            name=name,
            label_field=label_field or "ground_truth",
            overwrite=overwrite,
            persistent=persistent,
        )
        if tags:
            dataset.tag_samples(tags)
        return dataset

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


def load_dataset(name: str, create_if_necessary: bool = False) -> Dataset:
    """The dataset called ``name``: the loaded one, or the saved one read from disk (or a new
    empty one with ``create_if_necessary=True``).

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
        if create_if_necessary:
            return Dataset(name)
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
