"""Perceptual hashes of whole batches at once: aHash, dHash and pHash as array operations.

The definitions are imagehash's (``average_hash``, ``dhash``, ``phash``), applied to grayscale
pixels already resized by :mod:`fo_lite.brain.decode`:

- **aHash** (``hash_size`` h): an h x h Lanczos thumbnail; a bit per pixel, set where the pixel
  is brighter than the thumbnail's mean.
- **dHash**: an (h+1) x h thumbnail (h+1 wide); a bit per pair of horizontal neighbours, set
  where the right one is brighter.
- **pHash**: a 4h x 4h thumbnail; its 2-D DCT-II (unnormalized, as ``scipy.fftpack.dct`` along
  rows then columns); a bit per coefficient of the h x h lowest frequencies, set where it is
  above their median. The DCT of the whole batch is two matrix products, ``D @ X @ D.T`` with
  the h x 4h cosine matrix ``D`` (no scipy).

Bits are read row by row, the first bit most significant, so :func:`to_hex` gives the same
string as ``str(imagehash.phash(img))``. In memory a hash is a row of uint64 words (bits left
aligned, zero padded), compared with :func:`hamming`.

Example::

    bits = phash_bits(thumbs)            # (n, 64) bool
    codes = pack_bits(bits)              # (n, 1) uint64
    to_hex(bits)[0]                      # 'c3d4...' (16 hex digits)
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "METHODS",
    "ahash_bits",
    "dct_matrix",
    "dhash_bits",
    "hamming",
    "hash_bits",
    "input_size",
    "pack_bits",
    "phash_bits",
    "popcount",
    "to_hex",
]

#: the perceptual hash methods, by name
METHODS = ("phash", "dhash", "ahash")


def check_method(method: object, hash_size: object) -> tuple[str, int]:
    """Validate ``method`` and ``hash_size``; return them normalized (lowercase name, int)."""
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"unknown perceptual hash method {method!r}; choose one of {METHODS}")
    if isinstance(hash_size, bool) or not isinstance(hash_size, (int, np.integer)):
        raise TypeError(f"hash_size must be an int, got {hash_size!r}")
    if not 2 <= hash_size <= 32:
        raise ValueError(f"hash_size must be in [2, 32] (8 gives 64-bit hashes), got {hash_size}")
    return method.lower(), int(hash_size)


def input_size(method: str, hash_size: int) -> tuple[int, int]:
    """The ``(width, height)`` of the grayscale thumbnail ``method`` hashes."""
    if method == "phash":
        return (4 * hash_size, 4 * hash_size)
    if method == "dhash":
        return (hash_size + 1, hash_size)
    return (hash_size, hash_size)


@functools.cache
def dct_matrix(k: int, n: int) -> np.ndarray:
    """The first ``k`` rows of the unnormalized n-point DCT-II: ``2 cos(pi i (2j+1) / 2n)``.

    ``dct_matrix(k, n) @ x`` equals ``scipy.fftpack.dct(x, axis=0)[:k]``.
    """
    i = np.arange(k, dtype=np.float64)[:, None]
    j = np.arange(n, dtype=np.float64)[None, :]
    m = 2.0 * np.cos(np.pi * i * (2 * j + 1) / (2 * n))
    m.flags.writeable = False
    return m


def phash_bits(pixels: np.ndarray, hash_size: int = 8) -> np.ndarray:
    """pHash bits of a batch of ``(n, 4h, 4h)`` grayscale thumbnails: ``(n, h*h)`` bool."""
    n, rows, cols = pixels.shape
    d_rows = dct_matrix(hash_size, rows)
    d_cols = dct_matrix(hash_size, cols)
    x = pixels.astype(np.float64, copy=False)
    low = d_rows @ x @ d_cols.T  # (n, h, h): rows are vertical frequencies, as dct(axis=0)
    low = low.reshape(n, -1)
    return low > _median(low)


def ahash_bits(pixels: np.ndarray) -> np.ndarray:
    """aHash bits of ``(n, h, h)`` thumbnails: ``(n, h*h)`` bool."""
    flat = pixels.reshape(len(pixels), -1)
    return flat > flat.mean(axis=1, keepdims=True)


def dhash_bits(pixels: np.ndarray) -> np.ndarray:
    """dHash bits of ``(n, h, h+1)`` thumbnails (h+1 wide): ``(n, h*h)`` bool."""
    return (pixels[:, :, 1:] > pixels[:, :, :-1]).reshape(len(pixels), -1)


def hash_bits(method: str, pixels: np.ndarray, hash_size: int) -> np.ndarray:
    """The bits of ``method`` for thumbnails of :func:`input_size` ``(method, hash_size)``."""
    if method == "phash":
        return phash_bits(pixels, hash_size)
    if method == "dhash":
        return dhash_bits(pixels)
    return ahash_bits(pixels)


def _median(values: np.ndarray) -> np.ndarray:
    """Row medians as ``numpy.median`` computes them (mean of the two middle values)."""
    k = values.shape[1]
    part = np.partition(values, ((k - 1) // 2, k // 2), axis=1)
    return (part[:, (k - 1) // 2] + part[:, k // 2])[:, None] / 2.0


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """``(n, b)`` bool -> ``(n, ceil(b/64))`` uint64, first bit most significant, zero padded."""
    n, b = bits.shape
    words = -(-b // 64)
    padded = np.zeros((n, words * 64), dtype=bool)
    padded[:, :b] = bits
    return np.packbits(padded, axis=1).view(">u8").astype(np.uint64).reshape(n, words)


def to_hex(bits: np.ndarray) -> list[str]:
    """imagehash's hex string of each row of bits (``ceil(b/4)`` lowercase hex digits)."""
    n, b = bits.shape
    if b % 4 == 0:
        packed = np.packbits(bits, axis=1)
        width = b // 4
        return [row.tobytes().hex()[:width] for row in packed]
    width = -(-b // 4)
    return [format(int("".join("1" if v else "0" for v in row), 2), f"0{width}x") for row in bits]


def from_hex(values: list[str], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse hex strings of ``bits``-bit hashes back to packed codes: ``(codes, valid)``.

    A None, or a string that is not a hash of that length, gives a zero row and valid False.
    """
    n = len(values)
    width = -(-bits // 4)
    out = np.zeros((n, bits), dtype=bool)
    valid = np.zeros(n, dtype=bool)
    for k, v in enumerate(values):
        if not isinstance(v, str) or len(v) != width:
            continue
        try:
            as_int = int(v, 16)
        except ValueError:
            continue
        if as_int >> bits:
            continue
        row = format(as_int, f"0{bits}b")
        out[k] = np.frombuffer(row.encode("ascii"), dtype=np.uint8) == ord("1")
        valid[k] = True
    return pack_bits(out), valid


if hasattr(np, "bitwise_count"):

    def popcount(words: np.ndarray) -> np.ndarray:
        """Set bits in each uint64 (numpy's ``bitwise_count``), as uint8."""
        return np.bitwise_count(words)

else:  # numpy < 2.0

    def popcount(words: np.ndarray) -> np.ndarray:
        """Set bits in each uint64 (SWAR), as uint8."""
        x = words.astype(np.uint64, copy=True)
        x -= (x >> np.uint64(1)) & np.uint64(0x5555555555555555)
        x = (x & np.uint64(0x3333333333333333)) + (
            (x >> np.uint64(2)) & np.uint64(0x3333333333333333)
        )
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return ((x * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.uint8)


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances between rows of packed codes ``a`` and ``b`` (broadcast), as int."""
    return popcount(np.bitwise_xor(a, b)).sum(axis=-1, dtype=np.int64)
