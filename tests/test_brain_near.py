"""compute_near_duplicates on small generated trees with known groups: groupings, distances,
keep rules, regrouping, the duplicates view, the review methods, flat images, bad input."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
from brain_support import near_tree  # same folder: pytest puts it on sys.path
from PIL import Image

import fo_lite as fo
import fo_lite.brain as fob
from fo_lite.brain import runner, search
from fo_lite.neartree import TRANSFORMS, true_groups
from fo_lite.treegen import read_manifest


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return near_tree(tmp_path_factory, size=300, seed=7, near_fraction=0.1, duplicate_fraction=0.03)


@pytest.fixture(scope="module")
def truth(tree):
    return read_manifest(tree)


def _rel(dataset, root):
    return {s.id: os.path.relpath(s.filepath, root) for s in dataset}


def _groups_as_paths(index, rel):
    return sorted(sorted(rel[i] for i in g) for g in index.groups.values())


def test_groups_match_the_ground_truth(tree, truth):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    rel = _rel(dataset, tree)
    predicted = _groups_as_paths(index, rel)
    expected = true_groups(truth)
    # precision: every predicted group lies inside one true group
    owner = {p: k for k, g in enumerate(expected) for p in g}
    for g in predicted:
        assert len({owner.get(p, ("alone", p)) for p in g}) == 1, f"wrong group {g}"
    # recall: each copy is in its original's group (crops: at least 80%, the target)
    together = {p: set(g) for g in predicted for p in g}
    found = {kind: [] for kind in (*TRANSFORMS, "exact")}
    for copy, original, kind, _ in truth["near_duplicates"]:
        found[kind].append(original in together.get(copy, ()))
    for copy, original in truth["duplicates"]:
        found["exact"].append(original in together.get(copy, ()))
    for kind, hits in found.items():
        assert hits, kind
        wanted = 0.8 if kind == "crop" else 1.0
        assert np.mean(hits) >= wanted, (kind, hits)
    # the hash field holds 16 hex digits for every sample
    hashes = dataset.values("phash")
    assert all(isinstance(h, str) and len(h) == 16 for h in hashes)
    assert index.config["hash_field"] == "phash"


def test_distances_of_copies_and_of_unrelated_images(tree, truth):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    rel = {v: k for k, v in _rel(dataset, tree).items()}
    dist = {
        dup: d for kept, dups in index.neighbors_map.items() for dup, d in dups
    }  # dup id -> distance to its kept sample
    by_kind = {}
    for copy, _original, kind, _ in truth["near_duplicates"]:
        if rel[copy] in dist:
            by_kind.setdefault(kind, []).append(dist[rel[copy]])
    assert max(by_kind["reencode"]) < 0.05
    assert max(by_kind["brightness"]) < 0.08
    assert max(d for ds in by_kind.values() for d in ds) < 0.12
    # regrouping at 1.0 joins every checked pair: no pair of unrelated images was even close
    index.find_duplicates(thresh=1.0)
    owner = {p: k for k, g in enumerate(true_groups(truth)) for p in g}
    for g in _groups_as_paths(index, _rel(dataset, tree)):
        assert len({owner.get(p, ("alone", p)) for p in g}) == 1


def test_find_duplicates_regroups_without_hashing(tree, truth, monkeypatch):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    n_default = len(index.duplicate_ids)

    def no_hashing(*args, **kwargs):
        raise AssertionError("find_duplicates must not decode or hash")

    monkeypatch.setattr(runner, "run", no_hashing)
    index.find_duplicates(thresh=0.0)
    assert index.thresh == 0.0
    # at 0 only byte-identical copies group: exactly the generator's exact duplicates
    assert len(index.duplicate_ids) == truth["counts"]["duplicates"]
    index.find_duplicates(fraction=0.05)
    assert len(index.duplicate_ids) >= 0.05 * len(dataset)
    index.find_duplicates(thresh=fob.DEFAULT_THRESHOLD)
    assert len(index.duplicate_ids) == n_default
    with pytest.raises(ValueError, match="thresh"):
        index.find_duplicates(thresh=1.5)
    with pytest.raises(ValueError, match="not both"):
        index.find_duplicates(thresh=0.1, fraction=0.1)


def test_neighbors_map_and_duplicate_ids_shapes(tree):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    order = {sample_id: k for k, sample_id in enumerate(dataset.values("id"))}
    nmap = index.neighbors_map
    dups = [d for ds in nmap.values() for d, _ in ds]
    assert sorted(dups, key=order.get) == index.duplicate_ids
    assert set(index.unique_ids) == set(order) - set(dups)
    for kept, pairs in nmap.items():
        assert kept not in dups
        distances = [d for _, d in pairs]
        assert distances == sorted(distances) and all(0 <= d <= 1 for d in distances)
        # keep="first": the kept sample comes first in collection order
        assert all(order[kept] < order[d] for d, _ in pairs)


def test_duplicates_view_orders_groups_and_writes_fields(tree):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    view = index.duplicates_view()
    rows = view.rows(0, len(view), ["dup_group", "dup_type", "dup_distance"])
    assert len(view) == sum(len(g) for g in index.groups.values())
    groups = rows["dup_group"]
    assert groups == sorted(groups)
    for k in range(len(groups)):
        first = k == 0 or groups[k] != groups[k - 1]
        assert rows["dup_type"][k] == ("kept" if first else "duplicate")
        assert (rows["dup_distance"][k] is None) == first
    # groups in FiftyOne's default order: the closest pair first
    firsts = [min(d for _, d in index.neighbors_map[g[0]]) for g in index.groups.values()]
    assert firsts == sorted(firsts)
    # samples in no group have None
    assert dataset.count("dup_group") == len(view)
    by_count = index.duplicates_view(sort_by="count", reverse=True, type_field=None)
    sizes = [len(index.groups[g]) for g in by_count.distinct("dup_group")]
    assert sizes == sorted(sizes, reverse=True)
    with pytest.raises(ValueError, match="sort_by"):
        index.duplicates_view(sort_by="size")


def test_review_keep_exclude_include_and_group_duplicates(tree):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    view = index.duplicates_view()
    number, members = max(index.groups.items(), key=lambda kv: len(kv[1]))
    kept, dup = members[0], members[1]
    assert index.group_duplicates(number) == members[1:] == index.group_duplicates(dup)

    index.keep(dup)  # the person keeps another sample
    assert index.groups[number][0] == dup
    assert dup not in index.duplicate_ids and kept in index.duplicate_ids
    assert dataset[dup]["dup_type"] == "kept" and dataset[kept]["dup_type"] == "duplicate"
    assert view.first()["dup_group"] == min(index.groups)  # the same view follows the fields

    index.exclude(kept)  # "not a duplicate"
    assert kept not in index.duplicate_ids and kept in index.excluded_ids
    assert dataset[kept]["dup_type"] == "excluded" and dataset[kept]["dup_group"] == number
    assert kept not in index.groups.get(number, [])
    index.find_duplicates(thresh=0.12)  # decisions survive regrouping
    assert kept in index.excluded_ids and kept not in index.duplicate_ids
    index.include(kept)
    assert kept in index.duplicate_ids
    with pytest.raises(ValueError, match="not one of this index"):
        index.keep("0" * 24)
    loner = next(i for i in dataset.values("id") if index.group_of(i) is None)
    with pytest.raises(ValueError, match="no duplicate group"):
        index.keep(loner)


def test_group_numbers_stay_put_through_review(tree):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    index.duplicates_view()
    before = dict(index.groups)
    pairs = [n for n, g in before.items() if len(g) == 2]
    gone = pairs[0]
    index.exclude(before[gone][1])  # the group dissolves
    after = index.groups
    assert gone not in after
    assert {n: g for n, g in before.items() if n != gone} == after


def test_keep_rules(tmp_path, tree):
    # one base image in three resolutions (files of different sizes), plus an unrelated one
    src = tmp_path / "src"
    src.mkdir()
    base = Image.open(
        os.path.join(
            tree,
            os.listdir(tree)[0],
            sorted(os.listdir(os.path.join(tree, os.listdir(tree)[0])))[0],
        )
    ).convert("RGB")
    base = base.resize((96, 96), Image.Resampling.BICUBIC)
    base.resize((48, 48), Image.Resampling.LANCZOS).save(src / "a_small.jpg", quality=95)
    base.save(src / "b_big.jpg", quality=60)
    base.resize((64, 64), Image.Resampling.LANCZOS).save(src / "c_mid.png")
    dataset = fo.Dataset.from_dir(str(tmp_path))
    names = {s.id: os.path.basename(s.filepath) for s in dataset}

    def kept(rule):
        index = fob.compute_near_duplicates(dataset, keep=rule, progress=False)
        assert len(index.groups) == 1
        return names[next(iter(index.neighbors_map))]

    assert kept("first") == "a_small.jpg"
    assert kept("highest_resolution") == "b_big.jpg"
    assert kept("largest") == "c_mid.png"
    assert kept(lambda samples: samples[-1]) == "c_mid.png"
    assert kept(lambda samples: samples[1].id) == "b_big.jpg"
    with pytest.raises(ValueError, match="not one of the group"):
        fob.compute_near_duplicates(dataset, keep=lambda s: "nope", progress=False)
    with pytest.raises(ValueError, match="keep rule"):
        fob.compute_near_duplicates(dataset, keep="newest", progress=False)


def test_flat_images_group_only_by_colour(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    Image.new("RGB", (32, 32), (40, 90, 200)).save(folder / "blue1.jpg", quality=95)
    Image.new("RGB", (32, 32), (40, 90, 200)).save(folder / "blue2.jpg", quality=60)
    Image.new("RGB", (64, 64), (41, 90, 199)).save(folder / "blue3.png")
    Image.new("RGB", (32, 32), (200, 90, 40)).save(folder / "orange.jpg", quality=95)
    Image.new("RGB", (32, 32), (40, 90, 230)).save(folder / "lighter_blue.jpg", quality=95)
    white = Image.new("RGB", (32, 32), (255, 255, 255))
    white.save(folder / "white.jpg")
    dots = np.full((32, 32, 3), 255, np.uint8)
    dots[::4, ::4] = 0  # a textured image whose pHash is also nothing special
    Image.fromarray(dots).save(folder / "dots.png")
    dataset = fo.Dataset.from_dir(str(tmp_path))
    index = fob.compute_near_duplicates(dataset, threshold=1.0, progress=False)
    names = {s.id: os.path.basename(s.filepath) for s in dataset}
    groups = [sorted(names[i] for i in g) for g in index.groups.values()]
    assert groups == [["blue1.jpg", "blue2.jpg", "blue3.png"]]


def test_unreadable_images_get_no_hash_and_no_group(tmp_path, tree):
    root = tmp_path / "t"
    shutil.copytree(tree, root)
    first = sorted((root / d / f) for d in os.listdir(root) for f in os.listdir(root / d))
    (root / "bad").mkdir()
    (root / "bad" / "empty.jpg").write_bytes(b"")
    (root / "bad" / "cut.jpg").write_bytes(first[0].read_bytes()[:100])
    (root / "bad" / "cut_copy.jpg").write_bytes(first[0].read_bytes()[:100])  # same bytes
    dataset = fo.Dataset.from_dir(str(root))
    with pytest.warns(RuntimeWarning, match="could not read or decode 3 of 303"):
        index = fob.compute_near_duplicates(dataset, progress=False)
    bad = dataset.match({"filepath": {"$regex": "/bad/"}})
    assert bad.values("phash") == [None, None, None]
    assert all(index.group_of(i) is None for i in bad.values("id"))


def test_a_failed_run_changes_no_field(tmp_path, tree):
    root = tmp_path / "t"
    shutil.copytree(tree, root)
    (root / "bad").mkdir()
    (root / "bad" / "x.jpg").write_bytes(b"not an image")
    dataset = fo.Dataset.from_dir(str(root))
    schema = dataset.get_field_schema()
    with pytest.raises(ValueError, match="no field was changed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fob.compute_near_duplicates(dataset, skip_failures=False, progress=False)
    with pytest.raises(ValueError, match="no field was changed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fob.compute_perceptual_hashes(dataset, skip_failures=False, progress=False)
    assert dataset.get_field_schema() == schema


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"threshold": 1.2}, ValueError, "threshold must be in"),
        ({"threshold": -0.1}, ValueError, "threshold must be in"),
        ({"threshold": "0.1"}, TypeError, "threshold must be a number"),
        ({"method": "whash"}, ValueError, "unknown perceptual hash method"),
        ({"hash_size": 1}, ValueError, "hash_size"),
        ({"hash_field": "filepath"}, ValueError, "built-in field"),
        ({"hash_field": "bad name"}, ValueError, "invalid field name"),
        ({"keep": "newest"}, ValueError, "keep rule"),
        ({"num_workers": 0}, ValueError, "num_workers"),
        ({"brain_key": "a/b"}, ValueError, "brain_key"),
        ({"hash_radius": 40}, ValueError, "hash_radius"),
    ],
)
def test_bad_arguments_fail_before_any_work(tree, monkeypatch, kwargs, error, match):
    dataset = fo.Dataset.from_dir(tree)
    monkeypatch.setattr(runner, "run", lambda *a, **k: pytest.fail("work started"))
    schema = dataset.get_field_schema()
    with pytest.raises(error, match=match):
        fob.compute_near_duplicates(dataset, **kwargs)
    assert dataset.get_field_schema() == schema


def test_compute_perceptual_hashes_fields(tree):
    dataset = fo.Dataset.from_dir(tree)
    fob.compute_perceptual_hashes(dataset, progress=False)
    fob.compute_perceptual_hashes(
        dataset, method="dhash", field="d16", hash_size=16, progress=False
    )
    fob.compute_perceptual_hashes(dataset, method="ahash", progress=False)
    first = dataset.first()
    assert len(first["phash"]) == 16 and len(first["d16"]) == 64 and len(first["ahash"]) == 16
    with pytest.raises(ValueError, match="unknown perceptual hash method"):
        fob.compute_perceptual_hashes(dataset, method="md5")


def test_view_input_and_default_pool(tree, monkeypatch):
    dataset = fo.Dataset.from_dir(tree)
    view = dataset.match({"ground_truth.label": {"$in": ["box", "ellipse"]}})
    monkeypatch.setattr(runner, "PROCESS_THRESHOLD", 0)  # use the worker processes
    index = fob.compute_near_duplicates(view, num_workers=2, progress=False)
    inline = fob.compute_near_duplicates(view, num_workers=1, progress=False)
    assert index.groups == inline.groups and len(index) == len(view)
    # from a script (pytest is one) the workers are forked for the call and gone after it:
    # none is left holding this process's files and pipes
    assert multiprocessing.active_children() == []
    assert set(index.duplicates_view().values("id")) <= set(view.values("id"))
    assert dataset.match({"ground_truth.label": "line"}).count("phash") == 0


def test_spawned_worker_beside_this_process(tree):
    # as in a notebook (__main__ is no file): a spawned worker, kept for the next call
    code = f"""
import multiprocessing, fo_lite as fo, fo_lite.brain as fob
from fo_lite.brain import pool, runner
assert pool.start_method() == "spawn"
runner.PROCESS_THRESHOLD = 0
dataset = fo.Dataset.from_dir({str(tree)!r})
shared = fob.compute_near_duplicates(dataset, num_workers=2, progress=False)
workers = multiprocessing.active_children()
again = fob.compute_near_duplicates(dataset, num_workers=2, progress=False)
inline = fob.compute_near_duplicates(dataset, num_workers=1, progress=False)
assert shared.groups == again.groups == inline.groups and len(inline.groups) > 5
assert len(workers) == 1 and multiprocessing.active_children() == workers
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_pairs_found_in_threads_are_those_found_in_one(tree, monkeypatch):
    paths = fo.Dataset.from_dir(tree).values("filepath")
    hashed = runner.run(paths, "phash", 8, True, num_workers=1, progress=False)
    one = search.find_pairs(hashed, 64, workers=1)
    monkeypatch.setattr(search, "_PART_QUERIES", 1000)  # a 300-image tree: 30,000 lookups
    monkeypatch.setattr(search, "_PART_PAIRS", 4)
    three = search.find_pairs(hashed, 64, workers=3)
    assert len(one.a) > 12  # enough pairs for three parts
    for name in ("a", "b", "distance", "exact", "flat"):
        np.testing.assert_array_equal(getattr(three, name), getattr(one, name), err_msg=name)


@pytest.mark.parametrize("method,hash_size", [("dhash", 8), ("phash", 16), ("ahash", 6)])
def test_other_methods_and_hash_sizes_find_the_same_copies(tree, truth, method, hash_size):
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, method=method, hash_size=hash_size, progress=False)
    rel = _rel(dataset, tree)
    owner = {p: k for k, g in enumerate(true_groups(truth)) for p in g}
    for g in _groups_as_paths(index, rel):
        assert len({owner.get(p, ("alone", p)) for p in g}) == 1
    # longer hashes hold higher, noisier frequencies: at 1/16 of the bits they are stricter
    wanted = 0.95 if hash_size == 8 else 0.9
    copies = len(truth["near_duplicates"]) + len(truth["duplicates"])
    assert len(index.duplicate_ids) >= wanted * copies
    assert {len(h) for h in dataset.values(method)} == {-(-hash_size * hash_size // 4)}
    assert index.config["hash_radius"] == max(1, hash_size * hash_size // 16)


def test_empty_collection_and_deleted_samples(tree):
    dataset = fo.Dataset.from_dir(tree)
    empty = fob.compute_near_duplicates(dataset.match({"filepath": "nowhere"}), progress=False)
    assert empty.duplicate_ids == [] and empty.neighbors_map == {} and len(empty) == 0
    index = fob.compute_near_duplicates(dataset, progress=False)
    view = index.duplicates_view()
    loner = next(i for i in dataset.values("id") if index.group_of(i) is None)
    kept, dup = next(iter(index.groups.values()))[:2]
    dataset.delete_samples([loner])  # a sample deleted after the run does not break a review
    index.keep(dup)
    assert dataset[dup]["dup_type"] == "kept" and len(view) == len(index.duplicates_view())
