"""F / ViewField expressions: compiled as FiftyOne's to_mongo() compiles them, evaluated over the
frame for match, sort_by, set_field, values and the aggregations; expected values from
tests/unittests/{view,aggregation}_tests.py in voxel51/fiftyone."""

from __future__ import annotations

import math
import re

import pytest

import fo_lite as fo
from fo_lite import ViewField as F


@pytest.fixture
def ints():
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="filepath1.jpg", my_int=5),
            fo.Sample(filepath="filepath2.jpg", my_int=7),
            fo.Sample(filepath="filepath3.jpg", my_int=1),
            fo.Sample(filepath="filepath4.jpg", my_int=9),
        ]
    )
    return dataset


def test_to_mongo_is_fiftyone_s():
    assert (F("n") > 2).to_mongo() == {"$gt": ["$n", 2]}
    assert (F("n") == None).to_mongo() == {"$not": {"$gt": ["$n", None]}}  # noqa: E711
    assert F("n").exists().to_mongo() == {"$gt": ["$n", None]}
    assert F("h").is_in(["a"]).to_mongo() == {"$in": ["$h", ["a"]]}
    assert F("l").length().to_mongo() == {"$size": {"$ifNull": ["$l", []]}}
    assert F("tags").contains("x").to_mongo() == {"$in": ["x", "$tags"]}
    assert round(F("f"), 1).to_mongo() == {"$round": ["$f", 1]}
    assert F("s").ends_with("1.jpg").to_mongo() == {
        "$regexMatch": {"input": "$s", "regex": "1\\.jpg$", "options": None}
    }
    assert F("$gt.label").to_mongo(prefix="$$this") == "$gt.label"  # a root field stays root
    assert F("label").to_mongo(prefix="$$this") == "$$this.label"
    assert F().to_mongo() == "$$CURRENT"


def test_comparison_and_is_in(ints):
    values = ints.values("my_int")
    for expr, keep in [
        (F("my_int") == 5, lambda v: v == 5),
        (F("my_int") != 5, lambda v: v != 5),
        (F("my_int") > 5, lambda v: v > 5),
        (F("my_int") >= 5, lambda v: v >= 5),
        (F("my_int") < 5, lambda v: v < 5),
        (F("my_int") <= 5, lambda v: v <= 5),
        (F("my_int").is_in([1, 5]), lambda v: v in (1, 5)),
        (~F("my_int").is_in([1, 5]), lambda v: v not in (1, 5)),
    ]:
        assert ints.match(expr).values("my_int") == [v for v in values if keep(v)], expr


def test_logic(ints):
    assert ints.match(~(F("my_int") == 5)).values("my_int") == [7, 1, 9]
    assert ints.match((F("my_int") > 3) & (F("my_int") < 6)).values("my_int") == [5]
    assert ints.match((F("my_int") < 3) | (F("my_int") > 6)).values("my_int") == [7, 1, 9]


def test_arithmetic():
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="filepath1.jpg", my_int=5, my_float=0.51),
            fo.Sample(filepath="filepath2.jpg", my_int=-6, my_float=-0.965),
        ]
    )
    second = dataset.values("id")[1:]
    assert dataset.match(abs(F("my_int")) == 6).values("id") == second
    assert dataset.match(F("my_int") + 0.5 == -5.5).values("id") == second
    assert dataset.match(math.ceil(F("my_float")) == 1).values("id") == dataset.values("id")[:1]
    assert dataset.match(math.floor(F("my_float")) == -1).values("id") == second
    assert dataset.match(round(F("my_float")) == -1).values("id") == second
    assert dataset.values((F("my_int") * 2 - 1) / 2) == [4.5, -6.5]
    assert dataset.values(F("my_int") % 4) == [1, -2]  # the sign of the dividend, as MongoDB


def test_arrays_and_strings():
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="test1.jpg", tags=["train"], my_list=["a", "b"], test="test1.jpg"),
            fo.Sample(filepath="test2.jpg", tags=["train"], my_list=["b", "c"], test="test2.jpg"),
            fo.Sample(filepath="test3.jpg", tags=["test"], my_list=["c", "d"], test="test3.jpg"),
        ]
    )
    ids = dataset.values("id")
    assert dataset.match(F("tags").contains("train")).values("id") == ids[:2]
    assert dataset.match(F("my_list").contains(["a", "d"])).values("id") == [ids[0], ids[2]]
    assert dataset.match(F("my_list").contains(["b", "c"], all=True)).values("id") == [ids[1]]
    assert dataset.match(F("my_list")[1] == "c").values("id") == [ids[1]]
    assert dataset.values(F("my_list").length()) == [2, 2, 2]
    assert len(dataset.match(F("test").starts_with("test"))) == 3
    assert len(dataset.match(F("test").starts_with("TEST"))) == 0
    assert len(dataset.match(F("test").starts_with("TEST", case_sensitive=False))) == 3
    assert len(dataset.match(F("test").ends_with("1.jpg"))) == 1
    assert len(dataset.match(F("test").ends_with("1.JPG"))) == 0
    assert len(dataset.match(F("test").ends_with("1.JPG", case_sensitive=False))) == 1
    assert len(dataset.match(F("test").contains_str("1.j"))) == 1
    assert len(dataset.match(F("test").matches_str("TEST1.JPG", case_sensitive=False))) == 1
    assert len(dataset.match(F("filepath").re_match(r"two\.jpg$"))) == 0
    assert len(dataset.match(F("filepath").re_match(r"TEST2\.JPG$", options="i"))) == 1
    assert dataset.values(F("test").upper())[0] == "TEST1.JPG"


def test_null_and_missing_are_below_everything_as_in_mongodb():
    dataset = fo.Dataset()
    dataset.add_samples([fo.Sample(filepath=f"{i}.jpg", n=n) for i, n in enumerate([3, None, 8])])
    assert dataset.match(F("n") < 5).values("n") == [3, None]  # FiftyOne's behaviour too
    assert dataset.match(F("n") == None).values("n") == [None]  # noqa: E711
    assert dataset.match(F("n").exists()).values("n") == [3, 8]
    assert dataset.match(F("n").is_null()).values("n") == [None]
    assert dataset.values(F("n") + 1) == [4, None, 9]


def test_a_fiftyone_file_hash_match_like_the_walkthrough(ints):
    ints.set_values("file_hash", ["a", "b", "a", "c"])
    dups = ["a"]
    view = ints.match(F("file_hash").is_in(dups)).sort_by("file_hash")
    assert view.values("my_int") == [5, 1]
    assert view._serialize()[0] == {
        "_stage": "match",
        "kwargs": {"filter": {"$expr": {"$in": ["$file_hash", ["a"]]}}},
    }
    rebuilt = fo.DatasetView._from_serialized(ints, view._serialize())
    assert rebuilt.values("id") == view.values("id")


def test_sort_by_expressions(ints):
    ints.set_values("tags", [["a"], [], ["a", "b", "c"], ["a", "b"]])
    assert ints.sort_by(F("tags").length()).values("my_int") == [7, 5, 9, 1]
    assert ints.sort_by(F("tags").length(), reverse=True).values("my_int") == [1, 9, 5, 7]
    assert ints.sort_by([(F("my_int") % 2, 1), ("my_int", -1)]).values("my_int") == [9, 7, 5, 1]


def test_set_field_and_view_save():
    dataset = fo.Dataset()
    dataset.add_samples(
        [fo.Sample(filepath=f"test{i}.png", int_field=i) for i in (1, 2, 3)]
        + [fo.Sample(filepath="test4.png")]
    )
    view = dataset.limit(2).set_field("int_field", F("int_field") + 1)
    assert view.values("int_field") == [2, 3]
    assert [s.int_field for s in view] == [2, 3]  # samples show the view's values
    assert dataset.values("int_field") == [1, 2, 3, None]  # the dataset is unchanged
    assert len(view.match(F("int_field") > 2)) == 1  # later stages see them
    view.save()
    assert dataset.values("int_field") == [2, 3, 3, None]  # FiftyOne's test_view_save
    clipped = dataset.set_field("int_field", (F("int_field") >= 3).if_else(F("int_field"), None))
    assert clipped.values("int_field") == [None, 3, 3, None]


def test_set_field_on_a_label_attribute_is_relative_to_the_label():
    dataset = fo.Dataset.from_image_classification_samples(
        [("/a/1.jpg", "cat"), ("/a/2.jpg", "dog")]
    )
    view = dataset.set_field("ground_truth.label", F("label").upper())
    assert view.values("ground_truth.label") == ["CAT", "DOG"]
    assert view.first().ground_truth.label == "CAT"
    assert view.count_values("ground_truth.label") == {"CAT": 1, "DOG": 1}
    # F("$field") reaches a root field from inside the label, as in FiftyOne
    rooted = F("$filepath").ends_with("1.jpg").if_else("one", F("label"))
    assert dataset.set_field("ground_truth.label", rooted).values("ground_truth.label") == [
        "one",
        "dog",
    ]
    with pytest.raises(ValueError, match="is a label field; set one of its attributes"):
        dataset.set_field("ground_truth", None).values("id")


def test_aggregations_with_expressions():
    d = fo.Dataset()
    d.add_sample_field("numeric_field", fo.IntField)
    d.add_samples(
        [
            fo.Sample(filepath="image.jpeg", numeric_field=1, confs=[0.9, 0.8]),
            fo.Sample(filepath="image2.jpeg", numeric_field=3, confs=[0.4]),
        ]
    )
    assert d.sum(2.0 * (F("numeric_field") + 1)) == pytest.approx(12.0)
    assert d.mean(2.0 * (F("numeric_field") + 1)) == pytest.approx(6.0)
    assert d.std(2.0 * (F("numeric_field") + 1)) == pytest.approx(2.0)
    assert d.quantiles(2.0 * (F("numeric_field") + 1), [0, 0.5, 1]) == [4, 4, 8]
    assert d.bounds("numeric_field", expr=F() - 0.5) == (0.5, 2.5)
    assert d.max(1 + F("numeric_field")) == 4
    assert d.bounds("confs") == (0.4, 0.9)
    assert d.values(F("confs").length()) == [2, 1]
    assert d.count_values(F("filepath").ends_with("2.jpeg")) == {False: 1, True: 1}
    assert d.aggregate(fo.Values("numeric_field", expr=F() * 10)) == [10, 30]


def test_unsupported_operators_are_refused_by_name(ints):
    with pytest.raises(ValueError, match=r"expression operator '\$function' is not supported"):
        ints.match({"$expr": {"$function": {"body": "x", "args": [], "lang": "js"}}})
    with pytest.raises(ValueError, match=r"expression variable '\$\$this' is not supported"):
        ints.match({"$expr": {"$gt": ["$$this", 1]}})
    with pytest.raises(ValueError, match=r"\$in's second argument needs an array"):
        ints.match(F("my_int").is_in([1]) & F("nope").contains("x")).values("id")


def test_is_in_keeps_bson_types_apart():
    dataset = fo.Dataset()
    dataset.add_samples([fo.Sample(filepath=f"{i}.jpg", flag=i == 0, n=i) for i in range(3)])
    assert len(dataset.match(F("flag").is_in([1]))) == 0  # True is not 1 in MongoDB
    assert len(dataset.match(F("flag").is_in([True]))) == 1
    assert dataset.match(F("n").is_in([1.0, True, "2"])).values("n") == [1]  # 1 == 1.0


def test_string_operators_treat_null_numbers_and_bools_as_mongod_does():
    """Checked against mongod: $toUpper writes numbers out and gives "" for null, $strLenCP and
    $setIsSubset refuse null."""
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="a.jpg", s="ab", x=2.0, flag=True, l=["a"]),
            fo.Sample(filepath="b.jpg", s=None, x=2.5, flag=False, l=None),
        ]
    )
    assert dataset.values(F("x").upper()) == ["2", "2.5"]
    assert dataset.values(F("s").upper()) == ["AB", ""]
    with pytest.raises(ValueError, match="BSON type bool"):
        dataset.values(F("flag").upper())
    with pytest.raises(ValueError, match="strLenCP"):
        dataset.values(F("s").strlen())
    with pytest.raises(ValueError, match="array"):
        dataset.values(F("l").is_subset(["a"]))


def test_docs_list_every_supported_operator():
    from pathlib import Path

    from fo_lite.core import expr_eval

    text = (Path(__file__).parents[1] / "docs" / "query-semantics.md").read_text()
    section = text.split("## F / ViewField expressions")[1]
    listed = section.split("**Operators**")[1].split("The `F` methods")[0]
    assert set(re.findall(r"\$[a-zA-Z]+", listed)) == set(expr_eval.OPERATORS)
