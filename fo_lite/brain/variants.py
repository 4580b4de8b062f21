"""pHashes of cropped variants of every thumbnail, for finding crops of one image in another.

A copy cropped by a few pixels per side and resized back has a pHash 10-20 bits away from its
original's: no radius that keeps precision finds it. But the original, cropped the same way,
hashes within a bit or two of the copy. So each thumbnail is hashed once as it is and once per
crop of the grid :data:`fo_lite.brain.align.CROPS` x ``CROPS`` (99 variants: every pair of a
horizontal and a vertical crop, one of them possibly none), and a variant of image i that lands
near the plain hash of image j says "j may be i, cropped".

The variants come from the thumbnail's lowest 12 x 12 DCT coefficients: cropping and resizing
is linear, so each variant's 8 x 8 low frequencies are ``M_y @ Z @ M_x.T`` with small fixed
matrices; for a batch, two matrix products. It is an approximation of hashing the cropped
thumbnail (the frequencies above 12 are dropped), good to a bit or two, which is what a
candidate search needs; the pixel check decides.

Example::

    codes, crops = variant_codes(thumbs)    # (n, 99) uint64, crops[k] = ((l, r), (t, b))
"""

from __future__ import annotations

import functools
import sys

import numpy as np

from fo_lite.brain.align import CROPS, resample_matrix
from fo_lite.brain.hashes import dct_matrix

__all__ = ["VARIANTS", "plain_codes", "variant_codes"]

_K = 20  # low DCT coefficients kept per axis
_H = 8  # hash side: 64-bit codes

#: the (horizontal crop, vertical crop) of each variant, in the order of variant_codes' columns
VARIANTS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = tuple(
    (cx, cy) for cy in CROPS for cx in CROPS
)


@functools.cache
def _matrices(side: int) -> tuple[np.ndarray, np.ndarray]:
    """``(Dk, M)``: the k x side DCT rows, and M stacking ``D8 @ R(crop) @ pinv(Dk)`` per crop."""
    dk = dct_matrix(_K, side)
    d8 = dct_matrix(_H, side)
    pinv = np.linalg.pinv(dk)  # side x k: low frequencies back to pixels
    scale = side / 32  # CROPS are in 1/32 of the side
    m = np.concatenate(
        [
            d8 @ resample_matrix(side, side, lo * scale, hi * scale).astype(np.float64) @ pinv
            for lo, hi in CROPS
        ]
    )
    return dk.astype(np.float32), m.astype(np.float32)


def plain_codes(thumbs: np.ndarray) -> np.ndarray:
    """The internal code of each ``(n, s, s)`` thumbnail as it is (variant 0), uint64."""
    return _codes(thumbs, plain_only=True)[:, 0]


def variant_codes(thumbs: np.ndarray) -> np.ndarray:
    """``(n, len(VARIANTS))`` uint64: each variant's code; column 0 (no crop) is the plain one."""
    return _codes(thumbs, plain_only=False)


def _pack8(bits: np.ndarray) -> np.ndarray:
    """Pack the last axis (8 bools, first most significant) into a byte; 5x numpy.packbits."""
    if sys.byteorder != "little":
        return np.packbits(bits, axis=-1)[..., 0]
    x = np.ascontiguousarray(bits).view(np.uint64)[..., 0]
    # byte k of x holds bit k (0 or 1); the product moves bit k to bit 63 - k, no carries
    return ((x * np.uint64(0x8040201008040201)) >> np.uint64(56)).astype(np.uint8)


def _codes(thumbs: np.ndarray, plain_only: bool, chunk: int = 1024) -> np.ndarray:
    n, side, _ = thumbs.shape
    dk, m = _matrices(side)
    nc = 1 if plain_only else len(CROPS)
    m = m[: nc * _H]
    mt = np.ascontiguousarray(m.T)
    out = np.empty((n, nc * nc), dtype=np.uint64)
    for start in range(0, n, chunk):
        x = thumbs[start : start + chunk].astype(np.float32)
        b = len(x)
        # stacked small products, one per image: each stays under the size at which a BLAS
        # library starts threads (which only slows them down when the workers fill the cores)
        z = dk @ x @ dk.T  # (b, K, K) low frequencies
        full = m @ (z @ mt)  # (b, nc*8, nc*8): rows (cy, i), columns (cx, j)
        bits = full.reshape(b, nc, _H, nc, _H) > 0
        packed = _pack8(bits)  # (b, cy, i, cx): one byte per row i of a variant's 8 x 8 bits
        words = np.ascontiguousarray(packed.transpose(0, 1, 3, 2)).view(">u8")
        out[start : start + b] = words.reshape(b, nc * nc)
    return out
