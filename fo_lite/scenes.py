"""Random scenes for near-duplicate trees: photo-like images that differ from one another.

A scene is a smooth background (a two-colour gradient at a random angle plus a few random
low-frequency waves) with three to six shapes (ellipses, boxes, triangles, thick lines) of
random colours, sizes and places. Its numbers come from one row of :func:`scene_table`, so a
scene draws the same at any size: :func:`draw_scene` renders it at 32x32 for the small trees
and at 640x480 (with a fine grain, as a photo has) for the large one.

Unlike the walkthrough's stand-in classes (a red circle is much like another red circle), two
scenes almost never look alike; :mod:`fo_lite.neartree` measures the smallest distance between
any two and redraws the few that come too close.

Example::

    table = scene_table(np.random.default_rng(0), 4)
    img = draw_scene(table[0], (32, 32))
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["SCENE_KINDS", "draw_scene", "scene_kind", "scene_table"]

#: what the largest shape of a scene is; the tree's folder (label) of that scene
SCENE_KINDS = ("ellipse", "box", "triangle", "line")

_MAX_SHAPES = 6
_WAVES = 3
# table layout: background (2 colours, angle), waves (freq x, freq y, phase, amplitude) x3,
# shape count, then per shape: kind, cx, cy, rx, ry, angle, r, g, b
_BG = 7
_WAVE = 4
_SHAPE = 9
_COLS = _BG + _WAVES * _WAVE + 1 + _MAX_SHAPES * _SHAPE


def scene_table(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` scenes' random numbers, one row each (float64; see :func:`draw_scene`)."""
    t = np.empty((n, _COLS))
    t[:, 0:6] = rng.integers(0, 256, (n, 6))  # gradient colours
    t[:, 6] = rng.random(n) * 2 * np.pi  # gradient angle
    w = t[:, _BG : _BG + _WAVES * _WAVE].reshape(n, _WAVES, _WAVE)
    w[..., 0:2] = rng.uniform(-3.5, 3.5, (n, _WAVES, 2))  # cycles per image, x and y
    w[..., 2] = rng.random((n, _WAVES)) * 2 * np.pi
    w[..., 3] = rng.uniform(10, 40, (n, _WAVES))
    base = _BG + _WAVES * _WAVE
    t[:, base] = rng.integers(3, _MAX_SHAPES + 1, n)
    s = t[:, base + 1 :].reshape(n, _MAX_SHAPES, _SHAPE)
    s[..., 0] = rng.integers(0, len(SCENE_KINDS), (n, _MAX_SHAPES))
    s[..., 1:3] = rng.random((n, _MAX_SHAPES, 2))  # centre, 0..1
    s[..., 3:5] = rng.uniform(0.08, 0.35, (n, _MAX_SHAPES, 2))  # half sizes, 0..1
    s[..., 5] = rng.random((n, _MAX_SHAPES)) * np.pi
    s[..., 6:9] = rng.integers(0, 256, (n, _MAX_SHAPES, 3))
    # the first shape is the largest: it names the scene's kind
    s[:, 0, 3:5] = rng.uniform(0.25, 0.4, (n, 2))
    return t


def scene_kind(row: np.ndarray) -> str:
    """The kind of a scene's largest shape (its label in a generated tree)."""
    return SCENE_KINDS[int(row[_BG + _WAVES * _WAVE + 1])]


def _background(row: np.ndarray, w: int, h: int) -> np.ndarray:
    # every term is separable in x and y: sums and products of 1-D vectors, no 2-D trig
    u = (np.arange(w, dtype=np.float32) + 0.5) / w
    v = (np.arange(h, dtype=np.float32) + 0.5) / h
    a = row[6]
    g = (((u - 0.5) * np.cos(a))[None, :] + ((v - 0.5) * np.sin(a))[:, None]) / 1.42 + 0.5
    c0 = np.asarray(row[0:3], np.float32)
    c1 = np.asarray(row[3:6], np.float32)
    tex = np.zeros((h, w), np.float32)
    waves = row[_BG : _BG + _WAVES * _WAVE].reshape(_WAVES, _WAVE)
    for fx, fy, phase, amp in waves:
        ax = np.float32(2 * np.pi * fx) * u + np.float32(phase)
        by = np.float32(2 * np.pi * fy) * v
        # cos(ax + by) = cos ax cos by - sin ax sin by
        tex += np.float32(amp) * (
            np.cos(by)[:, None] * np.cos(ax)[None, :] - np.sin(by)[:, None] * np.sin(ax)[None, :]
        )
    return c0 + (c1 - c0) * g[..., None] + tex[..., None]


def _shape(d: ImageDraw.ImageDraw, w: int, h: int, p: np.ndarray) -> None:
    kind, cx, cy, rx, ry, angle = int(p[0]), p[1] * w, p[2] * h, p[3] * w, p[4] * h, p[5]
    fill = tuple(int(c) for c in p[6:9])
    if SCENE_KINDS[kind] == "ellipse":
        d.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=fill)
        return
    ca, sa = np.cos(angle), np.sin(angle)
    if SCENE_KINDS[kind] == "box":
        pts = [(-rx, -ry), (rx, -ry), (rx, ry), (-rx, ry)]
    elif SCENE_KINDS[kind] == "triangle":
        pts = [(0.0, -ry), (rx, ry), (-rx, ry)]
    else:  # a thick line
        t = max(ry * 0.25, 1.0)
        pts = [(-rx, -t), (rx, -t), (rx, t), (-rx, t)]
    d.polygon([(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in pts], fill=fill)


def draw_scene(
    row: np.ndarray, size: tuple[int, int] = (32, 32), grain: float | None = None
) -> Image.Image:
    """Render one scene (a row of :func:`scene_table`) as an RGB image of ``size`` (w, h).

    Small sizes are drawn at twice the size and halved, for smooth edges. ``grain`` adds
    Gaussian noise of that standard deviation (seeded by the scene), as film or a sensor
    would; by default images wider than 128 px get a grain of 4 levels.
    """
    w, h = size
    ss = 2 if max(w, h) <= 256 else 1
    bg = _background(row, w * ss, h * ss)
    img = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    base = _BG + _WAVES * _WAVE
    shapes = row[base + 1 :].reshape(_MAX_SHAPES, _SHAPE)
    for p in shapes[: int(row[base])]:
        _shape(d, w * ss, h * ss, p)
    if ss > 1:
        img = img.reduce(ss)
    if grain is None:
        grain = 4.0 if w > 128 else 0.0
    if grain > 0:
        seed = int(abs(float(row[:12].sum())) * 1e6) % (2**32)
        noise = np.random.default_rng(seed).normal(0, grain, (h, w, 1)).astype(np.float32)
        arr = np.asarray(img, np.float32) + noise
        img = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")
    return img
