"""The query speed table of docs/query-semantics.md: match_mask and run_pipeline at 1M rows.

Usage (from the repo root)::

    python benchmarks/query_speed.py [--rows 1000000] [--repeat 3]
    python benchmarks/query_speed.py --against ../main [--rounds 3]   # before/after ratios

Builds a frame the way a dataset holds it (the rows of ``rows_1m.synthetic``: 16-hex hashes
with 5% duplicates, so 950,000 distinct at 1M rows, 100 string labels, lists of tags) and times
each operation of the table ``--repeat`` times in this process, printing the best and the
median wall time and the best process CPU time (steadier on a shared machine) as a Markdown
table. With ``--against`` another checkout's fo_lite is timed too, each in its own process,
taking turns, and the table gives both and the ratio of this tree's CPU time to the other's. The pandas version decides the string dtype (pandas 3: ``str``;
pandas 2: object columns), so run it once per pandas version to fill both columns.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from rows_1m import synthetic  # noqa: E402


def operations(frame):
    """(name, callable) of every timed operation."""
    from fo_lite.core.aggregate import run_pipeline
    from fo_lite.core.query import match_mask

    in_values = frame["file_hash"].iloc[::20].tolist()[:50_000]
    dedup = [
        {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
        {"$match": {"count": {"$gt": 1}}},
    ]
    return [
        (
            '`match_mask`, `{"file_hash": {"$in": <50,000 hashes>}}`',
            lambda: match_mask(frame, {"file_hash": {"$in": in_values}}),
        ),
        (
            "`run_pipeline`, `$group` by `file_hash` with `$sum: 1`, then "
            "`$match: {count: {$gt: 1}}`",
            lambda: run_pipeline(frame, dedup),
        ),
        (
            "`match_mask`, equality on a string label",
            lambda: match_mask(frame, {"ground_truth.label": "class_07"}),
        ),
        (
            '`match_mask`, `{"tags": "a"}` on a column of lists (slow path)',
            lambda: match_mask(frame, {"tags": "train"}),
        ),
        (
            "`run_pipeline`, `$sort` by `file_hash` + `$limit`",
            lambda: run_pipeline(frame, [{"$sort": {"file_hash": 1}}, {"$limit": 10}]),
        ),
    ]


def measure(rows: int, repeat: int) -> dict:
    """{"info": ..., "ops": [(name, best wall s, median wall s, best CPU s), ...]}."""
    import pandas as pd

    import fo_lite

    paths, labels, hashes, tags = synthetic(rows, None)
    frame = pd.DataFrame(
        {"filepath": paths, "ground_truth.label": labels, "file_hash": hashes, "tags": tags}
    )
    info = (
        f"{rows:,} rows, {frame['file_hash'].nunique():,} distinct hashes, pandas "
        f"{pd.__version__} (file_hash dtype {frame['file_hash'].dtype}), fo_lite from "
        f"{Path(fo_lite.__file__).parent.parent}, {repeat} runs each"
    )
    ops = []
    for name, fn in operations(frame):
        times, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        ops.append((name, min(times), statistics.median(times), min(cpu)))
    return {"info": info, "ops": ops}


def compare(trees: list[Path], rows: int, repeat: int, rounds: int) -> None:
    """Each tree's fo_lite in its own process, taking turns; best of all rounds, and ratios."""
    best: dict[Path, list] = {}
    for r in range(rounds):
        for tree in trees:
            load = os.getloadavg()[0]
            out = subprocess.run(
                [sys.executable, __file__, "--json", "--rows", str(rows), "--repeat", str(repeat)],
                env={**os.environ, "PYTHONPATH": str(tree)},
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout)
            print(f"round {r + 1}, {tree}: load {load:.1f}; {result['info']}", file=sys.stderr)
            ops = result["ops"]
            old = best.get(tree)
            best[tree] = (
                ops
                if old is None
                else [
                    (n, min(w, ow), min(m, om), min(c, oc))
                    for (n, w, m, c), (_, ow, om, oc) in zip(ops, old, strict=True)
                ]
            )
    base, *others = trees
    head = " | ".join(f"{t.name}: best wall, CPU" for t in trees)
    ratio = " | ".join(f"{t.name} / {base.name} (CPU)" for t in others)
    print(f"| Operation | {head} | {ratio} |")
    print("|---" * (1 + len(trees) + len(others)) + "|")
    for k, (name, *_) in enumerate(best[base]):
        cells = [f"{best[t][k][1] * 1e3:.0f}, {best[t][k][3] * 1e3:.0f} ms" for t in trees]
        ratios = [f"{best[t][k][3] / best[base][k][3]:.2f}" for t in others]
        print(f"| {name} | {' | '.join(cells)} | {' | '.join(ratios)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout of fo_lite (e.g. a git worktree of main): time both, taking "
        "turns, and print the ratios of this tree to it",
    )
    parser.add_argument("--rounds", type=int, default=3, help="turns each with --against")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        compare([args.against.resolve(), REPO], args.rows, args.repeat, args.rounds)
        return
    result = measure(args.rows, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['info']}; load {os.getloadavg()[0]:.1f}\n")
    print("| Operation | best | median | best CPU |\n|---|---|---|---|")
    for name, best, median, cpu in result["ops"]:
        print(f"| {name} | {best * 1e3:.0f} ms | {median * 1e3:.0f} ms | {cpu * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
