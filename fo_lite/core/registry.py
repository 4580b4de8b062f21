"""Named datasets: the name -> dataset table behind ``fo.load_dataset`` and friends.

In-memory datasets live until the process ends or :func:`delete_dataset` is called.
(Persistence to disk is wired in here too; see ``fo_lite.core.storage``.)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fo_lite.core.dataset import Dataset

_loaded: dict[str, Dataset] = {}


def _auto_name() -> str:
    base = datetime.now().strftime("%Y.%m.%d.%H.%M.%S")
    name, n = base, 1
    while dataset_exists(name):
        n += 1
        name = f"{base}.{n}"
    return name


def claim_name(name: str | None, overwrite: bool) -> str:
    """Check that a new dataset may take ``name`` (deleting the old one if ``overwrite``)."""
    if name is None:
        return _auto_name()
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset name must be a non-empty string, not {name!r}")
    if dataset_exists(name):
        if not overwrite:
            raise ValueError(
                f"dataset {name!r} already exists; load it with fo.load_dataset({name!r}), "
                "pick another name, or pass overwrite=True to replace it"
            )
        delete_dataset(name)
    return name


def register(dataset: Dataset) -> None:
    """Record a new dataset under its name."""
    _loaded[dataset.name] = dataset


def unregister(dataset: Dataset) -> None:
    """Forget a dataset whose construction failed."""
    if _loaded.get(dataset.name) is dataset:
        del _loaded[dataset.name]


def dataset_exists(name: str) -> bool:
    """Whether a dataset called ``name`` exists."""
    return name in _loaded


def list_datasets() -> list[str]:
    """The names of all datasets, sorted."""
    return sorted(_loaded)


def load_dataset(name: str) -> Dataset:
    """The dataset called ``name``.

    >>> dataset = fo.load_dataset("cifar100_with_duplicates")  # doctest: +SKIP
    """
    dataset = _loaded.get(name)
    if dataset is None:
        known = ", ".join(list_datasets()) or "none"
        raise ValueError(f"no dataset named {name!r}; datasets: {known}")
    return dataset


def delete_dataset(name: str) -> None:
    """Delete the dataset called ``name``."""
    load_dataset(name).delete()


def delete(dataset: Dataset) -> None:
    """Delete ``dataset``: forget it; the object raises on further use."""
    unregister(dataset)
    dataset._deleted = True


def set_persistent(dataset: Dataset, persistent: bool) -> None:
    """Make ``dataset`` persistent (kept on disk) or not."""
    if persistent:
        raise NotImplementedError("persistent datasets are not available yet")
    dataset._persistent = False


def save(dataset: Dataset) -> None:
    """Write a persistent dataset to disk (nothing to do for in-memory datasets)."""
    dataset._check_alive()


def reload(dataset: Dataset) -> None:
    """Reload a persistent dataset from disk."""
    dataset._check_alive()
