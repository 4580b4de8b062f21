"""Groups from pairs: union-find over the kept pairs, then each group's order and distances.

:func:`components` is a vectorized union-find (hooking roots onto smaller roots with
``numpy.minimum.at``, then pointer jumping until every row points at its root), so a million
rows and their pairs take well under a second, and the result does not depend on the order
of the pairs: each row's label is the smallest row of its component.

Within a group, the distance reported for a duplicate is the **bottleneck distance** to the
kept row: over all chains of kept pairs joining them, the smallest possible largest step. For
two rows checked directly it is at most their own distance; for a copy of a copy it is the
larger of the two steps. It needs only the pairs, never the pixels, so a group's kept row can
change (:meth:`fo_lite.brain.results.NearDuplicateIndex.keep`) without decoding anything.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np

__all__ = ["bottleneck_distances", "components", "group_members"]


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label of each of ``n`` rows joined by pairs ``(a[k], b[k])``: its smallest row."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if len(a) == 0:
        return parent
    while True:
        ra, rb = parent[a], parent[b]
        differ = ra != rb
        if not differ.any():
            return parent
        ra, rb = ra[differ], rb[differ]
        # hook the larger root under the smaller: no cycles, and labels end as minima
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
        while True:  # pointer jumping: every row straight to its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def group_members(labels: np.ndarray) -> list[np.ndarray]:
    """The rows of each component with two or more rows, in row order; groups ordered by
    their first row."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(labels)])
    return [order[s : s + k] for s, k in zip(starts, sizes, strict=True) if k > 1]


def bottleneck_distances(
    source: int, members: np.ndarray, a: np.ndarray, b: np.ndarray, d: np.ndarray
) -> dict[int, float]:
    """Bottleneck distance from ``source`` to every row reachable through pairs ``(a, b, d)``.

    The pairs should be those of one group (rows outside ``members`` are ignored).
    """
    inside = set(members.tolist())
    adjacent: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for x, y, w in zip(a.tolist(), b.tolist(), d.tolist(), strict=True):
        if x in inside and y in inside:
            adjacent[x].append((y, w))
            adjacent[y].append((x, w))
    best = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        dist, row = heapq.heappop(heap)
        if dist > best.get(row, np.inf):
            continue
        for other, w in adjacent[row]:
            step = max(dist, w)
            if step < best.get(other, np.inf):
                best[other] = step
                heapq.heappush(heap, (step, other))
    return best
