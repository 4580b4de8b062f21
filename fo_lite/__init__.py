"""fo_lite: FiftyOne's image-deduplication workflow, in the notebook.

Typical use::

    import fo_lite as fo

    dataset = fo.Dataset.from_dir("/path/to/images", name="my_images")
    session = fo.launch_dashboard(dataset=dataset)

Names are loaded lazily so that ``import fo_lite`` stays fast (pandas is only
imported when a dataset is first made).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "Dataset": "fo_lite.core.dataset",
    "DatasetView": "fo_lite.core.view",
    "Sample": "fo_lite.core.sample",
    "Classification": "fo_lite.core.labels",
    "load_dataset": "fo_lite.core.dataset",
    "list_datasets": "fo_lite.core.dataset",
    "dataset_exists": "fo_lite.core.dataset",
    "delete_dataset": "fo_lite.core.dataset",
    "DatasetNotFoundError": "fo_lite.core.dataset",
    "config": "fo_lite.core.config",
    "launch_dashboard": "fo_lite.session",
    "Session": "fo_lite.session",
}

__all__ = [
    "Classification",
    "Dataset",
    "DatasetNotFoundError",
    "DatasetView",
    "Sample",
    "Session",
    "config",
    "dataset_exists",
    "delete_dataset",
    "launch_dashboard",
    "list_datasets",
    "load_dataset",
]
assert sorted(__all__) == sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover
    from fo_lite.core.config import config
    from fo_lite.core.dataset import (
        Dataset,
        DatasetNotFoundError,
        dataset_exists,
        delete_dataset,
        list_datasets,
        load_dataset,
    )
    from fo_lite.core.labels import Classification
    from fo_lite.core.sample import Sample
    from fo_lite.core.view import DatasetView
    from fo_lite.session import Session, launch_dashboard


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fo_lite' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
