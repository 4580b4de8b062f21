"""The grid in a live JupyterLab when the host lets it down, and what it hides there.

- Binary buffers dropped: Colab's widget manager has lost the binary buffers of custom
  messages (docs/frontends.md). Here the browser receives every kernel message with its buffers
  stripped: Playwright routes the kernel's websocket and re-frames each message without them
  (JupyterLab 4 speaks ``v1.kernel.websocket.jupyter.org``: little-endian uint64 offsets, then
  channel, header, parent header, metadata, content and the buffers). The grid must notice and
  ask for base64 text instead: thumbnails, group bands and the expanded view's image all work.
- The static snapshot printed after the grid (for readers without a kernel) stays hidden, with
  its output area, wherever the live grid runs.

The session's JupyterLab (``lab_server``), one notebook for the module.
"""

from __future__ import annotations

import json
import re
import struct

import pytest

from .grid_data import BROKEN_INDEX, MISSING_INDEX, N_SMALL, dashboard_cells
from .grid_page import Grid, count_text, poll
from .jupyter_harness import HarnessError, NotebookPage, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

KERNEL_SOCKET = re.compile(r".*/api/kernels/[^/]+/channels.*")


def strip_buffers(frame: bytes) -> tuple[bytes, int, dict]:
    """A v1 kernel websocket frame without its binary buffers: (frame, buffers dropped, content)."""
    (count,) = struct.unpack_from("<Q", frame)
    offsets = list(struct.unpack_from(f"<{count}Q", frame, 8))
    if offsets[0] != 8 * (count + 1) or offsets[-1] != len(frame):
        raise HarnessError(f"not a v1.kernel.websocket.jupyter.org frame: {frame[:64]!r}")
    parts = [frame[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]
    channel, kept = parts[0], parts[1:5]  # header, parent header, metadata, content
    dropped = len(parts) - 5
    ends = [8 * (2 + len(kept) + 1)]
    for part in (channel, *kept):
        ends.append(ends[-1] + len(part))
    head = struct.pack(f"<Q{len(ends)}Q", len(ends), *ends)
    return head + channel + b"".join(kept), dropped, json.loads(kept[3] or b"{}")


@pytest.fixture(scope="module")
def no_buffers(lab_server, browser, image_set):
    """The dashboard in a page whose kernel messages all arrive without binary buffers."""
    seen = {"dropped": 0, "inline": 0}

    def route(ws):
        server = ws.connect_to_server()

        def forward(message):
            if isinstance(message, bytes):
                message, dropped, content = strip_buffers(message)
                seen["dropped"] += dropped
                if isinstance(content.get("data", {}).get("content", {}).get("b64"), list):
                    seen["inline"] += 1
            ws.send(message)

        server.on_message(forward)

    cells = dashboard_cells(image_set.json_path, "no_buffers")
    nb = NotebookPage(lab_server, browser, "no_buffers.ipynb", cells)
    try:
        nb.page.route_web_socket(KERNEL_SOCKET, route)
        nb.open().run_all()
        grid = Grid(nb.page)
        expect(grid.count).to_have_text(count_text(N_SMALL, 0))
        yield nb, grid, seen
    finally:
        nb.close()


def test_thumbnails_paint_when_the_host_drops_binary_buffers(no_buffers):
    nb, grid, seen = no_buffers
    drawn = {i for i, _ in grid.dom_tiles()} - {BROKEN_INDEX, MISSING_INDEX}
    assert len(drawn) > 20, drawn
    poll(grid.painted, lambda p: set(p) == drawn, what="every drawn thumbnail painted")
    assert seen["dropped"] > 0, "the first page's buffers were stripped"
    assert seen["inline"] > 0, "then pages came with their images as base64 text"
    assert nb.evaluate("session.selected") == []
    grid.tile(1).click()  # and the grid still works both ways
    nb.wait_for("len(session.selected)", lambda n: n == 1)
    expect(grid.count).to_have_text(count_text(N_SMALL, 1))


def test_group_bands_and_the_expanded_image_come_inline_too(no_buffers):
    nb, grid, seen = no_buffers
    try:
        nb.execute('session.group_by = "ground_truth.label"')
        heads = grid.root.locator(".fol-head")
        expect(heads.first).to_be_visible()  # the band starts (an int32 buffer) arrived
        grid.tile(0).dblclick()
        image = grid.detail.locator("img.fol-detail-img")
        expect(image).to_be_visible()
        poll(
            lambda: image.evaluate("i => i.complete && i.naturalWidth"),
            lambda w: w and w > 0,
            what="expanded image decoded",
        )
    finally:
        if grid.detail.is_visible():
            grid.button("close-detail").click()
        nb.execute("session.group_by = None\nsession.selected = []")


def test_the_static_snapshot_output_is_hidden_where_the_grid_runs(no_buffers):
    nb, grid, _ = no_buffers
    static = nb.page.locator(".fol-static")
    expect(static).to_have_count(1)  # printed after the grid, for readers without a kernel
    expect(static).to_be_hidden()
    area = static.evaluate("e => e.closest('.jp-OutputArea-child').getBoundingClientRect().height")
    assert area == 0, "its output area takes no room"
    expect(grid.root).not_to_contain_text("static snapshot")  # the live grid, not the picture
