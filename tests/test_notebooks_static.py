"""The notebooks as stored in git: small, clean, checked where promised, and in walkthrough order.

nbval (``pytest --nbval-lax notebooks/``) executes them; these tests read the files only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
WALKTHROUGH = NOTEBOOKS / "image_deduplication.ipynb"
FOLDER = NOTEBOOKS / "deduplicate_your_folder.ipynb"
SANITIZE = NOTEBOOKS / "nbval_sanitize.cfg"
CHECK = "# NBVAL_CHECK_OUTPUT"
MAX_BYTES = 64 * 1024

# cell id -> ground-truth counts its asserts must compare with (empty: output checked only)
CHECKED = {
    WALKTHROUGH: {
        "build": {"samples"},
        "take": set(),
        "match": set(),
        "sort": set(),
        "take10": set(),
        "selected": set(),
        "hash": set(),
        "refresh": set(),
        "pipeline": {"duplicate_groups"},
        "dupview": {"in_duplicate_groups", "duplicates"},
        "dupgrid": set(),
        "verify": {"unique"},
        "export": {"unique"},
    },
    FOLDER: {
        "build": {"samples"},
        "groups": {"duplicate_groups", "duplicates"},
        "delete": {"unique"},
        "export": set(),
    },
}

# the walkthrough's steps, in the order a person meets them
WALKTHROUGH_STEPS = [
    "cifar100_with_duplicates(",
    "parse_image_classification_dir_tree(src_data_dir)",
    "fo.Dataset.from_image_classification_samples(",
    "print(dataset.summary())",
    "dataset.take(1",
    '.match({"ground_truth.label": LABEL})',
    "view.first()",
    '.sort_by("ground_truth.label", reverse=True)',
    "session = fo.launch_dashboard(dataset=dataset)",
    "session.view = dataset.view().take(10",
    "sample_ids = session.selected",
    "session.selected = ",
    "selected_view = dataset.view().select(session.selected)",
    "session.view = selected_view",
    "fof.compute_filehash(sample.filepath)",
    "sample.save()",
    "dataset.compute_filehashes()",
    "session.dataset = dataset",
    '{"$group": {"_id": "$file_hash", "count": {"$sum": 1}}}',
    '{"$match": {"count": {"$gt": 1}}}',
    'dataset.view().match({"file_hash": {"$in": dup_filehashes}}).sort_by("file_hash")',
    "session.view = dup_view",
    'session.tile_field = "file_hash"',
    "del dataset[sample.id]",
    "len({s.file_hash for s in dataset})",
    'dataset.export(label_field="ground_truth", export_dir=export_dir',
]

FOLDER_STEPS = [
    'FOLDER = ""',
    "make_image_classification_tree(",
    "fo.Dataset.from_dir(FOLDER",
    "dataset.compute_filehashes()",
    '"$group"',
    "fo.launch_dashboard(view=dup_view",
    "dataset.delete_samples(",
    "dataset.export(export_dir=EXPORT_DIR",
]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


def _counts_keys_asserted(source: str) -> set[str]:
    """Keys ``k`` of ``counts["k"]`` used inside ``assert`` statements of a cell."""
    keys = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Subscript)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "counts"
                    and isinstance(sub.slice, ast.Constant)
                ):
                    keys.add(sub.slice.value)
    return keys


@pytest.mark.parametrize("path", [WALKTHROUGH, FOLDER], ids=lambda p: p.name)
def test_valid_small_and_runs_on_the_default_kernel(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb.metadata, "saved widget state: clear it before committing"
    for cell in _code(nb):
        compile(cell.source, f"{path.name}:{cell.id}", "exec")  # plain Python, no magics


@pytest.mark.parametrize("path", [WALKTHROUGH, FOLDER], ids=lambda p: p.name)
def test_outputs_only_on_checked_cells_and_only_small_text(path):
    for cell in _code(_read(path)):
        checked = cell.source.startswith(CHECK)
        if not checked:
            assert not cell.outputs, f"{cell.id}: unchecked cell has stored outputs"
            continue
        assert cell.outputs, f"{cell.id}: checked cell has no reference output"
        assert cell.execution_count, f"{cell.id}: nbval skips outputs without an execution count"
        for out in cell.outputs:
            assert out.output_type == "stream" and out.name == "stdout", (cell.id, out)
            assert "base64" not in out.text and "<img" not in out.text
            assert len(out.text) < 4000, f"{cell.id}: {len(out.text)} chars of output"
            # stored already sanitized: no machine paths, ids or hashes in git
            assert _sanitize(out.text) == out.text, f"{cell.id}: unsanitized output"


@pytest.mark.parametrize("path", [WALKTHROUGH, FOLDER], ids=lambda p: p.name)
def test_markers_and_ground_truth_asserts_where_promised(path):
    cells = {c.id: c for c in _code(_read(path))}
    marked = {cid for cid, c in cells.items() if c.source.startswith(CHECK)}
    assert marked == set(CHECKED[path])
    for cid, keys in CHECKED[path].items():
        asserted = _counts_keys_asserted(cells[cid].source)
        assert keys <= asserted, f"{cid}: asserts compare with {asserted}, expected {keys}"
        tree = ast.parse(cells[cid].source)
        assert any(isinstance(n, ast.Assert) for n in ast.walk(tree)), f"{cid}: no assert"


def test_every_deterministic_number_is_asserted():
    """Each printed count line is followed by an assert on the same quantity."""
    cells = {c.id: c.source for c in _code(_read(WALKTHROUGH))}
    assert 'assert len(dup_filehashes) == counts["duplicate_groups"]' in cells["pipeline"]
    assert 'assert len(dup_view) == counts["in_duplicate_groups"]' in cells["dupview"]
    assert 'assert len(dup_view) - len(dup_filehashes) == counts["duplicates"]' in cells["dupview"]
    assert (
        'assert len(dataset) == len({s.file_hash for s in dataset}) == counts["unique"]'
        in cells["verify"]
    )


@pytest.mark.parametrize(
    "path, steps", [(WALKTHROUGH, WALKTHROUGH_STEPS), (FOLDER, FOLDER_STEPS)], ids=["walk", "dir"]
)
def test_steps_in_order_each_after_markdown(path, steps):
    nb = _read(path)
    code = "\n".join(c.source for c in _code(nb))
    positions = []
    for step in steps:
        assert step in code, f"{path.name} lacks the step {step!r}"
        positions.append(code.index(step))
    assert positions == sorted(positions), "steps out of order"
    for before, cell in zip(nb.cells, nb.cells[1:], strict=False):
        if cell.cell_type == "code":
            assert before.cell_type == "markdown", f"{cell.id}: no explanation before it"


def test_walkthrough_teaches_the_idle_kernel_caveat_and_runs_unattended():
    nb = _read(WALKTHROUGH)
    text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"clicks reach Python only while the kernel is idle", text, re.I)
    click = next(c.source for c in _code(nb) if c.id == "click")
    tree = ast.parse(click)
    branch = next(n for n in ast.walk(tree) if isinstance(n, ast.If))
    assert ast.unparse(branch.test) == "sample_ids"
    fallback = "\n".join(ast.unparse(n) for n in branch.orelse)
    assert "Nothing was clicked" in fallback and "session.selected = " in fallback


def test_settings_are_at_the_top_with_fixed_seeds():
    setup = _code(_read(WALKTHROUGH))[0].source
    assert re.search(r"^SIZE = 1000\b", setup, re.M)
    assert re.search(r"^SEED = \d+", setup, re.M)
    assert "FO_LITE_OFFLINE" in setup
    folder = _code(_read(FOLDER))
    assert re.search(r'^FOLDER = ""', folder[0].source, re.M)
    assert "seed=" in next(c.source for c in folder if c.id == "folder")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("'id': '6b06677daaeea2baea839f9d',", "'id': '<ID>',"),
        ("'file_hash': 'd40bb842c39760e0320a695359acc425',", "'file_hash': '<HASH>',"),
        (
            "'filepath': '/tmp/x/cifar100_with_duplicates/mountain/10.jpg',",
            "'filepath': '<DIR>/mountain/10.jpg',",
        ),
        (
            "sample_ids=['6b06677daaeea2baea839f9d', '6b06683bca6c4546b2e...",
            "sample_ids=['<ID>', '<ID>...",
        ),
        ("loop: 0.42 s; compute_filehashes: 12 ms", "loop: <TIME>; compute_filehashes: <TIME>"),
        ("<object at 0x7f3a2c1b9d90>", "<object at 0x<ADDR>>"),
        (
            "Num samples: 1000\n48 hashes; 98 50 samples",
            "Num samples: 1000\n48 hashes; 98 50 samples",
        ),
    ],
)
def test_sanitizer_hides_what_changes_between_runs_and_nothing_else(raw, clean):
    assert _sanitize(raw) == clean
    assert _sanitize(clean) == clean  # idempotent: stored outputs are already clean
