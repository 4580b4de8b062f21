"""Bad input through the calls users make (issue 6, item 2), each with a clear error or a counted
warning, and nothing lost.

The module tests (test_data_import, test_export, test_features, test_thumbnails, test_query,
test_aggregate, test_storage, test_persistence) try each bad input on the function that handles
it; here the same inputs go through ``fo.Dataset.from_dir``, ``dataset.compute_filehashes``,
``dataset.export``, ``dataset.match`` / ``aggregate`` and the grid's page replies
(``fo_lite.session.pages.build_page`` with a ``ThumbnailCache``). docs/reliability.md lists them.

Tests run as root here, and root reads any file whatever its mode bits, so "unreadable" files
are chmod 000 *and*, when running as root, made unreadable by patching the open calls
(``os.open`` for hashing and export, ``PIL.Image.open`` for thumbnails).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

import fo_lite as fo
import fo_lite.utils.atomicdir as atomicdir
import fo_lite.utils.export as fue
from fo_lite.core.features import compute_filehash
from fo_lite.session import pages
from fo_lite.session.thumbnails import ThumbnailCache

# -- helpers -----------------------------------------------------------------------------------


def jpeg_bytes(color: int, size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (color, 90, 200 - color)).save(out, "JPEG")
    return out.getvalue()


def png_bytes(color: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (color, color, 0)).save(out, "PNG")
    return out.getvalue()


def write(path, data: bytes) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def snapshot(root) -> dict[str, tuple[str, int]]:
    """{relative path: (md5 of bytes, mtime_ns)} of every regular file under root."""
    out = {}
    for dp, _, fs in os.walk(root):
        for name in fs:
            p = os.path.join(dp, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    out[os.path.relpath(p, root)] = (
                        hashlib.md5(f.read()).hexdigest(),
                        os.stat(p).st_mtime_ns,
                    )
    return out


def state(ds) -> tuple:
    """What a failed operation must leave unchanged."""
    return (len(ds), ds.to_pandas().astype(str).values.tolist(), ds.get_field_schema())


def from_dir(root, **kw):
    """``Dataset.from_dir`` that returns (dataset, [warning messages])."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ds = fo.Dataset.from_dir(str(root), **kw)
    return ds, [str(w.message) for w in rec]


def page(ds) -> dict:
    content, buffers = pages.build_page(
        ds.view(),
        0,
        len(ds),
        version=0,
        selected=set(),
        label_field="ground_truth",
        tile_field=None,
        thumbs=ThumbnailCache(),
    )
    assert len(buffers) == sum(t is not None for t in content["thumbs"])
    return content


def by_name(ds, content) -> dict[str, str | None]:
    """{file name: placeholder reason or None} for a page of the whole dataset."""
    names = [os.path.basename(p) for p in ds.values("filepath")]
    return dict(zip(names, content["broken"], strict=True))


# -- paths handed to Dataset.from_dir ----------------------------------------------------------


def test_from_dir_missing_path_file_and_empty_folder_raise_and_register_nothing(tmp_path):
    cases = [
        (tmp_path / "nope", FileNotFoundError, "does not exist; check the path"),
        (write(tmp_path / "a.jpg", jpeg_bytes(1)), NotADirectoryError, "is a file, not a folder"),
        (tmp_path / "empty", ValueError, "no images found"),
    ]
    os.mkdir(tmp_path / "empty")
    for path, error, words in cases:
        with pytest.raises(error, match=re.escape(words)) as info:
            fo.Dataset.from_dir(str(path), name="messy")
        assert str(path) in str(info.value) and "<label>" in str(info.value)  # names the layout
        assert "messy" not in fo.list_datasets() and "messy" not in fo.core.registry._loaded
    assert os.listdir(tmp_path / "empty") == []


def test_from_dir_skips_what_is_not_an_image_with_one_counted_warning(tmp_path):
    write(tmp_path / "cat/1.jpg", jpeg_bytes(1))
    write(tmp_path / "cat/notes.txt", b"x")
    write(tmp_path / "cat/README", b"x")
    write(tmp_path / "cat/kittens/2.jpg", jpeg_bytes(2))  # nested: not imported, as FiftyOne
    write(tmp_path / "cat/kittens/deeper/3.jpg", jpeg_bytes(3))
    write(tmp_path / "stray.jpg", jpeg_bytes(4))  # not in a class folder
    os.symlink(tmp_path / "gone.jpg", tmp_path / "cat/broken.jpg")
    os.symlink(tmp_path / "cat/loop2.jpg", tmp_path / "cat/loop1.jpg")
    os.symlink(tmp_path / "cat/loop1.jpg", tmp_path / "cat/loop2.jpg")
    before = snapshot(tmp_path)
    ds, warned = from_dir(tmp_path)
    assert len(warned) == 1
    for words in [
        "2 non-image files",
        "1 nested subfolders",
        "1 files directly in the dataset folder",
        "3 broken symlinks or symlink loops",
    ]:
        assert words in warned[0]
    assert ds.values("filepath") == [str(tmp_path / "cat/1.jpg")]
    assert snapshot(tmp_path) == before  # only read


@pytest.fixture
def broken_tree(tmp_path):
    """cat/: two good JPEGs, a zero-byte JPEG, a truncated JPEG, a PNG named .jpg, text named
    .jpg; dog/: one good JPEG."""
    root = tmp_path / "src"
    good = jpeg_bytes(10, (640, 480))
    write(root / "cat/good1.jpg", good)
    write(root / "cat/good2.jpg", jpeg_bytes(20))
    write(root / "cat/zero.jpg", b"")
    write(root / "cat/truncated.jpg", good[:300])
    write(root / "cat/png_inside.jpg", png_bytes(30))
    write(root / "cat/text.jpg", b"just some words, not a picture\n" * 4)
    write(root / "dog/good3.jpg", jpeg_bytes(40))
    return root


def test_broken_images_are_imported_hashed_and_shown_as_placeholders(broken_tree):
    # the import reads names, not bytes (as FiftyOne): every *.jpg is a sample
    ds, warned = from_dir(broken_tree)
    assert warned == [] and len(ds) == 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every file is readable: no warning
        ds.compute_filehashes()
    hashes = dict(zip(ds.values("filepath"), ds.values("file_hash"), strict=True))
    assert all(h == compute_filehash(p) and len(h) == 32 for p, h in hashes.items())
    assert hashes[str(broken_tree / "cat/zero.jpg")] == compute_filehash(os.devnull)  # b""
    reasons = by_name(ds, page(ds))
    assert reasons["good1.jpg"] is None and reasons["good3.jpg"] is None
    assert reasons["png_inside.jpg"] is None  # decoded by content: the extension may lie
    assert reasons["zero.jpg"].startswith("not an image")
    assert reasons["text.jpg"].startswith("not an image")
    assert reasons["truncated.jpg"].startswith(("corrupt image", "not an image"))


def test_unreadable_file_gives_none_hash_a_placeholder_and_a_clean_export_error(
    broken_tree, tmp_path, monkeypatch
):
    ds, _ = from_dir(broken_tree)
    locked = str(broken_tree / "cat/good2.jpg")
    os.chmod(locked, 0)
    if os.geteuid() == 0:  # root ignores mode bits: refuse the reads ourselves
        real_os_open, real_image_open = os.open, Image.open

        def os_open(path, flags, *a, **k):
            if os.fspath(path) == locked and not flags & (os.O_WRONLY | os.O_RDWR):
                raise PermissionError(errno.EACCES, "Permission denied", locked)
            return real_os_open(path, flags, *a, **k)

        def image_open(fp, *a, **k):
            if fp == locked:
                raise PermissionError(errno.EACCES, "Permission denied", locked)
            return real_image_open(fp, *a, **k)

        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(Image, "open", image_open)
    with pytest.warns(RuntimeWarning, match=r"could not read 1 of 7 files") as rec:
        ds.compute_filehashes()
    assert locked in str(rec[0].message) and "Permission denied" in str(rec[0].message)
    hashes = dict(zip(ds.values("filepath"), ds.values("file_hash"), strict=True))
    assert hashes[locked] is None and sum(h is None for h in hashes.values()) == 1
    assert by_name(ds, page(ds))["good2.jpg"] == "permission denied"
    before = state(ds)
    with pytest.raises(PermissionError, match="permission denied.*Nothing was written") as info:
        ds.export(str(tmp_path / "out"))
    assert locked in str(info.value)
    assert sorted(os.listdir(tmp_path)) == ["src"]  # no export, no temporary folder
    assert state(ds) == before


def test_file_gone_or_replaced_by_a_broken_symlink_after_import(broken_tree, tmp_path):
    ds, _ = from_dir(broken_tree)
    gone, dangling = broken_tree / "cat/good1.jpg", broken_tree / "dog/good3.jpg"
    os.remove(gone)
    os.remove(dangling)
    os.symlink(tmp_path / "nowhere.jpg", dangling)
    with pytest.warns(RuntimeWarning, match="could not read 2 of 7 files") as rec:
        ds.compute_filehashes()
    assert "No such file or directory" in str(rec[0].message)
    assert ds.values("file_hash").count(None) == 2 and len(ds) == 7
    reasons = by_name(ds, page(ds))
    assert reasons["good1.jpg"] == reasons["good3.jpg"] == "file not found"
    with pytest.raises(FileNotFoundError, match="source file is missing. Nothing was written"):
        ds.export(str(tmp_path / "out"))
    assert sorted(os.listdir(tmp_path)) == ["src"]


def test_names_with_spaces_unicode_quotes_and_the_longest_names_round_trip(tmp_path):
    label = 'café "au" l\'ait <b>'
    longest = "é" * 125 + ".jpg"  # 254 bytes in UTF-8: near the 255-byte limit of a name
    assert len(os.fsencode(longest)) == 254
    names = {"with space 'q' ñ.jpg": 1, 'dq"uote.jpg': 2, longest: 3, "日本語.jpg": 4}
    for name, color in names.items():
        write(tmp_path / "src" / label / name, jpeg_bytes(color))
    long_label = "l" * 255  # a class folder of the longest name
    write(tmp_path / "src" / long_label / "x y.jpg", jpeg_bytes(5))
    ds, warned = from_dir(tmp_path / "src")
    assert warned == [] and len(ds) == 5
    assert ds.count_values("ground_truth.label") == {label: 4, long_label: 1}
    ds.compute_filehashes()
    assert None not in ds.values("file_hash")
    content = page(ds)
    assert content["broken"] == [None] * 5 and label in content["labels"]  # text, as given
    out = ds.export(str(tmp_path / "out"))
    again, _ = from_dir(out)

    def pairs(d):
        return Counter(
            (lab, compute_filehash(p))
            for lab, p in zip(d.values("ground_truth.label"), d.values("filepath"), strict=True)
        )

    assert pairs(again) == pairs(ds)


def test_export_folder_with_a_long_name(broken_tree, tmp_path):
    ds, _ = from_dir(broken_tree)
    target = tmp_path / ("e" * 250)
    assert ds.export(str(target), label_field="ground_truth") == str(target)
    assert sorted(os.listdir(target)) == ["cat", "dog"]
    too_long = tmp_path / ("e" * 256)
    with pytest.raises(OSError, match="too long") as info:
        ds.export(str(too_long))
    assert str(too_long) in str(info.value) and ".tmp-" not in str(info.value)


@pytest.fixture
def fast_tmp(tmp_path):
    """A folder in RAM (/dev/shm) when there is one: creating 100k files on disk takes ~15 s."""
    shm = "/dev/shm"
    if not (os.path.isdir(shm) and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="fo_lite-test-") as d:
        yield Path(d)


def test_100k_files_in_one_class_are_parsed_quickly(fast_tmp):
    tmp_path = fast_tmp
    folder = tmp_path / "big" / "only_class"
    folder.mkdir(parents=True)
    n = 100_000
    for i in range(n):  # empty files: the import reads names only
        os.close(os.open(folder / f"{i:06d}.jpg", os.O_WRONLY | os.O_CREAT, 0o644))
    os.close(os.open(folder / "notes.txt", os.O_WRONLY | os.O_CREAT, 0o644))
    start = time.perf_counter()
    ds, warned = from_dir(tmp_path / "big")
    seconds = time.perf_counter() - start
    assert len(ds) == n and ds.count_values("ground_truth.label") == {"only_class": n}
    assert len(warned) == 1 and "1 non-image files" in warned[0]
    assert len(warned[0]) < 500  # a count and a few examples, not 100k names
    paths = ds.values("filepath")
    assert paths[0].endswith("000000.jpg") and paths[-1].endswith(f"{n - 1:06d}.jpg")
    assert seconds < 15, f"from_dir of {n} files took {seconds:.1f} s"


# -- malformed queries and pipelines through the dataset and its views -------------------------


@pytest.fixture
def small(broken_tree):
    ds, _ = from_dir(broken_tree, name="small")
    ds.set_values("score", [i / 2 for i in range(len(ds))])
    return ds


MALFORMED_QUERIES = [
    (["ground_truth.label"], TypeError, "a query must be a dict"),
    ("score > 1", TypeError, "a query must be a dict"),
    ({"score": {"$in": 5}}, TypeError, "$in on 'score' needs a list"),
    ({"score": {"$nin": "abc"}}, TypeError, "$nin"),
    ({"score": {"$foo": 1}}, ValueError, "query operator '$foo' is not supported; supported"),
    ({"$where": "this.score > 1"}, ValueError, "'$where' is not supported"),
    ({"score": {"$gt": 1, "x": 2}}, ValueError, "mixed with operators"),
    ({"ground_truth.$label": "cat"}, ValueError, "contains '$'"),
    ({"score": {"$regex": 5}}, TypeError, "$regex"),
    ({"$and": {"score": 1}}, TypeError, "$and"),
]


@pytest.mark.parametrize("query, error, words", MALFORMED_QUERIES)
def test_malformed_queries_through_dataset_and_views_change_nothing(small, query, error, words):
    before, version = state(small), small.revision
    view = small.sort_by("score").limit(5)
    for collection in (small, view):
        with pytest.raises(error, match=re.escape(words)):
            collection.match(query)
        with pytest.raises(error, match=re.escape(words)):
            collection.aggregate([{"$match": query}])
    assert state(small) == before and small.revision == version
    assert len(view) == 5


MALFORMED_PIPELINES = [
    ("[{'$match': {}}]", TypeError, "must be a list of stage dicts"),
    ([{"$match": {}, "$limit": 1}], TypeError, "exactly one key"),
    ([{"$group": {"n": {"$sum": 1}}}], ValueError, "$group needs an _id"),
    ([{"$group": {"_id": "$ground_truth.$label"}}], ValueError, "contains '$'"),
    ([{"$group": {"_id": None, "x": {"$stdDevPop": "$score"}}}], ValueError, "$stdDevPop"),
    ([{"$out": "elsewhere"}], ValueError, "pipeline stage '$out' is not supported"),
    ([{"$sort": {"score": 2}}], ValueError, "1 or -1"),
    ([{"$limit": "3"}], TypeError, "$limit"),
    ([{"$match": {}}, {"$lookup": {}}], ValueError, "$lookup"),  # checked before any stage runs
]


@pytest.mark.parametrize("pipeline, error, words", MALFORMED_PIPELINES)
def test_malformed_pipelines_through_dataset_and_views_change_nothing(
    small, pipeline, error, words
):
    before = state(small)
    for collection in (small, small.match({"score": {"$gt": 0}})):
        with pytest.raises(error, match=re.escape(words)):
            collection.aggregate(pipeline)
    assert state(small) == before


# -- ids, deleted samples, reserved fields -----------------------------------------------------


def test_unknown_ids_in_del_select_exclude_and_delete_samples_change_nothing(small):
    ids = small.values("id")
    before = state(small)
    unknown = "0" * 24
    with pytest.raises(KeyError, match=f"no sample with id '{unknown}' in dataset 'small'"):
        del small[unknown]
    with pytest.raises(KeyError, match="nothing was deleted"):
        small.delete_samples([ids[0], unknown])
    with pytest.warns(UserWarning, match="1 of 2 ids are not in dataset"):
        assert small.select([ids[1], unknown]).values("id") == [ids[1]]
    for bad in (["not-an-id"], 5, None):
        with pytest.raises((TypeError, ValueError), match="sample ids"):
            small.select(bad)
    assert state(small) == before


def test_saving_a_deleted_sample_raises_and_writes_nothing(small):
    sample = small.first()
    small.delete_samples([sample])
    before = state(small)
    sample["score"] = 99.0
    with pytest.raises(ValueError, match=f"cannot save sample {sample.id}: it was deleted"):
        sample.save()
    assert state(small) == before and 99.0 not in small.values("score")


def test_reserved_fields_refused_through_every_write_path(small):
    before = state(small)
    sample = small.first()
    with pytest.raises(ValueError, match="field 'id' is read-only"):
        sample.id = "0" * 24
    with pytest.raises(TypeError, match="filepath must be a string path"):
        sample.filepath = 7
    with pytest.raises(ValueError, match="field 'id' is read-only"):
        small.set_values("id", ["0" * 24] * len(small))
    with pytest.raises(TypeError, match="filepath must be a string path"):
        small.set_values("filepath", [None] * len(small))
    with pytest.raises(ValueError, match="'filepath' cannot be deleted"):
        small.delete_sample_field("filepath")
    with pytest.raises(ValueError, match="already exists"):
        small.add_sample_field("id")
    with pytest.raises(ValueError, match="invalid field name"):
        small.add_sample_field("a.$b")
    assert state(small) == before


def test_compute_filehashes_refuses_builtin_fields_before_hashing(small, monkeypatch):
    import fo_lite.core.features as fof

    calls = []
    monkeypatch.setattr(fof, "compute_filehashes", lambda *a, **k: calls.append(a))
    before = state(small)
    for field in ("filepath", "tags", "id"):
        with pytest.raises(ValueError, match=f"'{field}' is a built-in field.*file_hash"):
            small.compute_filehashes(field=field)
    with pytest.raises(ValueError, match="invalid field name"):
        small.compute_filehashes(field="file hash")
    assert calls == [] and state(small) == before  # refused before reading a file


# -- export targets ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["root", "class_folder", "inside_class_folder", "parent"])
def test_export_into_or_around_the_source_folder_is_refused(small, broken_tree, where):
    target = {
        "root": broken_tree,
        "class_folder": broken_tree / "cat",
        "inside_class_folder": broken_tree / "cat" / "export",
        "parent": broken_tree.parent,
    }[where]
    before = snapshot(broken_tree.parent)
    with pytest.raises(ValueError, match="choose an export folder outside the source tree"):
        small.export(str(target), overwrite=True)
    assert snapshot(broken_tree.parent) == before


def test_export_into_a_non_empty_folder_needs_overwrite_and_replaces_only_when_done(
    small, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    write(out / "keep.txt", b"mine")
    with pytest.raises(FileExistsError, match="is not empty; pass overwrite=True"):
        small.export(str(out))
    assert os.listdir(out) == ["keep.txt"]
    first = snapshot(out)
    calls = []

    def copy_then_fail(src, dst):  # the disk fills up halfway through the overwrite
        calls.append(src)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        fue._copy(src, dst)

    monkeypatch.setitem(fue._OPS, "copy", copy_then_fail)
    with pytest.raises(OSError, match="the disk is full; free some space") as info:
        small.export(str(out), overwrite=True)
    assert info.value.errno == errno.ENOSPC
    assert snapshot(out) == first and sorted(os.listdir(tmp_path)) == ["out", "src"]
    monkeypatch.undo()
    small.export(str(out), overwrite=True)
    assert sorted(os.listdir(out)) == ["cat", "dog"]


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError(errno.ENOSPC, "No space left")])
def test_export_interrupted_midway_leaves_nothing_and_sources_untouched(
    small, broken_tree, tmp_path, monkeypatch, exc
):
    calls = []

    def copy(src, dst):
        calls.append(src)
        if len(calls) == 3:
            raise exc
        fue._copy(src, dst)

    monkeypatch.setitem(fue._OPS, "copy", copy)
    before, sources = state(small), snapshot(broken_tree)
    with pytest.raises(KeyboardInterrupt if exc is KeyboardInterrupt else OSError):
        small.export(str(tmp_path / "out"))
    assert len(calls) == 3
    assert sorted(os.listdir(tmp_path)) == ["src"]  # no half export, no hidden temporary
    assert snapshot(broken_tree) == sources and state(small) == before


def test_export_onto_a_read_only_disk_is_explained(small, tmp_path, monkeypatch):
    def read_only(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomicdir.tempfile, "mkdtemp", read_only)
    with pytest.raises(PermissionError, match="read-only or no permission.*writable location"):
        small.export(str(tmp_path / "out"))
    assert sorted(os.listdir(tmp_path)) == ["src"]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda c: c.match_tags(5), TypeError, "match_tags takes a tag string or a list"),
        (lambda c: c.match_tags({"dup": 1}), TypeError, "match_tags takes a tag string"),
        (lambda c: c.match_tags(["dup", 3]), TypeError, "match_tags takes a tag string"),
        (lambda c: c.limit(-1), ValueError, "limit must be a non-negative integer"),
        (lambda c: c.skip("a"), TypeError, "skip must be a non-negative integer"),
        (lambda c: c.take(-1), ValueError, "take size must be a non-negative integer"),
        (lambda c: c.sort_by(5), TypeError, "sort_by takes a field name"),
        (lambda c: c.sort_by("nope"), ValueError, "has no field 'nope'; fields: id, filepath"),
        (lambda c: c.exists("nope"), ValueError, "has no field 'nope'"),
        (lambda c: c[-1:], ValueError, "non-negative bounds"),
        (lambda c: c[5], ValueError, "index a collection by sample id"),  # FiftyOne's type
    ],
)
def test_view_stages_with_wrong_types_raise_naming_the_stage(small, call, error, words):
    before = state(small)
    for collection in (small, small.view().limit(3)):
        with pytest.raises(error, match=re.escape(words)):
            call(collection)
    assert state(small) == before


def test_export_into_a_new_subfolder_of_the_source_root_is_allowed_and_counted_on_reimport(
    small, broken_tree
):
    """Not a class folder, so allowed (the dataset does not know its tree's root); the sources
    are untouched and re-importing the source tree counts the export's folders as nested."""
    sources = snapshot(broken_tree)
    out = small.export(str(broken_tree / "clean"))
    assert sorted(os.listdir(out)) == ["cat", "dog"]
    assert {k: v for k, v in snapshot(broken_tree).items() if not k.startswith("clean")} == sources
    again, warned = from_dir(broken_tree)
    assert len(warned) == 1 and "2 nested subfolders" in warned[0]
    assert sorted(again.values("filepath")) == sorted(small.values("filepath"))


def test_a_sample_save_that_fails_writes_none_of_its_edits(small):
    small.set_values("n", list(range(len(small))))
    before = state(small)
    sample = small.first()
    sample["new_score"] = 0.5  # fine on its own
    sample["n"] = "three"  # does not fit the IntField
    with pytest.raises(TypeError, match="field 'n' holds IntField values"):
        sample.save()
    assert state(small) == before and "new_score" not in small.get_field_schema()
    assert sample.new_score == 0.5  # the edits stay on the handle: fix one and save again
    sample["n"] = 3
    sample.save()
    assert small.first().new_score == 0.5 and small.values("n")[0] == 3


def test_add_samples_that_fail_add_no_rows_and_no_fields(small):
    small.set_values("n", list(range(len(small))))
    before = state(small)
    bad = [fo.Sample(filepath="/x/1.jpg", extra=1.5), fo.Sample(filepath="/x/2.jpg", n="x")]
    with pytest.raises(TypeError, match="field 'n' holds IntField values"):
        small.add_samples(bad)
    assert state(small) == before and "extra" not in small.get_field_schema()
    with pytest.raises(ValueError, match="has no field 'extra'"):
        small.values("extra")


# -- persistence onto a place that cannot hold it ----------------------------------------------


@pytest.fixture
def unwritable_db(tmp_path, monkeypatch):
    """config.database_dir set to a folder that cannot be made: under a file, or read-only."""
    from fo_lite.core.config import config

    def setup(kind: str):
        if kind == "under_a_file":
            write(tmp_path / "a_file", b"x")
            config.database_dir = tmp_path / "a_file" / "db"
        else:  # root may write anywhere: simulate a read-only disk
            config.database_dir = tmp_path / "ro" / "db"

            def mkdir(self, *a, **k):
                raise OSError(errno.EROFS, "Read-only file system", str(self))

            monkeypatch.setattr(Path, "mkdir", mkdir)
        return config.database_dir

    yield setup
    config.database_dir = None


@pytest.mark.parametrize("kind", ["under_a_file", "read_only"])
def test_persisting_onto_an_unwritable_database_dir_keeps_the_dataset_in_memory(
    small, unwritable_db, kind
):
    before = state(small)
    db = unwritable_db(kind)
    with pytest.raises(OSError) as info:
        small.persistent = True
    assert str(db) in str(info.value)
    assert not small.persistent and state(small) == before
    assert "small" not in fo.list_datasets() or len(fo.load_dataset("small")) == len(small)


@pytest.mark.parametrize("kind", ["under_a_file", "read_only"])
def test_unwritable_database_dir_error_names_the_setting_and_the_fix(small, unwritable_db, kind):
    db = unwritable_db(kind)
    with pytest.raises(OSError) as info:
        small.persistent = True
    # the tmp folder's name holds the test's name, which has the words: hide it
    message = str(info.value).replace(str(Path(db).parent.parent), "<tmp>")
    assert re.search("database_dir|FO_LITE_DATABASE_DIR", message) and "writable" in message


def test_a_decompression_bomb_header_gives_a_placeholder_not_a_decode(tmp_path):
    import struct
    import zlib

    data = bytearray(png_bytes(1))
    data[16:24] = struct.pack(">II", 30_000, 30_000)  # IHDR claims 900 megapixels
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    write(tmp_path / "src/cat/bomb.png", bytes(data))
    write(tmp_path / "src/cat/fine.jpg", jpeg_bytes(3))
    ds, warned = from_dir(tmp_path / "src")
    assert warned == []
    reasons = by_name(ds, page(ds))
    assert reasons == {"bomb.png": "image too large to decode", "fine.jpg": None}


def deep_query(depth: int) -> dict:
    query: dict = {"score": 1}
    for _ in range(depth):
        query = {"$and": [query]}
    return query


def test_a_very_deep_query_fails_without_changing_anything(small):
    before = state(small)
    with pytest.raises((ValueError, RecursionError)):
        small.match(deep_query(3000))
    assert state(small) == before
    assert small.match(deep_query(50)).values("id") == small.match({"score": 1}).values("id")


def test_a_very_deep_query_gets_a_clear_error(small):
    with pytest.raises(ValueError, match="nest"):
        small.match(deep_query(3000))
