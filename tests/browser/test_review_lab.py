"""Near duplicates reviewed in the grid of a real JupyterLab 4: bands and marks, keeping
another sample, "not a duplicate", selecting a group's duplicates and deleting them
(review_flows.py; test_review_notebook7.py runs the same flows in Notebook 7)."""

from __future__ import annotations

import pytest

from . import review_flows as flows

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def review(lab_server, browser, tmp_path_factory):
    with flows.review_notebook(
        lab_server, browser, tmp_path_factory.mktemp("review_lab"), "review_lab"
    ) as opened:
        yield opened
    # the notebook is closed; no dialog may have fired meanwhile
    assert opened[0].dialogs == [], opened[0].dialogs


def test_bands_marks_and_distances(review):
    flows.bands_and_marks(*review)


def test_keep_another_sample(review):
    flows.keep_another(*review)


def test_not_a_duplicate_and_back(review):
    flows.not_a_duplicate(*review)


def test_select_a_groups_duplicates_and_delete(review):
    flows.select_and_delete(*review)
