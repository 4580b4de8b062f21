"""Time the deduplication walkthrough: fo_lite (as written and batched), a by-hand floor, FiftyOne.

Usage (from the repo root)::

    python benchmarks/run.py --sizes 1000,10000,100000 [--repeat 3]
        [--contenders fo_lite_seed,fo_lite_batched,floor,fiftyone_seed,fiftyone_batched]

For each size it makes the image tree once with the project's generator (5% duplicates, fixed
seed) under ``benchmarks/work/`` (gitignored), reads the generator's ground truth and checks it
with an independent SHA-1 pass, then runs each contender's ``walkthroughs/<name>.py`` in a fresh
process, ``--repeat`` times (interleaved: A B C, A B C, ...), recording per-step seconds, the
process's wall time and the peak RSS of its whole process tree (mongod included for FiftyOne).
A run whose answers differ from the ground truth fails the run (a fast wrong run cannot win).
It writes ``benchmarks/results/walkthrough.json`` and the table in ``benchmarks/README.md``.
FiftyOne runs from the venv made by ``benchmarks/install_fiftyone.sh`` and is skipped, saying
so, when that venv is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import procmon  # noqa: E402
import report  # noqa: E402

ALL = report.CONTENDERS
FIFTYONE = ("fiftyone_seed", "fiftyone_batched")
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated image counts")
    p.add_argument("--repeat", type=int, default=3, help="runs per contender and size (>= 3)")
    p.add_argument("--contenders", default=",".join(ALL), help=f"subset of {','.join(ALL)}")
    p.add_argument("--seed", type=int, default=51, help="generator seed")
    p.add_argument("--work-dir", type=Path, default=HERE / "work", help="trees, exports, logs")
    p.add_argument("--fo-venv", type=Path, default=HERE / "work" / "fo-venv", help="FiftyOne venv")
    p.add_argument("--out", type=Path, default=HERE / "results" / "walkthrough.json")
    p.add_argument("--readme", default=str(HERE / "README.md"), help="README to update, or 'none'")
    p.add_argument(
        "--timeout", type=float, default=3600, help="seconds per run before it is killed"
    )
    p.add_argument(
        "--import-runs", type=int, default=5, help="fresh processes timing import fo_lite"
    )
    return p.parse_args(argv)


def make_tree(work: Path, size: int, seed: int) -> tuple[Path, dict, float]:
    """The tree for ``size`` (made once, reused after), its ground truth, seconds to make it."""
    try:
        from fo_lite.zoo import make_image_classification_tree
    except ImportError:  # the zoo module re-exports it; the stand-in module defines it
        from fo_lite.standin import make_image_classification_tree
    from fo_lite.treegen import read_manifest

    root = work / "trees" / f"n{size}-seed{seed}"
    secs = 0.0
    if not (root.is_dir() and Path(str(root) + ".manifest.json").exists()):
        if root.exists():
            shutil.rmtree(root)
        t0 = time.perf_counter()
        root = Path(make_image_classification_tree(str(root), size=size, seed=seed))
        secs = time.perf_counter() - t0
    counts = read_manifest(str(root))["counts"]
    expect = {
        "n_files": counts["samples"],
        "n_dup_groups": counts["duplicate_groups"],
        "n_dup_view": counts["in_duplicate_groups"],
        "n_delete": counts["duplicates"],
        "n_kept": counts["unique"],
        "n_unique": counts["unique"],
        "n_exported": counts["unique"],
        "n_exported_hardlink": counts["unique"],
    }
    own = independent_counts(root)
    if own != {k: expect[k] for k in own}:
        raise SystemExit(f"generator's ground truth {expect} disagrees with a SHA-1 pass {own}")
    return root, expect, secs


def independent_counts(root: Path) -> dict:
    """Duplicate counts from SHA-1 over every image file, to check the generator's manifest."""
    digests = Counter()
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(IMAGE_EXTS):
                with open(os.path.join(dirpath, name), "rb") as f:
                    digests[hashlib.sha1(f.read()).digest()] += 1
    groups = [c for c in digests.values() if c > 1]
    n = sum(digests.values())
    return {
        "n_files": n,
        "n_dup_groups": len(groups),
        "n_dup_view": sum(groups),
        "n_delete": n - len(digests),
        "n_kept": len(digests),
    }


def fiftyone_python(venv: Path) -> Path | None:
    py = venv / "bin" / "python"
    return py if py.exists() else None


def fiftyone_version(py: Path) -> str | None:
    out = subprocess.run(
        [str(py), "-c", "from importlib.metadata import version; print(version('fiftyone'))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or None


def run_one(contender: str, tree: Path, expect_path: Path, work: Path, tag: str, args) -> dict:
    """One fresh-process run of a contender; its steps, counts, wall time and memory."""
    export_dir = work / "exports" / tag
    scratch = work / "scratch" / tag
    for d in (export_dir, scratch):
        if d.exists():
            shutil.rmtree(d)
    export_dir.mkdir(parents=True)
    scratch.mkdir(parents=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIFTYONE_", "FO_LITE_"))}
    env["FO_LITE_DATABASE_DIR"] = str(scratch / "fo_lite_db")
    if contender in FIFTYONE:
        py = str(fiftyone_python(args.fo_venv))
        env.update(HOME=str(scratch), FIFTYONE_DO_NOT_TRACK="true")
        env.pop("PYTHONPATH", None)
    else:
        py = sys.executable
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [py, str(HERE / "walkthroughs" / f"{contender}.py"), "--src", str(tree)]
    cmd += ["--export-dir", str(export_dir), "--expect", str(expect_path)]
    os.sync()  # start every run with no dirty pages left by the one before (untimed)
    res = procmon.run_measured(
        cmd,
        env=env,
        cwd=scratch,
        stdout_path=logs / f"{tag}.out",
        stderr_path=logs / f"{tag}.err",
        timeout=args.timeout,
        match=(str(scratch),),
    )
    res.update(contender=contender, ok=False, steps={}, counts={})
    lines = (logs / f"{tag}.out").read_text(errors="replace").strip().splitlines()
    try:
        line = json.loads(lines[-1])
        res.update(steps=line["steps"], counts=line["counts"])
        res["ok"] = bool(line["ok"]) and res["returncode"] == 0
        if line.get("wrong"):
            res["wrong"] = line["wrong"]
    except (IndexError, ValueError, KeyError):
        err = (logs / f"{tag}.err").read_text(errors="replace").strip().splitlines()
        res["error"] = err[-1] if err else f"exit code {res['returncode']}, no output"
    shutil.rmtree(export_dir, ignore_errors=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return res


def time_import(n: int) -> dict:
    """Seconds for ``import fo_lite`` in ``n`` fresh processes (after interpreter start)."""
    code = "import time; t = time.perf_counter(); import fo_lite; print(time.perf_counter() - t)"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    runs = []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if out.returncode == 0:
            runs.append(float(out.stdout.strip()))
    if not runs:
        return {}
    return {"runs": runs, "min": min(runs), "median": statistics.median(runs)}


def machine() -> str:
    return f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = [c for c in contenders if c not in ALL]
    if unknown:
        raise SystemExit(f"unknown contenders {unknown}; choose from {list(ALL)}")
    if args.repeat < 3:
        print(f"note: --repeat {args.repeat} is below the 3 runs the published table uses")
    work = args.work_dir.resolve()
    skipped = {}
    fo_py = fiftyone_python(args.fo_venv)
    if fo_py is None and any(c in FIFTYONE for c in contenders):
        why = f"no FiftyOne venv at {args.fo_venv} (make it with benchmarks/install_fiftyone.sh)"
        for c in FIFTYONE:
            if c in contenders:
                skipped[c] = why
                print(f"skipping {c}: {why}")
        contenders = [c for c in contenders if c not in FIFTYONE]
    pandas_version = subprocess.run(
        [sys.executable, "-c", "import pandas; print(pandas.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    results: dict = {
        "meta": {
            "command": "python benchmarks/run.py "
            + " ".join(sys.argv[1:] if argv is None else argv),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "git_commit": git_commit(),
            "pandas": pandas_version,
            "fiftyone_version": fiftyone_version(fo_py)
            if fo_py and any(c in FIFTYONE for c in contenders)
            else None,
            "repeat": args.repeat,
            "seed": args.seed,
            "contenders": contenders,
        },
        "skipped": skipped,
        "sizes": {},
    }
    if any(c.startswith("fo_lite") for c in contenders):
        results["import_fo_lite"] = time_import(args.import_runs)
    for size in sizes:
        tree, expect, gen_secs = make_tree(work, size, args.seed)
        expect_path = work / "trees" / f"n{size}-seed{args.seed}.expect.json"
        expect_path.write_text(json.dumps(expect))
        print(f"== {size} images: {expect['n_delete']} duplicates to delete ({tree})", flush=True)
        runs: dict[str, list] = {c: [] for c in contenders}
        for rep in range(args.repeat):
            for c in contenders:
                r = run_one(c, tree, expect_path, work, f"{c}-n{size}-r{rep}", args)
                runs[c].append(r)
                what = "ok" if r["ok"] else f"FAILED: {r.get('wrong') or r.get('error')}"
                print(
                    f"  {c:17s} run {rep + 1}: {r['wall']:8.2f} s wall, "
                    f"{r['peak_rss_mib']:6.0f} MiB peak  {what}",
                    flush=True,
                )
        summaries = {c: report.summarize(runs[c]) for c in contenders}
        res = {
            "ground_truth": expect,
            "tree_seconds": gen_secs,
            "runs": runs,
            "summaries": summaries,
            "failed": {
                c: next(r.get("wrong") or r.get("error") for r in runs[c] if not r["ok"])
                for c in contenders
                if any(not r["ok"] for r in runs[c])
            },
        }
        res["ratios"] = report.ratios(summaries)
        res["targets"] = report.targets(res, results.get("import_fo_lite", {}).get("median"))
        results["sizes"][str(size)] = res
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n")
    tmp.replace(args.out)
    section = report.markdown(results)
    print(section)
    if args.readme != "none":
        report.update_readme(Path(args.readme), section)
    failed = any(r["failed"] for r in results["sizes"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
