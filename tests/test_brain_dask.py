"""Decoding and hashing through a Dask distributed cluster gives the default path's results.

As for file hashes (tests/test_executor_dask.py), the test is not skipped without dask: "the
per-file work runs on any Executor" is a promise of the brain too.
"""

from __future__ import annotations

import pytest
from brain_support import near_tree  # same folder: pytest puts it on sys.path
from test_executor_dask import CountingExecutor, client  # noqa: F401 (a fixture; same folder)

import fo_lite as fo
import fo_lite.brain as fob


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return near_tree(tmp_path_factory, size=150, seed=5, near_fraction=0.2, duplicate_fraction=0.05)


def test_dask_executor_gives_the_default_hashes_and_groups(client, tree):  # noqa: F811
    dataset = fo.Dataset.from_dir(tree)
    fob.compute_perceptual_hashes(dataset, progress=False)
    default = dataset.values("phash")
    executor = CountingExecutor(client.get_executor())
    fob.compute_perceptual_hashes(dataset, field="dask_phash", executor=executor, progress=False)
    assert executor.calls > 0, "the executor it was given was not used"
    assert dataset.values("dask_phash") == default

    inline = fob.compute_near_duplicates(dataset, num_workers=1, progress=False)
    executor = CountingExecutor(client.get_executor())
    remote = fob.compute_near_duplicates(dataset, executor=executor, progress=False)
    assert executor.calls > 0
    assert remote.groups == inline.groups and remote.groups
    assert remote.neighbors_map == inline.neighbors_map
