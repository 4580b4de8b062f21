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

A view can come with the way it is best shown: :func:`display_with` ties a ``group_by`` field
and decorations to a view, and assigning that view to ``session.view`` sets them (the next
view assigned puts back what was there). ``index.duplicates_view()`` of ``fo_lite.brain`` does
this, so its groups show as bands with the review's marks and buttons.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple, TypedDict

from fo_lite.session.text import field_problem


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
    ) -> str | None:
        """A header button was pressed: ``ids`` are the group's samples in grid order. A
        returned text is shown in the grid's header (e.g. why nothing was done)."""
        return None


class Display(NamedTuple):
    """How a view is shown: bands of ``group_by`` and ``decorations`` (either may be None)."""

    group_by: str | None
    decorations: Decorations | None


# view -> its display; views compare by value (same dataset, same stages), so an equal view
# made again finds it, and an entry goes with the last view object it was registered for
_displays: weakref.WeakKeyDictionary[Any, Display] = weakref.WeakKeyDictionary()


def display_with(
    view: Any, group_by: str | None = None, decorations: Decorations | None = None
) -> Any:
    """Show ``view`` in bands of ``group_by`` with ``decorations`` whenever it is assigned to
    ``session.view``; returns ``view``. The latest call for equal views wins.

    >>> view = display_with(dataset.view().sort_by("file_hash"), group_by="file_hash")  # doctest: +SKIP
    >>> session.view = view  # bands of file_hash; the next session.view puts group_by back
    """
    if decorations is not None and not isinstance(decorations, Decorations):
        raise TypeError(f"decorations must be a Decorations or None, not {decorations!r:.80}")
    if group_by is not None:  # checked now: a bad field must not fail the later assignment
        problem = field_problem(view.get_field_schema(), "group_by", group_by, view.dataset.name)
        if problem:
            raise ValueError(problem)
    _displays.pop(view, None)  # the entry then lives as long as this view object
    _displays[view] = Display(group_by, decorations)
    return view


def display_of(view: Any) -> Display | None:
    """What :func:`display_with` registered for ``view`` (or an equal view), or None."""
    try:
        return _displays.get(view)
    except TypeError:  # an unhashable value: nothing registered for it
        return None
