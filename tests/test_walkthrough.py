"""The walkthrough's code, as users write it, on generated data whose duplicates are known."""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import Counter

import pytest

from fo_lite.standin import make_image_classification_tree
from fo_lite.treegen import read_manifest


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("walk") / "cifar100_with_duplicates"
    return make_image_classification_tree(str(root), size=300, seed=7)


def test_seed_code_block_prints_correct_numbers(tree, tmp_path):
    src_data_dir, export_dir = tree, str(tmp_path / "export")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # --- the code block, unchanged but for the import names ---
        import fo_lite as fo
        import fo_lite.core.features as fof
        from fo_lite.utils.data import parse_image_classification_dir_tree

        samples, _ = parse_image_classification_dir_tree(src_data_dir)
        dataset = fo.Dataset.from_image_classification_samples(
            samples, name="cifar100_with_duplicates"
        )
        print(dataset.summary())
        print(dataset.take(1))
        view = dataset.view().match({"ground_truth.label": "mountain"})
        print(view.summary())
        print(view.first())
        view = dataset.view().sort_by("ground_truth.label", reverse=True)
        print(view.summary())
        print(view.first())
        for sample in dataset:
            sample["file_hash"] = fof.compute_filehash(sample.filepath)
            sample.save()
        print(dataset.summary())
        print(dataset.view().first())
        pipeline = [
            {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
            {"$match": {"count": {"$gt": 1}}},
        ]
        dup_filehashes = [d["_id"] for d in dataset.aggregate(pipeline)]
        dup_view = dataset.view().match({"file_hash": {"$in": dup_filehashes}}).sort_by("file_hash")
        print(len(dup_view), len(dup_view) - len(dup_filehashes))
        _seen = set()
        for sample in dup_view:
            if sample.file_hash not in _seen:
                _seen.add(sample.file_hash)
                continue
            del dataset[sample.id]
        print(len(dataset), len({s.file_hash for s in dataset}))
        dataset.export(label_field="ground_truth", export_dir=export_dir)
        ids = dataset.take(3, seed=1).values("id")
        selected_view = dataset.view().select(ids)
        # --- end of the code block ---

    counts = read_manifest(src_data_dir)["counts"]
    text = out.getvalue()
    lines = text.splitlines()
    n_labels = Counter(label for _, label in samples)

    # summaries: sizes as generated
    assert f"Num samples: {counts['samples']}" in lines
    assert "Num samples: 1" in lines  # take(1)
    assert f"Num samples: {n_labels['mountain']}" in lines
    assert "'label': 'mountain'" in text
    first_of_sorted = max(n_labels)
    assert f"'label': {first_of_sorted!r}" in text
    assert re.search(r"file_hash:\s+fo_lite\.core\.fields\.StringField", text)
    assert re.search(r"'file_hash': '[0-9a-f]{32}'", text)

    # the two printed number lines
    assert lines[-2] == f"{counts['in_duplicate_groups']} {counts['duplicates']}"
    assert lines[-1] == f"{counts['unique']} {counts['unique']}"
    assert len(dup_filehashes) == counts["duplicate_groups"]

    # the export re-imports to the kept samples, one folder per label
    exported, _ = parse_image_classification_dir_tree(export_dir)
    assert len(exported) == counts["unique"]
    assert Counter(label for _, label in exported) == Counter(dataset.values("ground_truth.label"))
    assert len(selected_view) == 3
    assert set(selected_view.values("id")) == set(ids)
    assert all(os.path.exists(p) for p, _ in samples)  # sources untouched


def test_walkthrough_script_runs_offline(tree, tmp_path, capsys):
    from fo_lite.walkthrough import run

    numbers = run(tree, str(tmp_path / "export"), name="walk_script")
    counts = read_manifest(tree)["counts"]
    assert numbers["dup_filehashes"] == counts["duplicate_groups"]
    assert numbers["dup_view"] == counts["in_duplicate_groups"]
    assert numbers["samples_after"] == numbers["unique_after"] == counts["unique"]
    out = capsys.readouterr().out
    assert "=== 7. Export the clean dataset ===" in out
    assert f"to delete: {counts['duplicates']}" in out
