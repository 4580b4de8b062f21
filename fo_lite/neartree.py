"""Write a tree of distinct scenes plus near copies of some of them, with the ground truth.

:func:`make_near_duplicate_tree` writes ``<dataset_dir>/<kind>/<i>.jpg`` (the layout of the
walkthrough's data; ``kind`` is the scene's largest shape) where:

- most files are **base images**: random scenes (:mod:`fo_lite.scenes`), saved at JPEG quality
  95, no two of them alike: every pair is at least ``min_distance`` apart (see
  :func:`scene_distance`); the few that come closer are redrawn;
- ``near_fraction`` of the files are **near copies** of a base image, in equal shares:
  ``reencode`` (JPEG quality 55-90), ``resize`` (to 75-95% with a random filter and back),
  ``crop`` (1-3 px per side of a 32 px image, 1/32 to 3/32 of the side in general, and
  resized back) and ``brightness`` (every channel shifted by 8-24 levels, up or down);
- ``duplicate_fraction`` of the files are byte-identical copies of a base image.

A base image may have several copies; it and its copies form one true group. The ground truth
goes beside the tree, in the manifest of :mod:`fo_lite.treegen`: ``duplicates`` (exact
copies) and ``near_duplicates`` (``[copy, original, transform, params]``, paths relative to
the tree), ``min_base_distance`` (the smallest distance between two base images) and
``min_distance`` (the bound asked for). The same arguments give the same bytes on every run.

Example::

    root = make_near_duplicate_tree("/tmp/near", size=500, seed=0)
    truth = read_manifest(root)["near_duplicates"]   # [["box/17.jpg", "box/3.jpg", "crop", ...
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from fo_lite.scenes import draw_scene, scene_kind, scene_table
from fo_lite.treegen import TreeWriter

__all__ = ["TRANSFORMS", "make_near_duplicate_tree", "scene_distance", "true_groups"]

#: the kinds of near copy, in the order they are dealt out
TRANSFORMS = ("reencode", "resize", "crop", "brightness")
BASE_QUALITY = 95
COPY_QUALITY = 90
_DESCRIPTOR = 8  # side of the grayscale thumbnail scene_distance compares
_FILTERS = {
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
}


def _encode(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(quality))
    return buf.getvalue()


def _descriptor(img: Image.Image) -> np.ndarray:
    gray = img.convert("L").resize((_DESCRIPTOR, _DESCRIPTOR), Image.Resampling.BOX)
    v = np.asarray(gray, dtype=np.float32).ravel()
    v = v - v.mean()
    norm = float(np.sqrt((v * v).sum()))
    return v / norm if norm > 1e-6 else v


def scene_distance(a: Image.Image, b: Image.Image) -> float:
    """How different two images look, from 0 (the same up to brightness and contrast) to 1.

    ``sqrt((1 - r) / 2)`` where ``r`` is the correlation of their 8x8 grayscale means: 0.71
    for unrelated pictures, 1 for a negative. The generator keeps base images at least
    ``min_distance`` apart in this measure.
    """
    r = float(_descriptor(a) @ _descriptor(b))
    return float(np.sqrt(max(0.0, 1.0 - r) / 2.0))


def _close_pairs(desc: np.ndarray, min_distance: float) -> tuple[np.ndarray, float]:
    """Rows that are closer than ``min_distance`` to an earlier row, and the smallest distance."""
    n = len(desc)
    rmax = 1.0 - 2.0 * min_distance**2
    too_close = np.zeros(n, dtype=bool)
    best = -1.0
    block = 2048
    for start in range(0, n, block):
        g = desc[start : start + block] @ desc.T  # (block, n) correlations
        rows = np.arange(start, min(start + block, n))
        g[np.arange(len(rows)), rows] = -1.0
        best = max(best, float(g.max(initial=-1.0)))
        # a row is redrawn if it is too close to any row before it
        ii, jj = np.nonzero(g > rmax)
        later = rows[ii] > jj
        too_close[rows[ii[later]]] = True
    smallest = float(np.sqrt(max(0.0, 1.0 - best) / 2.0)) if n > 1 else 1.0
    return np.flatnonzero(too_close), smallest


def _near_params(kind: str, rng: np.random.Generator, size: tuple[int, int]) -> dict:
    w, h = size
    if kind == "reencode":
        return {"quality": int(rng.integers(55, 91))}
    if kind == "resize":
        return {
            "factor": round(float(rng.uniform(0.75, 0.95)), 4),
            "filter": str(rng.choice(list(_FILTERS))),
        }
    if kind == "crop":
        u = rng.uniform(1.0, 3.0, 4) if (w, h) != (32, 32) else rng.integers(1, 4, 4).astype(float)
        sides = (u[0] * w / 32, u[1] * h / 32, u[2] * w / 32, u[3] * h / 32)
        return {"box": [round(float(s), 3) for s in sides]}  # left, top, right, bottom
    delta = int(rng.integers(8, 25)) * (1 if rng.random() < 0.5 else -1)
    return {"delta": delta}


def _near_copy(img: Image.Image, kind: str, params: dict) -> bytes:
    w, h = img.size
    if kind == "reencode":
        return _encode(img, params["quality"])
    if kind == "resize":
        f = params["factor"]
        small = img.resize((max(1, round(w * f)), max(1, round(h * f))), _FILTERS[params["filter"]])
        return _encode(small.resize((w, h), Image.Resampling.BICUBIC), COPY_QUALITY)
    if kind == "crop":
        left, top, right, bottom = params["box"]
        box = (left, top, w - right, h - bottom)
        return _encode(img.resize((w, h), Image.Resampling.BICUBIC, box=box), COPY_QUALITY)
    arr = np.asarray(img, dtype=np.int16) + params["delta"]
    return _encode(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB"), COPY_QUALITY)


def make_near_duplicate_tree(
    dataset_dir: str,
    size: int = 1000,
    seed: int = 51,
    near_fraction: float = 0.05,
    duplicate_fraction: float = 0.01,
    image_size: Sequence[int] = (32, 32),
    min_distance: float = 0.2,
    *,
    overwrite: bool = False,
) -> str:
    """Write a tree of distinct scenes with near and exact copies; return its path.

    See the module docstring for what is written. ``image_size`` is ``(width, height)``
    (``(640, 480)`` gives photo-sized images with a fine grain). The tree is built in a hidden
    sibling and renamed into place; a non-empty ``dataset_dir`` is refused unless
    ``overwrite=True``.
    """
    n = _check_int("size", size, 2)
    w, h = _check_size(image_size)
    for name, value in (
        ("near_fraction", near_fraction),
        ("duplicate_fraction", duplicate_fraction),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 0.5:
            raise ValueError(f"{name} must be a number in [0, 0.5), got {value!r}")
    if not 0 <= min_distance < 0.7:
        raise ValueError(
            f"min_distance must be in [0, 0.7) (0.71 is unrelated), got {min_distance!r}"
        )
    rng = np.random.default_rng(seed)
    n_exact = int(round(duplicate_fraction * n))
    n_near = int(round(near_fraction * n))
    if n_exact + n_near >= n:
        raise ValueError(f"size {n} leaves no base images for {n_exact + n_near} copies")
    targets = rng.choice(n, size=n_exact + n_near, replace=False)
    is_copy = np.zeros(n, dtype=bool)
    is_copy[targets] = True
    bases = np.flatnonzero(~is_copy)
    sources = bases[rng.integers(0, len(bases), size=len(targets))]
    table = scene_table(rng, n)
    kinds = rng.permutation(np.resize(np.arange(len(TRANSFORMS)), n_near))
    near = {}
    for t, s, k in zip(
        targets[n_exact:].tolist(), sources[n_exact:].tolist(), kinds.tolist(), strict=True
    ):
        kind = TRANSFORMS[k]
        near[t] = (s, kind, _near_params(kind, rng, (w, h)))
    plan = {
        int(t): int(s)
        for t, s in sorted(zip(targets[:n_exact].tolist(), sources[:n_exact].tolist(), strict=True))
    }

    # draw the base images, then redraw any that come too close to another
    redraw = np.random.default_rng([seed, 1])
    encoded: dict[int, bytes] = {}
    desc = np.zeros((n, _DESCRIPTOR * _DESCRIPTOR), dtype=np.float32)
    pending = bases
    while len(pending):
        for i in pending.tolist():
            img = draw_scene(table[i], (w, h))
            desc[i] = _descriptor(img)
            encoded[i] = _encode(img, BASE_QUALITY)
        close, smallest = _close_pairs(desc[bases], min_distance)
        pending = bases[close]
        if len(pending):
            table[pending] = scene_table(redraw, len(pending))
    labels = [
        scene_kind(table[near[i][0]] if i in near else table[plan.get(i, i)]) for i in range(n)
    ]

    def render(i: int) -> bytes:
        if i in near:
            source, kind, params = near[i]
            return _near_copy(Image.open(io.BytesIO(encoded[source])).convert("RGB"), kind, params)
        return encoded[i]

    meta = {
        "source": "scenes",
        "seed": seed,
        "image_size": [w, h],
        "near_fraction": near_fraction,
        "duplicate_fraction": duplicate_fraction,
        "min_distance": min_distance,
        "min_base_distance": round(smallest, 4),
        "distance": "fo_lite.neartree.scene_distance (8x8 grayscale correlation)",
        "near_duplicates": [],
    }
    with TreeWriter(dataset_dir, labels, plan, overwrite=overwrite, meta=meta) as writer:
        meta["near_duplicates"] = [
            [writer.relpath(t), writer.relpath(s), kind, params]
            for t, (s, kind, params) in sorted(near.items())
        ]
        writer.meta = meta
        writer.write_all(render)
    return writer.dataset_dir


def true_groups(manifest: dict) -> list[list[str]]:
    """The true duplicate groups of a generated tree, each sorted: originals with their exact
    and near copies (paths relative to the tree), sorted by their first path."""
    parent: dict[str, str] = {}
    for copy, original, *_ in manifest.get("near_duplicates", []):
        parent[copy] = original
    for copy, original in manifest.get("duplicates", []):
        parent[copy] = original
    groups: dict[str, list[str]] = {}
    for copy, original in parent.items():
        groups.setdefault(original, [original]).append(copy)
    return sorted(sorted(g) for g in groups.values())


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_size(image_size: Sequence[int]) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise ValueError(f"image_size must be (width, height), got {image_size!r}") from None
    if w < 16 or h < 16:
        raise ValueError(f"image_size must be at least 16x16, got {w}x{h}")
    return w, h
