"""What a FiftyOne user reaches for next, with the expected values of FiftyOne's own unit tests
(tests/unittests/{sample,view,dataset}_tests.py in voxel51/fiftyone)."""

from __future__ import annotations

import pytest

import fo_lite as fo
from fo_lite.core import registry
from tests.conftest import make_samples


@pytest.fixture
def dataset():
    ds = fo.Dataset.from_image_classification_samples(make_samples(6), name="api")
    ds.set_values("n", [5, 7, 1, 9, 3, None])
    return ds


# -- samples (sample_tests.py) -------------------------------------------------------------
def test_get_and_set_field_as_in_fiftyone():
    sample = fo.Sample(filepath="/path/to/image.jpg", field1="custom_value")
    assert sample.get_field("field1") == sample["field1"] == sample.field1 == "custom_value"
    with pytest.raises(AttributeError):
        sample.get_field("missing_field")
    with pytest.raises(KeyError):
        sample["missing_field"]
    with pytest.raises(AttributeError):
        _ = sample.missing_field
    with pytest.raises(ValueError):
        sample.set_field("field1_new", 51, create=False)
    sample.set_field("field2", 51)
    assert isinstance(sample.field2, int) and sample["field2"] == 51
    with pytest.raises(ValueError):
        sample.field4 = 51  # new fields by item syntax only
    with pytest.raises(KeyError):
        sample["field4"]
    sample.field2 = 53  # an existing field by attribute
    assert sample.field2 == 53


def test_copy_from_dict_filename_clear_field(dataset):
    sample = dataset.first()
    copy = sample.copy()
    assert copy is not sample and copy.id is None and copy.dataset is None
    assert copy.ground_truth == sample.ground_truth and copy.n == 5
    only = sample.copy(fields=["n"])
    assert set(only.field_names) == {"id", "filepath", "tags", "n"}
    renamed = sample.copy(fields={"n": "m"}, omit_fields=None)
    assert renamed.m == 5 and not renamed.has_field("n")
    assert sample.filename == "0.jpg"
    back = fo.Sample.from_dict(sample.to_dict())
    assert back.id is None and back.ground_truth == fo.Classification(label="cat")
    sample.clear_field("n")
    sample.save()
    assert dataset.first().n is None
    with pytest.raises(ValueError, match="cannot be cleared"):
        sample.clear_field("filepath")


def test_adding_a_sample_of_another_dataset_adds_a_copy(dataset):
    other = fo.Dataset(name="other")
    sample = dataset.first()
    new_id = other.add_sample(sample)
    assert new_id != sample.id and sample.dataset is dataset
    assert other[new_id].dataset is other and other[new_id].ground_truth.label == "cat"
    ids = other.add_samples(dataset.match({"n": {"$gt": 4}}))
    assert len(ids) == 3 and other.count_values("ground_truth.label") == {"cat": 3, "dog": 1}
    assert len(dataset) == 6  # the source is unchanged
    fresh = fo.Sample(filepath="/x.jpg")
    other.add_sample(fresh)
    assert fresh.dataset is other and fresh.in_dataset


def test_add_samples_expand_schema_false(dataset):
    sample = fo.Sample(filepath="/path/to/image.jpg", field1=51)
    with pytest.raises(ValueError):
        dataset.add_sample(sample, expand_schema=False)
    assert len(dataset) == 6  # not inserted
    dataset.add_sample(sample)
    assert isinstance(dataset.get_field_schema()["field1"], fo.IntField)


# -- fields --------------------------------------------------------------------------------
def test_add_sample_field_with_field_classes_and_schema_objects():
    dataset = fo.Dataset()
    dataset.add_sample_field(
        "test_label", fo.EmbeddedDocumentField, embedded_doc_type=fo.Classification
    )
    dataset.add_sample_field("int_field", fo.IntField)
    dataset.add_sample_field("tags_like", fo.ListField, subfield=fo.StringField)
    schema = dataset.get_field_schema()
    assert isinstance(schema["filepath"], fo.StringField)
    assert isinstance(schema["id"], fo.ObjectIdField)
    assert isinstance(schema["test_label"], fo.EmbeddedDocumentField)
    assert schema["test_label"].document_type is fo.Classification
    assert isinstance(schema["tags_like"], fo.ListField)
    assert isinstance(schema["tags_like"].field, fo.StringField)
    labels = dataset.get_field_schema(
        ftype=fo.EmbeddedDocumentField, embedded_doc_type=fo.Classification
    )
    assert list(labels) == ["test_label"]
    sample = fo.Sample(filepath="/a.jpg")
    dataset.add_sample(sample)
    sample.test_label = fo.Classification(label="cow")  # declared: attribute syntax works
    sample.save()
    assert dataset.first().test_label.label == "cow"
    with pytest.raises(TypeError, match="field 'int_field' holds IntField"):
        dataset.set_values("int_field", ["x"])


def test_rename_clone_clear_delete_sample_fields(dataset):
    dataset.rename_sample_field("ground_truth", "gt")
    assert list(dataset.get_field_schema())[3] == "gt"  # keeps its place
    assert dataset.count_values("gt.label") == {"cat": 2, "dog": 2, "mountain": 2}
    dataset.clone_sample_field("gt", "gt2")
    dataset[1:].clone_sample_field("n", "n2")  # a view: only its samples
    assert dataset.values("n2") == [None, 7, 1, 9, 3, None]
    dataset[:1].clear_sample_field("gt")  # FiftyOne's test_clone_fields
    assert dataset.values("gt")[:2] == [None, fo.Classification(label="dog")]
    assert dataset.first().gt2.label == "cat"
    dataset.delete_sample_fields(["gt2", "n2"])
    assert "gt2" not in dataset.get_field_schema()
    with pytest.raises(ValueError, match="already exists"):
        dataset.rename_sample_field("gt", "n")
    with pytest.raises(ValueError, match="cannot be renamed"):
        dataset.rename_sample_field("filepath", "path")


# -- values --------------------------------------------------------------------------------
def test_values_of_several_fields_and_missing_value(dataset):
    ids, ns = dataset.values(["id", "n"])
    assert ids == dataset.values("id") and ns == [5, 7, 1, 9, 3, None]
    assert dataset.values("n", missing_value=-1)[-1] == -1


def test_set_values_with_key_field_as_in_fiftyone():
    dataset = fo.Dataset()
    dataset.add_samples([fo.Sample(filepath=f"test{i}.png", int_field=i) for i in range(1, 5)])
    values = {1: "1", 3: "3"}
    dataset.set_values("str_field", values, key_field="int_field")
    view = dataset.exists("str_field")
    assert dict(zip(*view.values(["int_field", "str_field"]), strict=True)) == values
    values[0] = "0"  # a key no sample has
    with pytest.raises(ValueError):
        dataset.set_values("str_field", values, key_field="int_field")
    with pytest.raises(ValueError):
        dataset.set_values("float_field", [0.0] * 4, expand_schema=False)
    first = dataset.first().id
    dataset.set_values("str_field", {first: "by id"})  # key_field defaults to "id"
    assert dataset.first().str_field == "by id"


# -- stages (view_tests.py) ----------------------------------------------------------------
def test_shuffle_is_a_stable_permutation(dataset):
    view = dataset.shuffle(seed=51)
    assert sorted(view.values("id")) == sorted(dataset.values("id"))
    assert view.values("id") == dataset.shuffle(seed=51).values("id") == view.values("id")
    assert dataset.shuffle(seed=1).values("id") != dataset.shuffle(seed=2).values("id")


def test_select_and_exclude_fields(dataset):
    dataset.add_sample_field("select_fields_field", fo.IntField)
    for sample in dataset.select_fields():
        assert sample.selected_field_names == {"id", "filepath", "tags"}
        assert sample.excluded_field_names is None
        assert sample.filepath and sample.tags == []
        with pytest.raises(AttributeError):
            _ = sample.select_fields_field
    view = dataset.select_fields("ground_truth")
    assert list(view.get_field_schema()) == ["id", "filepath", "tags", "ground_truth"]
    with pytest.raises(ValueError, match="excludes field 'n'"):
        view.values("n")
    assert "n" not in view.first().to_dict()
    for default_field in ("id", "filepath", "tags"):
        with pytest.raises(ValueError):
            dataset.exclude_fields(default_field)
    for sample in dataset.exclude_fields(["select_fields_field"]):
        assert sample.selected_field_names is None
        assert sample.excluded_field_names == {"select_fields_field"}
        with pytest.raises(AttributeError):
            _ = sample.select_fields_field
        assert sample.has_field("n")  # the other fields are still there
    clone = dataset.exclude_fields("n").limit(2).clone()
    assert "n" not in clone.get_field_schema() and len(clone) == 2
    assert "n" not in dataset.exclude_fields("n").to_pandas().columns


def test_concat_match_tags_all_and_reload(dataset):
    dataset.set_values("tags", [["a", "b"], ["a"], [], ["b"], ["a", "b", "c"], []])
    assert len(dataset.match_tags(["a", "b"])) == 4
    assert len(dataset.match_tags(["a", "b"], all=True)) == 2
    assert len(dataset.match_tags(["a", "b"], bool=False, all=True)) == 4
    first, rest = dataset.limit(2), dataset.skip(4)
    both = first.concat(rest)
    assert both.values("id") == first.values("id") + rest.values("id")
    with pytest.raises(ValueError, match="concat takes a view of dataset"):
        first.concat(fo.Dataset(name="elsewhere"))
    view = dataset.match({"n": {"$gt": 4}})
    assert len(view) == 3
    view.reload()
    assert len(view) == 3


# -- datasets (dataset_tests.py) -----------------------------------------------------------
def test_load_dataset_create_if_necessary_and_not_found_error():
    with pytest.raises(fo.DatasetNotFoundError):
        fo.load_dataset("nope")
    assert issubclass(fo.DatasetNotFoundError, ValueError)
    made = fo.load_dataset("nope", create_if_necessary=True)
    assert made.name == "nope" and len(made) == 0 and fo.load_dataset("nope") is made


def test_list_datasets_with_a_glob_pattern():
    for name in ("cifar-a", "cifar-b", "other"):
        fo.Dataset(name=name)
    assert fo.list_datasets("cifar*") == ["cifar-a", "cifar-b"]
    assert fo.list_datasets("*-b") == ["cifar-b"]


def test_renaming_a_dataset(dataset):
    view = dataset.limit(2)
    dataset.name = "renamed"
    assert fo.load_dataset("renamed") is dataset and not fo.dataset_exists("api")
    assert view.dataset_name == "renamed"
    fo.Dataset(name="taken")
    with pytest.raises(ValueError, match="'taken' is not available"):
        dataset.name = "taken"
    assert dataset.name == "renamed"


def test_renaming_a_persistent_dataset_moves_its_whole_folder(dataset):
    dataset.persistent = True
    old = registry.dataset_dir("api")
    (old / "near_duplicates.json").write_text("{}")  # a file another module keeps there
    dataset.name = "moved"
    new = registry.dataset_dir("moved")
    assert not old.exists()
    assert (new / "near_duplicates.json").read_text() == "{}"
    assert fo.list_datasets() == ["moved"]
    dataset.set_values("n", [0] * 6)  # still saved, to the new folder, under its lock
    dataset.reload()
    assert dataset.values("n") == [0] * 6 and dataset.name == "moved"


def test_deleting_a_persistent_dataset_removes_its_whole_folder(dataset):
    dataset.persistent = True
    folder = registry.dataset_dir("api")
    (folder / "brain").mkdir()
    (folder / "brain" / "near_duplicates.json").write_text("{}")  # another module's side file
    dataset.delete()
    assert not folder.exists()
    again = fo.Dataset(name="api", persistent=True)  # a new dataset of that name starts clean
    assert sorted(p.name for p in folder.iterdir()) == ["dataset.lock", "dataset.parquet"]
    again.persistent = False
    assert not folder.exists()
