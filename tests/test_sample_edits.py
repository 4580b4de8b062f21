"""In-place edits of a sample's lists and labels, and tagging, with FiftyOne's semantics."""

from __future__ import annotations

import pytest

import fo_lite as fo
from tests.conftest import make_samples


@pytest.fixture
def dataset():
    return fo.Dataset.from_image_classification_samples(make_samples(6), name="edits")


def test_appending_to_tags_then_save_writes_the_tag(dataset):
    sample = dataset.first()
    sample.tags.append("dup")
    sample.tags.append("review")  # the same list again: both appends count
    assert dataset.first().tags == []  # nothing reaches the dataset before save
    sample.save()
    assert dataset.first().tags == ["dup", "review"]
    assert len(dataset.match_tags("dup")) == 1


def test_in_place_tag_changes_in_a_view_loop_are_saved(dataset):
    for sample in dataset.match({"ground_truth.label": "cat"}):
        sample.tags.append("cat-checked")
        sample.save()
    assert dataset.count_sample_tags() == {"cat-checked": 2}


def test_changing_a_label_attribute_then_save_writes_it(dataset):
    sample = dataset.first()
    sample.ground_truth.label = "lion"
    sample.ground_truth.confidence = 0.5
    sample.save()
    assert dataset.first().ground_truth == fo.Classification(label="lion", confidence=0.5)
    assert dataset.count_values("ground_truth.label")["lion"] == 1


def test_a_label_attribute_of_the_wrong_type_is_refused_when_set(dataset):
    sample = dataset.first()
    with pytest.raises(TypeError, match="label must be a string"):
        sample.ground_truth.label = 5
    with pytest.raises(TypeError, match="confidence must be a number"):
        sample.ground_truth.confidence = "high"
    sample.save()
    assert dataset.first().ground_truth.label == "cat"


def test_an_in_place_change_that_does_not_fit_fails_save_and_writes_nothing(dataset):
    sample = dataset.first()
    sample.tags.append(3)
    with pytest.raises(TypeError, match="tags must be a list of strings"):
        sample.save()
    assert dataset.first().tags == []


def test_a_list_held_after_save_cannot_change_the_dataset(dataset):
    sample = dataset.first()
    tags = sample.tags
    tags.append("a")
    sample.save()
    tags.append("late")
    assert dataset.first().tags == ["a"]
    new = fo.Sample(filepath="/data/new.jpg", tags=["x"])
    mine = new.tags
    dataset.add_sample(new)
    mine.append("late")
    assert dataset[new.id].tags == ["x"]


def test_an_assigned_list_changed_in_place_is_saved_as_changed(dataset):
    sample = dataset.first()
    sample["tags"] = ["a"]
    sample.tags.append("b")
    sample.save()
    assert dataset.first().tags == ["a", "b"]


def test_reload_drops_in_place_changes(dataset):
    sample = dataset.first()
    sample.tags.append("nope")
    sample.reload()
    sample.save()
    assert dataset.first().tags == []


def test_a_handle_reads_new_values_after_the_dataset_changes(dataset):
    sample = dataset.first()
    assert sample.tags == []
    dataset.set_values("tags", [["new"]] * len(dataset))
    assert sample.tags == ["new"]


def test_tag_and_untag_samples_of_a_view(dataset):
    cats = dataset.match({"ground_truth.label": "cat"})
    cats.tag_samples("dup")
    cats.tag_samples(["dup", "cat"])  # "dup" is not added twice
    assert dataset.count_sample_tags() == {"dup": 2, "cat": 2}
    assert cats.values("tags") == [["dup", "cat"], ["dup", "cat"]]
    dataset.untag_samples("dup")
    assert dataset.count_sample_tags() == {"cat": 2}
    assert dataset.count_sample_tags() == dataset.match_tags("cat").count_sample_tags()
    with pytest.raises(TypeError, match="tag_samples takes a tag string"):
        dataset.tag_samples(3)


def test_bounds_are_plain_python_numbers(dataset):
    dataset.set_values("score", [0.5, 1.5, 2.0, None, 0.25, 3.0])
    low, high = dataset.bounds("score")
    assert (low, high) == (0.25, 3.0)
    assert type(low) is float and type(high) is float


def test_changing_a_nested_list_in_place_reaches_the_dataset_only_on_save(dataset):
    dataset.set_values("boxes", [[[1, 2]]] * len(dataset))
    sample = dataset.first()
    sample.boxes[0].append(3)
    assert dataset.first().boxes == [[1, 2]]
    sample.save()
    assert dataset.first().boxes == [[1, 2, 3]]
    assert dataset.last().boxes == [[1, 2]]


def test_set_values_keeps_copies_of_the_lists_it_is_given(dataset):
    shared = ["a"]
    dataset.set_values("tags", [shared] * len(dataset))
    shared.append("late")
    sample = dataset.first()
    sample.tags.append("b")
    sample.save()
    assert dataset.values("tags") == [["a", "b"]] + [["a"]] * (len(dataset) - 1)


def test_a_dict_field_changed_in_place_is_saved(dataset):
    dataset.set_values("meta", [{"source": "cam"} for _ in range(len(dataset))])
    sample = dataset.first()
    sample.meta["checked"] = True
    assert dataset.first().meta == {"source": "cam"}
    sample.save()
    assert dataset.first().meta == {"source": "cam", "checked": True}
    assert dataset.last().meta == {"source": "cam"}
