"""compute_exact_duplicates: FiftyOne brain's {kept_id: [dup_id, ...]}, keep rules, hash_field."""

from __future__ import annotations

import os
import warnings

import pytest
from PIL import Image

import fo_lite as fo
import fo_lite.brain as fob


@pytest.fixture
def folder(tmp_path):
    """a, b, c: one picture in three files (b is a's bytes, c a bigger re-save); d alone; e, f
    equal; g unreadable."""
    root = tmp_path / "imgs" / "x"
    root.mkdir(parents=True)
    img = Image.effect_mandelbrot((48, 48), (-2, -1.5, 1, 1.5), 50).convert("RGB")
    img.save(root / "a.jpg", quality=70)
    (root / "b.jpg").write_bytes((root / "a.jpg").read_bytes())
    (root / "c.jpg").write_bytes((root / "a.jpg").read_bytes())
    img.rotate(90).save(root / "d.jpg")
    img.rotate(180).save(root / "e.png")
    (root / "f.png").write_bytes((root / "e.png").read_bytes())
    (root / "g.jpg").write_bytes(b"")
    return tmp_path / "imgs"


def test_shape_is_fiftyones(folder):
    dataset = fo.Dataset.from_dir(str(folder))
    name = {s.id: os.path.basename(s.filepath) for s in dataset}
    dups = fob.compute_exact_duplicates(dataset, progress=False)
    assert {name[k]: sorted(name[v] for v in vs) for k, vs in dups.items()} == {
        "a.jpg": ["b.jpg", "c.jpg"],
        "e.png": ["f.png"],
    }
    assert all(isinstance(v, list) for v in dups.values())


def test_keep_rules_and_hash_field(folder):
    dataset = fo.Dataset.from_dir(str(folder))
    name = {s.id: os.path.basename(s.filepath) for s in dataset}
    dups = fob.compute_exact_duplicates(dataset, keep=lambda group: group[-1], progress=False)
    assert sorted(name[k] for k in dups) == ["c.jpg", "f.png"]
    dataset.compute_filehashes(progress=False)
    from_field = fob.compute_exact_duplicates(dataset, hash_field="file_hash")
    assert from_field == fob.compute_exact_duplicates(dataset, progress=False)
    with pytest.raises(ValueError, match="no field 'md5'.*compute_filehashes"):
        fob.compute_exact_duplicates(dataset, hash_field="md5")


def test_unreadable_files(folder):
    dataset = fo.Dataset.from_dir(str(folder))
    os.remove(next(p for p in dataset.values("filepath") if p.endswith("d.jpg")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert len(fob.compute_exact_duplicates(dataset, progress=False)) == 2
        with pytest.raises(ValueError, match="could not read 1 of 7"):
            fob.compute_exact_duplicates(dataset, skip_failures=False, progress=False)
