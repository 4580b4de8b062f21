"""Views: lazy, immutable chains of stages that never go stale."""

from __future__ import annotations

import json

import pytest

import fo_lite as fo
from fo_lite.core.stages import STAGES, stage_from_dict
from tests.conftest import make_samples


@pytest.fixture
def dataset():
    ds = fo.Dataset.from_image_classification_samples(make_samples(12), name="v")
    ds.set_values("n", [None, 5, 3, None, 1, 9, 7, 2, 8, 0, 4, 6])
    return ds


def test_views_are_immutable_and_lazy(dataset):
    base = dataset.view()
    matched = base.match({"ground_truth.label": "cat"})
    assert len(base) == 12 and len(matched) == 4
    assert base.stages == ()
    ids = dataset.values("id")
    dataset.delete_samples([ids[0]])
    assert len(matched) == 3  # re-evaluated, never stale


def test_sort_by_nulls_first_ascending_last_descending(dataset):
    asc = dataset.sort_by("n").values("n")
    assert asc == [None, None, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    desc = dataset.sort_by("n", reverse=True).values("n")
    assert desc == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, None, None]


def test_sort_by_several_fields_and_chained_sorts(dataset):
    view = dataset.sort_by([("ground_truth.label", -1), ("n", 1)])
    pairs = list(zip(view.values("ground_truth.label"), view.values("n"), strict=True))
    assert pairs[:4] == [("mountain", 3), ("mountain", 6), ("mountain", 8), ("mountain", 9)]
    chained = dataset.sort_by("n").sort_by("ground_truth.label")
    assert chained.values("n")[:4] == [None, None, 0, 7]  # stable: n order kept within cat


def test_sort_by_errors(dataset):
    with pytest.raises(ValueError, match="no field 'nope'"):
        dataset.sort_by("nope")
    with pytest.raises(ValueError, match="cannot sort by 'tags'"):
        dataset.sort_by("tags")
    with pytest.raises(TypeError, match="sort_by"):
        dataset.sort_by([("n", 2)])


def test_take_is_deterministic_per_seed_and_stable_per_view(dataset):
    a = dataset.take(5, seed=1).values("id")
    assert a == dataset.take(5, seed=1).values("id")
    assert len(set(a)) == 5
    view = dataset.take(5)
    assert view.values("id") == view.values("id")
    assert len(dataset.take(50, seed=0)) == 12


def test_select_exclude_limit_skip_slices(dataset):
    ids = dataset.values("id")
    assert dataset.select([ids[5], ids[1]]).values("id") == [ids[1], ids[5]]
    assert dataset.select([ids[5], ids[1]], ordered=True).values("id") == [ids[5], ids[1]]
    assert dataset.select(ids[3]).values("id") == [ids[3]]
    assert len(dataset.exclude(ids[:10])) == 2
    assert dataset.skip(2).limit(3).values("id") == ids[2:5]
    assert dataset[2:5].values("id") == ids[2:5]
    assert dataset.view().select(dataset.view().limit(2)).values("id") == ids[:2]


def test_select_unknown_ids_warns_with_count(dataset):
    ids = dataset.values("id")
    with pytest.warns(UserWarning, match="2 of 3 ids are not in dataset"):
        view = dataset.select([ids[0], "0" * 24, "1" * 24])
    assert view.values("id") == [ids[0]]
    with pytest.raises(ValueError, match="not sample ids"):
        dataset.select(["nope"])


def test_exists_and_match_tags(dataset):
    assert len(dataset.exists("n")) == 10
    assert len(dataset.exists("n", False)) == 2
    with pytest.raises(ValueError, match="no field"):
        dataset.exists("nope")
    dataset.set_values("tags", [["dup"] if i % 4 == 0 else [] for i in range(12)])
    assert len(dataset.match_tags("dup")) == 3
    assert len(dataset.match_tags(["dup", "x"], bool=False)) == 9


def test_view_getitem_membership(dataset):
    ids = dataset.values("id")
    view = dataset.limit(2)
    assert view[ids[1]].id == ids[1]
    with pytest.raises(KeyError, match="view"):
        view[ids[5]]


def test_serialization_round_trip_is_json(dataset):
    ids = dataset.values("id")
    view = (
        dataset.view()
        .match({"n": {"$gte": 2}})
        .sort_by([("n", -1)])
        .exclude(ids[:1])
        .take(6, seed=4)
        .select(ids, ordered=True)
        .skip(1)
        .limit(3)
        .exists("n")
        .match_tags([], bool=False)
        .concat(dataset.match({"n": 1}))
        .shuffle(seed=3)
        .exclude_fields("n")
        .select_fields("ground_truth")
        .set_field("ground_truth.label", fo.ViewField("label").upper())
    )
    data = json.loads(json.dumps(view._serialize()))
    rebuilt = fo.DatasetView._from_serialized(dataset, data)
    assert rebuilt == view
    assert rebuilt.values("id") == view.values("id")
    assert {d["_stage"] for d in data} == set(STAGES)


def test_stage_from_dict_rejects_unknown_and_malformed():
    with pytest.raises(ValueError, match="unknown view stage 'eval'"):
        stage_from_dict({"_stage": "eval", "kwargs": {}})
    with pytest.raises(ValueError, match="not a serialized view stage"):
        stage_from_dict(["match"])
    with pytest.raises(TypeError, match="non-negative integer"):
        stage_from_dict({"_stage": "limit", "kwargs": {"limit": "3"}})


def test_match_validates_at_construction(dataset):
    with pytest.raises(ValueError, match=r"\$where"):
        dataset.match({"$where": "1"})


def test_iteration_does_not_see_later_rows_as_new_samples(dataset):
    view = dataset.match({"n": {"$gt": 4}})
    seen = [s.n for s in view]
    assert sorted(seen) == [5, 6, 7, 8, 9]
    assert all(s.in_dataset for s in view)
    assert repr(view.first()).startswith("<SampleView: {")


def test_match_filters_serialize_as_plain_json(dataset):
    import re

    import numpy as np

    view = dataset.match({"n": {"$gt": np.int64(4)}})
    assert view._serialize() == [{"_stage": "match", "kwargs": {"filter": {"n": {"$gt": 4}}}}]
    assert len(view) == 5
    with pytest.raises(TypeError, match=r"Pattern values cannot be used.*\$regex"):
        dataset.match({"filepath": re.compile("cat")})


def test_list_field_counts_match_a_per_element_count(dataset):
    import collections

    words = [["a", "b"], [], None, ["a"], ["b", None, "b"], [], ["c"], None, [], ["a"], [], []]
    dataset.set_values("words", words)
    dataset.set_values("tags", [[t for t in w if t] if w else [] for w in words])
    dataset.set_values("boxes", [[1, 2], None, [], [2, 3.5], None, [1], [], [], [], [], [], []])
    elements = [t for cell in words if cell for t in cell if t is not None]
    # a None element is counted as None, as MongoDB's $unwind + $group count it
    assert dataset.count_values("words") == dict(collections.Counter(elements)) | {None: 1}
    assert dataset.count_values("tags") == dict(collections.Counter(elements))
    assert dataset.distinct("words") == ["a", "b", "c"]
    assert dataset.count("words") == len(elements)  # None elements do not count, as in FiftyOne
    assert dataset.count_values("boxes") == {1: 2, 2: 2, 3.5: 1}
    assert dataset.bounds("boxes") == (1, 3.5) and dataset.count("boxes") == 5
    view = dataset.match({"n": {"$gt": 4}})
    assert view.count_values("tags") == dict(
        collections.Counter(t for i in view.values("tags") for t in i)
    )
    dataset.add_sample_field("empty_list", fo.ListField)
    assert dataset.count_values("empty_list") == {} and dataset.count("empty_list") == 0
