"""How a :class:`~fo_lite.core.store.SampleStore` is read: cells for sample handles (buffered
writes first), values for collections, frames for pipelines and copies. A mixin of the store,
which owns the state these methods read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import columns as cols
from fo_lite.core import fields as fof

#: column-cache key suffix of a presence column kept as booleans
PRESENT_SUFFIX = "?present"


class StoreReads:
    """Mixed into :class:`~fo_lite.core.store.SampleStore`."""

    def read_field(self, pos: int, field: str) -> Any:
        """The value of ``field`` at row ``pos`` (a label object for an embedded field)."""
        if self._closed is not None:
            raise ValueError(self._closed)
        kind = self.schema.get(field)
        if kind is None:
            raise KeyError(field)
        label_type = fof.embedded_type(kind)
        if label_type is None:
            return self.read_cell(pos, field)
        if not self._is_present(pos, f"{field}.{fof.PRESENCE}"):
            return None
        return label_type(
            **{a: self.read_cell(pos, f"{field}.{a}") for a in label_type.attributes()}
        )

    def read_cell(self, pos: int, column: str) -> Any:
        """One cell, buffered writes included; lists and dicts are copies."""
        # hot path of every `sample.field` read in a loop: dict lookups only
        pending = self._pending.get(column) if self._pending else None
        if pending is not None and pos in pending:
            value = pending[pos]
        else:
            cells = self._cache.get(column)
            if cells is None:
                if column not in self._frame.columns:
                    return None
                cells = self.column_cells(column)
            value = cells[pos]
        if type(value) is list or type(value) is dict:  # a copy: the caller may change it
            return fof.owned_copy(value, self.schema.get(column))
        return value

    def _is_present(self, pos: int, column: str) -> bool:
        # a label's presence, without making one Python string per row of the column
        pending = self._pending.get(column) if self._pending else None
        if pending is not None and pos in pending:
            return pending[pos] is not None
        present = self._cache.get(column + PRESENT_SUFFIX)
        if present is None:
            if column not in self._frame.columns:
                return False
            present = self._cache[column + PRESENT_SUFFIX] = self._frame[column].notna().to_numpy()
        return bool(present[pos])

    def column_cells(self, column: str) -> np.ndarray:
        """The column of the frame as it is now, as a cached object array (None for null)."""
        cells = self._cache.get(column)
        if cells is None:
            cells = self._cache[column] = cols.object_cells(self._frame[column])
        return cells

    def series(self, column: str, positions: np.ndarray | None = None) -> pd.Series:
        """A column of the live frame (all null if no row has set it), at ``positions``."""
        frame = self.frame()
        series = frame[column] if column in frame.columns else cols.null_column(len(frame))
        return series if positions is None else series.take(positions)

    def values_at(
        self, positions: np.ndarray, field: str, frame: pd.DataFrame | None = None
    ) -> list[Any]:
        """Values of ``field`` at live ``positions`` (label objects for an embedded field),
        read from ``frame`` when given (else from the store)."""
        live = self.frame()
        source = live if frame is None else frame
        kind = self.schema.get(field)
        label_type = fof.embedded_type(kind) if kind else None
        if label_type is None:
            return self._cells(source, self.schema.value_column(field), positions)
        presence = f"{field}.{fof.PRESENCE}"
        if presence in source.columns:
            present = source[presence].take(positions).notna().tolist()
        else:
            present = [False] * len(positions)
        names = label_type.attributes()
        attrs = [self._cells(source, f"{field}.{a}", positions) for a in names]
        return [
            label_type(**dict(zip(names, row, strict=True))) if p else None
            for p, *row in zip(present, *attrs, strict=True)
        ]

    def _cells(self, source: pd.DataFrame, column: str, positions: np.ndarray) -> list[Any]:
        # the per-sample read cache when a loop already built it; otherwise only the rows asked
        # for, uncached (a small view of a big dataset stays cheap)
        if source is self._frame:
            cached = self._cache.get(column)
            if cached is not None:
                return cached[positions].tolist()
        if column not in source.columns:
            return [None] * len(positions)
        series = source[column]
        if positions is not self._all:  # the whole dataset in order needs no take
            series = series.take(positions)
        return cols.object_cells(series).tolist()

    def rows_frame(self, positions: np.ndarray, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        """The rows at ``positions`` with a fresh RangeIndex (shares cells with the store)."""
        source = self.frame() if frame is None else frame
        return cols.subframe(source, positions).reset_index(drop=True)

    def detached(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` (rows of this store) sharing no list or dict with it."""
        copied = frame.copy()
        for column in copied.columns:
            kind = self.schema.kind_of_column(column)
            if kind in fof.MUTABLE_KINDS:
                cells = [fof.owned_copy(v, kind) for v in copied[column]]
                copied[column] = pd.Series(cells, index=copied.index, dtype=object)
        return copied
