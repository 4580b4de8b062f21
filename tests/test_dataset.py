"""Dataset, Sample and registry behaviour."""

from __future__ import annotations

import re

import pytest

import fo_lite as fo
from tests.conftest import make_samples


@pytest.fixture
def dataset():
    return fo.Dataset.from_image_classification_samples(make_samples(9), name="pets")


def test_ids_are_unique_24_hex_and_stable(dataset):
    ids = dataset.values("id")
    assert len(set(ids)) == 9
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)
    assert dataset.values("id") == ids
    assert [s.id for s in dataset] == ids


def test_from_samples_fields_and_labels(dataset):
    sample = dataset.first()
    assert sample.filepath == "/data/cat/0.jpg"
    assert sample.tags == []
    assert sample.ground_truth.label == "cat"
    assert sample["ground_truth"] == fo.Classification(label="cat")
    assert dataset.count_values("ground_truth.label") == {"cat": 3, "dog": 3, "mountain": 3}
    assert list(dataset.get_field_schema()) == ["id", "filepath", "tags", "ground_truth"]


def test_int_targets_with_classes_and_bad_targets():
    ds = fo.Dataset.from_image_classification_samples(
        [("/a/1.jpg", 1), ("/a/2.jpg", 0)], classes=["x", "y"]
    )
    assert ds.values("ground_truth.label") == ["y", "x"]
    with pytest.raises(TypeError, match="class name"):
        fo.Dataset.from_image_classification_samples([("/a/1.jpg", 3.5)])
    with pytest.raises(IndexError, match="outside classes"):
        fo.Dataset.from_image_classification_samples([("/a/1.jpg", 5)], classes=["x"])


def test_new_field_by_assignment_and_save_grows_schema(dataset):
    for i, sample in enumerate(dataset):
        sample["file_hash"] = f"h{i % 4}"
        sample.save()
    assert isinstance(dataset.get_field_schema()["file_hash"], fo.StringField)
    assert "file_hash:    fo_lite.core.fields.StringField" in dataset.summary()
    assert dataset.values("file_hash") == [f"h{i % 4}" for i in range(9)]
    assert dataset.first().file_hash == "h0"
    assert dataset.view().match({"file_hash": "h1"}).values("id") == [
        dataset.values("id")[i] for i in (1, 5)
    ]


def test_unsaved_edits_are_visible_on_the_handle_only(dataset):
    sample = dataset.first()
    with pytest.raises(ValueError, match=r"add a new field with sample\['score'\] = value"):
        sample.score = 0.5  # new fields by item syntax only, as in FiftyOne
    sample["score"] = 0.5
    sample.score = 0.25  # an existing field (here: an unsaved edit) by attribute
    assert sample.score == 0.25
    assert "score" not in dataset.get_field_schema()
    sample.save()
    assert dataset.first().score == 0.25
    assert dataset.values("score")[1:] == [None] * 8


def test_field_type_mismatch_and_reserved_fields(dataset):
    sample = dataset.first()
    sample["n"] = 3
    sample.save()
    other = dataset.last()
    other["n"] = "three"
    with pytest.raises(TypeError, match="holds IntField"):
        other.save()
    with pytest.raises(ValueError, match="read-only"):
        sample["id"] = "x"
    with pytest.raises(TypeError, match="filepath must be a string"):
        sample.filepath = 3
    with pytest.raises(ValueError, match="invalid field name"):
        sample["$where"] = 1
    with pytest.raises(TypeError, match="tags must be a list of strings"):
        sample.tags = "a"


def test_int_field_with_nulls_reads_back_ints(dataset):
    sample = dataset.first()
    sample["n"] = 3
    sample.save()
    assert dataset.values("n")[:2] == [3, None]
    assert isinstance(dataset.first().n, int)


def test_missing_field_attribute_error_names_fields(dataset):
    with pytest.raises(AttributeError, match="no field 'nope'.*filepath"):
        _ = dataset.first().nope


def test_delete_by_id_and_unknown_id(dataset):
    ids = dataset.values("id")
    del dataset[ids[0]]
    assert len(dataset) == 8
    assert dataset.values("id") == ids[1:]
    with pytest.raises(KeyError, match="no sample with id"):
        del dataset[ids[0]]
    with pytest.raises(KeyError):
        dataset[ids[0]]


def test_saving_a_deleted_sample_raises(dataset):
    sample = dataset.first()
    del dataset[sample.id]
    sample["x"] = 1
    with pytest.raises(ValueError, match="was deleted"):
        sample.save()
    assert not sample.in_dataset


def test_delete_samples_ids_samples_view(dataset):
    ids = dataset.values("id")
    dataset.delete_samples(ids[:2])
    dataset.delete_samples([dataset.first()])
    dataset.delete_samples(dataset.view().match({"ground_truth.label": "mountain"}))
    assert dataset.values("id") == [ids[i] for i in (3, 4, 6, 7)]
    with pytest.raises(KeyError, match="nothing was deleted"):
        dataset.delete_samples([ids[3], ids[0]])
    assert len(dataset) == 4


def test_iterating_a_view_while_deleting_from_its_dataset(dataset):
    view = dataset.view().sort_by("ground_truth.label")
    seen = set()
    for sample in view:
        if sample.ground_truth.label in seen:
            del dataset[sample.id]
            continue
        seen.add(sample.ground_truth.label)
    assert len(dataset) == 3
    assert len(view) == 3
    assert sorted(dataset.values("ground_truth.label")) == ["cat", "dog", "mountain"]


def test_writes_after_deletes_land_on_the_right_rows(dataset):
    ids = dataset.values("id")
    keep = dataset[ids[5]]
    del dataset[ids[0]]
    del dataset[ids[1]]
    assert len(dataset.view()) == 7  # compacts
    keep["mark"] = "here"
    keep.save()
    assert dataset[ids[5]].mark == "here"
    assert dataset.values("mark").count("here") == 1


def test_values_and_set_values_on_views(dataset):
    view = dataset.view().match({"ground_truth.label": "dog"})
    view.set_values("score", [1.0, 2.0, 3.0])
    assert dataset.values("score") == [None, 1.0, None, None, 2.0, None, None, 3.0, None]
    with pytest.raises(ValueError, match="got 2 values for 3 samples"):
        view.set_values("score", [1.0, 2.0])
    dataset.set_values("ground_truth.label", ["z"] * 9)
    assert dataset.distinct("ground_truth.label") == ["z"]
    dataset.set_values("ground_truth", [fo.Classification(label="q")] * 9)
    assert dataset.first().ground_truth.label == "q"
    with pytest.raises(ValueError, match="read-only"):
        dataset.set_values("id", ["x"] * 9)


def test_count_distinct_bounds(dataset):
    dataset.set_values("n", list(range(9)))
    dataset.set_values("tags", [["a", "b"]] + [["a"]] * 8)
    assert dataset.count() == 9
    assert dataset.count("tags") == 10
    assert dataset.count_values("tags") == {"a": 9, "b": 1}
    assert dataset.distinct("tags") == ["a", "b"]
    assert dataset.bounds("n") == (0, 8)
    assert dataset.view().match({"n": {"$gt": 100}}).bounds("n") == (None, None)


def test_first_last_head_tail_and_empty(dataset):
    ids = dataset.values("id")
    assert dataset.first().id == ids[0]
    assert dataset.last().id == ids[-1]
    assert [s.id for s in dataset.head(2)] == ids[:2]
    assert [s.id for s in dataset.tail(2)] == ids[-2:]
    empty = dataset.view().match({"ground_truth.label": "none"})
    with pytest.raises(ValueError, match="is empty"):
        empty.first()


def test_add_samples_and_sample_repr():
    ds = fo.Dataset(name="adds")
    sample = fo.Sample(filepath="/x/1.jpg", ground_truth=fo.Classification(label="a"), n=1)
    new_id = ds.add_sample(sample)
    assert sample.id == new_id and ds[new_id].n == 1
    ds.add_samples([fo.Sample(filepath="/x/2.jpg", tags=["t"])])
    assert ds.values("n") == [1, None]
    assert ds.values("tags") == [[], ["t"]]
    text = repr(ds.first())
    assert text.startswith("<Sample: {") and "'filepath': '/x/1.jpg'" in text
    assert "0x" not in text


def test_summary_layout(dataset):
    text = dataset.summary()
    assert text.splitlines()[:5] == [
        "Name:        pets",
        "Media type:  image",
        "Num samples: 9",
        "Persistent:  False",
        "Tags:        []",
    ]
    view_text = repr(dataset.take(1, seed=3))
    assert "Num samples: 1" in view_text
    assert "1. Take(size=1, seed=3)" in view_text


def test_registry_names(dataset):
    assert fo.dataset_exists("pets")
    assert "pets" in fo.list_datasets()
    assert fo.load_dataset("pets") is dataset
    with pytest.raises(ValueError, match="already exists.*overwrite=True"):
        fo.Dataset(name="pets")
    new = fo.Dataset(name="pets", overwrite=True)
    assert fo.load_dataset("pets") is new
    with pytest.raises(ValueError, match="has been deleted"):
        len(dataset.view())
    with pytest.raises(fo.DatasetNotFoundError, match="dataset 'nope' not found"):
        fo.load_dataset("nope")


def test_import_fo_lite_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, fo_lite; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_id_lookup_stays_in_row_order_through_deletes_and_appends(dataset):
    ids = dataset.values("id")
    for i in (0, 4, 8):
        del dataset[ids[i]]
    dataset.add_sample(fo.Sample(filepath="/x/new.jpg"))
    del dataset[ids[5]]
    frame_ids = dataset.values("id")  # compacts
    assert frame_ids == [ids[i] for i in (1, 2, 3, 6, 7)] + frame_ids[-1:]
    assert dataset.positions_of(frame_ids).tolist() == list(range(len(frame_ids)))
    assert dataset[ids[6]].filepath == "/data/cat/6.jpg"


def test_clone_copies_a_view_with_its_ids_and_fields(dataset):
    dataset.set_values("score", [float(i) for i in range(9)])
    dataset.match({"ground_truth.label": "dog"}).tag_samples("pet")
    view = dataset.match({"ground_truth.label": "dog"}).sort_by("score", reverse=True)
    clone = view.clone("dogs")
    assert clone.name == "dogs" and fo.dataset_exists("dogs")
    assert clone.values("id") == view.values("id")
    assert clone.values("score") == [7.0, 4.0, 1.0]
    assert clone.get_field_schema() == dataset.get_field_schema()
    assert clone.count_sample_tags() == {"pet": 3}
    # the two datasets are independent from here on
    del clone[clone.first().id]
    clone.first().tags.append("ignored")  # not saved
    sample = clone.first()
    sample.tags.append("clone-only")
    sample.save()
    assert len(clone) == 2 and len(dataset) == 9
    assert dataset.count_sample_tags() == {"pet": 3}
    with pytest.raises(ValueError, match="already exists"):
        dataset.clone("dogs")


def test_to_pandas_shares_no_list_with_the_dataset(dataset):
    assert dataset.first().tags == []  # warms the read caches
    frame = dataset.to_pandas()
    frame["tags"].iloc[0].append("leak")
    assert dataset.first().tags == []
    assert list(frame.columns) == [
        "id",
        "filepath",
        "tags",
        "ground_truth.label",
        "ground_truth._cls",
    ]
