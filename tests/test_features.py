"""compute_filehash / compute_filehashes: methods, streaming, order, failures, executors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import warnings
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import xxhash

import fo_lite.core.features as fof
from fo_lite.core.features import compute_filehash, compute_filehashes, hash_methods


@pytest.fixture
def files(tmp_path):
    """60 small files with distinct contents (one empty), returned with their bytes."""
    out = []
    for i in range(60):
        data = bytes([i % 256]) * (i * 37)
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(data)
        out.append((str(p), data))
    return out


def test_default_is_xxh3_128_hex_of_the_bytes(tmp_path):
    p = tmp_path / "a.jpg"
    p.write_bytes(b"hello world")
    h = compute_filehash(str(p))
    assert h == xxhash.xxh3_128_hexdigest(b"hello world")
    assert len(h) == 32 and int(h, 16) >= 0
    assert compute_filehash(p) == h  # PathLike works too
    assert fof.DEFAULT_METHOD == "xxh3_128"


def test_same_hash_in_another_process(tmp_path):
    p = tmp_path / "a.jpg"
    p.write_bytes(os.urandom(5000))
    code = (
        "import sys; from fo_lite.core.features import compute_filehash as c; print(c(sys.argv[1]))"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code, str(p)], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == compute_filehash(str(p))


@pytest.mark.parametrize("method", ["md5", "sha1", "sha256", "MD5", "blake2b"])
def test_hashlib_methods(tmp_path, method):
    p = tmp_path / "a.bin"
    p.write_bytes(b"abc" * 1000)
    assert (
        compute_filehash(str(p), method) == hashlib.new(method.lower(), b"abc" * 1000).hexdigest()
    )


@pytest.mark.parametrize(
    "method,fn",
    [
        ("xxh64", xxhash.xxh64_hexdigest),
        ("xxh3_64", xxhash.xxh3_64_hexdigest),
        ("xxh128", xxhash.xxh3_128_hexdigest),
        ("xxh3_128", xxhash.xxh3_128_hexdigest),
    ],
)
def test_xxhash_methods(tmp_path, method, fn):
    p = tmp_path / "a.bin"
    p.write_bytes(b"xyz" * 77)
    assert compute_filehash(str(p), method) == fn(b"xyz" * 77)


@pytest.mark.parametrize("bad", ["md6", "shake_128", "", 5])
def test_unknown_method_lists_choices(tmp_path, bad):
    p = tmp_path / "a.bin"
    p.write_bytes(b"x")
    with pytest.raises(ValueError, match="unknown hash method") as e:
        compute_filehash(str(p), bad)
    assert "xxh3_128" in str(e.value) and "md5" in str(e.value)
    with pytest.raises(ValueError, match="unknown hash method"):
        compute_filehashes([str(p)], method=bad)
    assert "md5" in hash_methods() and "xxh3_128" in hash_methods()


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 129, 1000])
@pytest.mark.parametrize("method", [None, "md5"])
def test_streamed_reads_give_the_same_hash(tmp_path, monkeypatch, size, method):
    monkeypatch.setattr(fof, "CHUNK_SIZE", 64)
    data = os.urandom(size)
    p = tmp_path / "a.bin"
    p.write_bytes(data)
    expect = hashlib.md5(data).hexdigest() if method else xxhash.xxh3_128_hexdigest(data)
    assert compute_filehash(str(p), method) == expect


def test_big_file_is_read_in_chunks(tmp_path, monkeypatch):
    data = os.urandom(3 * fof.CHUNK_SIZE + 123)
    p = tmp_path / "big.bin"
    p.write_bytes(data)
    sizes = []
    real_read = os.read

    def read(fd, n):
        sizes.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(fof.os, "read", read)
    assert compute_filehash(str(p)) == xxhash.xxh3_128_hexdigest(data)
    assert sizes and all(0 < n <= fof.CHUNK_SIZE for n in sizes)
    assert len(sizes) >= 4
    sizes.clear()
    small = tmp_path / "small.jpg"
    small.write_bytes(b"s" * 5000)
    assert compute_filehash(str(small)) == xxhash.xxh3_128_hexdigest(b"s" * 5000)
    assert len(sizes) == 2  # the whole file in one read, then the end-of-file probe


def test_missing_file_raises_for_a_single_hash(tmp_path):
    with pytest.raises(FileNotFoundError):
        compute_filehash(str(tmp_path / "nope.jpg"))


@pytest.mark.parametrize("workers", [1, 2, 4, None])
def test_filehashes_in_input_order(files, workers):
    paths = [p for p, _ in files][::-1]
    hashes = compute_filehashes(paths, num_workers=workers, progress=False)
    assert hashes == [compute_filehash(p) for p in paths]
    assert hashes[-1] == xxhash.xxh3_128_hexdigest(b"")
    assert len(set(hashes)) == len(paths)


def test_filehashes_many_files_parallel_path(tmp_path):
    paths = []
    for i in range(300):  # above the inline threshold: uses the thread pool and chunks
        p = tmp_path / f"{i}.jpg"
        p.write_bytes(str(i).encode() * 3)
        paths.append(str(p))
    assert compute_filehashes(paths, method="sha1", progress=False) == [
        hashlib.sha1(str(i).encode() * 3).hexdigest() for i in range(300)
    ]


def test_unreadable_files_give_none_and_one_counted_warning(files, tmp_path):
    paths = [p for p, _ in files]
    bad = [str(tmp_path / "missing1.jpg"), str(tmp_path), str(tmp_path / "missing2.jpg")]
    mixed = paths[:10] + [bad[0]] + paths[10:] + bad[1:] + ["bad\0name", None]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        hashes = compute_filehashes(mixed, num_workers=2, progress=False)
    assert len(w) == 1
    msg = str(w[0].message)
    assert f"5 of {len(mixed)} files" in msg and repr(bad[0]) in msg and "2 more" in msg
    assert [h is None for h in hashes] == [False] * 10 + [True] + [False] * 50 + [True] * 4
    assert hashes[:10] == [compute_filehash(p) for p in paths[:10]]


def test_no_warning_when_all_files_read(files):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_filehashes([p for p, _ in files], progress=False)


def test_empty_input_and_bad_num_workers(files):
    assert compute_filehashes([]) == []
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ValueError, match="num_workers"):
            compute_filehashes([files[0][0]], num_workers=bad)


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self):
        super().__init__(max_workers=2)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_user_executor_used_in_chunks_and_left_open(tmp_path):
    paths = []
    for i in range(1000):
        p = tmp_path / f"{i}.jpg"
        p.write_bytes(b"%d" % i)
        paths.append(str(p))
    ex = CountingExecutor()
    try:
        hashes = compute_filehashes(paths, executor=ex, progress=False)
        assert hashes == [xxhash.xxh3_128_hexdigest(b"%d" % i) for i in range(1000)]
        assert 2 <= ex.submitted <= 64  # chunks, not one task per file
        assert ex.submit(lambda: 7).result() == 7  # not shut down by us
    finally:
        ex.shutdown()


def test_process_pool_executor_gives_same_hashes(files):
    paths = [p for p, _ in files]
    with ProcessPoolExecutor(max_workers=1) as ex:
        assert compute_filehashes(paths, method="md5", executor=ex, progress=False) == [
            hashlib.md5(d).hexdigest() for _, d in files
        ]


def test_progress_bar_shown_when_asked_and_hidden_below_threshold(files, capsys):
    paths = [p for p, _ in files]
    compute_filehashes(paths)
    assert "Hashing" not in capsys.readouterr().err
    compute_filehashes(paths, progress=True)
    err = capsys.readouterr().err
    assert "Hashing files" in err and f"{len(paths)}/{len(paths)}" in err


def test_dask_executor_gives_same_hashes(files):
    distributed = pytest.importorskip("dask.distributed")  # optional extra: fo_lite[dask]
    with distributed.LocalCluster(n_workers=1, processes=False) as cluster:
        with distributed.Client(cluster) as client:
            paths = [p for p, _ in files]
            got = compute_filehashes(paths, executor=client.get_executor(), progress=False)
    assert got == [xxhash.xxh3_128_hexdigest(d) for _, d in files]


def test_permission_denied_counts_as_unreadable(files, monkeypatch):
    paths = [p for p, _ in files]
    locked = paths[3]
    real_open = os.open

    def fake_open(path, flags, *a):
        if path == locked:  # running as root, chmod would not stop the read: simulate it
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *a)

    monkeypatch.setattr(fof.os, "open", fake_open)
    with pytest.warns(RuntimeWarning, match="1 of 60 files") as rec:
        hashes = compute_filehashes(paths, num_workers=2, progress=False)
    assert "Permission denied" in str(rec[0].message)
    assert hashes[3] is None and all(h is not None for i, h in enumerate(hashes) if i != 3)
