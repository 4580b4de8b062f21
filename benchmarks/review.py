"""What one review decision in the grid costs, against regrouping everything (the floor a
decision would pay without the incremental path), side by side in one run.

For each size: a dataset of N samples (no image files) and a near-duplicate index with N/10
groups of 2-6 samples joined by random pairs; then, each repeated:

- ``keep`` / ``exclude`` / ``include``: one decision (``index.keep(...)`` ...), as a header
  button in the grid makes it: regroup the touched rows, write the changed fields;
- ``full_regroup``: ``index.find_duplicates(thresh=index.thresh)``: every group rebuilt and
  every row compared (what each decision cost before it regrouped only its rows);
- ``grid_bands``: the grid's own work after a decision: the duplicates view sorted into bands
  (``fo_lite.session.groups.group_rows``), which any change to the dataset costs.

Prints medians and the ratio full_regroup / decision, with the machine's load; writes
``benchmarks/results/review.json``.

    python benchmarks/review.py --sizes 100000,1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

import fo_lite as fo
from fo_lite.brain.results import NearDuplicateIndex
from fo_lite.session.groups import group_rows

OUT = Path(__file__).resolve().parent / "results" / "review.json"


def make_index(n: int, seed: int = 0) -> NearDuplicateIndex:
    rng = np.random.default_rng(seed)
    ds = fo.Dataset.from_image_classification_samples(
        [(f"/nowhere/{i}.jpg", "x") for i in range(n)], name=f"review_bench_{n}", overwrite=True
    )
    groups = n // 10
    rows = rng.permutation(n)[: groups * 6].reshape(groups, 6)
    sizes = rng.integers(2, 7, groups)
    # member k of a group (k >= 1) pairs with a random earlier one: each group a random tree
    pairs = list(zip(rows, sizes, strict=True))
    a = np.concatenate([g[rng.integers(0, np.arange(1, s))] for g, s in pairs])
    b = np.concatenate([g[1:s] for g, s in pairs])
    d = rng.uniform(0.0, 0.14, len(a)).astype(np.float32)
    return NearDuplicateIndex(ds, ds.values("id"), a, b, d, np.zeros(len(a), bool), {})


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(n: int, repeat: int) -> dict:
    index = make_index(n)
    index.find_duplicates(thresh=0.15)
    view = index.duplicates_view()
    rng = np.random.default_rng(1)
    out: dict[str, list[float]] = {k: [] for k in ("keep", "exclude", "include", "full_regroup")}
    out["grid_bands"] = []
    for _ in range(repeat):
        numbers = list(index.groups)
        members = index.groups[numbers[int(rng.integers(len(numbers)))]]
        out["keep"].append(timed(lambda m=members: index.keep(m[-1])))
        out["exclude"].append(timed(lambda m=members: index.exclude(m[0])))
        out["include"].append(timed(lambda m=members: index.include(m[0])))
        out["grid_bands"].append(timed(lambda: group_rows(view, "dup_group")))
        out["full_regroup"].append(timed(lambda: index.find_duplicates(thresh=index.thresh)))
    medians = {k: statistics.median(v) for k, v in out.items()}
    decision = statistics.median(out["keep"] + out["exclude"] + out["include"])
    return {
        "samples": n,
        "groups": len(index.groups),
        "shown": len(view),
        "median_s": medians,
        "full_regroup_over_decision": medians["full_regroup"] / decision,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    load = os.getloadavg()
    results = [measure(int(s), args.repeat) for s in args.sizes.split(",")]
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} ({os.cpu_count()} cores)")
    print(
        "samples    groups  keep ms  exclude ms  include ms  grid bands ms  full regroup ms  ratio"
    )
    for r in results:
        m = {k: v * 1000 for k, v in r["median_s"].items()}
        print(
            f"{r['samples']:>9,} {r['groups']:>8,} {m['keep']:>8.1f} {m['exclude']:>11.1f} "
            f"{m['include']:>11.1f} {m['grid_bands']:>14.1f} {m['full_regroup']:>16.1f} "
            f"{r['full_regroup_over_decision']:>6.1f}x"
        )
    Path(args.out).write_text(json.dumps({"load": load, "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
