"""Which sample of a group is kept: the rules ``keep="first" | "largest" |
"highest_resolution"`` or a function, shared by exact and near duplicates.

``"first"`` keeps the first sample in collection order (FiftyOne brain's choice for exact
duplicates), ``"largest"`` the biggest file, ``"highest_resolution"`` the most pixels (read from
the header only); ties go to the first. A function gets the group's samples (in collection
order) and returns one of them, or its id.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fo_lite.core.collection import SampleCollection

__all__ = ["KEEP_RULES", "KeepRule", "check_keep", "choose_kept"]

#: the named rules for which sample of a group is kept
KEEP_RULES = ("first", "largest", "highest_resolution")

KeepRule = str | Callable[[list], Any]


def check_keep(keep: object) -> KeepRule:
    """``keep`` if it is a rule name of KEEP_RULES or a callable, else a ValueError."""
    if callable(keep) or keep in KEEP_RULES:
        return keep  # type: ignore[return-value]
    raise ValueError(
        f"unknown keep rule {keep!r}; use one of {KEEP_RULES} or a function that takes a "
        "group's samples (in collection order) and returns the one to keep"
    )


def choose_kept(samples: SampleCollection, ids: list[str], rule: KeepRule) -> int:
    """Which of ``ids`` (one group, in collection order) ``rule`` keeps: its position in ``ids``.

    Ties go to the first. A function rule gets the group's samples and returns one of them
    (or its id).
    """
    if rule == "first":
        return 0
    view = samples.select(ids, ordered=True)
    if callable(rule):
        picked = rule(list(view))
        picked_id = getattr(picked, "id", picked)
        if picked_id not in ids:
            raise ValueError(
                f"keep function returned {picked!r}, which is not one of the group's samples "
                f"{ids}; return one of the samples it was given"
            )
        return ids.index(picked_id)
    scores = [_score(rule, p) for p in view.values("filepath")]
    return max(range(len(ids)), key=lambda k: (scores[k], -k))


def _score(rule: str, path: str) -> float:
    """How much a file is worth keeping under a named rule (bigger is better; -1 if unreadable)."""
    try:
        if rule == "largest":
            return float(os.path.getsize(path))
        from PIL import Image

        with Image.open(path) as img:  # reads the header only
            w, h = img.size
        return float(w * h)
    except (OSError, ValueError, SyntaxError):
        return -1.0
