"""Today's FiftyOne names beside the 2020 ones: fo.types, launch_app, fo_lite.core.utils,
export's label-field inference and rel_dir, and the class tree's ``_unlabeled`` folder."""

from __future__ import annotations

import os

import pytest

import fo_lite as fo
import fo_lite.core.utils as fou
from fo_lite.core.features import compute_filehash
from fo_lite.zoo import make_image_classification_tree


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    make_image_classification_tree(str(root), size=12, classes=["mountain", "tree"], seed=3)
    unlabeled = root / "_unlabeled"
    unlabeled.mkdir()
    first = sorted((root / "tree").iterdir())[0]
    (unlabeled / "lost.jpg").write_bytes(first.read_bytes())
    return root


def test_today_s_names_are_the_2020_ones():
    assert fo.launch_app is fo.launch_dashboard
    assert fou.compute_filehash is compute_filehash
    assert issubclass(fo.types.ImageClassificationDirectoryTree, fo.types.Dataset)


def test_from_dir_with_fo_types_reads_unlabeled_as_no_label(tree):
    dataset = fo.Dataset.from_dir(
        dataset_dir=str(tree),
        dataset_type=fo.types.ImageClassificationDirectoryTree,
        label_field="ground_truth",
        name="tree",
        tags="imported",
    )
    counts = dataset.count_values("ground_truth.label")
    assert None in counts and counts[None] == 1 and "_unlabeled" not in counts
    assert dataset.count("ground_truth") == len(dataset) - 1
    assert dataset.count_sample_tags() == {"imported": len(dataset)}
    # an instance and the old string name are accepted too
    again = fo.Dataset.from_dir(str(tree), fo.types.ImageClassificationDirectoryTree())
    assert len(again) == len(dataset)
    with pytest.raises(ValueError, match="unsupported dataset_type 'COCODetectionDataset'"):
        fo.Dataset.from_dir(str(tree), "COCODetectionDataset")


def test_export_infers_the_label_field_and_writes_unlabeled_samples(tree, tmp_path):
    dataset = fo.Dataset.from_dir(str(tree), fo.types.ImageClassificationDirectoryTree)
    dataset.set_values("note", ["x"] * len(dataset))  # a string field is no label field
    out = dataset.export(str(tmp_path / "out"), fo.types.ImageClassificationDirectoryTree)
    assert sorted(os.listdir(out)) == ["_unlabeled", "mountain", "tree"]
    assert os.listdir(os.path.join(out, "_unlabeled")) == ["lost.jpg"]
    back = fo.Dataset.from_dir(out)
    assert back.count_values("ground_truth.label") == dataset.count_values("ground_truth.label")


def test_export_without_a_classification_field_names_the_fix(tmp_path):
    dataset = fo.Dataset()
    dataset.add_sample(fo.Sample(filepath=str(tmp_path / "a.jpg")))
    with pytest.raises(ValueError, match="no Classification field to export; pass label_field="):
        dataset.export(str(tmp_path / "out"))


def test_export_rel_dir_keeps_the_source_layout(tree, tmp_path):
    dataset = fo.Dataset.from_dir(str(tree))
    out = dataset.export(str(tmp_path / "out"), rel_dir=str(tree), overwrite=True)
    # each file keeps its path below the tree under its label folder: tree/tree/<file>, ...
    inner = sorted(os.listdir(os.path.join(out, "tree")))
    assert inner == ["tree"] and os.path.isdir(os.path.join(out, "_unlabeled", "_unlabeled"))
