"""Column helpers of the sample store: typed columns from Python values, and back.

Pure functions over pandas objects; :class:`~fo_lite.core.store.SampleStore` owns the frame
and calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core import fields as fof


def assigned(
    base: pd.Series | None, n: int, positions: np.ndarray, values: Iterable[Any], kind: str
) -> Any:
    """A new column array of length ``n``: ``base`` (all None if absent) with ``values``
    written at ``positions``, typed as :func:`~fo_lite.core.fields.column_from_objects` types
    a column of ``kind``."""
    if base is not None:
        cells = base.to_numpy(dtype=object, copy=True)
    else:
        cells = np.full(n, None, dtype=object)
    # fromiter keeps list values as cells instead of broadcasting them
    cells[positions] = np.fromiter(values, dtype=object, count=len(positions))
    return fof.column_from_objects(cells, kind).array


def typed(values: Iterable[Any], n: int, kind: str) -> Any:
    """A column array for ``n`` Python values of ``kind``."""
    return fof.column_from_objects(np.fromiter(values, dtype=object, count=n), kind).array


def object_cells(series: pd.Series) -> np.ndarray:
    """The column as an object array of plain Python values (None for null)."""
    cells = series.to_numpy(dtype=object)
    nulls = series.isna().to_numpy()
    if nulls.any():
        cells = cells.copy()  # may be a read-only view of the frame's data
        cells[nulls] = None
    return cells


def label_columns(
    field: str, label_type: type, values: Sequence[Any], known: Callable[[str], bool]
) -> dict[str, list[Any]]:
    """Split label objects (or None) into their columns: the presence column ``<field>._cls``
    always, an attribute column when some value sets it or ``known(column)`` says it exists."""
    name = label_type.__name__
    out: dict[str, list[Any]] = {
        f"{field}.{fof.PRESENCE}": [None if v is None else name for v in values]
    }
    for attr in label_type.attributes():
        column = f"{field}.{attr}"
        cells = [None if v is None else getattr(v, attr) for v in values]
        if known(column) or any(x is not None for x in cells):
            out[column] = cells
    return out


def presence(attribute_cells: Iterable[Sequence[Any]], name: str, n: int) -> list[Any]:
    """The presence column of a label given only as attribute columns: present where any
    attribute is set (e.g. ``ground_truth.label`` from a folder tree; None where unlabeled)."""
    present = np.zeros(n, dtype=bool)
    for cells in attribute_cells:
        present |= pd.notna(np.fromiter(cells, dtype=object, count=n))
    return [name if p else None for p in present.tolist()]


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


def null_column(n: int) -> pd.Series:
    """An all-null object column (a field no row has set yet)."""
    return pd.Series(np.full(n, None, dtype=object))


def is_all_rows(frame: pd.DataFrame, positions: np.ndarray) -> bool:
    """Whether ``positions`` are all rows of ``frame`` in order (the common first stage)."""
    n = len(frame)
    if len(positions) != n:
        return False
    return n == 0 or (
        positions[0] == 0 and positions[-1] == n - 1 and bool(np.all(np.diff(positions) == 1))
    )


def subframe(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """The rows at ``positions`` (index labels = positions); no copy when they are all rows."""
    return frame if is_all_rows(frame, positions) else frame.take(positions)


def concat_rows(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """``first``'s rows then ``second``'s, with a RangeIndex. A column only one side has is all
    None on the other, as objects (so ints stay ints, not floats with NaN)."""
    if not len(first):
        return second.reindex(columns=list(dict.fromkeys([*first.columns, *second.columns])))
    missing = {c: null_column(len(second)).array for c in first.columns if c not in second}
    extra = {c: null_column(len(first)).array for c in second.columns if c not in first}
    if missing:
        second = second.assign(**missing)
    if extra:
        first = first.assign(**extra)
    return pd.concat([first, second[list(first.columns)]], ignore_index=True)
