"""FiftyOne 1.22 running the seed walkthrough as written, with 1.22's renamed calls.

Run with the FiftyOne venv's interpreter (see ``benchmarks/install_fiftyone.sh``). Renames:
``Dataset.from_dir(dataset_type=fo.types.ImageClassificationDirectoryTree,
label_field="ground_truth")`` for parse + from_image_classification_samples,
``fiftyone.core.utils.compute_filehash(path, method="md5")`` (its default is Python's salted
``hash()``), ``dataset._aggregate(pipeline=...)`` for a raw pipeline, ``F(...).is_in`` for the
``$in`` match, and ``export(..., dataset_type=...)``. The "import" step includes starting mongod.
FiftyOne has no hardlink export, so that step is absent.
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


def main() -> None:
    args = parse_args()
    expect = load_expect(args.expect)
    src_data_dir = str(args.src)
    export_dir = str(args.export_dir / "copy")
    t = Timer()
    counts: dict[str, int] = {}

    with t.step("import"):
        import fiftyone as fo
        import fiftyone.core.utils as fou
        from fiftyone import ViewField as F

        fo.list_datasets()  # connects, starting the database

    with t.step("build"):
        dataset = fo.Dataset.from_dir(
            dataset_dir=src_data_dir,
            dataset_type=fo.types.ImageClassificationDirectoryTree,
            label_field="ground_truth",
            name="cifar100_with_duplicates",
            overwrite=True,
        )
    counts["n_files"] = len(dataset)

    with t.step("summary_views"):
        print(dataset.summary())
        print(dataset.take(1))
        view = dataset.match(F("ground_truth.label") == "mountain")
        print(view.summary())
        print(view.first())
        view = dataset.sort_by("ground_truth.label", reverse=True)
        print(view.summary())
        print(view.first())

    with t.step("hash"):
        for sample in dataset:
            sample["file_hash"] = fou.compute_filehash(sample.filepath, method="md5")
            sample.save()
        print(dataset.summary())
        print(dataset.view().first())

    with t.step("group"):
        pipeline = [
            {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
            {"$match": {"count": {"$gt": 1}}},
        ]
        dup_filehashes = [d["_id"] for d in dataset._aggregate(pipeline=pipeline)]
        dup_view = dataset.match(F("file_hash").is_in(dup_filehashes)).sort_by("file_hash")
        print(len(dup_view), len(dup_view) - len(dup_filehashes))
    counts["n_dup_view"] = len(dup_view)
    counts["n_dup_groups"] = len(dup_filehashes)
    counts["n_delete"] = len(dup_view) - len(dup_filehashes)

    with t.step("delete"):
        _seen = set()
        for sample in dup_view:
            if sample.file_hash not in _seen:
                _seen.add(sample.file_hash)
                continue
            del dataset[sample.id]

    with t.step("verify"):
        n_kept, n_unique = len(dataset), len({s.file_hash for s in dataset})
        print(n_kept, n_unique)
        ids = dataset.take(10, seed=0).values("id")
        selected_view = dataset.select(ids)
        assert len(selected_view) == len(ids)
    counts["n_kept"], counts["n_unique"] = n_kept, n_unique

    settle()
    with t.step("export"):
        dataset.export(
            export_dir=export_dir,
            dataset_type=fo.types.ImageClassificationDirectoryTree,
            label_field="ground_truth",
        )
    counts["n_exported"] = count_files(Path(export_dir))

    check_and_emit(t, counts, expect)


if __name__ == "__main__":
    main()
