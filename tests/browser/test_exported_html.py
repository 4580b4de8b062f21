"""A notebook with the dashboard, executed and exported to HTML, read offline.

``jupyter nbconvert --to html --execute`` keeps the widget state in the HTML; with
``--ExecutePreprocessor.store_widget_state=False`` it does not. Both are made from one execution
(:func:`~tests.browser.frontend_harness.execute_notebook`, then
:func:`~tests.browser.frontend_harness.export_html` with and without the state) and opened from
file:// with every other request aborted: no kernel, no network, as a reader of a mailed report.
"""

from __future__ import annotations

import pytest

from .frontend_harness import execute_notebook, export_html, offline_page, static_view
from .grid_data import BROKEN_INDEX, MISSING_INDEX, N_SMALL, XSS_LABEL, dashboard_cells
from .grid_page import count_text
from .jupyter_harness import playwright_expect, write_notebook

pytestmark = pytest.mark.browser
expect = playwright_expect()

SNAPSHOT_TILES = 24  # fo_lite.session.snapshot.SNAPSHOT_TILES


@pytest.fixture(scope="module")
def executed(tmp_path_factory, image_set):
    d = tmp_path_factory.mktemp("export")
    write_notebook(d / "report.ipynb", dashboard_cells(image_set.json_path, "exported_grid"))
    return execute_notebook(d / "report.ipynb", d / "out")


def good_snapshot_images() -> int:
    return SNAPSHOT_TILES - len({BROKEN_INDEX, MISSING_INDEX} & set(range(SNAPSHOT_TILES)))


def test_html_without_widget_state_shows_the_snapshot_offline(executed, browser):
    html = export_html(executed, executed.parent, widget_state=False)
    context, page, console, _ = offline_page(browser, html)
    try:
        snapshot = page.locator(".fol-snapshot")
        expect(snapshot).to_have_count(1)
        expect(snapshot).to_be_visible()
        expect(snapshot).to_contain_text(count_text(N_SMALL, 0))
        expect(snapshot).to_contain_text(XSS_LABEL)  # as text
        view = static_view(page)
        assert view["snapshot_images"] == good_snapshot_images(), view
        assert "file not found" in view["snapshot_text"], view
        assert view["xss_images"] == 0, view
        assert not [line for line in console if line.startswith("pageerror")], console
    finally:
        context.close()
