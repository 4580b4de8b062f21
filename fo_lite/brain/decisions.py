"""The review decisions of a :class:`~fo_lite.brain.results.NearDuplicateIndex`: keep this
sample, "not a duplicate" and back, a group's members, and what each sample is in the review.

A mixin of ``NearDuplicateIndex`` (its state is the index's). A decision regroups only the
rows it touches (their neighbours and the groups they were in or join), so a click in a grid
of a million samples costs about what its group costs, and writes only the fields that
changed. Samples deleted from the dataset leave their groups the same way (:meth:`_sync`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from fo_lite.brain import groups as fog
from fo_lite.brain.persist import dataset_of

__all__ = ["ReviewDecisions"]


class ReviewDecisions:
    """Review decisions and lookups; mixed into ``NearDuplicateIndex``, which defines the
    state below and ``_live_pairs``, ``_choose``, ``_write_fields`` and ``save``."""

    _samples: Any
    _ids: list[str]
    _pos: dict[str, int]
    _a: np.ndarray
    _b: np.ndarray
    _d: np.ndarray
    _exact: np.ndarray
    _thresh: float
    _kept_choice: set[str]
    _excluded: set[str]
    _gone: np.ndarray
    _seen: int  # the collection's revision when deletions were last looked for
    _groups: list[list[int]]
    _labels: list[int]
    _by_label: dict[int, list[int]]
    _dist: dict[int, float]
    _group_of: np.ndarray
    _excluded_group: dict[int, int]
    _excluded_by_group: dict[int, list[int]]
    brain_key: str | None

    def group_of(self, sample_id: str) -> int | None:
        """The group number of a sample (as :attr:`groups` and the ``dup_group`` field show
        it), or None if it is in no group."""
        self._sync()
        row = self._row(sample_id)
        group = int(self._group_of[row])
        if group < 0:
            group = self._excluded_group.get(row, -1)
        return group if group >= 0 else None

    def _label(self, group: int | str) -> int:
        """The number of a group given by number or by one of its samples' ids."""
        if isinstance(group, str):
            number = self.group_of(group)
            if number is None:
                raise ValueError(f"sample {group!r} is in no duplicate group")
            group = number
        if isinstance(group, bool) or not isinstance(group, (int, np.integer)):
            raise TypeError(f"group must be a group number or a sample id, got {group!r}")
        self._sync()
        if int(group) not in self._by_label:
            shown = self._labels if len(self._labels) <= 20 else f"{self._labels[:20]}..."
            raise ValueError(f"no group {group}; the groups are {shown}")
        return int(group)

    def group_duplicates(self, group: int | str) -> list[str]:
        """The duplicates of one group (by number, or by any of its samples' ids), not the kept
        sample: what a "select this group's duplicates" gesture selects."""
        return [self._ids[r] for r in self._by_label[self._label(group)][1:]]

    def group_excluded(self, group: int | str) -> list[str]:
        """The samples marked "not a duplicate" that are shown with this group (by number, or
        by any of its samples' ids): each is shown with the group of its closest pair."""
        rows = self._excluded_by_group.get(self._label(group), [])
        return [self._ids[r] for r in rows]

    def roles(self, sample_ids: Iterable[str]) -> list[tuple[str, float | None] | None]:
        """What each sample is in the review, as the ``dup_type`` and ``dup_distance`` fields
        say: ``("kept", None)``, ``("duplicate", distance)``, ``("excluded", distance)``, or
        None (in no group, deleted, or not one of the index's samples). O(1) per id, for a
        grid that asks about the tiles it draws."""
        self._sync()
        out: list[tuple[str, float | None] | None] = []
        for sample_id in sample_ids:
            row = self._pos.get(sample_id)
            if row is None or self._gone[row]:
                out.append(None)
                continue
            label = int(self._group_of[row])
            if label >= 0:
                kept = self._by_label[label][0] == row
                out.append(("kept", None) if kept else ("duplicate", self._dist[row]))
            elif row in self._excluded_group:
                out.append(("excluded", self._dist.get(row)))
            else:
                out.append(None)
        return out

    def keep(self, sample_id: str) -> None:
        """Keep this sample in its group (the others become its duplicates)."""
        self._sync()
        row = self._row(sample_id)
        group = self.group_of(sample_id)
        if group is None:
            raise ValueError(f"sample {sample_id!r} is in no duplicate group; nothing to keep")
        members = {self._ids[r] for r in self._by_label[group]}
        self._kept_choice -= members
        self._kept_choice.add(sample_id)
        self._excluded.discard(sample_id)
        self._review_changed([row])

    def exclude(self, sample_ids: str | Iterable[str]) -> None:
        """Mark samples "not a duplicate": they leave their groups (and are never deleted as
        duplicates) at this and every later threshold, until :meth:`include`."""
        self._sync()
        ids = _id_list(sample_ids)
        rows = [self._row(sample_id) for sample_id in ids]
        self._excluded.update(ids)
        self._kept_choice.difference_update(ids)
        self._review_changed(rows)

    def include(self, sample_ids: str | Iterable[str]) -> None:
        """Undo :meth:`exclude` for these samples."""
        self._sync()
        ids = _id_list(sample_ids)
        rows = [self._row(sample_id) for sample_id in ids]
        self._excluded.difference_update(ids)
        self._review_changed(rows)

    def _review_changed(self, rows: list[int]) -> None:
        """After a decision (each starts with :meth:`_sync`): regroup, write, save."""
        if rows:
            self._write_fields(self._regroup_rows(np.asarray(rows, dtype=np.int64)))
            self._seen = self._samples.revision  # our own writes are no deletions
        if self.brain_key is not None:
            self.save()

    def _sync(self) -> None:
        """Samples deleted from the dataset since the last call leave their groups, as if
        excluded (and as loading the run again would drop them): ``duplicate_ids`` never
        names a deleted sample. Checked when the dataset changed, and then only for the rows
        in groups or excluded (a deletion elsewhere changes no group)."""
        samples = self._samples
        if samples.revision == self._seen:
            return
        watched = self._group_of >= 0
        watched[[self._pos[i] for i in self._excluded]] = True
        watched &= ~self._gone
        rows = np.flatnonzero(watched)
        ids = self._ids
        alive = dataset_of(samples).positions_of([ids[r] for r in rows]) >= 0
        newly = rows[~alive]
        if len(newly):
            self._gone[newly] = True
            self._write_fields(self._regroup_rows(newly))
        self._seen = samples.revision  # after the writes: they are not deletions

    def _row(self, sample_id: str) -> int:
        row = self._pos.get(sample_id) if isinstance(sample_id, str) else None
        if row is None:
            raise ValueError(f"sample {sample_id!r} is not one of this index's samples")
        return row

    def _regroup_rows(self, touched: np.ndarray) -> set[int]:
        """Regroup after a review decision (or a deletion) on rows ``touched``, touching only
        the groups those rows were in or join; returns the rows whose fields may change.

        A group keeps its number (the one most of its members had; new groups get new
        numbers), so headers in a grid do not jump. The result is the grouping a full
        regroup would give: pairs that change are all incident to ``touched``, so no group
        reaches outside the region of those rows, their neighbours and all their groups.
        """
        n = len(self._ids)
        near = (self._d <= self._thresh) | self._exact
        hit = np.zeros(n, dtype=bool)
        hit[touched] = True
        joined = near & (hit[self._a] | hit[self._b])
        region = set(np.concatenate([touched, self._a[joined], self._b[joined]]).tolist())
        old = {int(self._group_of[r]) for r in region}
        old |= {self._excluded_group.get(int(r), -1) for r in touched}
        old.discard(-1)
        for label in old:
            region.update(self._by_label[label])
        rows = np.array(sorted(region), dtype=np.int64)
        a, b, d = self._live_pairs()
        groups, dists = fog.build_groups(n, a, b, d, self._choose, rows=rows)
        groups.sort(key=lambda g: (min(dists[r] for r in g[1:]), min(g)))
        next_label = max(self._labels, default=-1) + 1
        used = set(self._by_label) - old
        fresh = []
        for g in groups:
            before = self._group_of[g]
            before = before[before >= 0]
            label = None
            if len(before):
                values, counts = np.unique(before, return_counts=True)
                for k in np.argsort(-counts, kind="stable").tolist():
                    if int(values[k]) not in used:
                        label = int(values[k])
                        break
            if label is None:
                label, next_label = next_label, next_label + 1
            used.add(label)
            fresh.append((label, g))
        for label in old:
            del self._by_label[label]
        self._group_of[rows] = -1
        for label, g in fresh:
            self._by_label[label] = g
            self._group_of[g] = label
        self._dist.update(dists)
        self._labels = sorted(self._by_label)
        self._groups = [self._by_label[label] for label in self._labels]
        shown_before = set(self._excluded_group)
        self._attach_excluded()
        return region | shown_before | set(self._excluded_group)

    def _attach_excluded(self) -> None:
        """Show each excluded sample with the group of its closest pair within thresh."""
        self._excluded_group = {}
        self._excluded_by_group = {}
        if not self._excluded:
            return
        out = np.zeros(len(self._ids), dtype=bool)
        out[[self._pos[i] for i in self._excluded]] = True
        out &= ~self._gone
        near = ((self._d <= self._thresh) | self._exact) & (out[self._a] | out[self._b])
        within = np.flatnonzero(near)
        order = within[np.argsort(self._d[within], kind="stable")]
        for k in order.tolist():
            for x, y in ((self._a[k], self._b[k]), (self._b[k], self._a[k])):
                x = int(x)
                if out[x] and x not in self._excluded_group:
                    group = int(self._group_of[y])
                    if group >= 0:
                        self._excluded_group[x] = group
                        self._excluded_by_group.setdefault(group, []).append(x)
                        self._dist[x] = float(self._d[k])


def _id_list(sample_ids: str | Iterable[str]) -> list[str]:
    if isinstance(sample_ids, str):
        return [sample_ids]
    return [getattr(s, "id", s) for s in sample_ids]
