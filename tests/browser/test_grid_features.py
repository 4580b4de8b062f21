"""The grid's features in a real JupyterLab 4: expanded view, sidebar filters, tagging, keys,
group bands and decorations. Each flow (grid_flows.py) checks the DOM and what the kernel sees;
test_grid_notebook7.py runs the same flows in Notebook 7."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import grid_flows as flows
from .grid_data import N_SMALL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(lab_server):
    return lab_server


def test_expanded_view(f):
    flows.expanded_view(*f)


def test_sidebar_counts_and_filters(f):
    flows.sidebar_filters(*f, N_SMALL)


def test_tagging_the_selection(f):
    flows.tagging(*f)


def test_keyboard_selection(f):
    flows.keyboard(*f)


def test_group_bands_and_decorations(f):
    flows.groups(*f, N_SMALL)


def test_readme_screenshot(f, tmp_path):
    """Takes the README's picture; FOL_UPDATE_SCREENSHOT=1 writes it to docs/grid.png."""
    out = tmp_path / "grid.png"
    flows.screenshot(*f, out)
    size = out.stat().st_size
    assert 20_000 < size < 200_000, size
    if os.environ.get("FOL_UPDATE_SCREENSHOT"):
        out.replace(Path(__file__).resolve().parents[2] / "docs" / "grid.png")
