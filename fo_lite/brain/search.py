"""From hashes and thumbnails to checked pairs: who may be a copy of whom, and how close.

:func:`find_pairs` runs the two-stage search over the output of :func:`fo_lite.brain.runner.run`:

1. **Exact copies** (the same file hash) are joined at distance 0; only the first of each
   takes part in the rest, so a thousand copies cost one image.
2. **Flat images** (one colour) have no usable hash; two of them are joined when their mean
   colours match (:data:`fo_lite.brain.verify.FLAT_TOLERANCE`), never otherwise.
3. **Candidates, two ways**, each without an all-pairs loop (:mod:`fo_lite.brain.candidates`):
   equal hashes (exact buckets), then hashes within ``hash_radius`` bits through the
   multi-index; and for crops, each image's cropped variants
   (:mod:`fo_lite.brain.variants`) against every image's plain code, within 2 bits.
4. **The pixel check** (:mod:`fo_lite.brain.verify`) gives every candidate pair its distance.

The crop lookups and the pixel check, most of the time here, are split over ``workers`` threads:
they are numpy through and through, which lets go of the GIL for each large array operation.

The result keeps every checked pair with its distance, so grouping at another threshold
needs no pixels again.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from fo_lite.brain import hashes
from fo_lite.brain.align import CROPS
from fo_lite.brain.batch import ChunkResult
from fo_lite.brain.candidates import BandIndex, exact_buckets
from fo_lite.brain.decode import FLAT_STD
from fo_lite.brain.variants import VARIANTS
from fo_lite.brain.verify import FLAT_TOLERANCE, pair_distances

__all__ = ["CROP_RADIUS", "Pairs", "default_radius", "find_pairs"]

#: Hamming radius for a cropped variant against a plain code (64-bit codes): 2 at least, and
#: as many as exact band lookups allow (3 with the 16-bit bands of collections up to ~60k):
#: a crop between two steps of the grid lands 2-3 bits away
CROP_RADIUS = 2
# a pair of exact buckets is expanded to all its row pairs up to this many, else leader pairs
_EXPAND = 16
# the least crop lookups and pixel checks worth a thread of their own
_PART_QUERIES = 1 << 16
_PART_PAIRS = 256

_CROP_INDEX = {c: k for k, c in enumerate(CROPS)}
_VARIANT_CROPS = np.array([[_CROP_INDEX[cx], _CROP_INDEX[cy]] for cx, cy in VARIANTS])


@dataclass
class Pairs:
    """Checked pairs over rows: ``a < b``, ``distance`` in [0, 1]; ``exact`` marks pairs that
    always group (the same file, or two flat images of the same colour)."""

    a: np.ndarray
    b: np.ndarray
    distance: np.ndarray
    exact: np.ndarray
    flat: np.ndarray  # rows that are flat images


def default_radius(bits: int) -> int:
    """The candidate Hamming radius for ``bits``-bit hashes: 4 for 64 bits (1/16 of them)."""
    return max(1, bits // 16)


def _exact_file_pairs(file_hashes: list[str | None], ok: np.ndarray):
    """``(leaders, members)`` of files with equal bytes, and a mask of non-leader rows."""
    first: dict[str, int] = {}
    a, b = [], []
    for row, h in enumerate(file_hashes):
        if h is None or not ok[row]:
            continue
        lead = first.setdefault(h, row)
        if lead != row:
            a.append(lead)
            b.append(row)
    member = np.zeros(len(ok), dtype=bool)
    member[b] = True
    return np.array(a, dtype=np.int64), np.array(b, dtype=np.int64), member


def _flat_pairs(rows: np.ndarray, colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of flat rows whose mean colours differ by at most FLAT_TOLERANCE per channel."""
    if len(rows) < 2:
        empty = np.empty(0, np.int64)
        return empty, empty
    c = colours[rows]
    order = np.argsort(c[:, 0], kind="stable")
    red = c[order, 0]
    # candidates: rows after each one in red order, up to FLAT_TOLERANCE redder
    ends = np.searchsorted(red, red + FLAT_TOLERANCE, side="right")
    counts = ends - np.arange(len(red)) - 1
    i = np.repeat(np.arange(len(red)), counts)
    j = i + 1 + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    close = np.abs(c[order[i]] - c[order[j]]).max(axis=1) <= FLAT_TOLERANCE
    return rows[order[i[close]]], rows[order[j[close]]]


def _hash_candidates(codes: np.ndarray, bits: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs whose hashes are within ``radius`` bits (exact buckets, then the multi-index)."""
    uniq, bucket, counts = exact_buckets(codes)
    order = np.argsort(bucket, kind="stable")
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    leaders = order[starts]
    a_parts, b_parts = [], []
    # within a bucket: each row with its bucket's first row
    not_first = np.ones(len(order), dtype=bool)
    not_first[starts] = False
    members = order[not_first]
    a_parts.append(leaders[bucket[members]])
    b_parts.append(members)
    if radius > 0 and len(uniq) > 1:
        u, v, _ = BandIndex(uniq, bits, radius).self_pairs(radius)
        big = counts[u] * counts[v] > _EXPAND
        a_parts.append(leaders[u[big]])
        b_parts.append(leaders[v[big]])
        for x, y in zip(u[~big].tolist(), v[~big].tolist(), strict=True):
            xs = order[starts[x] : starts[x] + counts[x]]
            ys = order[starts[y] : starts[y] + counts[y]]
            a_parts.append(np.repeat(xs, len(ys)))
            b_parts.append(np.tile(ys, len(xs)))
    return np.concatenate(a_parts), np.concatenate(b_parts)


def _in_parts(
    fn: Callable[[int, int], tuple], n: int, workers: int, least: int
) -> list[np.ndarray]:
    """``fn(lo, hi)`` over up to ``workers`` consecutive parts of ``range(n)`` of at least
    ``least`` each, in threads; each part's tuple of arrays joined in order."""
    parts = min(max(workers, 1), max(n // least, 1))
    bounds = [(n * k // parts, n * (k + 1) // parts) for k in range(parts)]
    if parts == 1:
        results = [fn(0, n)]
    else:
        with ThreadPoolExecutor(parts) as pool:
            results = list(pool.map(lambda b: fn(*b), bounds))
    return [np.concatenate(column) for column in zip(*results, strict=True)]


def _crop_candidates(
    variants: np.ndarray, workers: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cropped row, other row, variant)``: a cropped variant of one row near another's code."""
    plain = np.ascontiguousarray(variants[:, :1])
    index = BandIndex(plain, 64, CROP_RADIUS)
    radius = max(CROP_RADIUS, min(3, len(index.bounds) - 1))  # free with exact band lookups
    # every column, the plain one too (1% more queries, no 80 MB copy); its finds are dropped
    queries = np.ascontiguousarray(variants).reshape(-1, 1)

    def lookup(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        q, j, _ = index.query(queries[lo:hi], radius)
        return q + lo, j

    q, j = _in_parts(lookup, len(queries), workers, _PART_QUERIES)
    i, v = np.divmod(q, variants.shape[1])
    keep = (i != j) & (v > 0)
    return i[keep], j[keep], v[keep]


def find_pairs(
    hashed: ChunkResult, hash_bits: int, hash_radius: int | None = None, workers: int = 1
) -> Pairs:
    """Every candidate pair of ``hashed`` (a near-duplicate run), checked on pixels (the crop
    lookups and the pixel check in ``workers`` threads)."""
    ok = hashed.ok
    thumbs = hashed.thumbs
    n = len(ok)
    radius = default_radius(hash_bits) if hash_radius is None else int(hash_radius)
    ea, eb, member = _exact_file_pairs(hashed.file_hashes, ok)
    flat = ok & (hashed.stds < FLAT_STD)
    fa, fb = _flat_pairs(np.flatnonzero(flat & ~member), hashed.colours)
    rows = np.flatnonzero(ok & ~member & ~flat)  # the rows the hashes compare

    empty = np.empty(0, np.int64)
    ha = hb = ci = cj = cv = empty
    if len(rows) > 1:
        ha, hb = _hash_candidates(hashes.pack_bits(hashed.bits[rows]), hash_bits, radius)
        ci, cj, cv = _crop_candidates(hashed.variants[rows], workers)
    a = np.concatenate([rows[ha], rows[ci]])
    b = np.concatenate([rows[hb], rows[cj]])
    crops = np.concatenate([np.zeros((len(ha), 2), np.int64), _VARIANT_CROPS[cv]])
    # one check per (cropped row, other row, crop)
    a, b, crops = _unique_pairs(a, b, crops, n)

    def check(lo: int, hi: int) -> tuple[np.ndarray]:
        return (pair_distances(thumbs, a[lo:hi], b[lo:hi], crops[lo:hi], hashed.colours, flat),)

    (d,) = _in_parts(check, len(a), workers, _PART_PAIRS)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    lo, hi, d = _min_per_pair(lo, hi, d, n)

    exact_a = np.concatenate([ea, fa])
    exact_b = np.concatenate([eb, fb])
    return Pairs(
        a=np.concatenate([lo, np.minimum(exact_a, exact_b)]),
        b=np.concatenate([hi, np.maximum(exact_a, exact_b)]),
        distance=np.concatenate([d, np.zeros(len(exact_a), np.float32)]).astype(np.float32),
        exact=np.r_[np.zeros(len(lo), bool), np.ones(len(exact_a), bool)],
        flat=flat,
    )


def _unique_pairs(a, b, crops, n):
    # canonical pairs have no direction: put the smaller row first
    plain = (crops == 0).all(axis=1)
    a2 = np.where(plain, np.minimum(a, b), a)
    b2 = np.where(plain, np.maximum(a, b), b)
    key = (a2 * n + b2) * (len(CROPS) ** 2) + crops[:, 0] * len(CROPS) + crops[:, 1]
    _, first = np.unique(key, return_index=True)
    return a2[first], b2[first], crops[first]


def _min_per_pair(lo, hi, d, n):
    if len(lo) == 0:
        return lo, hi, d
    key = lo * n + hi
    order = np.lexsort((d, key))
    key_sorted = key[order]
    first = np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    pick = order[first]
    return lo[pick], hi[pick], d[pick]
