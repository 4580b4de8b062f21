"""Near duplicates reviewed in the grid (fo_lite.brain.review), driven by simulated front-end
messages: the bands, marks and header buttons, each decision reaching the index and the
fields, deleting what the review selected, only the drawn tiles asked about at 100k samples,
and decisions surviving a restart. The index side of decisions: test_brain_decisions.py."""

from __future__ import annotations

import pytest
from brain_support import near_tree, run_python, synthetic_index  # same folder: on sys.path
from session_frontend import FrontEnd

import fo_lite as fo
import fo_lite.brain as fob
from fo_lite.brain.review import DuplicateReview
from fo_lite.session import Session


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return near_tree(tmp_path_factory, size=80, seed=5, near_fraction=0.2, duplicate_fraction=0.05)


@pytest.fixture
def review(tree):
    """A dataset, its index, and a session showing ``index.duplicates_view()``."""
    dataset = fo.Dataset.from_dir(tree)
    index = fob.compute_near_duplicates(dataset, progress=False)
    fe = FrontEnd(Session(dataset))
    fe.session.view = index.duplicates_view()
    return dataset, index, fe


def page(fe: FrontEnd) -> dict:
    reply, _ = fe.request("page", start=0, stop=500)
    assert reply["type"] == "page", reply
    return reply


def band(reply: dict, number: int) -> tuple[dict, list[str]]:
    """The header of group ``number`` in a page, and the ids of its band in grid order."""
    (head,) = [h for h in reply["heads"] if h["text"] == str(number)]
    start = head["start"] - reply["start"]
    return head, reply["ids"][start : start + head["count"]]


def press(fe: FrontEnd, reply: dict, number: int, action: str) -> dict:
    head, _ = band(reply, number)
    return fe.gesture("group-action", version=fe.version, start=head["start"], action=action)


def largest_group(index) -> tuple[int, list[str]]:
    return max(index.groups.items(), key=lambda kv: (len(kv[1]), -kv[0]))


def test_duplicates_view_shows_bands_marks_and_header_buttons(review):
    dataset, index, fe = review
    session = fe.session
    assert session.group_by == "dup_group" and isinstance(session.decorations, DuplicateReview)
    assert fe.state("grouped") is True
    reply = page(fe)
    assert len(reply["heads"]) == len(index.groups)
    distance = {d: x for pairs in index.neighbors_map.values() for d, x in pairs}
    for number, members in index.groups.items():
        head, ids = band(reply, number)
        assert ids == members, "the kept sample first, then its duplicates by distance"
        n = len(members) - 1
        assert head["note"] == f"{n} duplicate{'' if n == 1 else 's'}"
        assert head["actions"] == [
            ["select-duplicates", "Select duplicates"],
            ["keep", "Keep selected"],
            ["exclude", "Not a duplicate"],
        ]
        first = reply["ids"].index(members[0])
        assert reply["marks"][first] == "kept" and reply["notes"][first] is None
        for dup in members[1:]:
            k = reply["ids"].index(dup)
            assert reply["marks"][k] is None
            assert reply["notes"][k] == f"d={distance[dup]:.3f}"


def test_keep_selected_makes_another_sample_the_kept_one(review):
    dataset, index, fe = review
    number, members = largest_group(index)
    kept, other = members[0], members[-1]
    fe.session.selected = [other, members[1]]
    done = press(fe, page(fe), number, "keep")
    assert done["message"] == f"select the one sample of group {number} to keep (2 selected)"
    assert index.groups[number][0] == kept, "nothing changed"
    fe.session.selected = [other]
    done = press(fe, page(fe), number, "keep")
    assert done == {"type": "done", "ack": done["ack"], "message": None}
    assert index.groups[number][0] == other
    assert other not in index.duplicate_ids and kept in index.duplicate_ids
    assert fe.session.selected == [], "a sample just kept is not left selected for deletion"
    assert dataset[other]["dup_type"] == "kept" and dataset[kept]["dup_type"] == "duplicate"
    reply = page(fe)  # the grid asks again: the new kept sample leads its band, marked
    _, ids = band(reply, number)
    assert ids[0] == other and reply["marks"][reply["ids"].index(other)] == "kept"
    assert reply["notes"][reply["ids"].index(kept)].startswith("d=")


def test_not_a_duplicate_and_back_in_group(review):
    dataset, index, fe = review
    number, members = largest_group(index)
    assert len(members) >= 3
    out = members[-1]
    done = press(fe, page(fe), number, "exclude")
    assert "not duplicates first" in done["message"]
    fe.session.selected = [out]
    press(fe, page(fe), number, "exclude")
    assert out not in index.duplicate_ids and index.excluded_ids == [out]
    assert fe.session.selected == []
    reply = page(fe)
    head, ids = band(reply, number)
    assert out in ids, "shown with the group, marked"
    assert reply["notes"][reply["ids"].index(out)] == "not a duplicate"
    n = len(members) - 2
    assert head["note"] == f"{n} duplicate{'' if n == 1 else 's'}, 1 not"
    assert head["actions"][-1] == ["include", "Back in group"]
    assert dataset[out]["dup_type"] == "excluded"
    fe.session.selected = [members[0]]  # not an excluded sample: nothing to put back
    done = press(fe, reply, number, "include")
    assert "marked 'not a duplicate' first" in done["message"] and out in index.excluded_ids
    fe.session.selected = [out, members[0]]
    press(fe, reply, number, "include")
    assert out in index.duplicate_ids and index.excluded_ids == []
    assert fe.session.selected == [members[0]], "only the samples acted on leave the selection"


def test_select_a_groups_duplicates_then_delete_exactly_them(review):
    dataset, index, fe = review
    number, members = largest_group(index)
    other_number = next(n for n in index.groups if n != number)
    other = index.groups[other_number]
    fe.session.selected = [other[0]]
    press(fe, page(fe), number, "select-duplicates")
    assert fe.session.selected == [other[0], *members[1:]], "added, in grid order"
    fe.session.selected = fe.session.selected[1:]
    before = set(dataset.values("id"))
    dataset.delete_samples(fe.session.selected)
    assert set(dataset.values("id")) == before - set(members[1:])
    # the index follows: the deleted samples are no duplicates any more, the group is gone
    assert not set(members[1:]) & set(index.duplicate_ids)
    assert number not in index.groups and index.group_of(members[0]) is None
    fe.session.refresh()
    reply = page(fe)
    assert members[0] not in reply["ids"] and str(number) not in [h["text"] for h in reply["heads"]]
    # the rest of the duplicates, by the index: one sample of each group is left
    rest = index.duplicate_ids
    left = {n: g[0] for n, g in index.groups.items()}
    dataset.delete_samples(rest)
    assert set(dataset.values("id")) == before - set(members[1:]) - set(rest)
    assert all(i in set(dataset.values("id")) for i in left.values())
    assert index.duplicate_ids == []


def test_another_view_puts_group_by_and_decorations_back(review):
    dataset, index, fe = review
    session = fe.session
    session.view = None
    assert session.group_by is None and session.decorations is None
    session.group_by = "ground_truth"
    session.view = index.duplicates_view()
    assert session.group_by == "dup_group"
    session.view = dataset.view().limit(5)
    assert session.group_by == "ground_truth"
    assert session.decorations is None
    session.view = index.duplicates_view()
    session.group_by = None  # the user's choice while the review is shown stays
    session.view = None
    assert session.group_by is None
    # a session made with the view, or one launched with it, shows the review
    shown = Session(view=index.duplicates_view())
    assert shown.group_by == "dup_group" and shown.decorations is not None
    shown.view = None
    assert shown.group_by is None and shown.decorations is None


def test_a_sidebar_filter_keeps_the_review(review):
    dataset, index, fe = review
    reply = page(fe)
    fe.gesture("filter", field="dup_type", values=["duplicate"])
    assert fe.session.group_by == "dup_group" and fe.session.decorations is not None
    shown = page(fe)
    assert set(shown["ids"]) == set(index.duplicate_ids)
    assert all(note.startswith("d=") for note in shown["notes"])
    number, members = largest_group(index)
    press(fe, shown, number, "select-duplicates")
    assert fe.session.selected == members[1:]
    assert len(reply["ids"]) > len(shown["ids"])


def test_at_100k_samples_the_grid_asks_about_the_tiles_it_draws_only(monkeypatch):
    index = synthetic_index(100_000, 10_000, seed=3, name="review_big")
    fe = FrontEnd(Session(index.samples))
    fe.session.view = index.duplicates_view()
    asked = []
    roles = index.roles
    monkeypatch.setattr(index, "roles", lambda ids: asked.append(len(ids)) or roles(ids))
    reply = page(fe)
    assert asked == [500] and len(reply["ids"]) == 500 and reply["length"] > 20_000
    number, members = largest_group(index)
    fe.session.selected = [members[-1]]
    press(fe, reply, number, "keep")
    assert index.groups[number][0] == members[-1] and asked == [500]
    fe.request("page", start=20_000, stop=20_060)
    assert asked == [500, 60]


def test_review_decisions_survive_a_restart(tmp_path, tree):
    """One process reviews in the grid (keep another, not a duplicate); a new one loads the
    dataset and the run, shows the duplicates view, and the grid shows the same."""
    code = f"""
        import json, sys
        sys.path.insert(0, "tests")
        import fo_lite as fo, fo_lite.brain as fob
        from fo_lite.session import Session
        from session_frontend import FrontEnd

        def shown(fe):
            reply, _ = fe.request("page", start=0, stop=500)
            return [reply["ids"], reply["marks"], reply["notes"], reply["heads"]]

        if sys.argv[1] == "review":
            ds = fo.Dataset.from_dir({tree!r}, name="reviewed", persistent=True)
            index = fob.compute_near_duplicates(ds, brain_key="dups", progress=False)
            fe = FrontEnd(Session(ds))
            fe.session.view = index.duplicates_view()
            number, members = max(index.groups.items(), key=lambda kv: len(kv[1]))
            heads = {{h["text"]: h["start"] for h in shown(fe)[3]}}
            for chosen, action in ((members[-1], "keep"), (members[1], "exclude")):
                fe.session.selected = [chosen]
                fe.gesture("group-action", version=fe.version, start=heads[str(number)],
                           action=action)
        else:
            ds = fo.load_dataset("reviewed")
            index = fob.load_brain_results(ds, "dups")
            fe = FrontEnd(Session(ds))
            fe.session.view = index.duplicates_view()
        print(json.dumps([index.duplicate_ids, index.excluded_ids, shown(fe)]))
    """
    db = tmp_path / "db"
    before = run_python(code, db, "review")
    after = run_python(code, db, "restart")
    assert before[1], "a sample was marked 'not a duplicate'"
    assert after == before
    assert "kept" in before[2][1] and "not a duplicate" in before[2][2]


def test_a_bad_action_or_group_is_answered_not_raised(review):
    dataset, index, fe = review
    reply = page(fe)
    number, _ = largest_group(index)
    done = press(fe, reply, number, "delete-everything")
    assert "no review action 'delete-everything'" in done["message"]
    review_object = fe.session.decorations
    assert review_object.group("dup_group", 10_000, 3) is None  # no such group (any more)
    assert review_object.group("dup_group", "x", 3) is None
    assert review_object.tiles(["0" * 24]) == [None]
