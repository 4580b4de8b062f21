"""Precision and per-transform recall of a grouping, against a generated tree's ground truth.

A method's groups at a threshold are the connected components of its pairs within that
threshold (union-find, as fo_lite groups; for hash methods, pairs of hashes within that many
bits, found exactly with fo_lite's multi-index). Then:

- **precision** (pairwise): of all pairs of samples put in one group, the share that are in
  one true group (an original with its copies);
- **recall per transform**: of the copies made by that transform (and of the exact copies),
  the share put in the same group as their original.
"""

from __future__ import annotations

import numpy as np

from fo_lite.brain.candidates import BandIndex
from fo_lite.brain.groups import components
from fo_lite.brain.hashes import from_hex

TRANSFORM_KEYS = ("reencode", "resize", "crop", "brightness", "exact")


class Truth:
    """The ground truth of a tree, over a list of relative paths (a contender's order)."""

    def __init__(self, manifest: dict, relpaths: list[str]) -> None:
        pos = {p: k for k, p in enumerate(relpaths)}
        n = len(relpaths)
        self.n = n
        copies = [(c, o, k) for c, o, k, _ in manifest["near_duplicates"]]
        copies += [(c, o, "exact") for c, o in manifest["duplicates"]]
        self.copy = np.array([pos[c] for c, _, _ in copies], dtype=np.int64)
        self.original = np.array([pos[o] for _, o, _ in copies], dtype=np.int64)
        self.kind = np.array([k for _, _, k in copies])
        self.label = components(n, self.copy, self.original)  # true group of every sample


def score(truth: Truth, a: np.ndarray, b: np.ndarray) -> dict:
    """Precision and per-transform recall of the groups that the pairs ``(a, b)`` make."""
    labels = components(truth.n, a, b)
    # pairs inside predicted groups, and among them pairs inside one true group
    predicted = _pairs_within(labels)
    both = _pairs_within(labels * (truth.n + 1) + truth.label)
    out = {
        "precision": (both / predicted) if predicted else 1.0,
        "predicted_pairs": int(predicted),
        "false_pairs": int(predicted - both),
    }
    same = labels[truth.copy] == labels[truth.original]
    for kind in TRANSFORM_KEYS:
        mask = truth.kind == kind
        out[f"recall_{kind}"] = float(same[mask].mean()) if mask.any() else None
    return out


def _pairs_within(labels: np.ndarray) -> int:
    _, counts = np.unique(labels, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


def hash_curve(truth: Truth, hashes: list[str | None], bits: int, thresholds: list[int]) -> list:
    """Scores at each Hamming threshold for a list of hex hashes (None: no hash)."""
    # imgdd writes hex without leading zeros: pad to the full width
    width = bits // 4
    codes, valid = from_hex(
        [h.lower().zfill(width) if isinstance(h, str) else h for h in hashes], bits
    )
    rows = np.flatnonzero(valid)
    index = BandIndex(codes[rows], bits, max_radius=max(thresholds))
    i, j, d = index.self_pairs(max(thresholds))
    i, j = rows[i], rows[j]
    return [{"threshold": t, **score(truth, i[d <= t], j[d <= t])} for t in thresholds]


def pair_curve(truth: Truth, pairs: dict, rows: np.ndarray, thresholds: list[float]) -> list:
    """Scores at each distance threshold for fo_lite's checked pairs (exact pairs always)."""
    a = rows[np.asarray(pairs["a"], dtype=np.int64)]
    b = rows[np.asarray(pairs["b"], dtype=np.int64)]
    d = np.asarray(pairs["distance"], dtype=np.float64)
    exact = np.asarray(pairs["exact"], dtype=bool)
    out = []
    for t in thresholds:
        keep = exact | (d <= t)
        out.append({"threshold": t, **score(truth, a[keep], b[keep])})
    return out
