"""Unit tests of fo_lite.core.query: every operator, the frame conventions, every error."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from fo_lite.core.documents import MISSING, frame_from_documents
from fo_lite.core.query import OPERATORS, SUPPORTED, match_mask, validate_query


@pytest.fixture
def frame() -> pd.DataFrame:
    """A dataset-like frame: flat dotted columns, str dtype with NaN, float NaN, list tags."""
    return pd.DataFrame(
        {
            "id": ["id0", "id1", "id2", "id3"],
            "filepath": ["/a/0.jpg", "/a/1.jpg", "/b/2.jpg", "/b/3.jpg"],
            "tags": [["train", "dup"], [], None, ["val"]],
            "ground_truth.label": pd.Series(["cat", "mountain", None, "Cat"]),
            "ground_truth.confidence": [0.9, np.nan, 0.5, 2.0],
            "n": [1, 2, 3, 4],
            "flag": [True, False, True, False],
            "mixed": [1, "1", True, None],
        }
    )


def rows(frame, query) -> list[int]:
    mask = match_mask(frame, query)
    assert mask.dtype == bool and mask.shape == (len(frame),)
    return np.flatnonzero(mask).tolist()


# ------------------------------------------------------------------ equality and comparison
def test_implicit_and_explicit_equality(frame):
    assert rows(frame, {"ground_truth.label": "mountain"}) == [1]
    assert rows(frame, {"ground_truth.label": {"$eq": "cat"}}) == [0]
    assert rows(frame, {"n": 2.0}) == [1]  # int and float compare by value


def test_ne_matches_null_and_other_values(frame):
    assert rows(frame, {"ground_truth.label": {"$ne": "cat"}}) == [1, 2, 3]
    assert rows(frame, {"ground_truth.label": {"$ne": None}}) == [0, 1, 3]


def test_null_equality_matches_null_and_missing(frame):
    assert rows(frame, {"ground_truth.label": None}) == [2]
    assert rows(frame, {"ground_truth.confidence": None}) == [1]
    assert rows(frame, {"no_such_field": None}) == [0, 1, 2, 3]
    assert rows(frame, {"no_such_field": {"$ne": 3}}) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "op, value, expected",
    [
        ("$gt", 2, [2, 3]),
        ("$gte", 2, [1, 2, 3]),
        ("$lt", 2, [0]),
        ("$lte", 2.0, [0, 1]),
    ],
)
def test_comparisons(frame, op, value, expected):
    assert rows(frame, {"n": {op: value}}) == expected


def test_comparisons_never_cross_type_brackets(frame):
    assert rows(frame, {"n": {"$gt": "0"}}) == []
    assert rows(frame, {"ground_truth.label": {"$gt": 0}}) == []
    assert rows(frame, {"mixed": {"$gte": 1}}) == [0]  # not the string "1", not True
    assert rows(frame, {"mixed": {"$gte": "0"}}) == [1]
    assert rows(frame, {"mixed": True}) == [2]
    assert rows(frame, {"mixed": 1}) == [0]
    assert rows(frame, {"flag": {"$gt": False}}) == [0, 2]
    assert rows(frame, {"flag": 1}) == []


def test_strings_compare_by_code_point(frame):
    assert rows(frame, {"ground_truth.label": {"$lt": "cat"}}) == [3]  # "Cat" < "cat"


def test_null_bounds(frame):
    assert rows(frame, {"ground_truth.label": {"$gte": None}}) == [2]
    assert rows(frame, {"ground_truth.label": {"$lt": None}}) == []


def test_implicit_and_of_fields_and_operators(frame):
    assert rows(frame, {"n": {"$gt": 1, "$lt": 4}, "flag": True}) == [2]


# ------------------------------------------------------------------ sets and logic
def test_in_and_nin(frame):
    assert rows(frame, {"ground_truth.label": {"$in": ["cat", "Cat"]}}) == [0, 3]
    assert rows(frame, {"ground_truth.label": {"$in": ["cat", None]}}) == [0, 2]
    assert rows(frame, {"ground_truth.label": {"$nin": ["cat", None]}}) == [1, 3]
    assert rows(frame, {"n": {"$in": []}}) == []
    assert rows(frame, {"n": {"$nin": []}}) == [0, 1, 2, 3]
    assert rows(frame, {"ground_truth.label": {"$in": [re.compile("^m")]}}) == [1]
    assert rows(frame, {"mixed": {"$in": [1, "x"]}}) == [0]


def test_in_accepts_numpy_strings_and_tuples(frame):
    assert rows(frame, {"filepath": {"$in": np.array(["/a/1.jpg"]).tolist()}}) == [1]
    assert rows(frame, {"filepath": {"$in": ("/b/3.jpg",)}}) == [3]


def test_logical_operators(frame):
    assert rows(frame, {"$and": [{"n": {"$gt": 1}}, {"flag": False}]}) == [1, 3]
    assert rows(frame, {"$or": [{"n": 1}, {"ground_truth.label": "Cat"}]}) == [0, 3]
    assert rows(frame, {"$nor": [{"n": 1}, {"flag": False}]}) == [2]
    nested = {"$or": [{"$and": [{"n": {"$gte": 2}}, {"flag": True}]}, {"n": 1}]}
    assert rows(frame, nested) == [0, 2]


def test_not(frame):
    assert rows(frame, {"n": {"$not": {"$gt": 2}}}) == [0, 1]
    assert rows(frame, {"ground_truth.label": {"$not": {"$regex": "^c"}}}) == [1, 2, 3]
    assert rows(frame, {"ground_truth.label": {"$not": re.compile("^c", re.I)}}) == [1, 2]


def test_exists(frame):
    assert rows(frame, {"ground_truth.label": {"$exists": True}}) == [0, 1, 2, 3]  # null exists
    assert rows(frame, {"nope": {"$exists": True}}) == []
    assert rows(frame, {"nope": {"$exists": False}}) == [0, 1, 2, 3]
    docs = frame_from_documents([{"a": None}, {}, {"a": {"b": 1}}, {"a": {}}])
    assert rows(docs, {"a": {"$exists": True}}) == [0, 2, 3]
    assert rows(docs, {"a.b": {"$exists": True}}) == [2]
    assert rows(docs, {"a.b": {"$exists": False}}) == [0, 1, 3]


# ------------------------------------------------------------------ strings
def test_regex_and_options(frame):
    assert rows(frame, {"ground_truth.label": {"$regex": "^c"}}) == [0]
    assert rows(frame, {"ground_truth.label": {"$regex": "^c", "$options": "i"}}) == [0, 3]
    assert rows(frame, {"filepath": re.compile(r"/b/\d")}) == [2, 3]
    assert rows(frame, {"n": {"$regex": "1"}}) == []  # regex matches strings only
    assert rows(frame, {"mixed": {"$regex": "1"}}) == [1]
    assert rows(frame, {"tags": {"$regex": "^du"}}) == [0]  # array elements


@pytest.mark.parametrize(
    "pattern, options, text, found",
    [
        (r"^\w+$", "", "é", False),  # classes are ASCII, as in the server's PCRE
        (r"^\w+$", "i", "ſ", False),  # case folding never widens a class (ſ folds to s)
        (r"\d", "", "٣", False),
        (r"\s", "", "\u00a0", False),
        (r"\ba", "", "éa", True),  # é is not a word character: a boundary before a
        (r"\Bé", "", "xé", False),
        (r"x\b", "", "xé", True),
        (r"É", "i", "é", True),  # case-insensitive matching is Unicode
        (r"[^\w]", "i", "K", False),  # Kelvin sign: not a word character, not folded in
        (r"^[[:alpha:]]+$", "", "abé", False),
        (r"^[[:upper:]]+$", "i", "ab", True),  # caseless [:upper:] is [:alpha:]
        (r"a{,2}", "", "a{,2}", True),  # literal in PCRE (Python would read {0,2})
        (r"a\Z", "", "a\n", True),  # \Z allows a final newline, \z does not
        (r"a\z", "", "a\n", False),
        (r"^b", "m", "a\nb", True),
        (r"^$", "m", "a\n", False),  # PCRE: no ^ after the final newline
        (r"\x{e9}", "", "é", True),
        (r"(?<n>a)", "", "a", True),
    ],
)
def test_regex_has_the_servers_meaning(pattern, options, text, found):
    docs = frame_from_documents([{"s": text}])
    assert rows(docs, {"s": {"$regex": pattern, "$options": options}}) == ([0] if found else [])


def test_regex_pcre_only_syntax_is_translated_or_refused_by_name():
    docs = frame_from_documents([{"s": "a.*b"}, {"s": "a\r\nb"}])
    assert rows(docs, {"s": {"$regex": r"^a\Q.*\Eb$"}}) == [0]  # \Q...\E quotes
    assert rows(docs, {"s": {"$regex": r"^a\Rb$"}}) == [1]  # \R: any newline sequence
    assert rows(docs, {"s": {"$regex": "b", "$options": "u"}}) == [0, 1]  # "u": always on
    for pattern in [r"\p{L}", r"\X"]:
        with pytest.raises(ValueError, match="no equivalent in Python's re"):
            validate_query({"s": {"$regex": pattern}})
    with pytest.raises(ValueError, match="is invalid"):
        validate_query({"s": {"$regex": "a(?i)b"}})


def test_whole_number_sizes_and_empty_elem_match():
    docs = frame_from_documents([{"a": [1]}, {"a": [[]]}, {"a": [{}]}, {"a": []}])
    assert rows(docs, {"a": {"$size": 1.0}}) == [0, 1, 2]
    assert rows(docs, {"a": {"$elemMatch": {}}}) == [1, 2]
    with pytest.raises(TypeError, match=r"\$size.*2147483647"):
        validate_query({"a": {"$size": 2**31}})


def test_regex_operands_refused_as_the_server_does():
    for query in [{"a": {"$ne": re.compile("x")}}, {"a": {"$lt": re.compile("x")}}]:
        with pytest.raises(ValueError, match="regex cannot be the operand"):
            validate_query(query)
    with pytest.raises(ValueError, match="options set in both"):
        validate_query({"a": {"$regex": re.compile("x"), "$options": "i"}})
    docs = frame_from_documents([{"a": "x"}])
    assert rows(docs, {"a": {"$eq": re.compile("x")}}) == []  # only an equal regex


def test_regex_options_m_s_x():
    docs = frame_from_documents([{"t": "a\nb"}, {"t": "ab"}])
    assert rows(docs, {"t": {"$regex": "^b", "$options": "m"}}) == [0]
    assert rows(docs, {"t": {"$regex": "a.b", "$options": "s"}}) == [0]
    assert rows(docs, {"t": {"$regex": "a b # comment", "$options": "x"}}) == [1]


# ------------------------------------------------------------------ arrays
def test_arrays_match_by_element_and_whole(frame):
    assert rows(frame, {"tags": "dup"}) == [0]
    assert rows(frame, {"tags": ["train", "dup"]}) == [0]
    assert rows(frame, {"tags": ["dup", "train"]}) == []
    assert rows(frame, {"tags": []}) == [1]
    assert rows(frame, {"tags": None}) == [2]
    assert rows(frame, {"tags": {"$ne": "dup"}}) == [1, 2, 3]
    assert rows(frame, {"tags": {"$in": ["val", "x"]}}) == [3]
    assert rows(frame, {"tags": {"$nin": ["val"]}}) == [0, 1, 2]


def test_size(frame):
    assert rows(frame, {"tags": {"$size": 2}}) == [0]
    assert rows(frame, {"tags": {"$size": 0}}) == [1]
    assert rows(frame, {"n": {"$size": 1}}) == []


def test_all(frame):
    assert rows(frame, {"tags": {"$all": ["dup", "train"]}}) == [0]
    assert rows(frame, {"tags": {"$all": ["dup", "val"]}}) == []
    assert rows(frame, {"tags": {"$all": []}}) == []
    assert rows(frame, {"ground_truth.label": {"$all": ["cat"]}}) == [0]  # scalar = 1-array


def test_all_with_elem_match():
    docs = frame_from_documents([{"a": [{"p": 1}, {"p": 5}]}, {"a": [{"p": 1}]}])
    query = {"a": {"$all": [{"$elemMatch": {"p": 5}}, {"$elemMatch": {"p": 1}}]}}
    assert rows(docs, query) == [0]


def test_elem_match_values_and_documents():
    docs = frame_from_documents(
        [
            {"s": [1, 5, 9], "d": [{"p": 1, "q": "x"}, {"p": 2, "q": "y"}]},
            {"s": [4], "d": [{"p": 1, "q": "y"}]},
            {"s": 4, "d": {"p": 1, "q": "x"}},
        ]
    )
    assert rows(docs, {"s": {"$elemMatch": {"$gt": 3, "$lt": 6}}}) == [0, 1]
    assert rows(docs, {"s": {"$gt": 3, "$lt": 6}}) == [0, 1, 2]
    assert rows(docs, {"d": {"$elemMatch": {"p": 1, "q": "x"}}}) == [0]
    assert rows(docs, {"d": {"$elemMatch": {"$or": [{"p": 2}, {"q": "y"}]}}}) == [0, 1]
    assert rows(docs, {"d.p": 2}) == [0]


# ------------------------------------------------------------------ paths and frames
def test_id_resolves_to_the_id_column(frame):
    assert rows(frame, {"_id": "id2"}) == [2]
    assert rows(frame, {"_id": {"$in": ["id0", "id3"]}}) == [0, 3]
    assert rows(frame.rename(columns={"id": "_id"}), {"_id": "id1"}) == [1]


def test_dict_columns_and_nested_paths():
    frame = pd.DataFrame({"gt": [{"label": "cat", "box": {"w": 2}}, {"label": "dog"}, None]})
    assert rows(frame, {"gt.label": "dog"}) == [1]
    assert rows(frame, {"gt.box.w": {"$gte": 2}}) == [0]
    assert rows(frame, {"gt.box.w": None}) == [1, 2]


def test_positional_array_path():
    docs = frame_from_documents([{"a": [{"p": 1}, {"p": 2}]}, {"a": [{"p": 2}]}, {"a": [5, 6]}])
    assert rows(docs, {"a.1.p": 2}) == [0]
    assert rows(docs, {"a.0": 5}) == [2]


def test_missing_vs_null_in_documents():
    docs = frame_from_documents([{"a": None}, {}, {"a": 1}])
    assert docs["a"].tolist() == [None, MISSING, 1]
    assert rows(docs, {"a": None}) == [0, 1]
    assert rows(docs, {"a": {"$exists": False}}) == [1]
    assert rows(docs, {"a": {"$in": [None]}}) == [0, 1]


def test_object_and_str_dtype_give_the_same_answers(frame):
    as_object = frame.astype({"ground_truth.label": object})
    for query in [
        {"ground_truth.label": "cat"},
        {"ground_truth.label": None},
        {"ground_truth.label": {"$in": ["Cat", "mountain"]}},
        {"ground_truth.label": {"$gt": "b"}},
        {"ground_truth.label": {"$regex": "t$"}},
    ]:
        assert rows(frame, query) == rows(as_object, query), query


def test_any_index_is_positional(frame):
    shuffled = frame.iloc[[3, 1, 0]]
    assert match_mask(shuffled, {"n": {"$gt": 1}}).tolist() == [True, True, False]


def test_empty_frame_and_empty_query(frame):
    assert match_mask(frame.iloc[:0], {"n": 1}).tolist() == []
    assert match_mask(frame, {}).all()


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("name", ["$where", "$function", "$expr", "$text", "$foo"])
def test_unsupported_top_level_operators_are_named(name):
    with pytest.raises(ValueError, match=re.escape(name)) as err:
        validate_query({name: "this.a == 1"})
    assert "$elemMatch" in str(err.value)  # lists the supported operators


@pytest.mark.parametrize("name", ["$type", "$mod", "$where", "$bitsAllSet", "$near"])
def test_unsupported_field_operators_are_named(frame, name):
    with pytest.raises(ValueError, match=re.escape(name)):
        match_mask(frame, {"n": {name: 1}})


@pytest.mark.parametrize(
    "query, error, words",
    [
        ({"n": {"$in": 5}}, TypeError, "$in"),
        ({"n": {"$nin": "abc"}}, TypeError, "$nin"),
        ({"n": {"$all": 1}}, TypeError, "$all"),
        ({"$and": {"n": 1}}, TypeError, "$and"),
        ({"$or": []}, ValueError, "$or"),
        ({"$nor": [5]}, TypeError, "query must be a dict"),
        ({"a.$b": 1}, ValueError, "'$'"),
        ({"": 1}, ValueError, "empty field path"),
        ({"a..b": 1}, ValueError, "empty part"),
        ({1: 1}, TypeError, "keys must be strings"),
        ({"n": {"$size": -1}}, TypeError, "$size"),
        ({"n": {"$size": True}}, TypeError, "$size"),
        ({"n": {"$size": 1.5}}, TypeError, "$size"),
        ({"n": {"$regex": "("}}, ValueError, "invalid"),
        ({"n": {"$regex": 5}}, TypeError, "$regex"),
        ({"n": {"$regex": "a", "$options": "q"}}, ValueError, "$options"),
        ({"n": {"$options": "i"}}, ValueError, "$regex"),
        ({"n": {"$not": 5}}, TypeError, "$not"),
        ({"n": {"$elemMatch": 5}}, TypeError, "$elemMatch"),
        ({"n": {"$gt": 1, "x": 2}}, ValueError, "mixed with operators"),
        ({"n": {"x": 2, "$gt": 1}}, ValueError, "not be mixed"),
        ({"n": print}, TypeError, "function"),
        ({"n": {"$in": [{"$gt": 1}]}}, ValueError, "nested in $in"),
    ],
)
def test_malformed_queries(frame, query, error, words):
    with pytest.raises(error, match=re.escape(words)):
        validate_query(query)
    with pytest.raises(error):
        match_mask(frame, query)


@pytest.mark.parametrize("query", [None, "n == 1", ["n"], 5])
def test_query_must_be_a_dict(query):
    with pytest.raises(TypeError, match="must be a dict"):
        validate_query(query)


def test_nothing_is_evaluated(frame, tmp_path):
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')"
    for query in [{"$where": code}, {"$expr": {"$function": {"body": code}}}]:
        with pytest.raises(ValueError):
            match_mask(frame, query)
    assert rows(frame, {"filepath": code}) == []
    assert not marker.exists()


def test_one_table_of_operators():
    assert set(OPERATORS) | {"$and", "$or", "$nor"} == set(SUPPORTED)
    for name in ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex"]:
        assert name in OPERATORS
    for name in ["$not", "$size", "$all", "$elemMatch"]:
        assert name in OPERATORS


def test_extension_dtypes():
    frame = pd.DataFrame(
        {
            "cat": pd.Series(["a", "b", None, "a"], dtype="category"),
            "i": pd.Series([1, None, 3, 1], dtype="Int64"),
            "b": pd.Series([True, None, False, True], dtype="boolean"),
            "s": pd.Series(["x", None, "y", "x"], dtype="string[python]"),
            "t": pd.to_datetime(["2020-01-01", None, "2021-01-01", "2020-01-01"]),
        }
    )
    assert rows(frame, {"cat": "a"}) == [0, 3]
    assert rows(frame, {"cat": None}) == [2]
    assert rows(frame, {"i": {"$gt": 1}}) == [2]
    assert rows(frame, {"i": {"$in": [1, None]}}) == [0, 1, 3]
    assert rows(frame, {"b": True}) == [0, 3]
    assert rows(frame, {"b": None}) == [1]
    assert rows(frame, {"s": {"$in": ["x"]}}) == [0, 3]
    assert rows(frame, {"t": {"$gt": pd.Timestamp("2020-06-01").to_pydatetime()}}) == [2]
    assert rows(frame, {"t": None}) == [1]


def test_whole_embedded_field_from_flattened_columns(frame):
    # ground_truth lives in ground_truth.label / ground_truth.confidence; as a whole it is a
    # document, null where every sub-field is null (an unset label)
    frame = frame.assign(**{"ground_truth.confidence": [0.9, np.nan, np.nan, 2.0]})
    assert rows(frame, {"ground_truth": None}) == [2]
    assert rows(frame, {"ground_truth": {"$ne": None}}) == [0, 1, 3]
    assert rows(frame, {"ground_truth": {"label": "mountain", "confidence": None}}) == [1]
    assert rows(frame, {"ground_truth": {"$exists": True}}) == [0, 1, 2, 3]
