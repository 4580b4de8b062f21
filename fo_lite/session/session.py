"""Session: the dashboard widget (an anywidget). Traits and the user-facing API only.

Page requests are answered in :mod:`fo_lite.session.pages`, messages are dispatched in
:mod:`fo_lite.session.protocol`, the grid itself is ``widgets/grid.js``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from fo_lite.session import pages, protocol, snapshot
from fo_lite.session.thumbnails import ThumbnailCache

logger = logging.getLogger("fo_lite.session")

MIN_TILE, MAX_TILE = 48, 512
_FEW_CHANGES = 1000


def _widgets_dir() -> Path:
    import fo_lite

    package = Path(fo_lite.__file__).parent
    shipped = package / "widgets"  # wheel: widgets/ is installed as fo_lite/widgets
    return shipped if (shipped / "grid.js").is_file() else package.parent / "widgets"


def _is_dataset(value: Any) -> bool:
    return getattr(value, "_dataset", None) is value and hasattr(value, "_live_frame")


def _is_view(value: Any) -> bool:
    return not _is_dataset(value) and _is_dataset(getattr(value, "_dataset", None))


class _Selection(traitlets.List):
    """A list trait whose getter hands out a copy, so ``session.selected.append(x)`` cannot
    change the selection behind the grid's back (FiftyOne's semantics)."""

    def get(self, obj: Any, cls: Any = None) -> Any:
        value = super().get(obj, cls)
        return list(value) if value is not None else value

    def validate(self, obj: Any, value: Any) -> list[str]:
        pending = getattr(obj, "_pending", None)
        if pending is not None and value is pending["list"]:
            return value  # built by the session itself: already unique strings
        return _as_ids(value)


class Session(anywidget.AnyWidget):
    """The dashboard: a live thumbnail grid of a dataset or view, two-way with Python.

    Click tiles in the grid and read ``session.selected``; set ``session.view`` or
    ``session.selected`` from Python and the grid follows. Make one with
    :func:`launch_dashboard`::

        session = fo.launch_dashboard(dataset=dataset)
        session.view = dataset.view().take(10)
        ids = session.selected

    Clicks reach Python only while the kernel is idle: grid messages that arrive while a cell
    runs are answered when it finishes (the grid's header says "waiting for the kernel…").
    """

    _esm = _widgets_dir() / "grid.js"
    _css = _widgets_dir() / "grid.css"

    dataset = traitlets.Any(None, allow_none=True, help="the Dataset shown (None: empty grid)")
    view = traitlets.Any(None, allow_none=True, help="a DatasetView of dataset, or None for all")
    selected = _Selection(help="ids of the selected samples (a copy; assign to change)")
    label_field = traitlets.Unicode("ground_truth", allow_none=True, help="label over tiles")
    tile_field = traitlets.Unicode(None, allow_none=True, help="field under tiles").tag(sync=True)
    tile_size = traitlets.Int(128, help="tile size in CSS pixels").tag(sync=True)

    # small synced state the grid draws from (see fo_lite.session.pages for the protocol)
    _version = traitlets.Int(0).tag(sync=True)
    _view_serial = traitlets.Int(0).tag(sync=True)
    _length = traitlets.Int(0).tag(sync=True)
    _view = traitlets.List([]).tag(sync=True)
    _dataset_name = traitlets.Unicode("").tag(sync=True)
    _selected_count = traitlets.Int(0).tag(sync=True)
    _showing_selected = traitlets.Bool(False).tag(sync=True)
    _grid_key = traitlets.Unicode("").tag(sync=True)  # names this session's pushed pages in JS

    def __init__(
        self,
        dataset: Any = None,
        view: Any = None,
        *,
        selected: Iterable[str] | None = None,
        tile_field: str | None = None,
        tile_size: int = 128,
        label_field: str | None = "ground_truth",
        executor: Executor | None = None,
        thumbnails: ThumbnailCache | None = None,
    ) -> None:
        self._thumbs = thumbnails if thumbnails is not None else ThumbnailCache()
        self._executor = executor
        self._selected_set: set[str] = set()
        self._pending: dict[str, Any] | None = None
        self._keep_selection = False
        self._switching_dataset = False
        self._before_show_selected: Any = None
        self._seen_version: Any = None
        self._grid_seen = False  # a grid has asked for a page: new views get their first pushed
        self._push_wanted = False
        self._home_thread = threading.current_thread()
        try:
            self._home_loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): handle messages where they arrive
            self._home_loop = None
        super().__init__(tile_size=tile_size, label_field=label_field, _grid_key=uuid.uuid4().hex)
        self.on_msg(self._on_custom_msg)
        if dataset is None and view is not None and _is_view(view):
            dataset = view._dataset
        self.dataset = dataset
        if view is not None:
            self.view = view
        self.tile_field = tile_field
        if selected is not None:
            self.selected = selected

    # -- user API -------------------------------------------------------------------------
    def clear_selected(self) -> None:
        """Deselect every sample."""
        self.selected = []

    def select_samples(self, ids: str | Iterable[Any]) -> None:
        """Select exactly these samples (ids, or samples with an ``id``), replacing the
        selection.

        >>> session.select_samples([sample.id for sample in dataset.view().limit(3)])  # doctest: +SKIP
        """
        self.selected = ids

    @property
    def selected_view(self) -> Any:
        """A view of the selected samples (dataset order), or None when nothing is selected."""
        ids = self.selected
        if not ids or self.dataset is None:
            return None
        return self.dataset.select(ids)

    def refresh(self) -> None:
        """Redraw the grid from the dataset as it is now (e.g. after deleting samples or
        adding a field); selected ids of deleted samples are dropped from the selection."""
        if self.dataset is not None and self._selected_set:
            frame = self.dataset._live_frame()
            current = self._selected_list()
            keep = frame["id"].isin(current).to_numpy()
            alive = set(frame["id"].to_numpy()[keep].tolist())
            if len(alive) != len(current):
                self.selected = [i for i in current if i in alive]
        self._publish(new_view=False)

    def show(self) -> None:
        """Display the grid (again) in the current cell's output."""
        from IPython.display import display

        display(self)
        self._push_after_display()

    def _push_after_display(self) -> None:
        # the grid about to render needs rows [0, FIRST_PAGE_ROWS): send them with the display
        # so its first paint does not wait for a request to reach the kernel and come back
        self._push_wanted = True
        self._push_first_page()

    def __repr__(self) -> str:
        return snapshot.summary_text(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/plain"] = repr(self)
        try:
            data["text/html"] = snapshot.snapshot_html(self)
        except Exception as exc:  # the live widget must display even if the snapshot fails
            logger.warning("fo_lite dashboard: no static snapshot: %s: %s", type(exc).__name__, exc)
        return data, metadata

    # -- validation -----------------------------------------------------------------------
    @traitlets.validate("dataset")
    def _check_dataset(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and not _is_dataset(value):
            hint = " (for a view, use session.view = ...)" if _is_view(value) else ""
            raise TypeError(f"session.dataset must be a Dataset or None, not {value!r:.80}{hint}")
        if value is self.dataset and self._trait_values.get("dataset") is not None:
            self._dataset_assigned(value)  # same object: traitlets stays silent, FiftyOne resets
        return value

    @traitlets.validate("view")
    def _check_view(self, proposal: Any) -> Any:
        value = proposal["value"]
        if value is not None and not _is_view(value):
            raise TypeError(
                f"session.view must be a DatasetView or None, not {value!r:.80}; to show a whole "
                "dataset use session.view = None or session.dataset = dataset"
            )
        current = self._trait_values.get("view")
        try:
            unchanged = bool(current == value)
        except Exception:
            unchanged = False
        if unchanged:
            self._trait_values["view"] = value
            self._view_assigned(value)
        return value

    @traitlets.validate("tile_size")
    def _check_tile_size(self, proposal: Any) -> int:
        value = proposal["value"]
        if not MIN_TILE <= value <= MAX_TILE:
            raise ValueError(f"tile_size must be between {MIN_TILE} and {MAX_TILE} px, not {value}")
        return value

    @traitlets.validate("tile_field")
    def _check_tile_field(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value and self.dataset is not None:
            columns = list(self.dataset._live_frame().columns)
            if pages.resolve_column(columns, value) is None:
                fields = sorted({c.split(".")[0] for c in columns})
                raise ValueError(
                    f"tile_field {value!r} is not a field of dataset {self._name()!r}; "
                    f"choose one of {fields}"
                )
        return value or None

    # -- reactions ------------------------------------------------------------------------
    @traitlets.observe("dataset")
    def _on_dataset(self, change: dict) -> None:
        self._dataset_assigned(change["new"])

    def _dataset_assigned(self, dataset: Any) -> None:
        with self.hold_sync():
            self._before_show_selected = None
            if not self._switching_dataset:
                self._keep_selection = False
                self.view = None  # FiftyOne: a new dataset shows all of it
                self._commit_selection([], set(), removed=self._selected_list())
            self._publish(new_view=True)
        self._push_first_page()

    @traitlets.observe("view")
    def _on_view(self, change: dict) -> None:
        self._view_assigned(change["new"])

    def _view_assigned(self, view: Any) -> None:
        with self.hold_sync():
            if view is not None and view._dataset is not self.dataset:
                self._switching_dataset = True
                try:
                    self.dataset = view._dataset
                finally:
                    self._switching_dataset = False
            if not self._keep_selection:
                self._before_show_selected = None
                self._commit_selection([], set(), removed=self._selected_list())
            self._publish(new_view=True)
        self._push_first_page()

    @traitlets.observe("label_field", "tile_field")
    def _on_shown_fields(self, change: dict) -> None:
        self._publish(new_view=False)

    @traitlets.observe("selected")
    def _on_selected(self, change: dict) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and change["new"] is pending["list"]:
            self._selected_set = pending["set"]
            added, removed = pending["added"], pending["removed"]
        else:
            old = self._selected_set
            self._selected_set = new = set(change["new"])
            if abs(len(new) - len(old)) > _FEW_CHANGES:
                added, removed = [], []  # too many to list: the grid re-reads its flags
                self._announce(added, removed, None, reset=True)
                return
            added = [i for i in change["new"] if i not in old]
            before = change["old"] if isinstance(change["old"], list) else []
            removed = [i for i in before if i not in new]
        self._announce(added, removed, pending["ack"] if pending else None)

    # -- internals used by protocol.py ----------------------------------------------------
    def _name(self) -> str:
        return getattr(self.dataset, "name", "") or ""

    def _collection(self) -> Any:
        return self.view if self.view is not None else self.dataset

    def _selected_list(self) -> list[str]:
        return self._trait_values.get("selected", [])

    def _sync_version(self) -> int:
        """The grid's version, bumped first if the dataset changed since it was published."""
        dataset = self.dataset
        if dataset is not None and self._seen_version != dataset.revision:
            self._publish(new_view=False)
        return self._version

    def _publish(self, new_view: bool) -> None:
        collection = self._collection()
        with self.hold_sync():
            self._length = len(collection._row_positions()) if collection is not None else 0
            self._view = pages.compact_stages(self.view._serialize()) if self.view else []
            self._dataset_name = self._name()
            self._seen_version = self.dataset.revision if self.dataset is not None else None
            self._showing_selected = self._before_show_selected is not None
            if new_view:
                self._view_serial += 1
                self._push_wanted = self._grid_seen
            self._version += 1

    def _push_first_page(self) -> None:
        """Send the grid the new view's first page without waiting for it to ask (see the
        protocol in :mod:`fo_lite.session.pages`); only after the outermost ``hold_sync`` has
        sent the new ``_version``, so the page never arrives before the version it is for."""
        collection = self._collection()
        if not self._push_wanted or self._holding_sync or collection is None:
            return
        self._push_wanted = False
        self._send_page(collection, 0, pages.FIRST_PAGE_ROWS, request_id=None)

    def _send_page(self, collection: Any, start: int, stop: int, request_id: str | None) -> None:
        """Send rows ``[start, stop)`` of ``collection`` with their thumbnails, as the grid
        shows them now (selection, label and tile fields)."""
        content, buffers = pages.build_page(
            collection,
            start,
            stop,
            version=self._version,
            selected=self._selected_set,
            label_field=self.label_field,
            tile_field=self.tile_field,
            thumbs=self._thumbs,
            executor=self._executor,
        )
        content["request_id"] = request_id
        self.send(content, buffers)

    def _commit_selection(
        self,
        ids: list[str] | None,
        chosen: set[str] | None = None,
        *,
        added: list[str] | None = None,
        removed: list[str] | None = None,
        ack: dict | None = None,
    ) -> None:
        """Replace the selection (``ids`` already unique, ``chosen`` its set) or, with
        ``ids=None``, only acknowledge a gesture."""
        if ids is None or (not ids and not self._selected_list()):
            if ack is not None:
                self._announce([], [], ack)
            return
        self._pending = {
            "list": ids,
            "set": chosen if chosen is not None else set(ids),
            "added": added if added is not None else [],
            "removed": removed if removed is not None else [],
            "ack": ack,
        }
        self.selected = ids

    def _announce(
        self, added: list[str], removed: list[str], ack: dict | None, reset: bool = False
    ) -> None:
        self._selected_count = len(self._selected_set)
        few = not reset and len(added) + len(removed) <= _FEW_CHANGES
        self.send(
            {
                "type": "selection",
                "count": self._selected_count,
                "added": added if few else [],
                "removed": removed if few else [],
                "reset": not few,
                "ack": ack,
            }
        )

    def _toggle_show_selected(self) -> None:
        self._keep_selection = True
        try:
            if self._before_show_selected is not None:
                (previous,), self._before_show_selected = self._before_show_selected, None
                self.view = previous
            elif self._selected_set and self.dataset is not None:
                only_selected = self.dataset.select(self._selected_list())
                self._before_show_selected = (self.view,)
                self.view = only_selected
        finally:
            self._keep_selection = False

    def _on_custom_msg(self, _widget: Any, content: Any, buffers: Any) -> None:
        # ipykernel 7 may deliver widget messages on a subshell thread while a cell runs; the
        # dataset is not thread-safe, so answer on the thread (event loop) that made the
        # session, which runs the handler once the cell has finished
        loop = self._home_loop
        if loop is not None and threading.current_thread() is not self._home_thread:
            try:
                loop.call_soon_threadsafe(protocol.handle_message, self, content, buffers)
                return
            except RuntimeError:  # the loop is closed: answer here rather than never
                pass
        protocol.handle_message(self, content, buffers)


def _as_ids(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if value is None:
        return []
    if isinstance(value, list) and all(type(item) is str for item in value):
        return list(dict.fromkeys(value))  # the common case, without a Python-level loop
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"selected must be a list of sample ids (strings), not {value!r:.80}"
        ) from None
    ids = []
    for item in items:
        sample_id = item if isinstance(item, str) else getattr(item, "id", None)
        if not isinstance(sample_id, str):
            raise TypeError(f"selected must hold sample ids (strings) or samples, not {item!r:.80}")
        ids.append(sample_id)
    return list(dict.fromkeys(ids))


def launch_dashboard(dataset: Any = None, view: Any = None, **kwargs: Any) -> Session:
    """Show the dashboard grid in this cell's output and return its :class:`Session`.

    >>> session = fo.launch_dashboard(dataset=dataset)  # doctest: +SKIP
    >>> session.view = dataset.view().take(10)           # doctest: +SKIP
    >>> session.selected                                 # ids clicked in the grid  # doctest: +SKIP

    Clicks, shift-click ranges and the header buttons reach Python only while the kernel is
    idle: while a cell is running, the grid's messages wait (its header shows "waiting for the
    kernel…") and are handled when the cell finishes, so read ``session.selected`` in a later
    cell, not in a loop of the cell that is running. Assign the result (``session = ...``); a bare call
    as the last line of a cell shows the grid twice. Keyword arguments go to :class:`Session`
    (``tile_field``, ``tile_size``, ``label_field``, ``executor`` for parallel thumbnails).
    """
    session = Session(dataset=dataset, view=view, **kwargs)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - plain Python without IPython
        return session
    if get_ipython() is not None:
        display(session)
        session._push_after_display()
    return session
