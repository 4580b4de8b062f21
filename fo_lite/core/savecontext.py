"""SaveContext: FiftyOne's way to save samples in a loop, ``with dataset.save_context() as ctx``.

In fo_lite ``sample.save()`` is already a buffered O(1) write that every later read sees, so
a save context adds no speed; it keeps FiftyOne code running unchanged and makes a persistent
dataset's file current: written when the context exits, and every ``batch_size`` samples
(``batching_strategy="static"``, the default when ``batch_size`` is given) or ``batch_size``
seconds (``"latency"``) in between.

>>> with dataset.save_context() as ctx:  # doctest: +SKIP
...     for sample in dataset:
...         sample["file_hash"] = fou.compute_filehash(sample.filepath)
...         ctx.save(sample)
"""

from __future__ import annotations

import time
from typing import Any

from fo_lite.core.sample import Sample

_STRATEGIES = (None, "static", "latency")


class SaveContext:
    """Saves the samples given to :meth:`save`; see the module docstring."""

    def __init__(
        self,
        sample_collection: Any = None,
        batch_size: float | None = None,
        batching_strategy: str | None = None,
    ) -> None:
        if batching_strategy not in _STRATEGIES:
            raise ValueError(
                f"batching_strategy must be one of {_STRATEGIES}, not {batching_strategy!r} "
                "(fo_lite buffers writes in memory, so 'size' has nothing to bound)"
            )
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, int | float)
            or batch_size <= 0
        ):
            raise ValueError(f"batch_size must be a positive number or None, not {batch_size!r}")
        self.sample_collection = sample_collection
        self.batch_size = batch_size
        self.batching_strategy = batching_strategy or ("static" if batch_size else None)
        self._datasets: dict[int, Any] = {}
        self._unsaved = 0
        self._since = time.monotonic()

    def __enter__(self) -> SaveContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self._write()

    def save(self, sample: Sample) -> None:
        """Save ``sample`` (its edits and in-place changes), as ``sample.save()`` does."""
        sample.save()
        dataset = sample.dataset
        self._datasets.setdefault(id(dataset), dataset)
        self._unsaved += 1
        if self._batch_done():
            self._write()

    def _batch_done(self) -> bool:
        if self.batching_strategy == "static":
            return self._unsaved >= self.batch_size  # type: ignore[operator]
        if self.batching_strategy == "latency":
            return time.monotonic() - self._since >= self.batch_size  # type: ignore[operator]
        return False

    def _write(self) -> None:
        """Write the persistent datasets saved into (nothing to do for in-memory ones)."""
        for dataset in self._datasets.values():
            if dataset.persistent:
                dataset.save()
        self._unsaved, self._since = 0, time.monotonic()
