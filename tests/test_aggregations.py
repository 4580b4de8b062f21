"""FiftyOne's aggregation objects and the matching collection methods, with the expected values
of tests/unittests/aggregation_tests.py in voxel51/fiftyone."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import fo_lite as fo
from fo_lite import ViewField as F


def test_bounds_min_max_count_over_scalars_and_lists():
    d = fo.Dataset()
    d.add_sample_field("numbers", fo.ListField, subfield=fo.IntField())
    s = fo.Sample(filepath="image.jpeg")
    s["number"] = 0
    s["numbers"] = [0, 1]
    d.add_sample(s)
    assert d.bounds("number") == (0, 0)
    assert d.bounds("numbers") == (0, 1)
    assert (d.min("number"), d.max("numbers")) == (0, 1)
    assert d.aggregate([fo.Count("number"), fo.Count("numbers")]) == [1, 2]  # test_order
    s["detection"] = fo.Classification(label="label", confidence=1)
    s.save()
    assert d.bounds("detection.confidence") == (1, 1)


def test_count_of_samples_and_of_an_empty_label():
    d = fo.Dataset()
    assert d.count() == 0 and d.view().count() == 0
    s = fo.Sample(filepath="image.jpeg")
    d.add_sample(s)
    assert d.count() == 1
    s["single"] = fo.Classification()
    s.save()
    assert d.count("single") == 1


def test_count_values_and_distinct():
    d = fo.Dataset()
    s = fo.Sample(filepath="image.jpeg")
    s.tags += ["one", "two"]
    s["string"] = "string"
    s["classification"] = fo.Classification(label="one")
    d.add_sample(s)
    assert d.count_values("tags") == {"one": 1, "two": 1}
    assert d.count_values("classification.label") == {"one": 1}
    assert d.distinct("string") == ["string"]
    assert d.distinct("tags") == ["one", "two"]


def test_sum_mean_std_of_an_int_field():
    d = fo.Dataset()
    d.add_sample_field("numeric_field", fo.IntField)
    assert (d.sum("numeric_field"), d.mean("numeric_field"), d.std("numeric_field")) == (0, 0, 0)
    d.add_sample(fo.Sample(filepath="image.jpeg", numeric_field=1))
    assert (d.sum("numeric_field"), d.mean("numeric_field"), d.std("numeric_field")) == (1, 1, 0)
    d.add_sample(fo.Sample(filepath="image2.jpeg", numeric_field=3))
    assert (d.sum("numeric_field"), d.mean("numeric_field"), d.std("numeric_field")) == (4, 2, 1)
    assert d.std("numeric_field", sample=True) == pytest.approx(math.sqrt(2))
    assert type(d.sum("numeric_field")) is int


def test_quantiles_are_inverted_cdf():
    d = fo.Dataset()
    d.add_sample_field("numeric_field", fo.IntField)
    assert d.quantiles("numeric_field", 0.5) is None
    assert d.quantiles("numeric_field", [0.5]) == [None]
    d.add_sample(fo.Sample(filepath="image.jpeg", numeric_field=1))
    assert d.quantiles("numeric_field", 0.5) == 1
    d.add_sample(fo.Sample(filepath="image2.jpeg", numeric_field=2))
    q = np.linspace(0, 1, 11)
    assert d.quantiles("numeric_field", q) == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]
    assert d.quantiles("numeric_field", q) == np.quantile([1, 2], q, method="inverted_cdf").tolist()
    for bad in ("bad-value", -1, 2):
        with pytest.raises(ValueError):
            d.quantiles("numeric_field", bad)


def test_inf_and_safe_as_in_fiftyone_nan_is_null_in_fo_lite():
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="image1.png", float=1.0),
            fo.Sample(filepath="image2.png", float=-float("inf")),
            fo.Sample(filepath="image3.png", float=float("inf")),
            fo.Sample(filepath="image4.png", float=float("nan")),  # fo_lite: a null
            fo.Sample(filepath="image5.png", float=None),
            fo.Sample(filepath="image6.png"),
        ]
    )
    assert dataset.bounds("float") == (-math.inf, math.inf)
    assert dataset.count("float") == 3 and len(dataset.distinct("float")) == 3
    assert len(dataset.count_values("float")) == 4  # three values and None
    assert math.isnan(dataset.mean("float")) and math.isnan(dataset.sum("float"))
    assert dataset.quantiles("float", [0, 0.5, 1]) == [-math.inf, 1.0, math.inf]
    counts, edges, other = dataset.histogram_values("float")
    assert sum(counts) == 1 and other == 5  # None, nan and inf fall outside
    # safe=True leaves inf out
    assert dataset.bounds("float", safe=True) == (1.0, 1.0)
    assert dataset.count("float", safe=True) == 1
    assert len(dataset.distinct("float", safe=True)) == 1
    assert dataset.count_values("float", safe=True) == {1.0: 1, None: 3}
    assert (dataset.mean("float", safe=True), dataset.sum("float", safe=True)) == (1.0, 1.0)
    assert dataset.std("float", safe=True) == 0.0
    assert dataset.quantiles("float", [0, 0.5, 1], safe=True) == [1.0, 1.0, 1.0]


def test_histogram_values_bins_and_range():
    d = fo.Dataset()
    d.add_samples([fo.Sample(filepath=f"{i}.jpg", x=i / 10 + 0.05) for i in range(10)])
    counts, edges, other = d.histogram_values("x", bins=5, range=[0, 1])
    assert counts == [2, 2, 2, 2, 2] and edges == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert other == 0
    counts, edges, other = d.histogram_values("x", bins=2, range=[0, 0.5])
    assert counts == [2, 3] and other == 5  # [0, 0.25) and [0.25, 0.5]


def test_aggregate_runs_objects_batches_and_the_2020_pipeline():
    d = fo.Dataset()
    d.add_samples([fo.Sample(filepath=f"{i}.jpg", h=f"h{i % 2}") for i in range(5)])
    assert d.aggregate(fo.Count()) == 5
    count, distinct, values = d.aggregate([fo.Count(), fo.Distinct("h"), fo.Values("h")])
    assert (count, distinct) == (5, ["h0", "h1"]) and values == d.values("h")
    assert d.aggregate([{"$group": {"_id": "$h", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]) == [
        {"_id": "h0", "n": 3},
        {"_id": "h1", "n": 2},
    ]
    with pytest.raises(TypeError, match="not both"):
        d.aggregate([fo.Count(), {"$limit": 1}])
    assert d.limit(2).aggregate(fo.Values("id")) == d.values("id")[:2]


def test_values_aggregation_unwind_and_missing_value():
    d = fo.Dataset()
    d.add_samples(
        [
            fo.Sample(filepath="a.jpg", xs=[1, 2]),
            fo.Sample(filepath="b.jpg"),
            fo.Sample(filepath="c.jpg", xs=[3]),
        ]
    )
    assert d.aggregate(fo.Values("xs")) == [[1, 2], None, [3]]
    assert d.aggregate(fo.Values("xs", unwind=True)) == [1, 2, None, 3]
    assert d.aggregate(fo.Values("xs", missing_value=[])) == [[1, 2], [], [3]]


def test_aggregations_serialize_and_compare():
    aggregations = [
        fo.Bounds("n"),
        fo.Count(),
        fo.Count("n", safe=True),
        fo.CountValues("label"),
        fo.Distinct("label"),
        fo.HistogramValues("n", bins=50, range=[0, 1]),
        fo.Mean("n"),
        fo.Std("n", sample=True),
        fo.Sum("n"),
        fo.Quantiles("n", [0.25, 0.5]),
        fo.Min("n"),
        fo.Max("n"),
        fo.Values("id"),
    ]
    dicts = json.loads(json.dumps([a._serialize() for a in aggregations]))
    assert [fo.Aggregation._from_dict(d) for d in dicts] == aggregations
    assert fo.Std("n") != fo.Std("n", sample=True)
    with pytest.raises(ValueError, match="not a serialized aggregation"):
        fo.Aggregation._from_dict({"_cls": "eval", "kwargs": {}})


def test_count_values_counts_every_null_of_a_label_once():
    # an unset label and an empty Classification() both count as None, as FiftyOne's
    # $group by "$ground_truth.label" counts them
    dataset = fo.Dataset.from_image_classification_samples(
        [("/a/1.jpg", "cat"), ("/a/2.jpg", None)]
    )
    dataset.add_sample(fo.Sample(filepath="/a/3.jpg", ground_truth=fo.Classification()))
    assert dataset.count_values("ground_truth.label") == {"cat": 1, None: 2}
    assert dataset.count_values(F("ground_truth.label")) == {"cat": 1, None: 2}
