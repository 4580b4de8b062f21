"""The dashboard grid end to end in a real JupyterLab 4 with headless chromium.

One JupyterLab per test session; one notebook (``dash``) shared by the small-dataset tests, reset
before each test; the 100,000-sample and refresh tests open their own notebooks. Every wait is on
DOM state (Playwright ``expect``) or on kernel state (polling ``session.*`` through a kernel
client), never a fixed sleep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from .grid_data import (
    BROKEN_INDEX,
    MISSING_INDEX,
    N_SMALL,
    XSS_INDEX,
    XSS_LABEL,
    ImageSet,
    dashboard_cells,
)
from .grid_page import Grid, count_text, poll
from .jupyter_harness import NotebookPage, open_notebook, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

REPO = Path(__file__).resolve().parents[2]
SELECTED = "session.selected"
VIEW_IDS = "None if session.view is None else session.view.values('id')"


def same_ids(expected):
    """Predicate: a list of ids holding exactly ``expected`` (any order, no duplicates)."""
    want = sorted(expected)
    return lambda got: isinstance(got, list) and sorted(got) == want


@dataclass
class Dash:
    nb: NotebookPage
    grid: Grid
    ids: list[str]
    images: ImageSet
    tile_size: int


@pytest.fixture(scope="module")
def dash(lab_server, browser, image_set):
    nb = open_notebook(
        lab_server, browser, "grid.ipynb", dashboard_cells(image_set.json_path, "browser_grid")
    )
    try:
        grid = Grid(nb.page)
        expect(grid.root).to_be_visible()
        ids = nb.evaluate("dataset.values('id')")
        assert len(ids) == N_SMALL
        yield Dash(nb, grid, ids, image_set, nb.evaluate("session.tile_size"))
    finally:
        nb.close()


@pytest.fixture
def d(dash):
    """The shared dashboard reset: whole dataset, nothing selected, no field, no detail open."""
    nb, grid = dash.nb, dash.grid
    if grid.detail.is_visible():
        grid.button("close-detail").click()
    nb.execute(
        "session.view = None\nsession.selected = []\nsession.tile_field = None\n"
        f"session.tile_size = {dash.tile_size}"
    )
    grid.scroll_to(0)
    expect(grid.count).to_have_text(count_text(N_SMALL, 0))
    expect(grid.selected_tiles).to_have_count(0)
    expect(grid.detail).to_be_hidden()
    expect(grid.tile(0)).to_have_attribute("data-id", dash.ids[0])
    yield dash
    assert nb.dialogs == [], f"a dialog fired: {nb.dialogs}"


def detail_rows(grid: Grid) -> list[tuple[str, str]]:
    rows = grid.detail.locator(".fol-detail-row").evaluate_all(
        """rows => rows.map(r => [r.querySelector('.fol-detail-key').textContent.trim(),
                                 r.querySelector('.fol-detail-value').textContent.trim()])"""
    )
    return [tuple(r) for r in rows]


def wait_detail(grid: Grid, filepath: str) -> list[tuple[str, str]]:
    """Wait until the open detail panel lists the sample whose filepath is ``filepath``."""
    expect(grid.detail).to_be_visible()
    return poll(
        lambda: detail_rows(grid),
        lambda rows: ("filepath", filepath) in rows,
        what=f"detail rows showing filepath {filepath}",
    )


def test_click_three_tiles_selects_them_in_the_kernel(d, tmp_path):
    grid, nb = d.grid, d.nb
    tiles = [grid.tile(i) for i in (0, 1, 2)]
    for t in tiles:
        t.click()
    clicked = [t.get_attribute("data-id") for t in tiles]
    assert clicked == d.ids[:3], "data-id must be the sample id of the tile's view position"
    assert len(nb.wait_for(SELECTED, same_ids(clicked))) == 3
    expect(grid.count).to_have_text(count_text(N_SMALL, 3))
    for t in tiles:
        expect(t).to_contain_class("fol-selected")
        expect(t).to_have_attribute("aria-selected", "true")
    expect(grid.selected_tiles).to_have_count(3)

    grid.root.screenshot(path=tmp_path / "grid.png")
    assert (tmp_path / "grid.png").stat().st_size > 5_000

    tiles[1].click()  # toggles off
    nb.wait_for(SELECTED, same_ids([clicked[0], clicked[2]]))
    expect(grid.count).to_have_text(count_text(N_SMALL, 2))
    expect(tiles[1]).not_to_contain_class("fol-selected")
    expect(tiles[0]).to_contain_class("fol-selected")


def test_python_sets_view_and_selection(d):
    grid, nb = d.grid, d.nb
    nb.run_cell("session.view = dataset.view().take(10, seed=51)")  # typed in a cell, as a user
    view_ids = nb.evaluate(VIEW_IDS)
    assert len(view_ids) == 10
    expect(grid.count).to_have_text(count_text(10, 0))
    expect(grid.tiles).to_have_count(10)
    grid.wait_dom_ids(view_ids)

    nb.execute(f"session.selected = [{view_ids[4]!r}]")
    expect(grid.tile_by_id(view_ids[4])).to_contain_class("fol-selected")
    expect(grid.tile_by_id(view_ids[4])).to_have_attribute("aria-selected", "true")
    expect(grid.selected_tiles).to_have_count(1)
    expect(grid.count).to_have_text(count_text(10, 1))

    chosen = [d.ids[7], d.ids[2], d.ids[9]]
    nb.execute(f"session.view = dataset.view().select({chosen!r})")
    view_ids = nb.evaluate(VIEW_IDS)
    assert sorted(view_ids) == sorted(chosen)
    expect(grid.count).to_have_text(count_text(3, 0))
    grid.wait_dom_ids(view_ids)
    expect(grid.selected_tiles).to_have_count(0)

    nb.execute("session.view = None")
    expect(grid.count).to_have_text(count_text(N_SMALL, 0))
    expect(grid.tile(0)).to_have_attribute("data-id", d.ids[0])


def test_shift_click_selects_a_range(d):
    grid, nb = d.grid, d.nb
    grid.tile(2).click()
    nb.wait_for(SELECTED, same_ids(d.ids[2:3]))
    grid.tile(6).click(modifiers=["Shift"])
    nb.wait_for(SELECTED, same_ids(d.ids[2:7]))
    expect(grid.count).to_have_text(count_text(N_SMALL, 5))
    for i in range(2, 7):
        expect(grid.tile(i)).to_contain_class("fol-selected")
    expect(grid.tile(1)).not_to_contain_class("fol-selected")
    expect(grid.tile(7)).not_to_contain_class("fol-selected")


def test_select_all_of_the_view_and_clear(d):
    grid, nb = d.grid, d.nb
    grid.button("select-all").click()
    nb.wait_for(SELECTED, same_ids(d.ids))
    expect(grid.count).to_have_text(count_text(N_SMALL, N_SMALL))
    expect(grid.tile(0)).to_contain_class("fol-selected")
    grid.button("clear").click()
    nb.wait_for(SELECTED, lambda v: v == [])
    expect(grid.count).to_have_text(count_text(N_SMALL, 0))
    expect(grid.selected_tiles).to_have_count(0)

    nb.execute("session.view = dataset.view().skip(20).limit(10)")
    expect(grid.count).to_have_text(count_text(10, 0))
    grid.button("select-all").click()
    nb.wait_for(SELECTED, same_ids(d.ids[20:30]))  # only the view's samples
    expect(grid.count).to_have_text(count_text(10, 10))
    expect(grid.selected_tiles).to_have_count(10)


def test_show_only_selected_sets_the_kernel_view(d):
    grid, nb = d.grid, d.nb
    picks = [0, 7, 9]
    for i in picks:
        grid.tile(i).click()
    want = [d.ids[i] for i in picks]
    nb.wait_for(SELECTED, same_ids(want))
    grid.button("show-selected").click()
    view_ids = nb.wait_for(VIEW_IDS, same_ids(want))
    # whether the selection survives "show only selected" is not specified: check the view part
    expect(grid.count).to_have_text(re.compile(r"^3 samples \u00b7 \d+ selected$"))
    grid.wait_dom_ids(view_ids)


def test_keyboard_focus_toggle_escape_and_detail(d):
    grid, nb, page = d.grid, d.nb, d.nb.page
    focused = grid.root.locator(".fol-tile.fol-focused")
    grid.tile(0).click()
    nb.wait_for(SELECTED, same_ids(d.ids[:1]))
    page.keyboard.press("ArrowRight")
    expect(grid.tile(1)).to_contain_class("fol-focused")
    expect(focused).to_have_count(1)
    page.keyboard.press("Space")
    nb.wait_for(SELECTED, same_ids(d.ids[:2]))
    expect(grid.tile(1)).to_contain_class("fol-selected")

    cols = grid.columns()
    assert cols >= 2, "the grid should lay several tiles per row at 1280 px"
    page.keyboard.press("ArrowDown")
    expect(grid.tile(1 + cols)).to_contain_class("fol-focused")
    page.keyboard.press("ArrowLeft")
    expect(grid.tile(cols)).to_contain_class("fol-focused")
    page.keyboard.press("ArrowUp")
    expect(grid.tile(0)).to_contain_class("fol-focused")
    expect(focused).to_have_count(1)

    page.keyboard.press("Escape")
    nb.wait_for(SELECTED, lambda v: v == [])
    expect(grid.count).to_have_text(count_text(N_SMALL, 0))

    page.keyboard.press("Enter")
    rows = wait_detail(grid, d.images.filepaths[0])
    keys = [k for k, _ in rows]
    assert any(k.startswith("ground_truth") and d.images.labels[0] in v for k, v in rows), rows
    assert "tags" in keys, rows
    page.keyboard.press("Escape")
    expect(grid.detail).to_be_hidden()

    grid.tile(8).dblclick()
    wait_detail(grid, d.images.filepaths[8])
    grid.button("close-detail").click()
    expect(grid.detail).to_be_hidden()


def test_xss_label_is_shown_as_text_and_runs_nothing(d):
    grid, nb = d.grid, d.nb
    tile = grid.tile(XSS_INDEX)
    expect(tile.locator(".fol-label")).to_have_text(XSS_LABEL)
    expect(tile.locator("img.fol-thumb")).to_have_count(1)
    expect(nb.page.locator("img[src='x']")).to_have_count(0)
    expect(nb.page.locator("[onerror]")).to_have_count(0)

    tile.dblclick()
    rows = wait_detail(grid, d.images.filepaths[XSS_INDEX])
    assert any(v == XSS_LABEL for _, v in rows), rows
    expect(nb.page.locator("img[src='x']")).to_have_count(0)
    expect(nb.page.locator("[onerror]")).to_have_count(0)
    grid.button("close-detail").click()
    expect(grid.detail).to_be_hidden()
    assert nb.dialogs == []


def test_broken_and_missing_images_get_a_placeholder_and_the_rest_works(d):
    grid, nb = d.grid, d.nb
    for i in (BROKEN_INDEX, MISSING_INDEX):
        tile = grid.tile(i)
        expect(tile.locator(".fol-broken")).to_be_visible()
        expect(tile.locator(".fol-broken")).not_to_have_text("")
        expect(tile.locator("img.fol-thumb")).to_have_count(0)
    good = [i for i in range(10) if i not in (BROKEN_INDEX, MISSING_INDEX)]
    poll(grid.painted, lambda p: set(good) <= set(p), what="thumbnails painted for good tiles")

    grid.tile(MISSING_INDEX + 1).click()
    grid.tile(BROKEN_INDEX).click()
    nb.wait_for(SELECTED, same_ids([d.ids[MISSING_INDEX + 1], d.ids[BROKEN_INDEX]]))
    expect(grid.count).to_have_text(count_text(N_SMALL, 2))


def test_tile_field_shows_the_chosen_field_under_tiles(d):
    grid, nb = d.grid, d.nb
    nb.execute('session.tile_field = "filepath"')
    for i in range(6):
        expect(grid.tile(i).locator(".fol-field")).to_have_text(d.images.filepaths[i])
    nb.execute("session.tile_field = None")
    poll(
        lambda: grid.root.evaluate(
            """r => [...r.querySelectorAll('.fol-field')]
                 .filter(e => e.offsetParent !== null && e.textContent.trim() !== '').length"""
        ),
        lambda n: n == 0,
        what="visible .fol-field texts after tile_field = None",
    )


def test_tile_size_follows_python_and_the_slider(d):
    grid, nb = d.grid, d.nb
    w0 = grid.tile(0).bounding_box()["width"]
    nb.execute(f"session.tile_size = {2 * d.tile_size}")
    # rows are rebuilt for the new column count: the tile may be absent for a frame
    poll(
        lambda: (grid.tile(0).bounding_box() or {"width": 0})["width"],
        lambda w: w > 1.5 * w0,
        what="tile width",
    )

    slider = grid.tile_size_input
    expect(slider).to_have_attribute("type", "range")
    target = slider.get_attribute("min") or "0"
    slider.fill(target)
    value = int(float(slider.input_value()))
    nb.wait_for("session.tile_size", lambda v: v == value)


def test_refresh_after_deleting_samples(lab_server, browser, image_set):
    nb = open_notebook(
        lab_server,
        browser,
        "refresh.ipynb",
        dashboard_cells(image_set.json_path, "browser_refresh"),
    )
    try:
        grid = Grid(nb.page)
        expect(grid.count).to_have_text(count_text(N_SMALL, 0))
        ids = nb.evaluate("dataset.values('id')")
        nb.execute("dataset.delete_samples(dataset.values('id')[:5])\nsession.refresh()")
        expect(grid.count).to_have_text(count_text(N_SMALL - 5, 0))
        expect(grid.tile(0)).to_have_attribute("data-id", ids[5])
        poll(grid.dom_ids, lambda v: v and not set(v) & set(ids[:5]), what="deleted tiles gone")

        nb.execute("del dataset[dataset.values('id')[0]]\nsession.dataset = dataset")
        expect(grid.count).to_have_text(count_text(N_SMALL - 6, 0))
        expect(grid.tile(0)).to_have_attribute("data-id", ids[6])
        grid.tile(0).click()
        nb.wait_for(SELECTED, same_ids(ids[6:7]))
    finally:
        nb.close()


def test_launch_paints_the_pushed_page_and_asks_for_counts_once(lab_server, browser, image_set):
    """The grid draws the first page Python pushed at display (here the kernel leaves every
    page request unanswered, so nothing else could be drawn), and asks for the sidebar's counts
    once, with its thumbnails painted. Whether it also asks for that page is a race (it waits
    0.2 s for the push), so that is not asserted."""
    cells = dashboard_cells(image_set.json_path, "browser_pushed")
    cells[1] += (
        "\nasked = []\nsession.on_msg(lambda _w, content, _b: asked.append(content.get('type')))"
        "\nsession._grid._handlers['page'] = lambda msg: None  # answer no page request"
    )
    nb = open_notebook(lab_server, browser, "pushed.ipynb", cells)
    try:
        grid = Grid(nb.page)
        poll(grid.painted, bool, what="a thumbnail painted from the pushed page")
        expect(grid.root.locator(".fol-sidebar .fol-sb-field").first).to_be_visible()
        nb.execute("pass")  # the kernel has handled every message the grid sent so far
        asked = nb.evaluate("asked")
        assert asked.count("sidebar") == 1, asked
    finally:
        nb.close()


BIG = 100_000


def test_100k_view_scrolls_to_the_last_tile_with_a_bounded_dom(lab_server, browser, image_set):
    files = image_set.good_files[:5]
    cells = [
        "import fo_lite as fo\n"
        f"files = {files!r}\n"
        f"samples = [(files[i % len(files)], f's{{i:06d}}') for i in range({BIG})]\n"
        "big = fo.Dataset.from_image_classification_samples(samples, name='browser_big')",
        "session = fo.launch_dashboard(dataset=big)",
    ]
    nb = open_notebook(lab_server, browser, "big.ipynb", cells)
    try:
        grid = Grid(nb.page)
        expect(grid.count).to_have_text(count_text(BIG, 0))
        expect(grid.tile(0)).to_be_visible()
        # record the largest number of tiles ever in the DOM, on every DOM change
        grid.root.evaluate(
            """root => { window.__folMaxTiles = root.querySelectorAll('.fol-tile').length;
                 new MutationObserver(() => { window.__folMaxTiles = Math.max(
                   window.__folMaxTiles, root.querySelectorAll('.fol-tile').length); })
                 .observe(root, {childList: true, subtree: true}); }"""
        )
        for frac in (0.1, 0.35, 0.5, 0.8, 0.97):
            grid.scroll_to(frac)
            want = frac * (BIG - 1)
            poll(
                grid.stats,
                lambda s, want=want: s["visible"] > 0 and abs(s["first"] - want) < 0.02 * BIG,
                what=f"tiles near index {want:.0f} drawn",
            )
        grid.scroller.hover()
        for _ in range(4):
            before = grid.stats()["first"]
            nb.page.mouse.wheel(0, 1500)
            poll(
                grid.stats,
                lambda s, b=before: s["visible"] > 0 and s["first"] > b,
                what="tiles drawn after a wheel scroll",
            )

        grid.scroll_to(1.0)
        last = grid.tile(BIG - 1)
        expect(last).to_be_visible()
        last_id = nb.evaluate("big.view().last().id")
        expect(last).to_have_attribute("data-id", last_id)
        expect(last.locator(".fol-label")).to_have_text(f"s{BIG - 1:06d}")
        poll(grid.painted, lambda p: BIG - 1 in p, what="last tile's thumbnail painted")
        stats = grid.stats()
        assert stats["last"] == BIG - 1, stats
        max_tiles = nb.page.evaluate("window.__folMaxTiles")
        assert 0 < max_tiles < 500, f"{max_tiles} tiles in the DOM at once for a {BIG:,} view"

        last.click()
        nb.wait_for(SELECTED, lambda v: v == [last_id])
        expect(grid.count).to_have_text(count_text(BIG, 1))
    finally:
        nb.close()
