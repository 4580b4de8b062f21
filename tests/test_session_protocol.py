"""The dashboard's Python side, driven by simulated front-end messages through ipywidgets' comm.

A :class:`~session_frontend.FrontEnd` plays the grid (see ``tests/session_frontend.py``).
"""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path

import pytest
import traitlets
from PIL import Image
from session_frontend import FrontEnd

import fo_lite as fo
from fo_lite.session import Session, launch_dashboard, messages, pages

XSS = "<img src=x onerror=alert(1)>"


def _image(path: Path, i: int) -> str:
    Image.new("RGB", (64, 48), (i * 9 % 256, 80, 160)).save(path, "JPEG")
    return str(path)


@pytest.fixture
def images(tmp_path):
    """20 samples: good JPEGs, an XSS label at 3, a corrupt file at 4, a missing file at 5."""
    samples = []
    for i in range(20):
        path = _image(tmp_path / f"{i:02d}.jpg", i)
        label = f"label-{i:02d}"
        if i == 3:
            label = XSS
        if i == 4:
            Path(path).write_bytes(b"corrupt")
        if i == 5:
            path = str(tmp_path / "missing.jpg")
        samples.append((path, label))
    return samples


@pytest.fixture
def dataset(images, request):
    return fo.Dataset.from_image_classification_samples(images, name=f"proto_{request.node.name}")


@pytest.fixture
def fe(dataset):
    return FrontEnd(Session(dataset))


# -- pages -------------------------------------------------------------------------------------
def test_page_has_rows_in_view_order_with_thumbnails_as_binary_buffers(fe, dataset, images):
    content, buffers = fe.request("page", start=0, stop=10)
    ids = dataset.values("id")
    assert content["type"] == "page" and content["length"] == 20
    assert (content["start"], content["stop"]) == (0, 10)
    assert content["ids"] == ids[:10]
    assert content["labels"] == [label for _, label in images[:10]]
    assert content["selected"] == [False] * 10
    assert content["fields"] == [None] * 10
    assert content["broken"][4].startswith("not an image")
    assert content["broken"][5] == "file not found"
    assert content["thumbs"][4] is None and content["thumbs"][5] is None
    good = [i for i in range(10) if i not in (4, 5)]
    assert [content["thumbs"][i] for i in good] == list(range(8))
    assert len(buffers) == 8
    for b in buffers:
        assert Image.open(io.BytesIO(b)).format == "JPEG"
    # the JSON part stays small: images travel as buffers, not base64 text
    assert len(json.dumps(content)) < 3000


def test_a_front_end_without_buffers_gets_them_as_base64_text_from_then_on(fe, dataset):
    """Colab's widget manager has dropped binary buffers: a grid that notices asks ``inline``
    and every reply with images carries them as base64 text, pushed pages too."""
    binary, buffers = fe.request("page", start=0, stop=10)
    assert binary["b64"] is None and len(buffers) == 8
    content, none = fe.request("page", start=0, stop=10, inline=True)
    assert none == [] and [base64.b64decode(b) for b in content["b64"]] == buffers
    assert content["thumbs"] == binary["thumbs"] and content["ids"] == binary["ids"]
    sample = dataset.first()
    detail, none = fe.request("detail", id=sample.id, index=None, width=300, height=300)
    assert none == [] and Image.open(io.BytesIO(base64.b64decode(detail["b64"][0]))).size
    before = len(fe.replies)
    fe.session.view = dataset.view().limit(3)
    pushed = [(c, b) for c, b in fe.replies[before:] if c.get("request_id", "x") is None]
    assert len(pushed) == 1 and pushed[0][1] == [] and len(pushed[0][0]["b64"]) == 3
    fe.session.group_by = "ground_truth.label"
    groups, none = fe.request("groups")
    assert none == [] and len(base64.b64decode(groups["b64"][0])) == 4 * groups["count"] == 12


def test_page_of_a_view_follows_the_view(fe, dataset):
    view = dataset.view().sort_by("ground_truth.label", reverse=True).limit(7)
    fe.session.view = view
    assert fe.state("length") == 7
    content, _ = fe.request("page", start=0, stop=60)
    assert content["ids"] == view.values("id")
    assert content["stop"] == 7
    content, buffers = fe.request("page", start=50, stop=60)
    assert content["ids"] == [] and buffers == []


def test_page_size_is_capped(dataset):
    big = fo.Dataset.from_image_classification_samples(
        [("/nowhere.jpg", "x")] * (messages.MAX_PAGE + 50), name="proto_cap"
    )
    content, _ = FrontEnd(Session(big)).request("page", start=0, stop=10_000)
    assert len(content["ids"]) == messages.MAX_PAGE


def test_tile_field_values_come_as_text(fe, dataset):
    fe.session.tile_field = "filepath"
    content, _ = fe.request("page", start=0, stop=3)
    assert content["fields"] == dataset.values("filepath")[:3]
    with pytest.raises(ValueError, match="not a field.*choose one of"):
        fe.session.tile_field = "no_such_field"
    assert fe.session.tile_field == "filepath"


def test_stale_requests_get_a_stale_reply(fe):
    old = fe.version
    fe.session.view = fe.session.dataset.view().limit(3)
    assert fe.version > old
    content, buffers = fe.request("page", start=0, stop=10, version=old)
    assert content == {
        "type": "stale",
        "request_id": content["request_id"],
        "version": fe.version,
    }
    assert buffers == []


def test_deleting_samples_then_refresh_or_next_request_shows_the_new_rows(fe, dataset):
    ids = dataset.values("id")
    fe.session.selected = [ids[0], ids[10]]
    seen = fe.version
    dataset.delete_samples(ids[:3])
    # the grid's next request notices the change: stale + new version and length synced
    content, _ = fe.request("page", start=0, stop=5, version=seen)
    assert content["type"] == "stale"
    assert fe.state("length") == 17 and fe.state("version") == fe.version > seen
    content, _ = fe.request("page", start=0, stop=5)
    assert content["ids"] == ids[3:8]
    fe.session.refresh()
    assert fe.session.selected == [ids[10]], "refresh drops deleted ids from the selection"
    assert fe.state("selected_count") == 1


# -- gestures ----------------------------------------------------------------------------------
def test_click_toggles_and_python_observers_see_it(fe, dataset):
    ids = dataset.values("id")
    seen = []
    fe.session.observe(lambda change: seen.append(change["new"]), names="selected")
    ack = fe.gesture("toggle", version=fe.version, index=2, id=ids[2])
    assert fe.session.selected == [ids[2]] and seen == [[ids[2]]]
    assert ack["added"] == [ids[2]] and ack["removed"] == [] and ack["count"] == 1
    assert fe.state("selected_count") == 1
    fe.gesture("toggle", version=fe.version, index=7, id=ids[7])
    ack = fe.gesture("toggle", version=fe.version, index=2, id=ids[2])
    assert fe.session.selected == [ids[7]] and ack["removed"] == [ids[2]]
    content, _ = fe.request("page", start=0, stop=10)
    assert [i for i, s in enumerate(content["selected"]) if s] == [7]


def test_selection_messages_carry_a_revision_the_front_end_echoes_with_the_count(fe, dataset):
    ids = dataset.values("id")
    first = fe.gesture("toggle", version=fe.version, index=0, id=ids[0])
    second = fe.gesture("toggle", version=fe.version, index=1, id=ids[1])
    assert (first["count"], second["count"]) == (1, 2)
    assert second["revision"] == first["revision"] + 1
    fe.session.selected = ids[:2]  # the same selection: no new revision
    assert fe.replies[-1][0]["type"] == "selection"
    assert fe.replies[-1][0]["revision"] == second["revision"]
    # what the grid sets after a change (marimo re-runs cells on it): a count and a revision
    echo = {"count": 2, "revision": second["revision"]}
    fe.session.set_state({"_selection": echo})
    assert fe.session._selection == echo
    with pytest.raises(traitlets.TraitError):
        fe.session.set_state({"_selection": {"count": "all", "revision": 1}})
    assert fe.session._selection == echo


def test_space_on_a_tile_not_loaded_yet_names_it_by_index_in_the_current_version(fe, dataset):
    ids = dataset.values("id")
    fe.gesture("toggle", version=fe.version, index=4, id=None)
    assert fe.session.selected == [ids[4]]
    old = fe.version
    fe.session.view = dataset.view().skip(2)
    fe.gesture("toggle", version=old, index=4, id=None)
    assert fe.session.selected == [], "an index of an older version names nothing"


def test_click_on_a_tile_from_an_older_state_is_ignored(fe, dataset):
    ids = dataset.values("id")
    ack = fe.gesture("toggle", version=fe.version, index=2, id=ids[3])  # id moved
    assert fe.session.selected == [] and ack["added"] == []
    old = fe.version
    fe.session.view = dataset.view().skip(1)
    fe.gesture("toggle", version=old, index=2, id=ids[2])
    assert fe.session.selected == []


def test_shift_range_adds_rows_in_view_order(fe, dataset):
    view = dataset.view().sort_by("filepath", reverse=True)
    fe.session.view = view
    vids = view.values("id")
    fe.gesture("toggle", version=fe.version, index=4, id=vids[4])
    ack = fe.gesture("range", version=fe.version, start=2, stop=7)
    assert fe.session.selected == [vids[4], vids[2], vids[3], vids[5], vids[6]]
    assert sorted(ack["added"]) == sorted([vids[2], vids[3], vids[5], vids[6]])
    assert fe.state("selected_count") == 5


def test_select_all_selects_only_the_view_and_clear_empties(fe, dataset):
    ids = dataset.values("id")
    fe.session.view = dataset.view().skip(5).limit(10)
    fe.gesture("select-all")
    assert fe.session.selected == ids[5:15]
    fe.gesture("clear")
    assert fe.session.selected == [] and fe.state("selected_count") == 0


def test_show_selected_shows_the_selection_and_toggles_back(fe, dataset):
    ids = dataset.values("id")
    before = dataset.view().limit(12)
    fe.session.view = before
    fe.session.selected = [ids[9], ids[1]]
    fe.gesture("show-selected")
    assert sorted(fe.session.view.values("id")) == sorted([ids[1], ids[9]])
    assert fe.state("length") == 2 and fe.state("showing_selected") is True
    assert fe.session.selected == [ids[9], ids[1]], "showing the selection keeps it"
    fe.gesture("show-selected")
    assert fe.session.view == before and fe.state("showing_selected") is False


def test_python_selection_reaches_the_grid(fe, dataset):
    ids = dataset.values("id")
    fe.session.selected = [ids[1], ids[3]]
    content, _ = fe.replies[-1]
    assert content["type"] == "selection" and sorted(content["added"]) == sorted([ids[1], ids[3]])
    assert fe.state("selected_count") == 2
    fe.session.select_samples(dataset.view().limit(1))
    assert fe.session.selected == [ids[0]]
    assert set(fe.replies[-1][0]["removed"]) == {ids[1], ids[3]}
    flags, _ = fe.request("flags", start=0, stop=4)
    assert flags["ids"] == ids[:4] and flags["selected"] == [True, False, False, False]


def test_many_selected_ids_send_a_reset_not_a_list(dataset):
    many = fo.Dataset.from_image_classification_samples(
        [(f"/nowhere/{i}.jpg", "x") for i in range(20_000)], name="proto_many"
    )
    fe = FrontEnd(Session(many))
    fe.gesture("select-all")
    content = fe.replies[-1][0]
    assert content["reset"] is True and content["added"] == [] and content["count"] == 20_000
    assert len(json.dumps(content)) < 300
    assert all(len(json.dumps(s)) < 2000 for s in fe.states), "synced state stays small"
    page, _ = fe.request("page", start=19_990, stop=20_000)
    assert page["selected"] == [True] * 10
    assert len(fe.session.selected) == 20_000


# -- detail --------------------------------------------------------------------------------------
def test_detail_lists_every_field_as_text_with_a_large_image(fe, dataset, images):
    sample = dataset.view().skip(3).first()
    sample["file_hash"] = 123
    sample.save()
    content, buffers = fe.request("detail", id=sample.id, index=None, width=800, height=600)
    fields = dict(content["fields"])
    assert content["fields"][0] == ["id", sample.id]
    assert fields["filepath"] == images[3][0]
    assert fields["ground_truth.label"] == XSS
    assert fields["file_hash"] == "123" and "tags" in fields
    assert content["image"] == 0 and Image.open(io.BytesIO(buffers[0])).size == (64, 48)
    dataset.delete_samples([sample.id])
    content, _ = fe.request("detail", id=sample.id, index=None, width=800, height=600)
    assert content["type"] == "error" and "no longer" in content["message"]


# -- malformed messages ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        "not a dict",
        None,
        {"no": "type"},
        {"type": "launch-missiles"},
        {"type": ["page"]},
        {"type": "page", "request_id": "x", "version": 0, "start": -1, "stop": 5},
        {"type": "page", "request_id": "x", "version": 0, "start": 5, "stop": 1},
        {"type": "page", "request_id": "x", "version": True, "start": 0, "stop": 1},
        {"type": "page", "request_id": "", "version": 0, "start": 0, "stop": 1},
        {"type": "page", "request_id": "x" * 10_000, "version": 0, "start": 0, "stop": 1},
        {"type": "page", "request_id": "x", "version": "1", "start": 0, "stop": 1},
        {"type": "toggle", "version": 0, "index": 0},
        {"type": "toggle", "version": 0, "index": 0, "id": {"$ne": 1}},
        {"type": "range", "version": 0, "start": "0", "stop": 3},
        {"type": "detail", "request_id": "x", "version": 0},
    ],
)
def test_malformed_messages_are_logged_not_raised(fe, content, caplog):
    with caplog.at_level(logging.WARNING, logger="fo_lite.session"):
        fe.send(content)  # must not raise
    assert any("malformed message" in r.getMessage() for r in caplog.records), caplog.text
    assert fe.replies == [] and fe.session.selected == []


def test_a_failing_request_answers_with_an_error_and_logs(fe, caplog, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pages, "build_page", boom)
    with caplog.at_level(logging.WARNING, logger="fo_lite.session"):
        content, _ = fe.request("page", start=0, stop=5)
    assert content["type"] == "error" and "disk on fire" in content["message"]
    assert "could not answer" in caplog.text


# -- FiftyOne semantics of the user API ---------------------------------------------------------
def test_selected_is_a_copy_and_validated(fe, dataset):
    ids = dataset.values("id")
    fe.session.selected = [ids[0], ids[0], ids[1]]
    got = fe.session.selected
    assert got == [ids[0], ids[1]]
    got.append("zzz")
    assert fe.session.selected == [ids[0], ids[1]]
    with pytest.raises(TypeError, match="sample ids"):
        fe.session.selected = [1, 2]
    fe.session.select_samples(ids[5])
    assert fe.session.selected == [ids[5]]
    assert fe.session.selected_view.values("id") == [ids[5]]
    fe.session.clear_selected()
    assert fe.session.selected == [] and fe.session.selected_view is None


def test_setting_view_or_dataset_clears_the_selection(fe, dataset, images):
    ids = dataset.values("id")
    fe.session.selected = ids[:2]
    fe.session.view = dataset.view().limit(5)
    assert fe.session.selected == []
    fe.session.selected = ids[:2]
    serial = fe.state("view_serial")
    fe.session.dataset = dataset  # the same dataset again: FiftyOne refreshes and resets
    assert fe.session.view is None and fe.session.selected == []
    assert fe.state("view_serial") > serial and fe.state("length") == 20
    other = fo.Dataset.from_image_classification_samples(images[:4], name="proto_other")
    fe.session.view = other.view().limit(2)  # a view of another dataset switches dataset too
    assert fe.session.dataset is other and fe.state("length") == 2
    fe.session.dataset = dataset
    assert fe.session.view is None and fe.state("length") == 20
    with pytest.raises(TypeError, match="DatasetView or None"):
        fe.session.view = "all of it"
    with pytest.raises(TypeError, match="session.view ="):
        fe.session.dataset = dataset.view()


def test_tile_size_is_bounded(fe):
    fe.session.tile_size = 200
    assert fe.synced("tile_size") == 200
    with pytest.raises(ValueError, match="between 48 and 512"):
        fe.session.tile_size = 5


def test_repr_is_stable_and_the_snapshot_is_its_own_output(dataset):
    session = Session(dataset)
    session.selected = dataset.values("id")[:3]
    text = repr(session)
    assert "0x" not in text and text == repr(session)
    assert "Samples:    20" in text and "Selected:   3" in text
    data, _ = session._repr_mimebundle_()
    assert data["text/plain"] == text
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "text/html" not in data  # nbconvert drops a widget's other formats: its own output
    html = session._take_snapshot()
    assert 'class="fol-snapshot fol-static"' in html  # hidden by grid.css where the grid runs
    assert "20 samples \u00b7 3 selected" in html
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("data:image/jpeg;base64,") == 18  # 20 tiles, 2 broken
    assert "file not found" in html
    assert html == session._take_snapshot()


def test_the_snapshot_trait_holds_the_state_and_first_rows_for_a_grid_without_kernel(dataset):
    fe = FrontEnd(Session(dataset))
    ids = dataset.values("id")
    fe.session.selected = ids[1:2]
    fe.session.view = dataset.view().skip(1)
    fe.session.selected = ids[1:2]
    fe.session._take_snapshot()
    snap = fe.synced("_snapshot")
    assert snap["state"] == fe.synced("_state") and snap["px"] == 64
    page = snap["page"]
    assert page["version"] == fe.version and page["ids"] == ids[1:20]
    assert page["selected"][:2] == [True, False]
    assert page["thumbs"][3:5] == [None, None] and page["broken"][4] == "file not found"
    images = [Image.open(io.BytesIO(base64.b64decode(b))) for b in page["b64"]]
    assert len(images) == 17 and max(max(im.size) for im in images) <= 64
    empty = Session()
    empty._take_snapshot()
    assert empty._snapshot["page"] is None and empty._snapshot["state"]["length"] == 0


@pytest.fixture
def shell():
    """An IPython shell for the test (display() calls _ipython_display_ only in one)."""
    from IPython.core.interactiveshell import InteractiveShell

    yield InteractiveShell.instance()
    InteractiveShell.clear_instance()


def test_display_shows_the_grid_then_the_snapshot_as_a_second_output(dataset, shell):
    from IPython.display import display
    from IPython.utils.capture import capture_output

    session = Session(dataset)
    fe = FrontEnd(session)
    with capture_output() as captured:
        display(session)
    first, second = (out.data for out in captured.outputs)
    assert "application/vnd.jupyter.widget-view+json" in first and "text/html" not in first
    assert list(second) == ["text/html"] and "fol-static" in second["text/html"]
    pushed = [c for c, _ in fe.replies if c.get("request_id", "x") is None]
    assert len(pushed) == 1 and pushed[0]["ids"] == dataset.values("id")  # the live first page
    assert fe.synced("_snapshot")["page"]["ids"] == dataset.values("id")


def test_launch_dashboard_returns_a_session_for_a_view(dataset):
    view = dataset.view().limit(4)
    session = launch_dashboard(view=view, tile_field="filepath")
    assert isinstance(session, Session) and session.dataset is dataset and session.view == view
    assert session._state["length"] == 4 and session.tile_field == "filepath"
    assert "Clicks" in launch_dashboard.__doc__ and "idle" in launch_dashboard.__doc__
    empty = Session()
    assert empty._state["length"] == 0 and "(none)" in repr(empty)


def test_front_end_assets_are_found_and_render_text_only():
    session = Session()
    assert "export default" in session._esm and "render" in session._esm
    assert ".fol-root" in session._css and "--jp-layout-color1" in session._css
    assert "innerHTML" not in session._esm and "insertAdjacentHTML" not in session._esm


def test_saved_outputs_do_not_depend_on_random_ids(images):
    def bundle():
        ds = fo.Dataset.from_image_classification_samples(
            images, name="proto_stable", overwrite=True
        )
        session = Session(ds, tile_field="filepath")
        session.view = ds.view().select(ds.values("id")[2:5])
        session.selected = ds.values("id")[3:4]
        return session._repr_mimebundle_()[0]["text/plain"], session._take_snapshot()

    first, second = bundle(), bundle()
    assert first == second
    assert "select(sample_ids=<3 items>" in first[0]


def test_messages_from_another_thread_wait_for_the_sessions_event_loop(dataset):
    """ipykernel 7 can deliver widget messages on a subshell thread while a cell runs: they
    must be answered on the session's own loop (after the cell), never concurrently."""
    import asyncio
    import threading

    async def main():
        session = Session(dataset)
        fe = FrontEnd(session)
        handled_on = []
        session.observe(lambda _c: handled_on.append(threading.current_thread()), "selected")
        ids = dataset.values("id")
        msg = {"type": "toggle", "version": session._state["version"], "index": 1, "id": ids[1]}
        worker = threading.Thread(target=fe.send, args=({**msg, "client": "t", "seq": 1},))
        worker.start()
        worker.join()
        assert fe.replies == [] and session.selected == [], "handled while the 'cell' still runs"
        for _ in range(500):  # the 'cell' ends: the loop runs the queued handler
            await asyncio.sleep(0.001)
            if session.selected:
                break
        assert session.selected == [ids[1]] and handled_on == [threading.current_thread()]
        assert fe.replies[-1][0]["ack"] == {"client": "t", "seq": 1}

    # a thread of its own: another test's fixture (Playwright's sync API) may keep an event
    # loop running in this one
    errors = []

    def run_main():
        try:
            asyncio.run(main())
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(e)

    runner = threading.Thread(target=run_main)
    runner.start()
    runner.join()
    if errors:
        raise errors[0]


# -- pushed first pages ----------------------------------------------------------------------
def test_a_new_view_pushes_its_first_page_after_the_version(fe, dataset):
    fe.request("page", start=0, stop=10)  # a grid is showing
    before = len(fe.replies)
    fe.session.view = dataset.view().limit(5)
    pushed = [c for c, _ in fe.replies[before:] if c.get("request_id", "x") is None]
    assert len(pushed) == 1
    page = pushed[0]
    assert page["version"] == fe.version
    assert page["type"] == "page" and page["ids"] == dataset.values("id")[:5]
    versions = [s["_state"]["version"] for s in fe.states if "_state" in s]
    assert versions and versions[-1] == page["version"]  # the version went out first


def test_display_pushes_the_first_rows(fe, dataset, shell):
    before = len(fe.replies)
    fe.session.show()
    pushed = [c for c, _ in fe.replies[before:] if c.get("request_id", "x") is None]
    assert len(pushed) == 1
    assert pushed[0]["start"] == 0 and pushed[0]["ids"] == dataset.values("id")[:20]
