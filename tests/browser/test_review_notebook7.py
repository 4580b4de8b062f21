"""Near duplicates reviewed in the grid of a real Notebook 7 (its own server for this
module): the same flows as in JupyterLab (review_flows.py)."""

from __future__ import annotations

import pytest

from . import review_flows as flows
from .jupyter_harness import JupyterServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review(tmp_path_factory, playwright_instance, browser):
    server = JupyterServer(tmp_path_factory.mktemp("review_nb7"), app="notebook").start()
    try:
        with flows.review_notebook(
            server, browser, tmp_path_factory.mktemp("review_nb7_tree"), "review_nb7"
        ) as opened:
            yield opened
        assert opened[0].dialogs == [], opened[0].dialogs
    finally:
        server.stop()


def test_bands_marks_and_distances_in_notebook7(review):
    flows.bands_and_marks(*review)


def test_keep_another_sample_in_notebook7(review):
    flows.keep_another(*review)


def test_not_a_duplicate_and_back_in_notebook7(review):
    flows.not_a_duplicate(*review)


def test_select_a_groups_duplicates_and_delete_in_notebook7(review):
    flows.select_and_delete(*review)
