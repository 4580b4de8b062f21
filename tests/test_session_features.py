"""The grid's features on the Python side: group bands, the sidebar and its filters, tagging,
the expanded view and decorations, driven by simulated front-end messages."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from session_frontend import FrontEnd

import fo_lite as fo
from fo_lite.session import Session
from fo_lite.session.decorations import Decorations, display_of, display_with
from fo_lite.session.groups import group_rows

LABELS = ["cat", "dog", "cat", "bird", "dog", "cat", None, "bird", "cat", "dog"]


@pytest.fixture
def dataset(tmp_path, request):
    samples = []
    for i, label in enumerate(LABELS):
        path = tmp_path / f"{i}.jpg"
        Image.new("RGB", (40 + i, 30), (20 * i, 90, 150)).save(path, "JPEG")
        samples.append((str(path), label))
    ds = fo.Dataset.from_image_classification_samples(samples, name=f"feat_{request.node.name}")
    ds.set_values("split", ["train" if i % 3 else "val" for i in range(len(LABELS))])
    ds.set_values("score", [i / 10 for i in range(len(LABELS))])
    ds.set_values("reviewed", [i % 2 == 0 for i in range(len(LABELS))])
    ds.set_values("file_hash", [f"h{i}" for i in range(len(LABELS))])
    return ds


@pytest.fixture
def fe(dataset):
    return FrontEnd(Session(dataset))


def groups_of(fe) -> tuple[dict, list[int]]:
    reply, buffers = fe.request("groups")
    starts = np.frombuffer(buffers[0], dtype="<i4").tolist()
    assert reply["count"] == len(starts)
    return reply, starts


# -- groups ----------------------------------------------------------------------------------
def test_group_by_sorts_rows_into_bands_with_headers(fe, dataset):
    fe.session.group_by = "ground_truth"
    assert fe.state("grouped") is True and fe.state("group_by") == "ground_truth.label"
    _, starts = groups_of(fe)
    assert starts == [0, 1, 3, 7]  # None, bird x2, cat x4, dog x3
    page, _ = fe.request("page", start=0, stop=10)
    ids = dataset.values("id")
    by_label = dataset.view().sort_by("ground_truth.label")
    assert page["ids"] == by_label.values("id")
    assert page["labels"] == [None, "bird", "bird", "cat", "cat", "cat", "cat", "dog", "dog", "dog"]
    assert [(h["start"], h["count"], h["text"]) for h in page["heads"]] == [
        (0, 1, None),
        (1, 2, "bird"),
        (3, 4, "cat"),
        (7, 3, "dog"),
    ]
    cats = [ids[i] for i, label in enumerate(LABELS) if label == "cat"]
    assert page["ids"][3:7] == cats, "the view's order is kept within a group"
    assert fe.session.view is None, "grouping does not change session.view"
    # gestures name rows of the grouped order
    fe.gesture("range", version=fe.version, start=3, stop=7)
    assert fe.session.selected == cats
    fe.gesture("toggle", version=fe.version, index=0, id=page["ids"][0])
    assert fe.session.selected == [*cats, ids[6]]
    fe.session.group_by = None
    assert fe.state("grouped") is False
    assert fe.request("page", start=0, stop=3)[0]["ids"] == ids[:3]


def test_a_pushed_first_page_of_a_grouped_view_comes_after_its_groups(fe, dataset):
    fe.session.group_by = "split"
    fe.request("page", start=0, stop=5)  # a grid is showing
    before = len(fe.replies)
    fe.session.view = dataset.view().limit(6)
    pushed = [c for c, _ in fe.replies[before:] if c.get("request_id", "x") is None]
    assert [c["type"] for c in pushed] == ["groups", "page"]
    assert pushed[0]["version"] == pushed[1]["version"] == fe.version
    assert [h["text"] for h in pushed[1]["heads"]] == ["train", "val"]


def test_group_by_rejects_unknown_and_list_fields(fe):
    with pytest.raises(ValueError, match="group_by 'nope' is not a field"):
        fe.session.group_by = "nope"
    with pytest.raises(ValueError, match="not a list"):
        fe.session.group_by = "tags"


def test_groups_at_a_million_rows_come_from_counts():
    n = 1_000_000
    labels = [f"class_{i % 97:02d}" for i in range(n)]
    ds = fo.Dataset.from_image_classification_samples(
        [(f"/nowhere/{i}.jpg", labels[i]) for i in range(n)], name="feat_groups_1m"
    )
    shown, groups = group_rows(ds, "ground_truth.label")
    assert len(groups) == 97 and groups.values[0] == "class_00"
    assert groups.count(0) == len(range(0, n, 97))
    assert int(groups.starts[-1]) == n - groups.count(96)
    first = shown.rows(int(groups.starts[50]), int(groups.starts[50]) + 2, ["ground_truth.label"])
    assert first["ground_truth.label"] == ["class_50", "class_50"]


def test_groups_from_the_sorted_values_agree_with_groups_from_counts(dataset, monkeypatch):
    from fo_lite.session import groups as groups_module

    fast = group_rows(dataset.view(), "split")[1]
    monkeypatch.setattr(groups_module, "_from_counts", lambda *a: None)
    shown, groups = group_rows(dataset.view(), "split")
    assert groups.starts.tolist() == fast.starts.tolist() and groups.values == fast.values
    shown, groups = group_rows(dataset.view(), "ground_truth.label")
    values = shown.values("ground_truth.label")
    for g in range(len(groups)):
        start = int(groups.starts[g])
        assert values[start : start + groups.count(g)] == [groups.values[g]] * groups.count(g)
    assert sum(groups.count(g) for g in range(len(groups))) == len(LABELS)


# -- sidebar and filters -----------------------------------------------------------------------
def sections(fe) -> dict[str, dict]:
    reply, _ = fe.request("sidebar")
    if reply["type"] == "stale":  # the dataset changed since the grid drew: ask again, as it does
        reply, _ = fe.request("sidebar")
    assert reply["type"] == "sidebar"
    return {f["path"]: f for f in reply["fields"]}


def test_sidebar_counts_labels_tags_few_valued_strings_bools_and_numeric_bounds(fe, dataset):
    dataset.view().limit(3).tag_samples("dup")
    side = sections(fe)
    assert list(side) == ["ground_truth.label", "tags", "split", "score", "reviewed"]
    label = side["ground_truth.label"]
    assert label["kind"] == "values" and label["values"][:3] == [
        ["cat", 4],
        ["dog", 3],
        ["bird", 2],
    ]
    assert [None, 1] in label["values"]
    assert side["tags"]["values"] == [["dup", 3]]
    assert side["split"]["values"] == [["train", 6], ["val", 4]]
    assert side["reviewed"]["values"] == [[False, 5], [True, 5]]  # ties: by text
    assert side["score"] == {**side["score"], "kind": "bounds", "bounds": ["0", "0.9"]}
    assert "file_hash" not in side and "filepath" not in side and "id" not in side
    sample = dataset.first()
    sample["ground_truth"] = fo.Classification(label="cat", confidence=0.25)
    sample.save()
    side = sections(fe)
    assert side["ground_truth.confidence"]["bounds"] == ["0.25", "0.25"]


def test_sidebar_skips_fields_of_too_many_distinct_values_without_counting_them(monkeypatch):
    from fo_lite.session import sidebar

    monkeypatch.setattr(sidebar, "PROBE_ROWS", 50)
    monkeypatch.setattr(sidebar, "MAX_LABELS", 20)
    ds = fo.Dataset.from_image_classification_samples(
        [(f"/x/{i}.jpg", f"s{i}") for i in range(200)], name="feat_unique_labels"
    )
    ds.set_values("split", ["a" if i % 2 else "b" for i in range(200)])
    counted = []
    original = type(ds).count_values
    monkeypatch.setattr(
        type(ds),
        "count_values",
        lambda self, f: counted.append((len(self), f)) or original(self, f),
    )
    fields = sidebar.sidebar_fields(ds, ds, sidebar.Filters(), "ground_truth")
    assert [f["path"] for f in fields] == ["tags", "split"]
    assert (200, "ground_truth.label") not in counted, "only the probe counted the labels"


def test_filters_make_real_views_or_within_a_field_and_across_fields(fe, dataset):
    ids = dataset.values("id")
    fe.session.selected = ids[:2]
    fe.gesture("filter", field="ground_truth.label", values=["cat", "dog"])
    view = fe.session.view
    assert [s.to_dict() for s in view.stages] == [
        {"_stage": "match", "kwargs": {"filter": {"ground_truth.label": {"$in": ["cat", "dog"]}}}}
    ]
    assert len(view) == 7 and fe.state("filtered") is True
    assert fe.session.selected == ids[:2], "filtering keeps the selection"
    fe.gesture("filter", field="split", values=["val"])
    assert sorted(fe.session.view.values("id")) == sorted(
        i
        for i, label, k in zip(ids, LABELS, range(10), strict=True)
        if label in ("cat", "dog") and k % 3 == 0
    )
    assert fe.session.filters == {"ground_truth.label": ["cat", "dog"], "split": ["val"]}
    # faceted counts: the label field is counted without its own filter
    side = sections(fe)
    assert side["ground_truth.label"]["active"] == ["cat", "dog"]
    assert dict(map(tuple, side["ground_truth.label"]["values"]))["bird"] == 1
    assert side["split"]["values"] == [["train", 5], ["val", 2]]  # under the label filter
    assert side["split"]["active"] == ["val"]
    fe.gesture("filter", field="split", values=[])
    assert len(fe.session.view) == 7
    fe.gesture("clear-filters")
    assert fe.session.view is None and fe.state("filtered") is False
    assert fe.session.selected == ids[:2]


def test_filters_apply_on_top_of_the_users_view_and_clear_back_to_it(fe, dataset):
    base = dataset.view().skip(2)
    fe.session.view = base
    dataset.view().limit(4).tag_samples("dup")
    fe.gesture("filter", field="tags", values=["dup"])
    view = fe.session.view
    assert [s.to_dict()["_stage"] for s in view.stages] == ["skip", "match_tags"]
    assert view.values("id") == dataset.values("id")[2:4]
    fe.gesture("filter", field="ground_truth.label", values=[None])
    assert len(fe.session.view) == 0
    fe.gesture("clear-filters")
    assert fe.session.view == base
    fe.gesture("filter", field="split", values=["val"])
    fe.session.view = dataset.view().limit(5)  # the user's own view: filters start over
    assert fe.session.filters == {} and fe.state("filtered") is False


def test_filter_on_a_field_the_sidebar_does_not_show_is_refused(fe, caplog):
    done = fe.gesture("filter", field="filepath", values=["x"])
    assert fe.session.view is None
    assert "not a field the sidebar shows" in caplog.text
    assert "not a field the sidebar shows" in done["message"], "answered: the grid stops waiting"


def test_a_gesture_that_fails_in_python_is_still_answered(fe, dataset, monkeypatch, caplog):
    def broken(self, tags):
        raise OSError("disk full")

    monkeypatch.setattr(type(dataset.view()), "tag_samples", broken)
    fe.session.selected = dataset.values("id")[:1]
    done = fe.gesture("tag", tags=["dup"], remove=False)
    assert done["type"] == "done" and done["message"] == "OSError: disk full"
    assert "could not answer the grid's 'tag' message" in caplog.text


def test_show_selected_and_back_restores_the_filters(fe, dataset):
    ids = dataset.values("id")
    fe.gesture("filter", field="split", values=["train"])
    fe.session.selected = [ids[1], ids[2]]
    fe.gesture("show-selected")
    assert sorted(fe.session.view.values("id")) == sorted([ids[1], ids[2]])
    assert fe.session.filters == {} and fe.state("showing_selected") is True
    fe.gesture("show-selected")
    assert fe.session.filters == {"split": ["train"]} and len(fe.session.view) == 6


# -- tags -------------------------------------------------------------------------------------
def test_tagging_the_selection_from_the_grid(fe, dataset):
    ids = dataset.values("id")
    done = fe.gesture("tag", tags=["dup", " "], remove=False)
    assert done["type"] == "done" and "select samples" in done["message"]
    fe.session.selected = [ids[1], ids[4]]
    version = fe.version
    done = fe.gesture("tag", tags=["dup", "check"], remove=False)
    assert done["message"] is None
    assert dataset.match_tags("dup").values("id") == [ids[1], ids[4]]
    assert fe.version > version, "the grid redraws the tagged tiles"
    page, _ = fe.request("page", start=0, stop=5)
    assert page["tags"][1] == ["dup", "check"] and page["tags"][0] == []
    assert sections(fe)["tags"]["values"] == [["check", 2], ["dup", 2]]
    fe.gesture("tag", tags=["check"], remove=True)
    assert dataset.values("tags")[4] == ["dup"]
    assert fe.session.selected == [ids[1], ids[4]], "tagging keeps the selection"


# -- expanded view ----------------------------------------------------------------------------
def test_detail_by_index_follows_the_shown_order_and_fits_the_image(fe, dataset, tmp_path):
    big = tmp_path / "big.jpg"
    Image.new("RGB", (3000, 2000), (10, 200, 30)).save(big, "JPEG")
    sample = dataset.first()
    sample.filepath = str(big)
    sample.save()
    fe.session.group_by = "ground_truth"
    reply, buffers = fe.request("detail", id=None, index=3, width=700, height=500)
    shown = dataset.view().sort_by("ground_truth.label")
    assert reply["id"] == shown.values("id")[3] and reply["index"] == 3
    assert reply["label"] == "cat"
    reply, buffers = fe.request("detail", id=sample.id, index=None, width=700, height=500)
    assert reply["index"] == shown.values("id").index(sample.id)
    image = Image.open(io.BytesIO(buffers[0]))
    assert max(image.size) == 768, "fitted to the panel (700 px rounded up to 128 px steps)"
    small = dataset.view().skip(1).first()
    reply, buffers = fe.request("detail", id=small.id, index=None, width=3000, height=2000)
    assert buffers[0] == Path(small.filepath).read_bytes(), "a small image is sent as it is"
    reply, _ = fe.request("detail", id=None, index=99, width=700, height=500)
    assert reply["type"] == "error" and "no sample at row 99" in reply["message"]


def test_expanded_is_a_synced_trait_checked_against_the_dataset(fe, dataset):
    sample_id = dataset.values("id")[2]
    fe.session.expanded = sample_id
    assert fe.synced("expanded") == sample_id
    with pytest.raises(ValueError, match="must be the id of a sample"):
        fe.session.expanded = "0" * 24
    fe.session.view = dataset.view().limit(2)
    assert fe.session.expanded is None, "a new view closes the expanded view"


# -- decorations -------------------------------------------------------------------------------
class Review(Decorations):
    def __init__(self, keep):
        self.keep = keep
        self.pressed = []

    def tiles(self, ids):
        return [{"marker": "keep"} if i in self.keep else {"note": "d=0.10"} for i in ids]

    def group(self, path, value, count):
        return {"note": f"{count - 1} dups", "actions": [("dups", "Select duplicates")]}

    def group_action(self, session, path, value, ids, action):
        self.pressed.append((path, value, action))
        session.selected = ids[1:]


def test_decorations_mark_tiles_and_group_actions_reach_python(fe, dataset):
    ids = dataset.values("id")
    review = Review(keep={ids[0]})
    fe.session.group_by = "split"
    fe.session.decorations = review
    page, _ = fe.request("page", start=0, stop=10)
    shown = dataset.view().sort_by("split").values("id")
    assert page["marks"][shown.index(ids[0])] == "keep"
    assert page["notes"][shown.index(ids[1])] == "d=0.10"
    train = page["heads"][0]
    assert train == {
        "start": 0,
        "count": 6,
        "text": "train",
        "note": "5 dups",
        "actions": [["dups", "Select duplicates"]],
    }
    done = fe.gesture("group-action", version=fe.version, start=6, action="dups")
    assert done["type"] == "done" and review.pressed == [("split", "val", "dups")]
    assert fe.session.selected == shown[7:10]
    fe.send(
        {
            "type": "group-action",
            "client": "c",
            "seq": 9,
            "version": fe.version,
            "start": 3,
            "action": "dups",
        }
    )
    assert review.pressed == [("split", "val", "dups")], "no group starts at row 3"


class Explain(Decorations):
    def group_action(self, session, path, value, ids, action):
        return f"nothing to do for {value} " + "x" * 500


def test_a_group_action_may_answer_with_a_message(fe, dataset):
    fe.session.group_by = "split"
    fe.session.decorations = Explain()
    done = fe.gesture("group-action", version=fe.version, start=0, action="go")
    assert done["message"].startswith("nothing to do for train x") and len(done["message"]) == 200


def test_a_view_comes_with_its_display(fe, dataset):
    session = fe.session
    review = Review(keep=set())
    by_split = display_with(dataset.view().sort_by("split"), group_by="split", decorations=review)
    session.group_by = "ground_truth"
    session.view = by_split
    assert session.group_by == "split" and session.decorations is review
    assert fe.state("group_by") == "split"
    page, _ = fe.request("page", start=0, stop=10)
    assert page["notes"][0] == "d=0.10" and page["heads"][0]["note"] == "5 dups"
    fe.gesture("filter", field="split", values=["val"])  # the grid's own views keep it
    assert session.group_by == "split" and len(session.view) == 4
    fe.gesture("clear-filters")
    session.view = dataset.view().limit(3)  # another view: what was there comes back
    assert session.group_by == "ground_truth" and session.decorations is None
    session.view = dataset.view().sort_by("split")  # an equal view finds the display
    assert session.group_by == "split"
    session.decorations = None  # the user's choices while it is shown are kept
    session.view = None
    assert session.decorations is None and session.group_by == "ground_truth"
    other = fo.Dataset.from_image_classification_samples([(dataset.first().filepath, "x")])
    session.group_by = "split"
    session.view = display_with(dataset.view(), group_by="reviewed")
    session.view = other.view()  # "split" is no field of the other dataset: no bands
    assert session.dataset is other and session.group_by is None
    with pytest.raises(TypeError, match="Decorations"):
        display_with(dataset.view(), decorations="marks")
    with pytest.raises(ValueError, match="group_by 'nope' is not a field to group by"):
        display_with(dataset.view().limit(2), group_by="nope")  # at once, not at assignment
    with pytest.raises(ValueError, match="not a field to group by"):
        display_with(dataset.view().limit(2), group_by="tags")  # a list
    assert display_of(dataset.view().limit(2)) is None
    assert display_of(dataset.view().limit(1)) is None
