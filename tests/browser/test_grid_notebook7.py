"""The dashboard grid's basic click test in Notebook 7 (its own server for this module)."""

from __future__ import annotations

import pytest

from .grid_data import N_SMALL, dashboard_cells
from .grid_page import Grid, count_text
from .jupyter_harness import JupyterServer, open_notebook, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()


@pytest.fixture(scope="module")
def notebook_server(tmp_path_factory, playwright_instance):
    server = JupyterServer(tmp_path_factory.mktemp("notebook7"), app="notebook").start()
    yield server
    server.stop()


def test_click_three_tiles_in_notebook7(notebook_server, browser, image_set):
    nb = open_notebook(
        notebook_server, browser, "grid7.ipynb", dashboard_cells(image_set.json_path, "nb7_grid")
    )
    try:
        grid = Grid(nb.page)
        expect(grid.count).to_have_text(count_text(N_SMALL, 0))
        ids = nb.evaluate("dataset.values('id')")
        tiles = [grid.tile(i) for i in (0, 1, 2)]
        for t in tiles:
            t.click()
        clicked = [t.get_attribute("data-id") for t in tiles]
        assert clicked == ids[:3]
        got = nb.wait_for("session.selected", lambda v: sorted(v) == sorted(clicked))
        assert len(got) == 3
        expect(grid.count).to_have_text(count_text(N_SMALL, 3))
        for t in tiles:
            expect(t).to_contain_class("fol-selected")
        tiles[0].click()
        nb.wait_for("session.selected", lambda v: sorted(v) == sorted(clicked[1:]))
        expect(grid.count).to_have_text(count_text(N_SMALL, 2))
        nb.execute("session.selected = []")
        expect(grid.selected_tiles).to_have_count(0)
        assert nb.dialogs == []
    finally:
        nb.close()
