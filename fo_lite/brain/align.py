"""Crops and resizes as matrices, so a batch of thumbnails is warped by two matrix products.

A crop of ``lo`` pixels at the start of an axis and ``hi`` at its end, resized back to ``n_out``
pixels, is linear in the pixels: ``resample_matrix(n_in, n_out, lo, hi) @ column``. Rows then
columns give ``R_y @ X @ R_x.T`` for a whole image; with a leading batch axis, for thousands at
once. The filter is a triangle widened by the scale factor when shrinking (Pillow's antialiased
bilinear), so the same matrices serve for enlarging a crop and for shrinking to 16x16.

:data:`CROPS` is the grid of crops the near-duplicate search tries per axis: no crop, and every
``(lo, hi)`` with 1 to 3 thirty-seconds of the side at each end (3% to 9%).

Example::

    ry = resample_matrix(32, 32, 2, 1)    # rows 2..30 of 32, stretched back to 32
    warped = ry @ thumbs @ resample_matrix(32, 32, 1, 3).T
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["CROPS", "resample_matrix"]

#: crops tried per axis, in 1/32 of the side at the (start, end): none, then 1-3 at each end
CROPS: tuple[tuple[int, int], ...] = ((0, 0),) + tuple(
    (lo, hi) for lo in (1, 2, 3) for hi in (1, 2, 3)
)


@functools.cache
def resample_matrix(n_in: int, n_out: int, lo: float = 0.0, hi: float = 0.0) -> np.ndarray:
    """``(n_out, n_in)`` float32 matrix: crop ``lo``/``hi`` input pixels, resize to ``n_out``.

    ``lo`` and ``hi`` may be fractional. Rows sum to 1 (a weighted mean of input pixels).
    """
    span = n_in - lo - hi
    if span <= 0:
        raise ValueError(f"a crop of {lo} + {hi} leaves nothing of {n_in} pixels")
    scale = span / n_out
    support = max(scale, 1.0)
    centres = lo + (np.arange(n_out) + 0.5) * scale  # output pixel centres in input coords
    x = np.arange(n_in) + 0.5  # input pixel centres
    w = np.clip(1.0 - np.abs(x[None, :] - centres[:, None]) / support, 0.0, None)
    empty = w.sum(axis=1) == 0
    if empty.any():  # cannot happen for crops inside the image; nearest pixel as a guard
        w[empty, np.clip(np.floor(centres[empty]).astype(int), 0, n_in - 1)] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    m = w.astype(np.float32)
    m.flags.writeable = False
    return m
