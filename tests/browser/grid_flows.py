"""What a person does with the grid's features, step by step, checking the DOM and the kernel.

Shared by the JupyterLab and Notebook 7 tests (``test_grid_features.py``,
``test_grid_notebook7.py``): each flow takes the open notebook, its :class:`Grid` and the
dataset's ids, and leaves the dashboard as it found it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .grid_data import dashboard_cells, make_big_jpeg
from .grid_page import Grid, count_text, poll
from .jupyter_harness import open_notebook, playwright_expect

expect = playwright_expect()

SELECTED = "session.selected"
STAGES = "None if session.view is None else [s.to_dict() for s in session.view.stages]"
SPLIT = "['train' if i % 3 else 'val' for i in range(len(dataset))]"
N_VAL = 14  # of the 40 samples, those at i % 3 == 0
REVIEW = """
from fo_lite.session.decorations import Decorations

class Review(Decorations):
    def tiles(self, ids):
        return [{"marker": "keep"} if i == ids_all[0] else {"note": "d=0.1"} for i in ids]

    def group(self, path, value, count):
        return {"note": f"{count - 1} dups", "actions": [("dups", "Select dups")]}

    def group_action(self, session, path, value, ids, action):
        session.selected = ids[1:]

ids_all = dataset.values("id")
session.decorations = Review()
"""


def feature_cells(cells: list[str], big_image: str) -> list[str]:
    """The dashboard cells plus a ``split`` field and one 2400x1800 photo (sample 6)."""
    first, *rest = cells
    first += (
        f"\ndataset.set_values('split', {SPLIT})"
        f"\n_big = dataset.view().skip(6).first()\n_big.filepath = {big_image!r}\n_big.save()"
    )
    return [first, *rest]


@contextmanager
def features_notebook(
    server: Any, browser: Any, image_set: Any, tmp: Any, name: str
) -> Iterator[tuple]:
    """The features notebook, run: ``(nb, grid, ids, tile size)``; closed afterwards."""
    big = make_big_jpeg(tmp / "photo.jpg")
    cells = feature_cells(dashboard_cells(image_set.json_path, name), big)
    nb = open_notebook(server, browser, f"{name}.ipynb", cells)
    try:
        grid = Grid(nb.page)
        expect(grid.root).to_be_visible()
        yield nb, grid, nb.evaluate("dataset.values('id')"), nb.evaluate("session.tile_size")
    finally:
        nb.close()


def reset(nb: Any, grid: Grid, n: int, tile_size: int) -> None:
    """Back to the whole dataset: nothing selected, expanded, grouped, tagged or filtered."""
    if grid.detail.is_visible():
        nb.page.keyboard.press("Escape")
    nb.execute(
        "session.expanded = None\nsession.group_by = None\nsession.decorations = None\n"
        "dataset.untag_samples(dataset.distinct('tags'))\nsession.view = None\n"
        f"session.selected = []\nsession.tile_field = None\nsession.tile_size = {tile_size}"
    )
    grid.scroll_to(0)
    wait_synced(nb, grid)
    expect(grid.count).to_have_text(count_text(n, 0))
    expect(grid.detail).to_be_hidden()


def wait_synced(nb: Any, grid: Grid) -> None:
    """Wait until the grid draws the kernel's current state (its version)."""
    version = nb.evaluate("session._state['version']")
    expect(grid.root).to_have_attribute("data-version", str(version))


def same(expected: list[str]):
    want = sorted(expected)
    return lambda got: isinstance(got, list) and sorted(got) == want


def detail_value(grid: Grid, key: str) -> Any:
    row = grid.detail.locator(".fol-detail-row").filter(
        has=grid.detail.page.locator(".fol-detail-key", has_text=key)
    )
    return row.locator(".fol-detail-value")


def expanded_view(nb: Any, grid: Grid, ids: list[str]) -> None:
    """Open with a double-click, move with the arrows, select with Space, close with Escape;
    Python opens it too, and a big photo arrives fitted to the panel."""
    page = nb.page
    filepaths = nb.evaluate("dataset.values('filepath')")
    grid.tile(1).dblclick()
    expect(grid.detail).to_be_visible()
    nb.wait_for("session.expanded", lambda v: v == ids[1])
    expect(detail_value(grid, "filepath")).to_have_text(filepaths[1])
    assert nb.evaluate(SELECTED) == [], "a double-click opens, it selects nothing"
    page.keyboard.press("ArrowRight")
    nb.wait_for("session.expanded", lambda v: v == ids[2])
    expect(detail_value(grid, "filepath")).to_have_text(filepaths[2])
    expect(grid.root.locator(".fol-detail-where")).to_have_text(f"3 / {len(ids)}")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    nb.wait_for("session.expanded", lambda v: v == ids[0])
    expect(grid.button("expanded-prev")).to_be_disabled()
    page.keyboard.press("Space")
    nb.wait_for(SELECTED, lambda v: v == [ids[0]])
    expect(grid.button("expanded-select")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(grid.detail).to_be_hidden()
    nb.wait_for("session.expanded", lambda v: v is None)
    assert nb.evaluate(SELECTED) == [ids[0]], "Escape closes; it does not clear"

    nb.execute(f"session.expanded = {ids[6]!r}")  # the 2400x1800 photo
    expect(grid.detail).to_be_visible()
    img = grid.detail.locator("img.fol-detail-img")
    expect(img).to_have_count(1)
    size = poll(
        lambda: img.evaluate(
            "i => ({w: i.naturalWidth, panel: i.parentElement.clientWidth * devicePixelRatio,"
            " ph: i.parentElement.clientHeight * devicePixelRatio})"
        ),
        lambda s: s["w"] > 0,
        what="expanded image decoded",
    )
    assert 256 <= size["w"] < 2400, f"downscaled in Python to the panel: {size}"
    assert size["w"] <= max(size["panel"], size["ph"]) + 128, size
    nb.execute("session.expanded = None")
    expect(grid.detail).to_be_hidden()


def sidebar_filters(nb: Any, grid: Grid, ids: list[str], n: int) -> None:
    """Counts in the sidebar; clicks filter through real match stages; clearing restores."""
    side = grid.root.locator(".fol-sidebar")
    split = side.locator(".fol-sb-field[data-path='split']")
    val = split.locator(".fol-sb-value", has_text="val")
    expect(val.locator(".fol-sb-count")).to_have_text(str(N_VAL))
    expect(split.locator(".fol-sb-value", has_text="train").locator(".fol-sb-count")).to_have_text(
        str(n - N_VAL)
    )
    val.click()
    nb.wait_for(STAGES, lambda v: v == [_match("split", ["val"])])
    expect(grid.count).to_have_text(count_text(N_VAL, 0))
    expect(val).to_have_attribute("aria-pressed", "true")
    split.locator(".fol-sb-value", has_text="train").click()  # OR within a field
    nb.wait_for(STAGES, lambda v: v == [_match("split", ["val", "train"])])
    expect(grid.count).to_have_text(count_text(n, 0))
    label = side.locator(".fol-sb-field[data-path='ground_truth.label']")
    label.locator(".fol-sb-value", has_text="label-07").click()  # AND across fields
    nb.wait_for(
        STAGES,
        lambda v: (
            v == [_match("split", ["val", "train"]), _match("ground_truth.label", ["label-07"])]
        ),
    )
    expect(grid.count).to_have_text(count_text(1, 0))
    expect(grid.tile(0)).to_have_attribute("data-id", ids[7])
    side.locator("button[data-action='clear-filters']").click()
    nb.wait_for(STAGES, lambda v: v is None)
    expect(grid.count).to_have_text(count_text(n, 0))


def _match(path: str, values: list) -> dict:
    return {"_stage": "match", "kwargs": {"filter": {path: {"$in": values}}}}


def tagging(nb: Any, grid: Grid, ids: list[str]) -> None:
    """Tag and untag the selection from the header; tags show on tiles and in the sidebar."""
    add, remove = grid.button("tag"), grid.button("untag")
    expect(add).to_be_disabled()
    grid.tile(0).click()
    grid.tile(2).click()
    nb.wait_for(SELECTED, same([ids[0], ids[2]]))
    expect(add).to_be_enabled()
    box = grid.root.locator("input[data-action='tag-input']")
    box.click()
    box.press_sequentially("dup, check")  # real key presses: no notebook shortcut may fire
    expect(box).to_have_value("dup, check")
    add.click()
    nb.wait_for("dataset.match_tags('dup').values('id')", same([ids[0], ids[2]]))
    assert nb.evaluate("dataset.values('tags')[2]") == ["dup", "check"]
    expect(grid.tile(0).locator(".fol-tag")).to_have_text(["dup", "check"])
    expect(grid.tile(1).locator(".fol-tag")).to_have_count(0)
    tags = grid.root.locator(".fol-sb-field[data-path='tags']")
    expect(tags.locator(".fol-sb-value", has_text="dup").locator(".fol-sb-count")).to_have_text("2")
    box.fill("check")
    remove.click()
    nb.wait_for("dataset.count_sample_tags()", lambda v: v == {"dup": 2})
    expect(grid.tile(0).locator(".fol-tag")).to_have_text(["dup"])
    assert sorted(nb.evaluate(SELECTED)) == sorted([ids[0], ids[2]]), "tagging keeps the selection"


def keyboard(nb: Any, grid: Grid, ids: list[str]) -> None:
    """Shift+arrows extend, Ctrl+A selects all (not the notebook's cells), Escape clears."""
    page = nb.page
    grid.tile(3).click()
    nb.wait_for(SELECTED, lambda v: v == [ids[3]])
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    nb.wait_for(SELECTED, same(ids[3:6]))
    expect(grid.tile(5)).to_contain_class("fol-focused")
    page.keyboard.press("Control+a")
    nb.wait_for(SELECTED, same(ids))
    expect(grid.count).to_have_text(count_text(len(ids), len(ids)))
    page.keyboard.press("Escape")
    nb.wait_for(SELECTED, lambda v: v == [])
    page.keyboard.press("ArrowDown")
    cols = grid.columns()
    expect(grid.tile(5 + cols)).to_contain_class("fol-focused")
    active = page.evaluate(
        "() => { const a = document.activeElement; return a && a.dataset.index; }"
    )
    assert active == str(5 + cols), "the focused tile has the DOM focus"


def groups(nb: Any, grid: Grid, ids: list[str], n: int) -> None:
    """group_by makes bands with headers; clicks name the grouped rows; decorations show and
    their header buttons reach Python."""
    nb.execute("session.group_by = 'split'")
    heads = grid.root.locator(".fol-head")
    train_head = heads.filter(has_text="train")
    val_head = heads.filter(has_text="val")
    expect(train_head.locator(".fol-head-count")).to_have_text(str(n - N_VAL))
    train = [i for k, i in enumerate(ids) if k % 3]
    val = [i for k, i in enumerate(ids) if k % 3 == 0]
    expect(grid.tile(0)).to_have_attribute("data-id", train[0])
    grid.scroll_to(1.0)  # the second band is below the first: only what is in view is drawn
    expect(val_head.locator(".fol-head-count")).to_have_text(str(N_VAL))
    first_val = grid.tile(n - N_VAL)
    expect(first_val).to_have_attribute("data-id", val[0])
    assert first_val.bounding_box()["y"] > val_head.bounding_box()["y"]
    first_val.click()
    nb.wait_for(SELECTED, lambda v: v == [val[0]])
    nb.execute(REVIEW)
    expect(grid.tile_by_id(ids[0]).locator(".fol-mark")).to_have_text("keep")  # val[0]
    expect(grid.tile_by_id(val[1]).locator(".fol-note")).to_have_text("d=0.1")
    expect(val_head.locator(".fol-head-note")).to_have_text(f"{N_VAL - 1} dups")
    val_head.locator("button[data-group-action='dups']").click()
    nb.wait_for(SELECTED, lambda v: v == val[1:])
    nb.execute("session.group_by = None\nsession.decorations = None")
    expect(heads).to_have_count(0)


def screenshot(nb: Any, grid: Grid, ids: list[str], out: Path) -> None:
    """The README picture: the grid with the sidebar (a filter on, two samples selected and
    tagged) above the expanded view of a sample, as one small palette PNG at ``out``."""
    from PIL import Image

    split = grid.root.locator(".fol-sb-field[data-path='split']")
    split.locator(".fol-sb-value", has_text="train").click()
    nb.wait_for(STAGES, lambda v: v == [_match("split", ["train"])])
    for i in (1, 4):
        grid.tile(i).click()
    nb.wait_for(SELECTED, lambda v: len(v) == 2)
    nb.execute("session.selected_view.tag_samples('keep')\nsession.refresh()")
    grid.button("show-selected").focus()  # no focus ring on a tile in the picture
    expect(grid.tile(1).locator(".fol-tag")).to_have_text(["keep"])
    poll(grid.painted, lambda p: len(p) >= 12, what="first tiles painted")
    parts = [out.with_suffix(".grid.png"), out.with_suffix(".expanded.png")]
    grid.root.screenshot(path=parts[0])
    grid.tile(5).dblclick()
    img = grid.detail.locator("img.fol-detail-img")
    expect(img).to_have_count(1)
    poll(lambda: img.evaluate("i => i.naturalWidth"), lambda w: w > 0, what="expanded image")
    grid.root.screenshot(path=parts[1])
    nb.page.keyboard.press("Escape")
    images = [Image.open(p).convert("RGB") for p in parts]
    width = max(i.width for i in images)
    sheet = Image.new("RGB", (width, sum(i.height for i in images) + 12), "white")
    sheet.paste(images[0], (0, 0))
    sheet.paste(images[1], (0, images[0].height + 12))
    sheet.quantize(colors=256, dither=Image.Dither.NONE).save(out, optimize=True)
