"""The query speed table of docs/query-semantics.md: match_mask and run_pipeline at 1M rows.

Usage (from the repo root)::

    python benchmarks/query_speed.py [--rows 1000000] [--repeat 3]

Builds a frame the way a dataset holds it (the rows of ``rows_1m.synthetic``: 16-hex hashes
with 5% duplicates, so 950,000 distinct at 1M rows, 100 string labels, lists of tags) and times
each operation of the table ``--repeat`` times in this process, printing the best and the
median wall time and the best process CPU time (steadier on a shared machine) as a Markdown
table. The pandas version decides the string dtype (pandas 3: ``str``;
pandas 2: object columns), so run it once per pandas version to fill both columns.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import pandas as pd

    paths, labels, hashes, tags = synthetic(args.rows, None)
    frame = pd.DataFrame(
        {"filepath": paths, "ground_truth.label": labels, "file_hash": hashes, "tags": tags}
    )
    print(
        f"{args.rows:,} rows, {frame['file_hash'].nunique():,} distinct hashes, pandas "
        f"{pd.__version__} (file_hash dtype {frame['file_hash'].dtype}), best and median of "
        f"{args.repeat}\n"
    )
    print("| Operation | best | median | best CPU |\n|---|---|---|---|")
    for name, fn in operations(frame):
        times, cpu = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        best, median = min(times) * 1e3, statistics.median(times) * 1e3
        print(f"| {name} | {best:.0f} ms | {median:.0f} ms | {min(cpu) * 1e3:.0f} ms |")


if __name__ == "__main__":
    main()
