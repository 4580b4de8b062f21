"""Page helpers for the dashboard grid's DOM, which the browser tests read:

Root ``.fol-root`` (``data-version``: the grid state drawn); counts ``.fol-count`` ("1,000
samples · 3 selected"); buttons ``button[data-action=select-all|clear|show-selected|sidebar|tag|
untag|close-detail|expanded-prev|expanded-next|expanded-select]``, the tag box
``input[data-action=tag-input]``, the size ``input[data-action=tile-size]``; the scroller
``.fol-scroller[role=grid]`` holds rows ``.fol-row[role=row]`` of tiles ``.fol-tile[role=gridcell]``
with ``data-id``, ``data-index``, ``fol-selected`` + ``aria-selected``, ``fol-focused``, and inside
``img.fol-thumb`` or ``.fol-broken``, ``.fol-label``, ``.fol-field``, ``.fol-tag``, ``.fol-mark``,
``.fol-note``; group headers ``.fol-head`` (``.fol-head-text``, ``.fol-head-count``,
``.fol-head-note``, ``button[data-group-action]``); the sidebar ``.fol-sidebar`` with
``.fol-sb-field[data-path]`` > ``.fol-sb-value`` (``aria-pressed``) > ``.fol-sb-count``; the
expanded view ``.fol-detail`` with ``.fol-detail-row`` / ``.fol-detail-key`` /
``.fol-detail-value``.

Self-contained (no relative imports) so ``benchmarks/grid_browser.py`` can load it by path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def count_text(samples: int, selected: int) -> str:
    """The exact ``.fol-count`` text the contract specifies, e.g. ``1,000 samples · 3 selected``."""
    noun = "sample" if samples == 1 else "samples"
    return f"{samples:,} {noun} \u00b7 {selected:,} selected"


def poll(
    fn: Callable[[], Any],
    predicate: Callable[[Any], bool],
    timeout: float = 15.0,
    what: str = "condition",
    interval: float = 0.02,
) -> Any:
    """Call ``fn`` until ``predicate(fn())`` holds; return the value or raise AssertionError."""
    deadline = time.monotonic() + timeout
    value = fn()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: last value {value!r} after {timeout}s")
        time.sleep(interval)
        value = fn()
    return value


# [index, id] of every tile in the DOM, sorted by data-index
_JS_TILES = """
els => els.map(e => [Number(e.dataset.index), e.dataset.id]).sort((a, b) => a[0] - b[0])
"""
# how many tiles exist and how many intersect the scroller's visible box
_JS_TILE_STATS = """
root => {
  const sc = root.querySelector('.fol-scroller');
  const box = sc.getBoundingClientRect();
  const tiles = [...root.querySelectorAll('.fol-tile')];
  const visible = tiles.filter(t => {
    const r = t.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom && r.right > box.left && r.left < box.right;
  });
  const idx = visible.map(t => Number(t.dataset.index));
  return {total: tiles.length, visible: visible.length,
          first: idx.length ? Math.min(...idx) : -1, last: idx.length ? Math.max(...idx) : -1,
          scrollTop: sc.scrollTop, scrollHeight: sc.scrollHeight, clientHeight: sc.clientHeight};
}
"""
# indices of visible tiles whose thumbnail is decoded and painted
_JS_PAINTED = """
root => [...root.querySelectorAll('.fol-tile')]
  .filter(t => { const i = t.querySelector('img.fol-thumb');
                 return i && i.complete && i.naturalWidth > 0; })
  .map(t => Number(t.dataset.index))
"""


class Grid:
    """Locators and waits for the one dashboard grid shown in a notebook page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.root = page.locator(".fol-root")
        self.count = self.root.locator(".fol-count")
        self.scroller = self.root.locator(".fol-scroller")
        self.tiles = self.root.locator(".fol-tile")
        self.selected_tiles = self.root.locator(".fol-tile.fol-selected")
        self.detail = self.root.locator(".fol-detail")
        self.tile_size_input = self.root.locator('input[data-action="tile-size"]')

    def tile(self, index: int) -> Any:
        """The tile at position ``index`` of the current view."""
        return self.root.locator(f'.fol-tile[data-index="{index}"]')

    def tile_by_id(self, sample_id: str) -> Any:
        return self.root.locator(f'.fol-tile[data-id="{sample_id}"]')

    def button(self, action: str) -> Any:
        return self.root.locator(f'button[data-action="{action}"]')

    def dom_tiles(self) -> list[list]:
        """``[index, id]`` of every tile element, sorted by index."""
        return self.tiles.evaluate_all(_JS_TILES)

    def dom_ids(self) -> list[str]:
        return [sid for _, sid in self.dom_tiles()]

    def wait_dom_ids(self, expected: list[str], timeout: float = 15.0) -> list[str]:
        """Wait until the tiles in the DOM are exactly ``expected`` in view order."""
        return poll(self.dom_ids, lambda v: v == expected, timeout, "tile ids in the DOM")

    def stats(self) -> dict:
        """Tile counts (total in DOM, visible in the scroller) and the scroller's geometry."""
        return self.root.evaluate(_JS_TILE_STATS)

    def painted(self) -> list[int]:
        """Indices of tiles whose ``img.fol-thumb`` has decoded pixels."""
        return self.root.evaluate(_JS_PAINTED)

    def columns(self) -> int:
        """Tiles per row, measured from the layout of the first row."""
        return self.root.evaluate(
            """root => { const ts = [...root.querySelectorAll('.fol-tile')]
                 .sort((a, b) => a.dataset.index - b.dataset.index);
               const top = ts[0].getBoundingClientRect().top;
               return ts.filter(t => Math.abs(t.getBoundingClientRect().top - top) < 2).length; }"""
        )

    def scroll_to(self, fraction: float) -> None:
        """Jump the scroller to ``fraction`` (0..1) of its scrollable height."""
        self.scroller.evaluate(
            "(e, f) => { e.scrollTop = f * (e.scrollHeight - e.clientHeight); }", fraction
        )
