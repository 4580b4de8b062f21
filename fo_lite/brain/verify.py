"""The pixel check: how far apart two images really are, whatever their hashes say.

For a candidate pair ``(a, b)`` and a crop of ``a`` to try (from the variant that found the
pair, or none), both thumbnails are reduced to 16 x 16 grayscale (``a`` cropped first), and
their distance is ``sqrt((1 - r) / 2)`` with ``r`` the correlation of the 256 pixels: 0 for
the same picture up to brightness and contrast, about 0.7 for unrelated pictures, 1 for a
negative. Correlation divides out brightness and contrast, so a brightened copy is close; the
crop undoes a crop; the reduction to 16 x 16 forgives JPEG noise and a resize's blur. A small
search then tries the crops next to the given one, and the pair keeps its smallest distance.

Flat images (one colour, a blank scan: thumbnail standard deviation under
:data:`fo_lite.brain.decode.FLAT_STD`) have no structure to correlate; two flat images are at
distance 0 when their mean colours differ by at most :data:`FLAT_TOLERANCE` levels in every
channel and at distance 1 otherwise, and a flat image is at distance 1 from any other.

Example::

    d = pair_distances(thumbs, a, b, crops)   # float32, one per pair
"""

from __future__ import annotations

import functools

import numpy as np

from fo_lite.brain.align import CROPS, resample_matrix
from fo_lite.brain.decode import FLAT_STD

__all__ = ["FLAT_TOLERANCE", "SIDE", "pair_distances"]

#: side of the grayscale images compared
SIDE = 16
#: largest difference of mean colour (per channel, in levels) for two flat images to match
FLAT_TOLERANCE = 3.0
_CHUNK = 8192


@functools.cache
def _stack(side_in: int) -> np.ndarray:
    """``(len(CROPS), SIDE, side_in)``: each crop of :data:`CROPS` then a reduction to SIDE."""
    scale = side_in / 32
    return np.stack([resample_matrix(side_in, SIDE, lo * scale, hi * scale) for lo, hi in CROPS])


def _neighbours() -> np.ndarray:
    """For each crop index: itself, then the crops one pixel more or less at either end."""
    index = {c: k for k, c in enumerate(CROPS)}
    out = []
    for lo, hi in CROPS:
        near = [(lo, hi)]
        for c in ((lo + 1, hi), (lo - 1, hi), (lo, hi + 1), (lo, hi - 1)):
            if c in index:
                near.append(c)
        if (lo, hi) in ((1, 1), (1, 2), (2, 1)):
            near.append((0, 0))  # a small crop may also be none
        out.append([index[c] for c in near])
    width = max(len(o) for o in out)
    return np.array([o + [-1] * (width - len(o)) for o in out])


_NEAR = _neighbours()


def _normalized(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(len(x), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    norm = np.sqrt((flat * flat).sum(axis=1, keepdims=True))
    return flat / np.maximum(norm, 1e-6)


def _warp(x: np.ndarray, ry: np.ndarray, rx: np.ndarray) -> np.ndarray:
    """``ry[k] @ x[k] @ rx[k].T`` for stacks (or one shared ``ry``/``rx``): small products."""
    return ry @ x @ np.swapaxes(rx, -1, -2)


def _distances(xa, zb, cx, cy, stack) -> np.ndarray:
    """Distance of each pair for the crop ``(cx[k], cy[k])`` of ``xa[k]`` against ``zb[k]``."""
    r = (_normalized(_warp(xa, stack[cy], stack[cx])) * zb).sum(axis=1)
    return np.sqrt(np.clip((1.0 - r) / 2.0, 0.0, 1.0)).astype(np.float32)


def _best_along(xa, zb, fixed, moving, stack, axis):
    """Try each neighbour of ``moving``'s crop on one axis; return the best crop and distance."""
    best_d = np.full(len(xa), np.inf, dtype=np.float32)
    best_c = moving.copy()
    for k in range(_NEAR.shape[1]):
        trial = _NEAR[moving, k]
        ok = np.flatnonzero(trial >= 0)
        if len(ok) == 0:
            continue
        cx, cy = (trial[ok], fixed[ok]) if axis == "x" else (fixed[ok], trial[ok])
        d = _distances(xa[ok], zb[ok], cx, cy, stack)
        better = d < best_d[ok]
        best_d[ok[better]] = d[better]
        best_c[ok[better]] = trial[ok[better]]
    return best_c, best_d


def pair_distances(
    thumbs: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    crops: np.ndarray | None = None,
    colours: np.ndarray | None = None,
    flat: np.ndarray | None = None,
) -> np.ndarray:
    """The distance of each pair ``(a[k], b[k])`` of thumbnails (float32, in [0, 1]).

    ``crops[k] = (cx, cy)``: indices into :data:`CROPS` of the horizontal and vertical crop of
    ``a[k]`` to start from (default: none); the search moves each one pixel at a time along
    one axis, then the other, and keeps the smallest distance. ``flat`` marks flat thumbnails
    (default: those whose standard deviation is under FLAT_STD); two flat images match when
    their ``colours`` (mean RGB) do, never when ``colours`` is not given.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    out = np.ones(len(a), dtype=np.float32)
    if len(a) == 0:
        return out
    if crops is None:
        crops = np.zeros((len(a), 2), dtype=np.int64)
    if flat is None:
        pixels = thumbs.reshape(len(thumbs), -1).astype(np.float32)
        flat = pixels.std(axis=1) < FLAT_STD
    fa, fb = flat[a], flat[b]
    both = fa & fb
    if both.any() and colours is not None:
        diff = np.abs(colours[a[both]] - colours[b[both]]).max(axis=1)
        out[both] = np.where(diff <= FLAT_TOLERANCE, 0.0, 1.0)
    textured = np.flatnonzero(~fa & ~fb)
    if len(textured) == 0:
        return out
    stack = _stack(thumbs.shape[1])
    for start in range(0, len(textured), _CHUNK):
        rows = textured[start : start + _CHUNK]
        xa = thumbs[a[rows]].astype(np.float32)
        zb = _normalized(_warp(thumbs[b[rows]].astype(np.float32), stack[0], stack[0]))
        cx, cy = crops[rows, 0].astype(np.int64), crops[rows, 1].astype(np.int64)
        cx, _ = _best_along(xa, zb, cy, cx, stack, "x")
        cy, d = _best_along(xa, zb, cx, cy, stack, "y")
        out[rows] = d
    return out
