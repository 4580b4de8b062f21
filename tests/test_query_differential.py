"""Differential tests: match_mask and run_pipeline against a real MongoDB server (mongod 6.0.5).

Each case group is one generated collection (tests/query_cases.py, seeded: the same cases on
every run) with a batch of generated queries and pipelines. The documents go into a fresh
collection of the session's ``mongod`` once, and the whole batch runs there as the branches of
one ``$facet`` (one round trip); fo_lite runs each case with ``match_mask``/``run_pipeline`` over
``frame_from_documents(docs)``. Every case must give the same answer: the same documents, in the
same order where the pipeline fixes one, with the same values (int apart from float, bool apart
from numbers) and the same field order, or an error on both sides. Nothing is left out. A
difference is reported with the smallest subset of the documents that still shows it.
"""

from __future__ import annotations

import random

import pytest
from differential import Error, as_pipeline, ours, theirs
from mongod_server import run_many
from query_cases import PipelineGen, QueryGen, collection

from fo_lite.core.aggregate import run_pipeline
from fo_lite.core.documents import frame_from_documents

CHUNKS = 20  # test items (for progress and to localize a failure)
GROUPS_PER_CHUNK = 15  # collections per item
QUERIES_PER_GROUP = 14
PIPELINES_PER_GROUP = 7
CASES = {"queries": 0, "pipelines": 0, "chunks": 0}


def _smallest(mongod, docs: list[dict], case) -> list[dict]:
    """A subset of ``docs`` (dropping one at a time) on which the case still differs."""
    keep = list(docs)
    for doc in list(docs):
        trial = [d for d in keep if d is not doc]
        (result,) = run_many(mongod.load(trial), [as_pipeline(case)])
        if ours(trial, case) != theirs(case, result):
            keep = trial
    return keep


def _describe(mongod, docs, case) -> str:
    small = _smallest(mongod, docs, case)
    (result,) = run_many(mongod.load(small), [as_pipeline(case)])
    kind = "query" if isinstance(case, dict) else "pipeline"
    return (
        f"{kind} {case!r}\n  on {small!r}\n  fo_lite {ours(small, case)!r}\n"
        f"  mongod  {theirs(case, result)!r}"
    )


def run_group(mongod, seed: int) -> list[str]:
    """Generate case group ``seed``, run it on both sides; the differences, described."""
    r = random.Random(seed)
    docs = collection(r)
    queries = QueryGen(random.Random(r.random()), docs)
    pipelines = PipelineGen(random.Random(r.random()), docs)
    cases = [queries.query() for _ in range(QUERIES_PER_GROUP)]
    cases += [pipelines.pipeline() for _ in range(PIPELINES_PER_GROUP)]
    results = run_many(mongod.load(docs), [as_pipeline(c) for c in cases])
    frame = frame_from_documents(docs)
    diffs = []
    for case, result in zip(cases, results, strict=True):
        mine = ours(docs, case, frame)
        if mine != theirs(case, result):
            diffs.append(_describe(mongod, docs, case))
        elif isinstance(case, list) and "$sortByCount" in case[-1] and not isinstance(mine, Error):
            counts = [d["count"] for d in run_pipeline(frame, case)]
            assert counts == sorted(counts, reverse=True), f"$sortByCount order: {case}"
    CASES["queries"] += QUERIES_PER_GROUP
    CASES["pipelines"] += PIPELINES_PER_GROUP
    return diffs


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_generated_cases_agree_with_mongod(mongod, chunk):
    diffs = []
    for seed in range(chunk * GROUPS_PER_CHUNK, (chunk + 1) * GROUPS_PER_CHUNK):
        diffs += [f"[case group {seed}] {d}" for d in run_group(mongod, seed)]
    CASES["chunks"] += 1
    assert not diffs, f"{len(diffs)} differences from mongod:\n" + "\n".join(diffs[:8])


def test_generated_case_count():
    """The chunks above compared at least 5,000 generated cases in this run."""
    if CASES["chunks"] < CHUNKS:
        pytest.skip("counts the cases only when every chunk of this file ran")
    assert CASES["queries"] + CASES["pipelines"] >= 5000, CASES
