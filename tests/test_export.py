"""export_image_classification_dir_tree: modes, round trip, collisions, and nothing left half-done."""

from __future__ import annotations

import errno
import hashlib
import os
import warnings
from collections import Counter

import pytest

import fo_lite.utils.atomicdir as atomicdir
import fo_lite.utils.export as fue
from fo_lite.standin import make_image_classification_tree
from fo_lite.utils.data import (
    export_image_classification_dir_tree,
    parse_image_classification_dir_tree,
    read_labels_manifest,
)


def export(paths, labels, target, **kw):
    kw.setdefault("progress", False)
    return export_image_classification_dir_tree(paths, labels, str(target), **kw)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = make_image_classification_tree(str(tmp_path_factory.mktemp("src") / "t"), size=60)
    samples, _ = parse_image_classification_dir_tree(root)
    return root, [p for p, _ in samples], [lab for _, lab in samples]


def snapshot(root):
    """{relative path: (bytes md5, mtime_ns)} of every file under root."""
    out = {}
    for dp, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(dp, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = (
                    hashlib.md5(fh.read()).hexdigest(),
                    os.stat(p).st_mtime_ns,
                )
    return out


def content_multiset(samples):
    def read(p):
        with open(p, "rb") as f:
            return f.read()

    return Counter((lab, read(p)) for p, lab in samples)


def no_litter(parent):
    return [n for n in os.listdir(parent) if n.startswith(".")] == []


@pytest.mark.parametrize("mode", [True, "copy", "hardlink", "symlink"])
def test_round_trip_gives_same_labels_and_bytes(tree, tmp_path, mode):
    root, paths, labels = tree
    before = snapshot(root)
    out = export(paths, labels, tmp_path / "out", export_media=mode)
    assert out == str(tmp_path / "out")
    samples, classes = parse_image_classification_dir_tree(out)
    assert content_multiset(samples) == content_multiset(list(zip(paths, labels, strict=True)))
    assert classes == sorted(set(labels))
    assert snapshot(root) == before  # sources untouched
    assert no_litter(tmp_path)
    first = os.path.join(out, labels[0], os.path.basename(paths[0]))
    if mode == "hardlink":
        assert os.path.samefile(first, paths[0]) and not os.path.islink(first)
    elif mode == "symlink":
        assert os.path.islink(first) and os.readlink(first) == paths[0]
    else:
        assert not os.path.islink(first) and not os.path.samefile(first, paths[0])


def test_labels_only_writes_a_csv_manifest(tmp_path):
    paths = ["/data/a,b.jpg", '/data/q"uote.jpg', "/data/ü.jpg", "/data/n.jpg"]
    labels = ["cat", 'say "hi", ok', "ünï", None]
    out = export(paths, labels, tmp_path / "m", export_media=False)
    assert os.listdir(out) == ["labels.csv"]
    with open(os.path.join(out, "labels.csv"), encoding="utf-8") as f:
        assert f.readline().strip() == "filepath,label"
    assert read_labels_manifest(out) == list(zip(paths, labels, strict=True))


def sources(tmp_path, rels):
    """Source files at ``tmp_path/src/<rel>``, the k-th holding the bytes of ``str(k)``."""
    paths = []
    for i, rel in enumerate(rels):
        p = tmp_path / "src" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"%d" % i)
        paths.append(str(p))
    return paths


def test_colliding_names_kept_apart_in_input_order(tmp_path):
    src = sources(tmp_path, ["a/x.jpg", "b/x.jpg", "c/x-1.jpg", "d/x.jpg", "e/noext", "f/noext"])
    out = export(src, ["cat"] * 6, tmp_path / "out")
    got = {n: open(os.path.join(out, "cat", n), "rb").read() for n in os.listdir(out + "/cat")}
    # FiftyOne's numbering: the second "x.jpg" is "x-2.jpg", the third "x-3.jpg"
    assert got == {
        "x.jpg": b"0",
        "x-2.jpg": b"1",
        "x-1.jpg": b"2",
        "x-3.jpg": b"3",
        "noext": b"4",
        "noext-2": b"5",
    }


def test_a_numbered_name_never_overwrites_a_real_file_of_that_name(tmp_path):
    src = sources(tmp_path, ["a/x.jpg", "b/x-2.jpg", "c/x.jpg"])
    out = export(src, ["cat"] * 3, tmp_path / "out")
    got = {n: open(os.path.join(out, "cat", n), "rb").read() for n in os.listdir(out + "/cat")}
    assert got == {"x.jpg": b"0", "x-2.jpg": b"1", "x-3.jpg": b"2"}


def test_rel_dir_keeps_sub_folders_under_each_label(tmp_path):
    src = sources(tmp_path, ["day1/a.jpg", "day2/a.jpg", "day2/deep/b.jpg"])
    out = export(src, ["cat", "cat", "dog"], tmp_path / "out", rel_dir=str(tmp_path / "src"))
    found = sorted(
        os.path.relpath(os.path.join(root, f), out)
        for root, _, files in os.walk(out)
        for f in files
    )
    assert found == ["cat/day1/a.jpg", "cat/day2/a.jpg", "dog/day2/deep/b.jpg"]
    with pytest.raises(ValueError, match="is not inside rel_dir"):
        export(src, ["cat"] * 3, tmp_path / "out2", rel_dir=str(tmp_path / "src" / "day1"))
    assert not (tmp_path / "out2").exists()


def test_same_name_in_different_labels_is_no_collision(tmp_path):
    a, b = tmp_path / "s1/x.jpg", tmp_path / "s2/x.jpg"
    for p in (a, b):
        p.parent.mkdir()
        p.write_bytes(p.parent.name.encode())
    out = export([str(a), str(b)], ["cat", "dog"], tmp_path / "out")
    assert sorted(os.listdir(out + "/cat") + os.listdir(out + "/dog")) == ["x.jpg", "x.jpg"]


def test_unlabelled_samples_go_to_the_unlabeled_folder_and_come_back_unlabeled(tree, tmp_path):
    _, paths, labels = tree
    labels = list(labels)
    labels[0], labels[5] = None, float("nan")
    out = export(paths, labels, tmp_path / "out")
    assert sorted(os.listdir(os.path.join(out, "_unlabeled"))) == sorted(
        os.path.basename(paths[i]) for i in (0, 5)
    )
    samples, classes = parse_image_classification_dir_tree(out)
    assert len(samples) == len(paths) and "_unlabeled" not in classes
    assert sum(label is None for _, label in samples) == 2


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "../up", ".hidden", "x\0y", "n" * 300, 7])
def test_unsafe_labels_refused_before_writing(tree, tmp_path, bad):
    _, paths, labels = tree
    labels = [bad] + list(labels[1:])
    with pytest.raises(ValueError, match="cannot be folder names") as e:
        export(paths, labels, tmp_path / "out")
    assert repr(bad)[:20] in str(e.value)
    assert os.listdir(tmp_path) == []


def test_non_empty_export_dir_refused_unless_overwrite(tree, tmp_path):
    _, paths, labels = tree
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export(paths, labels, target)
    assert os.listdir(target) == ["keep.txt"]
    export(paths, labels, target, overwrite=True)
    assert "keep.txt" not in os.listdir(target)
    assert len(parse_image_classification_dir_tree(str(target))[0]) == len(paths)
    assert no_litter(tmp_path)


def test_empty_existing_export_dir_is_fine(tree, tmp_path):
    _, paths, labels = tree
    (tmp_path / "out").mkdir()
    export(paths, labels, tmp_path / "out")
    assert len(parse_image_classification_dir_tree(str(tmp_path / "out"))[0]) == len(paths)


def test_export_dir_that_is_a_file(tree, tmp_path):
    _, paths, labels = tree
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError):
        export(paths, labels, tmp_path / "f", overwrite=True)
    assert (tmp_path / "f").read_text() == "x"


@pytest.mark.parametrize("where", ["class_dir", "inside_class_dir", "tree_root", "above", "same"])
def test_refuses_to_export_into_or_around_the_sources(tree, where):
    root, paths, labels = tree
    target = {
        "class_dir": os.path.join(root, labels[0]),
        "inside_class_dir": os.path.join(root, labels[0], "export"),
        "tree_root": root,
        "above": os.path.dirname(root),
        "same": os.path.dirname(paths[0]) + "/../" + labels[0],
    }[where]
    before = snapshot(root)
    with pytest.raises(ValueError, match="outside the source tree"):
        export(paths, labels, target, overwrite=True)
    assert snapshot(root) == before


def test_missing_source_fails_cleanly(tree, tmp_path):
    _, paths, labels = tree
    paths = list(paths[:10]) + [str(tmp_path / "elsewhere" / "gone.jpg")]
    with pytest.raises(FileNotFoundError, match="gone.jpg.*missing"):
        export(paths, labels[:11], tmp_path / "out")
    assert os.listdir(tmp_path) == []


def many_files(tmp_path, n):
    return sources(tmp_path, [f"{i}.jpg" for i in range(n)]), [f"c{i % 3}" for i in range(n)]


@pytest.mark.parametrize("n", [50, 1100])  # serial and threaded paths
@pytest.mark.parametrize(
    "exc", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt]
)
def test_failure_midway_leaves_nothing(tmp_path, monkeypatch, n, exc):
    paths, labels = many_files(tmp_path, n)
    calls = []

    def copy(src, dst):
        calls.append(src)
        if len(calls) == n // 2:
            raise exc
        fue._copy(src, dst)

    monkeypatch.setitem(fue._OPS, "copy", copy)
    expected = OSError if isinstance(exc, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as e:
        export(paths, labels, tmp_path / "out")
    if expected is OSError:
        assert e.value.errno == errno.ENOSPC and "disk is full" in str(e.value)
    assert sorted(os.listdir(tmp_path)) == ["src"]  # no export, no temporary folder


def test_failed_overwrite_keeps_the_old_export(tree, tmp_path, monkeypatch):
    _, paths, labels = tree
    out = export(paths, labels, tmp_path / "out")
    before = snapshot(out)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(fue._OPS, "copy", full)
    with pytest.raises(OSError, match="disk is full"):
        export(paths[:5], labels[:5], out, overwrite=True)
    assert snapshot(out) == before
    assert no_litter(tmp_path)


def test_read_only_target_gives_clear_error(tree, tmp_path, monkeypatch):
    _, paths, labels = tree

    def mkdtemp(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(atomicdir.tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(PermissionError, match="read-only") as e:
        export(paths, labels, tmp_path / "out")
    assert str(tmp_path) in str(e.value)
    assert os.listdir(tmp_path) == []


def test_hardlink_across_filesystems_explained(tree, tmp_path, monkeypatch):
    _, paths, labels = tree

    def link(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setitem(fue._OPS, "hardlink", link)
    with pytest.raises(OSError, match="same filesystem"):
        export(paths, labels, tmp_path / "out", export_media="hardlink")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("bad", ["move", "copy2", None, 1.0, 0, 1])
def test_bad_export_media(tree, tmp_path, bad):
    _, paths, labels = tree
    with pytest.raises(ValueError, match="export_media") as e:
        export(paths, labels, tmp_path / "out", export_media=bad)
    if bad == "move":
        assert "never touches its sources" in str(e.value)


def test_length_mismatch(tree, tmp_path):
    _, paths, labels = tree
    with pytest.raises(ValueError, match="must pair up"):
        export(paths, labels[:-1], tmp_path / "out")


def test_progress_bar(tree, tmp_path, capsys):
    _, paths, labels = tree
    export(paths, labels, tmp_path / "out", progress=True)
    assert f"{len(paths)}/{len(paths)}" in capsys.readouterr().err


def test_no_warning_for_a_clean_export(tree, tmp_path):
    _, paths, labels = tree
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export(paths, labels, tmp_path / "out")
