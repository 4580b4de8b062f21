"""The view-stage protocol: :class:`Rows` (what a stage sees) and :class:`ViewStage`.

A stage's ``apply(rows)`` takes the :class:`Rows` selected so far (the store and the kept row
positions, in view order) and returns the rows it keeps, in its order. Stages never copy the
frame for rows they do not need. Serialized form: ``{"_stage": "match", "kwargs": {...}}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from fo_lite.core.columns import subframe
from fo_lite.core.ids import is_valid_id
from fo_lite.core.sample import Sample
from fo_lite.core.store import SampleStore


@dataclass(frozen=True)
class Rows:
    """What a stage reads and returns: the store and the kept positions (into its live frame).

    Views cache their Rows; they hold no frame, so an old frame is freed once the store
    replaces it."""

    store: SampleStore
    positions: np.ndarray
    hidden: frozenset[str] = frozenset()  # fields select_fields/exclude_fields left out
    selected: frozenset[str] | None = None  # the fields select_fields chose (None: no choice)
    # columns a set_field stage gave new values: full-length object arrays over the live frame
    overlay: Mapping[str, np.ndarray] | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The live frame the positions index, with set_field's values where a stage set
        them."""
        frame = self.store.frame()
        if not self.overlay:
            return frame
        changed = frame.copy(deep=False)
        for column, values in self.overlay.items():
            changed[column] = values
        return changed

    @property
    def overlay_frame(self) -> pd.DataFrame | None:
        """:attr:`frame` when a stage set values, else None (read the store)."""
        return self.frame if self.overlay else None

    def keep(self, positions: np.ndarray) -> Rows:
        """The same rows with other positions."""
        return replace(self, positions=positions)

    def hide(self, fields: Iterable[str]) -> Rows:
        """The same rows with ``fields`` left out as well."""
        return replace(self, hidden=self.hidden | frozenset(fields))

    def select(self, fields: Iterable[str]) -> Rows:
        """The same rows showing only ``fields`` (of those shown so far)."""
        chosen = frozenset(fields) - self.hidden
        if self.selected is not None:
            chosen &= self.selected
        hidden = self.hidden | frozenset(f for f in self.store.schema if f not in chosen)
        return replace(self, hidden=hidden, selected=chosen)

    def set_column(self, column: str, values: np.ndarray) -> Rows:
        """The same rows with ``column`` holding ``values`` (full length) in this view only."""
        return replace(self, overlay={**(self.overlay or {}), column: values})

    def subframe(self) -> pd.DataFrame:
        """The kept rows of the frame (index labels = positions; no copy for all rows)."""
        return subframe(self.frame, self.positions)


class ViewStage:
    """Base class: subclasses set ``name`` and implement ``kwargs`` and ``apply``."""

    name = ""

    def kwargs(self) -> dict[str, Any]:
        """The stage's arguments, JSON-able, as passed to its constructor."""
        raise NotImplementedError

    def apply(self, rows: Rows) -> Rows:
        """Return the rows this stage keeps, in order."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The stage as a JSON-able dict."""
        return {"_stage": self.name, "kwargs": self.kwargs()}

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.kwargs() == other.kwargs()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short_repr(v)}" for k, v in self.kwargs().items())
        return f"{type(self).__name__}({args})"


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def plain_json(value: Any, stage: str) -> Any:
    """``value`` as plain JSON data (NumPy scalars unwrapped), so that views serialize.

    Raises TypeError naming the offending type (e.g. a compiled ``re.Pattern``).
    """

    def plain(item: Any) -> Any:
        if isinstance(item, np.generic):
            return item.item()
        hint = " (write {'$regex': 'pattern'} instead)" if hasattr(item, "pattern") else ""
        raise TypeError(
            f"{stage}: {type(item).__name__} values cannot be used in a view{hint}; use "
            "strings, numbers, booleans, None, lists and dicts"
        )

    return json.loads(json.dumps(value, default=plain))


def check_count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be a non-negative integer, not {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be a non-negative integer, not {value}")
    return int(value)


def tag_list(tags: str | Iterable[str], caller: str) -> list[str]:
    """``tags`` as a list of tag strings (one string is one tag); a TypeError naming ``caller``
    for anything else."""
    if isinstance(tags, str):
        tags = [tags]
    elif isinstance(tags, Iterable) and not isinstance(tags, Mapping):
        tags = list(tags)
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise TypeError(
            f"{caller} takes a tag string or a list of tag strings, got {tags!r}; "
            f"e.g. {caller}('dup') or {caller}(['dup', 'train'])"
        )
    return tags


def id_list(sample_ids: Any, stage: str) -> list[str]:
    """Ids from an id, a Sample, or an iterable of either (checked: 24 hex digits)."""
    if isinstance(sample_ids, str | Sample):
        sample_ids = [sample_ids]
    try:
        items = list(sample_ids)
    except TypeError:
        raise TypeError(
            f"{stage} takes sample ids, samples or a view, not {sample_ids!r}"
        ) from None
    ids = [item.id if isinstance(item, Sample) else item for item in items]
    bad = [i for i in ids if not is_valid_id(i)]
    if bad:
        raise ValueError(
            f"{stage}: {len(bad)} value(s) are not sample ids (24 hex digits), e.g. {bad[0]!r}"
        )
    return ids
