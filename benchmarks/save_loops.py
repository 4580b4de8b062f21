"""Saving in a per-sample loop, beside the batched path (issue 11, item 5).

Every contender computes the same cheap value per sample (no file reads, so only the saving
differs) and stores it in a new field, then reads the field back once (so buffered writes are
applied inside the timing):

- ``batched``: ``values("filepath")``, a list comprehension, one ``set_values``;
- ``loop``: a loop over the samples reading ``filepath``, then one ``set_values`` (what any
  per-sample loop costs before it saves anything);
- ``save``: ``for sample in dataset: sample[f] = ...; sample.save()`` (the seed's loop);
- ``autosave``: ``for sample in dataset.iter_samples(autosave=True): sample[f] = ...``;
- ``save_context``: ``with dataset.save_context() as ctx: ... ctx.save(sample)``.

Each run gets a fresh dataset (built outside the timing); runs are interleaved. With
``--persistent`` the datasets are persistent, so the timing includes writing their files.

Usage (from the repo root)::

    python benchmarks/save_loops.py --rows 100000 --repeat 5 [--persistent]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

CONTENDERS = ("batched", "loop", "save", "autosave", "save_context")


def _value(filepath: str) -> str:
    return filepath[-12:]


def run(dataset, contender: str) -> None:
    if contender == "batched":
        dataset.set_values("h", [_value(p) for p in dataset.values("filepath")])
    elif contender == "loop":  # the loop without saving, then one set_values: the loop's floor
        values = [_value(sample.filepath) for sample in dataset]
        dataset.set_values("h", values)
    elif contender == "save":
        for sample in dataset:
            sample["h"] = _value(sample.filepath)
            sample.save()
    elif contender == "autosave":
        for sample in dataset.iter_samples(autosave=True):
            sample["h"] = _value(sample.filepath)
    elif contender == "save_context":
        with dataset.save_context() as ctx:
            for sample in dataset:
                sample["h"] = _value(sample.filepath)
                ctx.save(sample)
    else:
        raise ValueError(contender)
    assert dataset.values("h")[-1] == _value(dataset.last().filepath)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--persistent", action="store_true", help="time writing the files too")
    args = p.parse_args(argv)
    os.environ.setdefault("FO_LITE_DATABASE_DIR", tempfile.mkdtemp(prefix="fo_save_loops_"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import fo_lite as fo

    samples = [(f"/data/{i % 100}/{i:07d}.jpg", str(i % 100)) for i in range(args.rows)]
    times: dict[str, list[float]] = {c: [] for c in CONTENDERS}
    for r in range(args.repeat):
        for c in CONTENDERS:
            name = f"save_loops_{c}_{r}"
            dataset = fo.Dataset.from_image_classification_samples(samples, name=name)
            dataset.persistent = args.persistent
            t0 = time.perf_counter()
            run(dataset, c)
            times[c].append(time.perf_counter() - t0)
            dataset.delete()
    base = statistics.median(times["batched"])
    print(
        f"{args.rows:,} rows, {args.repeat} runs each, persistent={args.persistent}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print("| contender | median s | min s | median / batched |")
    print("|---|---|---|---|")
    for c in CONTENDERS:
        med = statistics.median(times[c])
        print(f"| {c} | {med:.3f} | {min(times[c]):.3f} | {med / base:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
