"""Exact, pickle-free conversion between a dataset frame and an Arrow table.

Every column is stored in the most specific Arrow type that gives its values back exactly,
and its *kind* is recorded so loading rebuilds the same pandas dtype and Python values:

=========  ===============================================  ==================================
kind       column                                           stored as
=========  ===============================================  ==================================
native     any non-object dtype (int64, float64, bool,      Arrow's own type; pandas extension
           pandas ``str``/``string``, ``Int64``, dates...)  dtypes come back via ``__from_arrow__``
null       object, every value null                         Arrow null
string     object, str values (and nulls)                   string
bool       object, bool values (and nulls)                  bool
int        object, int values (and nulls)                   int64
float      object, float values (and nulls)                 float64
list       object, lists of str / int / bool / float        list<...>
json       anything else (mixed types, dicts, nested        one JSON text per row (nulls stay
           lists, lists mixing ints and floats, ...)        Arrow nulls)
=========  ===============================================  ==================================

In object columns a null (``None`` or ``NaN``) comes back as ``None``. JSON keeps ``1`` and
``1.0`` and ``True`` apart, so mixed columns round-trip exactly. A value that none of these
can give back exactly (a tuple, a set, bytes, a dict with non-str keys, an arbitrary object)
raises :class:`UnsupportedValueError` naming the field and row; nothing is ever pickled.

Example::

    table = frame_to_table(frame)         # columns spec in table.schema.metadata[b"columns"]
    frame2 = table_to_frame(table, specs)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


class UnsupportedValueError(ValueError):
    """A field holds a value that cannot be stored exactly without pickle."""


def _kind_of_type(t: type) -> str:
    if issubclass(t, (bool, np.bool_)):
        return "bool"
    if issubclass(t, str):
        return "string"
    if issubclass(t, (int, np.integer)):
        return "int"
    if issubclass(t, (float, np.floating)):
        return "float"
    if t is list:
        return "list"
    return "other"


def _is_exact_json(value: Any) -> bool:
    """True if ``json.loads(json.dumps(value))`` gives back an equal value of the same types."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, np.generic):
        return value.dtype.kind in "biuf"
    if type(value) is list:
        return all(map(_is_exact_json, value))
    if type(value) is dict:
        return all(type(k) is str for k in value) and all(map(_is_exact_json, value.values()))
    return False


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)  # not reached: values are checked first


def _encode_json(name: str, values: np.ndarray, null: np.ndarray) -> pa.Array:
    texts: list[str | None] = []
    for pos, (value, is_null) in enumerate(zip(values, null, strict=True)):
        if is_null:
            texts.append(None)
            continue
        if not _is_exact_json(value):
            raise UnsupportedValueError(
                f"field {name!r}, row {pos}: a {type(value).__name__} value ({value!r:.80}) "
                "cannot be saved exactly. Persistent fields hold str, int, float, bool, None, "
                "and lists or str-keyed dicts of those; convert it (e.g. a tuple to a list) "
                "with set_values before saving."
            )
        texts.append(json.dumps(value, ensure_ascii=False, default=_json_default))
    return pa.array(texts, type=pa.string())


def _list_is_exact(arr: pa.Array) -> bool:
    """Whether a list array inferred by Arrow gives back the original Python values."""
    if not pa.types.is_list(arr.type) and not pa.types.is_large_list(arr.type):
        return False
    child_type = arr.type.value_type
    if child_type in (pa.string(), pa.int64(), pa.bool_(), pa.null()):
        return True
    if child_type == pa.float64():
        # Arrow turns ints mixed into float lists into floats; only accept when no value is
        # integral (so none can have been an int). Other float lists go to JSON.
        child = arr.flatten().to_numpy(zero_copy_only=False)
        return not bool(np.any(np.isfinite(child) & (child == np.floor(child))))
    return False


def _encode_object(name: str, series: pd.Series) -> tuple[pa.Array, str]:
    values = series.to_numpy(dtype=object)
    null = pd.isna(values)
    kinds = {_kind_of_type(t) for t in set(map(type, values[~null]))}
    if not kinds:
        return pa.nulls(len(values)), "null"
    if len(kinds) == 1:
        (kind,) = kinds
        arrow_type = {
            "string": pa.string(),
            "bool": pa.bool_(),
            "int": pa.int64(),
            "float": pa.float64(),
        }.get(kind)
        if arrow_type is not None:
            try:
                return pa.array(values, type=arrow_type, from_pandas=True), kind
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                pass  # e.g. an int beyond int64: JSON keeps it exactly
        elif kind == "list":
            clean = values.copy()
            clean[null] = None
            try:
                arr = pa.array(clean)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                arr = None
            if arr is not None and _list_is_exact(arr):
                return arr, "list"
    return _encode_json(name, values, null), "json"


def frame_to_table(frame: pd.DataFrame) -> tuple[pa.Table, list[dict]]:
    """Encode ``frame`` (index ignored) as an Arrow table plus one spec dict per column.

    Raises :class:`UnsupportedValueError` or ``ValueError`` before anything is written.
    """
    names = list(frame.columns)
    bad = [c for c in names if not isinstance(c, str)]
    if bad:
        raise ValueError(f"field names must be str; got {bad[:3]!r}")
    if len(set(names)) != len(names):
        dupes = sorted({c for c in names if names.count(c) > 1})
        raise ValueError(f"duplicate field names {dupes!r}; each field must appear once")
    arrays, specs = [], []
    for position, name in enumerate(names):
        series = frame.iloc[:, position]
        if series.dtype == object:
            arr, kind = _encode_object(name, series)
            specs.append({"name": name, "kind": kind})
        else:
            values = (
                series
                if isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
                else (series.to_numpy())
            )
            arr = pa.array(values)
            spec = {"name": name, "kind": "native", "dtype": _dtype_name(series.dtype)}
            categories = getattr(series.dtype, "categories", None)
            if categories is not None and pd.api.types.infer_dtype(categories) in _JSON_KINDS:
                # Parquet keeps only the categories in use: record them all, in order
                spec["categories"] = categories.tolist()
                spec["ordered"] = bool(series.dtype.ordered)
            specs.append(spec)
        arrays.append(arr)
    return pa.table(arrays, names=names), specs


_JSON_KINDS = ("string", "integer", "floating", "boolean", "mixed-integer-float", "empty")


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
        return f"string[{dtype.storage}]"  # str() drops the storage
    return str(dtype)


def _object_array(items: list) -> np.ndarray:
    return np.fromiter(items, dtype=object, count=len(items))


def _decode_native(column: pa.ChunkedArray, dtype_name: str) -> Any:
    try:
        dtype = pd.api.types.pandas_dtype(dtype_name)
    except TypeError:
        dtype = None  # a dtype this pandas does not know (e.g. written by a newer pandas)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        if hasattr(dtype, "__from_arrow__"):
            return dtype.__from_arrow__(column)
        return column.to_pandas()  # e.g. category: Arrow keeps its categories and order
    if dtype is None or dtype.kind in "USO":
        # e.g. pandas 3's "str" read by pandas 2: object strings with None for null
        return pd.Series(column.to_numpy(zero_copy_only=False), dtype=object)
    return column.to_numpy().astype(dtype, copy=False)


def _decode_object(column: pa.ChunkedArray, kind: str) -> np.ndarray:
    if kind == "null":
        return np.full(len(column), None, dtype=object)
    if kind == "string":
        return column.to_numpy(zero_copy_only=False).astype(object, copy=False)
    if kind in ("bool", "int", "float", "list"):
        if kind != "list" and column.null_count == 0:
            return column.to_numpy().astype(object)
        return _object_array(column.to_pylist())
    if kind == "json":
        return _object_array([None if t is None else json.loads(t) for t in column.to_pylist()])
    raise ValueError(f"unknown column kind {kind!r}")


def table_to_frame(table: pa.Table, specs: list[dict], num_rows: int) -> pd.DataFrame:
    """Rebuild the frame :func:`frame_to_table` encoded (with a fresh ``RangeIndex``)."""
    if [s["name"] for s in specs] != table.column_names:
        raise ValueError("the column list in the file's metadata does not match its columns")
    if table.num_columns and table.num_rows != num_rows:
        raise ValueError(f"the file holds {table.num_rows} rows but its metadata says {num_rows}")
    data = {}
    for spec, column in zip(specs, table.columns, strict=True):
        if spec["kind"] == "native":
            series = pd.Series(_decode_native(column, spec["dtype"]))
            if "categories" in spec:
                categories = pd.Index(spec["categories"], dtype=object).infer_objects()
                series = series.astype(object).astype(
                    pd.CategoricalDtype(categories, ordered=spec["ordered"])
                )
            data[spec["name"]] = series
        else:
            data[spec["name"]] = pd.Series(_decode_object(column, spec["kind"]), dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(num_rows))
