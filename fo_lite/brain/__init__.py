"""fo_lite.brain: exact and near duplicates, with FiftyOne brain's names.

Typical use::

    import fo_lite.brain as fob

    dups = fob.compute_exact_duplicates(dataset)   # {kept_id: [dup_id, ...]}
    index = fob.compute_near_duplicates(dataset)   # hashes, candidates, pixel check, groups
    index.duplicate_ids                            # ids that duplicate a kept sample
    index.neighbors_map                            # {kept_id: [(dup_id, distance), ...]}
    index.find_duplicates(thresh=0.1)              # regroup without hashing again
    session.view = index.duplicates_view()         # review in the grid: bands, buttons
    dataset.delete_samples(index.duplicate_ids)

Only numpy and Pillow at run time. Names load lazily, so a worker process that only decodes
imports what decoding needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fo_lite.lazy import lazy_attributes

# public name -> module that defines it
_LAZY = {
    "compute_exact_duplicates": "fo_lite.brain.compute",
    "compute_near_duplicates": "fo_lite.brain.compute",
    "compute_perceptual_hashes": "fo_lite.brain.compute",
    "DEFAULT_THRESHOLD": "fo_lite.brain.compute",
    "NearDuplicateIndex": "fo_lite.brain.results",
    "DuplicateReview": "fo_lite.brain.review",
    "load_brain_results": "fo_lite.brain.persist",
    "list_brain_runs": "fo_lite.brain.persist",
    "delete_brain_run": "fo_lite.brain.persist",
    "BrainResultsError": "fo_lite.brain.persist",
}

__all__ = [
    "DEFAULT_THRESHOLD",
    "BrainResultsError",
    "DuplicateReview",
    "NearDuplicateIndex",
    "compute_exact_duplicates",
    "compute_near_duplicates",
    "compute_perceptual_hashes",
    "delete_brain_run",
    "list_brain_runs",
    "load_brain_results",
]
assert sorted(__all__) == sorted(_LAZY)

if TYPE_CHECKING:  # pragma: no cover
    from fo_lite.brain.compute import (
        DEFAULT_THRESHOLD,
        compute_exact_duplicates,
        compute_near_duplicates,
        compute_perceptual_hashes,
    )
    from fo_lite.brain.persist import (
        BrainResultsError,
        delete_brain_run,
        list_brain_runs,
        load_brain_results,
    )
    from fo_lite.brain.results import NearDuplicateIndex
    from fo_lite.brain.review import DuplicateReview


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
