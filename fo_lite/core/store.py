"""SampleStore: one dataset's rows, and everything that keeps them current.

The store owns the frame (one row per sample, flat dotted columns; see docs/internals.md), the
schema (field -> kind), the id index (id -> row), the write buffer of ``sample.save()``, the
deletion mask of ``del dataset[id]``, the cached object copies of columns and the version.
Datasets, views, samples, stages and the registry use its methods, never its attributes.

Two kinds of row positions:

- ``position(id)`` is the row of an id in the frame as it is now, pending deletions included.
  It stays valid while :attr:`layout` is unchanged (samples keep it between reads).
- :meth:`frame` applies pending writes and deletions; positions taken after it
  (:meth:`all_positions`, :meth:`positions_of`, a view's rows) index that live frame.

Per-sample writes and deletions are O(1) (a dict entry, a mask bit); they are applied in one
vectorized step per column the next time anything needs the frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import columns as cols
from fo_lite.core import fields as fof
from fo_lite.core.ids import new_ids as _new_ids
from fo_lite.core.schema import Schema
from fo_lite.core.store_fields import StoreFields
from fo_lite.core.store_reads import PRESENT_SUFFIX, StoreReads

_kind_of_value = fof.kind_of_value
_embedded_type = fof.embedded_type
_EMPTY_TAGS: list[str] = []  # shared by rows without tags; cells are replaced, never mutated


class SampleStore(StoreReads, StoreFields):
    """The rows of one dataset. See the module docstring for the position rules."""

    def __init__(self, name: str = "") -> None:
        #: the fields and their kinds; read it, change it only through the store's methods
        self.schema = Schema(dataset_name=name)
        self._frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in self.schema})
        self._pos: dict[str, int] = {}  # keys in row order: appends add in order, deletes pop
        self._alive: np.ndarray | None = None
        self._n_dead = 0
        self._pending: dict[str, dict[int, Any]] = {}
        self._cache: dict[str, np.ndarray] = {}
        self._version = 0
        #: changes whenever rows move (compaction, a new frame): positions must be looked up
        #: again. A plain attribute (read it, never set it): samples read it on every access.
        self.layout = 0
        self._all = np.empty(0, dtype=np.int64)
        self._closed: str | None = None
        self._watchers: list[Callable[[], None]] = []

    # -- state ----------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Changes whenever rows or values may have changed."""
        return self._version

    @property
    def name(self) -> str:
        """The dataset's name, used in messages (the registry keeps it current)."""
        return self.schema.dataset_name

    @name.setter
    def name(self, value: str) -> None:
        self.schema.dataset_name = value

    def close(self, reason: str) -> None:
        """Free the rows; every later use raises ``ValueError(reason)``."""
        self._closed = reason
        self._frame = self._frame.iloc[:0]
        self._pos, self._pending, self._cache, self._alive, self._n_dead = {}, {}, {}, None, 0
        self._watchers = []
        self._changed()

    def check_open(self) -> None:
        """Raise ValueError if the store was closed (its dataset deleted)."""
        if self._closed is not None:
            raise ValueError(self._closed)

    def watch(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after each bulk change (set_values, appends, deletes, fields)."""
        self._watchers.append(callback)

    def unwatch(self, callback: Callable[[], None]) -> None:
        """Stop calling ``callback``."""
        self._watchers = [w for w in self._watchers if w is not callback]

    def _changed(self) -> None:
        self._version += 1

    def _bulk_changed(self) -> None:
        self._version += 1
        for callback in list(self._watchers):
            callback()

    def _new_layout(self) -> None:
        self.layout += 1
        self._cache.clear()

    def __len__(self) -> int:
        self.check_open()
        return len(self._frame) - self._n_dead

    def frame(self) -> pd.DataFrame:
        """The live frame: buffered writes applied, deleted rows dropped (O(1) if none).

        Never change it in place."""
        self.check_open()
        if self._pending:
            self._flush()
        if self._n_dead:
            self._compact()
        return self._frame

    def all_positions(self) -> np.ndarray:
        """``0..len-1`` over the live frame (one cached array)."""
        frame = self.frame()
        if len(self._all) != len(frame):
            self._all = np.arange(len(frame), dtype=np.int64)
        return self._all

    def _flush(self) -> None:
        for column, updates in self._pending.items():
            positions = np.fromiter(updates.keys(), dtype=np.int64, count=len(updates))
            self._assign(column, positions, updates.values())
        self._pending = {}

    def _compact(self) -> None:
        self._frame = self._frame[self._alive].reset_index(drop=True)
        self._alive, self._n_dead = None, 0
        for new_pos, sample_id in enumerate(self._pos):  # renumbered in place, in row order
            self._pos[sample_id] = new_pos
        self._new_layout()

    def _assign(self, column: str, positions: np.ndarray, values: Iterable[Any]) -> None:
        frame = self._frame
        base = frame[column] if column in frame.columns else None
        kind = self.schema.kind_of_column(column)
        frame[column] = cols.assigned(base, len(frame), positions, values, kind)
        self._forget(column)

    def _forget(self, column: str) -> None:
        self._cache.pop(column, None)
        self._cache.pop(column + PRESENT_SUFFIX, None)

    # -- ids ------------------------------------------------------------------------------
    def position(self, sample_id: str) -> int | None:
        """The row of ``sample_id`` now (see the module docstring), None if absent."""
        return self._pos.get(sample_id)

    def __contains__(self, sample_id: object) -> bool:
        return sample_id in self._pos

    def id_index(self) -> Mapping[str, int]:
        """id -> row, live (it follows later changes); read it, never change it. For loops
        that test many ids (``id in index``) without a method call per id."""
        return self._pos

    def ids(self) -> list[str]:
        """Every id, in row order."""
        self.check_open()
        return list(self._pos)

    def positions_of(self, ids: Iterable[str]) -> np.ndarray:
        """Rows of the live frame holding ``ids``, -1 where an id is absent."""
        self.frame()
        lookup = self._pos
        return np.fromiter((lookup.get(i, -1) for i in ids), dtype=np.int64)

    # -- schema ---------------------------------------------------------------------------
    def has_column(self, column: str) -> bool:
        """Whether the column exists in the frame or in the write buffer."""
        return column in self._frame.columns or column in self._pending

    def columns_of(self, field: str) -> list[str]:
        """The columns storing ``field``: an embedded label's presence and attribute columns
        that exist, or the one column of a plain field or label attribute."""
        if self.schema.label_type(field) is None:
            return [self.schema.value_column(field)]
        prefix = field + "."
        known = [*self._frame.columns, *(c for c in self._pending if c not in self._frame)]
        return [c for c in known if c.startswith(prefix)]

    # -- writes ---------------------------------------------------------------------------
    def write_sample(self, pos: int, edits: Mapping[str, Any]) -> None:
        """Buffer one sample's edits at row ``pos`` (O(1) per field); checks kinds first."""
        # the hot path of every sample.save() in a loop: no more than dict work per field
        if self._closed is not None:
            raise ValueError(self._closed)
        schema = self.schema
        new_kinds: dict[str, str] | None = None
        for field, value in edits.items():
            kind = _kind_of_value(value)
            if kind != schema.get(field):  # raises for a misfit before anything is written
                if new_kinds is None:
                    new_kinds = {}
                new_kinds[field] = schema.merged(field, kind)
        if new_kinds:
            schema.update(new_kinds)
        pending = self._pending
        for field, value in edits.items():
            kind = schema[field]
            label_type = _embedded_type(kind)
            if label_type is None:
                if type(value) is list or type(value) is dict:  # the store keeps its own copy
                    value = fof.owned_copy(value, kind)
                cells = pending.get(field)
                if cells is None:
                    cells = pending[field] = {}
                cells[pos] = value
                continue
            present = None if value is None else type(value).__name__
            pending.setdefault(f"{field}.{fof.PRESENCE}", {})[pos] = present
            for attr in label_type.attributes():
                attr_value = None if value is None else getattr(value, attr)
                column = f"{field}.{attr}"
                if attr_value is not None or self.has_column(column):
                    pending.setdefault(column, {})[pos] = attr_value
        self._version += 1

    def set_values_at(self, positions: np.ndarray, field: str, values: Sequence[Any]) -> None:
        """Set ``field`` at live ``positions``, one vectorized write per column."""
        if field in fof.READ_ONLY_FIELDS:
            raise ValueError(f"field {field!r} is read-only; ids are assigned by the dataset")
        self.frame()
        top, _, attr = field.partition(".")
        if attr:  # e.g. "ground_truth.label": one attribute column of an embedded field
            label_type = self.schema.label_type(top)
            if label_type is None or attr not in label_type.attributes():
                raise self.schema.unknown(field)
            values = list(values)
            fof.kind_of_values(values, field, fof.attribute_kind(attr))  # raises for a misfit
            present = self.series(f"{top}.{fof.PRESENCE}", positions).to_numpy(dtype=object)
            setting = pd.notna(np.asarray(values, dtype=object))
            present[setting] = label_type.__name__  # setting an attribute makes the label
            columns = {field: values, f"{top}.{fof.PRESENCE}": present}
        else:
            fof.check_field_name(field)
            values = values if isinstance(values, pd.Series) else list(values)
            kind = fof.kind_of_values(values, field, self.schema.get(field, fof.ANY))
            if field in fof.BUILTIN_FIELDS:
                cols.check_builtin_values(field, values)
            self.schema[field] = self.schema.merged(field, kind)
            if kind in fof.MUTABLE_KINDS:  # the caller keeps its lists; the store keeps copies
                values = [fof.owned_copy(v, kind) for v in values]
            label_type = fof.embedded_type(kind)
            if label_type is None:
                columns = {field: values}
            else:
                columns = cols.label_columns(field, label_type, values, self.has_column)
        for column, column_values in columns.items():
            self._assign(column, positions, column_values)
        self._bulk_changed()

    def append(self, new_columns: Mapping[str, Sequence[Any]]) -> list[str]:
        """Append rows given as ``{field: values}`` (label objects, or attribute columns such
        as ``ground_truth.label`` of a declared label field); returns their new ids."""
        frame = self.frame()
        if "filepath" not in new_columns:
            raise ValueError("every sample needs a filepath")
        n = len(new_columns["filepath"])
        new: dict[str, Any] = {"id": _new_ids(n)}
        kinds: dict[str, str] = {}  # recorded only once every field fits: a misfit adds nothing
        for field, values in new_columns.items():
            if field in fof.READ_ONLY_FIELDS:
                raise ValueError(f"field {field!r} is read-only; ids are assigned by the dataset")
            if "." in field:
                self.schema.value_column(field)  # a declared label's attribute, or ValueError
                new[field] = values
                continue
            if field in fof.BUILTIN_FIELDS:
                cols.check_builtin_values(field, values)
            kind = fof.kind_of_values(values, field, self.schema.get(field, fof.ANY))
            label_type = fof.embedded_type(kind)
            if label_type is None:
                new[field] = values
            else:
                new.update(cols.label_columns(field, label_type, values, self.has_column))
            kinds[field] = kind  # already merged with the field's current kind
        self._add_presence(new, n)
        if "tags" not in new:
            new["tags"] = [_EMPTY_TAGS] * n
        added = pd.DataFrame(
            {c: cols.typed(v, n, self.schema.kind_of_column(c, kinds)) for c, v in new.items()}
        )
        self.schema.update(kinds)
        return self._append_rows(frame, added)

    def append_frame(
        self, frame: pd.DataFrame, schema: Mapping[str, str], new_ids: bool = False
    ) -> list[str]:
        """Append the rows of another store's frame (a copy) with that store's ``schema``;
        keeps their ids unless ``new_ids``. Returns the ids."""
        live = self.frame()
        kinds = {}
        for field, kind in schema.items():  # merged first: a misfit adds nothing
            kinds[field] = self.schema.merged(field, kind)
        if new_ids:
            frame = frame.assign(id=_new_ids(len(frame)))
        else:
            taken = [i for i in frame["id"].tolist() if i in self._pos]
            if taken:
                raise ValueError(
                    f"{len(taken)} of the samples are in this dataset already (e.g. id "
                    f"{taken[0]!r}); pass new_ids=True to add copies with new ids"
                )
        self.schema.update(kinds)
        return self._append_rows(live, frame)

    def _append_rows(self, live: pd.DataFrame, added: pd.DataFrame) -> list[str]:
        start = len(live)
        self._frame = cols.concat_rows(live, added)
        self._cache.clear()
        ids = added["id"].tolist()
        self._pos.update(zip(ids, range(start, start + len(ids)), strict=True))
        self._bulk_changed()
        return ids

    def _add_presence(self, new: dict[str, Any], n: int) -> None:
        """Presence columns for labels given only as attribute columns."""
        for field in {c.partition(".")[0] for c in new if "." in c}:
            if f"{field}.{fof.PRESENCE}" not in new:
                name = self.schema.label_type(field).__name__  # type: ignore[union-attr]
                attrs = [v for c, v in new.items() if c.startswith(field + ".")]
                new[f"{field}.{fof.PRESENCE}"] = cols.presence(attrs, name, n)

    def delete(self, sample_id: str) -> None:
        """Delete one row (O(1): a mask bit; rows are compacted by the next :meth:`frame`)."""
        self.check_open()
        pos = self._pos.pop(sample_id, None)
        if pos is None:
            raise KeyError(sample_id)
        if self._alive is None:
            self._alive = np.ones(len(self._frame), dtype=bool)
        self._alive[pos] = False
        self._n_dead += 1
        self._changed()

    def delete_many(self, ids: Sequence[str]) -> None:
        """Delete rows by id in one step; raises KeyError, deleting nothing, for unknown ids."""
        self.frame()
        unknown = [i for i in ids if i not in self._pos]
        if unknown:
            raise KeyError(unknown)
        positions = np.fromiter((self._pos.pop(i) for i in set(ids)), dtype=np.int64)
        self._alive = np.ones(len(self._frame), dtype=bool)
        self._alive[positions] = False
        self._n_dead = len(positions)
        self._bulk_changed()

    def adopt(self, frame: pd.DataFrame, schema: Mapping[str, str]) -> None:
        """Hold ``frame`` (a RangeIndex, an ``id`` column) and ``schema`` instead of the current
        rows, dropping unsaved writes. Labels saved without presence columns get them."""
        self.check_open()
        self._frame = frame
        self.schema = Schema(schema, self.name)
        self._pos = dict(zip(frame["id"].tolist(), range(len(frame)), strict=True))
        self._pending = {}
        self._alive, self._n_dead = None, 0
        for field, kind in self.schema.items():
            label_type = fof.embedded_type(kind)
            presence = f"{field}.{fof.PRESENCE}"
            if label_type is not None and presence not in frame.columns:
                attrs = [frame[c] for c in frame.columns if c.startswith(field + ".")]
                cells = cols.presence(attrs, label_type.__name__, len(frame))
                frame[presence] = cols.typed(cells, len(frame), fof.PRESENCE_KIND)
        self._new_layout()
        self._changed()
