"""The grid served as a web app by Voila: ``examples/voila_review.ipynb`` in headless chromium.

One Voila server and one page (one kernel) for the module, serving the example notebook itself
on a small generated tree of labelled images (``FO_LITE_REVIEW_DIR``); each test starts from the
app reset through its own controls. The app's "Selected" text area and status line are
written by the kernel (``session.observe``), so they show what Python sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .frontend_harness import VoilaServer, app_page, label_sizes, page_errors, review_tree
from .grid_page import Grid, count_text, poll
from .jupyter_harness import REPO_ROOT, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()

EXAMPLE = REPO_ROOT / "examples" / "voila_review.ipynb"
N = 40


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return review_tree(tmp_path_factory.mktemp("review"), N)


@pytest.fixture(scope="module")
def voila(tmp_path_factory, playwright_instance, tree):
    env = {"FO_LITE_REVIEW_DIR": str(tree)}
    with VoilaServer(tmp_path_factory.mktemp("voila"), EXAMPLE, env=env) as server:
        yield server


@pytest.fixture(scope="module")
def app_once(voila, browser):
    """One page of the app for the module (Voila runs the notebook in a kernel of its own)."""
    with app_page(browser, voila.url()) as (page, console):
        expect(Grid(page).count).to_have_text(count_text(N, 0), timeout=60_000)
        yield page, console


@pytest.fixture
def app(app_once):
    """The app reset through its own controls: all labels shown, nothing selected."""
    page, console = app_once
    dropdown = page.locator(".widget-dropdown select")
    if dropdown.evaluate("e => e.selectedIndex") != 0:
        dropdown.select_option(index=0)
        show_button(page).click()
    Grid(page).button("clear").click()
    expect(Grid(page).count).to_have_text(count_text(N, 0))
    expect(selected_box(page)).to_have_value("")
    console.clear()
    return page, console


def show_button(page):
    return page.locator('.widget-button[title="Show"]')


def selected_box(page):
    return page.locator(".widget-textarea textarea")


def test_voila_grid_paints_and_clicks_reach_python(app):
    page, console = app
    grid = Grid(page)
    poll(grid.painted, lambda p: set(range(6)) <= set(p), what="first thumbnails painted")
    status = page.locator(".widget-html-content")
    expect(status).to_contain_text(f"{N} of {N} shown · 0 selected")

    tiles = [grid.tile(i) for i in (0, 3, 5)]
    for t in tiles:
        t.click()
    clicked = [t.get_attribute("data-id") for t in tiles]
    assert all(clicked)
    # the text area is written by the kernel's observer of session.selected
    expect(selected_box(page)).to_have_value("\n".join(clicked))
    expect(status).to_contain_text("· 3 selected")
    expect(grid.count).to_have_text(count_text(N, 3))

    tiles[1].click()  # toggles off
    expect(selected_box(page)).to_have_value("\n".join([clicked[0], clicked[2]]))
    expect(grid.tile(3)).not_to_contain_class("fol-selected")

    page.locator('.widget-button[title="Tag selected"]').click()
    expect(status).to_contain_text("reviewed: 2")
    assert page_errors(console) == [], console


def test_voila_button_sets_the_view_and_the_grid_follows(app, tree):
    page, console = app
    grid = Grid(page)
    label, n = list(label_sizes(tree).items())[1]
    assert 0 < n < N

    page.locator(".widget-dropdown select").select_option(label)
    show_button(page).click()
    expect(grid.count).to_have_text(count_text(n, 0))
    expect(page.locator(".widget-html-content")).to_contain_text(f"{n} of {N} shown")
    expect(grid.tiles).to_have_count(n)
    expect(grid.root.locator(".fol-label")).to_have_text([label] * n)

    grid.tile(0).click()
    expect(selected_box(page)).to_have_value(grid.tile(0).get_attribute("data-id"))
    page.locator(".widget-dropdown select").select_option(index=0)
    show_button(page).click()
    expect(grid.count).to_have_text(count_text(N, 0))  # a new view clears the selection
    expect(selected_box(page)).to_have_value("")
    assert page_errors(console) == [], console
