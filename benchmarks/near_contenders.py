"""One contender of the near-duplicate benchmark, run in a fresh process by near_dups.py.

    python benchmarks/near_contenders.py NAME TREE OUT.json

times the contender's work on TREE (a tree from fo_lite.neartree) and writes OUT.json:
``{"seconds": ..., "relpaths": [...], "hashes": [...]}`` for hash contenders (hex strings, one
per relpath), or ``{"seconds": ..., "relpaths": [...], "pairs": {"a", "b", "distance",
"exact"}}`` for fo_lite. Only the contender's own imports happen here, so the imagededup
contenders run from their own venv (which has no fo_lite, numpy 1.x and torch).

What is timed:
- ``fo_lite``: ``fob.compute_near_duplicates(dataset)`` end to end (decode, hash, candidates,
  pixel check, groups; the dataset is built before the clock starts);
- ``fo_lite_1w``: the same with ``num_workers=1`` (this process only, one core);
- ``fo_lite_phash``: ``fob.compute_perceptual_hashes(dataset)`` (hashing alone);
- ``imagehash_phash`` / ``imagehash_dhash``: a loop of ``imagehash.phash(Image.open(p))``;
- ``imgdd_phash`` / ``imgdd_dhash``: ``imgdd.hash(path=tree, algo=...)`` (Rust, all cores);
- ``imagededup_phash`` / ``imagededup_dhash``: ``PHash().encode_images(tree, recursive=True)``;
- ``pillow_floor``: ``Image.open(p)``, ``draft("L", (32, 32))``, ``load()`` per file: a plain
  Pillow draft-decode loop, nothing else.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _paths(tree: str) -> list[str]:
    out = []
    for d in sorted(os.listdir(tree)):
        folder = os.path.join(tree, d)
        if os.path.isdir(folder):
            out.extend(os.path.join(folder, f) for f in sorted(os.listdir(folder)))
    return out


def _fo_lite(tree: str, near: bool, workers: int | None = None) -> dict:
    import fo_lite as fo
    import fo_lite.brain as fob

    dataset = fo.Dataset.from_dir(tree)
    rel = [os.path.relpath(p, tree) for p in dataset.values("filepath")]
    # fo_lite.brain imports its modules when first used; as for every contender, the imports
    # happen before the clock starts
    near_duplicates, perceptual_hashes = fob.compute_near_duplicates, fob.compute_perceptual_hashes
    t0 = time.perf_counter()
    if near:
        index = near_duplicates(dataset, num_workers=workers, progress=False)
    else:
        perceptual_hashes(dataset, progress=False)
    secs = time.perf_counter() - t0
    if not near:
        return {"seconds": secs, "relpaths": rel, "hashes": dataset.values("phash")}
    state = index.state()
    pairs = {k: state[k] for k in ("a", "b", "distance", "exact")}
    return {"seconds": secs, "relpaths": rel, "pairs": pairs, "ids": state["ids"]}


def _imagehash(tree: str, algo: str) -> dict:
    import imagehash
    from PIL import Image

    fn = {"phash": imagehash.phash, "dhash": imagehash.dhash}[algo]
    paths = _paths(tree)
    t0 = time.perf_counter()
    hashes = []
    for p in paths:
        with Image.open(p) as img:
            hashes.append(str(fn(img)))
    secs = time.perf_counter() - t0
    return {
        "seconds": secs,
        "relpaths": [os.path.relpath(p, tree) for p in paths],
        "hashes": hashes,
    }


def _imgdd(tree: str, algo: str) -> dict:
    import imgdd

    t0 = time.perf_counter()
    result = imgdd.hash(path=tree, algo=algo)
    secs = time.perf_counter() - t0
    rel = sorted(result)
    return {
        "seconds": secs,
        "relpaths": [os.path.relpath(p, tree) for p in rel],
        "hashes": [result[p] for p in rel],
    }


def _stub_torchvision() -> None:
    """Let ``imagededup.methods`` import without a working torchvision.

    Only imagededup's CNN method uses torchvision (its model zoo); the hash methods timed here
    never touch it. PyPI's Linux torchvision wheels are built against CUDA torch and do not
    load beside the CPU torch wheel this machine has, so when ``import torchvision`` fails, a
    stand-in module whose names are placeholders takes its place.
    """
    import types

    try:
        import torchvision  # noqa: F401
    except Exception:  # ImportError, or RuntimeError from a mismatched build
        for name in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[name]

        class _Placeholder:  # stands for any torchvision name; only the CNN would call one
            def __call__(self, *args, **kwargs):
                return self

            def __getattr__(self, attr: str):
                if attr.startswith("__"):
                    raise AttributeError(attr)
                return self

        def _placeholder(attr: str):
            if attr.startswith("__"):
                raise AttributeError(attr)
            return _Placeholder()

        def _module(name: str) -> types.ModuleType:
            mod = types.ModuleType(name)
            mod.__getattr__ = _placeholder  # type: ignore[method-assign]
            sys.modules[name] = mod
            return mod

        root = _module("torchvision")
        root.models = _module("torchvision.models")
        root.transforms = _module("torchvision.transforms")
        root.models.vision_transformer = _module("torchvision.models.vision_transformer")


def _imagededup(tree: str, algo: str) -> dict:
    _stub_torchvision()
    from imagededup import methods

    method = {"phash": methods.PHash, "dhash": methods.DHash}[algo](verbose=False)
    t0 = time.perf_counter()
    encodings = method.encode_images(image_dir=tree, recursive=True)
    secs = time.perf_counter() - t0
    rel = sorted(encodings)
    return {"seconds": secs, "relpaths": rel, "hashes": [encodings[p] for p in rel]}


def _pillow_floor(tree: str) -> dict:
    from PIL import Image

    paths = _paths(tree)
    t0 = time.perf_counter()
    for p in paths:
        with Image.open(p) as img:
            img.draft("L", (32, 32))
            img.load()
    return {"seconds": time.perf_counter() - t0, "relpaths": [], "hashes": []}


CONTENDERS = {
    "fo_lite": lambda t: _fo_lite(t, near=True),
    "fo_lite_1w": lambda t: _fo_lite(t, near=True, workers=1),
    "fo_lite_phash": lambda t: _fo_lite(t, near=False),
    "imagehash_phash": lambda t: _imagehash(t, "phash"),
    "imagehash_dhash": lambda t: _imagehash(t, "dhash"),
    "imgdd_phash": lambda t: _imgdd(t, "phash"),
    "imgdd_dhash": lambda t: _imgdd(t, "dhash"),
    "imagededup_phash": lambda t: _imagededup(t, "phash"),
    "imagededup_dhash": lambda t: _imagededup(t, "dhash"),
    "pillow_floor": _pillow_floor,
}


def main(argv: list[str]) -> int:
    name, tree, out = argv
    result = CONTENDERS[name](tree)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
