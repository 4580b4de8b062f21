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
from collections.abc import Callable

import numpy as np

__all__ = ["bottleneck_distances", "build_groups", "components", "group_members"]


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


def build_groups(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    d: np.ndarray,
    choose: Callable[[np.ndarray], int],
    rows: np.ndarray | None = None,
) -> tuple[list[list[int]], dict[int, float]]:
    """The groups of ``n`` rows joined by pairs ``(a, b, d)``, each as ``[kept, others...]``
    (others by distance to the kept row, then by row), and every member's distance to its
    kept row (0.0 for the kept one). ``choose(members)`` picks a group's kept row.

    With ``rows`` (sorted, unique) only those rows are grouped and pairs with an end outside
    them are ignored: a review decision regroups the few rows it touches, not all ``n``.
    """
    if rows is None:
        labels = components(n, a, b)
        members = group_members(labels)
        pair_label = labels[a]
    else:
        inside = np.zeros(n, dtype=bool)
        inside[rows] = True
        keep = inside[a] & inside[b]
        a, b, d = a[keep], b[keep], d[keep]
        local = np.full(n, -1, dtype=np.int64)
        local[rows] = np.arange(len(rows), dtype=np.int64)
        labels = components(len(rows), local[a], local[b])
        members = [rows[m] for m in group_members(labels)]
        pair_label = rows[labels[local[a]]]  # a group's smallest row, as in the full case
    # each group's pairs, found by slicing pairs sorted by group (one pass, not one per group)
    order = np.argsort(pair_label, kind="stable")
    a, b, d, pair_label = a[order], b[order], d[order], pair_label[order]
    groups, dists = [], {}
    for group in members:
        kept = choose(group)
        lo, hi = np.searchsorted(pair_label, [group[0], group[0] + 1])
        if len(group) == 2:  # most groups: one pair (or several checks of it)
            other = int(group[1] if group[0] == kept else group[0])
            best = {other: float(d[lo:hi].min())}
        else:
            best = bottleneck_distances(kept, group, a[lo:hi], b[lo:hi], d[lo:hi])
        others = sorted((r for r in group.tolist() if r != kept), key=lambda r: (best[r], r))
        groups.append([kept, *others])
        dists.update({r: float(best[r]) for r in others})
        dists[kept] = 0.0
    return groups, dists
