"""Brain results of a persistent dataset: saved under a brain key, loaded after a restart,
validated, with deleted samples dropped."""

from __future__ import annotations

import json
import os

import pytest
from brain_support import near_tree, run_python  # same folder: on sys.path

import fo_lite as fo
import fo_lite.brain as fob
from fo_lite.brain import persist
from fo_lite.core.config import config
from fo_lite.core.registry import dataset_dir


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return near_tree(tmp_path_factory, size=120, seed=3, near_fraction=0.2, duplicate_fraction=0.05)


@pytest.fixture
def db(tmp_path):
    config.database_dir = tmp_path / "db"
    yield tmp_path / "db"
    config.database_dir = None


_SUMMARY = """
def summary(index, ds):
    return {
        "groups": {str(k): v for k, v in index.groups.items()},
        "dups": index.duplicate_ids,
        "nmap": {k: [[d, round(x, 4)] for d, x in v] for k, v in index.neighbors_map.items()},
        "excluded": index.excluded_ids,
        "hashes": ds.count("phash"),
        "view": ds.count("dup_group"),
    }
"""


def test_results_survive_a_restart_with_review_decisions(db, tree):
    """One process computes, reviews and exits; a new one loads the dataset and the run."""
    before = run_python(
        _SUMMARY
        + f"""
        import json
        import fo_lite as fo, fo_lite.brain as fob
        ds = fo.Dataset.from_dir({tree!r}, name="near", persistent=True)
        index = fob.compute_near_duplicates(ds, brain_key="near_dups", progress=False)
        index.duplicates_view()
        number, members = max(index.groups.items(), key=lambda kv: len(kv[1]))
        index.keep(members[1])      # saved at once: the index has a brain key
        index.exclude(members[-1])
        print(json.dumps(summary(index, ds)))
        """,
        db,
    )
    assert before["excluded"] and before["dups"]
    assert (db / "near" / "brain" / "near_dups.json").is_file()
    after = run_python(
        _SUMMARY
        + """
        import json
        import fo_lite as fo, fo_lite.brain as fob
        ds = fo.load_dataset("near")
        assert fob.list_brain_runs(ds) == ["near_dups"]
        index = fob.load_brain_results(ds, "near_dups")
        print(json.dumps(summary(index, ds)))
        """,
        db,
    )
    assert after == before


def test_deleted_samples_are_dropped_on_load(db, tree):
    dataset = fo.Dataset.from_dir(tree, name="near2", persistent=True)
    index = fob.compute_near_duplicates(dataset, brain_key="nd", progress=False)
    gone = index.duplicate_ids[:3]
    dataset.delete_samples(gone)
    persist._memory.clear()  # as in a new process
    loaded = fob.load_brain_results(dataset, "nd")
    assert len(loaded) == len(dataset)
    assert not set(gone) & set(loaded.duplicate_ids)
    assert set(loaded.duplicate_ids) == set(index.duplicate_ids) - set(gone)


def test_in_memory_dataset_keeps_runs_for_the_process(tree):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, brain_key="mem", progress=False)
    assert fob.load_brain_results(dataset, "mem") is index
    assert fob.list_brain_runs(dataset.view()) == ["mem"]
    fob.delete_brain_run(dataset, "mem")
    with pytest.raises(ValueError, match="no brain run 'mem'.*runs: none"):
        fob.load_brain_results(dataset, "mem")


def test_damaged_and_foreign_files(db, tree):
    dataset = fo.Dataset.from_dir(tree, name="near3", persistent=True)
    fob.compute_near_duplicates(dataset, brain_key="nd", progress=False)
    path = dataset_dir("near3") / "brain" / "nd.json"
    good = path.read_bytes()
    persist._memory.clear()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(fob.BrainResultsError, match="not valid JSON"):
        fob.load_brain_results(dataset, "nd")
    assert path.read_bytes() == good[: len(good) // 2]  # left untouched
    doc = json.loads(good)
    doc["a"] = doc["a"][:-1]
    path.write_text(json.dumps(doc))
    with pytest.raises(fob.BrainResultsError, match="damaged"):
        fob.load_brain_results(dataset, "nd")
    doc = json.loads(good)
    doc["dataset_created_at"] = "2001-01-01T00:00:00"  # left by another dataset of this name
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="no brain run 'nd'"):
        fob.load_brain_results(dataset, "nd")
    fob.delete_brain_run(dataset, "nd")
    assert not path.exists()
    with pytest.raises(ValueError, match="brain_key"):
        fob.load_brain_results(dataset, "../x")


def test_save_is_atomic(db, tree, monkeypatch):
    dataset = fo.Dataset.from_dir(tree, name="near4", persistent=True)
    index = fob.compute_near_duplicates(dataset, brain_key="nd", progress=False)
    path = dataset_dir("near4") / "brain" / "nd.json"
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space"):
        index.exclude(index.duplicate_ids[0])
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["nd.json"]  # no temporary left
