"""The walkthrough's data: CIFAR-100 archive path, offline stand-in, determinism, duplicates."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import tarfile
import urllib.error
from collections import Counter

import numpy as np
import pytest
from PIL import Image

import fo_lite.zoo as zoo
from fo_lite.core.features import compute_filehashes
from fo_lite.utils.data import parse_image_classification_dir_tree
from fo_lite.zoo import (
    STANDIN_CLASSES,
    cifar100_with_duplicates,
    make_image_classification_tree,
    read_manifest,
)

NAMES = ["apple", "mountain", "sea", "tulip", "whale"]
COLOURS = {"apple": (200, 20, 20), "mountain": (20, 200, 20), "sea": (20, 20, 200)}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real cache, archive or network in these tests."""
    monkeypatch.setenv("FO_LITE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("FO_LITE_CIFAR100_ARCHIVE", raising=False)

    def offline(dest, timeout=zoo.DOWNLOAD_TIMEOUT):
        raise urllib.error.URLError("no network in tests")

    monkeypatch.setattr(zoo, "_download", offline)


def write_archive(path, n=60, test_obj=None):
    """A tiny archive in the real format: channel-major rows, fine labels, label names."""
    labels = [i % 3 for i in range(n)]
    data = np.zeros((n, 3072), dtype=np.uint8)
    for i, lab in enumerate(labels):
        r, g, b = COLOURS[NAMES[lab]]
        data[i, :1024], data[i, 1024:2048], data[i, 2048:] = r, g, (b + i) % 256
    test = test_obj or {
        "filenames": [f"img_{i}.png" for i in range(n)],
        "batch_label": "testing batch 1 of 1",
        "fine_labels": labels,
        "coarse_labels": [0] * n,
        "data": data,
    }
    meta = {"fine_label_names": NAMES, "coarse_label_names": ["c"]}
    with tarfile.open(path, "w:gz") as tar:
        for name, obj in (("test", test), ("meta", meta)):
            blob = pickle.dumps(obj, protocol=2)
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest(), labels


def file_bytes(root):
    out = {}
    for label in os.listdir(root):
        for name in os.listdir(os.path.join(root, label)):
            with open(os.path.join(root, label, name), "rb") as f:
                out[f"{label}/{name}"] = f.read()
    return out


def check_duplicates(root, size, fraction):
    """The files and the manifest agree: the planned copies are byte-identical, the rest unique."""
    info = read_manifest(root)
    files = file_bytes(root)
    assert len(files) == size
    n_dup = round(fraction * size)
    assert len(info["duplicates"]) == n_dup
    for copy, original in info["duplicates"]:
        assert files[copy] == files[original] and copy != original
    groups = Counter(files.values())
    counts = info["counts"]
    assert counts["unique"] == len(groups) == size - n_dup
    assert counts["duplicates"] == n_dup
    assert counts["duplicate_groups"] == sum(1 for c in groups.values() if c > 1)
    assert counts["in_duplicate_groups"] == sum(c for c in groups.values() if c > 1)
    return info, files


def test_archive_path_builds_the_real_layout(tmp_path):
    md5, labels = write_archive(tmp_path / "c.tar.gz")
    root = cifar100_with_duplicates(
        str(tmp_path / "d"), size=40, archive=str(tmp_path / "c.tar.gz"), md5=md5, download=False
    )
    assert root == str(tmp_path / "d")
    info, files = check_duplicates(root, 40, 0.05)
    assert info["source"] == "cifar100"
    copies = {c for c, _ in info["duplicates"]}
    for i in range(40):
        rel = f"{NAMES[labels[i]]}/{i}.jpg"
        assert rel in files
        if rel in copies:
            continue
        pixels = np.asarray(Image.open(io.BytesIO(files[rel])).convert("RGB")).astype(int)
        r, g, b = COLOURS[NAMES[labels[i]]]
        expect = np.array([r, g, (b + i) % 256])
        assert np.abs(pixels.mean(axis=(0, 1)) - expect).max() < 12  # channel-major decoded right
    samples, classes = parse_image_classification_dir_tree(root)
    assert classes == ["apple", "mountain", "sea"] and len(samples) == 40


def test_archive_found_through_environment_and_cache(tmp_path, monkeypatch):
    md5, _ = write_archive(tmp_path / "c.tar.gz")
    monkeypatch.setenv("FO_LITE_CIFAR100_ARCHIVE", str(tmp_path / "c.tar.gz"))
    root = cifar100_with_duplicates(str(tmp_path / "d1"), size=20, md5=md5)
    assert read_manifest(root)["source"] == "cifar100"
    monkeypatch.delenv("FO_LITE_CIFAR100_ARCHIVE")
    os.makedirs(tmp_path / "cache")
    os.rename(tmp_path / "c.tar.gz", tmp_path / "cache" / zoo.ARCHIVE_NAME)
    root2 = cifar100_with_duplicates(str(tmp_path / "d2"), size=20, md5=md5)
    assert file_bytes(root2) == file_bytes(root)


def test_wrong_checksum_refused_before_unpickling(tmp_path, monkeypatch):
    write_archive(tmp_path / "c.tar.gz")
    monkeypatch.setattr(zoo, "_unpickle", lambda f: pytest.fail("unpickled before the check"))
    with pytest.raises(ValueError, match="md5") as e:
        cifar100_with_duplicates(str(tmp_path / "d"), size=10, archive=str(tmp_path / "c.tar.gz"))
    assert zoo.CIFAR100_MD5 in str(e.value)
    assert not os.path.exists(tmp_path / "d")


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_archive_with_code_in_its_pickle_is_refused_even_with_matching_md5(tmp_path):
    md5, _ = write_archive(tmp_path / "c.tar.gz", test_obj={"data": Evil()})
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        cifar100_with_duplicates(
            str(tmp_path / "d"), size=10, archive=str(tmp_path / "c.tar.gz"), md5=md5
        )
    assert not os.path.exists(tmp_path / "d")


def test_not_an_archive_or_too_small(tmp_path):
    md5, _ = write_archive(tmp_path / "c.tar.gz", n=10)
    with pytest.raises(ValueError, match="size=20 but the archive's test split has 10"):
        cifar100_with_duplicates(
            str(tmp_path / "d"), size=20, archive=str(tmp_path / "c.tar.gz"), md5=md5
        )
    with pytest.raises(FileNotFoundError, match="does not exist"):
        cifar100_with_duplicates(str(tmp_path / "d"), archive=str(tmp_path / "nope.tar.gz"))


def test_offline_falls_back_to_the_stand_in_with_one_line(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="fo_lite.zoo"):
        root = cifar100_with_duplicates(str(tmp_path / "d"), size=120, seed=7)
    notes = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(notes) == 1 and "\n" not in notes[0].getMessage()
    assert "no network in tests" in notes[0].getMessage()
    assert "stand-in" in notes[0].getMessage()
    info, _ = check_duplicates(root, 120, 0.05)
    assert info["source"] == "standin" and os.path.isdir(os.path.join(root, "mountain"))


def test_download_false_does_not_try_the_network(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(zoo, "_download", lambda *a, **k: pytest.fail("downloaded"))
    root = cifar100_with_duplicates(str(tmp_path / "d"), size=30, download=False)
    assert read_manifest(root)["source"] == "standin"
    assert "download=False" in caplog.text


def test_default_folder_is_in_the_cache(tmp_path):
    root = cifar100_with_duplicates(size=24)
    assert root == str(tmp_path / "cache" / "cifar100_with_duplicates")


def test_reuses_a_matching_tree_and_replaces_its_own_older_one(tmp_path, monkeypatch):
    md5, _ = write_archive(tmp_path / "c.tar.gz")
    kw = {"archive": str(tmp_path / "c.tar.gz"), "md5": md5}
    root = cifar100_with_duplicates(str(tmp_path / "d"), size=20, **kw)
    stamp = os.stat(os.path.join(root, read_manifest(root)["duplicates"][0][0])).st_mtime_ns
    monkeypatch.setattr(zoo, "load_cifar100_test", lambda *a, **k: pytest.fail("rebuilt"))
    assert cifar100_with_duplicates(str(tmp_path / "d"), size=20, **kw) == root
    assert os.stat(os.path.join(root, read_manifest(root)["duplicates"][0][0])).st_mtime_ns == stamp
    monkeypatch.undo()
    monkeypatch.setenv("FO_LITE_CACHE_DIR", str(tmp_path / "cache"))
    cifar100_with_duplicates(str(tmp_path / "d"), size=30, **kw)  # other size: rebuilt
    assert len(file_bytes(root)) == 30 and read_manifest(root)["size"] == 30


def test_foreign_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        cifar100_with_duplicates(str(tmp_path / "d"), size=20)
    assert os.listdir(tmp_path / "d") == ["mine.txt"]


def test_stand_in_is_deterministic_and_duplicates_are_right(tmp_path):
    a = make_image_classification_tree(str(tmp_path / "a"), size=200, seed=51)
    b = make_image_classification_tree(str(tmp_path / "b"), size=200, seed=51)
    c = make_image_classification_tree(str(tmp_path / "c"), size=200, seed=52)
    assert file_bytes(a) == file_bytes(b)
    assert file_bytes(a) != file_bytes(c)
    info, _ = check_duplicates(a, 200, 0.05)
    assert info["counts"]["duplicates"] == 10
    assert sorted(os.listdir(a)) == sorted(STANDIN_CLASSES)
    assert "mountain" in STANDIN_CLASSES
    samples, _ = parse_image_classification_dir_tree(a)
    hashes = compute_filehashes([p for p, _ in samples], progress=False)
    assert len(samples) - len(set(hashes)) == 10  # what the walkthrough prints


@pytest.mark.parametrize("size,fraction", [(1, 0.05), (13, 0.0), (50, 0.2), (7, 0.5)])
def test_stand_in_sizes_and_fractions(tmp_path, size, fraction):
    root = make_image_classification_tree(
        str(tmp_path / "t"), size=size, seed=1, duplicate_fraction=fraction
    )
    check_duplicates(root, size, fraction)


def test_stand_in_images_show_their_class(tmp_path):
    root = make_image_classification_tree(
        str(tmp_path / "t"),
        size=40,
        seed=2,
        image_size=48,
        duplicate_fraction=0.0,
        classes=["red_circle", "blue_square", "mountain", "crescent_moon"],
    )
    means = {}
    for label in os.listdir(root):
        for name in os.listdir(os.path.join(root, label)):
            img = Image.open(os.path.join(root, label, name)).convert("RGB")
            assert img.size == (48, 48)
            centre = np.asarray(img)[20:28, 20:28].astype(int).mean(axis=(0, 1))
            means.setdefault(label, []).append(centre)
    red = np.mean(means["red_circle"], axis=0)
    blue = np.mean(means["blue_square"], axis=0)
    moon = np.mean(means["crescent_moon"], axis=0)
    assert red[0] > 150 and red[2] < 100  # red in the middle
    assert blue[2] > 150 and blue[0] < 100
    assert np.mean(means["mountain"], axis=0)[2] > np.mean(means["mountain"], axis=0)[1] - 60
    assert moon.sum() < red.sum()  # night sky is dark


def test_stand_in_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown stand-in classes"):
        make_image_classification_tree(str(tmp_path / "t"), classes=["unicorn"])
    with pytest.raises(ValueError, match="size must be a positive int"):
        make_image_classification_tree(str(tmp_path / "t"), size=0)
    with pytest.raises(ValueError, match="duplicate_fraction"):
        make_image_classification_tree(str(tmp_path / "t"), size=10, duplicate_fraction=1.5)
    assert os.listdir(tmp_path) == []


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    import fo_lite.standin as standin

    calls = []
    real = standin._encode

    def encode(img):
        calls.append(1)
        if len(calls) == 30:
            raise KeyboardInterrupt
        return real(img)

    monkeypatch.setattr(standin, "_encode", encode)
    with pytest.raises(KeyboardInterrupt):
        make_image_classification_tree(str(tmp_path / "t"), size=100)
    assert [n for n in os.listdir(tmp_path) if n != "cache"] == []


def test_cli_prints_where_and_how_many(tmp_path, capsys):
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), "..", "notebooks", "download_dataset.py")
    spec = importlib.util.spec_from_file_location("download_dataset", path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(["--size", "60", "--dir", str(tmp_path / "d"), "--no-download"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "d") in out
    assert "60 files (built-in stand-in images)" in out and "3 are duplicates" in out
