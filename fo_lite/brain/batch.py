"""The work one executor task does for a run of files: decode, then hash in one batch.

:func:`hash_chunk` is what :func:`fo_lite.brain.compute_perceptual_hashes` and
:func:`fo_lite.brain.compute_near_duplicates` submit, chunk by chunk, to a thread pool, a
process pool or a Dask client's ``get_executor()``: it is a plain module-level function of
picklable arguments returning a :class:`ChunkResult` of numpy arrays, so every worker does the
decoding and the matrix products, and the caller only stitches the chunks together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fo_lite.brain import hashes
from fo_lite.brain.decode import THUMB, decode_chunk
from fo_lite.brain.variants import variant_codes

__all__ = ["ChunkResult", "hash_chunk"]


@dataclass
class ChunkResult:
    """One chunk's results, rows in input order starting at ``start`` (from
    :func:`fo_lite.brain.runner.run`: every file's, from 0).

    ``bits``: ``(n, b)`` bool, the perceptual hash asked for; ``variants``: ``(n, 100)``
    uint64 codes of the cropped variants (column 0 uncropped), only when asked for; the other
    fields are those of :class:`fo_lite.brain.decode.Decoded`.
    """

    start: int
    ok: np.ndarray
    file_hashes: list[str | None]
    bits: np.ndarray
    thumbs: np.ndarray | None
    variants: np.ndarray | None
    stds: np.ndarray
    colours: np.ndarray
    failed: list[tuple[int, str, str]]


def hash_chunk(
    paths: Sequence[str],
    start: int,
    method: str,
    hash_size: int,
    near: bool,
) -> ChunkResult:
    """Decode ``paths`` and hash them with ``method``; with ``near``, also keep the thumbnails
    and compute the crop variants the near-duplicate search needs."""
    size = hashes.input_size(method, hash_size)
    extra = () if size == (THUMB, THUMB) else (size,)
    dec = decode_chunk(paths, start, extra)
    pixels = dec.thumbs if not extra else dec.extra[size]
    bits = hashes.hash_bits(method, pixels, hash_size)
    return ChunkResult(
        start=start,
        ok=dec.ok,
        file_hashes=dec.file_hashes,
        bits=bits,
        thumbs=dec.thumbs if near else None,
        variants=variant_codes(dec.thumbs) if near else None,
        stds=dec.stds,
        colours=dec.colours,
        failed=dec.failed,
    )
