"""The grid controller's gestures: selection edits, show-selected, filters, tags, group actions.

A mixin of :class:`~fo_lite.session.controller.GridController`; every gesture is answered by
exactly one message carrying its ``ack`` (``selection`` or ``done``).
"""

from __future__ import annotations

import logging
from typing import Any

from fo_lite.session.messages import Ack
from fo_lite.session.selection import Change
from fo_lite.session.sidebar import filterable
from fo_lite.session.text import format_value
from fo_lite.session.validate import ProtocolError, span

logger = logging.getLogger("fo_lite.session")
MESSAGE_MAX = 200  # longest text a group action may show in the header


class Gestures:
    """Gesture handlers; the state they change is the controller's."""

    session: Any
    _shown: Any
    _groups: Any
    _base: Any
    _before_show: Any

    def toggle(self, msg: dict) -> None:
        index, sample_id = msg["index"], msg["id"]
        version = self.sync_version()
        row = self._shown.rows(index, index + 1)["id"] if self._shown is not None else []
        # with an id, the row still showing that sample is enough (a version bump from tagging
        # or a new field must not eat a click); without one (Space on a tile whose page is on
        # its way), the index must be of the version drawn
        if sample_id is None and msg["version"] == version and row:
            sample_id = row[0]
        if sample_id is None or row != [sample_id]:
            logger.info("fo_lite dashboard: ignored a click on a tile from an older grid state")
            self._commit(Change(), ack_of(msg))
            return
        self._commit(self.selection.toggle(sample_id), ack_of(msg))

    def range(self, msg: dict) -> None:
        start, stop = span(msg)
        if msg["version"] != self.sync_version() or self._shown is None:
            logger.info("fo_lite dashboard: ignored a shift-click range from an older grid state")
            self._commit(Change(), ack_of(msg))
            return
        self._commit(self.selection.add(self._shown.rows(start, stop)["id"]), ack_of(msg))

    def select_all(self, msg: dict) -> None:
        shown = self._shown
        ids = shown.rows(0, len(shown))["id"] if shown is not None else []
        self._commit(self.selection.add(ids), ack_of(msg))

    def clear(self, msg: dict) -> None:
        self._commit(self.selection.clear(), ack_of(msg))

    def show_selected(self, msg: dict) -> None:
        dataset = self.session.dataset
        if self._before_show is not None:
            (view, chosen, base), self._before_show = self._before_show, None
            self.filters.values, self._base = chosen, base
            self._assign_view(view, keep_selection=True)
        elif len(self.selection) and dataset is not None:
            self._before_show = (self.session.view, dict(self.filters.values), self._base)
            self.filters.clear()
            self._base = dataset.select(self.selection.ids)
            self._assign_view(self._base, keep_selection=True)
        self._done(msg)

    def filter(self, msg: dict) -> None:
        collection = self.collection
        schema = collection.get_field_schema() if collection is not None else {}
        if msg["field"] not in filterable(schema, self.session.label_field):
            raise ProtocolError(f"'field' {msg['field']!r:.80} is not a field the sidebar shows")
        self.filters.set(msg["field"], msg["values"])
        self._apply_filters()
        self._done(msg)

    def clear_filters(self, msg: dict) -> None:
        self.filters.clear()
        self._apply_filters()
        self._done(msg)

    def _base_or_collection(self) -> Any:
        return self._base if self._base is not None else self.session.dataset

    def _apply_filters(self) -> None:
        base = self._base_or_collection()
        if base is None:
            return
        view = self.filters.apply(base)
        self._assign_view(view if view is not self.session.dataset else None, True)

    def tag(self, msg: dict) -> None:
        tags = [t.strip() for t in msg["tags"] if t.strip()]
        dataset = self.session.dataset
        if not tags:
            self._done(msg, "type a tag first")
            return
        if not len(self.selection) or dataset is None:
            self._done(msg, "select samples to tag first")
            return
        chosen = dataset.select(self.selection.ids)
        if msg["remove"]:
            chosen.untag_samples(tags)
        else:
            chosen.tag_samples(tags)
        self.sync_version()
        self._done(msg)

    def group_action(self, msg: dict) -> None:
        groups, decorations = self._groups, self.session.decorations
        start = msg["start"]
        if msg["version"] != self.sync_version() or groups is None or decorations is None:
            self._done(msg, "the groups changed; try again")
            return
        g = groups.group_at(start)
        if g < 0 or int(groups.starts[g]) != start:
            raise ProtocolError(f"no group starts at row {start}")
        ids = self._shown.rows(start, start + groups.count(g))["id"]
        path, value = groups.path, groups.values[g]
        said = decorations.group_action(self.session, path, value, ids, msg["action"])
        self.sync_version()
        self._done(msg, format_value(said, MESSAGE_MAX) if isinstance(said, str) else None)


def ack_of(msg: dict) -> Ack:
    """The ``ack`` that answers gesture ``msg``."""
    return {"client": msg["client"], "seq": msg["seq"]}
