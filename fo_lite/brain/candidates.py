"""Candidate pairs from hashes: exact buckets, then a multi-index of hash bands.

No loop over pairs in Python. Codes are packed uint64 rows (see :mod:`fo_lite.brain.hashes`).

**Exact buckets.** :func:`exact_buckets` groups equal codes (``numpy.unique``); the
multi-index then works on one code per bucket, so a thousand copies of one picture cost one
entry.

**The multi-index** (:class:`BandIndex`): a b-bit code is cut into m bands of at most 24 bits.
If two codes differ in at most r bits, then some band differs in at most ``r // m`` bits
(pigeonhole). With ``m >= (r + 1) / 2`` that is at most one bit, so a query looks up, in each
band, its own band value and the b/m values one bit away. Each band is a direct-address table
(``2**bits`` bucket offsets, built with ``bincount``), so a lookup is an array gather. Every
pair a lookup yields is checked on the whole code with a vectorized popcount, and pairs
further apart than r are dropped. The work per query is about ``m * (1 + b/m)`` gathers plus
``N * b / 2**(b/m)`` random hits, so bands are made as long as the tables allow.

Example::

    index = BandIndex(codes, bits=64)
    i, j, d = index.self_pairs(radius=4)       # i < j, d <= 4
    q, j, d = index.query(variant_codes, radius=2)
"""

from __future__ import annotations

import numpy as np

from fo_lite.brain.hashes import hamming, popcount

__all__ = ["BandIndex", "exact_buckets"]

#: the longest band a direct-address table is built for (16 M buckets, 64 MiB of offsets)
MAX_BAND_BITS = 24
#: the shortest band worth a table (below it, per-lookup hits grow faster than tables shrink)
MIN_BAND_BITS = 12
#: pairs checked per step, to bound memory while expanding lookups
_CHUNK_PAIRS = 1 << 22
#: queries looked up together
_CHUNK_QUERIES = 1 << 18


def exact_buckets(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(unique codes, bucket of each row, rows per bucket)``; buckets sorted by code."""
    n, words = codes.shape
    if n == 0:
        return codes, np.empty(0, np.int64), np.empty(0, np.int64)
    # a lexicographic sort of the rows (numpy.unique(axis=0) is several times slower)
    order = np.lexsort(codes.T[::-1]) if words > 1 else np.argsort(codes[:, 0], kind="stable")
    ordered = codes[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    bucket_sorted = np.cumsum(new) - 1
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = bucket_sorted
    return ordered[new], inverse, np.bincount(bucket_sorted).astype(np.int64)


def _band_bounds(bits: int, bands: int) -> list[tuple[int, int]]:
    base, extra = divmod(bits, bands)
    bounds, start = [], 0
    for k in range(bands):
        length = base + (1 if k < extra else 0)
        bounds.append((start, length))
        start += length
    return bounds


def _band_key(codes: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits ``[start, start+length)`` of each packed row (first bit most significant), as int64.

    Two passes over the rows at most (a shift, an in-place mask), and a free view as int64:
    with millions of queries this is memory traffic, not arithmetic.
    """
    word, off = divmod(start, 64)
    mask = np.uint64((1 << length) - 1)
    if off + length <= 64:
        key = codes[:, word] >> np.uint64(64 - off - length)
    else:  # the band spans two words: the low bits of one, the high bits of the next
        low_len = length - (64 - off)
        key = codes[:, word] << np.uint64(low_len)
        key |= codes[:, word + 1] >> np.uint64(64 - low_len)
    key &= mask
    return key.view(np.int64)


class BandIndex:
    """A multi-index over packed codes for Hamming-radius queries (see the module docstring).

    Bands are about ``log2(n) + 5`` bits long (within [MIN_BAND_BITS, MAX_BAND_BITS]): long
    enough that a lookup rarely meets an unrelated code, short enough that the tables stay
    small for small collections. There are at least ``(max_radius + 1) / 2`` bands, so a query
    of radius ``max_radius`` needs one-bit flips at most.
    """

    def __init__(self, codes: np.ndarray, bits: int, max_radius: int = 4) -> None:
        if codes.ndim != 2 or codes.dtype != np.uint64:
            raise TypeError("codes must be a 2-D uint64 array (rows of packed hash words)")
        self.codes = codes
        self.bits = int(bits)
        self.max_radius = int(max_radius)
        n = len(codes)
        length = int(np.clip(np.ceil(np.log2(max(n, 2))) + 5, MIN_BAND_BITS, MAX_BAND_BITS))
        bands = max(-(-self.bits // length), -(-(self.max_radius + 1) // 2), 1)
        bands = min(bands, self.bits)
        self.bounds = _band_bounds(self.bits, bands)
        self._occupied: list[np.ndarray] = []
        self._starts: list[np.ndarray] = []
        self._order: list[np.ndarray] = []
        index_type = np.int64 if n > 2**31 - 1 else np.int32
        for start, length in self.bounds:
            keys = _band_key(codes, start, length)
            counts = np.bincount(keys, minlength=1 << length)
            starts = np.concatenate([[0], np.cumsum(counts)]).astype(index_type)
            # most lookups miss: a bool table (an eighth of the offsets' size, so it mostly
            # stays in cache) answers those before the offsets are read
            self._occupied.append(counts > 0)
            self._starts.append(starts)
            self._order.append(np.argsort(keys, kind="stable").astype(index_type))

    def __len__(self) -> int:
        return len(self.codes)

    def _flips_needed(self, radius: int) -> int:
        flips = radius // len(self.bounds)
        if flips > 1:
            raise ValueError(
                f"radius {radius} needs more bands than this index has ({len(self.bounds)}); "
                f"build it with max_radius >= {radius}"
            )
        return flips

    def query(
        self, queries: np.ndarray, radius: int, _self_join: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All ``(query row, index row, distance)`` with Hamming distance <= ``radius``.

        Each pair appears once (see :meth:`self_pairs` for the index against itself).
        Queries go in chunks of :data:`_CHUNK_QUERIES` rows, so the keys of a chunk stay in
        cache while every band looks them up.
        """
        flips = self._flips_needed(radius)
        qs, js, ds = [], [], []
        for first in range(0, len(queries), _CHUNK_QUERIES):
            chunk = queries[first : first + _CHUNK_QUERIES]
            for q, j, d in self._query_chunk(chunk, radius, flips, _self_join, first):
                qs.append(q)
                js.append(j)
                ds.append(d)
        if not qs:
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        # within one band the lookups are disjoint (the band values are equal, or differ in
        # exactly one given bit), and _found_earlier drops repeats across bands
        return np.concatenate(qs), np.concatenate(js), np.concatenate(ds)

    def _query_chunk(self, queries, radius, flips, self_join, offset):
        for band, (start, length) in enumerate(self.bounds):
            qkeys = _band_key(queries, start, length)
            patterns = [0] + ([1 << t for t in range(length)] if flips else [])
            for pattern in patterns:
                rows = None
                if self_join and pattern:
                    # two rows one bit apart in this band are found from the row whose bit
                    # is 0 only: half the lookups, and no pair twice
                    rows = np.flatnonzero((qkeys & pattern) == 0)
                keys = qkeys ^ pattern if rows is None else qkeys[rows] ^ pattern
                for q, j in self._lookup(band, keys):
                    if rows is not None:
                        q = rows[q]
                    elif self_join:  # equal band values: found from both rows, keep one
                        keep = q + offset < j
                        q, j = q[keep], j[keep]
                    d = hamming(queries[q], self.codes[j])
                    keep = d <= radius
                    # the same pair is found through several bands; count it in the first
                    # band where it is within `flips` bits only
                    if band and keep.any():
                        keep &= ~self._found_earlier(queries[q], self.codes[j], band, flips)
                    yield q[keep] + offset, j[keep], d[keep]

    def _found_earlier(self, a: np.ndarray, b: np.ndarray, band: int, flips: int) -> np.ndarray:
        found = np.zeros(len(a), dtype=bool)
        for start, length in self.bounds[:band]:
            diff = _band_key(a, start, length) ^ _band_key(b, start, length)
            found |= popcount(diff.astype(np.uint64)) <= flips
        return found

    def _lookup(self, band: int, keys: np.ndarray):
        """Yield ``(query rows, index rows)`` in chunks for exact band-value lookups."""
        hit = np.flatnonzero(self._occupied[band][keys])
        if len(hit) == 0:
            return
        starts = self._starts[band]
        keys = keys[hit]
        lo = starts[keys].astype(np.int64)
        counts = starts[keys + 1] - lo
        order = self._order[band]
        ends = np.cumsum(counts)
        first = 0
        while first < len(hit):
            # as many queries as keep this chunk under _CHUNK_PAIRS pairs (at least one)
            limit = (ends[first - 1] if first else 0) + _CHUNK_PAIRS
            last = max(int(np.searchsorted(ends, limit, side="right")), first + 1)
            c = counts[first:last]
            total = int(c.sum())
            q = np.repeat(hit[first:last], c)
            offsets = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
            j = order[np.repeat(lo[first:last], c) + offsets].astype(np.int64)
            yield q.astype(np.int64), j
            first = last

    def self_pairs(self, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All pairs ``(i, j, distance)`` of indexed rows with ``i < j`` and distance <= radius."""
        q, j, d = self.query(self.codes, radius, _self_join=True)
        return np.minimum(q, j), np.maximum(q, j), d
