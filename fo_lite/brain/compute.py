"""The brain's entry points: perceptual hashes, exact duplicates, near duplicates.

Names and result shapes follow FiftyOne brain (``fiftyone.brain.compute_exact_duplicates``
returns ``{kept_id: [dup_id, ...]}``; ``compute_near_duplicates`` returns an index with
``duplicate_ids``, ``neighbors_map``, ``find_duplicates()`` and ``duplicates_view()``), with
hashes and a pixel check instead of a model's embeddings. Every argument is checked before
any file is read, and fields are written only once everything has been computed, so a failed
or interrupted run changes no field.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from fo_lite.brain import hashes, persist, runner
from fo_lite.brain.keep import check_keep, choose_kept
from fo_lite.brain.results import NearDuplicateIndex, check_thresh
from fo_lite.brain.search import default_radius, find_pairs

if TYPE_CHECKING:
    from fo_lite.core.collection import SampleCollection

__all__ = [
    "DEFAULT_THRESHOLD",
    "compute_exact_duplicates",
    "compute_near_duplicates",
    "compute_perceptual_hashes",
]

#: the default pixel distance under which two images are near duplicates (see benchmarks/)
DEFAULT_THRESHOLD = 0.15


def _check_field(field: object, what: str) -> str:
    from fo_lite.core.fields import BUILTIN_FIELDS, check_field_name

    check_field_name(field)
    if field in BUILTIN_FIELDS:
        raise ValueError(
            f"{what}: {field!r} is a built-in field ({', '.join(BUILTIN_FIELDS)}) and cannot "
            "hold hashes; pass another field name"
        )
    return field  # type: ignore[return-value]


def _raise_failures(failed: list[tuple[int, str, str]], n: int) -> None:
    shown = "; ".join(f"{p!r} ({why})" for _, p, why in failed[:3])
    raise ValueError(
        f"could not read or decode {len(failed)} of {n} images: {shown}; no field was changed. "
        "Fix or remove those files, or pass skip_failures=True to leave them out"
    )


def compute_perceptual_hashes(
    samples: SampleCollection,
    method: str = "phash",
    field: str | None = None,
    hash_size: int = 8,
    num_workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    skip_failures: bool = True,
) -> None:
    """Hash every sample's image and store the hashes as hex strings in ``field``.

    ``method``: ``"phash"`` (default), ``"dhash"`` or ``"ahash"``, as imagehash defines them
    (:mod:`fo_lite.brain.hashes`); ``hash_size`` 8 gives 64-bit hashes (16 hex digits).
    ``field`` defaults to the method's name. Images are decoded in batches by ``num_workers``
    processes (this one and worker processes; default: one per core) or on any
    ``concurrent.futures.Executor``, e.g. a Dask client's ``get_executor()``. An image that
    cannot be read gets None, and one warning counts them (``skip_failures=False``: raise
    instead, changing nothing).

    >>> fob.compute_perceptual_hashes(dataset)  # doctest: +SKIP
    >>> dataset.first().phash  # doctest: +SKIP
    'c3d4e1f0a0b1c2d3'
    """
    method, hash_size = hashes.check_method(method, hash_size)
    field = _check_field(method if field is None else field, "compute_perceptual_hashes")
    runner.check_workers(num_workers)
    paths = samples.values("filepath")
    done = runner.run(paths, method, hash_size, False, num_workers, executor, progress)
    if done.failed and not skip_failures:
        _raise_failures(done.failed, len(paths))
    hex_values = hashes.to_hex(done.bits)
    samples.set_values(
        field, [h if ok else None for h, ok in zip(hex_values, done.ok.tolist(), strict=True)]
    )


def compute_exact_duplicates(
    samples: SampleCollection,
    num_workers: int | None = None,
    skip_failures: bool = True,
    progress: bool | None = None,
    executor: Executor | None = None,
    keep: str | Callable[[list], Any] = "first",
    hash_field: str | None = None,
) -> dict[str, list[str]]:
    """Samples whose files are byte for byte the same: ``{kept_id: [dup_id, ...]}``.

    As in FiftyOne brain, the key is the first sample of each set of identical files (in
    collection order) and the list holds the others; ``keep=`` picks another rule
    (``"largest"``, ``"highest_resolution"`` or a function given the set's samples). Files
    are hashed with xxh3_128 (:func:`fo_lite.core.features.compute_filehashes`), or, with
    ``hash_field``, the hashes already in that field are used (e.g. after
    ``dataset.compute_filehashes()``). Files that cannot be read are left out, with one
    warning (``skip_failures=False``: raise).

    >>> dups = fob.compute_exact_duplicates(dataset)  # doctest: +SKIP
    >>> dataset.delete_samples([d for ds in dups.values() for d in ds])  # doctest: +SKIP
    """
    keep = check_keep(keep)
    runner.check_workers(num_workers)
    ids = samples.values("id")
    if hash_field is not None:
        schema = samples.get_field_schema()
        if hash_field not in schema:
            raise ValueError(
                f"compute_exact_duplicates: no field {hash_field!r} to read hashes from; "
                "compute it first (dataset.compute_filehashes(field=...)) or leave hash_field "
                "unset to hash the files now"
            )
        file_hashes = samples.values(hash_field)
    else:
        from fo_lite.core.features import compute_filehashes

        file_hashes = compute_filehashes(
            samples.values("filepath"),
            num_workers=num_workers,
            executor=executor,
            progress=progress,
        )
        missing = [k for k, h in enumerate(file_hashes) if h is None]
        if missing and not skip_failures:
            raise ValueError(
                f"could not read {len(missing)} of {len(ids)} files (e.g. sample {ids[missing[0]]!r})"
            )
    members: dict[str, list[int]] = {}
    for row, h in enumerate(file_hashes):
        if h is not None:
            members.setdefault(h, []).append(row)
    out: dict[str, list[str]] = {}
    for rows in members.values():
        if len(rows) < 2:
            continue
        kept = rows[choose_kept(samples, [ids[r] for r in rows], keep)]
        out[ids[kept]] = [ids[r] for r in rows if r != kept]
    return out


def compute_near_duplicates(
    samples: SampleCollection,
    threshold: float | None = None,
    method: str = "phash",
    hash_size: int = 8,
    hash_field: str | None = None,
    keep: str | Callable[[list], Any] = "first",
    num_workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    skip_failures: bool = True,
    brain_key: str | None = None,
    hash_radius: int | None = None,
) -> NearDuplicateIndex:
    """Find near duplicates (re-saved, resized, cropped, brightened copies) and group them.

    Two stages: perceptual hashes (``method``, ``hash_size``; stored in ``hash_field``,
    default the method's name) find candidate pairs without comparing all pairs: equal
    hashes, hashes within ``hash_radius`` bits (default 1/16 of the bits) through a
    multi-index, and cropped variants of each image for crops. Then every candidate is
    checked on pixels (16x16 grayscale, normalized for brightness and contrast, with a small
    search over crops), which gives its distance: 0 the same picture, about 0.7 unrelated.
    Pairs within ``threshold`` (default :data:`DEFAULT_THRESHOLD`) are grouped (union-find;
    exact copies always), and ``keep`` chooses the sample each group keeps: ``"first"`` (in
    collection order), ``"largest"`` (file size), ``"highest_resolution"``, or a function
    given the group's samples.

    Returns a :class:`~fo_lite.brain.results.NearDuplicateIndex`. With ``brain_key``, the
    results are kept with the dataset (:func:`fo_lite.brain.load_brain_results`; on disk for a
    persistent dataset). Unreadable images get no hash and are never grouped (one warning;
    ``skip_failures=False``: raise, changing nothing).

    >>> index = fob.compute_near_duplicates(dataset)  # doctest: +SKIP
    >>> session.view = index.duplicates_view()  # doctest: +SKIP
    >>> dataset.delete_samples(index.duplicate_ids)  # doctest: +SKIP
    """
    threshold = check_thresh(DEFAULT_THRESHOLD if threshold is None else threshold, "threshold")
    method, hash_size = hashes.check_method(method, hash_size)
    field = _check_field(method if hash_field is None else hash_field, "compute_near_duplicates")
    keep = check_keep(keep)
    runner.check_workers(num_workers)
    if brain_key is not None:
        persist.check_brain_key(brain_key)
    bits = hash_size * hash_size
    if hash_radius is not None and (
        isinstance(hash_radius, bool)
        or not isinstance(hash_radius, int)
        or not 0 <= hash_radius <= bits // 4
    ):
        raise ValueError(
            f"hash_radius must be an int in [0, {bits // 4}] for {bits}-bit hashes, got {hash_radius!r}"
        )
    ids = samples.values("id")
    paths = samples.values("filepath")
    done = runner.run(
        paths, method, hash_size, True, num_workers, executor, progress, "Finding near duplicates"
    )
    if done.failed and not skip_failures:
        _raise_failures(done.failed, len(paths))
    pairs = find_pairs(done, bits, hash_radius, num_workers or os.cpu_count() or 1)
    config = {
        "method": method,
        "hash_size": hash_size,
        "hash_field": field,
        "hash_radius": default_radius(bits) if hash_radius is None else hash_radius,
        "threshold": threshold,
    }
    index = NearDuplicateIndex(
        samples,
        ids,
        pairs.a,
        pairs.b,
        pairs.distance,
        pairs.exact,
        config,
        keep=keep,
        thresh=threshold,
        brain_key=brain_key,
    )
    hex_values = hashes.to_hex(done.bits)
    samples.set_values(
        field, [h if ok else None for h, ok in zip(hex_values, done.ok.tolist(), strict=True)]
    )
    if brain_key is not None:
        index.save()
    return index
