"""A notebook with the dashboard, executed and exported to HTML, read with no kernel.

``jupyter nbconvert --to html --execute`` keeps the widget state in the HTML; with
``--ExecutePreprocessor.store_widget_state=False`` it does not. Both are made from one execution
(:func:`~tests.browser.frontend_harness.execute_notebook`, then
:func:`~tests.browser.frontend_harness.export_html` with and without the state) and opened from
file://, as a reader of a mailed report:

- offline (every other request aborted): the static snapshot output shows, with or without
  the state (with it, nbconvert drops the widget's other formats and the widget code cannot
  load: the snapshot is an output of its own);
- "online" with the state: the widget code loads from its CDN, here answered from the npm
  packages themselves (``npm pack`` of the versions nbconvert's template asks for), every other
  request aborted. The grid finds no kernel and draws the snapshot saved in its state; the
  static output is hidden by the grid's stylesheet, so the rows show once.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from .frontend_harness import execute_notebook, export_html, offline_page, static_view
from .grid_data import BROKEN_INDEX, MISSING_INDEX, N_SMALL, XSS_LABEL, dashboard_cells
from .grid_page import Grid, count_text, poll
from .jupyter_harness import playwright_expect, write_notebook

pytestmark = pytest.mark.browser
expect = playwright_expect()

SNAPSHOT_TILES = 24  # fo_lite.session.snapshot.SNAPSHOT_TILES
# what nbconvert's HTML template loads (nbconvert/exporters/html.py: require_js_url,
# html_manager_semver_range; the html-manager asks jsdelivr for the model's module version)
CDN_PACKAGES = {
    "requirejs": ("requirejs@2.1.10", "require.js"),
    "html-manager": ("@jupyter-widgets/html-manager@1", "dist/embed-amd.js"),
    "anywidget": (None, "dist/index.js"),  # the version of the Python package
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory, image_set):
    d = tmp_path_factory.mktemp("export")
    write_notebook(d / "report.ipynb", dashboard_cells(image_set.json_path, "exported_grid"))
    return execute_notebook(d / "report.ipynb", d / "out")


@pytest.fixture(scope="module")
def widget_cdn(tmp_path_factory) -> dict[str, Path]:
    """The files nbconvert's HTML loads from CDNs, unpacked from their npm packages."""
    import anywidget

    d = tmp_path_factory.mktemp("npm")
    out = {}
    for key, (spec, path) in CDN_PACKAGES.items():
        spec = spec or f"anywidget@{anywidget.__version__}"
        done = subprocess.run(
            ["npm", "pack", "--silent", spec], cwd=d, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"npm pack {spec} failed (CI installs npm): {done.stderr}"
        with tarfile.open(d / done.stdout.strip().splitlines()[-1]) as tar:
            tar.extractall(d / key, filter="data")
        out[key] = d / key / "package" / path
    return out


def cdn_file(url: str, cdn: dict[str, Path]) -> Path | None:
    if "/require" in url and url.endswith(".js"):
        return cdn["requirejs"]
    if "/@jupyter-widgets/html-manager@" in url and url.endswith("/embed-amd.js"):
        return cdn["html-manager"]
    if "/anywidget@" in url and url.endswith("/dist/index.js"):
        return cdn["anywidget"]
    return None


def good_snapshot_images() -> int:
    return SNAPSHOT_TILES - len({BROKEN_INDEX, MISSING_INDEX} & set(range(SNAPSHOT_TILES)))


def check_offline_snapshot(page, console) -> None:
    """The static snapshot output, all of it, readable as text, with its thumbnails."""
    snapshot = page.locator(".fol-snapshot")
    expect(snapshot).to_have_count(1)
    expect(snapshot).to_be_visible()
    expect(snapshot).to_contain_text(count_text(N_SMALL, 0))
    expect(snapshot).to_contain_text(XSS_LABEL)  # as text
    view = poll(
        lambda: static_view(page),
        lambda v: v["snapshot_images"] == good_snapshot_images(),
        what="snapshot thumbnails decoded",
    )
    assert "file not found" in view["snapshot_text"], view
    assert view["xss_images"] == 0 and view["tiles"] == 0, view
    assert not [line for line in console if line.startswith("pageerror")], console


def test_html_without_widget_state_shows_the_snapshot_offline(executed, browser):
    html = export_html(executed, executed.parent, widget_state=False)
    context, page, console, _ = offline_page(browser, html)
    try:
        check_offline_snapshot(page, console)
    finally:
        context.close()


def test_html_with_widget_state_shows_the_snapshot_offline(executed, browser):
    html = export_html(executed, executed.parent, widget_state=True)
    context, page, console, aborted = offline_page(browser, html)
    try:
        check_offline_snapshot(page, console)
        assert any("embed-amd.js" in url for url in aborted), "the widget code was not asked for"
    finally:
        context.close()


def test_html_with_widget_state_online_draws_the_saved_snapshot(executed, browser, widget_cdn):
    html = export_html(executed, executed.parent, widget_state=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        url = r.request.url
        if url.startswith("file://"):
            return r.continue_()
        local = cdn_file(url, widget_cdn)
        if local is None:
            return r.abort()
        return r.fulfill(path=str(local), content_type="application/javascript")

    try:
        page.route("**/*", route)
        page.goto(html.as_uri())
        grid = Grid(page)
        expect(grid.root).to_be_visible()  # the widget did load from "the CDN"
        expect(grid.root).to_contain_text("static snapshot")  # no kernel: says what it is
        expect(grid.count).to_have_text(count_text(N_SMALL, 0))
        expect(grid.tiles).to_have_count(SNAPSHOT_TILES)  # the saved rows, not grey tiles
        view = poll(
            lambda: static_view(page),
            lambda v: v["painted_tiles"] == good_snapshot_images(),
            what="saved thumbnails painted",
        )
        assert view["snapshots"] == 0, "the static output is hidden where the grid runs"
        expect(grid.root.locator(".fol-label", has_text=XSS_LABEL)).to_have_count(1)
        assert view["xss_images"] == 0, view
        expect(grid.button("select-all")).to_be_hidden()  # a picture: nothing to press
        assert errors == [], errors
    finally:
        context.close()
