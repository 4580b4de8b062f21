"""The multi-index finds exactly the pairs an all-pairs comparison finds; union-find groups."""

from __future__ import annotations

import numpy as np
import pytest

from fo_lite.brain import groups as fog
from fo_lite.brain.candidates import BandIndex, exact_buckets
from fo_lite.brain.hashes import hamming


def _codes_with_planted_pairs(n: int, words: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**63, (n, words), dtype=np.int64).astype(np.uint64)
    codes ^= rng.integers(0, 2, (n, words)).astype(np.uint64) << np.uint64(63)
    bits = 64 * words
    for k in range(0, n // 3, 2):  # a third of the rows: pairs 0..8 bits apart, some equal
        flip = rng.choice(bits, size=int(rng.integers(0, 9)), replace=False)
        codes[k + 1] = codes[k]
        for b in flip.tolist():
            codes[k + 1, b // 64] ^= np.uint64(1 << (63 - b % 64))
    return codes


def _brute(codes: np.ndarray, radius: int) -> set[tuple[int, int]]:
    d = hamming(codes[:, None, :], codes[None, :, :])
    i, j = np.nonzero(np.triu(d <= radius, 1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


@pytest.mark.parametrize("words", [1, 4])
@pytest.mark.parametrize("radius", [0, 1, 2, 3, 4, 6])
def test_self_pairs_equal_all_pairs(words, radius):
    codes = _codes_with_planted_pairs(600, words, seed=radius + 10 * words)
    index = BandIndex(codes, 64 * words, max_radius=max(radius, 1))
    i, j, d = index.self_pairs(radius)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(got) == len(set(got)), "a pair was reported twice"
    assert set(got) == _brute(codes, radius)
    assert (i < j).all()
    np.testing.assert_array_equal(d, hamming(codes[i], codes[j]))


def test_query_of_other_codes_equals_all_pairs():
    rng = np.random.default_rng(5)
    codes = _codes_with_planted_pairs(400, 1, seed=1)
    queries = codes[rng.integers(0, 400, 300)].copy()
    for k in range(0, 300, 3):  # move some queries a bit or two away
        queries[k, 0] ^= np.uint64(1 << int(rng.integers(0, 64)))
    q, j, d = BandIndex(codes, 64, max_radius=2).query(queries, 2)
    dist = hamming(queries[:, None, :], codes[None, :, :])
    want = set(zip(*np.nonzero(dist <= 2), strict=True))
    got = list(zip(q.tolist(), j.tolist(), strict=True))
    assert len(got) == len(set(got)) and set(got) == {(int(a), int(b)) for a, b in want}


def test_radius_beyond_the_index_is_refused():
    codes = _codes_with_planted_pairs(50, 1, seed=2)
    index = BandIndex(codes, 64, max_radius=2)
    with pytest.raises(ValueError, match="max_radius"):
        index.self_pairs(12)


def test_exact_buckets():
    codes = np.array([[5], [3], [5], [9], [3], [5]], dtype=np.uint64)
    uniq, bucket, counts = exact_buckets(codes)
    assert uniq[:, 0].tolist() == [3, 5, 9]
    assert bucket.tolist() == [1, 0, 1, 2, 0, 1]
    assert counts.tolist() == [2, 3, 1]
    two = np.array([[1, 2], [1, 1], [1, 2]], dtype=np.uint64)
    uniq, bucket, counts = exact_buckets(two)
    assert uniq.tolist() == [[1, 1], [1, 2]] and bucket.tolist() == [1, 0, 1]


def _naive_components(n, a, b):
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in zip(a, b, strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return [min(i for i in range(n) if find(i) == find(k)) for k in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_components_equal_naive_union_find_and_ignore_pair_order(seed):
    rng = np.random.default_rng(seed)
    n = 200
    a = rng.integers(0, n, 150)
    b = rng.integers(0, n, 150)
    labels = fog.components(n, a, b)
    assert labels.tolist() == _naive_components(n, a.tolist(), b.tolist())
    perm = rng.permutation(150)
    np.testing.assert_array_equal(fog.components(n, b[perm], a[perm]), labels)


def test_group_members_and_bottleneck_distances():
    labels = fog.components(7, np.array([0, 1, 4]), np.array([1, 2, 5]))
    members = fog.group_members(labels)
    assert [m.tolist() for m in members] == [[0, 1, 2], [4, 5]]
    # chain 0 -0.1- 1 -0.3- 2, and a direct 0 -0.5- 2: the bottleneck to 2 is 0.3
    a, b, d = np.array([0, 1, 0]), np.array([1, 2, 2]), np.array([0.1, 0.3, 0.5])
    best = fog.bottleneck_distances(0, np.array([0, 1, 2]), a, b, d)
    assert best == pytest.approx({0: 0.0, 1: 0.1, 2: 0.3})
    assert fog.bottleneck_distances(2, np.array([0, 1, 2]), a, b, d)[0] == pytest.approx(0.3)
