"""What a session shows without a live kernel: a text summary and a static snapshot.

A saved notebook opened on GitHub or nbviewer, or exported by nbconvert, cannot run the widget.
For those readers a display of the grid leaves three things (``Session._ipython_display_``):

- the widget's ``text/plain``: the summary (:func:`summary_text`);
- a ``text/html`` output of its own after the grid: the first rows with small inline thumbnails
  (:func:`snapshot_html`), hidden by the grid's stylesheet wherever the live grid runs;
- the synced ``_snapshot`` trait (:class:`~fo_lite.session.messages.Snapshot`): the same rows as a
  page the grid draws when no kernel answers, for a notebook saved with its widget state, where
  nbconvert shows the widget instead of the other formats of its output.

The texts are deterministic (no memory addresses, no random ids) so saved notebooks and nbval
stay stable. Every text from data is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Container
from typing import Any

from fo_lite.session import pages
from fo_lite.session.decorations import Decorations
from fo_lite.session.messages import GridState, PageReply, Snapshot
from fo_lite.session.text import format_value
from fo_lite.session.thumbnails import ThumbnailCache

SNAPSHOT_TILES = 24
SNAPSHOT_PX = 64
_VIEW_TEXT_MAX = 160
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


def view_text(stages: list[dict[str, Any]]) -> str:
    """A one-line description of serialized stages, e.g. ``match({...}) > limit(10)``."""
    if not stages:
        return "(whole dataset)"
    parts = []
    for stage in stages:
        kwargs = stage.get("kwargs", {})
        args = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items() if v is not None)
        parts.append(f"{stage.get('_stage', '?')}({args})")
    text = " > ".join(parts)
    return text if len(text) <= _VIEW_TEXT_MAX else text[: _VIEW_TEXT_MAX - 1] + "…"


def _short(value: Any) -> str:
    # ids differ on every run: leave them out so saved outputs stay the same (nbval)
    if isinstance(value, dict) and set(value) == {"_items"}:
        return f"<{value['_items']:,} items>"
    if isinstance(value, (list, tuple)):
        return f"<{len(value):,} items>"
    if isinstance(value, str) and _OBJECT_ID.fullmatch(value):
        return "<id>"
    return format_value(value, 60) or "None"


def counts_text(length: int, selected: int) -> str:
    """The grid header's counts, e.g. ``1,000 samples · 3 selected``."""
    noun = "sample" if length == 1 else "samples"
    return f"{length:,} {noun} \u00b7 {selected:,} selected"


def summary_text(
    name: str, stages: list[dict[str, Any]], length: int, selected: int, tile_field: str | None
) -> str:
    """The session's stable text repr."""
    lines = [
        "Dashboard:  fo_lite grid (live while the kernel runs)",
        f"Dataset:    {name or '(none)'}",
        f"View:       {view_text(stages)}",
        f"Samples:    {length:,}",
        f"Selected:   {selected:,}",
    ]
    if tile_field:
        lines.append(f"Tile field: {tile_field}")
    return "\n".join(lines)


def take(
    collection: Any,
    state: GridState,
    selected: Container[str],
    *,
    label_field: str | None,
    tile_field: str | None,
    thumbs: ThumbnailCache,
    decorations: Decorations | None = None,
) -> tuple[Snapshot, str]:
    """What a reader without a kernel sees of a grid showing ``collection`` (its rows in order)
    in ``state``: the ``_snapshot`` trait (the state and the first :data:`SNAPSHOT_TILES` rows,
    thumbnails of :data:`SNAPSHOT_PX` pixels as base64 text) and the same rows as static HTML.
    The rows are read once, through :func:`fo_lite.session.pages.build_page`."""
    page: PageReply | None = None
    if collection is not None:
        page, buffers = pages.build_page(
            collection,
            0,
            SNAPSHOT_TILES,
            version=state["version"],
            selected=selected,
            label_field=label_field,
            tile_field=tile_field,
            thumbs=thumbs,
            decorations=decorations,
            px=SNAPSHOT_PX,
        )
        page["b64"] = [base64.b64encode(b).decode("ascii") for b in buffers]
    html_text = snapshot_html(
        page, state["dataset_name"], state["length"], state["selected_count"], SNAPSHOT_PX
    )
    return {"state": state, "page": page, "px": SNAPSHOT_PX}, html_text


def snapshot_html(
    page: PageReply | None, name: str, length: int, selected_count: int, px: int = SNAPSHOT_PX
) -> str:
    """A static HTML picture of a page of rows whose thumbnails are inline (``page["b64"]``).

    Its class ``fol-static`` is hidden by the grid's stylesheet: wherever the live grid runs the
    picture is not shown, and where it cannot (no kernel, no widget code) it is all there is."""
    esc = html.escape
    header = (
        f"<div><strong>fo_lite dashboard</strong> &mdash; {esc(name or '(no dataset)')}"
        f" &mdash; {esc(counts_text(length, selected_count))}"
        " <em>(static snapshot; run the notebook for the live grid)</em></div>"
    )
    tiles: list[str] = []
    if page is not None:
        inline = page["b64"] or []
        for i, label in enumerate(page["labels"]):
            b = page["thumbs"][i]
            src = f"data:{page['mimes'][i]};base64,{inline[b]}" if b is not None else None
            tiles.append(_tile(src, page["broken"][i], label, page["selected"][i], px))
    more = length - len(tiles)
    footer = f"<div><em>&hellip; and {more:,} more</em></div>" if more > 0 else ""
    return f'<div class="fol-snapshot fol-static">{header}<div>{"".join(tiles)}</div>{footer}</div>'


def _tile(src: str | None, broken: str | None, label: Any, chosen: bool, px: int) -> str:
    esc = html.escape
    if src is not None:
        image = (
            f'<img src="{esc(src)}" alt="" loading="lazy" decoding="async" '
            f'style="width:{px}px;height:{px}px;object-fit:contain;display:block">'
        )
    else:
        image = (
            f'<div style="width:{px}px;height:{px}px;font-size:9px;overflow:hidden">'
            f"{esc(broken or '')}</div>"
        )
    border = "2px solid #1976d2" if chosen else "1px solid #ccc"
    caption = esc(format_value(label, 40) or "")
    return (
        f'<figure style="display:inline-block;margin:2px;'
        f'padding:2px;border:{border};vertical-align:top;width:{px}px">{image}'
        f'<figcaption style="font-size:10px;overflow:hidden;white-space:nowrap">'
        f"{caption}</figcaption></figure>"
    )
