"""What every walkthrough script shares: arguments, a step timer, the answer check, the JSON line.

A walkthrough is run by ``benchmarks/run.py`` in a fresh process as::

    python benchmarks/walkthroughs/<name>.py --src TREE --export-dir DIR --expect EXPECT.json

It prints whatever the walkthrough prints, then, as its last stdout line, one JSON object
``{"steps": {step: seconds}, "counts": {...}}``. It exits non-zero when its own answers differ
from the generator's ground truth (``EXPECT.json``), so a fast wrong run cannot win.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

# The step names every contender uses (a contender skips the ones it cannot do).
STEPS = (
    "import",
    "build",
    "summary_views",
    "hash",
    "group",
    "delete",
    "verify",
    "export",
    "export_hardlink",
)


class Timer:
    """Collects wall-clock seconds per named step, in order."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):
        if name not in STEPS:
            raise ValueError(f"unknown step {name!r}; use one of {STEPS}")
        t0 = time.perf_counter()
        yield
        self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - t0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the arguments every walkthrough takes."""
    p = argparse.ArgumentParser()
    p.add_argument("--src", required=True, type=Path, help="image tree made by the generator")
    p.add_argument("--export-dir", required=True, type=Path, help="fresh folder for exports")
    p.add_argument("--expect", required=True, type=Path, help="ground truth JSON from run.py")
    p.add_argument("--no-hardlink", action="store_true", help="skip the hardlink export")
    return p.parse_args(argv)


def load_expect(path: Path) -> dict:
    """The ground truth written by run.py: n_files, n_dup_groups, n_dup_files, n_delete, n_kept."""
    return json.loads(Path(path).read_text())


IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def count_files(folder: Path) -> int:
    """Number of image files under ``folder`` (a manifest written beside them does not count)."""
    import os

    n = 0
    for _root, _dirs, files in os.walk(folder):
        n += sum(1 for f in files if f.lower().endswith(IMAGE_EXTS))
    return n


def settle() -> None:
    """Flush dirty pages before an export step (untimed), so no step pays for an earlier write."""
    import os

    os.sync()


def check_and_emit(timer: Timer, counts: dict, expect: dict) -> None:
    """Compare ``counts`` with the ground truth, print the JSON line, exit 3 on a wrong answer."""
    wanted = {k: expect[k] for k in counts if k in expect}
    wrong = {k: (counts[k], wanted[k]) for k in wanted if counts[k] != wanted[k]}
    line = {"steps": timer.steps, "counts": counts, "ok": not wrong}
    if wrong:
        line["wrong"] = {k: {"got": g, "expected": e} for k, (g, e) in wrong.items()}
    sys.stdout.flush()
    print(json.dumps(line), flush=True)
    if wrong:
        print(f"WRONG ANSWERS: {line['wrong']}", file=sys.stderr)
        sys.exit(3)
