"""An unset label reads as FiftyOne stores it: ``ground_truth: null``, so its sub-fields
(``ground_truth.label``) are *missing*, while a set label's unset attributes are null.

fo_lite keeps a label flattened (``ground_truth.label``, ``ground_truth.confidence``) beside its
presence column ``ground_truth._cls`` (null where the label is None); paths.py reads the
sub-columns as missing where the presence column is null. Each case runs on a dataset's frame
(``to_pandas()``) and, on the server, on the documents FiftyOne would store for the same
samples; the answers must be the same.
"""

from __future__ import annotations

import pytest
from differential import as_pipeline, canon, ours, theirs
from mongod_server import run_many

import fo_lite as fo
from fo_lite import ViewField as F
from fo_lite.core import expr_eval
from fo_lite.core.documents import MISSING


@pytest.fixture
def dataset_and_docs():
    dataset = fo.Dataset()
    dataset.add_samples(
        [
            fo.Sample(filepath="/a/1.jpg", ground_truth=fo.Classification(label="cat")),
            fo.Sample(filepath="/a/2.jpg", ground_truth=fo.Classification(label="dog")),
            fo.Sample(filepath="/a/3.jpg", ground_truth=None),
            fo.Sample(filepath="/a/4.jpg", ground_truth=fo.Classification()),
            fo.Sample(
                filepath="/a/5.jpg", ground_truth=fo.Classification(label="cat", confidence=0.9)
            ),
            fo.Sample(filepath="/a/6.jpg"),
        ]
    )
    docs = []
    for sample in dataset:
        label = sample.ground_truth
        stored = None
        if label is not None:  # FiftyOne's stored label: its class, then its attributes
            stored = {"_cls": "Classification", "label": label.label}
            stored["confidence"] = label.confidence
        docs.append({"_id": sample.id, "filepath": sample.filepath, "ground_truth": stored})
    return dataset, docs


QUERIES = [
    {"ground_truth.label": {"$exists": False}},
    {"ground_truth.label": {"$exists": True}},
    {"ground_truth.confidence": {"$exists": False}},
    {"ground_truth": None},
    {"ground_truth": {"$exists": True}},
    {"ground_truth.label": None},
    {"ground_truth.label": {"$ne": None}},
    {"ground_truth.label": {"$in": [None, "cat"]}},
    {"ground_truth.label": {"$nin": ["cat"]}},
    {"ground_truth.label": {"$not": {"$eq": "cat"}}},
    {"ground_truth.confidence": {"$gt": 0.5}},
    {"ground_truth.confidence": {"$lte": 0.5}},
]

PIPELINES = [
    [{"$project": {"_id": 1, "l": "$ground_truth.label", "c": "$ground_truth.confidence"}}],
    [
        {"$sort": {"_id": 1}},
        {
            "$group": {
                "_id": None,
                "p": {"$push": "$ground_truth.label"},
                "s": {"$addToSet": "$ground_truth.label"},
            }
        },
    ],
    [{"$group": {"_id": "$ground_truth.label", "n": {"$sum": 1}}}],
    [{"$sort": {"ground_truth.label": -1, "_id": 1}}, {"$project": {"_id": 1}}],
]


@pytest.mark.parametrize("case", QUERIES + PIPELINES, ids=repr)
def test_an_unset_labels_sub_fields_are_missing_as_on_the_server(mongod, dataset_and_docs, case):
    dataset, docs = dataset_and_docs
    (result,) = run_many(mongod.load(docs), [as_pipeline(case)])
    assert ours(docs, case, frame=dataset.to_pandas()) == theirs(case, result)


EXPRESSIONS = [
    F("ground_truth.label").exists(),
    F("ground_truth.label").type(),
    F("ground_truth.label").is_null(),
    F("ground_truth.confidence") + 1,
    F("ground_truth.label").if_else("yes", "no"),
    F("ground_truth").type(),
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=lambda e: repr(e.to_mongo()))
def test_expressions_see_an_unset_label_as_the_server_does(mongod, dataset_and_docs, expr):
    dataset, docs = dataset_and_docs
    mongo = expr.to_mongo()
    pipeline = [{"$project": {"_id": 0, "r": mongo}}]
    (result,) = run_many(mongod.load(docs), [pipeline])
    server = [canon(d["r"]) if "r" in d else ("missing",) for d in result]
    values = expr_eval.evaluate(dataset.to_pandas(), mongo)
    mine = [("missing",) if v is MISSING else canon(None if v != v else v) for v in values]
    assert mine == server
