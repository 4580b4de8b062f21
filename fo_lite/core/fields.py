"""Field kinds: what a sample field holds, how it is checked, and how its column is typed.

The schema of a dataset maps each top-level field name to a kind string such as
``"StringField"`` or ``"EmbeddedDocumentField(Classification)"`` (FiftyOne's names).
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.labels import LABEL_TYPES, Classification

ID = "ObjectIdField"
STRING = "StringField"
INT = "IntField"
FLOAT = "FloatField"
BOOL = "BooleanField"
LIST = "ListField"
STRING_LIST = "ListField(StringField)"
DICT = "DictField"
ANY = "Field"  # no typed value seen yet (only None so far)
EMBEDDED_PREFIX = "EmbeddedDocumentField("
#: attribute column that marks an embedded label as present (``ground_truth._cls``), so that
#: an empty ``Classification()`` is kept, as FiftyOne keeps the document's ``_cls``
PRESENCE = "_cls"
#: the kind of presence columns (only ever a column's kind, never a field's): stored as a
#: pandas category, one byte per row
PRESENCE_KIND = "LabelClass"

BUILTIN_FIELDS = ("id", "filepath", "tags")
# fields a user may not assign through a sample or set_values
READ_ONLY_FIELDS = ("id",)
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def embedded_kind(label_type: type) -> str:
    """The kind string of an embedded label field, e.g. ``EmbeddedDocumentField(Classification)``."""
    return f"{EMBEDDED_PREFIX}{label_type.__name__})"


@functools.cache
def embedded_type(kind: str) -> type[Classification] | None:
    """The label class of an embedded kind, or None if ``kind`` is not embedded."""
    if not kind.startswith(EMBEDDED_PREFIX):
        return None
    return LABEL_TYPES[kind[len(EMBEDDED_PREFIX) : -1]]


def attribute_kind(attr: str) -> str:
    """The kind of a label attribute column (``confidence`` is a float, the rest strings)."""
    if attr == PRESENCE:
        return PRESENCE_KIND
    return FLOAT if attr == "confidence" else STRING


def check_field_name(name: object) -> str:
    """Return ``name`` if it can name a new sample field, else raise ValueError saying why."""
    if not isinstance(name, str):
        raise TypeError(f"field names are strings, not {type(name).__name__} ({name!r})")
    if not _FIELD_NAME.match(name):
        raise ValueError(
            f"invalid field name {name!r}: use letters, digits and underscores, starting with "
            "a letter (no '.', '$', spaces or a leading underscore)"
        )
    return name


def kind_of_value(value: Any) -> str:
    """The kind a single Python value implies (``Field`` for None)."""
    kind = _KINDS_BY_TYPE.get(type(value))
    if kind is not None:
        return kind
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ANY
    if isinstance(value, bool | np.bool_):
        return BOOL
    if isinstance(value, int | np.integer):
        return INT
    if isinstance(value, float | np.floating):
        return FLOAT
    if isinstance(value, str):
        return STRING
    if isinstance(value, Classification):
        return embedded_kind(type(value))
    if isinstance(value, list | tuple):
        # an empty list fits a list of strings (e.g. ``tags``)
        return STRING_LIST if all(isinstance(v, str) for v in value) else LIST
    if isinstance(value, dict):
        return DICT
    raise TypeError(
        f"unsupported field value {value!r} of type {type(value).__name__}: fields hold "
        "str, int, float, bool, None, lists, dicts or Classification labels"
    )


def merge_kinds(old: str, new: str, field: str) -> str:
    """The kind of ``field`` after storing a value of kind ``new`` in a field of kind ``old``.

    Raises TypeError when the value does not fit (FiftyOne raises a ValidationError).
    """
    if new == ANY or old == new:
        return old
    if old == ANY:
        return new
    if {old, new} == {INT, FLOAT}:
        return FLOAT
    if {old, new} == {LIST, STRING_LIST}:
        return LIST
    raise TypeError(
        f"field {field!r} holds {old} values; cannot store a {new} value in it "
        f"(use a new field name, or convert the value)"
    )


def kind_of_values(values: Sequence[Any], field: str, kind: str = ANY) -> str:
    """The kind of ``field`` after storing all ``values`` (inferred in C where possible)."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    simple = _INFERRED_KINDS.get(inferred)
    if simple is not None:
        return merge_kinds(kind, simple, field)
    if inferred == "empty":
        return kind
    for value in values:  # mixed values or containers: check each one
        kind = merge_kinds(kind, kind_of_value(value), field)
    return kind


# exact Python types whose kind needs no further look (floats may be NaN: checked below)
_KINDS_BY_TYPE = {str: STRING, int: INT, bool: BOOL}

# pandas.api.types.infer_dtype result -> kind, for the columns that need no per-value look
_INFERRED_KINDS = {
    "string": STRING,
    "integer": INT,
    "floating": FLOAT,
    "mixed-integer-float": FLOAT,
    "boolean": BOOL,
}


def column_from_objects(values: np.ndarray, kind: str) -> pd.Series:
    """A column for an object array of values of ``kind``, typed as pandas would type it.

    Integers with nulls stay an object column so that ``3`` reads back as ``3``, not ``3.0``.
    """
    if kind == PRESENCE_KIND:  # from codes: no hashing of 100k equal strings
        present = pd.notna(values)
        names = sorted({v for v in values[present].tolist()}) if present.any() else []
        codes = np.full(len(values), -1, dtype=np.int8)
        for code, name in enumerate(names):
            codes[present & (values == name)] = code
        return pd.Series(pd.Categorical.from_codes(codes, categories=names))
    series = pd.Series(values, dtype=object)
    if kind in (INT, BOOL) and series.isna().any():
        if any(isinstance(v, np.generic) for v in values):  # read back as Python ints
            plain = [v.item() if isinstance(v, np.generic) else v for v in values]
            series = pd.Series(np.fromiter(plain, dtype=object, count=len(plain)), dtype=object)
        return series
    if kind in (LIST, STRING_LIST, DICT, ANY):
        return series
    return series.infer_objects()


def owned_copy(value: Any, kind: str | None = None) -> Any:
    """``value`` as the dataset keeps it: lists and dicts copied (so that a dataset and its
    callers never share one), tuples made lists, NumPy scalars made Python ones (at any depth,
    so that ``sample.to_dict()`` is JSON-able). A list of strings (``kind``
    ListField(StringField)) is copied shallowly. Other values are returned as they are."""
    typ = type(value)
    if typ is list:
        return value[:] if kind == STRING_LIST else [_plain(v) for v in value]
    if typ is dict or typ is tuple or isinstance(value, np.generic):
        return _plain(value)
    return value


def _plain(value: Any) -> Any:
    typ = type(value)
    if typ is list or typ is tuple:
        return [_plain(v) for v in value]
    if typ is dict:
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return copy.deepcopy(value) if typ not in _IMMUTABLE else value


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


#: kinds whose cells may hold lists or dicts
MUTABLE_KINDS = (LIST, STRING_LIST, DICT, ANY)


# -- field objects: what get_field_schema() returns, what add_sample_field() takes ---------
class Field:
    """The type of a sample field, as FiftyOne's ``fo.Field`` classes; compare with
    ``isinstance(schema["file_hash"], fo.StringField)``."""

    kind = ANY

    def __init__(self, **_: Any) -> None:
        self.name: str | None = None

    def __str__(self) -> str:
        return f"fo_lite.core.fields.{type(self).__name__}"

    def __repr__(self) -> str:
        return f"<{self}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and self.kind == other.kind

    def __hash__(self) -> int:
        return hash(self.kind)


class ObjectIdField(Field):
    """A 24-hex id (``id``)."""

    kind = ID


class StringField(Field):
    """Strings."""

    kind = STRING


class IntField(Field):
    """Integers."""

    kind = INT


class FloatField(Field):
    """Floats (integers widen to floats)."""

    kind = FLOAT


class BooleanField(Field):
    """True/False."""

    kind = BOOL


class DictField(Field):
    """Dicts with string keys."""

    kind = DICT


class ListField(Field):
    """Lists; ``field`` is the element type when known (``ListField(StringField())``)."""

    def __init__(self, field: Field | type[Field] | None = None, **_: Any) -> None:
        super().__init__()
        self.field = field() if isinstance(field, type) else field

    @property
    def kind(self) -> str:  # type: ignore[override]
        return STRING_LIST if isinstance(self.field, StringField) else LIST

    def __str__(self) -> str:
        inner = f"({self.field})" if self.field is not None else ""
        return f"fo_lite.core.fields.ListField{inner}"


class EmbeddedDocumentField(Field):
    """A label object, e.g. ``EmbeddedDocumentField(fo.Classification)``."""

    def __init__(self, document_type: type | None = None, **_: Any) -> None:
        super().__init__()
        if document_type not in LABEL_TYPES.values():
            raise ValueError(
                f"EmbeddedDocumentField holds one of {sorted(LABEL_TYPES)}, not {document_type!r}"
            )
        self.document_type = document_type

    @property
    def kind(self) -> str:  # type: ignore[override]
        return embedded_kind(self.document_type)  # type: ignore[arg-type]

    def __str__(self) -> str:
        name = self.document_type.__name__  # type: ignore[union-attr]
        return f"fo_lite.core.fields.EmbeddedDocumentField(fo_lite.core.labels.{name})"


_FIELD_CLASSES = {cls.kind: cls for cls in (ObjectIdField, StringField, IntField, FloatField)}
_FIELD_CLASSES.update({BOOL: BooleanField, DICT: DictField, ANY: Field})


def field_of_kind(kind: str, name: str | None = None) -> Field:
    """The field object for a kind string (``"ListField(StringField)"`` -> ``ListField``...)."""
    label_type = embedded_type(kind)
    if label_type is not None:
        field: Field = EmbeddedDocumentField(label_type)
    elif kind == STRING_LIST:
        field = ListField(StringField())
    elif kind == LIST:
        field = ListField()
    else:
        field = _FIELD_CLASSES.get(kind, Field)()
    field.name = name
    return field


def kind_of_field(ftype: Any, embedded_doc_type: type | None = None, subfield: Any = None) -> str:
    """The kind string for ``add_sample_field``'s arguments: a Field class or instance (or a
    kind string), with FiftyOne's ``embedded_doc_type=`` and ``subfield=``."""
    if isinstance(ftype, str):
        field_of_kind(ftype)  # unknown strings fall back to Field; labels are checked there
        return ftype
    if isinstance(ftype, type) and issubclass(ftype, Field):
        if ftype is EmbeddedDocumentField:
            return EmbeddedDocumentField(embedded_doc_type).kind
        if ftype is ListField:
            return ListField(subfield).kind
        return ftype().kind
    if isinstance(ftype, Field):
        return ftype.kind
    raise TypeError(f"field type must be a field class such as fo.StringField, not {ftype!r}")
