"""Hashing through a Dask distributed cluster gives the same hashes as the default path.

Needs the ``dask`` extra (``pip install -e ".[dask]"``): the test is not skipped when dask is
missing, because "the per-file work runs on any Executor" is a promise of issue 5.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor

import pytest
import xxhash
from distributed import Client, LocalCluster

import fo_lite as fo


class CountingExecutor(Executor):
    """Delegates to another executor and counts the work handed to it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs):
        self.calls += 1
        return self.inner.submit(fn, *args, **kwargs)

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        self.calls += 1
        return self.inner.map(fn, *iterables, timeout=timeout)

    def shutdown(self, wait=True, *, cancel_futures=False):  # the cluster is shut down by the test
        pass


@pytest.fixture(scope="module")
def client():
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture
def tree(tmp_path):
    """150 small files in two class folders; every 10th is a byte copy of the one before."""
    root = tmp_path / "tree"
    blobs = []
    for i in range(150):
        label = ("cats", "dogs")[i % 2]
        (root / label).mkdir(parents=True, exist_ok=True)
        data = blobs[-1] if i % 10 == 9 else bytes([i % 251]) * (200 + 37 * i)
        blobs.append(data)
        (root / label / f"{i:03d}.jpg").write_bytes(data)
    return root


def test_dask_executor_gives_the_default_hashes(client, tree):
    dataset = fo.Dataset.from_dir(str(tree))
    paths = dataset.values("filepath")
    dataset.compute_filehashes(progress=False)
    default = dataset.values("file_hash")
    # the default path itself is right: xxh3_128 of each file's bytes
    assert default == [xxhash.xxh3_128_hexdigest(open(p, "rb").read()) for p in paths]
    assert len(set(default)) == 150 - 15

    executor = CountingExecutor(client.get_executor())
    dataset.compute_filehashes(field="dask_hash", executor=executor, progress=False)
    assert executor.calls > 0, "compute_filehashes did not use the executor it was given"
    assert dataset.values("dask_hash") == default


def test_dask_executor_with_a_hashlib_method(client, tree):
    dataset = fo.Dataset.from_dir(str(tree))
    executor = CountingExecutor(client.get_executor())
    dataset.compute_filehashes(method="md5", executor=executor, progress=False)
    assert executor.calls > 0
    expected = [hashlib.md5(open(p, "rb").read()).hexdigest() for p in dataset.values("filepath")]
    assert dataset.values("file_hash") == expected
