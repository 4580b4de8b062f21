"""A writer SIGKILLed at random moments mid-save leaves the old or the new state, never a broken one.

Writers are forked from a helper process that has pandas loaded (tests/_crash_writer.py), so
each starts in about a millisecond; each saves two distinguishable states alternately
until this test kills it after a random delay. After every kill the dataset must load as
exactly one of the two complete states. Set ``FO_LITE_CRASH_SEED`` to replay a run and
``FO_LITE_CRASH_KILLS`` to change the number of kills (default 200).
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from fo_lite.core import storage

REPO = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).with_name("_crash_writer.py")
ROWS = 3000
KILLS = int(os.environ.get("FO_LITE_CRASH_KILLS", "200"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


def _helper_module():
    spec = importlib.util.spec_from_file_location("_crash_writer", HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fail(proc: subprocess.Popen, message: str) -> None:
    proc.kill()
    _, errors = proc.communicate(timeout=30)
    raise AssertionError(f"{message}; helper stderr:\n{errors}")


def _expect_line(proc: subprocess.Popen, prefix: str) -> str:
    line = proc.stdout.readline()
    if not line.startswith(prefix):
        _fail(proc, f"helper said {line!r}, expected {prefix!r}")
    return line[len(prefix) :].strip()


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for column in a.columns:
        if a[column].dtype != b[column].dtype or a[column].tolist() != b[column].tolist():
            return False
    return True


def test_sigkill_mid_save_leaves_one_complete_state(tmp_path):
    seed = int(os.environ.get("FO_LITE_CRASH_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)
    states = {w: _helper_module().make_state(w, ROWS) for w in "AB"}
    folder = tmp_path / "crash_ds"
    expected = {}
    for which in "BA":  # ends with A saved; compare with loaded frames (dtypes as loads give)
        storage.save_state(folder, states[which], {"state": which})
        expected[which] = storage.load_state(folder)[0]
    assert not _same_frame(expected["A"], expected["B"])

    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    helper = subprocess.Popen(
        [sys.executable, str(HELPER), str(folder), str(ROWS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    seen = {"A": 0, "B": 0}
    temporaries_seen = 0
    try:
        _expect_line(helper, "ready")
        for kill in range(KILLS):
            helper.stdin.write(f"go {rng.choice('AB')}\n")
            helper.stdin.flush()
            pid = int(_expect_line(helper, "pid "))
            time.sleep(rng.uniform(0.0, 0.08))  # a random moment: before, during or between saves
            os.kill(pid, signal.SIGKILL)
            helper.stdin.write("reap\n")
            helper.stdin.flush()
            status = _expect_line(helper, "status ")
            if status != "SIGKILL":
                _fail(helper, f"kill {kill} (seed {seed}): the writer ended with {status!r}")
            temporaries_seen += any(p.name.endswith(".tmp") for p in folder.iterdir())
            frame, meta = storage.load_state(folder)
            which = meta["state"]
            assert _same_frame(frame, expected[which]), (
                f"kill {kill} (seed {seed}): loaded a state that is neither A nor B"
            )
            seen[which] += 1
    finally:
        helper.stdin.close()
        helper.wait(timeout=30)
    print(f"seed {seed}: {KILLS} kills, states seen {seen}, temporaries left {temporaries_seen}")
    # the kills did land mid-save (a temporary left behind) and between saves of both states
    assert temporaries_seen > 0, f"seed {seed}: no kill landed during a write"
    assert seen["A"] > 0 and seen["B"] > 0, f"seed {seed}: states seen {seen}"
    # the next save removes what killed writers left behind
    storage.save_state(folder, states["A"], {"state": "A"})
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [storage.DATA_FILE, storage.LOCK_FILE]
    )
