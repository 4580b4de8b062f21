"""Comparing fo_lite's answers with a MongoDB server's, for the differential and golden tests.

A *case* is a query (a dict) or a pipeline (a list of stages). ``ours(docs, case)`` runs it
with fo_lite on ``frame_from_documents(docs)``; ``theirs(case, result)`` reads the server's
result of ``as_pipeline(case)`` (from ``mongod_server.run_many``). Both give the matching
``_id``s (sorted) of a query, or the normalized output documents of a pipeline, or ``Error``;
equal answers mean the same behaviour. ``check(mongod, docs, case)`` does it all for one case
and returns fo_lite's plain answer.
"""

from __future__ import annotations

import re

import bson
from mongod_server import run_many

from fo_lite.core.aggregate import run_pipeline
from fo_lite.core.documents import frame_from_documents
from fo_lite.core.query import match_mask


class Error:
    """Either side refused the case (compared only as "an error")."""

    def __init__(self, detail: str):
        self.detail = detail

    def __eq__(self, other) -> bool:
        return isinstance(other, Error)

    def __repr__(self) -> str:
        return f"Error({self.detail[:160]!r})"


def canon(value):
    """A comparable form of a result value: bool apart from numbers, int apart from float
    (floats rounded: sums may add in another order), documents keep their field order."""
    if value is None or isinstance(value, (bool, str)):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("float" if isinstance(value, float) else "int", round(float(value), 9))
    if isinstance(value, dict):
        return ("doc", tuple((k, canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("arr", tuple(canon(v) for v in value))
    if isinstance(value, (re.Pattern, bson.Regex)):
        return ("regex", value.pattern)
    return ("other", repr(value))


def _ordered(pipeline: list[dict]) -> bool:
    """Does the pipeline fix the order of its output? ($group and $sortByCount do not.)"""
    ordered = True
    for stage in pipeline:
        if "$sort" in stage:
            ordered = True
        elif "$group" in stage or "$sortByCount" in stage:
            ordered = False
    return ordered


def _normalize(result, pipeline: list[dict]):
    if isinstance(result, Error):
        return result
    sets = {
        name
        for stage in pipeline
        for name, acc in (stage.get("$group") or {}).items()
        if isinstance(acc, dict) and "$addToSet" in acc
    }
    out = []
    for doc in result:
        items = []
        for k, v in doc.items():
            c = canon(v)
            if k in sets:  # $addToSet order is unspecified
                c = ("set", tuple(sorted(c[1], key=repr)))
            items.append((k, c))
        out.append(tuple(items))
    return out if _ordered(pipeline) else sorted(out, key=repr)


# ------------------------------------------------------------------ one case, both sides
def as_pipeline(case) -> list[dict]:
    """A query case ({...}) as the pipeline the server runs; a pipeline case as it is."""
    return [{"$match": case}, {"$project": {"_id": 1}}] if isinstance(case, dict) else case


def ours(docs: list[dict], case, frame=None):
    """fo_lite's answer, in the form ``theirs`` gives (``frame``: ``docs`` as a frame, when
    already made)."""
    frame = frame_from_documents(docs) if frame is None else frame
    try:
        if isinstance(case, dict):
            mask = match_mask(frame, case)
            return sorted(d["_id"] for d, hit in zip(docs, mask, strict=True) if hit)
        return _normalize(run_pipeline(frame, case), case)
    except (ValueError, TypeError) as e:
        return Error(f"{type(e).__name__}: {e}")


def theirs(case, result):
    """The server's answer (a result of ``run_many``), comparable with ``ours``."""
    if isinstance(result, Exception):
        return Error(str(result))
    if isinstance(case, dict):
        return sorted(d["_id"] for d in result)
    return _normalize(result, case)


def check(mongod, docs: list[dict], case):
    """Run ``case`` on both sides, assert they agree, return fo_lite's answer: the matching
    ``_id``s of a query, the output documents of a pipeline, or ``Error``."""
    (result,) = run_many(mongod.load(docs), [as_pipeline(case)])
    mine, ref = ours(docs, case), theirs(case, result)
    assert mine == ref, f"{case!r} on {docs!r}:\n  fo_lite {mine!r}\n  mongod  {ref!r}"
    if isinstance(case, dict) or isinstance(mine, Error):
        return mine
    return run_pipeline(frame_from_documents(docs), case)
