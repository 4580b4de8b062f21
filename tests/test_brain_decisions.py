"""Review decisions on a NearDuplicateIndex (fo_lite.brain.decisions): each regroups only the
groups it touches, agrees with a full regroup, writes only its rows; what each sample is in
the review; samples deleted from the dataset leave their groups."""

from __future__ import annotations

import numpy as np
import pytest
from brain_support import synthetic_index  # same folder: pytest puts it on sys.path

from fo_lite.brain.results import NearDuplicateIndex


def as_sets(index) -> set[tuple]:
    return {(g[0], frozenset(g[1:])) for g in index.groups.values()}


def largest_group(index) -> tuple[int, list[str]]:
    return max(index.groups.items(), key=lambda kv: (len(kv[1]), -kv[0]))


def test_decisions_agree_with_a_full_regroup_and_keep_other_numbers():
    index = synthetic_index(3000, 400, seed=1, name="decisions_synth")
    index.duplicates_view()
    rng = np.random.default_rng(2)
    ids = index.samples.values("id")
    for step in range(60):
        numbers = dict(index.groups)
        number = int(rng.choice(list(numbers)))
        members = numbers[number]
        kind = step % 3
        if kind == 0:
            index.keep(members[int(rng.integers(len(members)))])
        elif kind == 1:
            index.exclude(members[int(rng.integers(len(members)))])
        elif index.excluded_ids:  # back in: may join several groups into one
            index.include(index.excluded_ids[int(rng.integers(len(index.excluded_ids)))])
        state = index.state()
        fresh = NearDuplicateIndex(
            index.samples,
            ids,
            state["a"],
            state["b"],
            state["distance"],
            state["exact"],
            index.config,
            kept_choice=state["kept_choice"],
            excluded=state["excluded"],
        )
        assert as_sets(index) == as_sets(fresh), f"step {step}"
        assert index.neighbors_map == fresh.neighbors_map
        if kind < 2:  # a decision inside group `number` leaves every other group as it was
            after = index.groups
            assert {k: g for k, g in numbers.items() if k != number} == {
                k: g for k, g in after.items() if k in numbers and k != number
            }
    # the fields say what the index says, for every sample
    types = [r[0] if r else None for r in index.roles(ids)]
    assert types == index.samples.values("dup_type")
    distances = [r[1] if r and r[0] != "kept" else None for r in index.roles(ids)]
    written = index.samples.values("dup_distance")
    assert [None if d is None else round(d, 4) for d in distances] == written


def test_a_decision_writes_only_its_groups_rows(monkeypatch):
    index = synthetic_index(100_000, 10_000, seed=3, name="decisions_big")
    dataset = index.samples
    index.duplicates_view()
    written = []
    view_type = type(dataset.view())
    set_values = view_type.set_values

    def counting(self, field, values):
        written.append(len(values))
        return set_values(self, field, values)

    monkeypatch.setattr(view_type, "set_values", counting)
    number, members = largest_group(index)
    index.keep(members[-1])
    assert index.groups[number][0] == members[-1]
    assert written and max(written) <= len(members), written
    written.clear()
    index.exclude(members[0])
    assert written and max(written) <= len(members), written


def test_roles_and_a_groups_members():
    index = synthetic_index(200, 30, seed=4, name="decisions_roles")
    number, members = largest_group(index)
    kept, dups = members[0], members[1:]
    distance = dict(index.neighbors_map[kept])
    assert index.roles([kept, dups[0], "nope"]) == [
        ("kept", None),
        ("duplicate", distance[dups[0]]),
        None,
    ]
    assert index.group_duplicates(number) == dups == index.group_duplicates(dups[-1])
    assert index.group_excluded(number) == []
    index.exclude(dups[0])
    assert index.roles([dups[0]])[0][0] == "excluded"
    assert dups[0] in index.group_excluded(index.group_of(dups[0]))
    with pytest.raises(ValueError, match="no group 9999"):
        index.group_excluded(9999)
    with pytest.raises(TypeError, match="group number or a sample id"):
        index.group_duplicates(1.5)


def test_deleted_samples_leave_their_groups():
    index = synthetic_index(500, 60, seed=5, name="decisions_deleted")
    dataset = index.samples
    view = index.duplicates_view()
    big = [(n, g) for n, g in index.groups.items() if len(g) >= 3]
    pairs = [(n, g) for n, g in index.groups.items() if len(g) == 2]
    (n_big, big), (n_pair, pair) = big[0], pairs[0]
    dataset.delete_samples([big[0], pair[1]])  # a kept sample, and a pair's duplicate
    assert big[0] not in index.duplicate_ids and pair[1] not in index.duplicate_ids
    assert index.groups[n_big][0] in big[1:], "another sample of the group is kept"
    assert n_pair not in index.groups and index.group_of(pair[0]) is None
    assert index.roles([big[0], pair[0]]) == [None, None]
    assert dataset[pair[0]]["dup_group"] is None, "the fields follow"
    assert pair[0] not in view.values("id")
    kept = [g[0] for g in index.groups.values()]
    dups = index.duplicate_ids
    left = len(dataset) - len(dups)
    dataset.delete_samples(dups)  # never names a deleted sample
    assert index.duplicate_ids == [] and index.groups == {} and len(dataset) == left
    assert set(kept) <= set(dataset.values("id")), "one sample of each group is left"


def test_a_deletion_is_seen_when_an_addition_keeps_the_size():
    import fo_lite as fo

    index = synthetic_index(300, 30, seed=6, name="decisions_same_size")
    dataset = index.samples
    pair = next(g for g in index.groups.values() if len(g) == 2)
    dataset.delete_samples([pair[1]])
    dataset.add_sample(fo.Sample(filepath="/nowhere/new.jpg"))  # the size is what it was
    assert pair[1] not in index.duplicate_ids
    assert index.group_of(pair[0]) is None
