"""The near-duplicate benchmark runs end to end at a tiny size and scores against the truth.

Benchmarks are not part of the test run; this runs ``benchmarks/near_dups.py`` on 200 32x32
images and 12 photos (fo_lite, imagehash and the floor, one run each) into a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_near_dups_benchmark_smoke(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# intro\n\nkept\n")
    out = tmp_path / "near.json"
    cmd = [sys.executable, str(REPO / "benchmarks" / "near_dups.py"), "--sizes", "200"]
    cmd += ["--photos", "12", "--repeat", "1", "--grouping", "5000", "--readme", str(readme)]
    cmd += ["--contenders", "fo_lite,imagehash_phash,pillow_floor"]
    cmd += ["--work-dir", str(tmp_path / "work"), "--out", str(out)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(out.read_text())
    small, photos = result["trees"]
    assert small["size"] == 200 and photos["image_size"] == [640, 480]
    assert set(small["median_seconds"]) == {"fo_lite", "imagehash_phash", "pillow_floor"}
    curve = {row["threshold"]: row for row in small["quality"]["fo_lite"]}
    assert curve[0.15]["precision"] == 1.0 and curve[0.15]["recall_exact"] == 1.0
    assert curve[0.0]["recall_reencode"] == 0.0  # no near copy is at distance 0
    hashes = {row["threshold"]: row for row in small["quality"]["imagehash_phash"]}
    assert hashes[0]["recall_crop"] < curve[0.15]["recall_crop"]
    assert result["grouping"]["planted_found"] == 1.0
    text = readme.read_text()
    assert text.startswith("# intro\n\nkept\n") and "Targets of issue 9" in text
