"""Answers the grid's requests: rows, thumbnails and selection flags for a window of the view.

Python owns the truth; the grid only ever holds the window of rows it draws. Everything here
works on ``collection._row_positions()`` (cached per dataset version, so O(1) between changes)
and ``dataset._live_frame()``; a request for rows ``[start, stop)`` slices the positions and
takes just those rows from the needed columns: it never scans the whole frame.

Protocol (custom widget messages; ``version`` is the session's ``_version`` trait)
==================================================================================

The state traits synced with the front end stay small: ``_version`` (bumps when the dataset, the
view, its rows or the shown fields change), ``_view_serial`` (bumps when a new view or dataset is
assigned: the grid scrolls back to the top), ``_length`` (rows in the view), ``_view`` (the view's
stages, long lists shortened), ``_selected_count``, ``_showing_selected``, ``tile_field`` and
``tile_size``. Never the frame, never all ids.

Front end -> Python. Every message is a JSON object with a ``type``; requests carry a
``request_id`` (a string unique per grid, echoed back) and the ``version`` the grid draws;
gestures carry ``client`` (the grid's random id) and ``seq`` (its gesture counter), echoed back as
``ack`` so the grid knows the kernel saw them.

- ``{"type": "page", "request_id", "version", "start", "stop"}``: rows ``[start, stop)`` of the
  view (at most :data:`MAX_PAGE` rows).
- ``{"type": "flags", "request_id", "version", "start", "stop"}``: selected flags only.
- ``{"type": "detail", "request_id", "version", "id"}``: every field of one sample + a large image.
- ``{"type": "toggle", "version", "index", "id", "client", "seq"}``: click / Space on a tile; the
  id must still be the row at ``index`` of the view at ``version``.
- ``{"type": "range", "version", "start", "stop", "client", "seq"}``: shift-click; add the rows
  ``[start, stop)`` of the view to the selection.
- ``{"type": "select-all" | "clear" | "show-selected", "client", "seq"}``: header buttons and
  Escape. ``show-selected`` shows only the selection (keeping it), or, when already doing that,
  goes back to the previous view.

Python -> front end:

- ``{"type": "page", "request_id", "version", "start", "stop", "length", "ids", "labels",
  "fields", "selected", "thumbs", "mimes", "broken"}``: column lists, one entry per row.
  ``thumbs[i]`` is the index into the message's binary ``buffers`` of row i's thumbnail (JPEG
  bytes of type ``mimes[i]``) or ``null`` with ``broken[i]`` the reason (missing, unreadable,
  corrupt). ``labels``/``fields`` are text or ``null``.
  A page with ``"request_id": null`` is *pushed*: right after ``launch_dashboard`` /
  ``session.show()`` display the grid, and after a new view or dataset is assigned once a grid
  has asked for a page, Python sends rows ``[0, FIRST_PAGE_ROWS)`` of the view (after the trait
  update that bumps ``version``), so the grid (which starts at the top) paints them without a
  round trip. The front end's ``initialize`` keeps the latest pushed page per session (by the
  synced ``_grid_key``) for grids rendered after it arrived; every display takes it when its
  ``version`` matches (one that has not seen the new version yet keeps it until it does); a
  grid may still ask for the same page.
- ``{"type": "flags", "request_id", "version", "start", "ids", "selected"}``.
- ``{"type": "detail", "request_id", "id", "fields": [[key, text], ...], "image", "mime",
  "broken"}``: ``image`` is a buffer index or ``null``.
- ``{"type": "stale", "request_id", "version"}``: the request named an older version; the grid
  drops it and asks again for the new one.
- ``{"type": "error", "request_id", "message"}``: e.g. the sample of a detail request is gone.
- ``{"type": "selection", "count", "added", "removed", "reset", "ack"}``: the selection changed
  (or a gesture was handled). ``added``/``removed`` list the ids that changed when there are
  few; ``reset: true`` means many changed and the grid re-asks flags for the rows it holds.

The grid drops replies whose ``request_id`` it did not send (other displays of the same session
receive them too) or whose ``version`` is not the one it draws.

Messages are handled one at a time on the thread and event loop that made the session (the
kernel's main thread), never concurrently with a running cell: ipykernel 7 may deliver them on a
subshell thread, and :class:`~fo_lite.session.session.Session` hands them over to its loop.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from fo_lite.session.thumbnails import ThumbnailCache

MAX_PAGE = 500
FIRST_PAGE_ROWS = 60  # the grid's page size (PAGE in widgets/grid.js): what a pushed page holds
DETAIL_PX = 1024
_TILE_TEXT_MAX = 300
_DETAIL_TEXT_MAX = 20_000


def format_value(value: Any, limit: int = _TILE_TEXT_MAX) -> str | None:
    """A field value as display text (``None`` for null); never HTML, the grid sets textContent.

    >>> format_value(0.123456789), format_value(["a", "b"]), format_value(float("nan"))
    ('0.123457', 'a, b', None)
    """
    text = _to_text(value)
    if text is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else f"{float(value):.6g}"
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            return "[]"
        return ", ".join(t for t in (_to_text(v) for v in value) if t is not None)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def resolve_column(columns: Iterable[str], field: str | None) -> str | None:
    """The frame column to show for ``field``: ``<field>.label`` for a label field, else the
    field itself when it is a plain column; ``None`` when the dataset has neither."""
    if not field:
        return None
    cols = set(columns)
    for candidate in (f"{field}.label", field):
        if candidate in cols:
            return candidate
    return None


def window(collection: Any, start: int, stop: int) -> tuple[np.ndarray, list[str]]:
    """Frame positions and ids of rows ``[start, stop)`` of ``collection`` (clamped)."""
    positions = collection._row_positions()
    stop = min(max(stop, 0), len(positions))
    start = min(max(start, 0), stop)
    pos = positions[start:stop]
    frame = collection._dataset._live_frame()
    return pos, frame["id"].iloc[pos].tolist()


def column_values(frame: Any, column: str | None, positions: np.ndarray) -> list[Any]:
    """Values of ``column`` at ``positions`` (all ``None`` if the column does not exist)."""
    if column is None or column not in frame.columns:
        return [None] * len(positions)
    return frame[column].iloc[positions].tolist()


def view_ids(collection: Any, start: int = 0, stop: int | None = None) -> list[str]:
    """Ids of rows ``[start, stop)`` of the view (all rows by default), in view order."""
    positions = collection._row_positions()
    stop = len(positions) if stop is None else stop
    return window(collection, start, stop)[1]


def build_page(
    collection: Any,
    start: int,
    stop: int,
    *,
    version: int,
    selected: set[str],
    label_field: str | None,
    tile_field: str | None,
    thumbs: ThumbnailCache,
    executor: Executor | None = None,
) -> tuple[dict[str, Any], list[bytes]]:
    """The reply to a page request: JSON content and the thumbnails as binary buffers."""
    stop = min(stop, start + MAX_PAGE)
    positions, ids = window(collection, start, stop)
    frame = collection._dataset._live_frame()
    labels = column_values(frame, resolve_column(frame.columns, label_field), positions)
    field_col = resolve_column(frame.columns, tile_field)
    fields = column_values(frame, field_col, positions) if tile_field else [None] * len(ids)
    paths = column_values(frame, "filepath", positions)
    images = thumbs.get_many(paths, executor=executor)
    buffers: list[bytes] = []
    thumb_index: list[int | None] = []
    for image in images:
        if image.ok:
            thumb_index.append(len(buffers))
            buffers.append(image.data)  # type: ignore[arg-type]
        else:
            thumb_index.append(None)
    content = {
        "type": "page",
        "version": version,
        "start": start,
        "stop": start + len(ids),
        "length": len(collection._row_positions()),
        "ids": ids,
        "labels": [format_value(v) for v in labels],
        "fields": [format_value(v) for v in fields],
        "selected": [i in selected for i in ids],
        "thumbs": thumb_index,
        "mimes": [image.mime for image in images],
        "broken": [image.reason for image in images],
    }
    return content, buffers


def build_flags(
    collection: Any, start: int, stop: int, *, version: int, selected: set[str]
) -> dict[str, Any]:
    """The reply to a flags request: ids and selected flags of rows ``[start, stop)``."""
    _, ids = window(collection, start, min(stop, start + 20 * MAX_PAGE))
    return {
        "type": "flags",
        "version": version,
        "start": start,
        "ids": ids,
        "selected": [i in selected for i in ids],
    }


def detail_fields(sample_dict: dict[str, Any]) -> list[list[str]]:
    """``sample.to_dict()`` as ``[key, text]`` pairs: id and filepath first, embedded labels
    flattened to dotted keys, internal keys (``_cls``) left out."""
    flat: list[tuple[str, Any]] = []

    def visit(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, sub in value.items():
                if not str(key).startswith("_"):
                    visit(f"{prefix}.{key}", sub)
        else:
            flat.append((prefix, value))

    for key, value in sample_dict.items():
        visit(str(key), value)
    first = {"id": 0, "filepath": 1}
    flat.sort(key=lambda kv: first.get(kv[0], 2))
    return [[key, _detail_text(value)] for key, value in flat]


def _detail_text(value: Any) -> str:
    text = format_value(value, _DETAIL_TEXT_MAX)
    return "None" if text is None else text


def build_detail(
    dataset: Any, sample_id: str, thumbs: ThumbnailCache
) -> tuple[dict[str, Any], list[bytes]]:
    """The reply to a detail request (raises ``KeyError`` when the sample is gone)."""
    sample = dataset[sample_id]
    fields = detail_fields(sample.to_dict())
    image = thumbs.get(sample.filepath, px=DETAIL_PX)
    content = {
        "type": "detail",
        "id": sample_id,
        "fields": fields,
        "image": 0 if image.ok else None,
        "mime": image.mime,
        "broken": image.reason,
    }
    return content, ([image.data] if image.ok else [])  # type: ignore[list-item]


def compact_stages(stages: Sequence[dict[str, Any]], max_items: int = 20) -> list[dict[str, Any]]:
    """The serialized view with long lists (e.g. ``select`` of 100k ids) cut to a count, so the
    synced trait stays small."""

    def shrink(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if len(value) > max_items:
                return {"_items": len(value)}
            return [shrink(v) for v in value]
        if isinstance(value, dict):
            return {k: shrink(v) for k, v in value.items()}
        return value

    return [shrink(dict(stage)) for stage in stages]
