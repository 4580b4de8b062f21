"""The dashboard grid in Notebook 7 (its own server for this module): clicks, and the same
feature flows as in JupyterLab (expanded view, sidebar, tags, keys, groups)."""

from __future__ import annotations

import pytest

from . import grid_flows as flows
from .grid_data import N_SMALL
from .grid_page import count_text
from .jupyter_harness import JupyterServer, playwright_expect

pytestmark = pytest.mark.browser
expect = playwright_expect()


@pytest.fixture(scope="module")
def server(tmp_path_factory, playwright_instance):
    server = JupyterServer(tmp_path_factory.mktemp("notebook7"), app="notebook").start()
    yield server
    server.stop()


def test_click_three_tiles_in_notebook7(f):
    nb, grid, ids = f
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


def test_expanded_view_in_notebook7(f):
    flows.expanded_view(*f)


def test_sidebar_filters_in_notebook7(f):
    flows.sidebar_filters(*f, N_SMALL)


def test_tagging_in_notebook7(f):
    flows.tagging(*f)


def test_keyboard_in_notebook7(f):
    flows.keyboard(*f)


def test_group_bands_in_notebook7(f):
    flows.groups(*f, N_SMALL)
