"""FiftyOne's image-deduplication walkthrough, as a script: ``python -m fo_lite.walkthrough``.

It builds the walkthrough's data (CIFAR-100 when its archive is at hand, else the built-in
stand-in, offline), then runs every step with fo_lite and prints what each step shows:

    python -m fo_lite.walkthrough --size 1000 --data-dir /tmp/fo_lite_walkthrough

The notebook ``notebooks/image_deduplication.ipynb`` teaches the same steps with the grid.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any


def run(
    src_data_dir: str, export_dir: str, name: str = "cifar100_with_duplicates"
) -> dict[str, Any]:
    """Run the walkthrough on ``src_data_dir``; print each step; return the numbers it found."""
    import fo_lite as fo
    import fo_lite.core.features as fof
    from fo_lite.utils.data import parse_image_classification_dir_tree

    def step(title: str) -> None:
        print(f"\n=== {title} ===")

    step("1. Build the dataset")
    samples, _ = parse_image_classification_dir_tree(src_data_dir)
    dataset = fo.Dataset.from_image_classification_samples(samples, name=name, overwrite=True)
    print(dataset.summary())

    step("2. Explore: take, match, sort_by")
    print(dataset.take(1))
    label = "mountain" if "mountain" in dataset.distinct("ground_truth.label") else None
    label = label or dataset.first().ground_truth.label
    view = dataset.view().match({"ground_truth.label": label})
    print(view.summary())
    print(view.first())
    view = dataset.view().sort_by("ground_truth.label", reverse=True)
    print(view.summary())
    print(view.first())

    step("3. Select samples (here: 3 ids picked in code instead of clicks)")
    ids = dataset.take(3, seed=51).values("id")
    selected_view = dataset.view().select(ids)
    print(f"selected {len(selected_view)} samples")

    step("4. Hash every file")
    for sample in dataset:
        sample["file_hash"] = fof.compute_filehash(sample.filepath)
        sample.save()
    print(dataset.summary())
    print(dataset.view().first())

    step("5. Find duplicates with an aggregation pipeline")
    pipeline = [
        {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
        {"$match": {"count": {"$gt": 1}}},
    ]
    dup_filehashes = [d["_id"] for d in dataset.aggregate(pipeline)]
    print(f"files with duplicates: {len(dup_filehashes)}")
    dup_view = dataset.view().match({"file_hash": {"$in": dup_filehashes}}).sort_by("file_hash")
    n_in_groups = len(dup_view)  # the view shrinks as duplicates are deleted below
    print(f"samples in those groups: {n_in_groups}; to delete: {n_in_groups - len(dup_filehashes)}")

    step("6. Delete duplicates, keeping one of each")
    _seen = set()
    for sample in dup_view:
        if sample.file_hash not in _seen:
            _seen.add(sample.file_hash)
            continue
        del dataset[sample.id]
    n_samples, n_unique = len(dataset), len({s.file_hash for s in dataset})
    print(f"samples: {n_samples}; unique hashes: {n_unique}")

    step("7. Export the clean dataset")
    dataset.export(label_field="ground_truth", export_dir=export_dir, overwrite=True)
    print(f"exported {n_samples} samples to {export_dir}")
    return {
        "dataset": dataset,
        "dup_filehashes": len(dup_filehashes),
        "dup_view": n_in_groups,
        "samples_after": n_samples,
        "unique_after": n_unique,
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="number of images (default 1000)")
    default_dir = os.path.join(tempfile.gettempdir(), "fo_lite_walkthrough")
    parser.add_argument(
        "--data-dir", default=default_dir, help=f"work folder (default {default_dir})"
    )
    parser.add_argument("--archive", default=None, help="a local cifar-100-python.tar.gz")
    parser.add_argument("--offline", action="store_true", help="never try to download CIFAR-100")
    args = parser.parse_args(argv)

    from fo_lite.zoo import cifar100_with_duplicates

    src = cifar100_with_duplicates(
        os.path.join(args.data_dir, "cifar100_with_duplicates"),
        size=args.size,
        archive=args.archive,
        download=not args.offline,
    )
    numbers = run(src, os.path.join(args.data_dir, "export"))
    print(
        f"\nDone: {numbers['dup_view'] - numbers['dup_filehashes']} duplicates deleted, "
        f"{numbers['samples_after']} samples kept and exported."
    )


if __name__ == "__main__":
    main()
