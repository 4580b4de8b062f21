"""Golden cases: MongoDB server behaviour where mongomock differs (so the differential tests
leave these cases out). Each case is transcribed from MongoDB's documented behaviour; the
documentation page is named in the comment. See docs/query-semantics.md, "Known deviations".
"""

from __future__ import annotations

import pytest

from fo_lite.core.aggregate import run_pipeline
from fo_lite.core.documents import frame_from_documents
from fo_lite.core.query import match_mask


def ids(docs, query):
    docs = [{"_id": i, **d} for i, d in enumerate(docs)]
    mask = match_mask(frame_from_documents(docs), query)
    return [d["_id"] for d, hit in zip(docs, mask, strict=True) if hit]


def agg(docs, pipeline):
    docs = [{"_id": i, **d} for i, d in enumerate(docs)]
    return run_pipeline(frame_from_documents(docs), pipeline)


# -------------------------------------------------------------- queries
@pytest.mark.parametrize(
    "query, expected",
    [
        # "Comparison/Sort Order" + "Type bracketing": bool is not a number (mongomock: True == 1)
        ({"a": 1}, [1]),
        ({"a": True}, [0]),
        ({"a": {"$in": [1]}}, [1]),
        ({"a": {"$in": [False]}}, [2]),
        ({"a": 0}, [3]),
        ({"a": {"$ne": 1}}, [0, 2, 3]),
        ({"a": {"$gte": 1}}, [1]),
    ],
)
def test_bool_is_not_a_number(query, expected):
    assert ids([{"a": True}, {"a": 1}, {"a": False}, {"a": 0.0}], query) == expected


def test_null_matches_a_path_through_a_scalar():
    # "Query for Null or Missing Fields": {f: null} matches a missing f; "a.p" does not exist
    # when a is a scalar or null (mongomock finds no value there and does not match)
    docs = [{"a": 5}, {"a": None}, {"a": {"p": 1}}, {}, {"a": [1, 2]}]
    assert ids(docs, {"a.p": None}) == [0, 1, 3]
    assert ids(docs, {"a.p": {"$in": [None, 7]}}) == [0, 1, 3]
    assert ids(docs, {"a.p": {"$ne": None}}) == [2, 4]


def test_empty_document_literal_matches_only_an_empty_document():
    # "Match an Embedded/Nested Document": equality with the whole document (mongomock also
    # matches documents where the field is missing)
    assert ids([{"a": {}}, {}, {"a": {"p": 1}}, {"a": [{}]}], {"a": {}}) == [0, 3]


def test_document_equality_is_field_order_sensitive():
    # "Match an Embedded/Nested Document": "the field order" must match exactly
    docs = [{"a": {"p": 1, "q": 2}}, {"a": {"q": 2, "p": 1}}]
    assert ids(docs, {"a": {"p": 1, "q": 2}}) == [0]


def test_not_accepts_regex_with_options():
    # "$not": {$not: {$regex: ..., $options: ...}} is allowed (mongomock raises)
    docs = [{"a": "Xylo"}, {"a": "bee"}, {}]
    assert ids(docs, {"a": {"$not": {"$regex": "^x", "$options": "i"}}}) == [1, 2]


def test_size_matches_arrays_only():
    # "$size": matches any array with the number of elements (mongomock: len() of a dict,
    # and {"$size": 1} on any truthy scalar)
    docs = [{"a": "x"}, {"a": {"p": 1}}, {"a": [7]}, {"a": 5}]
    assert ids(docs, {"a": {"$size": 1}}) == [2]
    assert ids([{"a": {}}, {"a": []}], {"a": {"$size": 0}}) == [1]


def test_not_matches_when_the_path_yields_nothing():
    # "$not": selects documents that do not match the operator expression, including those
    # where the path has no value (mongomock fails these documents)
    docs = [{"a": []}, {"a": 5}, {"a": [{"p": 3}]}, {"a": [{"p": 1}]}]
    assert ids(docs, {"a.p": {"$not": {"$gt": 2}}}) == [0, 1, 3]


def test_exists_false_through_an_array_of_documents():
    # "$exists": {$exists: false} is the negation of {$exists: true}, which matches when any
    # element has the field (mongomock matches when any element lacks it)
    docs = [{"a": [{"p": 1}, {}]}, {"a": [{}, {}]}, {"a": []}]
    assert ids(docs, {"a.p": {"$exists": False}}) == [1, 2]
    assert ids(docs, {"a.p": {"$exists": True}}) == [0]


def test_all_through_an_array_of_documents():
    # "$all" is equivalent to an $and of equalities, which expand arrays found on the path
    docs = [{"a": [{}, {"p": ["x", "y"]}]}, {"a": [{"p": "y"}]}]
    assert ids(docs, {"a.p": {"$all": ["x"]}}) == [0]
    assert ids(docs, {"a.p": {"$all": ["x", "y"]}}) == [0]


def test_compound_conditions_may_be_met_by_different_elements():
    # "Query an Array" / "Query an Array of Embedded Documents": "Combination of Elements
    # Satisfies the Criteria" unless $elemMatch ties them to one element
    docs = [{"a": [{"p": 3.5}, {"p": 1}]}, {"a": [{"p": 2.5}]}, {"a": [{"p": 9}]}]
    assert ids(docs, {"a.p": {"$gt": 2, "$lt": 3}}) == [0, 1]
    assert ids(docs, {"a": {"$elemMatch": {"p": {"$gt": 2, "$lt": 3}}}}) == [1]
    assert ids([{"d": [10, 25]}, {"d": [30]}], {"d": {"$gt": 15, "$lt": 20}}) == [0]


# -------------------------------------------------------------- pipelines
def test_field_reference_through_an_array_maps_the_array():
    # "Field Paths": "$a.p" on an array of documents is the array of their p values
    docs = [{"a": [{"p": 1}, {"p": 2}, {}]}, {"a": {"p": 1}}]
    out = agg(docs, [{"$group": {"_id": "$a.p", "n": {"$sum": 1}}}])
    assert sorted(map(str, out)) == sorted(map(str, [{"_id": [1, 2], "n": 1}, {"_id": 1, "n": 1}]))


def test_sort_uses_smallest_or_largest_array_element():
    # "$sort" / "Comparison/Sort Order": ascending compares an array's smallest element,
    # descending its largest; an empty array sorts before null (mongomock: first element)
    docs = [{"a": [5, 1]}, {"a": 3}, {"a": [2, 9]}, {"a": []}, {"a": None}]
    asc = agg(docs, [{"$sort": {"a": 1, "_id": 1}}])
    assert [d["_id"] for d in asc] == [3, 4, 0, 2, 1]
    desc = agg(docs, [{"$sort": {"a": -1, "_id": 1}}])
    assert [d["_id"] for d in desc] == [2, 0, 1, 4, 3]


def test_first_and_last_give_null_for_a_missing_field():
    # "$first (aggregation accumulator)": if the field is missing, $first returns null
    # (mongomock skips documents without the field)
    out = agg(
        [{"g": 1}, {"g": 1, "x": 5}, {"g": 1}],
        [{"$group": {"_id": "$g", "f": {"$first": "$x"}, "l": {"$last": "$x"}}}],
    )
    assert out == [{"_id": 1, "f": None, "l": None}]


def test_group_and_count_on_no_input_return_nothing():
    # "$first" Missing Values: "If there are no documents from the prior pipeline stage, the
    # $group stage returns nothing"; $count likewise (mongomock returns a document with 0)
    docs = [{"a": 1}]
    nothing = {"$match": {"a": 2}}
    assert agg(docs, [nothing, {"$group": {"_id": None, "n": {"$sum": 1}}}]) == []
    assert agg(docs, [nothing, {"$count": "n"}]) == []


def test_sum_and_avg_ignore_booleans():
    # "$sum"/"$avg": non-numeric values are ignored; a boolean is not a number
    out = agg(
        [{"x": True}, {"x": 2}, {"x": "3"}, {"x": [4]}],
        [{"$group": {"_id": None, "s": {"$sum": "$x"}, "a": {"$avg": "$x"}}}],
    )
    assert out == [{"_id": None, "s": 2, "a": 2.0}]


def test_min_max_follow_bson_order_across_types():
    # "$max"/"$min": compare values of different types with the BSON comparison order,
    # ignoring null and missing (mongomock uses Python's min/max)
    docs = [{"x": 1}, {"x": "a"}, {"x": None}, {"x": True}, {}, {"x": {"p": 1}}]
    out = agg(docs, [{"$group": {"_id": None, "lo": {"$min": "$x"}, "hi": {"$max": "$x"}}}])
    assert out == [{"_id": None, "lo": 1, "hi": True}]


def test_add_to_set_keeps_falsy_values():
    # "$addToSet": every distinct value (mongomock turns [], "", False into null)
    out = agg(
        [{"x": []}, {"x": ""}, {"x": False}, {"x": []}, {}],
        [{"$group": {"_id": None, "s": {"$addToSet": "$x"}}}],
    )
    assert sorted(map(repr, out[0]["s"])) == sorted(map(repr, [[], "", False]))
