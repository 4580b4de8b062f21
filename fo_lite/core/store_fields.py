"""Field-wide changes of a :class:`~fo_lite.core.store.SampleStore`: add, drop, rename, copy and
clear a field (all its columns, one bulk change each). A mixin of the store, which owns the
state these methods change.
"""

from __future__ import annotations

import numpy as np

from fo_lite.core import columns as cols
from fo_lite.core import fields as fof
from fo_lite.core.schema import Schema


class StoreFields:
    """Mixed into :class:`~fo_lite.core.store.SampleStore`."""

    def add_field(self, field: str, kind: str) -> None:
        """Declare a new field; every row holds None."""
        fof.check_field_name(field)
        if field in self.schema:
            raise ValueError(f"field {field!r} already exists")
        self.frame()
        self.schema[field] = kind
        if fof.embedded_type(kind) is None:
            self._frame[field] = np.full(len(self._frame), None, dtype=object)
        self._bulk_changed()

    def drop_field(self, field: str) -> None:
        """Remove a field and its columns."""
        if field in fof.BUILTIN_FIELDS:
            raise ValueError(f"field {field!r} cannot be deleted")
        if field not in self.schema:
            raise self.schema.unknown(field)
        self.frame()
        gone = self.columns_of(field)
        self._frame = self._frame.drop(columns=gone, errors="ignore")
        for column in gone:
            self._forget(column)
        del self.schema[field]
        self._bulk_changed()

    def rename_field(self, field: str, new: str) -> None:
        """Give a field (and its columns) a new name, keeping its place in the schema."""
        self._check_new_field(field, new, "renamed")
        self.frame()
        mapping = {c: new + c[len(field) :] for c in self.columns_of(field) if c in self._frame}
        self._frame = self._frame.rename(columns=mapping)
        for column in mapping:
            self._forget(column)
        kinds = {(new if f == field else f): k for f, k in self.schema.items()}
        self.schema = Schema(kinds, self.name)
        self._bulk_changed()

    def copy_field(self, field: str, new: str, positions: np.ndarray | None = None) -> None:
        """A new field ``new`` holding copies of ``field``'s values (at ``positions`` only, None
        elsewhere, when given)."""
        self._check_new_field(field, new, "cloned")
        frame = self.frame()
        n = len(frame)
        for column in self.columns_of(field):
            if column not in frame:
                continue
            target = new + column[len(field) :]
            kind = self.schema.kind_of_column(column)
            cells = cols.object_cells(frame[column])
            if kind in fof.MUTABLE_KINDS:
                cells = np.fromiter((fof.owned_copy(v, kind) for v in cells), object, count=n)
            if positions is not None:
                kept = np.full(n, None, dtype=object)
                kept[positions] = cells[positions]
                cells = kept
            self._frame[target] = fof.column_from_objects(cells, kind).array
        self.schema[new] = self.schema[field]
        self._bulk_changed()

    def clear_field(self, field: str, positions: np.ndarray | None = None) -> None:
        """Set ``field`` to None (at ``positions`` only, when given)."""
        if field in fof.BUILTIN_FIELDS:
            raise ValueError(f"field {field!r} cannot be cleared")
        if field not in self.schema:
            raise self.schema.unknown(field)
        frame = self.frame()
        where = np.arange(len(frame)) if positions is None else positions
        for column in self.columns_of(field):
            if column in frame:
                self._assign(column, where, [None] * len(where))
        self._bulk_changed()

    def _check_new_field(self, field: str, new: str, verb: str) -> None:
        if field in fof.BUILTIN_FIELDS:
            raise ValueError(f"field {field!r} cannot be {verb}")
        if field not in self.schema:
            raise self.schema.unknown(field)
        fof.check_field_name(new)
        if new in self.schema:
            raise ValueError(f"field {new!r} already exists")
