"""The F-expression evaluator (fo_lite/core/expr_eval.py) against a real mongod.

Each expression is compiled with ``to_mongo()`` as FiftyOne compiles it, then run on both
sides over the same generated documents: the server projects ``{"r": expr}`` and matches
``{"$expr": expr}``; fo_lite evaluates it over ``frame_from_documents(docs)`` and keeps the
truthy rows. Values must be equal with their BSON types (an int is not a double, a bool is not
a number), missing must stay missing, and a server error must be a ValueError here.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from differential import Error, canon
from mongod_server import run_many

from fo_lite import ViewField as F
from fo_lite.core import expr_eval
from fo_lite.core.documents import MISSING, frame_from_documents

_VALUES = [0, 1, -3, 2.5, -0.0, 7, "a", "B", "ab", "", "é", None, True, False]
_VALUES += [[1, 2], [], ["a", "b"], [None], {"x": 1}]


def _mixed_docs() -> list[dict]:
    """Every field may be missing or of any BSON type, as in a schemaless collection."""
    rng = random.Random(11)
    docs = []
    for i in range(60):
        doc = {"_id": i}
        for field in ("n", "m", "s", "l"):
            if rng.random() < 0.85:
                doc[field] = rng.choice(_VALUES)
        docs.append(doc)
    return docs


def _typed_docs() -> list[dict]:
    """One type a field (and None), as a dataset's declared fields are."""
    rng = random.Random(13)
    return [
        {
            "_id": i,
            "n": rng.choice([1.0, 2.5, None, -2.0, 0.0]),
            "m": rng.choice([1, 2, 3, -4, None]),
            "s": rng.choice(["cat", "dog", None, "Cat", "été"]),
            "l": rng.choice([[1], [2, 3], [], ["x"], None]),
        }
        for i in range(40)
    ]


def _expressions() -> list:
    literals = [0, 1, 2.5, "a", "cat", None, True, [1, 2]]
    out = []
    for name in ("n", "m", "s", "l"):
        f = F(name)
        for lit in literals:
            out += [f == lit, f != lit, f > lit, f >= lit, f < lit, f <= lit]
        out += [f.exists(), f.exists(False), f.is_null(), f.is_in([1, "a", None, True])]
        out += [f.type(), f.is_number(), f.is_array(), f.length()]
        out += [f + 1, f * 2 - 1, abs(f), round(f, 1), f / 2, f % 2, f.ceil(), f.floor()]
        out += [f.contains("a"), f.contains([1, "a"]), f.contains([1, 2], all=True)]
        out += [f.starts_with("a"), f.ends_with("b", case_sensitive=False), f.re_match("^\\w$")]
        out += [f.lower(), f.upper(), f.strlen(), f[0], f.max(), f.max(2), f.min(0)]
        out += [(f > 0) & (f < 5), (f == "a") | ~f.exists(), f.if_else("yes", "no")]
        out += [f.is_subset([1, 2, "a"]), f.intersection([1, "a"])]
    out += [F("n") == F("m"), F("n") < F("s"), F("n") + F("m"), F("s").concat("-", F("s"))]
    out += [F("n").sqrt(), F("m") ** 2, F("s").re_match("^c", options="i"), F("n").trunc(1)]
    out += [round(F("m"), -1), F("n").is_in([]), F("m") - F("n")]
    # operators F has no method for, written as FiftyOne users write them in match()
    out += [{"$cmp": ["$n", "$m"]}, {"$ifNull": ["$n", "$s", 0]}, {"$literal": "$n"}]
    out += [{"$in": ["$n", "$l"]}, {"$arrayElemAt": ["$l", -1]}, {"$not": ["$n"]}]
    return out


def _canon(value):
    if value is MISSING:
        return ("missing",)
    if value is pd.NA or isinstance(value, float) and math.isnan(value):
        return canon(None)  # a typed column's null (NaN is null in fo_lite)
    return canon(value.item() if isinstance(value, np.generic) else value)


@pytest.mark.parametrize("docs", [_mixed_docs(), _typed_docs()], ids=["mixed", "typed"])
def test_expressions_give_the_servers_values_and_matches(mongod, docs):
    exprs = [e if isinstance(e, dict) else e.to_mongo() for e in _expressions()]
    frame = frame_from_documents(docs)
    pipelines = []
    for expr in exprs:
        pipelines.append([{"$sort": {"_id": 1}}, {"$project": {"_id": 0, "r": expr}}])
        pipelines.append([{"$match": {"$expr": expr}}, {"$project": {"_id": 1}}])
    results = run_many(mongod.load(docs), pipelines)
    differences = []
    for i, expr in enumerate(exprs):
        projected, matched = results[2 * i], results[2 * i + 1]
        try:
            values = expr_eval.evaluate(frame, expr)
            ours = [_canon(v) for v in values]
            ours_ids = [
                d["_id"] for d, hit in zip(docs, expr_eval.truthy(values), strict=True) if hit
            ]
        except ValueError as e:
            ours = ours_ids = Error(str(e))
        theirs = (
            Error(str(projected))
            if isinstance(projected, Exception)
            else [_canon(d.get("r", MISSING)) for d in projected]
        )
        theirs_ids = (
            Error(str(matched))
            if isinstance(matched, Exception)
            else sorted(d["_id"] for d in matched)
        )
        if ours != theirs or ours_ids != theirs_ids:
            differences.append(f"{expr}: fo_lite {ours!r} {ours_ids!r}\n  mongod {theirs!r}")
    assert not differences, f"{len(differences)} of {len(exprs)}:\n" + "\n".join(differences[:5])
