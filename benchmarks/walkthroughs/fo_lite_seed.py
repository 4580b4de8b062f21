"""fo_lite running the seed walkthrough of issue 2 exactly as written (per-sample save and delete).

Only the timing blocks, the answer counts and the undefined ``ids`` of the seed's last line (here:
ten ids of the clean dataset) are added. The hardlink export is an extra step after the seed.

``main(save="autosave")`` and ``main(save="save_context")`` run the same walkthrough with the hash
loop written FiftyOne 1.x's ways (``fo_lite_autosave.py``, ``fo_lite_save_context.py``).
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


def main(save: str = "save") -> None:
    args = parse_args()
    expect = load_expect(args.expect)
    src_data_dir = str(args.src)
    export_dir = str(args.export_dir / "copy")
    t = Timer()
    counts: dict[str, int] = {}

    with t.step("import"):
        import fo_lite as fo
        import fo_lite.core.features as fof
        from fo_lite.utils.data import parse_image_classification_dir_tree

    with t.step("build"):
        samples, _ = parse_image_classification_dir_tree(src_data_dir)
        dataset = fo.Dataset.from_image_classification_samples(
            samples, name="cifar100_with_duplicates"
        )
    counts["n_files"] = len(dataset)

    with t.step("summary_views"):
        print(dataset.summary())
        print(dataset.take(1))
        view = dataset.view().match({"ground_truth.label": "mountain"})
        print(view.summary())
        print(view.first())
        view = dataset.view().sort_by("ground_truth.label", reverse=True)
        print(view.summary())
        print(view.first())

    with t.step("hash"):
        if save == "autosave":
            for sample in dataset.iter_samples(autosave=True):
                sample["file_hash"] = fof.compute_filehash(sample.filepath)
        elif save == "save_context":
            with dataset.save_context() as ctx:
                for sample in dataset:
                    sample["file_hash"] = fof.compute_filehash(sample.filepath)
                    ctx.save(sample)
        else:
            for sample in dataset:
                sample["file_hash"] = fof.compute_filehash(sample.filepath)
                sample.save()
        print(dataset.summary())
        print(dataset.view().first())

    with t.step("group"):
        pipeline = [
            {"$group": {"_id": "$file_hash", "count": {"$sum": 1}}},
            {"$match": {"count": {"$gt": 1}}},
        ]
        dup_filehashes = [d["_id"] for d in dataset.aggregate(pipeline)]
        dup_view = dataset.view().match({"file_hash": {"$in": dup_filehashes}}).sort_by("file_hash")
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
        selected_view = dataset.view().select(ids)
        assert len(selected_view) == len(ids)
    counts["n_kept"], counts["n_unique"] = n_kept, n_unique

    settle()
    with t.step("export"):
        dataset.export(label_field="ground_truth", export_dir=export_dir)
    counts["n_exported"] = count_files(Path(export_dir))

    if not args.no_hardlink:
        hl_dir = str(args.export_dir / "hardlink")
        settle()
        with t.step("export_hardlink"):
            dataset.export(label_field="ground_truth", export_dir=hl_dir, export_media="hardlink")
        counts["n_exported_hardlink"] = count_files(Path(hl_dir))

    check_and_emit(t, counts, expect)


if __name__ == "__main__":
    main()
