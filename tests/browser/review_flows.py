"""What a person does to review near duplicates in the grid, step by step, checking the DOM
and what the kernel sees (``index.duplicate_ids``, ``session.selected``, the dataset).

Shared by the JupyterLab and Notebook 7 tests (``test_review_lab.py``,
``test_review_notebook7.py``). The notebook holds a generated tree of 40 scenes with near and
exact copies (9 groups: two of three samples, seven pairs); each flow starts from a fresh
dataset and index shown with ``session.view = index.duplicates_view(sort_by="count",
reverse=True)`` (the two groups of three first, as groups 0 and 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fo_lite.neartree import make_near_duplicate_tree

from .grid_page import Grid, count_text
from .jupyter_harness import open_notebook, playwright_expect

expect = playwright_expect()

SELECTED = "session.selected"
GROUPS = "{str(k): v for k, v in index.groups.items()}"
DISTANCES = "{d: x for pairs in index.neighbors_map.values() for d, x in pairs}"
SHOW = (
    "dataset = fo.Dataset.from_dir(TREE)\n"
    "index = fob.compute_near_duplicates(dataset, progress=False)\n"
    "session.dataset = dataset\n"
    "session.view = index.duplicates_view(sort_by='count', reverse=True)"
)


@contextmanager
def review_notebook(server: Any, browser: Any, tmp: Any, name: str) -> Iterator[tuple]:
    """The review notebook, run: ``(nb, grid)``; closed afterwards."""
    tree = make_near_duplicate_tree(
        str(tmp / "tree"), size=40, seed=7, near_fraction=0.2, duplicate_fraction=0.08
    )
    cells = [
        f"import fo_lite as fo\nimport fo_lite.brain as fob\nTREE = {tree!r}\n"
        "dataset = fo.Dataset.from_dir(TREE)\n"
        "index = fob.compute_near_duplicates(dataset, progress=False)",
        "session = fo.launch_dashboard(dataset=dataset)",
        "session.view = index.duplicates_view(sort_by='count', reverse=True)",
    ]
    nb = open_notebook(server, browser, f"{name}.ipynb", cells)
    try:
        grid = Grid(nb.page)
        expect(grid.root).to_be_visible()
        yield nb, grid
    finally:
        nb.close()


def reset(nb: Any, grid: Grid) -> dict[str, list[str]]:
    """A fresh dataset and index, shown for review; returns the groups ``{"0": ids, ...}``."""
    nb.execute(SHOW)
    groups = nb.evaluate(GROUPS)
    sizes = sorted((len(g) for g in groups.values()), reverse=True)
    assert sizes == [3, 3, 2, 2, 2, 2, 2, 2, 2], sizes
    version = nb.evaluate("session._state['version']")
    expect(grid.root).to_have_attribute("data-version", str(version))
    expect(grid.count).to_have_text(count_text(sum(sizes), 0))
    expect(head(grid, 0)).to_be_visible()
    return groups


def head(grid: Grid, number: int) -> Any:
    """The header of group ``number`` (its text is the number)."""
    text = grid.page.locator(".fol-head-text", has_text=re.compile(rf"^{number}$"))
    return grid.root.locator(".fol-head").filter(has=text)


def button(grid: Grid, number: int, action: str) -> Any:
    return head(grid, number).locator(f"button[data-group-action='{action}']")


def first_tile(grid: Grid, number: int) -> Any:
    """The first tile of group ``number``'s band."""
    return grid.tile(int(head(grid, number).get_attribute("data-start")))


def bands_and_marks(nb: Any, grid: Grid) -> None:
    """Each group in a band under a header with its note and buttons; the kept sample first,
    marked; the distance on every other tile."""
    groups = reset(nb, grid)
    distance = nb.evaluate(DISTANCES)
    assert nb.evaluate("session.group_by") == "dup_group"
    expect(grid.root.locator(".fol-title")).to_contain_text("by dup_group")
    for number in (0, 1, 2):
        members = groups[str(number)]
        n = len(members) - 1
        note = f"{n} duplicate{'' if n == 1 else 's'}"
        expect(head(grid, number).locator(".fol-head-note")).to_have_text(note)
        expect(head(grid, number).locator(".fol-head-count")).to_have_text(str(len(members)))
        labels = head(grid, number).locator("button[data-group-action]")
        expect(labels).to_have_text(["Select duplicates", "Keep selected", "Not a duplicate"])
        expect(first_tile(grid, number)).to_have_attribute("data-id", members[0])
        kept = grid.tile_by_id(members[0])
        expect(kept.locator(".fol-mark")).to_have_text("kept")
        expect(kept.locator(".fol-note")).to_be_hidden()
        for dup in members[1:]:
            tile = grid.tile_by_id(dup)
            expect(tile.locator(".fol-note")).to_have_text(f"d={distance[dup]:.3f}")
            expect(tile.locator(".fol-mark")).to_be_hidden()
    # the bands further down are drawn when scrolled to
    grid.scroll_to(1.0)
    last = groups["8"]
    expect(head(grid, 8).locator(".fol-head-note")).to_have_text("1 duplicate")
    expect(grid.tile_by_id(last[0]).locator(".fol-mark")).to_have_text("kept")


def keep_another(nb: Any, grid: Grid) -> None:
    """Select a duplicate, press Keep selected: it becomes the kept sample, in Python and in
    the grid; without a selection the header says what to do."""
    groups = reset(nb, grid)
    kept, first, dup = groups["0"]
    button(grid, 0, "keep").click()
    expect(grid.root.locator(".fol-status")).to_have_text(
        "select the one sample of group 0 to keep (0 selected)"
    )
    grid.tile_by_id(dup).click()
    nb.wait_for(SELECTED, lambda v: v == [dup])
    button(grid, 0, "keep").click()
    nb.wait_for("index.groups[0][0]", lambda v: v == dup)
    duplicates = nb.evaluate("index.duplicate_ids")
    assert dup not in duplicates and kept in duplicates and first in duplicates
    nb.wait_for(SELECTED, lambda v: v == [])
    assert nb.evaluate(f"dataset[{dup!r}]['dup_type']") == "kept"
    # the grid redraws: the new kept sample leads the band, marked; the old one has a distance
    expect(first_tile(grid, 0)).to_have_attribute("data-id", dup)
    expect(grid.tile_by_id(dup).locator(".fol-mark")).to_have_text("kept")
    expect(grid.tile_by_id(dup)).not_to_contain_class("fol-selected")
    expect(grid.tile_by_id(kept).locator(".fol-note")).to_have_text(re.compile(r"^d=0\.\d{3}$"))
    expect(grid.tile_by_id(kept).locator(".fol-mark")).to_be_hidden()
    expect(grid.root.locator(".fol-status")).to_have_text("")


def not_a_duplicate(nb: Any, grid: Grid) -> None:
    """Select a duplicate, press Not a duplicate: it leaves the group's duplicates (shown,
    marked, in its band); Back in group undoes it."""
    groups = reset(nb, grid)
    kept, dup, other = groups["1"]
    grid.tile_by_id(dup).click()
    nb.wait_for(SELECTED, lambda v: v == [dup])
    button(grid, 1, "exclude").click()
    nb.wait_for("index.excluded_ids", lambda v: v == [dup])
    assert dup not in nb.evaluate("index.duplicate_ids")
    assert nb.evaluate("index.group_duplicates(1)") == [other]
    nb.wait_for(SELECTED, lambda v: v == [])
    tile = grid.tile_by_id(dup)
    expect(tile.locator(".fol-note")).to_have_text("not a duplicate")
    expect(head(grid, 1).locator(".fol-head-note")).to_have_text("1 duplicate, 1 not")
    expect(button(grid, 1, "include")).to_have_text("Back in group")
    tile.click()
    nb.wait_for(SELECTED, lambda v: v == [dup])
    button(grid, 1, "include").click()
    nb.wait_for("index.excluded_ids", lambda v: v == [])
    assert dup in nb.evaluate("index.duplicate_ids")
    expect(tile.locator(".fol-note")).to_have_text(re.compile(r"^d=0\.\d{3}$"))
    expect(head(grid, 1).locator(".fol-head-note")).to_have_text("2 duplicates")
    expect(button(grid, 1, "include")).to_have_count(0)


def select_and_delete(nb: Any, grid: Grid) -> None:
    """Select Duplicates on two bands, delete the selection, then the rest by the index:
    exactly the duplicates go, one sample of each group stays, and the grid follows."""
    groups = reset(nb, grid)
    before = nb.evaluate("dataset.values('id')")
    button(grid, 0, "select-duplicates").click()
    nb.wait_for(SELECTED, lambda v: v == groups["0"][1:])
    button(grid, 2, "select-duplicates").click()
    chosen = groups["0"][1:] + groups["2"][1:]
    nb.wait_for(SELECTED, lambda v: v == chosen)
    expect(grid.count).to_have_text(count_text(20, 3))
    for sample_id in chosen:
        expect(grid.tile_by_id(sample_id)).to_contain_class("fol-selected")
    expect(grid.tile_by_id(groups["0"][0])).not_to_contain_class("fol-selected")
    nb.execute("dataset.delete_samples(session.selected)\nsession.refresh()")
    assert nb.evaluate("dataset.values('id')") == [i for i in before if i not in chosen]
    assert nb.evaluate(SELECTED) == []
    # groups 0 and 2 have no duplicates left: their bands go; the others stay
    expect(head(grid, 0)).to_have_count(0)
    expect(grid.count).to_have_text(count_text(20 - 3 - 2, 0))
    expect(grid.tile_by_id(groups["0"][0])).to_have_count(0)
    rest = [i for number, g in groups.items() if number not in ("0", "2") for i in g[1:]]
    assert sorted(nb.evaluate("index.duplicate_ids")) == sorted(rest)
    nb.execute("dataset.delete_samples(index.duplicate_ids)\nsession.refresh()")
    left = nb.evaluate("dataset.values('id')")
    assert left == [i for i in before if i not in chosen and i not in rest]
    assert all(g[0] in left for g in groups.values()), "one sample of each group stays"
    expect(grid.count).to_have_text(count_text(0, 0))
    expect(grid.root.locator(".fol-empty")).to_be_visible()
