"""What a session shows without a live kernel: a text summary and a static HTML snapshot.

A saved notebook opened on GitHub or nbviewer cannot run the widget; its display bundle still
holds ``text/plain`` (the summary) and ``text/html`` (the first page of the grid with small
inline thumbnails). Both are deterministic (no memory addresses, no random ids) so saved
notebooks and nbval stay stable. Every text from data is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Container
from typing import Any

from fo_lite.session.text import format_value, resolve_field
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


def snapshot_html(
    collection: Any,
    name: str,
    selected: Container[str],
    selected_count: int,
    label_field: str | None,
    thumbs: ThumbnailCache,
    limit: int = SNAPSHOT_TILES,
    px: int = SNAPSHOT_PX,
) -> str:
    """A static HTML picture of the first ``limit`` rows of ``collection`` (inline JPEGs)."""
    esc = html.escape
    length = len(collection) if collection is not None else 0
    header = (
        f"<div><strong>fo_lite dashboard</strong> &mdash; {esc(name or '(no dataset)')}"
        f" &mdash; {esc(counts_text(length, selected_count))}"
        " <em>(static snapshot; run the notebook for the live grid)</em></div>"
    )
    tiles: list[str] = []
    if collection is not None:
        label_path = resolve_field(collection.get_field_schema(), label_field)
        rows = collection.rows(0, limit, ["filepath", *([label_path] if label_path else [])])
        labels = rows[label_path] if label_path else [None] * len(rows["id"])
        for sample_id, label, path in zip(rows["id"], labels, rows["filepath"], strict=True):
            tiles.append(_tile(thumbs.get(path, px=px), label, sample_id in selected, px))
    more = length - len(tiles)
    footer = f"<div><em>&hellip; and {more:,} more</em></div>" if more > 0 else ""
    return f'<div class="fol-snapshot">{header}<div>{"".join(tiles)}</div>{footer}</div>'


def _tile(thumb: Any, label: Any, chosen: bool, px: int) -> str:
    esc = html.escape
    if thumb.ok:
        src = base64.b64encode(thumb.data).decode("ascii")
        image = (
            f'<img src="data:{thumb.mime};base64,{src}" alt="" '
            f'style="width:{px}px;height:{px}px;object-fit:contain;display:block">'
        )
    else:
        image = (
            f'<div style="width:{px}px;height:{px}px;font-size:9px;overflow:hidden">'
            f"{esc(thumb.reason or '')}</div>"
        )
    border = "2px solid #1976d2" if chosen else "1px solid #ccc"
    caption = esc(format_value(label, 40) or "")
    return (
        f'<figure style="display:inline-block;margin:2px;'
        f'padding:2px;border:{border};vertical-align:top;width:{px}px">{image}'
        f'<figcaption style="font-size:10px;overflow:hidden;white-space:nowrap">'
        f"{caption}</figcaption></figure>"
    )
