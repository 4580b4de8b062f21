"""fo_lite: FiftyOne's image-deduplication workflow, in the notebook.

Typical use::

    import fo_lite as fo

    dataset = fo.Dataset.from_dir("/path/to/images", fo.types.ImageClassificationDirectoryTree)
    session = fo.launch_app(dataset)   # or fo.launch_dashboard(dataset=dataset), the 2020 name

Names are loaded lazily so that ``import fo_lite`` stays fast (pandas is only
imported when a dataset is first made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fo_lite.lazy import lazy_attributes

__version__ = "0.1.0"

# public name -> module that defines it (or (module, name) for another name of the same thing)
_LAZY: dict[str, str | tuple[str, str]] = {
    "Dataset": "fo_lite.core.dataset",
    "DatasetView": "fo_lite.core.view",
    "Sample": "fo_lite.core.sample",
    "Classification": "fo_lite.core.labels",
    "ViewExpression": "fo_lite.core.expressions",
    "ViewField": "fo_lite.core.expressions",
    "Aggregation": "fo_lite.core.aggregations",
    "Bounds": "fo_lite.core.aggregations",
    "Count": "fo_lite.core.aggregations",
    "CountValues": "fo_lite.core.aggregations",
    "Distinct": "fo_lite.core.aggregations",
    "HistogramValues": "fo_lite.core.aggregations",
    "Max": "fo_lite.core.aggregations",
    "Mean": "fo_lite.core.aggregations",
    "Min": "fo_lite.core.aggregations",
    "Quantiles": "fo_lite.core.aggregations",
    "Std": "fo_lite.core.aggregations",
    "Sum": "fo_lite.core.aggregations",
    "Values": "fo_lite.core.aggregations",
    "Field": "fo_lite.core.fields",
    "ObjectIdField": "fo_lite.core.fields",
    "StringField": "fo_lite.core.fields",
    "IntField": "fo_lite.core.fields",
    "FloatField": "fo_lite.core.fields",
    "BooleanField": "fo_lite.core.fields",
    "ListField": "fo_lite.core.fields",
    "DictField": "fo_lite.core.fields",
    "EmbeddedDocumentField": "fo_lite.core.fields",
    "load_dataset": "fo_lite.core.dataset",
    "list_datasets": "fo_lite.core.dataset",
    "dataset_exists": "fo_lite.core.dataset",
    "delete_dataset": "fo_lite.core.dataset",
    "DatasetNotFoundError": "fo_lite.core.dataset",
    "config": "fo_lite.core.config",
    "launch_dashboard": "fo_lite.session",
    "launch_app": ("fo_lite.session", "launch_dashboard"),
    "Session": "fo_lite.session",
    "types": ("fo_lite.types", ""),
}

__all__ = [
    "Aggregation",
    "BooleanField",
    "Bounds",
    "Classification",
    "Count",
    "CountValues",
    "Dataset",
    "DatasetNotFoundError",
    "DatasetView",
    "DictField",
    "Distinct",
    "EmbeddedDocumentField",
    "Field",
    "FloatField",
    "HistogramValues",
    "IntField",
    "ListField",
    "Max",
    "Mean",
    "Min",
    "ObjectIdField",
    "Quantiles",
    "Sample",
    "Session",
    "Std",
    "StringField",
    "Sum",
    "Values",
    "ViewExpression",
    "ViewField",
    "config",
    "dataset_exists",
    "delete_dataset",
    "launch_app",
    "launch_dashboard",
    "list_datasets",
    "load_dataset",
    "types",
]
assert sorted(__all__) == sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover
    from fo_lite import types
    from fo_lite.core.aggregations import (
        Aggregation,
        Bounds,
        Count,
        CountValues,
        Distinct,
        HistogramValues,
        Max,
        Mean,
        Min,
        Quantiles,
        Std,
        Sum,
        Values,
    )
    from fo_lite.core.config import config
    from fo_lite.core.dataset import (
        Dataset,
        DatasetNotFoundError,
        dataset_exists,
        delete_dataset,
        list_datasets,
        load_dataset,
    )
    from fo_lite.core.expressions import ViewExpression, ViewField
    from fo_lite.core.fields import (
        BooleanField,
        DictField,
        EmbeddedDocumentField,
        Field,
        FloatField,
        IntField,
        ListField,
        ObjectIdField,
        StringField,
    )
    from fo_lite.core.labels import Classification
    from fo_lite.core.sample import Sample
    from fo_lite.core.view import DatasetView
    from fo_lite.session import Session, launch_dashboard
    from fo_lite.session import launch_dashboard as launch_app


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
