"""Schema: a dataset's fields (name -> kind, in order) and how names resolve to frame columns.

Kinds are the strings of :mod:`fo_lite.core.fields` (``"StringField"``,
``"EmbeddedDocumentField(Classification)"``...). An embedded label field is stored as columns
``<field>.<attribute>`` plus the presence column ``<field>._cls``. The
:class:`~fo_lite.core.store.SampleStore` owns its schema and changes it; others only read it.
"""

from __future__ import annotations

from collections.abc import Mapping

from fo_lite.core import fields as fof

BUILTIN_KINDS = {"id": fof.ID, "filepath": fof.STRING, "tags": fof.STRING_LIST}


class Schema(dict):
    """``{field: kind}`` of one dataset, with the rules that map field names to columns."""

    def __init__(self, kinds: Mapping[str, str] | None = None, dataset_name: str = "") -> None:
        super().__init__(BUILTIN_KINDS if kinds is None else kinds)
        #: the dataset's name, for messages
        self.dataset_name = dataset_name

    def label_type(self, field: str) -> type | None:
        """The label class of an embedded field, None for other or unknown fields."""
        kind = self.get(field)
        return None if kind is None else fof.embedded_type(kind)

    def kind_of_column(self, column: str, kinds: Mapping[str, str] | None = None) -> str:
        """The kind of the values in a frame column (``ground_truth.label``: StringField);
        ``kinds`` are kinds about to be recorded."""
        field, _, attr = column.partition(".")
        if attr:
            return fof.attribute_kind(attr)
        if kinds and field in kinds:
            return kinds[field]
        return self.get(field, fof.ANY)

    def value_column(self, field: str) -> str:
        """The one column holding ``field``'s values (``ground_truth`` -> its label column).

        Resolved from the schema alone, so a field still in a write buffer resolves too.
        Raises ValueError naming the fields for an unknown one."""
        kind = self.get(field)
        if kind is not None:
            return f"{field}.label" if fof.embedded_type(kind) else field
        top, _, attr = field.partition(".")
        label_type = self.label_type(top)
        if label_type is not None and (attr in label_type.attributes() or attr == fof.PRESENCE):
            return field
        if field == "_id":
            return "id"
        raise self.unknown(field)

    def sortable_column(self, field: str) -> str:
        """:meth:`value_column`, refusing list and dict fields."""
        column = self.value_column(field)
        if self.get(column) in (fof.LIST, fof.STRING_LIST, fof.DICT):
            raise ValueError(f"cannot sort by {field!r}: it holds lists or dicts")
        return column

    def unknown(self, field: str) -> ValueError:
        """The error for a field that does not exist, naming those that do."""
        return ValueError(
            f"dataset {self.dataset_name!r} has no field {field!r}; fields: {', '.join(self)}"
        )

    def merged(self, field: str, kind: str) -> str:
        """The kind of ``field`` once it also holds values of ``kind`` (TypeError: a misfit)."""
        old = self.get(field)
        return kind if old is None else fof.merge_kinds(old, kind, field)
