"""The near-duplicate tree generator: determinism, ground truth, distinct base images."""

from __future__ import annotations

import hashlib
import os
from itertools import combinations

import pytest
from brain_support import near_tree  # same folder: pytest puts it on sys.path
from PIL import Image

from fo_lite.neartree import TRANSFORMS, make_near_duplicate_tree, scene_distance, true_groups
from fo_lite.treegen import read_manifest


def _digest(root: str) -> str:
    h = hashlib.sha1()
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            h.update(f.encode())
            h.update(open(os.path.join(d, f), "rb").read())
    return h.hexdigest()


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return near_tree(
        tmp_path_factory, size=200, seed=11, near_fraction=0.2, duplicate_fraction=0.05
    )


def test_same_arguments_same_bytes(tree, tmp_path):
    again = make_near_duplicate_tree(
        str(tmp_path / "t"), size=200, seed=11, near_fraction=0.2, duplicate_fraction=0.05
    )
    assert _digest(again) == _digest(tree)
    other = make_near_duplicate_tree(str(tmp_path / "u"), size=200, seed=12)
    assert _digest(other) != _digest(tree)


def test_manifest_describes_the_copies(tree):
    m = read_manifest(tree)
    assert m["source"] == "scenes" and m["size"] == 200
    near = m["near_duplicates"]
    assert len(near) == 40 and len(m["duplicates"]) == 10
    kinds = [k for _, _, k, _ in near]
    assert {kinds.count(t) for t in TRANSFORMS} == {10}  # equal shares
    for copy, original, kind, params in near:
        assert os.path.isfile(os.path.join(tree, copy)) and os.path.isfile(
            os.path.join(tree, original)
        )
        if kind == "reencode":
            assert 55 <= params["quality"] <= 90
        elif kind == "resize":
            assert 0.75 <= params["factor"] <= 0.95
        elif kind == "crop":
            assert all(s in (1, 2, 3) for s in params["box"])  # 32x32: whole pixels
        else:
            assert 8 <= abs(params["delta"]) <= 24
    originals = {o for _, o, _, _ in near} | {o for _, o in m["duplicates"]}
    copies = {c for c, _, _, _ in near} | {c for c, _ in m["duplicates"]}
    assert not originals & copies  # a copy is never the original of another
    groups = true_groups(m)
    assert sum(len(g) - 1 for g in groups) == 50


def test_base_images_are_at_least_min_distance_apart(tree):
    m = read_manifest(tree)
    copies = {c for c, *_ in m["near_duplicates"]} | {c for c, _ in m["duplicates"]}
    bases = []
    for d in sorted(os.listdir(tree)):
        for f in sorted(os.listdir(os.path.join(tree, d))):
            if f"{d}/{f}" not in copies:
                bases.append(Image.open(os.path.join(tree, d, f)).convert("RGB"))
    smallest = min(scene_distance(a, b) for a, b in combinations(bases, 2))
    # measured on the saved JPEGs (the generator measures before saving): a little slack
    assert smallest >= m["min_distance"] - 0.02
    assert m["min_base_distance"] >= m["min_distance"]


def test_photo_sized_tree_and_bad_arguments(tmp_path):
    root = make_near_duplicate_tree(
        str(tmp_path / "p"), size=12, seed=1, image_size=(640, 480), near_fraction=0.34
    )
    m = read_manifest(root)
    crop = [p for _, _, k, p in m["near_duplicates"] if k == "crop"]
    assert crop and all(640 / 32 <= crop[0]["box"][0] <= 3 * 640 / 32 for _ in crop)
    path = os.path.join(root, m["near_duplicates"][0][0])
    assert Image.open(path).size == (640, 480)
    with pytest.raises(ValueError, match="near_fraction"):
        make_near_duplicate_tree(str(tmp_path / "q"), near_fraction=0.7)
    with pytest.raises(ValueError, match="image_size"):
        make_near_duplicate_tree(str(tmp_path / "q"), image_size=(8, 8))
    with pytest.raises(FileExistsError):
        make_near_duplicate_tree(root, size=12)
