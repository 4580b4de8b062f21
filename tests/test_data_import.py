"""parse_image_classification_dir_tree: layout, ordering, what is skipped, bad input."""

from __future__ import annotations

import os
import warnings

import pytest

import fo_lite.utils.data as fud
from fo_lite.standin import make_image_classification_tree
from fo_lite.utils.data import parse_image_classification_dir_tree as parse


def touch(path, data=b"\xff\xd8\xff"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def parse_quiet(root):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean tree must not warn
        return parse(root)


def test_samples_sorted_by_label_then_name_with_absolute_paths(tmp_path):
    for rel in ["dog/b.jpg", "dog/a.JPG", "cat/z.png", "cat/10.jpeg", "cat/9.webp", "ant/x.Jpeg"]:
        touch(tmp_path / rel)
    os.mkdir(tmp_path / "empty_class")
    samples, classes = parse_quiet(str(tmp_path))
    assert samples == [
        (str(tmp_path / "ant/x.Jpeg"), "ant"),
        (str(tmp_path / "cat/10.jpeg"), "cat"),
        (str(tmp_path / "cat/9.webp"), "cat"),
        (str(tmp_path / "cat/z.png"), "cat"),
        (str(tmp_path / "dog/a.JPG"), "dog"),
        (str(tmp_path / "dog/b.jpg"), "dog"),
    ]
    assert classes == ["ant", "cat", "dog", "empty_class"]


def test_relative_path_gives_absolute_filepaths(tmp_path, monkeypatch):
    touch(tmp_path / "data/cat/1.jpg")
    monkeypatch.chdir(tmp_path)
    samples, _ = parse_quiet("data")
    assert samples == [(str(tmp_path / "data/cat/1.jpg"), "cat")]
    assert os.path.isabs(samples[0][0])


def test_hidden_files_and_folders_ignored_silently(tmp_path):
    touch(tmp_path / "cat/1.jpg")
    touch(tmp_path / "cat/.DS_Store")
    touch(tmp_path / "cat/._1.jpg")
    touch(tmp_path / ".hidden_class/2.jpg")
    touch(tmp_path / ".git/config")
    samples, classes = parse_quiet(str(tmp_path))
    assert samples == [(str(tmp_path / "cat/1.jpg"), "cat")]
    assert classes == ["cat"]


def test_non_image_files_skipped_with_one_counted_warning(tmp_path):
    touch(tmp_path / "cat/1.jpg")
    touch(tmp_path / "cat/notes.txt")
    touch(tmp_path / "cat/jpg")  # no extension at all
    touch(tmp_path / "dog/2.png")
    touch(tmp_path / "dog/labels.csv")
    with pytest.warns(UserWarning) as rec:
        samples, _ = parse(str(tmp_path))
    assert len(rec) == 1
    assert "3 non-image files" in str(rec[0].message)
    assert [lab for _, lab in samples] == ["cat", "dog"]


def test_nested_subfolders_ignored_with_count(tmp_path):
    touch(tmp_path / "cat/1.jpg")
    touch(tmp_path / "cat/kittens/2.jpg")
    touch(tmp_path / "cat/more/deeper/3.jpg")
    os.makedirs(tmp_path / "dog/odd.jpg")  # a folder with an image-like name
    touch(tmp_path / "dog/4.jpg")
    with pytest.warns(UserWarning, match="3 nested subfolders") as rec:
        samples, _ = parse(str(tmp_path))
    assert len(rec) == 1
    assert [os.path.basename(p) for p, _ in samples] == ["1.jpg", "4.jpg"]


def test_files_at_top_level_are_reported(tmp_path):
    touch(tmp_path / "cat/1.jpg")
    touch(tmp_path / "stray.jpg")
    with pytest.warns(UserWarning, match="1 files directly in the dataset folder"):
        samples, classes = parse(str(tmp_path))
    assert classes == ["cat"] and len(samples) == 1


def test_symlinks_followed_broken_and_looping_ones_skipped(tmp_path):
    real = touch(tmp_path / "elsewhere/real.jpg")
    touch(tmp_path / "cat/1.jpg")
    os.symlink(real, tmp_path / "cat/link.jpg")
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "cat/broken.jpg")
    os.symlink(tmp_path / "cat/loop2.jpg", tmp_path / "cat/loop1.jpg")
    os.symlink(tmp_path / "cat/loop1.jpg", tmp_path / "cat/loop2.jpg")
    os.symlink(tmp_path / "cat", tmp_path / "cat/self")  # a folder loop: not descended
    os.symlink(tmp_path / "gone", tmp_path / "broken_class")
    with pytest.warns(UserWarning) as rec:
        samples, classes = parse(str(tmp_path / "."))
    assert len(rec) == 1
    msg = str(rec[0].message)
    assert "4 broken symlinks or symlink loops" in msg and "1 nested subfolders" in msg
    names = [os.path.basename(p) for p, _ in samples]
    assert names == ["1.jpg", "link.jpg", "real.jpg"]  # "elsewhere" is a class too
    assert "elsewhere" in classes and "broken_class" not in classes


def test_names_with_spaces_unicode_and_quotes(tmp_path):
    label = 'café "au" l\'ait'
    touch(tmp_path / label / "ümlaut ñ 'q'.jpg")
    touch(tmp_path / "x" / ("n" * 240 + ".jpg"))
    samples, classes = parse_quiet(str(tmp_path))
    assert classes == sorted([label, "x"])
    assert (str(tmp_path / label / "ümlaut ñ 'q'.jpg"), label) in samples


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as e:
        parse(str(tmp_path / "nope"))
    assert str(tmp_path / "nope") in str(e.value)


def test_file_instead_of_folder(tmp_path):
    f = touch(tmp_path / "a.jpg")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder") as e:
        parse(f)
    assert f in str(e.value)


def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match="no class subfolders") as e:
        parse(str(tmp_path))
    assert "<dataset_dir>/<label>/<image file>" in str(e.value)


def test_class_folders_without_images(tmp_path):
    touch(tmp_path / "cat/readme.txt")
    os.mkdir(tmp_path / "dog")
    with pytest.raises(ValueError, match="2 class subfolders but no image files"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parse(str(tmp_path))


def test_unreadable_class_folder_skipped_with_warning(tmp_path, monkeypatch):
    touch(tmp_path / "cat/1.jpg")
    touch(tmp_path / "locked/2.jpg")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(fud.os, "scandir", scandir)
    with pytest.warns(UserWarning, match="1 unreadable class subfolders"):
        samples, classes = parse(str(tmp_path))
    assert classes == ["cat"] and len(samples) == 1


def test_generated_tree_round_trip(tmp_path):
    root = make_image_classification_tree(str(tmp_path / "t"), size=50, seed=3)
    samples, classes = parse_quiet(root)
    assert len(samples) == 50
    for path, label in samples:
        assert os.path.basename(os.path.dirname(path)) == label
    assert sorted({int(os.path.basename(p)[:-4]) for p, _ in samples}) == list(range(50))
    assert "mountain" in classes
