"""The built-in stand-in for the walkthrough's data: drawn images in class folders.

:func:`make_image_classification_tree` writes ``<dataset_dir>/<label>/<i>.jpg`` for
``i = 0 .. size-1`` (the layout of the CIFAR-100 walkthrough data), then replaces about
``duplicate_fraction`` of the files by byte-identical copies of other samples' files. The images
are simple drawings a person tells apart at a glance, and each class is named after what it
shows (``red_circle``, ``mountain``, ``house``, ...). Every run with the same arguments writes the
same bytes (fixed JPEG quality, seeded random numbers), and no two non-duplicate files are equal.

The ground truth (which files are copies of which, and the counts the walkthrough prints) is
written beside the tree, never inside it: see :func:`fo_lite.treegen.read_manifest`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
import xxhash
from PIL import Image, ImageDraw

from fo_lite.treegen import TreeWriter, duplicate_plan

__all__ = ["STANDIN_CLASSES", "make_image_classification_tree", "draw_image"]

JPEG_QUALITY = 90
_SS = 2  # supersampling factor: draw at 2x, then reduce, for smooth edges


def _star(cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.42
        a = angle + k * np.pi / 5
        pts.append((cx + rad * np.sin(a), cy - rad * np.cos(a)))
    return pts


# Each drawer gets (draw, s, p): the canvas side s in pixels and a dict of per-image jitter
# p with "cx", "cy" (centre, 0..1), "r" (size, 0..1), "fg"/"bg" (RGB tuples), "a" (angle).
_Drawer = Callable[[ImageDraw.ImageDraw, int, dict], None]


def _circle(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.34
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p["fg"])


def _square(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.3
    d.rectangle((cx - r, cy - r, cx + r, cy + r), fill=p["fg"])


def _triangle(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.38
    d.polygon([(cx, cy - r), (cx + r, cy + r * 0.8), (cx - r, cy + r * 0.8)], fill=p["fg"])


def _starshape(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    d.polygon(_star(p["cx"] * s, p["cy"] * s, p["r"] * s * 0.42, p["a"]), fill=p["fg"])


def _diamond(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.38
    d.polygon([(cx, cy - r), (cx + r * 0.7, cy), (cx, cy + r), (cx - r * 0.7, cy)], fill=p["fg"])


def _cross(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.36
    w = r * 0.38
    d.rectangle((cx - r, cy - w, cx + r, cy + w), fill=p["fg"])
    d.rectangle((cx - w, cy - r, cx + w, cy + r), fill=p["fg"])


def _mountain(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    peak_x, peak_y = p["cx"] * s, (0.18 + 0.12 * p["cy"]) * s
    base = s * 0.85
    half = s * (0.38 + 0.12 * p["r"])
    d.polygon([(peak_x, peak_y), (peak_x + half, base), (peak_x - half, base)], fill=p["fg"])
    # snow cap: the top third of the same triangle
    t = 0.32
    sx, sy = half * t, peak_y + (base - peak_y) * t
    d.polygon([(peak_x, peak_y), (peak_x + sx, sy), (peak_x - sx, sy)], fill=(245, 245, 250))
    d.rectangle((0, base, s, s), fill=(70, 130, 60))


def _sunset(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    horizon = s * (0.55 + 0.1 * p["cy"])
    cx, r = p["cx"] * s, p["r"] * s * 0.26
    d.ellipse((cx - r, horizon - r, cx + r, horizon + r), fill=p["fg"])
    d.rectangle((0, horizon, s, s), fill=(30, 60, 140))


def _tree(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, r = p["cx"] * s, p["r"] * s * 0.28
    d.rectangle((cx - s * 0.06, s * 0.5, cx + s * 0.06, s * 0.9), fill=(110, 70, 30))
    cy = s * (0.32 + 0.08 * p["cy"])
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p["fg"])
    d.rectangle((0, s * 0.9, s, s), fill=(80, 150, 60))


def _house(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, (0.45 + 0.2 * p["cy"]) * s, p["r"] * s * 0.26
    d.rectangle((cx - r, cy - r * 0.2, cx + r, cy + r * 1.3), fill=p["fg"])
    d.polygon(
        [(cx - r * 1.3, cy - r * 0.2), (cx + r * 1.3, cy - r * 0.2), (cx, cy - r * 1.3)],
        fill=(180, 40, 40),
    )
    d.rectangle((cx - r * 0.25, cy + r * 0.5, cx + r * 0.25, cy + r * 1.3), fill=(90, 60, 30))


def _moon(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    cx, cy, r = p["cx"] * s, p["cy"] * s, p["r"] * s * 0.32
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p["fg"])
    o = r * 0.55
    d.ellipse((cx - r + o, cy - r - o * 0.3, cx + r + o, cy + r - o * 0.3), fill=p["bg"])


def _checkerboard(d: ImageDraw.ImageDraw, s: int, p: dict) -> None:
    n = 4
    step = s / n
    off = (p["cx"] - 0.5) * step
    for i in range(-1, n + 1):
        for j in range(-1, n + 1):
            if (i + j) % 2 == 0:
                x, y = i * step + off, j * step + off
                d.rectangle((x, y, x + step, y + step), fill=p["fg"])


# name -> (drawer, foreground RGB, background RGB, background is sky-like)
_CLASSES: dict[str, tuple[_Drawer, tuple[int, int, int], tuple[int, int, int]]] = {
    "red_circle": (_circle, (215, 35, 35), (235, 235, 225)),
    "blue_square": (_square, (35, 70, 210), (235, 235, 225)),
    "green_triangle": (_triangle, (30, 160, 50), (235, 235, 225)),
    "yellow_star": (_starshape, (250, 215, 30), (25, 30, 80)),
    "purple_diamond": (_diamond, (140, 50, 170), (230, 230, 210)),
    "orange_cross": (_cross, (245, 130, 20), (225, 235, 240)),
    "mountain": (_mountain, (120, 110, 105), (135, 190, 235)),
    "sunset": (_sunset, (255, 200, 40), (245, 120, 60)),
    "tree": (_tree, (40, 140, 45), (170, 215, 240)),
    "house": (_house, (225, 200, 150), (160, 205, 235)),
    "crescent_moon": (_moon, (245, 235, 170), (15, 20, 50)),
    "checkerboard": (_checkerboard, (20, 20, 20), (240, 240, 240)),
}

#: The built-in class names, each named after what its images show.
STANDIN_CLASSES: tuple[str, ...] = tuple(_CLASSES)


def draw_image(label: str, params: dict, image_size: int = 32) -> Image.Image:
    """Draw one stand-in image of class ``label`` with jitter ``params`` (see ``_jitter``).

    Example::

        img = draw_image("mountain", {"cx": .5, "cy": .5, "r": .5, "a": 0.0,
                                      "fg": (120, 110, 105), "bg": (135, 190, 235)})
    """
    drawer = _CLASSES[label][0]
    s = image_size * _SS
    img = Image.new("RGB", (s, s), params["bg"])
    drawer(ImageDraw.Draw(img), s, params)
    return img.reduce(_SS)


def _jitter_table(rng: np.random.Generator, n: int) -> np.ndarray:
    """All per-image random numbers at once: columns cx, cy, r, a, fg jitter x3, bg jitter x3."""
    u = rng.random((n, 10))
    u[:, 0] = 0.35 + 0.3 * u[:, 0]  # centre x
    u[:, 1] = 0.35 + 0.3 * u[:, 1]  # centre y
    u[:, 2] = 0.75 + 0.4 * u[:, 2]  # size
    u[:, 3] = u[:, 3] * 2 * np.pi / 5  # star angle
    u[:, 4:] = np.rint((u[:, 4:] - 0.5) * 50)  # colour jitter, -25..25
    return u


def _params(label: str, row: np.ndarray) -> dict:
    _, fg, bg = _CLASSES[label]
    fgj = tuple(int(min(255, max(0, c + j))) for c, j in zip(fg, row[4:7], strict=True))
    bgj = tuple(int(min(255, max(0, c + j))) for c, j in zip(bg, row[7:10], strict=True))
    return {"cx": row[0], "cy": row[1], "r": row[2], "a": row[3], "fg": fgj, "bg": bgj}


def _encode(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def make_image_classification_tree(
    dataset_dir: str,
    size: int = 1000,
    seed: int = 51,
    duplicate_fraction: float = 0.05,
    image_size: int = 32,
    classes: Sequence[str] | None = None,
    *,
    overwrite: bool = False,
) -> str:
    """Write the built-in stand-in tree ``<dataset_dir>/<label>/<i>.jpg`` and return its path.

    Labels are dealt round-robin over ``classes`` (all of :data:`STANDIN_CLASSES` by default,
    which include ``"mountain"``) and shuffled, so every class appears once ``size >= len(classes)``.
    Then ``round(duplicate_fraction * size)`` files are replaced by byte-identical copies of
    other samples' files (which may carry another label, as in the original walkthrough). The
    same arguments give the same bytes on every run. The tree is built in a hidden sibling folder
    and renamed into place; an existing non-empty ``dataset_dir`` is refused unless
    ``overwrite=True``. The ground truth goes beside the tree (:func:`fo_lite.treegen.read_manifest`).

    Example::

        root = make_image_classification_tree("/tmp/shapes", size=200, seed=0)
        counts = read_manifest(root)["counts"]  # {"samples": 200, "duplicates": 10, ...}
    """
    if classes is None:
        classes = STANDIN_CLASSES
    classes = list(classes)
    unknown = [c for c in classes if c not in _CLASSES]
    if unknown or not classes:
        raise ValueError(
            f"unknown stand-in classes {unknown}; choose from {list(STANDIN_CLASSES)}"
            if unknown
            else "classes must name at least one class"
        )
    if not isinstance(image_size, int) or image_size < 8:
        raise ValueError(f"image_size must be an int >= 8, got {image_size!r}")
    n = _check_size(size)
    rng = np.random.default_rng(seed)
    labels = [classes[i % len(classes)] for i in range(n)]
    order = rng.permutation(n)
    labels = [labels[k] for k in order]
    plan = duplicate_plan(n, duplicate_fraction, rng)
    table = _jitter_table(rng, n)

    def render(i: int) -> bytes:
        return _encode(draw_image(labels[i], _params(labels[i], table[i]), image_size))

    seen: set[bytes] = set()

    def render_unique(i: int) -> bytes:
        data = render(i)
        tries = 0
        while (h := xxhash.xxh3_128_digest(data)) in seen:
            # same drawing as another sample (rare at tiny sizes): nudge this one's jitter
            tries += 1
            table[i, 4:] = np.clip(table[i, 4:] + tries, -60, 60)
            data = render(i)
        seen.add(h)
        return data

    meta = {
        "source": "standin",
        "seed": seed,
        "duplicate_fraction": duplicate_fraction,
        "image_size": image_size,
        "classes": classes,
    }
    with TreeWriter(dataset_dir, labels, plan, overwrite=overwrite, meta=meta) as writer:
        writer.write_all(render_unique)
    return writer.dataset_dir


def _check_size(size: int) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    return int(size)
