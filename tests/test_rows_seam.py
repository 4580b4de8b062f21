"""The public seam widgets read collections through: revision, rows and positions_of."""

import pytest

import fo_lite as fo


@pytest.fixture
def dataset():
    samples = [(f"/data/{c}/{i}.jpg", c) for i, c in enumerate("abcabc")]
    ds = fo.Dataset.from_image_classification_samples(samples)
    yield ds
    ds.delete()


def test_rows_follow_view_order_and_clamp(dataset):
    view = dataset.view().sort_by("filepath", reverse=True)
    rows = view.rows(1, 3, ["filepath", "ground_truth.label"])
    assert rows["filepath"] == ["/data/c/2.jpg", "/data/b/4.jpg"]
    assert rows["ground_truth.label"] == ["c", "b"]
    assert rows["id"] == view.values("id")[1:3]
    assert view.rows(4, 99)["id"] == view.values("id")[4:]
    assert view.rows(9, 12, ["filepath"]) == {"id": [], "filepath": []}
    with pytest.raises(ValueError, match="no field 'nope'"):
        view.rows(0, 1, ["nope"])


def test_rows_see_buffered_writes_and_labels(dataset):
    sample = dataset.first()
    sample["score"] = 0.5
    sample.save()
    rows = dataset.rows(0, 2, ["score", "ground_truth"])
    assert rows["score"] == [0.5, None]
    assert rows["ground_truth"][0].label == "a"


def test_revision_changes_with_the_dataset(dataset):
    view = dataset.match({"ground_truth.label": "a"})
    before = view.revision
    assert dataset.revision == before
    del dataset[dataset.first().id]
    assert view.revision != before
    assert len(view.rows(0, 10)["id"]) == 1


def test_positions_of(dataset):
    view = dataset.match({"ground_truth.label": "b"}).sort_by("filepath", reverse=True)
    ids = view.values("id")
    outside = dataset.match({"ground_truth.label": "a"}).first().id
    assert view.positions_of([ids[1], outside, "nope", ids[0]]).tolist() == [1, -1, -1, 0]
    assert dataset.positions_of([outside]).tolist() == [0]


def test_a_view_names_its_dataset(dataset):
    view = dataset.match({"ground_truth.label": "a"}).limit(1)
    assert view.dataset is dataset and view.dataset_name == dataset.name
    dataset.name = "renamed"
    assert view.dataset_name == "renamed"
