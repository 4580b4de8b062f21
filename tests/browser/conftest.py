"""Fixtures for the real-browser tests: chromium, one JupyterLab per session, generated images.

Chromium is Debian's (``apt-get install -y chromium``), launched through Playwright's
``executable_path``. When it (or Playwright) is missing the tests FAIL with a clear message if
the ``CI`` environment variable is set, and are skipped with the reason otherwise.
"""

from __future__ import annotations

import os

import pytest

from . import grid_flows
from .grid_data import N_SMALL, ImageSet, make_image_set
from .jupyter_harness import JupyterServer, find_chromium, launch_chromium


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"skipping browser tests: {reason}")


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install '.[test]')")
    if find_chromium() is None:
        _unavailable("chromium is not on PATH (apt-get install -y chromium)")
    # a 2-core machine shared with other work: be patient, but never sleep blindly
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = launch_chromium(playwright_instance)
    yield b
    b.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, playwright_instance):
    server = JupyterServer(tmp_path_factory.mktemp("jupyterlab"), app="lab").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def image_set(tmp_path_factory) -> ImageSet:
    """40 samples: real JPEGs with distinct labels, one XSS label, one truncated, one missing."""
    return make_image_set(tmp_path_factory.mktemp("images"))


@pytest.fixture(scope="module")
def features(request, browser, image_set, tmp_path_factory):
    """The features notebook (grid_flows.py) on the test module's ``server`` fixture."""
    server = request.getfixturevalue("server")
    name = request.module.__name__.rsplit(".", 1)[-1]
    tmp = tmp_path_factory.mktemp(name)
    with grid_flows.features_notebook(server, browser, image_set, tmp, name) as opened:
        yield opened


@pytest.fixture
def f(features):
    """The features dashboard reset: whole dataset, nothing selected, grouped or tagged."""
    nb, grid, ids, size = features
    grid_flows.reset(nb, grid, N_SMALL, size)
    yield nb, grid, ids
    assert nb.dialogs == [], f"a dialog fired: {nb.dialogs}"
