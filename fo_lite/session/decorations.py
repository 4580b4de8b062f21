"""Extra marks on tiles and group headers, and buttons on group headers: the grid's extension seam.

Subclass :class:`Decorations` and assign an instance to ``session.decorations``; the grid
redraws. A near-duplicate review, for instance, marks the kept sample of each group, writes the
distance on the others and puts "keep this one" style buttons on each group's header::

    class Review(Decorations):
        def tiles(self, ids):
            return [{"marker": "keep"} if i in kept else {"note": f"d={dist[i]:.2f}"} for i in ids]

        def group(self, path, value, count):
            return {"note": f"{count - 1} duplicates", "actions": [("dups", "Select duplicates")]}

        def group_action(self, session, path, value, ids, action):
            session.selected = ids[1:]

    session.group_by = "dup_group"
    session.decorations = Review()

Every text is shown as text (never HTML). Methods run on the kernel's thread while the grid
waits, so keep them quick (a dict lookup per id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict


class TileExtra(TypedDict, total=False):
    """What a tile shows besides its image: ``marker`` (a badge), ``note`` (a line of text)."""

    marker: str
    note: str


class GroupExtra(TypedDict, total=False):
    """What a group header shows besides value and count: a ``note`` and ``actions``, a list of
    ``(action id, button label)`` pairs."""

    note: str
    actions: Sequence[tuple[str, str]]


class Decorations:
    """Base class: no extras. Override what you need."""

    def tiles(self, ids: list[str]) -> list[TileExtra | None]:
        """One :class:`TileExtra` (or ``None``) per sample id, in order."""
        return [None] * len(ids)

    def group(self, path: str, value: Any, count: int) -> GroupExtra | None:
        """Extras for the header of the group whose ``path`` equals ``value``."""
        return None

    def group_action(
        self, session: Any, path: str, value: Any, ids: list[str], action: str
    ) -> None:
        """A header button was pressed: ``ids`` are the group's samples in grid order."""
