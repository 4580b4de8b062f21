"""The grid's front end in a shadow root (as marimo shows widgets) with a fake kernel: keyboard
focus survives virtualization, ARIA grid roles, keys, and group bands at a million rows.

No Jupyter here: ``fake_kernel.js`` mounts the bundled module (exactly what anywidget loads)
with a fake model that answers pages and gestures, so these run in a few seconds. What the real
kernel sees is tested in test_grid_lab.py and test_grid_notebook7.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fo_lite.session import esm

from .grid_page import poll
from .jupyter_harness import playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

REPO = Path(__file__).resolve().parents[2]
MOUNT = (Path(__file__).parent / "fake_kernel.js").read_text()


@pytest.fixture
def mount(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    source = esm.bundle(REPO / "widgets" / "grid.js")
    css = (REPO / "widgets" / "grid.css").read_text()

    def mount(n: int, group_size: int = 0, wait: bool = True, **opts):
        page.set_content("<!doctype html><body></body>")
        page.evaluate(MOUNT, [source, css, {"n": n, "groupSize": group_size, **opts}])
        if wait:
            expect(page.locator(".fol-tile[data-index='0'][data-id]")).to_be_visible()
        return page

    yield mount
    assert errors == []
    context.close()


def focused(page) -> dict:
    """What has the focus inside the shadow root, and what the document thinks."""
    return page.evaluate(
        """() => { const a = window.__fake.shadow.activeElement;
             return {index: a && a.dataset.index !== undefined ? Number(a.dataset.index) : null,
                     cls: a ? a.className : null, doc: document.activeElement.id}; }"""
    )


def test_keyboard_focus_survives_virtualization_in_a_shadow_root(mount):
    page = mount(100_000)
    page.locator(".fol-tile[data-index='0']").click()
    assert focused(page)["doc"] == "host", "document.activeElement is the shadow host"
    assert focused(page)["index"] == 0
    for _ in range(40):
        page.keyboard.press("PageDown")
    far = poll(lambda: focused(page), lambda f: (f["index"] or 0) > 1000, what="focus far down")
    assert "fol-focused" in far["cls"]
    tile = page.locator(f".fol-tile[data-index='{far['index']}']")
    expect(tile).to_be_in_viewport()
    # scroll the focused tile out of the DOM with the wheel, then keep using the keys
    page.locator(".fol-scroller").evaluate("e => { e.scrollTop = 0; }")
    expect(tile).to_have_count(0)
    page.keyboard.press("ArrowRight")
    after = poll(lambda: focused(page), lambda f: f["index"] == far["index"] + 1, what="refocus")
    assert "fol-focused" in after["cls"]
    page.keyboard.press("Space")
    want = ["id0000000", f"id{after['index']:07d}"]  # the click on tile 0 selected it
    poll(lambda: page.evaluate("[...window.__fake.selected]"), lambda s: s == want, what="Space")
    expect(page.locator(f".fol-tile[data-index='{after['index']}']")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("End")
    poll(lambda: focused(page)["index"], lambda i: i == 99_999, what="End")
    page.keyboard.press("Home")
    poll(lambda: focused(page)["index"], lambda i: i == 0, what="Home")


def test_keys_on_a_tile_whose_page_has_not_arrived_name_it_by_index(mount):
    page = mount(10_000)
    page.locator(".fol-tile[data-index='0']").click()
    page.evaluate("window.__fake.hold = true")
    page.keyboard.press("End")
    poll(lambda: focused(page)["index"], lambda i: i == 9_999, what="End")
    last = page.locator(".fol-tile[data-index='9999']")
    expect(last).to_contain_class("fol-loading")  # its page is held back
    page.keyboard.press("Space")
    poll(
        lambda: page.evaluate("[...window.__fake.selected]"),
        lambda s: s == ["id0000000", "id0009999"],
        what="the unloaded tile toggled by index",
    )
    page.keyboard.press("Enter")
    expect(page.locator(".fol-detail-where")).to_have_text("10,000 / 10,000")
    toggles = [m for m in page.evaluate("window.__fake.sent") if m["type"] == "toggle"]
    assert toggles[-1]["id"] is None and toggles[-1]["index"] == 9_999
    page.evaluate("window.__fake.hold = false; window.__fake.release()")
    page.keyboard.press("Escape")
    expect(page.locator(".fol-detail")).to_be_hidden()
    expect(last).to_have_attribute("aria-selected", "true")


def test_aria_grid_rows_and_gridcells(mount):
    page = mount(50)
    grid = page.locator("[role=grid]")
    expect(grid).to_have_attribute("aria-multiselectable", "true")
    rows = page.locator("[role=grid] [role=row]")
    assert rows.count() >= 2
    assert rows.nth(0).get_attribute("aria-rowindex") == "1"
    cells = rows.nth(0).locator("[role=gridcell]")
    assert cells.count() == int(grid.get_attribute("aria-colcount"))
    assert cells.nth(1).get_attribute("aria-colindex") == "2"
    cells.nth(1).click()
    expect(cells.nth(1)).to_have_attribute("aria-selected", "true")
    expect(cells.nth(0)).to_have_attribute("aria-selected", "false")


def test_shift_arrows_extend_ctrl_a_selects_all_escape_clears(mount):
    page = mount(200)
    page.locator(".fol-tile[data-index='5']").click()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    poll(
        lambda: sorted(page.evaluate("[...window.__fake.selected]")),
        lambda s: s == [f"id{i:07d}" for i in range(5, 9)],
        what="rows 5-8 selected",
    )
    sent = lambda: [m["type"] for m in page.evaluate("window.__fake.sent") if "client" in m]  # noqa: E731
    page.keyboard.press("Control+a")
    poll(sent, lambda s: s[-1] == "select-all", what="select-all sent")
    page.keyboard.press("Escape")
    poll(sent, lambda s: s[-1] == "clear", what="clear sent")
    expect(page.locator(".fol-tile.fol-selected")).to_have_count(0)


def test_a_million_rows_in_group_bands_stay_virtualized(mount):
    page = mount(1_000_000, group_size=10)
    heads = page.locator(".fol-head")
    expect(heads.first).to_contain_text("group 0")
    page.evaluate(
        """() => { const root = window.__fake.shadow;
             window.__maxTiles = 0;
             new MutationObserver(() => { window.__maxTiles = Math.max(window.__maxTiles,
               root.querySelectorAll('.fol-tile').length); })
             .observe(root, {childList: true, subtree: true}); }"""
    )
    scroller = page.locator(".fol-scroller")
    for frac in (0.5, 1.0):
        scroller.evaluate(
            "(e, f) => { e.scrollTop = f * (e.scrollHeight - e.clientHeight); }", frac
        )
        want = int(frac * 99_999)
        expect(heads.filter(has_text=f"group {want}").first).to_be_visible()
    last = page.locator(".fol-tile[data-index='999999']")
    expect(last).to_have_attribute("data-id", "id0999999")
    assert page.evaluate("window.__maxTiles") < 400
    # a band is one group: its tiles sit between its header and the next one
    box = heads.filter(has_text="group 99999").bounding_box()
    assert last.bounding_box()["y"] > box["y"]


def test_a_kernel_answering_after_the_snapshot_shows_the_live_grouped_view(mount):
    """No answer for 2 s: the saved snapshot is drawn and says so. Then Python answers with a
    new, grouped state: the grid goes live on it, asks for its groups and draws the bands."""
    page = mount(200, group_size=20, snapshot=True, silent=True, flatFirst=True, wait=False)
    root = page.locator(".fol-root")
    expect(root).to_contain_text("static snapshot (the first 24)", timeout=5000)
    expect(page.locator(".fol-tile")).to_have_count(24)
    assert page.locator(".fol-head").count() == 0
    page.evaluate("window.__fake.wake({version: 2, view_serial: 2, grouped: true, group_by: 'g'})")
    expect(root).not_to_contain_text("static snapshot")
    expect(page.locator(".fol-head").first).to_contain_text("group 0")
    sent = page.evaluate("window.__fake.sent.map((m) => m.type)")
    assert "groups" in sent, sent
    page.locator(".fol-tile[data-index='3']").click()
    poll(lambda: page.evaluate("window.__fake.selected.size"), lambda k: k == 1, what="the click")


def test_an_empty_view_does_not_turn_into_a_snapshot(mount):
    """An empty view asks Python nothing, so a quiet kernel is no sign of its absence."""
    page = mount(0, snapshot=True, wait=False)
    expect(page.locator(".fol-header")).to_be_visible()
    page.wait_for_timeout(2600)  # past the snapshot's wait
    expect(page.locator(".fol-root")).not_to_contain_text("static snapshot")
