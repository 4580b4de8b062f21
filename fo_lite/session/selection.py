"""The selection: ordered, unique sample ids, with the change every edit makes.

Pure Python (no widgets, no datasets): the grid's controller owns one and tells the grid about
each :class:`Change`; ``session.selected`` is its list of ids.

>>> sel = Selection(["a", "b"])
>>> sel.toggle("a"), sel.add(["b", "c"]), sel.ids
(Change(added=[], removed=['a']), Change(added=['c'], removed=[]), ['b', 'c'])
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """Ids that an edit added and removed, each in selection order."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def __len__(self) -> int:
        return len(self.added) + len(self.removed)


class Selection:
    """Ordered unique ids; each edit returns the :class:`Change` it made.

    Membership, toggling one id and adding ids are O(1) per id (a dict keeps the order).
    """

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._ids: dict[str, None] = dict.fromkeys(ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, sample_id: object) -> bool:
        return sample_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __repr__(self) -> str:
        return f"Selection({len(self._ids)} ids)"

    @property
    def ids(self) -> list[str]:
        """The selected ids, in the order they were selected (a new list)."""
        return list(self._ids)

    def flags(self, ids: Iterable[str]) -> list[bool]:
        """Whether each of ``ids`` is selected."""
        chosen = self._ids
        return [i in chosen for i in ids]

    def replace(self, ids: Iterable[str]) -> Change:
        """Select exactly ``ids`` (duplicates dropped, first kept)."""
        new = dict.fromkeys(ids)
        old = self._ids
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        self._ids = new
        return Change(added, removed)

    def toggle(self, sample_id: str) -> Change:
        """Select ``sample_id`` if it is not selected, else deselect it."""
        if sample_id in self._ids:
            del self._ids[sample_id]
            return Change(removed=[sample_id])
        self._ids[sample_id] = None
        return Change(added=[sample_id])

    def add(self, ids: Iterable[str]) -> Change:
        """Select ``ids`` too (those already selected keep their place)."""
        chosen = self._ids
        added = [i for i in dict.fromkeys(ids) if i not in chosen]
        chosen.update(dict.fromkeys(added))
        return Change(added=added)

    def remove(self, ids: Iterable[str]) -> Change:
        """Deselect ``ids``."""
        gone = [i for i in dict.fromkeys(ids) if i in self._ids]
        for i in gone:
            del self._ids[i]
        return Change(removed=gone)

    def clear(self) -> Change:
        """Deselect everything."""
        removed, self._ids = list(self._ids), {}
        return Change(removed=removed)

    def keep_only(self, alive: Collection[str]) -> Change:
        """Deselect the ids not in ``alive`` (e.g. of deleted samples)."""
        return self.remove([i for i in self._ids if i not in alive])
