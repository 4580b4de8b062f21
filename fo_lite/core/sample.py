"""Sample: a handle on one row of a dataset (or a free-standing sample not yet added)."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from fo_lite.core import fields as fof
from fo_lite.core.labels import LABEL_TYPES, Classification

if TYPE_CHECKING:
    from fo_lite.core.store import SampleStore


class Sample:
    """One sample: ``sample.filepath``, ``sample["ground_truth"]``, ``sample.file_hash`` ...

    A sample read from a dataset is a handle ``(dataset, id)``; assignments, and in-place
    changes to the lists and labels it handed out, are kept on the handle until :meth:`save`
    writes them to the dataset, as in FiftyOne::

        for sample in dataset:
            sample["file_hash"] = fof.compute_filehash(sample.filepath)
            sample.tags.append("hashed")
            sample.save()

    A new sample is made with its fields and added with ``dataset.add_sample(sample)``::

        sample = fo.Sample(filepath="/data/cat/1.jpg", ground_truth=fo.Classification(label="cat"))
    """

    __slots__ = (
        "_store",
        "_dataset",
        "_sample_id",
        "_pos",
        "_layout",
        "_edits",
        "_in_view",
        "_handed_out",
        "_hidden",
        "_selected",
        "_overlay",
    )

    def __init__(self, filepath: str, tags: list[str] | None = None, **fields: Any) -> None:
        self._store: SampleStore | None = None
        self._dataset: Any = None
        self._sample_id: str | None = None
        self._pos = -1
        self._layout = -1
        self._in_view = False
        self._edits: dict[str, Any] = {}
        # field -> (list, dict or label handed out by a read, a copy of it then, dataset version)
        self._handed_out: dict[str, tuple[Any, Any, int]] | None = None
        self._hidden: frozenset[str] = frozenset()  # fields a view left out
        self._selected: frozenset[str] | None = None  # the fields a view's select_fields chose
        self._overlay: tuple[Any, frozenset[str]] | None = None  # a set_field view's values
        self["filepath"] = filepath
        self["tags"] = [] if tags is None else tags
        for name, value in fields.items():
            self[name] = value

    # -- identity -------------------------------------------------------------------------
    @property
    def id(self) -> str | None:
        """The sample's id (None until it is added to a dataset)."""
        return self._sample_id

    @property
    def dataset(self) -> Any:
        """The dataset this sample belongs to, if any."""
        return self._dataset

    @property
    def in_dataset(self) -> bool:
        """Whether the sample is in a dataset (False once deleted from it)."""
        store = self._store
        return store is not None and self._sample_id in store

    @property
    def media_type(self) -> str:
        """Always ``"image"``."""
        return "image"

    @property
    def selected_field_names(self) -> set[str] | None:
        """The fields a view's ``select_fields`` chose (None if it chose none), as FiftyOne."""
        return None if self._selected is None else set(self._selected)

    @property
    def excluded_field_names(self) -> set[str] | None:
        """The fields a view's ``exclude_fields`` left out (None if none), as FiftyOne."""
        excluded = self._hidden if self._selected is None else self._hidden & self._selected
        return set(excluded) or None

    @property
    def filename(self) -> str:
        """The base name of the sample's file (``"1.jpg"`` for ``/data/cat/1.jpg``)."""
        return os.path.basename(self["filepath"])

    def _position(self) -> int:
        store = self._store
        if store is None:
            raise RuntimeError("this sample is not in a dataset")
        if self._layout != store.layout:
            pos = store.position(self._sample_id)  # type: ignore[arg-type]
            if pos is None:
                raise KeyError(
                    f"sample {self._sample_id} was deleted from dataset {self._dataset.name!r}"
                )
            self._pos, self._layout = pos, store.layout
        return self._pos

    # -- reading --------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        edits = self._edits
        if name in edits or self._store is None:
            try:
                return self[name]
            except KeyError:
                pass
        elif name in self._store.schema and name not in self._hidden:
            return self._read_saved(name)
        raise AttributeError(self._no_field(name))

    def _no_field(self, name: str) -> str:
        hidden = " (the view excludes it)" if name in self._hidden else ""
        return f"sample has no field {name!r}{hidden}; fields: {', '.join(self.field_names)}"

    def __getitem__(self, field: str) -> Any:
        if field in self._edits:
            return self._edits[field]
        if field == "id":
            return self._sample_id
        if self._store is None or field in self._hidden:
            raise KeyError(field)
        return self._read_saved(field)

    def _read_saved(self, field: str) -> Any:
        """The dataset's value of ``field``; a list, dict or label is remembered, so that changing
        it in place (``sample.tags.append("dup")``) is seen by :meth:`save`, as in FiftyOne."""
        store = self._store
        overlay = self._overlay
        if overlay is not None and field in overlay[1]:  # a value a set_field stage gave
            return store.values_at(np.asarray([self._position()]), field, overlay[0])[0]
        handed_out = self._handed_out
        if handed_out is not None and field in handed_out:
            value, before, version = handed_out[field]
            if version == store.version or value != before:  # still current, or changed by the user
                return value
        value = store.read_field(self._position(), field)
        if type(value) in (list, dict) or isinstance(value, Classification):
            if handed_out is None:
                self._handed_out = handed_out = {}
            handed_out[field] = (value, copy.deepcopy(value), store.version)
        return value

    def iter_fields(self, include_id: bool = False) -> Iterator[tuple[str, Any]]:
        """``(name, value)`` for every field, in schema order (``id`` only if asked)."""
        for name in self.field_names:
            if include_id or name != "id":
                yield name, self[name]

    def get_field(self, field: str) -> Any:
        """The value of ``field`` (``sample[field]``); AttributeError if there is no such field,
        as in FiftyOne."""
        try:
            return self[field]
        except KeyError:
            raise AttributeError(self._no_field(field)) from None

    def has_field(self, field: str) -> bool:
        """Whether the sample has ``field`` (its dataset's schema, or its own edits)."""
        if field in self._edits or field == "id":
            return True
        return self._store is not None and field in self._store.schema and field not in self._hidden

    @property
    def field_names(self) -> tuple[str, ...]:
        """Names of this sample's fields, in schema order."""
        store = self._store
        if store is None:
            return ("id", *self._edits)
        schema = store.schema
        names = [f for f in schema if f not in self._hidden]
        names += [f for f in self._edits if f not in schema]
        return tuple(names)

    def to_dict(self) -> dict[str, Any]:
        """All fields as a JSON-able dict (labels as nested dicts with ``_cls``)."""
        out = {}
        for name in self.field_names:
            value = self[name]
            out[name] = value.to_dict() if isinstance(value, Classification) else value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Sample:
        """A new sample (in no dataset) from :meth:`to_dict` output: labels given as dicts with
        ``"_cls"`` become label objects; ids and dataset bookkeeping keys are dropped.

        >>> fo.Sample.from_dict({"filepath": "/a.jpg", "gt": {"_cls": "Classification", "label": "cat"}})  # doctest: +SKIP
        """
        fields = {k: _from_plain(v) for k, v in d.items() if k not in _NOT_FIELDS}
        if "filepath" not in fields:
            raise ValueError(f"Sample.from_dict needs a 'filepath' key; got keys {list(d)}")
        return cls(**fields)

    def copy(
        self, fields: str | Iterable[str] | Mapping[str, str] | None = None, omit_fields: Any = None
    ) -> Sample:
        """A deep copy that belongs to no dataset (no id), as in FiftyOne.

        ``fields``: only these fields (a dict renames them: ``{"old": "new"}``);
        ``omit_fields``: all but these. ``filepath`` is always kept."""
        names = [n for n in self.field_names if n != "id"]
        rename: dict[str, str] = {}
        if fields is not None:
            wanted = [fields] if isinstance(fields, str) else fields
            rename = dict(wanted) if isinstance(wanted, Mapping) else {f: f for f in wanted}
            names = [n for n in names if n in rename or n == "filepath"]
        if omit_fields is not None:
            omit = {omit_fields} if isinstance(omit_fields, str) else set(omit_fields)
            names = [n for n in names if n not in omit or n == "filepath"]
        values = {rename.get(n, n): copy.deepcopy(self[n]) for n in names}
        return Sample(**values)

    # -- writing --------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if name in Sample.__slots__:
            object.__setattr__(self, name, value)
        elif self.has_field(name):  # "id" included: refused as read-only
            self[name] = value
        elif hasattr(Sample, name):  # a property such as media_type: AttributeError
            object.__setattr__(self, name, value)
        else:  # FiftyOne's rule: new fields by item syntax only, so typos do not add fields
            raise ValueError(
                f"sample has no field {name!r}; add a new field with sample[{name!r}] = value "
                f"or sample.set_field({name!r}, value) (fields: {', '.join(self.field_names)})"
            )

    def __setitem__(self, field: str, value: Any) -> None:
        if field in _PLAIN_FIELDS and type(value) is str and not self._hidden:
            self._edits[field] = value  # the loop's hot path: a checked name, a string
            return
        if field in fof.READ_ONLY_FIELDS:
            raise ValueError(f"field {field!r} is read-only; ids are assigned by the dataset")
        if field not in _PLAIN_FIELDS and field not in fof.BUILTIN_FIELDS:
            _PLAIN_FIELDS.add(fof.check_field_name(field))
        if field in self._hidden:
            raise KeyError(f"field {field!r} is excluded from this view; it cannot be set here")
        if field == "filepath":
            if not isinstance(value, str):
                raise TypeError(f"filepath must be a string path, not {value!r}")
            if not os.path.isabs(value):  # absolute, as FiftyOne makes it
                value = os.path.abspath(os.path.expanduser(value))
        elif field == "tags" and (
            not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value)
        ):
            raise TypeError(f"tags must be a list of strings, not {value!r}")
        fof.kind_of_value(value)  # raises for values no field can hold
        # lists copied, tuples made lists, NumPy scalars made Python ones (to_dict is JSON-able)
        self._edits[field] = fof.owned_copy(value)

    def set_field(self, field: str, value: Any, create: bool = True) -> None:
        """Set ``field`` (``sample[field] = value``); call :meth:`save` after.

        ``create=False`` refuses a field the sample does not have (ValueError), as in
        FiftyOne."""
        if not create and not self.has_field(field):
            raise ValueError(
                f"sample has no field {field!r} and create=False; fields: "
                f"{', '.join(self.field_names)}"
            )
        self[field] = value

    def clear_field(self, field: str) -> None:
        """Set ``field`` to None (``tags`` to ``[]``); call :meth:`save` after."""
        if field in ("id", "filepath"):
            raise ValueError(f"field {field!r} cannot be cleared")
        if not self.has_field(field):
            raise ValueError(self._no_field(field))
        self[field] = [] if field == "tags" else None

    def save(self) -> None:
        """Write this sample's edits to its dataset (buffered; O(1) per field)."""
        store = self._store
        if store is None:
            raise ValueError("this sample is not in a dataset; use dataset.add_sample(sample)")
        if self._sample_id not in store:
            store.check_open()
            raise ValueError(
                f"cannot save sample {self._sample_id}: it was deleted from dataset "
                f"{self._dataset.name!r}"
            )
        if self._handed_out is not None:
            for field, (value, before, _) in self._handed_out.items():
                if field not in self._edits and value != before:
                    self[field] = value  # checked like an assignment
            _set_handed_out(self, None)
        if self._edits:
            store.write_sample(self._position(), self._edits)
            _set_edits(self, {})

    def reload(self) -> None:
        """Drop unsaved edits, including in-place changes to lists and labels read before."""
        self._edits = {}
        self._handed_out = None

    # -- printing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        kind = "SampleView" if self._in_view else "Sample"
        lines = [f"<{kind}: {{"]
        lines.append(f"    'id': {self._sample_id!r},")
        lines.append("    'media_type': 'image',")
        for name in self.field_names:
            if name == "id":
                continue
            lines.append(f"    {name!r}: {_format_value(self[name])},")
        lines.append("}>")
        return "\n".join(lines)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sample):
            return NotImplemented
        if self._sample_id is None or other._sample_id is None:
            return self is other
        return self._dataset is other._dataset and self._sample_id == other._sample_id

    def __hash__(self) -> int:
        return hash(self._sample_id) if self._sample_id else id(self)


_NOT_FIELDS = frozenset(
    {"id", "_id", "media_type", "_media_type", "_dataset_id", "created_at", "last_modified_at"}
)


def _from_plain(value: Any) -> Any:
    if isinstance(value, Mapping) and value.get("_cls") in LABEL_TYPES:
        label_type = LABEL_TYPES[value["_cls"]]
        return label_type(**{a: value.get(a) for a in label_type.attributes()})
    return value


def _format_value(value: Any) -> str:
    if isinstance(value, Classification):
        inner = ",\n".join(
            f"        {k!r}: {v!r}" for k, v in value.to_dict().items() if k != "_cls"
        )
        return "<Classification: {\n" + inner + ",\n    }>"
    return repr(value)


def attached(
    store: SampleStore,
    dataset: Any,
    sample_id: str,
    pos: int,
    layout: int,
    in_view: bool,
    hidden: frozenset[str] = frozenset(),
    selected: frozenset[str] | None = None,
    overlay: tuple[Any, frozenset[str]] | None = None,
) -> Sample:
    """A handle on the row ``pos`` (valid for ``layout``) of ``store``, which ``dataset`` owns;
    ``hidden`` are fields the view left out, ``selected`` those its select_fields chose,
    ``overlay`` (a frame, its fields) the values a set_field stage gave.

    The one way datasets and views make samples; it sets the slots directly because it runs
    once per sample of every loop."""
    sample = _new(Sample)
    _set_store(sample, store)
    _set_dataset(sample, dataset)
    _set_id(sample, sample_id)
    _set_pos(sample, pos)
    _set_layout(sample, layout)
    _set_edits(sample, {})
    _set_in_view(sample, in_view)
    _set_handed_out(sample, None)
    _set_hidden(sample, hidden)
    _set_selected(sample, selected)
    _set_overlay(sample, overlay)
    return sample


def attach(sample: Sample, store: SampleStore, dataset: Any, sample_id: str) -> None:
    """Make a new sample (just added to ``dataset`` as ``sample_id``) a handle on its row;
    its own fields now live in the store."""
    attached_copy = attached(store, dataset, sample_id, -1, -1, False)
    for slot in Sample.__slots__:
        object.__setattr__(sample, slot, getattr(attached_copy, slot))


_PLAIN_FIELDS: set[str] = set()  # names that passed check_field_name (built-ins aside)
_new = object.__new__
_set_store = Sample._store.__set__  # type: ignore[attr-defined]
_set_dataset = Sample._dataset.__set__  # type: ignore[attr-defined]
_set_id = Sample._sample_id.__set__  # type: ignore[attr-defined]
_set_pos = Sample._pos.__set__  # type: ignore[attr-defined]
_set_layout = Sample._layout.__set__  # type: ignore[attr-defined]
_set_edits = Sample._edits.__set__  # type: ignore[attr-defined]
_set_in_view = Sample._in_view.__set__  # type: ignore[attr-defined]
_set_handed_out = Sample._handed_out.__set__  # type: ignore[attr-defined]
_set_hidden = Sample._hidden.__set__  # type: ignore[attr-defined]
_set_selected = Sample._selected.__set__  # type: ignore[attr-defined]
_set_overlay = Sample._overlay.__set__  # type: ignore[attr-defined]
