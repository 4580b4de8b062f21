"""Shared by the brain tests: small generated trees with known groups."""

from __future__ import annotations

from fo_lite.neartree import make_near_duplicate_tree


def near_tree(tmp_path_factory, size: int, seed: int, **kwargs) -> str:
    """A near-duplicate tree of ``size`` 32x32 scenes in a fresh temporary folder."""
    root = tmp_path_factory.mktemp(f"near{seed}") / "tree"
    return make_near_duplicate_tree(str(root), size=size, seed=seed, **kwargs)
