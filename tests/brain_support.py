"""Shared by the brain tests: small generated trees with known groups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fo_lite.neartree import make_near_duplicate_tree

REPO = Path(__file__).resolve().parents[1]


def near_tree(tmp_path_factory, size: int, seed: int, **kwargs) -> str:
    """A near-duplicate tree of ``size`` 32x32 scenes in a fresh temporary folder."""
    root = tmp_path_factory.mktemp(f"near{seed}") / "tree"
    return make_near_duplicate_tree(str(root), size=size, seed=seed, **kwargs)


def synthetic_index(n: int, groups: int, seed: int, name: str):
    """A NearDuplicateIndex of ``n`` samples (no files): ``groups`` groups of 2-6 samples
    joined by random pairs (some above the default threshold, some exact copies)."""
    import numpy as np

    import fo_lite as fo
    from fo_lite.brain.results import NearDuplicateIndex

    rng = np.random.default_rng(seed)
    ds = fo.Dataset.from_image_classification_samples(
        [(f"/nowhere/{i}.jpg", "x") for i in range(n)], name=name, overwrite=True
    )
    a, b = [], []
    for g in rng.permutation(n)[: groups * 6].reshape(groups, 6):
        size = int(rng.integers(2, 7))
        for k in range(1, size):
            a.append(g[int(rng.integers(0, k))])
            b.append(g[k])
        if size > 3:  # a shortcut, so that some groups are not trees
            a.append(g[0])
            b.append(g[size - 1])
    d = rng.uniform(0.0, 0.2, len(a)).astype(np.float32)
    exact = rng.uniform(size=len(a)) < 0.05
    return NearDuplicateIndex(ds, ds.values("id"), a, b, d, exact, {"threshold": 0.15})


def run_python(code: str, db: Path, *args: str):
    """Run ``code`` in a new Python process with fo_lite's database in ``db`` and ``args`` in
    ``sys.argv[1:]``; return the JSON its last printed line holds. Lines of ``code`` lose 8
    leading spaces (a triple-quoted string inside a test function)."""
    env = dict(os.environ, FO_LITE_DATABASE_DIR=str(db), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", code.replace("\n        ", "\n"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])
