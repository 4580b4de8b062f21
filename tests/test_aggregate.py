"""Unit tests of fo_lite.core.aggregate: every stage, every accumulator, every error."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd
import pytest

from fo_lite.core.aggregate import ACCUMULATORS, STAGES, run_pipeline, validate_pipeline
from fo_lite.core.documents import frame_from_documents


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["i0", "i1", "i2", "i3", "i4"],
            "file_hash": pd.Series(["h1", "h2", "h1", "h3", "h1"]),
            "ground_truth.label": pd.Series(["cat", "dog", "cat", None, "cow"]),
            "size": [10, 20, 30, 40, 50],
            "score": [0.5, np.nan, 1.5, 2.0, 3.0],
            "tags": [["a", "b"], [], None, ["a"], ["c"]],
        }
    )


def plain(value) -> bool:
    """Only plain Python values (no numpy scalars, no NaN)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, float):
        return value == value
    return value is None or type(value) in (str, int, bool)


def test_walkthrough_pipeline(frame):
    pipeline = [
        {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
        {"$match": {"count": {"$gt": 1}}},
    ]
    assert run_pipeline(frame, pipeline) == [{"_id": "h1", "count": 3}]


def test_group_accumulators(frame):
    out = run_pipeline(
        frame,
        [
            {
                "$group": {
                    "_id": "$ground_truth.label",
                    "n": {"$sum": 1},
                    "total": {"$sum": "$size"},
                    "avg": {"$avg": "$score"},
                    "lo": {"$min": "$score"},
                    "hi": {"$max": "$size"},
                    "first": {"$first": "$id"},
                    "last": {"$last": "$id"},
                    "ids": {"$push": "$id"},
                    "hashes": {"$addToSet": "$file_hash"},
                }
            },
            {"$sort": {"_id": 1}},
        ],
    )
    assert [list(d)[0] for d in out] == ["_id"] * 4  # _id first
    assert out == [
        {"_id": None, "n": 1, "total": 40, "avg": 2.0, "lo": 2.0, "hi": 40, "first": "i3",
         "last": "i3", "ids": ["i3"], "hashes": ["h3"]},
        {"_id": "cat", "n": 2, "total": 40, "avg": 1.0, "lo": 0.5, "hi": 30, "first": "i0",
         "last": "i2", "ids": ["i0", "i2"], "hashes": ["h1"]},
        {"_id": "cow", "n": 1, "total": 50, "avg": 3.0, "lo": 3.0, "hi": 50, "first": "i4",
         "last": "i4", "ids": ["i4"], "hashes": ["h1"]},
        {"_id": "dog", "n": 1, "total": 20, "avg": None, "lo": None, "hi": 20, "first": "i1",
         "last": "i1", "ids": ["i1"], "hashes": ["h2"]},
    ]  # fmt: skip
    assert plain(out)


def test_group_null_id_and_literals(frame):
    out = run_pipeline(
        frame,
        [{"$group": {"_id": None, "n": {"$sum": 1}, "twice": {"$sum": 2}, "half": {"$sum": 0.5},
                     "k": {"$first": {"$literal": "$x"}}, "none": {"$sum": "text"}}}],
    )  # fmt: skip
    assert out == [{"_id": None, "n": 5, "twice": 10, "half": 2.5, "k": "$x", "none": 0}]


def test_group_compound_id(frame):
    out = run_pipeline(
        frame,
        [
            {"$group": {"_id": {"h": "$file_hash", "l": "$ground_truth.label"}, "n": {"$sum": 1}}},
            {"$sort": {"n": -1, "_id.h": 1, "_id.l": 1}},
        ],
    )
    assert out[0] == {"_id": {"h": "h1", "l": "cat"}, "n": 2}
    assert {"_id": {"h": "h3", "l": None}, "n": 1} in out
    assert len(out) == 4


def test_group_keys_follow_bson_equality():
    frame = frame_from_documents(
        [{"k": 1}, {"k": 1.0}, {"k": True}, {"k": None}, {}, {"k": [1, 2]}, {"k": [1, 2]},
         {"k": {"a": 1}}, {"k": "1"}]
    )  # fmt: skip
    out = run_pipeline(frame, [{"$group": {"_id": "$k", "n": {"$sum": 1}}}])
    counts = sorted((repr(d["_id"]), d["n"]) for d in out)
    assert counts == sorted(
        [("1", 2), ("True", 1), ("None", 2), ("[1, 2]", 2), ("{'a': 1}", 1), ("'1'", 1)]
    )


def test_sum_types():
    frame = frame_from_documents([{"g": 1, "x": 1}, {"g": 1, "x": 2}, {"g": 2, "x": 1.5}, {"g": 2}])
    out = run_pipeline(
        frame, [{"$group": {"_id": "$g", "s": {"$sum": "$x"}}}, {"$sort": {"_id": 1}}]
    )
    assert out == [{"_id": 1, "s": 3}, {"_id": 2, "s": 1.5}]
    assert type(out[0]["s"]) is int and type(out[1]["s"]) is float


def test_push_skips_missing_keeps_null():
    frame = frame_from_documents([{"x": 1}, {}, {"x": None}, {"x": [2]}])
    out = run_pipeline(frame, [{"$group": {"_id": None, "p": {"$push": "$x"}}}])
    assert out == [{"_id": None, "p": [1, None, [2]]}]


def test_match_stage(frame):
    out = run_pipeline(frame, [{"$match": {"tags": "a"}}, {"$project": {"size": 1}}])
    assert out == [{"_id": "i0", "size": 10}, {"_id": "i3", "size": 40}]


def test_sort_stage_with_mixed_types():
    frame = frame_from_documents(
        [{"v": "s"}, {"v": 2}, {"v": None}, {"v": True}, {"v": {"a": 1}}, {}, {"v": 1.5}]
    )
    out = run_pipeline(frame, [{"$sort": {"v": 1}}, {"$project": {"_id": 0, "v": 1}}])
    # null and missing first (tied, so input order), then numbers, strings, objects, booleans
    assert [d.get("v", "missing") for d in out] == [None, "missing", 1.5, 2, "s", {"a": 1}, True]
    out = run_pipeline(frame, [{"$sort": {"v": -1}}])
    assert [d.get("v", "missing") for d in out][:3] == [True, {"a": 1}, "s"]


def test_sort_several_keys_and_stability(frame):
    out = run_pipeline(frame, [{"$sort": {"file_hash": -1, "size": 1}}])
    assert [d["_id"] for d in out] == ["i3", "i1", "i0", "i2", "i4"]
    out = run_pipeline(frame, [{"$sort": {"ground_truth.label": 1}}])
    assert [d["_id"] for d in out] == ["i3", "i0", "i2", "i4", "i1"]


def test_limit_and_skip(frame):
    out = run_pipeline(frame, [{"$sort": {"size": -1}}, {"$skip": 1}, {"$limit": 2}])
    assert [d["size"] for d in out] == [40, 30]
    assert run_pipeline(frame, [{"$skip": 10}]) == []


def test_project_include_exclude_and_compute(frame):
    out = run_pipeline(frame, [{"$limit": 1}, {"$project": {"ground_truth": 1}}])
    assert out == [{"_id": "i0", "ground_truth": {"label": "cat"}}]
    out = run_pipeline(frame, [{"$limit": 1}, {"$project": {"_id": 0, "ground_truth.label": 1}}])
    assert out == [{"ground_truth": {"label": "cat"}}]
    out = run_pipeline(frame, [{"$limit": 1}, {"$project": {"tags": 0, "score": 0, "size": 0}}])
    assert out == [{"_id": "i0", "file_hash": "h1", "ground_truth": {"label": "cat"}}]
    out = run_pipeline(
        frame, [{"$limit": 1}, {"$project": {"h": "$file_hash", "one": {"$literal": 1}}}]
    )
    assert out == [{"_id": "i0", "h": "h1", "one": 1}]


def test_project_into_documents():
    frame = frame_from_documents(
        [{"a": {"p": 1, "q": 2}, "b": 1}, {"a": [{"p": 3, "q": 4}, 5]}, {"a": 7}]
    )
    out = run_pipeline(frame, [{"$project": {"a.p": 1, "_id": 0}}])
    assert out == [{"a": {"p": 1}}, {"a": [{"p": 3}]}, {}]
    out = run_pipeline(frame, [{"$project": {"a.p": 0, "_id": 0}}])
    assert out == [{"a": {"q": 2}, "b": 1}, {"a": [{"q": 4}, 5]}, {"a": 7}]


def test_count(frame):
    assert run_pipeline(frame, [{"$match": {"size": {"$gt": 15}}}, {"$count": "n"}]) == [{"n": 4}]
    assert run_pipeline(frame, [{"$match": {"size": 0}}, {"$count": "n"}]) == []


def test_unwind(frame):
    out = run_pipeline(frame, [{"$unwind": "$tags"}, {"$project": {"tags": 1}}])
    assert out == [
        {"_id": "i0", "tags": "a"},
        {"_id": "i0", "tags": "b"},
        {"_id": "i3", "tags": "a"},
        {"_id": "i4", "tags": "c"},
    ]
    out = run_pipeline(
        frame,
        [
            {"$unwind": {"path": "$tags", "preserveNullAndEmptyArrays": True,
                         "includeArrayIndex": "i"}},
            {"$project": {"tags": 1, "i": 1}},
        ],
    )  # fmt: skip
    assert out[:4] == [
        {"_id": "i0", "tags": "a", "i": 0},
        {"_id": "i0", "tags": "b", "i": 1},
        {"_id": "i1", "i": None},  # [] -> the field is removed
        {"_id": "i2", "tags": None, "i": None},
    ]


def test_unwind_nested_path_and_scalars():
    frame = frame_from_documents([{"a": {"b": [1, 2]}}, {"a": {"b": 3}}, {"a": {}}])
    out = run_pipeline(frame, [{"$unwind": "$a.b"}, {"$project": {"_id": 0}}])
    assert out == [{"a": {"b": 1}}, {"a": {"b": 2}}, {"a": {"b": 3}}]


def test_sort_by_count(frame):
    out = run_pipeline(frame, [{"$sortByCount": "$file_hash"}])
    assert out[0] == {"_id": "h1", "count": 3}
    assert sorted(d["_id"] for d in out[1:]) == ["h2", "h3"]
    out = run_pipeline(frame, [{"$unwind": "$tags"}, {"$sortByCount": "$tags"}])
    assert out[0] == {"_id": "a", "count": 2}


def test_group_then_stages_on_its_output(frame):
    out = run_pipeline(
        frame,
        [
            {"$group": {"_id": {"h": "$file_hash"}, "n": {"$sum": 1}}},
            {"$match": {"_id.h": {"$in": ["h1", "h2"]}}},
            {"$sort": {"n": 1}},
            {"$project": {"_id": 0, "n": 1}},
        ],
    )
    assert out == [{"n": 1}, {"n": 3}]


def test_empty_pipeline_returns_documents(frame):
    out = run_pipeline(frame, [])
    assert len(out) == 5 and out[1] == {
        "_id": "i1",
        "file_hash": "h2",
        "ground_truth": {"label": "dog"},
        "size": 20,
        "score": None,
        "tags": [],
    }
    assert plain(out)


def test_large_group_is_vectorized():
    n = 200_000
    frame = pd.DataFrame({"h": pd.Series(np.arange(n) % 50_000).astype(str)})
    out = run_pipeline(frame, [{"$group": {"_id": "$h", "c": {"$sum": 1}}}, {"$match": {"c": 4}}])
    assert len(out) == 50_000


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("stage", ["$out", "$lookup", "$merge", "$facet", "$addFields"])
def test_unsupported_stages_are_named(frame, stage):
    with pytest.raises(ValueError, match=re.escape(stage)) as err:
        run_pipeline(frame, [{stage: {}}])
    assert "$sortByCount" in str(err.value)


@pytest.mark.parametrize("acc", ["$stdDevPop", "$mergeObjects", "$count", "$top"])
def test_unsupported_accumulators_are_named(acc):
    with pytest.raises(ValueError, match=re.escape(acc)) as err:
        validate_pipeline([{"$group": {"_id": None, "x": {acc: "$a"}}}])
    assert "$addToSet" in str(err.value)


@pytest.mark.parametrize(
    "pipeline, error, words",
    [
        ({"$match": {}}, TypeError, "list of stage dicts"),
        ("[]", TypeError, "list of stage dicts"),
        ([{"$match": {}, "$limit": 1}], TypeError, "exactly one key"),
        ([5], TypeError, "exactly one key"),
        ([{"$group": {"n": {"$sum": 1}}}], ValueError, "_id"),
        ([{"$group": []}], TypeError, "$group"),
        ([{"$group": {"_id": {"$multiply": ["$a", 2]}}}], ValueError, "$multiply"),
        ([{"$group": {"_id": None, "x": {"$sum": {"$add": [1, 2]}}}}], ValueError, "$add"),
        ([{"$group": {"_id": None, "x": 1}}], TypeError, "accumulator"),
        ([{"$group": {"_id": None, "x.y": {"$sum": 1}}}], ValueError, "'.'"),
        ([{"$group": {"_id": "$a.$b"}}], ValueError, "'$'"),
        ([{"$match": {"$where": "1"}}], ValueError, "$where"),
        ([{"$match": {"a": {"$in": 3}}}], TypeError, "$in"),
        ([{"$sort": {"a": 2}}], ValueError, "1 or -1"),
        ([{"$sort": {}}], TypeError, "$sort"),
        ([{"$limit": 0}], TypeError, "$limit"),
        ([{"$limit": 1.5}], TypeError, "$limit"),
        ([{"$limit": True}], TypeError, "$limit"),
        ([{"$skip": -1}], TypeError, "$skip"),
        ([{"$skip": 2**63}], TypeError, "$skip"),
        ([{"$project": {"a": 1, "b": 0}}], ValueError, "inclusion and exclusion"),
        ([{"$project": {"a": 1, "a.b": 1}}], ValueError, "collide"),
        ([{"$project": {"a": "text"}}], ValueError, "not supported"),
        ([{"$project": {}}], TypeError, "$project"),
        ([{"$count": "$n"}], ValueError, "$count"),
        ([{"$count": ""}], ValueError, "$count"),
        ([{"$unwind": "tags"}], ValueError, "$unwind"),
        ([{"$unwind": {"path": "$t", "other": 1}}], ValueError, "other"),
        ([{"$unwind": {"path": "$t", "preserveNullAndEmptyArrays": 1}}], TypeError, "bool"),
        ([{"$sortByCount": "tags"}], ValueError, "$sortByCount"),
    ],
)
def test_malformed_pipelines(frame, pipeline, error, words):
    with pytest.raises(error, match=re.escape(words)):
        validate_pipeline(pipeline)
    with pytest.raises(error):
        run_pipeline(frame, pipeline)


def test_limit_and_skip_take_whole_number_floats(frame):
    out = run_pipeline(frame, [{"$sort": {"size": 1}}, {"$skip": 1.0}, {"$limit": 2.0}])
    assert [d["size"] for d in out] == [20, 30]


def test_sort_refuses_parallel_arrays_naming_the_paths():
    docs = frame_from_documents([{"a": [1, 2], "b": [3]}, {"a": 5, "b": 1}])
    with pytest.raises(ValueError, match=r"\$sort on 'a', 'b'.*parallel arrays"):
        run_pipeline(docs, [{"$sort": {"a": 1, "b": -1}}])
    # one array per document is fine, and so are two paths through the same array
    ok = frame_from_documents([{"a": [1, 2], "b": 3}, {"a": 0, "b": [4]}])
    assert [d["a"] for d in run_pipeline(ok, [{"$sort": {"a": 1, "b": 1}}])] == [0, [1, 2]]
    same = frame_from_documents([{"a": [{"p": 1, "q": 5}, {"p": 2, "q": 3}]}])
    assert len(run_pipeline(same, [{"$sort": {"a.p": 1, "a.q": -1}}])) == 1


def test_sort_refuses_ambiguous_numeric_fields():
    docs = frame_from_documents([{"a": [{"1": 4}, 7]}])
    with pytest.raises(ValueError, match="ambiguous field name"):
        run_pipeline(docs, [{"$sort": {"a.1": 1}}])


def test_sort_keys_through_arrays_on_typed_and_object_columns():
    # a typed column sorts without the per-row walk; an object column of lists takes it
    frame = pd.DataFrame({"n": [3, 1, 2], "a": [[{"p": 9}, {}], [{"p": 0}], {"p": 5}]})
    assert [d["n"] for d in run_pipeline(frame, [{"$sort": {"n": -1}}])] == [3, 2, 1]
    assert [d["n"] for d in run_pipeline(frame, [{"$sort": {"a.p": 1}}])] == [3, 1, 2]
    assert [d["n"] for d in run_pipeline(frame, [{"$sort": {"a.p": -1}}])] == [3, 2, 1]


def test_project_numbers_and_sub_documents_as_the_server_reads_them():
    frame = frame_from_documents([{"a": {"b": 1, "c": 2}, "d": 3}])
    assert run_pipeline(frame, [{"$project": {"a": {"b": 1}}}]) == [{"a": {"b": 1}}]
    assert run_pipeline(frame, [{"$project": {"a": {"c": 0}}}]) == [{"a": {"b": 1}, "d": 3}]
    assert run_pipeline(frame, [{"$project": {"d": 2.5}}]) == [{"d": 3}]  # non-zero: include
    assert run_pipeline(frame, [{"$project": {"d": 0.0}}]) == [{"a": {"b": 1, "c": 2}}]


def test_project_computed_embedded_field_is_a_document():
    frame = frame_from_documents([{"a": None}, {"a": 1, "w": {"x": 0}}])
    out = run_pipeline(frame, [{"$project": {"w.v": "$a", "w.u": "$zz"}}])
    assert out == [{"w": {"v": None}}, {"w": {"v": 1}}]


def test_bad_stage_found_before_anything_runs(frame):
    before = frame.copy()
    with pytest.raises(ValueError, match=r"\$out"):
        run_pipeline(frame, [{"$match": {}}, {"$out": "x"}])
    pd.testing.assert_frame_equal(frame, before)


def test_tables():
    assert set(STAGES) == {"$match", "$group", "$sort", "$limit", "$skip", "$project", "$count",
                           "$unwind", "$sortByCount"}  # fmt: skip
    assert set(ACCUMULATORS) == {"$sum", "$avg", "$min", "$max", "$first", "$last", "$push",
                                 "$addToSet"}  # fmt: skip


def test_extension_dtypes_give_plain_values():
    frame = pd.DataFrame(
        {
            "cat": pd.Series(["a", "b", None, "a"], dtype="category"),
            "i": pd.Series([1, None, 3, 1], dtype="Int64"),
            "b": pd.Series([True, None, False, True], dtype="boolean"),
            "t": pd.to_datetime(["2020-01-01", None, "2021-01-01", "2020-01-01"]),
        }
    )
    out = run_pipeline(
        frame,
        [
            {"$group": {"_id": "$cat", "n": {"$sum": "$i"}, "t": {"$max": "$t"},
                        "b": {"$first": "$b"}}},
            {"$sort": {"n": -1}},
        ],
    )  # fmt: skip
    assert out[0]["_id"] is None and out[0]["n"] == 3 and out[0]["b"] is False
    assert out[1] == {"_id": "a", "n": 2, "t": datetime.datetime(2020, 1, 1), "b": True}
    assert out[2] == {"_id": "b", "n": 0, "t": None, "b": None}
    assert all(plain(d) or isinstance(d.get("t"), datetime.datetime) for d in out)


def test_sort_on_extension_dtypes_with_nulls():
    frame = pd.DataFrame(
        {
            "b": pd.Series([True, None, False], dtype="boolean"),
            "i": pd.Series([2, None, 1], dtype="Int64"),
            "cat": pd.Series(["b", None, "a"], dtype="category"),
            "t": pd.to_datetime(["2021-01-01", None, "2020-01-01"]),
        }
    )
    for field in ["b", "i", "cat", "t"]:
        out = run_pipeline(frame, [{"$sort": {field: 1}}])
        assert [d[field] is None for d in out] == [True, False, False], field  # null first
        desc = run_pipeline(frame, [{"$sort": {field: -1}}])
        assert desc[0][field] == out[-1][field] and desc[-1][field] is None, field


def test_group_by_whole_embedded_field(frame):
    out = run_pipeline(frame, [{"$group": {"_id": "$ground_truth", "n": {"$sum": 1}}}])
    assert {"_id": {"label": "cat"}, "n": 2} in out
    assert {"_id": None, "n": 1} in out
    assert len(out) == 4


def test_an_unset_embedded_label_comes_out_null(frame):
    # flattened columns all null in a row: the label is unset, null as in $group above
    out = run_pipeline(frame, [{"$project": {"ground_truth": 1, "_id": 0}}])
    assert [d["ground_truth"] for d in out] == [
        {"label": "cat"},
        {"label": "dog"},
        {"label": "cat"},
        None,
        {"label": "cow"},
    ]
    partial = frame.assign(**{"ground_truth.score": [None, None, None, 0.5, None]})
    out = run_pipeline(partial, [{"$skip": 3}, {"$limit": 1}, {"$project": {"ground_truth": 1}}])
    assert out == [{"_id": "i3", "ground_truth": {"label": None, "score": 0.5}}]
