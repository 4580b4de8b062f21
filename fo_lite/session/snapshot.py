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
from typing import TYPE_CHECKING, Any

from fo_lite.session import pages

if TYPE_CHECKING:
    from fo_lite.session.session import Session

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
    return pages.format_value(value, 60) or "None"


def counts_text(length: int, selected: int) -> str:
    """The grid header's counts, e.g. ``1,000 samples · 3 selected``."""
    noun = "sample" if length == 1 else "samples"
    return f"{length:,} {noun} \u00b7 {selected:,} selected"


def summary_text(session: Session) -> str:
    """The session's stable text repr."""
    name = session._name() or "(none)"
    lines = [
        "Dashboard:  fo_lite grid (live while the kernel runs)",
        f"Dataset:    {name}",
        f"View:       {view_text(session._view)}",
        f"Samples:    {session._length:,}",
        f"Selected:   {session._selected_count:,}",
    ]
    if session.tile_field:
        lines.append(f"Tile field: {session.tile_field}")
    return "\n".join(lines)


def snapshot_html(session: Session, limit: int = SNAPSHOT_TILES, px: int = SNAPSHOT_PX) -> str:
    """A static HTML picture of the grid's first ``limit`` tiles (inline JPEG thumbnails)."""
    esc = html.escape
    header = (
        f"<div><strong>fo_lite dashboard</strong> &mdash; {esc(session._name() or '(no dataset)')}"
        f" &mdash; {esc(counts_text(session._length, session._selected_count))}"
        " <em>(static snapshot; run the notebook for the live grid)</em></div>"
    )
    collection = session._collection()
    tiles: list[str] = []
    if collection is not None:
        positions, ids = pages.window(collection, 0, limit)
        frame = collection._dataset._live_frame()
        label_col = pages.resolve_column(frame.columns, session.label_field)
        labels = pages.column_values(frame, label_col, positions)
        paths = pages.column_values(frame, "filepath", positions)
        chosen = session._selected_set
        for sample_id, label, path in zip(ids, labels, paths, strict=True):
            thumb = session._thumbs.get(path, px=px)
            if thumb.ok:
                src = base64.b64encode(thumb.data).decode("ascii")  # type: ignore[arg-type]
                image = (
                    f'<img src="data:{thumb.mime};base64,{src}" alt="" '
                    f'style="width:{px}px;height:{px}px;object-fit:contain;display:block">'
                )
            else:
                image = (
                    f'<div style="width:{px}px;height:{px}px;font-size:9px;overflow:hidden">'
                    f"{esc(thumb.reason or '')}</div>"
                )
            border = "2px solid #1976d2" if sample_id in chosen else "1px solid #ccc"
            caption = esc(pages.format_value(label, 40) or "")
            tiles.append(
                f'<figure style="display:inline-block;margin:2px;'
                f'padding:2px;border:{border};vertical-align:top;width:{px}px">{image}'
                f'<figcaption style="font-size:10px;overflow:hidden;white-space:nowrap">'
                f"{caption}</figcaption></figure>"
            )
    more = session._length - len(tiles)
    footer = f"<div><em>&hellip; and {more:,} more</em></div>" if more > 0 else ""
    return f'<div class="fol-snapshot">{header}<div>{"".join(tiles)}</div>{footer}</div>'
