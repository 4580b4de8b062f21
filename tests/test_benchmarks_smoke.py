"""The benchmark runner works end to end at a tiny size, and a wrong answer fails its run.

Benchmarks themselves are not part of the test run; this runs ``benchmarks/run.py`` on 50 images
(fo_lite both ways and the floor, one run each) into a temporary folder and checks the JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "benchmarks" / "run.py"
STEPS = ("import", "build", "summary_views", "hash", "group", "delete", "verify")
EXPORTS = ("export", "export_hardlink")
CONTENDERS = (
    "fo_lite_seed",
    "fo_lite_batched",
    "fo_lite_autosave",
    "fo_lite_save_context",
    "floor",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    readme = tmp / "README.md"
    readme.write_text("# hand-written intro\n\nkept as is\n")
    out = tmp / "results.json"
    cmd = [sys.executable, str(RUN), "--sizes", "50", "--repeat", "1", "--import-runs", "1"]
    cmd += ["--contenders", ",".join(CONTENDERS), "--work-dir", str(tmp / "work")]
    cmd += ["--out", str(out), "--readme", str(readme)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(out.read_text()), readme.read_text(), tmp


def test_every_contender_has_every_step_with_sane_numbers(smoke):
    results, _, _ = smoke
    size = results["sizes"]["50"]
    truth = size["ground_truth"]
    assert truth["n_files"] == 50
    assert 0 < truth["n_delete"] < 50
    assert truth["n_kept"] == 50 - truth["n_delete"]
    for c in CONTENDERS:
        (run,) = size["runs"][c]
        assert run["ok"], run
        assert run["returncode"] == 0
        assert set(run["steps"]) == set(STEPS + EXPORTS), (c, run["steps"])
        for step, secs in run["steps"].items():
            assert 0 <= secs < 60, (c, step, secs)
        assert sum(run["steps"].values()) <= run["wall"]
        for key, value in run["counts"].items():
            assert value == truth[key], (c, key, value, truth[key])
        assert {"n_delete", "n_kept", "n_exported", "n_exported_hardlink"} <= set(run["counts"])
        assert 10 < run["peak_rss_mib"] < 4096
        assert run["main_maxrss_mib"] <= run["peak_rss_mib"]
        summ = size["summaries"][c]
        assert summ["n_ok"] == 1
        assert summ["min"]["walkthrough"] == pytest.approx(sum(run["steps"][s] for s in STEPS))
    ratio = size["ratios"]["fo_lite_seed/floor"]["walkthrough"]["median"]
    assert ratio == pytest.approx(
        size["summaries"]["fo_lite_seed"]["median"]["walkthrough"]
        / size["summaries"]["floor"]["median"]["walkthrough"]
    )
    assert 0 < results["import_fo_lite"]["median"] < 10
    assert size["failed"] == {}


def test_readme_table_is_written_between_markers_and_rest_kept(smoke):
    _, readme, _ = smoke
    assert readme.startswith("# hand-written intro\n\nkept as is\n")
    assert readme.count("<!-- walkthrough-results:begin") == 1
    assert "| **all but export** |" in readme
    assert "#### 50 images" in readme


def test_a_wrong_answer_fails_the_run(smoke, tmp_path):
    results, _, tmp = smoke
    truth = dict(results["sizes"]["50"]["ground_truth"])
    truth["n_delete"] += 1  # pretend the generator made one more duplicate
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps(truth))
    tree = tmp / "work" / "trees" / "n50-seed51"
    cmd = [sys.executable, str(REPO / "benchmarks" / "walkthroughs" / "floor.py")]
    cmd += ["--src", str(tree), "--export-dir", str(tmp_path / "exp"), "--expect", str(expect)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=60)
    assert proc.returncode == 3
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    assert line["ok"] is False
    assert line["wrong"] == {
        "n_delete": {"got": truth["n_delete"] - 1, "expected": truth["n_delete"]}
    }


def test_save_loops_runs_every_contender():
    cmd = [sys.executable, str(REPO / "benchmarks" / "save_loops.py"), "--rows", "300"]
    proc = subprocess.run(
        [*cmd, "--repeat", "1", "--persistent"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    for contender in ("batched", "loop", "save", "autosave", "save_context"):
        assert f"| {contender} |" in proc.stdout
