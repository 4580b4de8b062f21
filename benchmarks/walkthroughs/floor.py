"""The by-hand floor: the same walkthrough written directly with os, xxhash, pandas and shutil.

No library, no per-sample objects: os.walk for the build, one xxhash loop over the files
(xxh3_128, fo_lite's default), a pandas groupby for the duplicates, a boolean mask for the
delete, a ``shutil.copyfile`` loop for the export and an ``os.link`` loop for the hardlink
export. What fo_lite is compared against.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    Timer,
    check_and_emit,
    count_files,
    load_expect,
    parse_args,
    settle,
)

IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def export_tree(df, export_dir: Path, op) -> None:
    """Write ``<export_dir>/<label>/<name>`` for every row with ``op(src, dst)``."""
    import os

    for label in df["label"].unique():
        os.makedirs(export_dir / label, exist_ok=True)
    base = str(export_dir)
    for path, label in zip(df["filepath"].tolist(), df["label"].tolist(), strict=True):
        op(path, os.path.join(base, label, os.path.basename(path)))


def main() -> None:
    args = parse_args()
    expect = load_expect(args.expect)
    t = Timer()
    counts: dict[str, int] = {}

    with t.step("import"):
        import os
        import shutil

        import pandas as pd
        import xxhash

    with t.step("build"):
        paths, labels = [], []
        src = str(args.src)
        for label in sorted(os.listdir(src)):
            folder = os.path.join(src, label)
            if label.startswith(".") or not os.path.isdir(folder):
                continue
            for root, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or os.path.splitext(name)[1].lower() not in IMAGE_EXTS:
                        continue
                    paths.append(os.path.join(root, name))
                    labels.append(label)
        df = pd.DataFrame({"filepath": paths, "label": labels})
        counts["n_files"] = len(df)

    with t.step("summary_views"):
        print(len(df), df["label"].value_counts().head().to_dict())
        print(df.sample(1, random_state=0).iloc[0].to_dict())
        mountain = df[df["label"] == "mountain"]
        print(len(mountain), mountain.head(1).to_dict("records"))
        by_label = df.sort_values("label", ascending=False, kind="stable")
        print(len(by_label), by_label.head(1).to_dict("records"))

    with t.step("hash"):
        hashes = []
        for path in paths:
            with open(path, "rb") as f:
                hashes.append(xxhash.xxh3_128_hexdigest(f.read()))
        df["file_hash"] = hashes

    with t.step("group"):
        sizes = df.groupby("file_hash", sort=False).size()
        dup_hashes = sizes.index[sizes > 1]
        dup = df[df["file_hash"].isin(dup_hashes)].sort_values("file_hash", kind="stable")
        counts["n_dup_view"] = len(dup)
        counts["n_dup_groups"] = len(dup_hashes)
        counts["n_delete"] = len(dup) - len(dup_hashes)
        print(counts["n_dup_view"], counts["n_delete"])

    with t.step("delete"):
        df = df[~df["file_hash"].duplicated(keep="first")]

    with t.step("verify"):
        counts["n_kept"] = len(df)
        counts["n_unique"] = df["file_hash"].nunique()
        print(counts["n_kept"], counts["n_unique"])

    settle()
    with t.step("export"):
        export_tree(df, args.export_dir / "copy", shutil.copyfile)
    counts["n_exported"] = count_files(args.export_dir / "copy")

    if not args.no_hardlink:
        settle()
        with t.step("export_hardlink"):
            export_tree(df, args.export_dir / "hardlink", os.link)
        counts["n_exported_hardlink"] = count_files(args.export_dir / "hardlink")

    check_and_emit(t, counts, expect)


if __name__ == "__main__":
    main()
