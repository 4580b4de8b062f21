"""The grid's controller: answers every message from the front end and keeps what it draws.

It owns the :class:`~fo_lite.session.selection.Selection`, the rows shown (the view, sorted
into bands when grouped), the sidebar filters and the version of what was published. The
:class:`~fo_lite.session.session.Session` keeps only traits and the user API: its observers call
the ``*_assigned`` methods here, and it hands over ``publish`` (sets the synced ``_state``).

Messages are handled one at a time on the thread and event loop that made the session (the
kernel's main thread), never concurrently with a running cell: ipykernel 7 may deliver them on a
subshell thread, and :meth:`GridController.receive` hands them to the home loop.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from fo_lite.session import pages
from fo_lite.session.decorations import Display, display_of
from fo_lite.session.gestures import Gestures, ack_of
from fo_lite.session.groups import Groups, group_rows
from fo_lite.session.messages import FEW_CHANGES, PAGE_ROWS, Ack, GridState
from fo_lite.session.requests import DETAIL_MIN_PX, Requests
from fo_lite.session.selection import Change, Selection
from fo_lite.session.sidebar import Filters
from fo_lite.session.text import resolve_field
from fo_lite.session.thumbnails import ThumbnailCache
from fo_lite.session.validate import ProtocolError, parse

logger = logging.getLogger("fo_lite.session")


class GridController(Requests, Gestures):
    """Answers the grid of ``session`` (its public traits and ``send``/``hold_sync``)."""

    def __init__(
        self,
        session: Any,
        publish: Callable[[GridState], None],
        thumbnails: ThumbnailCache | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.session = session
        self.selection = Selection()
        self.filters = Filters()
        self.thumbs = thumbnails if thumbnails is not None else ThumbnailCache()
        self.images = ThumbnailCache(max_bytes=48 * 2**20, px=DETAIL_MIN_PX, quality=85)
        self.executor = executor
        self._publish_state = publish
        self.version = 0
        self._view_serial = 0
        self._revision: Any = None
        self._shown: Any = None
        self._shown_key: Any = None
        self._groups: Groups | None = None
        self._base: Any = None  # the view the sidebar filters apply to
        # (view, filters, base) to go back to after showing only the selection
        self._before_show: tuple[Any, dict, Any] | None = None
        self._depth = 0  # nesting of _changing()
        self._own_assignment = False  # the controller itself is assigning a view or selection
        self._switching = False  # the controller is following a view to its dataset
        self._cached: tuple[Any, Groups | None] = (None, None)
        self._grid_seen = False  # a grid has asked for a page: new views get their first pushed
        # (what a view's display replaced, the display) while a display_with view is shown
        self._display: tuple[Display, Display] | None = None
        self._push_wanted = False
        self.selection_revision = 0  # changes of the selection so far
        # a front end got a reply without its binary buffers (Colab has dropped them): from then
        # on buffers travel as base64 text in the reply's "b64"
        self.inline = False
        self._home_thread = threading.current_thread()
        try:
            self._home_loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): handle messages where they arrive
            self._home_loop = None
        self._handlers: dict[str, Callable[[dict], None]] = {
            "page": self.page,
            "flags": self.flags,
            "groups": self.groups,
            "detail": self.detail,
            "sidebar": self.sidebar,
            "toggle": self.toggle,
            "range": self.range,
            "select-all": self.select_all,
            "clear": self.clear,
            "show-selected": self.show_selected,
            "filter": self.filter,
            "clear-filters": self.clear_filters,
            "tag": self.tag,
            "group-action": self.group_action,
        }

    # -- what is shown ------------------------------------------------------------------------
    @property
    def collection(self) -> Any:
        """The session's view, or its dataset, or None."""
        view = self.session.view
        return view if view is not None else self.session.dataset

    @property
    def shown(self) -> Any:
        """The rows the grid draws, in order (the collection, sorted when grouped)."""
        return self._shown

    @property
    def showing_selected(self) -> bool:
        return self._before_show is not None

    def state(self) -> GridState:
        view, dataset = self.session.view, self.session.dataset
        stages = [stage.to_dict() for stage in view.stages] if view is not None else []
        return {
            "version": self.version,
            "view_serial": self._view_serial,
            "length": len(self._shown) if self._shown is not None else 0,
            "dataset_name": dataset.name if dataset is not None else "",
            "view": pages.compact_stages(stages),
            "selected_count": len(self.selection),
            "showing_selected": self.showing_selected,
            "filtered": bool(self.filters),
            "grouped": self._groups is not None,
            "group_by": self._groups.path if self._groups is not None else None,
        }

    def publish(self, new_view: bool = False) -> None:
        """Bump the version and sync the state (``new_view``: the grid goes back to the top)."""
        collection = self.collection
        self._revision = collection.revision if collection is not None else None
        self._shown, self._groups = self._arrange(collection)
        if new_view:
            self._view_serial += 1
            self._push_wanted = self._grid_seen
        self.version += 1
        self._publish_state(self.state())

    def _arrange(self, collection: Any) -> tuple[Any, Groups | None]:
        path = None
        if collection is not None and self.session.group_by:
            path = resolve_field(collection.get_field_schema(), self.session.group_by)
        if collection is None or not path:
            self._shown_key = None
            return collection, None
        key = (collection, collection.revision, path)
        if self._shown_key != key:
            shown, groups = group_rows(collection, path)
            self._shown_key, self._cached = key, (shown, groups)
        return self._cached

    def sync_version(self) -> int:
        """The version, bumped first if the dataset changed since it was published."""
        collection = self.collection
        if collection is not None and collection.revision != self._revision:
            self.publish()
        return self.version

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold the state sync; push a new view's first page once the outermost block ends, so
        the page never arrives before the version it is for."""
        self._depth += 1
        try:
            with self.session.hold_sync():
                yield
        finally:
            self._depth -= 1
        if self._depth == 0:
            self._push_first_page()

    def displayed(self) -> None:
        """The grid was just displayed: send its first rows without waiting to be asked."""
        self._push_wanted = True
        self._push_first_page()

    def _push_first_page(self) -> None:
        shown = self._shown
        if not self._push_wanted or self._depth or shown is None:
            return
        self._push_wanted = False
        if self._groups is not None:
            self._send_groups(None)
        self._send_page(0, PAGE_ROWS, None)

    # -- the session's traits changed ---------------------------------------------------------
    def dataset_assigned(self) -> None:
        """``session.dataset`` was set (even to the same dataset): show all of it, as FiftyOne."""
        if self._switching:
            return
        if self.session.view is None:  # traitlets is silent for None -> None
            self.view_assigned(None)
        else:
            self._assign_view(None, keep_selection=False)

    def view_assigned(self, view: Any) -> None:
        """``session.view`` was set (by the user, or by the controller itself)."""
        with self._changing():
            dataset = self.session.dataset
            if view is not None and (dataset is None or view.dataset_name != dataset.name):
                self._switching = True
                try:
                    self.session.dataset = view.dataset
                finally:
                    self._switching = False
            if not self._own_assignment:
                self._before_show = None
                self.filters.clear()
                self._base = view
                self._commit(self.selection.clear(), None)
                self._follow_display(view)
            self.session.expanded = None
            self.publish(new_view=True)

    def _follow_display(self, view: Any) -> None:
        """Put back the ``group_by`` and decorations the last view's display replaced (if the
        user left them as it set them), then set those ``view`` comes with (display_with)."""
        session = self.session
        restore, self._display = self._display, None
        if restore is not None:
            before, applied = restore
            if session.decorations is applied.decorations:
                session.decorations = before.decorations
            if session.group_by == applied.group_by:
                try:
                    session.group_by = before.group_by
                except ValueError:  # not a field of the dataset shown now
                    session.group_by = None
        wanted = display_of(view) if view is not None else None
        if wanted is not None:
            self._display = (Display(session.group_by, session.decorations), wanted)
            session.group_by = wanted.group_by
            session.decorations = wanted.decorations

    def selected_assigned(self, ids: list[str]) -> None:
        """``session.selected`` was set (by the user, or by the controller itself)."""
        if not self._own_assignment:
            self._announce(self.selection.replace(ids), None)

    def _assign_view(self, view: Any, keep_selection: bool) -> None:
        self._own_assignment = keep_selection
        try:
            self.session.view = view
        finally:
            self._own_assignment = False

    def refresh(self) -> None:
        """Drop deleted samples from the selection and redraw from the dataset as it is."""
        dataset = self.session.dataset
        if dataset is not None and len(self.selection):
            ids = self.selection.ids
            alive = [
                i
                for i, pos in zip(ids, dataset.positions_of(ids).tolist(), strict=True)
                if pos >= 0
            ]
            self._commit(self.selection.keep_only(set(alive)), None)
        self.publish()

    # -- messages from the grid ---------------------------------------------------------------
    def receive(self, content: Any, buffers: Any = None) -> None:
        """A custom message from the grid: handled now, or on the home loop when it arrived on
        another thread (ipykernel 7 subshells) while a cell runs."""
        loop = self._home_loop
        if loop is not None and threading.current_thread() is not self._home_thread:
            try:
                loop.call_soon_threadsafe(self.handle, content)
                return
            except RuntimeError:  # the loop is closed: answer here rather than never
                pass
        self.handle(content)

    def handle(self, content: Any) -> None:
        """Answer one message; never raises (the front end is untrusted input). A gesture that
        fails is still answered (``done`` with the reason), so the grid stops waiting."""
        msg: dict | None = None
        try:
            msg = parse(content)
            self._handlers[msg["type"]](msg)
        except ProtocolError as exc:
            logger.warning("fo_lite dashboard: ignored a malformed message from the grid: %s", exc)
            if msg is not None and "client" in msg:
                self._done(msg, str(exc))
        except Exception as exc:  # a bug or a vanished sample must not break the kernel's comm
            logger.warning(
                "fo_lite dashboard: could not answer the grid's %r message: %s: %s",
                msg["type"] if msg else None,
                type(exc).__name__,
                exc,
            )
            logger.debug("traceback", exc_info=True)
            if msg is not None and "request_id" in msg:
                self._send({"type": "error", "request_id": msg["request_id"], "message": str(exc)})
            elif msg is not None:
                self._done(msg, f"{type(exc).__name__}: {exc}")

    def _send(self, content: dict, buffers: list[bytes] | None = None) -> None:
        if buffers and self.inline:
            content = {**content, "b64": [base64.b64encode(b).decode("ascii") for b in buffers]}
            buffers = None
        self.session.send(content, buffers)

    # -- answering gestures ---------------------------------------------------------------------
    def _commit(self, change: Change, ack: Ack | None) -> None:
        """Make ``session.selected`` the selection after ``change`` and tell the grid."""
        if change:
            self._own_assignment = True
            try:
                self.session.selected = self.selection.ids
            finally:
                self._own_assignment = False
        self._announce(change, ack)

    def _announce(self, change: Change, ack: Ack | None) -> None:
        if change:
            self.selection_revision += 1
            self._publish_state(self.state())
        few = len(change) <= FEW_CHANGES
        self._send(
            {
                "type": "selection",
                "count": len(self.selection),
                "revision": self.selection_revision,
                "added": change.added if few else [],
                "removed": change.removed if few else [],
                "reset": not few,
                "ack": ack,
            }
        )

    def _done(self, msg: dict, message: str | None = None) -> None:
        self._send({"type": "done", "ack": ack_of(msg), "message": message})
