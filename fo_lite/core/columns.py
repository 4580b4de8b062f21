"""Vectorized column reads and writes of a Dataset's frame: values, set_values, appends.

Every write of cells goes through :func:`assign_cells`, whether it comes from the
per-sample write buffer or from ``set_values``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fo_lite.core import fields as fof
from fo_lite.core.ids import new_ids

if TYPE_CHECKING:
    from fo_lite.core.dataset import Dataset

_EMPTY_TAGS: list[str] = []  # shared by rows without tags; cells are replaced, never mutated


def assign_cells(ds: Dataset, column: str, positions: np.ndarray, values: Iterable[Any]) -> None:
    """Write ``values`` into ``column`` at ``positions`` (creating the column, all None, if new)."""
    frame = ds._frame
    if column in frame.columns:
        base = frame[column].to_numpy(dtype=object, copy=True)
    else:
        base = np.full(len(frame), None, dtype=object)
    # fromiter keeps list values as cells instead of broadcasting them
    base[positions] = np.fromiter(values, dtype=object, count=len(positions))
    frame[column] = fof.column_from_objects(base, ds._kind_of_column(column)).array
    ds._column_cache.pop(column, None)


def _label_columns(
    ds: Dataset, field: str, label_type: type, values: Sequence[Any]
) -> dict[str, list[Any]]:
    """Split label objects into their attribute columns (only those set, or already present)."""
    out = {}
    for attr in label_type.attributes():
        column = f"{field}.{attr}"
        cells = [None if v is None else getattr(v, attr) for v in values]
        if column in ds._frame.columns or any(x is not None for x in cells):
            out[column] = cells
    return out


def check_builtin_values(field: str, values: Sequence[Any]) -> None:
    """Raise TypeError unless ``filepath`` values are strings and ``tags`` lists of strings."""
    if field == "filepath":
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            raise TypeError(f"filepath must be a string path, not {bad[0]!r}")
    elif field == "tags":
        bad = [
            v for v in values if not isinstance(v, list) or not all(isinstance(t, str) for t in v)
        ]
        if bad:
            raise TypeError(f"tags must be lists of strings, not {bad[0]!r}")


def _cells(ds: Dataset, column: str, positions: np.ndarray) -> list[Any]:
    """Plain Python values of ``column`` at ``positions`` (None for null).

    Uses the per-sample read cache when a loop already built it; otherwise converts only the
    rows asked for, without caching (a small view of a big dataset stays cheap).
    """
    cached = ds._column_cache.get(column)
    if cached is not None:
        return cached[positions].tolist()
    series = ds._frame[column]
    if positions is not ds._all_positions:  # the whole dataset in order needs no take
        series = series.take(positions)
    values = series.to_numpy(dtype=object)
    nulls = series.isna().to_numpy()
    if nulls.any():
        values = values.copy()  # may be a read-only view of the frame's data
        values[nulls] = None
    return values.tolist()


def values_at(ds: Dataset, positions: np.ndarray, field: str) -> list[Any]:
    """The values of ``field`` at ``positions`` (label objects for an embedded field)."""
    ds._live_frame()
    kind = ds._schema.get(field)
    label_type = fof.embedded_type(kind) if kind else None
    if label_type is None:
        return _cells(ds, ds._value_column(field), positions)
    attrs = {
        attr: _cells(ds, f"{field}.{attr}", positions)
        for attr in label_type.attributes()
        if f"{field}.{attr}" in ds._frame.columns
    }
    if not attrs:
        return [None] * len(positions)
    names = list(attrs)
    return [
        None if all(v is None for v in row) else label_type(**dict(zip(names, row, strict=True)))
        for row in zip(*attrs.values(), strict=True)
    ]


def set_values_at(ds: Dataset, positions: np.ndarray, field: str, values: Sequence[Any]) -> None:
    """Set ``field`` at ``positions`` to ``values``, one vectorized write per column."""
    if field in fof.READ_ONLY_FIELDS:
        raise ValueError(f"field {field!r} is read-only; ids are assigned by the dataset")
    ds._live_frame()
    top, _, attr = field.partition(".")
    if attr:  # e.g. "ground_truth.label": one column of an embedded field
        label_type = fof.embedded_type(ds._schema.get(top, ""))
        if label_type is None or attr not in label_type.attributes():
            raise ValueError(ds._unknown_field_message(field))
        columns = {field: values}
    else:
        fof.check_field_name(field)
        values = values if isinstance(values, pd.Series) else list(values)
        kind = fof.kind_of_values(values, field, ds._schema.get(field, fof.ANY))
        if field in ("filepath", "tags"):
            check_builtin_values(field, values)
        ds._register_kind(field, kind)
        if kind in fof.MUTABLE_KINDS:  # the caller keeps its lists; the dataset keeps copies
            values = [fof.owned_copy(v, kind) for v in values]
        label_type = fof.embedded_type(kind)
        columns = (
            {field: values} if label_type is None else _label_columns(ds, field, label_type, values)
        )
    for column, column_values in columns.items():
        assign_cells(ds, column, positions, column_values)


def append_columns(ds: Dataset, columns: dict[str, Sequence[Any]]) -> list[str]:
    """Append rows given as ``{field or attribute column: values}``; returns their new ids."""
    frame = ds._live_frame()
    if "filepath" not in columns:
        raise ValueError("every sample needs a filepath")
    n = len(columns["filepath"])
    new: dict[str, Any] = {"id": new_ids(n)}
    kinds: dict[str, str] = {}  # registered only once every field fits: a misfit adds nothing
    for field, values in columns.items():
        if field in fof.READ_ONLY_FIELDS:
            raise ValueError(f"field {field!r} is read-only; ids are assigned by the dataset")
        if "." in field:  # one attribute column of an embedded field already in the schema
            new[field] = values
            continue
        if field in ("filepath", "tags"):
            check_builtin_values(field, values)
        kind = fof.kind_of_values(values, field, ds._schema.get(field, fof.ANY))
        label_type = fof.embedded_type(kind)
        if label_type is None:
            new[field] = values
        else:
            new.update(_label_columns(ds, field, label_type, values))
        kinds[field] = kind  # already merged with the field's current kind
    ds._schema.update(kinds)
    if "tags" not in new:
        new["tags"] = [_EMPTY_TAGS] * n
    added = pd.DataFrame(
        {
            column: fof.column_from_objects(
                np.fromiter(values, dtype=object, count=n), ds._kind_of_column(column)
            ).array
            for column, values in new.items()
        }
    )
    start = len(frame)
    if start:
        ds._frame = pd.concat([frame, added], ignore_index=True)
    else:
        ds._frame = added.reindex(columns=list(dict.fromkeys([*frame.columns, *added.columns])))
    ids = new["id"].tolist()
    ds._pos.update(zip(ids, range(start, start + n), strict=True))
    return ids
