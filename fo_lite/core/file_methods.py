"""The file methods every collection has: ``compute_filehashes`` and ``export``."""

from __future__ import annotations

from typing import Any

from fo_lite.core.fields import BUILTIN_FIELDS, check_field_name, embedded_type


class FileMethods:
    """Mixed into :class:`~fo_lite.core.collection.SampleCollection`."""

    def compute_filehashes(
        self,
        field: str = "file_hash",
        method: str | None = None,
        num_workers: int | None = None,
        executor: Any = None,
        progress: bool | None = None,
    ) -> None:
        """Hash every sample's file in parallel and store the hashes in ``field`` in one write.

        Unreadable files get None and one counted warning. ``executor`` takes any
        ``concurrent.futures.Executor`` (a process pool, ``dask_client.get_executor()``...).
        """
        from fo_lite.core.features import compute_filehashes

        # checked before any file is read: hashes written over filepath would lose the files
        if field in BUILTIN_FIELDS:
            raise ValueError(
                f"compute_filehashes: {field!r} is a built-in field ({', '.join(BUILTIN_FIELDS)}) "
                "and cannot hold hashes; pass another field name, e.g. field='file_hash'"
            )
        check_field_name(field)
        hashes = compute_filehashes(
            self.values("filepath"),
            method=method,
            num_workers=num_workers,
            executor=executor,
            progress=progress,
        )
        self.set_values(field, hashes)

    def export(
        self,
        export_dir: str,
        dataset_type: Any = None,
        label_field: str | None = None,
        export_media: bool | str | None = True,
        rel_dir: str | None = None,
        overwrite: bool = False,
        progress: bool | None = None,
    ) -> str:
        """Write the samples as ``<export_dir>/<label>/<file>`` (FiftyOne's
        ``fo.types.ImageClassificationDirectoryTree``, the default); returns ``export_dir``.

        ``label_field``: a Classification field (or a string field); by default the first
        Classification field, as in FiftyOne. Unlabeled samples go to ``_unlabeled/``.
        ``export_media``: True (copy), ``"hardlink"``, ``"symlink"`` or False (labels only, a
        manifest). ``rel_dir``: keep each file's path relative to it under its label folder.
        The export is built beside ``export_dir`` and renamed into place when complete. A
        non-empty ``export_dir`` is refused unless ``overwrite=True``.

        >>> dataset.export("/data/clean", fo.types.ImageClassificationDirectoryTree)  # doctest: +SKIP
        """
        from fo_lite.types import resolve
        from fo_lite.utils.data import export_image_classification_dir_tree

        resolve(dataset_type or "image_classification_dir_tree", "exports")
        schema = self._store.schema
        if label_field is None:
            label_field = next((f for f in schema if schema.label_type(f)), None)
            if label_field is None:
                raise ValueError(
                    "export: no Classification field to export; pass label_field= (fields: "
                    f"{', '.join(schema)})"
                )
        kind = schema.get(label_field)
        if kind is None:
            raise ValueError(f"export: no field {label_field!r}; fields: {', '.join(schema)}")
        label_column = f"{label_field}.label" if embedded_type(kind) else label_field
        return export_image_classification_dir_tree(
            self.values("filepath"),
            self.values(label_column),
            export_dir,
            export_media=True if export_media is None else export_media,
            overwrite=overwrite,
            progress=progress,
            rel_dir=rel_dir,
        )
