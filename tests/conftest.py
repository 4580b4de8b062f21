"""Shared test setup: an isolated database dir, and no dataset leaks between tests."""

from __future__ import annotations

import os
import tempfile

import pytest

# before fo_lite reads its config: never touch the user's ~/.fo_lite in tests
os.environ["FO_LITE_DATABASE_DIR"] = tempfile.mkdtemp(prefix="fo_lite_test_db_")


@pytest.fixture(autouse=True)
def _forget_datasets():
    """Delete the datasets a test made, so names can be reused."""
    yield
    from fo_lite.core import registry

    for dataset in registry.loaded_datasets():
        dataset.delete()


def make_samples(n: int, labels=("cat", "dog", "mountain")) -> list[tuple[str, str]]:
    """``n`` (filepath, label) pairs with fake paths (no files), labels round-robin."""
    return [(f"/data/{labels[i % len(labels)]}/{i}.jpg", labels[i % len(labels)]) for i in range(n)]


@pytest.fixture(scope="session")
def mongod():
    """A real MongoDB server (``tests/mongod_server.MongodServer``), started once per session.

    Fails (never skips) every test that takes it when the server cannot start."""
    from mongod_server import MongodError, MongodServer

    server = MongodServer()
    try:
        server.start()
    except MongodError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.stop()
