"""Persistent storage: exact round-trips, clear errors on bad files, locking, fo.config."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fo_lite.core import locking, storage
from fo_lite.core.config import Config
from fo_lite.core.frame_codec import UnsupportedValueError

REPO = Path(__file__).resolve().parents[1]


def _same(a, b) -> bool:
    """Equal values of exactly the same Python types (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert isinstance(got.index, pd.RangeIndex) and len(got) == len(want)
    for column in want.columns:
        assert got[column].dtype == want[column].dtype, column
        if want[column].dtype == object:
            for g, w in zip(got[column], want[column], strict=True):
                assert _same(g, w), (column, g, w)
        else:
            pd.testing.assert_series_equal(got[column], want[column], check_index=False)


def _roundtrip(tmp_path, frame, metadata=None):
    storage.save_state(tmp_path / "ds", frame, metadata or {"name": "ds"})
    return storage.load_state(tmp_path / "ds")


def _obj(values) -> pd.Series:
    return pd.Series(values, dtype=object)


def _dataset_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(["5f0c9a1b2c3d4e5f60718293", "5f0c9a1b2c3d4e5f60718294", "0" * 24]),
            "filepath": pd.Series(["/data/ünïcode 猫.jpg", '/data/it\'s "quoted".png', "/x"]),
            "tags": _obj([["train"], [], ["dup", "✓"]]),
            "ground_truth.label": pd.Series(["mountain", None, "sea"]),
            "file_hash": pd.Series(["ab12", "ab12", None]),
            "n": pd.Series([1, -(2**62), 3], dtype="int64"),
            "score": pd.Series([0.5, math.nan, -0.0]),
            "flag": pd.Series([True, False, True]),
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "string_python": pd.array(["x", None, "ÿ"], dtype="string[python]"),
            "category": pd.Series(["a", "b", None], dtype="category"),
            "when": pd.Series(pd.to_datetime(["2020-01-01", None, "2021-05-05"])),
            "small": np.array([1, 2, 255], dtype=np.uint8),
            "obj_str": _obj(["a", None, "ü"]),
            "obj_int": _obj([1, None, 2**40]),
            "obj_bigint": _obj([2**70, -1, None]),
            "obj_float": _obj([1.5, None, math.inf]),
            "obj_bool": _obj([True, None, False]),
            "obj_null": _obj([None, None, None]),
            "mixed_scalars": _obj([1, "1", 1.0]),
            "mixed_bool_int": _obj([True, 1, None]),
            "int_lists": _obj([[1, 2], [], None]),
            "float_lists": _obj([[1.5, math.nan], [0.25], []]),
            "mixed_lists": _obj([[1, 2.0], ["a", 1, None], [True]]),
            "nested": _obj([{"a": [1, {"b": None}]}, [[1], ["x"]], "plain"]),
        }
    )


def test_roundtrip_every_kind_of_column(tmp_path):
    frame = _dataset_frame()
    got, meta = _roundtrip(tmp_path, frame, {"name": "ds", "fields": {"tags": "list"}})
    _assert_same_frame(got, frame)
    assert meta == {"name": "ds", "fields": {"tags": "list"}}
    assert got["id"].tolist() == frame["id"].tolist()


def test_object_nulls_come_back_as_none_and_str_nulls_as_dtype_null(tmp_path):
    frame = pd.DataFrame({"o": _obj(["a", math.nan, None]), "s": pd.Series(["a", None, None])})
    got, _ = _roundtrip(tmp_path, frame)
    assert got["o"].tolist() == ["a", None, None]
    assert got["s"].dtype == frame["s"].dtype and got["s"].isna().tolist() == [False, True, True]


def test_empty_frame_and_zero_rows_with_columns(tmp_path):
    got, _ = _roundtrip(tmp_path, pd.DataFrame())
    assert got.shape == (0, 0)
    frame = _dataset_frame().iloc[:0].reset_index(drop=True)
    got, _ = _roundtrip(tmp_path, frame)
    assert list(got.columns) == list(frame.columns) and len(got) == 0
    assert got.dtypes.tolist() == frame.dtypes.tolist()


def test_index_is_not_stored_rows_keep_their_order(tmp_path):
    frame = pd.DataFrame({"id": ["c", "a", "b"]}, index=[7, 3, 5])
    got, _ = _roundtrip(tmp_path, frame)
    assert got["id"].tolist() == ["c", "a", "b"] and got.index.equals(pd.RangeIndex(3))


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(columns=st.lists(st.lists(_json_values, min_size=3, max_size=3), min_size=1, max_size=4))
def test_object_columns_roundtrip_exactly(tmp_path, columns):
    frame = pd.DataFrame({f"f{i}": _obj(values) for i, values in enumerate(columns)})
    got, _ = _roundtrip(tmp_path, frame)
    for name, values in zip(frame.columns, columns, strict=True):
        # a null row of an object column is None, whatever null it was
        want = [None if isinstance(v, float) and math.isnan(v) else v for v in values]
        assert all(map(_same, got[name].tolist(), want)), (name, got[name].tolist(), want)


def _file_bytes(tmp_path) -> bytes:
    return storage.data_path(tmp_path / "ds").read_bytes()


@pytest.mark.parametrize(
    "value, what",
    [
        ((1, 2), "tuple"),
        ({1: "a"}, "dict"),
        (b"raw", "bytes"),
        ([{1, 2}], "list"),
        (object(), "object"),
    ],
)
def test_value_that_cannot_be_stored_exactly_raises_and_keeps_old_file(tmp_path, value, what):
    _roundtrip(tmp_path, _dataset_frame())
    before = _file_bytes(tmp_path)
    frame = pd.DataFrame({"id": ["a", "b"], "weird": _obj(["ok", value])})
    with pytest.raises(UnsupportedValueError, match=rf"field 'weird', row 1: a {what} value"):
        storage.save_state(tmp_path / "ds", frame, {})
    assert _file_bytes(tmp_path) == before
    assert not [p for p in (tmp_path / "ds").iterdir() if p.suffix == ".tmp"]


def test_bad_metadata_or_column_names_raise_before_writing(tmp_path):
    _roundtrip(tmp_path, _dataset_frame())
    before = _file_bytes(tmp_path)
    with pytest.raises(TypeError, match="metadata must be JSON-able"):
        storage.save_state(tmp_path / "ds", _dataset_frame(), {"when": object()})
    dupes = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match=r"duplicate field names \['a'\]"):
        storage.save_state(tmp_path / "ds", dupes, {})
    assert _file_bytes(tmp_path) == before


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"this is not parquet at all" * 10)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "flipped":
        # flip one byte of the first data page's payload (after its page header)
        pos = 4 + 30
        path.write_bytes(data[:pos] + bytes([data[pos] ^ 0xFF]) + data[pos + 1 :])


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "flipped"])
def test_corrupt_file_is_reported_and_left_untouched(tmp_path, how):
    frame = pd.DataFrame({"id": [f"{i:024x}" for i in range(500)], "v": range(500)})
    _roundtrip(tmp_path, frame)
    path = storage.data_path(tmp_path / "ds")
    _damage(path, how)
    before = path.read_bytes()
    with pytest.raises(storage.CorruptDatasetError) as info:
        storage.load_state(tmp_path / "ds")
    assert str(path) in str(info.value) and "delete the folder" in str(info.value)
    assert path.read_bytes() == before


def test_parquet_not_written_by_fo_lite_is_refused(tmp_path):
    (tmp_path / "ds").mkdir()
    pq.write_table(pa.table({"a": [1]}), storage.data_path(tmp_path / "ds"))
    with pytest.raises(storage.CorruptDatasetError, match="not written by fo_lite"):
        storage.load_state(tmp_path / "ds")


def test_file_from_newer_version_is_refused_and_left_untouched(tmp_path):
    _roundtrip(tmp_path, _dataset_frame())
    path = storage.data_path(tmp_path / "ds")
    table = pq.read_table(path)
    header = json.loads(table.schema.metadata[b"fo_lite"])
    header.update(format_version=storage.FORMAT_VERSION + 1, fo_lite_version="9.0")
    pq.write_table(table.replace_schema_metadata({b"fo_lite": json.dumps(header)}), path)
    before = path.read_bytes()
    with pytest.raises(storage.NewerFormatError) as info:
        storage.load_state(tmp_path / "ds")
    message = str(info.value)
    assert str(path) in message and "fo_lite 9.0" in message
    assert f"format version {storage.FORMAT_VERSION + 1}" in message
    assert f"up to {storage.FORMAT_VERSION}" in message
    assert path.read_bytes() == before
    with pytest.raises(storage.NewerFormatError):
        storage.read_metadata(tmp_path / "ds")


def test_missing_dataset(tmp_path):
    assert not storage.has_state(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no saved dataset at"):
        storage.load_state(tmp_path / "nope")


def test_stale_temporaries_are_ignored_by_load_and_removed_by_save(tmp_path):
    frame = _dataset_frame()
    _roundtrip(tmp_path, frame)
    stale = tmp_path / "ds" / ".dataset.parquet.99999.deadbeef.tmp"
    stale.write_bytes(b"half a file")
    _assert_same_frame(storage.load_state(tmp_path / "ds")[0], frame)
    storage.save_state(tmp_path / "ds", frame.iloc[:1], {"name": "ds"})
    assert not stale.exists()
    assert len(storage.load_state(tmp_path / "ds")[0]) == 1


def test_delete_state_removes_the_folder(tmp_path):
    _roundtrip(tmp_path, _dataset_frame())
    storage.delete_state(tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
    storage.delete_state(tmp_path / "ds")  # nothing there: no error


_HOLDER = """
import sys
from fo_lite.core import locking, storage
locking.acquire(storage.lock_path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.readline()
"""


def _start_holder(folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_cannot_write_while_the_first_holds_the_dataset(tmp_path):
    folder = tmp_path / "ds"
    frame = _dataset_frame()
    storage.save_state(folder, frame, {"v": 1})
    holder = _start_holder(folder)
    try:
        with pytest.raises(locking.DatasetLockedError) as info:
            storage.save_state(folder, frame.iloc[:1], {"v": 2})
        message = str(info.value)
        assert f"pid {holder.pid}" in message and "on host" in message
        assert "end that process" in message
        with pytest.raises(locking.DatasetLockedError):
            storage.delete_state(folder)
        # reading is allowed and sees the last complete save
        got, meta = storage.load_state(folder)
        assert meta == {"v": 1} and len(got) == len(frame)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    storage.save_state(folder, frame.iloc[:1], {"v": 2})  # the lock died with the process
    assert storage.load_state(folder)[1] == {"v": 2}


def test_lock_of_a_killed_process_is_released(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    holder = _start_holder(folder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    storage.save_state(folder, _dataset_frame(), {})
    assert not locking.is_held(storage.lock_path(folder))


def test_lock_is_reentrant_within_a_process(tmp_path):
    path = tmp_path / "x.lock"
    locking.acquire(path)
    locking.acquire(path)
    locking.release(path)
    assert locking.is_held(path)
    assert locking.holder_info(path)["pid"] == os.getpid()
    locking.release(path)
    assert not locking.is_held(path)


def test_config_database_dir(monkeypatch, tmp_path):
    cfg = Config()
    monkeypatch.delenv("FO_LITE_DATABASE_DIR", raising=False)
    assert cfg.database_dir == os.path.expanduser("~/.fo_lite/datasets")
    assert cfg.database_dir_source == "default"
    monkeypatch.setenv("FO_LITE_DATABASE_DIR", str(tmp_path / "env"))
    assert cfg.database_dir == str(tmp_path / "env") and "FO_LITE_DATABASE_DIR" in repr(cfg)
    cfg.database_dir = tmp_path / "set"
    assert cfg.database_dir == str(tmp_path / "set") and "set on fo.config" in repr(cfg)
    cfg.database_dir = None
    assert cfg.database_dir == str(tmp_path / "env")
    with pytest.raises(TypeError, match="database_dir must be a folder path"):
        cfg.database_dir = 3
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        cfg.database_dir = tmp_path / "file"


def test_fo_config_is_the_shared_object():
    import fo_lite
    from fo_lite.core.config import config

    assert fo_lite.config is config


def test_numpy_scalars_in_object_columns_keep_their_values(tmp_path):
    frame = pd.DataFrame({"x": _obj([np.int64(3), np.float64(0.5), "s"])})
    got, _ = _roundtrip(tmp_path, frame)
    assert got["x"].tolist() == [3, 0.5, "s"]
