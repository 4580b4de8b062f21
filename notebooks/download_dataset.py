"""Get the walkthrough's data: CIFAR-100 with ~5% duplicates, or the built-in stand-in offline.

Usage::

    python notebooks/download_dataset.py [--size N] [--dir D] [--archive PATH] [--seed S]

Prints where the data is, how many files it holds and how many are duplicates.
"""

from __future__ import annotations

import argparse
import os
import sys

# run from a clone without installing: make the repo root importable
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fo_lite.zoo import cifar100_with_duplicates, read_manifest  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the dataset folder and print a short report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="number of images (default 1000)")
    parser.add_argument("--dir", default=None, help="dataset folder (default: in the cache)")
    parser.add_argument("--archive", default=None, help="local cifar-100-python.tar.gz")
    parser.add_argument("--seed", type=int, default=51, help="seed for the duplicates (51)")
    parser.add_argument("--no-download", action="store_true", help="never use the network")
    args = parser.parse_args(argv)
    root = cifar100_with_duplicates(
        dataset_dir=args.dir,
        size=args.size,
        seed=args.seed,
        archive=args.archive,
        download=not args.no_download,
    )
    info = read_manifest(root)
    counts = info["counts"]
    what = "CIFAR-100 test images" if info["source"] == "cifar100" else "built-in stand-in images"
    print(f"dataset folder: {root}")
    print(
        f"{counts['samples']} files ({what}) in {len(os.listdir(root))} class folders; "
        f"{counts['duplicates']} are duplicates ({counts['in_duplicate_groups']} files in "
        f"{counts['duplicate_groups']} groups of identical files); {counts['unique']} unique"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
