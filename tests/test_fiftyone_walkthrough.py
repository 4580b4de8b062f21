"""FiftyOne 1.22's walkthrough (benchmarks/walkthroughs/fiftyone_*.py) runs on fo_lite with only
its imports changed, and prints the numbers fo_lite's own walkthrough prints."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WALKS = REPO / "benchmarks" / "walkthroughs"
IMPORTS = {  # FiftyOne's import line -> fo_lite's; nothing else changes
    "import fiftyone as fo\n": "import fo_lite as fo\n",
    "import fiftyone.core.utils as fou\n": "import fo_lite.core.utils as fou\n",
    "from fiftyone import ViewField as F\n": "from fo_lite import ViewField as F\n",
}


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    work = tmp_path_factory.mktemp("walk")
    root, expect, _ = _run_module().make_tree(work, 60, 51)
    expect_path = work / "expect.json"
    expect_path.write_text(json.dumps(expect))
    return root, expect_path, work


def _ported(name: str, folder: Path) -> Path:
    original = (WALKS / f"{name}.py").read_text()
    text = original
    for old, new in IMPORTS.items():
        assert old in text, f"{name}.py no longer imports {old.strip()!r}"
        text = text.replace(old, new)
    changed = [
        a.strip() for a, b in zip(original.splitlines(), text.splitlines(), strict=True) if a != b
    ]
    assert sorted(changed) == sorted(line.strip("\n") for line in IMPORTS)  # only the imports
    target = folder / f"{name}_on_fo_lite.py"
    target.write_text(text)
    (folder / "_common.py").write_text((WALKS / "_common.py").read_text())
    return target


def _run(script: Path, root: Path, expect: Path, out: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, str(script), "--src", str(root), "--export-dir", str(out)]
    cmd += ["--expect", str(expect), "--no-hardlink"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    return lines[:-1], json.loads(lines[-1])


def _number_lines(lines: list[str]) -> list[str]:
    """The walkthrough's printed numbers (lines of integers only, as ``print(a, b)`` gives)."""
    return [line for line in lines if line and all(part.isdigit() for part in line.split())]


@pytest.mark.parametrize("name", ["fiftyone_seed", "fiftyone_batched"])
def test_fiftyone_s_walkthrough_runs_with_only_the_imports_changed(tree, tmp_path, name):
    root, expect, _ = tree
    lines, result = _run(_ported(name, tmp_path), root, expect, tmp_path / "out")
    assert (
        result["ok"]
        and result["counts"]["n_exported"] == json.loads(expect.read_text())["n_exported"]
    )
    ours, _ = _run(WALKS / "fo_lite_seed.py", root, expect, tmp_path / "ours")
    assert _number_lines(lines) == _number_lines(ours)
    assert len(_number_lines(lines)) == 2  # (dup view, to delete) and (kept, unique)
