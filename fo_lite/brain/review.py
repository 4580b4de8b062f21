"""Near duplicates reviewed in the grid: marks on tiles, notes and buttons on group headers.

``session.view = index.duplicates_view()`` shows each group in a band under a header (the view
comes with ``group_by`` on its group field and a :class:`DuplicateReview`, see
:func:`fo_lite.session.decorations.display_with`; the next view assigned puts them back). In
the grid:

- the kept sample comes first, marked ``kept``; every other tile says its distance to it
  (``d=0.042``), or ``not a duplicate``;
- the header says how many duplicates the group has, and its buttons act on the group's
  selected tiles: **Keep selected** (:meth:`~NearDuplicateIndex.keep`), **Not a duplicate**
  (:meth:`~NearDuplicateIndex.exclude`), **Back in group** (:meth:`~NearDuplicateIndex.include`,
  shown when the group has samples marked "not a duplicate"), and **Select duplicates** adds
  the group's duplicates to the selection.

Each decision updates ``index.duplicate_ids`` and the fields at once (saved with the run when it
has a ``brain_key``) and the grid redraws; the samples it acted on leave the selection, so
``dataset.delete_samples(session.selected)`` never deletes a sample just kept. Only the tiles
and headers the grid draws are asked about (a dict lookup per tile), so a review of a million
samples stays as fast as the grid.

>>> session.view = index.duplicates_view()  # doctest: +SKIP
>>> # ... click tiles, press the headers' buttons ...
>>> dataset.delete_samples(session.selected)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from fo_lite.session.decorations import Decorations, GroupExtra, TileExtra

if TYPE_CHECKING:
    from fo_lite.brain.results import NearDuplicateIndex

__all__ = ["DuplicateReview"]

KEPT_MARKER = "kept"  # the badge on each group's kept sample
EXCLUDED_NOTE = "not a duplicate"  # the note under a sample taken out of its group
SELECT, KEEP, EXCLUDE, INCLUDE = "select-duplicates", "keep", "exclude", "include"
# a group header's buttons: action name -> button text
ACTIONS = {
    SELECT: "Select duplicates",
    KEEP: "Keep selected",
    EXCLUDE: "Not a duplicate",
    INCLUDE: "Back in group",
}


class DuplicateReview(Decorations):
    """The grid's view of a :class:`~fo_lite.brain.results.NearDuplicateIndex` under review.

    ``index.duplicates_view()`` attaches one to the view it returns; to review another view of
    the groups (``index.duplicates_view().match(...)``), set ``session.group_by = "dup_group"``
    and ``session.decorations = DuplicateReview(index)``.
    """

    def __init__(self, index: NearDuplicateIndex) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"DuplicateReview({self.index!r})"

    def tiles(self, ids: list[str]) -> list[TileExtra | None]:
        """The kept sample's badge, each duplicate's distance, "not a duplicate" notes."""
        out: list[TileExtra | None] = []
        for role in self.index.roles(ids):
            if role is None:
                out.append(None)
            elif role[0] == "kept":
                out.append({"marker": KEPT_MARKER})
            elif role[0] == "duplicate":
                out.append({"note": f"d={role[1]:.3f}"})
            else:
                out.append({"note": EXCLUDED_NOTE})
        return out

    def group(self, path: str, value: Any, count: int) -> GroupExtra | None:
        """A group header's note (its duplicates, those taken out) and its buttons."""
        number = _group_number(value)
        if number is None:
            return None
        try:
            duplicates = len(self.index.group_duplicates(number))
            excluded = len(self.index.group_excluded(number))
        except ValueError:  # not a group (any more): a page of an older state
            return None
        note = f"{duplicates} duplicate{'' if duplicates == 1 else 's'}"
        actions = [SELECT, KEEP, EXCLUDE]
        if excluded:
            note += f", {excluded} not"
            actions.append(INCLUDE)
        return {"note": note, "actions": [(a, ACTIONS[a]) for a in actions]}

    def group_action(
        self, session: Any, path: str, value: Any, ids: list[str], action: str
    ) -> str | None:
        """Do a header button's action on group ``value``; a message for the header, if any."""
        number = _group_number(value)
        if number is None or action not in ACTIONS:
            raise ValueError(f"no review action {action!r} for group {value!r}")
        index = self.index
        selected = session.selected
        in_group = set(ids)
        chosen = [i for i in selected if i in in_group]
        if action == SELECT:
            duplicates = set(index.group_duplicates(number))
            session.selected = selected + [i for i in ids if i in duplicates]
            return None
        if action == KEEP:
            if len(chosen) != 1:
                return f"select the one sample of group {number} to keep ({len(chosen)} selected)"
            index.keep(chosen[0])
        elif action == EXCLUDE:
            if not chosen:
                return f"select the samples of group {number} that are not duplicates first"
            index.exclude(chosen)
        else:
            excluded = set(index.group_excluded(number))
            chosen = [i for i in chosen if i in excluded]
            if not chosen:
                return f"select samples of group {number} marked 'not a duplicate' first"
            index.include(chosen)
        done = set(chosen)
        session.selected = [i for i in selected if i not in done]
        return None


def _group_number(value: Any) -> int | None:
    """A group field's value as a group number (an int column may come back as floats)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return None
