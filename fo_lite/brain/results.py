"""What :func:`fo_lite.brain.compute_near_duplicates` returns: the checked pairs, and the groups.

:class:`NearDuplicateIndex` follows FiftyOne brain's duplicates interface
(``fiftyone.brain.similarity.DuplicatesMixin``): :attr:`~NearDuplicateIndex.thresh`,
:attr:`~NearDuplicateIndex.duplicate_ids`, :attr:`~NearDuplicateIndex.unique_ids`,
:attr:`~NearDuplicateIndex.neighbors_map` (``{kept_id: [(dup_id, distance), ...]}``, each list
sorted by distance), :meth:`~NearDuplicateIndex.find_duplicates` (``thresh=`` or
``fraction=``), :meth:`~NearDuplicateIndex.duplicates_view` (``type_field``, ``id_field``,
``dist_field``, ``sort_by="distance" | "count"``, ``reverse``) and
:meth:`~NearDuplicateIndex.unique_view`.

Where fo_lite differs, and why:

- FiftyOne keeps the first sample of each neighbourhood and attaches each duplicate to its
  nearest kept sample; here a group is a connected set of pairs within ``thresh`` (union-find),
  exact copies always share a group, and which sample is kept follows a rule (``keep=``).
- The distance is the pixel check's (0 to 1, see :mod:`fo_lite.brain.verify`), not an
  embedding distance.
- Review decisions live on the index and survive regrouping: :meth:`keep` (keep this sample
  in its group), :meth:`exclude` ("not a duplicate"), :meth:`include` (undo that), and
  :meth:`group_duplicates` (a group's duplicates, e.g. to select them); see
  :mod:`fo_lite.brain.decisions`. Samples deleted from the dataset leave their groups.
- ``duplicates_view()`` writes its fields by default (``dup_group``, ``dup_type`` = "kept",
  "duplicate" or "excluded", ``dup_distance``), so a grid can show and group by them, and the
  view is an ``exists`` + ``sort_by`` over those fields: after a review decision the fields
  change and the same view shows the new state. Keep rules live in :mod:`fo_lite.brain.keep`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fo_lite.brain import groups as fog
from fo_lite.brain.decisions import ReviewDecisions
from fo_lite.brain.keep import KeepRule, check_keep, choose_kept

if TYPE_CHECKING:
    from fo_lite.core.collection import SampleCollection
    from fo_lite.core.view import DatasetView

__all__ = ["NearDuplicateIndex", "check_thresh"]

#: the default fields of duplicates_view()
DEFAULT_FIELDS = {"group": "dup_group", "type": "dup_type", "dist": "dup_distance"}


def check_thresh(thresh: object, name: str = "thresh") -> float:
    """``thresh`` as a float in [0, 1], or a ValueError/TypeError naming it."""
    if isinstance(thresh, bool) or not isinstance(thresh, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1], got {thresh!r}")
    value = float(thresh)
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"{name} must be in [0, 1] (a pixel distance: 0 the same picture, about 0.7 "
            f"unrelated ones), got {thresh!r}"
        )
    return value


class NearDuplicateIndex(ReviewDecisions):
    """Checked pairs of a collection's samples, grouped at a threshold; see the module docstring.

    Made by :func:`fo_lite.brain.compute_near_duplicates` (or loaded with
    :func:`fo_lite.brain.load_brain_results`); regroup with :meth:`find_duplicates`.
    """

    def __init__(
        self,
        samples: SampleCollection,
        ids: Sequence[str],
        a: np.ndarray,
        b: np.ndarray,
        distance: np.ndarray,
        exact: np.ndarray,
        config: dict[str, Any],
        keep: KeepRule = "first",
        thresh: float | None = None,
        brain_key: str | None = None,
        kept_choice: Iterable[str] = (),
        excluded: Iterable[str] = (),
        fields: dict[str, str | None] | None = None,
    ) -> None:
        self._samples = samples
        self._ids = list(ids)
        self._pos = {sample_id: k for k, sample_id in enumerate(self._ids)}
        self._a = np.asarray(a, dtype=np.int64)
        self._b = np.asarray(b, dtype=np.int64)
        self._d = np.asarray(distance, dtype=np.float32)
        self._exact = np.asarray(exact, dtype=bool)
        self.config = dict(config)
        self._keep_rule = check_keep(keep)
        self.brain_key = brain_key
        # review decisions (ids unknown here are dropped), and the fields duplicates_view wrote
        self._kept_choice = {i for i in kept_choice if i in self._pos}
        self._excluded = {i for i in excluded if i in self._pos}
        self._fields = dict(fields) if fields else None
        self._written: dict[str, list[Any]] | None = None  # what _write_fields last wrote
        self._review: Any = None  # the grid's DuplicateReview, made by duplicates_view
        self._groups: list[list[int]] = []  # by number: [kept row, other rows...]
        self._labels: list[int] = []  # each group's number (stable through review decisions)
        self._by_label: dict[int, list[int]] = {}
        self._dist: dict[int, float] = {}
        self._group_of = np.full(len(self._ids), -1, dtype=np.int64)
        self._excluded_group: dict[int, int] = {}  # excluded row -> the group it is shown with
        self._excluded_by_group: dict[int, list[int]] = {}
        # samples deleted from the dataset since: they leave their groups (see _sync)
        self._gone = np.zeros(len(self._ids), dtype=bool)
        self._seen = samples.revision
        self._thresh = check_thresh(self.config.get("threshold", 0.0) if thresh is None else thresh)
        self._regroup()

    # -- FiftyOne's properties --------------------------------------------------------------
    @property
    def samples(self) -> SampleCollection:
        """The collection (dataset or view) the index was computed on."""
        return self._samples

    @property
    def thresh(self) -> float | None:
        """The threshold of the last :meth:`find_duplicates`."""
        return self._thresh

    @property
    def duplicate_ids(self) -> list[str]:
        """Ids of the samples that duplicate a kept sample, in collection order."""
        self._sync()
        rows = sorted(r for g in self._groups for r in g[1:] if self._ids[r] not in self._excluded)
        return [self._ids[r] for r in rows]

    @property
    def unique_ids(self) -> list[str]:
        """Ids of every other sample (kept ones, excluded ones, and those in no group)."""
        dup = set(self.duplicate_ids)
        return [i for i in self._ids if i not in dup]

    @property
    def neighbors_map(self) -> dict[str, list[tuple[str, float]]]:
        """``{kept_id: [(dup_id, distance), ...]}``, each list sorted by distance."""
        self._sync()
        out = {}
        for g in self._groups:
            dups = [
                (self._ids[r], self._dist[r]) for r in g[1:] if self._ids[r] not in self._excluded
            ]
            if dups:
                out[self._ids[g[0]]] = dups
        return out

    @property
    def groups(self) -> dict[int, list[str]]:
        """``{group: [kept_id, dup_id, ...]}`` (excluded samples left out), by group number."""
        self._sync()
        return {
            label: [self._ids[r] for r in g if self._ids[r] not in self._excluded]
            for label, g in zip(self._labels, self._groups, strict=True)
        }

    @property
    def excluded_ids(self) -> list[str]:
        """The samples marked "not a duplicate" with :meth:`exclude` (and not deleted since)."""
        self._sync()
        return [i for k, i in enumerate(self._ids) if i in self._excluded and not self._gone[k]]

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return (
            f"<NearDuplicateIndex: {len(self._ids)} samples, {len(self._a)} checked pairs, "
            f"thresh={self._thresh}, {len(self._groups)} groups, "
            f"{len(self.duplicate_ids)} duplicates>"
        )

    # -- grouping -----------------------------------------------------------------------------
    def find_duplicates(self, thresh: float | None = None, fraction: float | None = None) -> None:
        """Group the samples again at ``thresh`` (or so that about ``fraction`` of them are
        duplicates), without hashing or decoding anything.

        Pairs within ``thresh`` are joined (exact copies always), each connected set is a
        group, and one sample per group is kept (the review's choice, else the ``keep`` rule).
        Updates :attr:`duplicate_ids`, :attr:`neighbors_map` and the fields the last
        :meth:`duplicates_view` wrote.
        """
        if fraction is not None:
            if thresh is not None:
                raise ValueError("give thresh or fraction, not both")
            thresh = self._thresh_for_fraction(check_thresh(fraction, "fraction"))
        elif thresh is None:
            thresh = self._thresh if self._thresh is not None else 0.0
        self._sync()
        self._thresh = check_thresh(thresh)
        self._regroup()
        self._write_fields()

    def _thresh_for_fraction(self, fraction: float) -> float:
        candidates = np.unique(np.r_[0.0, self._d[self._d <= 1.0]])
        target = fraction * len(self._ids)
        lo, hi = 0, len(candidates) - 1
        while lo < hi:  # the smallest threshold reaching the target (duplicates grow with it)
            mid = (lo + hi) // 2
            self._thresh = float(candidates[mid])
            self._regroup()
            if len(self.duplicate_ids) >= target:
                hi = mid
            else:
                lo = mid + 1
        return float(candidates[lo])

    def _live_pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(a, b, distance)`` of the pairs that join at the threshold (exact copies always,
        at distance 0), leaving out excluded and deleted samples."""
        live = (self._d <= self._thresh) | self._exact
        out = self._gone.copy()
        if self._excluded:
            out[[self._pos[i] for i in self._excluded]] = True
        if out.any():
            live &= ~out[self._a] & ~out[self._b]
        k = np.flatnonzero(live)
        return self._a[k], self._b[k], np.where(self._exact[k], 0.0, self._d[k])

    def _regroup(self) -> None:
        a, b, d = self._live_pairs()
        groups, dists = fog.build_groups(len(self._ids), a, b, d, self._choose)
        # groups in FiftyOne's default order: closest pair first, then by first sample
        groups.sort(key=lambda g: (min(dists[r] for r in g[1:]), min(g)))
        self._dist = dists
        self._set_groups(groups, list(range(len(groups))))

    def _set_groups(self, groups: list[list[int]], labels: list[int]) -> None:
        self._groups, self._labels = groups, labels
        self._by_label = dict(zip(labels, groups, strict=True))
        self._group_of[:] = -1
        for label, g in zip(labels, groups, strict=True):
            self._group_of[g] = label
        self._attach_excluded()

    def _choose(self, rows: np.ndarray) -> int:
        chosen = [r for r in rows.tolist() if self._ids[r] in self._kept_choice]
        if chosen:
            return chosen[0]
        return int(rows[choose_kept(self._samples, [self._ids[r] for r in rows], self._keep_rule)])

    # -- views --------------------------------------------------------------------------------
    def duplicates_view(
        self,
        type_field: str | None = DEFAULT_FIELDS["type"],
        id_field: str | None = None,
        dist_field: str | None = DEFAULT_FIELDS["dist"],
        group_field: str = DEFAULT_FIELDS["group"],
        sort_by: str = "distance",
        reverse: bool = False,
    ) -> DatasetView:
        """Each group together, its kept sample first, then its duplicates by distance.

        Writes, for every sample of the collection (None outside groups): ``group_field`` the
        group number (groups numbered in view order: ``sort_by="distance"``, closest pair
        first, or ``"count"``, fewest duplicates first; ``reverse`` flips it), ``type_field``
        ``"kept"``, ``"duplicate"`` or ``"excluded"``, ``dist_field`` the distance to the kept
        sample (None for the kept one), and ``id_field`` the kept sample's id. Pass None to
        skip a field (not ``group_field``: the view is built on it). Review decisions
        rewrite these fields, so the returned view follows them.

        Assigned to ``session.view``, it shows in bands of ``group_field`` with the review's
        marks and header buttons (:class:`~fo_lite.brain.review.DuplicateReview`).

        >>> session.view = index.duplicates_view()  # doctest: +SKIP
        """
        if sort_by not in ("distance", "count"):
            raise ValueError(f"invalid sort_by={sort_by!r}; use 'distance' or 'count'")
        self._sync()
        if not isinstance(group_field, str):
            raise TypeError("group_field must be a field name: the view is built on it")
        if sort_by == "count":
            order = sorted(range(len(self._groups)), key=lambda k: (len(self._groups[k]), k))
        else:
            order = list(range(len(self._groups)))
        if reverse:
            order.reverse()
        self._set_groups([self._groups[k] for k in order], list(range(len(order))))
        self._fields = {
            "group": group_field,
            "type": type_field,
            "dist": dist_field,
            "id": id_field,
        }
        self._written = None  # write every row: the fields may hold another run's values
        self._write_fields()
        keys: list[tuple[str, int]] = [(group_field, 1)]
        if dist_field is not None:
            keys.append((dist_field, 1))  # the kept sample has None: first, as nulls sort
        view = self._samples.exists(group_field).sort_by(keys)
        # a grid shows it in bands of group_field, with the review's marks and buttons
        from fo_lite.brain.review import DuplicateReview
        from fo_lite.session.decorations import display_with

        if self._review is None:
            self._review = DuplicateReview(self)
        return display_with(view, group_by=group_field, decorations=self._review)

    def unique_view(self) -> DatasetView:
        """The collection without the duplicates: what is left after deleting them."""
        return self._samples.exclude(self.duplicate_ids)

    def _write_fields(self, rows: Iterable[int] | None = None) -> None:
        """Write the fields :meth:`duplicates_view` chose: every row, or only those of
        ``rows`` (the rows a review decision touched) whose values changed."""
        if not self._fields:
            return
        names = {key: f for key, f in self._fields.items() if f}
        written = self._written
        if rows is not None and written is not None:
            changed = []
            for r in sorted(rows):
                values = self._row_values(r)
                if any(written[f][r] != values[key] for key, f in names.items()):
                    changed.append(r)
                    for key, f in names.items():
                        written[f][r] = values[key]
            self._write_rows(changed, written)
            return
        n = len(self._ids)
        group: list[Any] = [None] * n
        kind: list[Any] = [None] * n
        dist: list[Any] = [None] * n
        kept_id: list[Any] = [None] * n
        for label, g in zip(self._labels, self._groups, strict=True):
            for r in g:
                group[r], kept_id[r] = label, self._ids[g[0]]
                kind[r] = "kept" if r == g[0] else "duplicate"
                dist[r] = None if r == g[0] else round(self._dist[r], 4)
        for r, label in self._excluded_group.items():
            group[r], kind[r], kept_id[r] = label, "excluded", self._ids[self._by_label[label][0]]
            dist[r] = round(self._dist.get(r, 1.0), 4)
        values = {"group": group, "type": kind, "dist": dist, "id": kept_id}
        wanted = {f: values[key] for key, f in names.items()}
        if written and written.keys() == wanted.keys():
            changed = [r for r in range(n) if any(written[f][r] != wanted[f][r] for f in wanted)]
            if len(changed) <= n // 10:  # a regroup at a close threshold: those rows only
                self._write_rows(changed, wanted)
                self._written = wanted
                return
        _write_by_id(self._samples, self._ids, wanted)
        self._written = wanted

    def _row_values(self, r: int) -> dict[str, Any]:
        """The fields' values of row ``r``, keyed as :data:`DEFAULT_FIELDS` (+ ``"id"``)."""
        label = int(self._group_of[r])
        if label >= 0:
            kept = self._by_label[label][0]
            dist = None if r == kept else round(self._dist[r], 4)
            kind = "kept" if r == kept else "duplicate"
            return {"group": label, "type": kind, "dist": dist, "id": self._ids[kept]}
        label = self._excluded_group.get(r)
        if label is None:
            return {"group": None, "type": None, "dist": None, "id": None}
        kept_id = self._ids[self._by_label[label][0]]
        dist = round(self._dist.get(r, 1.0), 4)
        return {"group": label, "type": "excluded", "dist": dist, "id": kept_id}

    def _write_rows(self, rows: list[int], values: dict[str, list[Any]]) -> None:
        """Set each field of ``values`` (a list per field, by row) for ``rows`` still there."""
        ids = [self._ids[r] for r in rows]
        alive = self._samples.positions_of(ids) >= 0 if ids else np.zeros(0, dtype=bool)
        rows = [r for r, ok in zip(rows, alive.tolist(), strict=True) if ok]
        if rows:
            view = self._samples.select([self._ids[r] for r in rows], ordered=True)
            for f, v in values.items():
                view.set_values(f, [v[r] for r in rows])

    # -- persistence --------------------------------------------------------------------------
    def save(self) -> None:
        """Store these results with the dataset under :attr:`brain_key` (see
        :func:`fo_lite.brain.load_brain_results`)."""
        from fo_lite.brain import persist

        if self.brain_key is None:
            raise ValueError(
                "this index has no brain_key; compute it with brain_key='...' to save it"
            )
        persist.save(self)

    def state(self) -> dict[str, Any]:
        """Everything needed to rebuild the index without the pixels (JSON-able)."""
        return {
            "ids": list(self._ids),
            "a": self._a.tolist(),
            "b": self._b.tolist(),
            "distance": self._d.astype(np.float64).tolist(),  # exact float32 values
            "exact": self._exact.astype(int).tolist(),
            "config": dict(self.config),
            "keep": self._keep_rule if isinstance(self._keep_rule, str) else "first",
            "thresh": self._thresh,
            "kept_choice": sorted(self._kept_choice),
            "excluded": sorted(self._excluded),
            "fields": dict(self._fields) if self._fields else None,
        }


def _write_by_id(samples: SampleCollection, ids: list[str], fields: dict[str, list[Any]]) -> None:
    """Set each field for the index's samples that still exist; others get None."""
    present = samples.values("id")
    where = {sample_id: k for k, sample_id in enumerate(ids)}
    rows = [where.get(sample_id) for sample_id in present]
    for field, values in fields.items():
        samples.set_values(field, [None if r is None else values[r] for r in rows])
