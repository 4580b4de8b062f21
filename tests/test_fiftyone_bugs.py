"""Bugs that FiftyOne's own unit tests exposed in fo_lite, each pinned with FiftyOne's behaviour."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import fo_lite as fo
from tests.conftest import make_samples


@pytest.fixture
def dataset():
    return fo.Dataset.from_image_classification_samples(make_samples(6), name="bugs")


def _seed_loop_writes_pred(dataset):
    """The seed's own loop: a new label field by sample.save(), never flushed by anything."""
    for i, sample in enumerate(dataset):
        sample["pred"] = fo.Classification(label="cat" if i % 2 else "dog", confidence=i / 10)
        sample["n"] = i
        sample.save()


def test_every_read_sees_a_label_field_still_in_the_write_buffer(dataset):
    _seed_loop_writes_pred(dataset)
    assert dataset.count_values("pred.label") == {"dog": 3, "cat": 3}
    assert dataset.distinct("pred.label") == ["cat", "dog"]
    assert dataset.count("pred.label") == 6
    assert dataset.count("pred") == 6
    assert dataset.bounds("pred.confidence") == (0.0, 0.5)
    ordered = dataset.sort_by("pred.confidence", reverse=True)
    assert ordered.values("pred.confidence") == [0.5, 0.4, 0.3, 0.2, 0.1, 0.0]


def test_views_rows_and_exports_see_buffered_writes_too(dataset, tmp_path):
    sample = dataset.first()
    sample["pred"] = fo.Classification(label="cat")
    sample["tagged"] = True
    sample.save()  # one sample: the rest of the column was never written
    assert len(dataset.exists("pred")) == 1
    assert len(dataset.match({"pred.label": "cat"})) == 1
    assert dataset.values("pred.confidence") == [None] * 6
    assert dataset.rows(0, 2, ["pred.label", "tagged"]) == {
        "id": dataset.values("id")[:2],
        "pred.label": ["cat", None],
        "tagged": [True, None],
    }
    assert dataset.aggregate([{"$match": {"tagged": True}}, {"$count": "n"}]) == [{"n": 1}]
    assert dataset.get_field("pred.label").__class__ is fo.StringField
    out = dataset.export(str(tmp_path / "out"), label_field="pred", export_media=False)
    assert os.path.exists(os.path.join(out, "labels.csv"))


def test_a_label_rewritten_without_confidence_drops_the_buffered_confidence(dataset):
    sample = dataset.first()
    sample["pred"] = fo.Classification(label="cat", confidence=0.9)
    sample.save()
    sample["pred"] = fo.Classification(label="dog")  # confidence None, before any flush
    sample.save()
    assert dataset.first().pred == fo.Classification(label="dog")


def test_an_empty_classification_is_kept_and_counted(dataset):
    sample = dataset.first()
    sample["single"] = fo.Classification()
    sample.save()
    assert dataset.count("single") == 1  # FiftyOne counts the (empty) label
    assert dataset.first().single == fo.Classification()
    assert dataset.values("single")[:2] == [fo.Classification(), None]
    assert len(dataset.exists("single")) == 1
    assert len(dataset.match({"single": {"$exists": True, "$ne": None}})) == 1
    dataset.set_values("single", [None, fo.Classification()] * 3)
    assert dataset.count("single") == 3 and dataset.first().single is None


def test_an_empty_classification_survives_a_save_and_load(dataset):
    dataset.set_values("single", [fo.Classification()] + [None] * 5)
    dataset.persistent = True
    dataset.reload()  # from the file just written
    assert dataset.count("single") == 1 and dataset.first().single == fo.Classification()
    assert dataset.values("single")[1] is None


def test_unknown_attributes_of_datasets_and_views_raise(dataset):
    with pytest.raises(AttributeError, match="has no attribute 'persistant'.*'persistent'"):
        dataset.persistant = True  # the typo of the issue
    assert not dataset.persistent
    view = dataset.limit(2)
    with pytest.raises(AttributeError, match="DatasetView has no attribute 'nmae'"):
        view.nmae = "x"
    with pytest.raises(AttributeError):
        dataset.media_type = "video"  # a read-only attribute
    dataset.tags = ["kept"]  # the real attributes still work
    assert dataset.tags == ["kept"]


def test_a_relative_filepath_is_made_absolute(tmp_path):
    sample = fo.Sample(filepath="relative/file.jpg")
    assert sample.filepath == os.path.abspath("relative/file.jpg")  # FiftyOne's test_abs_filepath
    sample.filepath = "other.jpg"
    assert sample.filepath == os.path.abspath("other.jpg")


def test_numpy_scalars_in_fields_become_python_values(dataset):
    sample = fo.Sample(
        filepath="/a.jpg",
        scores=[np.float32(0.5), np.int64(3)],
        nested={"k": (np.int16(1), np.bool_(True))},
        one=np.float64(2.5),
    )
    assert json.loads(json.dumps(sample.to_dict()))["nested"] == {"k": [1, True]}
    assert type(sample.scores[0]) is float and type(sample.one) is float
    dataset.add_sample(sample)
    dataset.set_values("ints", [np.int64(i) if i else None for i in range(7)])
    for s in dataset:
        json.dumps(s.to_dict())
    assert [type(v) for v in dataset.values("ints")[1:3]] == [int, int]


def test_len_and_every_method_of_a_deleted_dataset_raise(dataset):
    view = dataset.limit(2)
    sample = dataset.first()
    dataset.delete()
    assert dataset.deleted
    for call in (
        lambda: len(dataset),
        lambda: len(view),
        lambda: dataset.values("id"),
        lambda: dataset.first(),
        lambda: list(dataset),
        lambda: dataset.count_values("ground_truth.label"),
        lambda: dataset.view(),
        lambda: sample.ground_truth,
    ):
        with pytest.raises(ValueError, match="dataset 'bugs' has been deleted"):
            call()
    sample["x"] = 1
    with pytest.raises(ValueError, match="has been deleted"):
        sample.save()
