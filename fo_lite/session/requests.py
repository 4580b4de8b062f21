"""The grid controller's answers to requests: pages, flags, groups, detail, sidebar.

A mixin of :class:`~fo_lite.session.controller.GridController` (the handlers stay methods of
the one controller object); each request gets exactly one reply with its ``request_id``.
"""

from __future__ import annotations

from typing import Any

from fo_lite.session import pages
from fo_lite.session.sidebar import sidebar_fields
from fo_lite.session.validate import span

DETAIL_MIN_PX, DETAIL_MAX_PX, DETAIL_STEP_PX = 256, 4096, 128


class Requests:
    """Request handlers; the state they read is the controller's."""

    session: Any
    version: int
    inline: bool
    _shown: Any
    _groups: Any

    def _current(self, msg: dict) -> bool:
        """Whether ``msg`` is for the current version; if not, reply 'stale'."""
        current = self.sync_version()
        if msg["version"] != current or self._shown is None:
            reply = {"type": "stale", "request_id": msg["request_id"], "version": current}
            self._send(reply)
            return False
        return True

    def page(self, msg: dict) -> None:
        start, stop = span(msg)
        self.inline = self.inline or msg["inline"]
        if self._current(msg):
            self._grid_seen = True
            self._send_page(start, stop, msg["request_id"])

    def _send_page(self, start: int, stop: int, request_id: str | None) -> None:
        reply, buffers = pages.build_page(
            self._shown,
            start,
            stop,
            version=self.version,
            selected=self.selection,
            label_field=self.session.label_field,
            tile_field=self.session.tile_field,
            thumbs=self.thumbs,
            executor=self.executor,
            groups=self._groups,
            decorations=self.session.decorations,
        )
        reply["request_id"] = request_id
        self._send(dict(reply), buffers)

    def flags(self, msg: dict) -> None:
        start, stop = span(msg)
        if self._current(msg):
            reply = pages.build_flags(
                self._shown, start, stop, version=self.version, selected=self.selection
            )
            self._send(dict(reply, request_id=msg["request_id"]))

    def groups(self, msg: dict) -> None:
        self.inline = self.inline or msg["inline"]
        if self._current(msg):
            self._send_groups(msg["request_id"])

    def _send_groups(self, request_id: str | None) -> None:
        groups = self._groups
        count = len(groups) if groups is not None else 0
        reply = {
            "type": "groups",
            "request_id": request_id,
            "version": self.version,
            "count": count,
            "starts": 0,
            "b64": None,
        }
        self._send(reply, [groups.starts_bytes() if groups is not None else b""])

    def detail(self, msg: dict) -> None:
        self.inline = self.inline or msg["inline"]
        dataset, version = self.session.dataset, self.sync_version()
        sample_id = msg["id"]
        if dataset is None:
            raise KeyError("the session shows no dataset")
        if sample_id is None:
            index = msg["index"] if msg["index"] is not None else -1
            # the row at that index now (Left/Right in the expanded view), whatever the version
            ids = self._shown.rows(index, index + 1)["id"] if self._shown is not None else []
            if not ids:
                self._send(error_reply(msg, f"no sample at row {index} of the shown rows"))
                return
            sample_id = ids[0]
        px = max(msg["width"], msg["height"])
        px = min(max(-(-px // DETAIL_STEP_PX) * DETAIL_STEP_PX, DETAIL_MIN_PX), DETAIL_MAX_PX)
        try:
            reply, buffers = pages.build_detail(
                dataset,
                self._shown,
                sample_id,
                version=version,
                selected=self.selection,
                images=self.images,
                px=px,
                label_field=self.session.label_field,
            )
        except KeyError:
            self._send(error_reply(msg, f"sample {sample_id} is no longer in the dataset"))
            return
        self._send(dict(reply, request_id=msg["request_id"]), buffers)

    def sidebar(self, msg: dict) -> None:
        if self._current(msg):
            fields = sidebar_fields(
                self.collection, self._base_or_collection(), self.filters, self.session.label_field
            )
            reply = {
                "type": "sidebar",
                "request_id": msg["request_id"],
                "version": self.version,
                "fields": fields,
            }
            self._send(reply)


def error_reply(msg: dict, message: str) -> dict:
    """The ``error`` reply to request ``msg``."""
    return {"type": "error", "request_id": msg["request_id"], "message": message}
