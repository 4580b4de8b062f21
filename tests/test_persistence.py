"""Persistent datasets across processes: save, load with the same ids and fields, lock, delete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import fo_lite as fo
from fo_lite.core import locking, registry, storage
from fo_lite.core.config import config

REPO = Path(__file__).resolve().parents[1]
NAME = "walk/through ü 'q'"  # a name that is not a plain folder name

# shared by this test process and the child processes: a JSON-able picture of a dataset
_DUMP = textwrap.dedent(
    """
    import json, math
    import fo_lite as fo

    def dump(ds):
        frame = ds.to_pandas()
        rows = {
            c: [None if isinstance(v, float) and math.isnan(v) else v
                for v in frame[c].astype(object).tolist()]
            for c in frame.columns
        }
        schema = {k: str(f) for k, f in ds.get_field_schema().items()}
        return {"name": ds.name, "schema": schema, "tags": ds.tags,
                "dtypes": {c: str(t) for c, t in frame.dtypes.items()}, "rows": rows}
    """
)
_NS: dict = {}
exec(_DUMP, _NS)  # noqa: S102 (our own constant code, not data)
dump = _NS["dump"]


@pytest.fixture
def db(tmp_path):
    config.database_dir = tmp_path / "db"
    yield tmp_path / "db"
    config.database_dir = None


def _run(code: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, FO_LITE_DATABASE_DIR=str(db), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", _DUMP + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"child failed ({proc.returncode}):\n{proc.stderr}")
    return proc


_WRITER = f"""
ds = fo.Dataset.from_image_classification_samples(
    [(f"/data/{{'cat' if i % 2 else 'dög'}}/img {{i}}.jpg", "cat" if i % 2 else "dög")
     for i in range(40)],
    name={NAME!r},
)
ds.set_values("file_hash", [f"{{i % 7:032x}}" for i in range(40)])
ds.set_values("score", [i / 4 if i % 5 else None for i in range(40)])
ds.set_values("mixed", [[i, str(i), i / 2] if i % 3 else None for i in range(40)])
del ds[ds.first().id]
ds.persistent = True
ds.tags = ["walkthrough"]
for i, sample in enumerate(ds.view().limit(5)):   # buffered edits: written at exit
    sample["note"] = f"ünïcode {{i}}"
    sample.tags = ["dup"]
    sample.save()
print(json.dumps(dump(ds)))
"""


def test_persistent_dataset_comes_back_in_a_new_process(db):
    written = json.loads(_run(_WRITER, db).stdout)
    assert len(written["rows"]["id"]) == 39 and written["rows"]["note"][:5] != [None] * 5

    ds = fo.load_dataset(NAME)
    assert ds.persistent and dump(ds) == written  # same ids, order, fields, values, dtypes

    # a second process cannot open it while this one has it, and is told who has it
    other = _run(
        f"""
from fo_lite.core.locking import DatasetLockedError
try:
    fo.load_dataset({NAME!r})
except DatasetLockedError as err:
    print(err)
""",
        db,
    )
    assert f"pid {os.getpid()}" in other.stdout and "pandas.read_parquet" in other.stdout

    ds.delete()
    assert NAME not in fo.list_datasets() and not fo.dataset_exists(NAME)
    assert not registry.dataset_dir(NAME).exists()
    assert _run(f"print(fo.dataset_exists({NAME!r}))", db).stdout.strip() == "False"


def test_only_persistent_datasets_outlive_their_process(db):
    out = _run(
        """
fo.Dataset.from_image_classification_samples([("/a.jpg", "a")], name="temp")
fo.Dataset.from_image_classification_samples([("/b.jpg", "b")], name="kept", persistent=True)
print(json.dumps(fo.list_datasets()))
""",
        db,
    ).stdout
    assert json.loads(out) == ["kept", "temp"]
    fo.Dataset(name="here")  # in memory, in this process
    assert fo.list_datasets() == ["here", "kept"]
    assert fo.dataset_exists("kept") and not fo.dataset_exists("temp")
    with pytest.raises(ValueError, match="already exists; load it with fo.load_dataset"):
        fo.Dataset(name="kept")
    fo.delete_dataset("kept")  # saved, never loaded here
    assert fo.list_datasets() == ["here"] and not (db / "kept").exists()
    with pytest.raises(ValueError, match="dataset 'kept'.*datasets: here"):
        fo.delete_dataset("kept")


def test_killed_process_leaves_its_last_save_and_no_stale_lock(db):
    proc = _run(
        """
import os, signal
ds = fo.Dataset.from_image_classification_samples([("/a.jpg", "a"), ("/b.jpg", "b")], name="k")
ds.persistent = True
ds.set_values("file_hash", ["h1", "h2"])   # a bulk change: written at once
for sample in ds:                            # per-sample edits: buffered, never written
    sample["file_hash"] = "lost"
    sample.save()
os.kill(os.getpid(), signal.SIGKILL)
""",
        db,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    ds = fo.load_dataset("k")  # the killed process's lock is gone with it
    assert ds.values("file_hash") == ["h1", "h2"]


def test_save_reload_and_the_bulk_change_hook(db):
    ds = fo.Dataset.from_image_classification_samples([("/a.jpg", "a"), ("/b.jpg", "b")], name="s")
    ds.persistent = True
    folder = registry.dataset_dir("s")
    sample = ds.first()
    sample["file_hash"] = "unsaved"
    sample.save()
    ds.reload()  # drops what was not written
    assert "file_hash" not in ds.get_field_schema() and len(ds) == 2
    assert "file_hash" not in storage.load_state(folder)[0]

    sample = ds.first()
    sample["file_hash"] = "kept"
    sample.save()
    ds.save()
    ds.reload()
    assert ds.values("file_hash") == ["kept", None]

    ds.set_values("file_hash", ["x", "y"])  # bulk changes are written at once
    assert storage.load_state(folder)[0]["file_hash"].tolist() == ["x", "y"]
    ds.delete_samples([ds.first().id])
    assert storage.load_state(folder)[0]["file_hash"].tolist() == ["y"]


def test_making_a_dataset_non_persistent_deletes_its_saved_copy(db):
    ds = fo.Dataset.from_image_classification_samples([("/a.jpg", "a")], name="p", persistent=True)
    assert storage.has_state(registry.dataset_dir("p"))
    ds.persistent = False
    assert not registry.dataset_dir("p").exists() and not ds.persistent
    assert fo.list_datasets() == ["p"] and len(ds) == 1  # still here in memory


def test_value_that_cannot_be_saved_fails_persist_and_leaves_nothing(db):
    ds = fo.Dataset.from_image_classification_samples([("/a.jpg", "a")], name="t")
    ds.set_values("pair", [{1: "a"}])  # a non-str key: cannot be stored exactly without pickle
    with pytest.raises(ValueError, match="field 'pair', row 0: a dict value"):
        ds.persistent = True
    assert not ds.persistent and not registry.dataset_dir("t").exists()
    assert ds.values("pair") == [{1: "a"}]  # nothing lost in memory
    ds.set_values("pair", [{"1": (1, 2)}])  # tuples are stored as lists, as in FiftyOne
    ds.persistent = True
    assert storage.load_state(registry.dataset_dir("t"))[0]["pair"].tolist() == [{"1": [1, 2]}]


def test_database_dir_change_applies_to_later_datasets(db, tmp_path):
    first = fo.Dataset(name="first", persistent=True)
    config.database_dir = tmp_path / "other"
    second = fo.Dataset(name="second", persistent=True)
    assert storage.has_state(db / "first") and storage.has_state(tmp_path / "other" / "second")
    first.save()  # a dataset keeps the folder it was saved in
    assert not (tmp_path / "other" / "first").exists()
    second.delete()
    first.delete()


def test_damaged_or_newer_saved_dataset_is_refused_and_kept(db):
    folder = registry.dataset_dir("bad")
    folder.mkdir(parents=True)
    storage.data_path(folder).write_bytes(b"PAR1 not really")
    with pytest.raises(storage.CorruptDatasetError, match="delete the folder"):
        fo.load_dataset("bad")
    assert storage.data_path(folder).read_bytes() == b"PAR1 not really"
    assert not locking.is_held(storage.lock_path(folder)) and "bad" not in registry._loaded
    fo.delete_dataset("bad")
    assert not folder.exists()

    storage.save_state(folder, pd.DataFrame({"x": [1]}), {"not": "a dataset"})
    with pytest.raises(storage.CorruptDatasetError, match="not a saved Dataset"):
        fo.load_dataset("bad")
    assert storage.has_state(folder) and "bad" not in registry._loaded

    table = pq.read_table(storage.data_path(folder))
    header = json.loads(table.schema.metadata[b"fo_lite"])
    header["format_version"] = storage.FORMAT_VERSION + 1
    pq.write_table(
        table.replace_schema_metadata({b"fo_lite": json.dumps(header)}), storage.data_path(folder)
    )
    before = storage.data_path(folder).read_bytes()
    with pytest.raises(storage.NewerFormatError, match="upgrade fo_lite"):
        fo.load_dataset("bad")
    assert storage.data_path(folder).read_bytes() == before


def test_lock_contention_names_the_other_process_on_persist(db):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _DUMP + "ds = fo.Dataset(name='busy', persistent=True)\n"
            "print('ready', flush=True)\ninput()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, FO_LITE_DATABASE_DIR=str(db), PYTHONPATH=str(REPO)),
        cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(locking.DatasetLockedError, match=f"pid {holder.pid}"):
            fo.load_dataset("busy")
        with pytest.raises(locking.DatasetLockedError):
            fo.delete_dataset("busy")
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert fo.load_dataset("busy").persistent


def test_forked_child_exiting_neither_saves_nor_complains(db):
    proc = _run(
        """
import os, sys
from fo_lite.core import registry, storage
ds = fo.Dataset.from_image_classification_samples([("/a.jpg", "a")], name="f", persistent=True)
sample = ds.first()
sample["file_hash"] = "parent"   # buffered: written at exit
sample.save()
pid = os.fork()
if pid == 0:
    sys.exit(0)  # runs atexit handlers in the child
os.waitpid(pid, 0)
print("file_hash" in storage.load_state(registry.dataset_dir("f"))[0])
""",
        db,
    )
    assert proc.stdout.strip() == "False" and proc.stderr == ""
    assert fo.load_dataset("f").values("file_hash") == ["parent"]  # the parent saved at exit


def test_a_persistent_clone_of_a_view_comes_back_in_a_new_process(db):
    written = json.loads(
        _run(
            _WRITER
            + """
clone = ds.match_tags("dup").clone("dup_backup", persistent=True)
print(json.dumps(dump(clone)))
""",
            db,
        ).stdout.splitlines()[-1]
    )
    assert len(written["rows"]["id"]) == 5
    assert set(fo.list_datasets()) >= {NAME, "dup_backup"}
    clone = fo.load_dataset("dup_backup")
    assert clone.persistent and dump(clone) == written
