"""Golden cases: MongoDB behaviour written down, each checked on fo_lite AND on the session's
real server (``mongod`` fixture): ``check`` asserts both give the same answer, then the test
asserts that answer is the expected one. Two families: rules where mongomock (the former
reference) differs from the server, and every mismatch issue 13 found between fo_lite and the
server (now fixed, or refused on both sides). See docs/query-semantics.md.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from differential import Error, check
from mongod_server import run_many

from fo_lite.core.aggregate import run_pipeline
from fo_lite.core.query import match_mask


def ids(mongod, docs, query):
    """The positions of the documents ``query`` matches (fo_lite and the server agree)."""
    return check(mongod, [{"_id": i, **d} for i, d in enumerate(docs)], query)


def agg(mongod, docs, pipeline):
    """fo_lite's output of ``pipeline`` (the server's is the same, up to unspecified order)."""
    return check(mongod, [{"_id": i, **d} for i, d in enumerate(docs)], pipeline)


# -------------------------------------------------------------- queries
@pytest.mark.parametrize(
    "query, expected",
    [
        # bool is not a number (mongomock: True == 1)
        ({"a": 1}, [1]),
        ({"a": True}, [0]),
        ({"a": {"$in": [1]}}, [1]),
        ({"a": {"$in": [False]}}, [2]),
        ({"a": 0}, [3]),
        ({"a": {"$ne": 1}}, [0, 2, 3]),
        ({"a": {"$gte": 1}}, [1]),
    ],
)
def test_bool_is_not_a_number(mongod, query, expected):
    assert ids(mongod, [{"a": True}, {"a": 1}, {"a": False}, {"a": 0.0}], query) == expected


def test_null_matches_a_path_through_a_scalar(mongod):
    # {f: null} matches a missing f; "a.p" is missing when a is a scalar or null, and yields
    # nothing at all through an array without documents
    docs = [{"a": 5}, {"a": None}, {"a": {"p": 1}}, {}, {"a": [1, 2]}]
    assert ids(mongod, docs, {"a.p": None}) == [0, 1, 3]
    assert ids(mongod, docs, {"a.p": {"$in": [None, 7]}}) == [0, 1, 3]
    assert ids(mongod, docs, {"a.p": {"$ne": None}}) == [2, 4]


def test_empty_document_literal_matches_only_an_empty_document(mongod):
    assert ids(mongod, [{"a": {}}, {}, {"a": {"p": 1}}, {"a": [{}]}], {"a": {}}) == [0, 3]


def test_document_equality_is_field_order_sensitive(mongod):
    docs = [{"a": {"p": 1, "q": 2}}, {"a": {"q": 2, "p": 1}}]
    assert ids(mongod, docs, {"a": {"p": 1, "q": 2}}) == [0]


def test_not_accepts_regex_with_options(mongod):
    docs = [{"a": "Xylo"}, {"a": "bee"}, {}]
    assert ids(mongod, docs, {"a": {"$not": {"$regex": "^x", "$options": "i"}}}) == [1, 2]


def test_size_matches_arrays_only(mongod):
    docs = [{"a": "x"}, {"a": {"p": 1}}, {"a": [7]}, {"a": 5}]
    assert ids(mongod, docs, {"a": {"$size": 1}}) == [2]
    assert ids(mongod, [{"a": {}}, {"a": []}], {"a": {"$size": 0}}) == [1]


def test_not_matches_when_the_path_yields_nothing(mongod):
    docs = [{"a": []}, {"a": 5}, {"a": [{"p": 3}]}, {"a": [{"p": 1}]}]
    assert ids(mongod, docs, {"a.p": {"$not": {"$gt": 2}}}) == [0, 1, 3]


def test_exists_false_through_an_array_of_documents(mongod):
    # {$exists: false} is the negation of {$exists: true}, true when any element has the field
    docs = [{"a": [{"p": 1}, {}]}, {"a": [{}, {}]}, {"a": []}]
    assert ids(mongod, docs, {"a.p": {"$exists": False}}) == [1, 2]
    assert ids(mongod, docs, {"a.p": {"$exists": True}}) == [0]


def test_all_through_an_array_of_documents(mongod):
    docs = [{"a": [{}, {"p": ["x", "y"]}]}, {"a": [{"p": "y"}]}]
    assert ids(mongod, docs, {"a.p": {"$all": ["x"]}}) == [0]
    assert ids(mongod, docs, {"a.p": {"$all": ["x", "y"]}}) == [0]


def test_compound_conditions_may_be_met_by_different_elements(mongod):
    docs = [{"a": [{"p": 3.5}, {"p": 1}]}, {"a": [{"p": 2.5}]}, {"a": [{"p": 9}]}]
    assert ids(mongod, docs, {"a.p": {"$gt": 2, "$lt": 3}}) == [0, 1]
    assert ids(mongod, docs, {"a": {"$elemMatch": {"p": {"$gt": 2, "$lt": 3}}}}) == [1]
    assert ids(mongod, [{"d": [10, 25]}, {"d": [30]}], {"d": {"$gt": 15, "$lt": 20}}) == [0]


def test_all_on_a_missing_path_matches_nothing(mongod):
    assert ids(mongod, [{}, {"a": None}, {"a": [1]}], {"a": {"$all": [1]}}) == [2]


# -------------------------------------------------------------- issue 13: numeric path parts
def test_numeric_part_at_the_end_compares_the_element_whole(mongod):
    # a.0 names the element a[0]; when it is an array it is compared whole, never by element
    docs = [{"a": [[1, 2], 3]}, {"a": [1]}, {"a": {"0": [1, 2]}}, {"a": [{"0": 1}]}]
    assert ids(mongod, docs, {"a.0": 1}) == [1, 2, 3]
    assert ids(mongod, docs, {"a.0": [1, 2]}) == [0, 2]
    assert ids(mongod, docs, {"a.0": {"$size": 2}}) == [0, 2]


def test_numeric_part_then_a_field_of_a_scalar_finds_no_value(mongod):
    # a.0.p where a[0] is a scalar or null: no value at all (not "missing"); a document
    # element is also searched for a field "0" (missing in [{"p": 1}]: null matches)
    docs = [{"a": [5]}, {"a": [None]}, {"a": [{"p": 1}]}, {"a": []}, {"a": [{}]}]
    assert ids(mongod, docs, {"a.0.p": None}) == [2, 4]
    assert ids(mongod, docs, {"a.0.p": {"$ne": 1}}) == [0, 1, 3, 4]
    assert ids(mongod, docs, {"a.0.p": {"$nin": [1]}}) == [0, 1, 3, 4]
    assert ids(mongod, docs, {"$nor": [{"a.0.p": 1}]}) == [0, 1, 3, 4]
    assert ids(mongod, docs, {"a.0.p": {"$exists": False}}) == [0, 1, 3, 4]


def test_numeric_part_also_names_a_field_of_document_elements(mongod):
    docs = [{"a": [{"0": 5}]}, {"a": [{"0": 5}, {"0": 6}]}, {"a": [[7], {"0": 8}]}]
    assert ids(mongod, docs, {"a.0": 5}) == [0, 1]
    assert ids(mongod, docs, {"a.0": 6}) == [1]
    assert ids(mongod, docs, {"a.0": 8}) == [2]
    assert ids(mongod, docs, {"a.0.0": 7}) == [2]


# -------------------------------------------------------------- issue 13: $elemMatch, $regex
def test_elem_match_document_form_treats_array_elements_as_documents(mongod):
    # elements that are arrays count as documents with fields "0", "1", ...
    docs = [{"a": [[1, 2]]}, {"a": [[3]]}, {"a": [{"0": 1}]}, {"a": [1]}]
    assert ids(mongod, docs, {"a": {"$elemMatch": {"0": 1}}}) == [0, 2]
    assert ids(mongod, docs, {"a": {"$elemMatch": {"1": {"$exists": True}}}}) == [0]


def test_elem_match_with_an_empty_document(mongod):
    # {} matches any element that is a document or an array
    docs = [{"a": [1]}, {"a": [{}]}, {"a": [[]]}, {"a": []}, {"a": {}}]
    assert ids(mongod, docs, {"a": {"$elemMatch": {}}}) == [1, 2]


@pytest.mark.parametrize(
    "pattern, options, expected",
    [
        (r"^\w+$", "", [0, 4, 6]),  # \w is ASCII: not é, not ٣
        (r"^\w+$", "i", [0, 4, 6]),  # case folding does not widen \w
        (r"\d", "", [4]),  # not the Arabic-Indic digit
        (r"\s", "", [5]),  # tab, not the no-break space
        (r"\bb", "", [5, 6, 7]),  # a word boundary after a tab, at the start, after "é"
        (r"é", "i", [1, 2, 7]),  # case-insensitive matching folds é and É
        (r"^[a-z]+$", "i", [0, 6, 8]),  # both cases, the Kelvin sign (folds to k); not é
        (r"[^\w\s]", "", [1, 2, 3, 5, 7, 8]),  # the no-break space is not ASCII \s
        (r"^[[:alpha:]]+$", "", [0, 6]),  # POSIX classes are ASCII
        (r"^[[:upper:]]+$", "i", [0, 6]),  # caseless [:upper:] is every letter
        (r"^[^\w]$", "i", [1, 2, 3, 8]),  # the Kelvin sign is not \w, even with i
    ],
)
def test_regex_classes_are_ascii_and_case_folding_is_unicode(mongod, pattern, options, expected):
    docs = [{"s": "abc"}, {"s": "é"}, {"s": "É"}, {"s": "٣"}, {"s": "x1"}]
    docs += [{"s": "a\tb\u00a0"}, {"s": "bAb"}, {"s": "éb"}, {"s": "\u212a"}]
    assert ids(mongod, docs, {"s": {"$regex": pattern, "$options": options}}) == expected
    if "[:" not in pattern:  # (Python warns about "[[" in its own pattern syntax)
        flags = re.IGNORECASE if options else 0
        assert ids(mongod, docs, {"s": re.compile(pattern, flags)}) == expected


@pytest.mark.parametrize(
    "pattern, options, expected",
    [
        (r"a$", "", [0]),  # $ allows a final newline
        (r"a\Z", "", [0]),
        (r"a\z", "", []),
        (r"^$", "m", []),  # no ^ after the final newline
        (r"^b", "m", [1, 5]),
        (r"a\hb", "", [3]),  # horizontal space (Python's \h does not exist)
        (r"a\vb", "", [1, 4]),  # vertical space (Python's \v is one character)
        (r"^a\Rb$", "", [1, 4, 5]),  # any newline sequence
        (r"a\Q.*\Eb", "", [6]),  # quoted
        (r"a{,2}", "", [7]),  # not a quantifier in PCRE
        (r"\x{e9}", "i", [8]),
        (r"(?<n>x)\k<n>", "", [9]),  # named groups and back references
        (r"(?'n'x)\k{n}", "", [9]),
    ],
)
def test_regex_constructs_python_reads_differently(mongod, pattern, options, expected):
    texts = ["a\n", "a\nb", "x", "a\u00a0b", "a\x0bb", "a\r\nb", "a.*b", "a{,2}", "É", "xx"]
    docs = [{"s": t} for t in texts]
    assert ids(mongod, docs, {"s": {"$regex": pattern, "$options": options}}) == expected


def test_regex_is_refused_where_the_server_refuses_it(mongod):
    docs = [{"a": "xa"}, {"a": "b"}]
    for query in [
        {"a": {"$ne": re.compile("x")}},
        {"a": {"$gt": re.compile("x")}},
        {"a": {"$regex": re.compile("x", re.I), "$options": "m"}},
    ]:
        assert ids(mongod, docs, query) == Error("")
    # $eq takes a regex as a value: it matches only an equal regex, never a string
    assert ids(mongod, docs, {"a": {"$eq": re.compile("x")}}) == []
    assert ids(mongod, docs, {"a": {"$not": {"$eq": re.compile("x")}}}) == [0, 1]


def test_whole_number_floats_are_accepted(mongod):
    assert ids(mongod, [{"a": [1]}, {"a": [1, 2]}], {"a": {"$size": 1.0}}) == [0]
    assert ids(mongod, [{"a": [1]}], {"a": {"$size": 1.5}}) == Error("")
    docs = [{"a": 1}, {"a": 2}, {"a": 3}]
    assert [d["_id"] for d in agg(mongod, docs, [{"$skip": 1.0}, {"$limit": 1.0}])] == [1]
    assert agg(mongod, docs, [{"$limit": 2.5}]) == Error("")


# -------------------------------------------------------------- pipelines
def test_field_reference_through_an_array_maps_its_documents(mongod):
    # "$a.p" on an array of documents is the array of their p values
    docs = [{"a": [{"p": 1}, {"p": 2}, {}]}, {"a": {"p": 1}}]
    out = agg(mongod, docs, [{"$group": {"_id": "$a.p", "n": {"$sum": 1}}}])
    assert sorted(map(str, out)) == sorted(map(str, [{"_id": [1, 2], "n": 1}, {"_id": 1, "n": 1}]))


def test_field_reference_skips_elements_that_are_not_documents(mongod):
    # nested arrays and scalars inside the array are skipped, not walked into
    docs = [{"a": [{"p": 1}, [{"p": 2}], 3, {"p": [4, [5]]}]}]
    assert agg(mongod, docs, [{"$project": {"v": "$a.p"}}]) == [{"_id": 0, "v": [1, [4, [5]]]}]


def test_sort_uses_smallest_or_largest_array_element(mongod):
    # ascending compares an array's smallest element, descending its largest; an empty array
    # sorts before null
    docs = [{"a": [5, 1]}, {"a": 3}, {"a": [2, 9]}, {"a": []}, {"a": None}]
    asc = agg(mongod, docs, [{"$sort": {"a": 1, "_id": 1}}])
    assert [d["_id"] for d in asc] == [3, 4, 0, 2, 1]
    desc = agg(mongod, docs, [{"$sort": {"a": -1, "_id": 1}}])
    assert [d["_id"] for d in desc] == [2, 0, 1, 4, 3]


def test_sort_on_a_path_through_an_array_builds_keys_as_a_query_path(mongod):
    # an element without the field, or that is not a document, counts as null; an empty array
    # partway counts as null; arrays at the end of the path give their elements
    docs = [
        {"a": [{"p": 5}, {}]},  # 5 and null
        {"a": [{"p": 1}]},  # 1
        {"a": {"p": 3}},  # 3
        {"a": [[{"p": 0}]]},  # null (nested arrays are not walked into)
        {"a": []},  # null
        {"a": [{"p": [4, 7]}]},  # 4 and 7
    ]
    asc = agg(mongod, docs, [{"$sort": {"a.p": 1, "_id": 1}}])
    assert [d["_id"] for d in asc] == [0, 3, 4, 1, 2, 5]
    desc = agg(mongod, docs, [{"$sort": {"a.p": -1, "_id": 1}}])
    assert [d["_id"] for d in desc] == [5, 0, 2, 1, 3, 4]


def test_sort_on_a_numeric_part_uses_the_element(mongod):
    docs = [{"a": [3, 1]}, {"a": [2, 9]}, {"a": {"1": 0}}, {"a": [[1, 0], [2]]}, {"a": 7}]
    asc = agg(mongod, docs, [{"$sort": {"a.1": 1, "_id": 1}}])
    assert [d["_id"] for d in asc] == [4, 2, 0, 1, 3]  # null, 0, 1, 9, [2]


def test_sort_refuses_parallel_arrays_and_ambiguous_numeric_fields(mongod):
    assert agg(mongod, [{"a": [1], "b": [2]}], [{"$sort": {"a": 1, "b": 1}}]) == Error("")
    assert agg(mongod, [{"a": [{"1": 4}, 7]}], [{"$sort": {"a.1": 1}}]) == Error("")
    # two paths through the same array are fine: keys pair up element by element
    docs = [{"a": [{"p": 1, "q": 5}, {"p": 2, "q": 3}]}, {"a": [{"p": 1, "q": 4}]}]
    out = agg(mongod, docs, [{"$sort": {"a.p": 1, "a.q": 1}}])
    assert [d["_id"] for d in out] == [1, 0]


def test_first_and_last_give_null_for_a_missing_field(mongod):
    out = agg(
        mongod,
        [{"g": 1}, {"g": 1, "x": 5}, {"g": 1}],
        [{"$group": {"_id": "$g", "f": {"$first": "$x"}, "l": {"$last": "$x"}}}],
    )
    assert out == [{"_id": 1, "f": None, "l": None}]


def test_group_and_count_on_no_input_return_nothing(mongod):
    docs = [{"a": 1}]
    nothing = {"$match": {"a": 2}}
    assert agg(mongod, docs, [nothing, {"$group": {"_id": None, "n": {"$sum": 1}}}]) == []
    assert agg(mongod, docs, [nothing, {"$count": "n"}]) == []


def test_group_document_ids_with_missing_fields(mongod):
    # one field: a missing value is null (and groups with null); several: it is left out
    docs = [{"a": 1}, {}, {"a": None}, {"b": 2}, {"a": None, "b": 2}]
    one = agg(mongod, docs, [{"$group": {"_id": {"k": "$a"}, "n": {"$sum": 1}}}])
    assert sorted(map(repr, one)) == sorted(
        map(repr, [{"_id": {"k": 1}, "n": 1}, {"_id": {"k": None}, "n": 4}])
    )
    two = agg(mongod, docs, [{"$group": {"_id": {"k": "$a", "j": "$b"}, "n": {"$sum": 1}}}])
    assert sorted(map(repr, two)) == sorted(
        map(
            repr,
            [
                {"_id": {"k": 1}, "n": 1},
                {"_id": {}, "n": 1},
                {"_id": {"k": None}, "n": 1},
                {"_id": {"j": 2}, "n": 1},
                {"_id": {"k": None, "j": 2}, "n": 1},
            ],
        )
    )


def test_project_computed_embedded_fields(mongod):
    # {"w.v": "$missing"} keeps w as {}; a computed embedded field is a document, never the
    # null of an unset label (so grouping by it keeps {"v": None})
    docs = [{"a": None}, {"a": 1}]
    assert agg(mongod, docs, [{"$project": {"w.v": "$zz"}}]) == [
        {"_id": 0, "w": {}},
        {"_id": 1, "w": {}},
    ]
    out = agg(
        mongod, docs, [{"$project": {"w.v": "$a"}}, {"$group": {"_id": "$w", "n": {"$sum": 1}}}]
    )
    assert sorted(map(repr, out)) == sorted(
        map(repr, [{"_id": {"v": None}, "n": 1}, {"_id": {"v": 1}, "n": 1}])
    )
    # through an array, each element gets the field (scalars become documents)
    out = agg(mongod, [{"w": [{"x": 1}, 5]}], [{"$project": {"w.x": 1, "w.v": {"$literal": 2}}}])
    assert out == [{"_id": 0, "w": [{"x": 1, "v": 2}, {"v": 2}]}]


def test_sum_and_avg_ignore_booleans(mongod):
    out = agg(
        mongod,
        [{"x": True}, {"x": 2}, {"x": "3"}, {"x": [4]}],
        [{"$group": {"_id": None, "s": {"$sum": "$x"}, "a": {"$avg": "$x"}}}],
    )
    assert out == [{"_id": None, "s": 2, "a": 2.0}]


def test_min_max_follow_bson_order_across_types(mongod):
    docs = [{"x": 1}, {"x": "a"}, {"x": None}, {"x": True}, {}, {"x": {"p": 1}}]
    out = agg(mongod, docs, [{"$group": {"_id": None, "lo": {"$min": "$x"}, "hi": {"$max": "$x"}}}])
    assert out == [{"_id": None, "lo": 1, "hi": True}]


def test_add_to_set_keeps_falsy_values(mongod):
    out = agg(
        mongod,
        [{"x": []}, {"x": ""}, {"x": False}, {"x": []}, {}],
        [{"$group": {"_id": None, "s": {"$addToSet": "$x"}}}],
    )
    assert sorted(map(repr, out[0]["s"])) == sorted(map(repr, [[], "", False]))


def test_sort_by_count(mongod):
    docs = [{"h": "a"}, {"h": "b"}, {"h": "a"}, {}]
    out = agg(mongod, docs, [{"$sortByCount": "$h"}])
    assert out[0] == {"_id": "a", "count": 2}
    assert sorted(map(repr, out[1:])) == sorted(
        map(repr, [{"_id": "b", "count": 1}, {"_id": None, "count": 1}])
    )


# -------------------------------------------------------------- dataset frames (flattened labels)
def test_flattened_labels_read_as_the_stored_documents(mongod):
    # a dataset keeps label "g" as columns g.label / g.score; FiftyOne stores null for an unset
    # label, a document otherwise
    stored = [{"_id": 0, "g": None}, {"_id": 1, "g": {"label": "a", "score": None}}]
    stored += [{"_id": 2, "g": {"label": "b", "score": 0.5}}]
    frame = pd.DataFrame(
        {
            "_id": [0, 1, 2],
            "g.label": pd.Series([None, "a", "b"]),
            "g.score": [np.nan, np.nan, 0.5],
        }
    )
    coll = mongod.load(stored)
    queries = [
        {"g": None},
        {"g": {"$ne": None}},
        {"g.label": None},
        {"g.label": "a"},
        {"g.score": {"$gt": 0}},
        {"g": {"label": "a", "score": None}},
    ]
    pipelines = [
        [{"$group": {"_id": "$g", "n": {"$sum": 1}}}, {"$sort": {"n": 1, "_id": 1}}],
        [{"$group": {"_id": "$g.label", "f": {"$first": "$g.score"}}}, {"$sort": {"_id": 1}}],
        [{"$sort": {"g.label": -1}}, {"$project": {"g": 1}}],
    ]
    results = run_many(coll, [[{"$match": q}] for q in queries] + pipelines)
    for query, result in zip(queries, results, strict=False):
        found = [d["_id"] for d in result]
        assert frame["_id"][match_mask(frame, query)].tolist() == found, query
    for pipeline, result in zip(pipelines, results[len(queries) :], strict=True):
        assert run_pipeline(frame, pipeline) == result, pipeline
    # the one difference: a sub-field of an unset label is null here, missing on the server
    missing, projected = run_many(
        coll, [[{"$match": {"g.label": {"$exists": False}}}], [{"$project": {"l": "$g.label"}}]]
    )
    assert [d["_id"] for d in missing] == [0]
    assert not match_mask(frame, {"g.label": {"$exists": False}}).any()
    assert projected[0] == {"_id": 0}
    assert run_pipeline(frame, [{"$project": {"l": "$g.label"}}])[0] == {"_id": 0, "l": None}
