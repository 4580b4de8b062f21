"""The grid in a marimo app: ``examples/marimo_review.py`` run with ``marimo run --headless``.

One marimo server and one page (one marimo session) for the module, running the example app
itself on a generated tree of ``N`` labelled images (``FO_LITE_REVIEW_DIR``; enough rows that
scrolling unmounts tiles); each test starts from the app reset through its own controls.

What is checked: ``fo.launch_dashboard`` alone shows the grid (once); clicks reach Python; the
"Selected" cell, which reads ``grid = mo.ui.anywidget(session)``, re-runs on every selection
change (the grid sets the small synced ``_selection`` after a change: marimo re-runs the
readers of a widget only when its front end changes a trait); the dropdown sets
``session.view`` and the header follows; the keyboard focus survives scrolling inside
marimo's shadow root (Playwright's CSS locators pierce it; ``document.activeElement`` is the
host there).

The server runs with ``PYTHONHASHSEED=6``: marimo applies the traits of one update one at a
time, announcing each change before setting the next, in the order of a Python set; with this
seed a grid that read one trait while another's change was announced showed a stale header
count after a new view (the grid now keeps its state in the one ``_state`` trait).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .frontend_harness import MarimoServer, app_page, label_sizes, page_errors, review_tree
from .grid_page import Grid, count_text, poll
from .jupyter_harness import REPO_ROOT, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

EXAMPLE = REPO_ROOT / "examples" / "marimo_review.py"
N = 200


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return review_tree(tmp_path_factory.mktemp("review"), N)


@pytest.fixture(scope="module")
def marimo_app(tmp_path_factory, playwright_instance, tree):
    env = {"FO_LITE_REVIEW_DIR": str(tree), "PYTHONHASHSEED": "6"}
    with MarimoServer(tmp_path_factory.mktemp("marimo"), EXAMPLE, env=env) as server:
        yield server


@pytest.fixture(scope="module")
def app_once(marimo_app, browser):
    """One page of the app for the module (a marimo session runs the app's cells for it)."""
    with app_page(browser, marimo_app.url()) as (page, console):
        grid = Grid(page)
        expect(grid.count).to_have_text(count_text(N, 0), timeout=60_000)
        yield page, grid, console


@pytest.fixture
def app(app_once):
    """The app reset through its own controls: all labels shown, nothing selected, at the top."""
    page, grid, console = app_once
    dropdown = page.locator("select").first
    if dropdown.evaluate("e => e.selectedIndex") != 0:  # only a real change re-runs the view cell
        dropdown.select_option(index=0)
    expect(grid.count).to_have_text(count_text(N, 0))
    grid.button("clear").click()
    expect(grid.count).to_have_text(count_text(N, 0))
    expect(page.get_by_text("Selected:")).to_have_text("Selected: 0")
    grid.scroll_to(0)
    expect(grid.tile(0)).to_be_visible()
    console.clear()
    return page, grid, console


def shown_selection(page):
    """The "Selected: n" heading and the ids listed under it, as the app's cell shows them."""
    return page.get_by_text("Selected:"), page.locator("pre")


def test_launch_dashboard_shows_the_grid_once_and_its_tiles_paint(app):
    page, grid, console = app
    expect(grid.root).to_have_count(1)  # launch_dashboard showed it; `grid` is not shown again
    poll(grid.painted, lambda p: set(range(20)) <= set(p), what="thumbnails painted")
    assert page_errors(console) == [], console


def test_clicks_reach_python_and_rerun_the_cells_that_read_the_grid(app):
    page, grid, console = app
    heading, ids_box = shown_selection(page)
    tiles = [grid.tile(i) for i in (1, 4, 9)]
    for t in tiles:
        t.click()
    clicked = [t.get_attribute("data-id") for t in tiles]
    assert all(clicked)
    expect(grid.count).to_have_text(count_text(N, 3))
    # the dependent cell re-ran and read what the kernel holds
    expect(heading).to_have_text("Selected: 3")
    expect(ids_box).to_have_text("\n".join(clicked))

    tiles[0].click()  # toggles off
    expect(heading).to_have_text("Selected: 2")
    expect(ids_box).to_have_text("\n".join(clicked[1:]))

    grid.button("select-all").click()
    expect(heading).to_have_text(f"Selected: {N}")
    grid.button("clear").click()
    expect(heading).to_have_text("Selected: 0")
    assert page_errors(console) == [], console


def test_the_dropdown_sets_the_view_and_the_header_follows(app, tree):
    page, grid, console = app
    label, n = list(label_sizes(tree).items())[2]
    assert 0 < n < N
    grid.tile(0).click()
    heading, _ = shown_selection(page)
    expect(heading).to_have_text("Selected: 1")
    expect(grid.count).to_have_text(count_text(N, 1))

    page.locator("select").first.select_option(label)
    expect(grid.root.locator(".fol-title")).to_have_text("review \u2014 match")
    expect(grid.count).to_have_text(count_text(n, 0))  # a new view clears the selection
    expect(grid.tiles).to_have_count(n)
    expect(grid.root.locator(".fol-label")).to_have_text([label] * n)
    expect(heading).to_have_text("Selected: 0")
    grid.tile(n - 1).click()
    expect(heading).to_have_text("Selected: 1")
    expect(grid.count).to_have_text(count_text(n, 1))

    page.locator("select").first.select_option(index=0)
    expect(grid.count).to_have_text(count_text(N, 0))
    assert page_errors(console) == [], console


def test_keyboard_focus_survives_scrolling_in_the_shadow_root(app):
    page, grid, _ = app
    grid.tile(0).click()
    grid.tile(0).click()  # toggled twice: nothing selected, the tile has the focus
    expect(grid.count).to_have_text(count_text(N, 0))
    page.keyboard.press("ArrowRight")
    expect(grid.tile(1)).to_contain_class("fol-focused")
    # scroll the focused tile out of the window: it is unmounted
    grid.scroll_to(1)
    poll(grid.stats, lambda s: s["first"] > 60, what="the last rows drawn")
    expect(grid.tile(1)).to_have_count(0)
    # the grid still has the keyboard: the next arrow moves the focus from tile 1 to tile 2
    page.keyboard.press("ArrowRight")
    expect(grid.tile(2)).to_contain_class("fol-focused")
    focused = grid.tile(2).evaluate("e => e.getRootNode().activeElement === e")
    assert focused, "tile 2 holds the focus inside the shadow root"
    page.keyboard.press("Space")
    expect(grid.tile(2)).to_contain_class("fol-selected")
    expect(page.get_by_text("Selected:")).to_have_text("Selected: 1")
