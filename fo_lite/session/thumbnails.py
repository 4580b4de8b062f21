"""Thumbnails for the grid: Pillow, JPEG draft decoding, a bounded LRU cache.

A :class:`ThumbnailCache` turns image paths into small JPEG bytes. Big JPEG photos are decoded
with Pillow's ``draft()`` mode (the decoder scales by 1/2, 1/4 or 1/8 while reading), so a folder
of 12-megapixel images stays fast. Results are cached by ``(filepath, mtime, size, px)``: an
edited file gets a new thumbnail, an unchanged one is never decoded twice while it stays in the
cache. A file that is already a small JPEG or PNG (no larger than the thumbnail, RGB or grey,
upright) is sent as it is after a check that it decodes, which skips Pillow's re-encoding (most of
the cost of a cold page of small images). A missing, unreadable or corrupt file gives a :class:`Thumbnail` with no data and a short
``reason`` the grid shows instead of the image.

>>> cache = ThumbnailCache(max_bytes=32 * 2**20)
>>> thumb = cache.get("/data/cat.jpg")  # doctest: +SKIP
>>> thumb.ok, thumb.mime, len(thumb.data)  # doctest: +SKIP
(True, 'image/jpeg', 7391)
"""

from __future__ import annotations

import io
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_PX = 224
DEFAULT_QUALITY = 75
DEFAULT_MAX_BYTES = 64 * 2**20
# files up to this size may be sent as they are (see small_image_as_is)
AS_IS_MAX_BYTES = 256 * 2**10
_AS_IS_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
_ORIENTATION = 0x0112
_REASON_MAX = 120


@dataclass(frozen=True)
class Thumbnail:
    """One thumbnail: encoded image bytes, or ``None`` and the reason there is no image."""

    data: bytes | None
    mime: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether there is an image to show."""
        return self.data is not None

    @property
    def nbytes(self) -> int:
        """Size of the encoded image in bytes (0 for a placeholder)."""
        return len(self.data) if self.data is not None else 0


def placeholder(reason: str) -> Thumbnail:
    """A thumbnail with no image, only the (shortened) reason why."""
    text = " ".join(str(reason).split())
    if len(text) > _REASON_MAX:
        text = text[: _REASON_MAX - 1] + "…"
    return Thumbnail(None, None, text)


def make_thumbnail(
    path: str | BinaryIO | Image.Image, px: int = DEFAULT_PX, quality: int = DEFAULT_QUALITY
) -> bytes:
    """Decode ``path`` (a binary file object, or an image just opened and not loaded yet) and
    return a JPEG of at most ``px`` x ``px`` pixels (aspect kept).

    Raises the underlying ``OSError`` / ``UnidentifiedImageError`` for unreadable files;
    :meth:`ThumbnailCache.get` turns those into placeholders.
    """
    if isinstance(path, Image.Image):
        return _encode_thumbnail(path, px, quality)
    with Image.open(path) as img:
        return _encode_thumbnail(img, px, quality)


def _encode_thumbnail(img: Image.Image, px: int, quality: int) -> bytes:
    # JPEG only: ask the decoder for the smallest DCT scale still >= px (a no-op otherwise)
    img.draft("RGB", (px, px))
    img.thumbnail((px, px), Image.Resampling.BILINEAR, reducing_gap=None)
    img = ImageOps.exif_transpose(img)
    img = _to_rgb(img)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def small_image_as_is(img: Image.Image, px: int, file_size: int) -> Thumbnail | None:
    """The file's own bytes as the thumbnail when it already is one: a JPEG or PNG of at most
    ``px`` pixels a side and :data:`AS_IS_MAX_BYTES`, RGB or greyscale, with no transparency
    and no EXIF rotation; ``None`` otherwise (make a real thumbnail). ``img`` is a file just
    opened with ``Image.open`` and not loaded yet.

    The image is still fully decoded (at the JPEG decoder's 1/8 scale, which still reads all of
    the entropy-coded data) so a truncated or corrupt file raises here and becomes a
    placeholder, as it would after a re-encode; only the resize and the JPEG encode are saved.
    """
    mime = _AS_IS_FORMATS.get(img.format or "")
    if mime is None or file_size > AS_IS_MAX_BYTES or max(img.size) > px:
        return None
    if img.mode not in ("RGB", "L") or "transparency" in img.info or img.fp is None:
        return None
    where = img.fp.tell()
    img.fp.seek(0)
    data = img.fp.read(AS_IS_MAX_BYTES + 1)
    img.fp.seek(where)  # where the decoder expects it (PNG reads on from the header)
    if len(data) > AS_IS_MAX_BYTES:
        return None
    if img.getexif().get(_ORIENTATION, 1) != 1:  # (a PNG's getexif() decodes it already)
        return None
    img.draft(img.mode, (1, 1))
    img.load()
    return Thumbnail(data, mime)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # high bit depth greyscale: stretch to 8 bit so it is not all white
        lo, hi = img.getextrema()
        scale = 255.0 / (hi - lo) if hi > lo else 1.0
        return img.point(lambda v: (v - lo) * scale).convert("L").convert("RGB")
    return img.convert("RGB")


def reason_for(exc: BaseException) -> str:
    """A short, user-facing reason for why an image could not be thumbnailed."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "not a file (a directory)"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image (unrecognised or corrupt file)"
    if isinstance(exc, Image.DecompressionBombError):
        return "image too large to decode"
    if isinstance(exc, (OSError, SyntaxError, ValueError)):
        return f"corrupt image: {exc}"
    return f"unreadable image: {type(exc).__name__}: {exc}"


def _is_missing(filepath: Any) -> bool:
    if filepath is None:
        return True
    if isinstance(filepath, float) and math.isnan(filepath):
        return True
    return isinstance(filepath, str) and not filepath


class ThumbnailCache:
    """Thumbnails by file path, in a least-recently-used cache bounded by total bytes.

    ``get()`` stats the file on every call (microseconds) so edits on disk are noticed; the
    decode happens only on a miss. Safe to use from several threads.

    >>> cache = ThumbnailCache(px=128)
    >>> thumbs = cache.get_many(["a.jpg", "b.png"])  # doctest: +SKIP
    """

    def __init__(
        self,
        max_bytes: int = DEFAULT_MAX_BYTES,
        px: int = DEFAULT_PX,
        quality: int = DEFAULT_QUALITY,
        max_entries: int = 200_000,
    ) -> None:
        if int(max_bytes) <= 0 or int(px) <= 0 or not 1 <= int(quality) <= 95:
            raise ValueError(
                "ThumbnailCache needs max_bytes > 0, px > 0 and 1 <= quality <= 95; "
                f"got max_bytes={max_bytes!r}, px={px!r}, quality={quality!r}"
            )
        self.max_bytes = int(max_bytes)
        self.max_entries = int(max_entries)
        self.px = int(px)
        self.quality = int(quality)
        self._entries: OrderedDict[tuple, Thumbnail] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Total bytes of the cached thumbnails."""
        return self._bytes

    def clear(self) -> None:
        """Forget every cached thumbnail."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def get(self, filepath: Any, px: int | None = None) -> Thumbnail:
        """The thumbnail of ``filepath`` (at most ``px`` pixels a side), or a placeholder."""
        key = self._key(filepath, px)
        if isinstance(key, Thumbnail):
            return key
        cached = self._lookup(key)
        if cached is not None:
            return cached
        return self._store(key, self._render(key))

    def get_many(
        self,
        filepaths: Sequence[Any],
        px: int | None = None,
        executor: Executor | None = None,
    ) -> list[Thumbnail]:
        """Thumbnails for several paths, in order; misses run on ``executor`` when given.

        Pillow releases the GIL while decoding, so a ``ThreadPoolExecutor`` helps on a
        multi-core machine.
        """
        results: list[Thumbnail | None] = []
        todo: list[tuple[int, tuple]] = []
        for i, filepath in enumerate(filepaths):
            key = self._key(filepath, px)
            if isinstance(key, Thumbnail):
                results.append(key)
                continue
            cached = self._lookup(key)
            results.append(cached)
            if cached is None:
                todo.append((i, key))
        if todo:
            keys = [key for _, key in todo]
            rendered = (
                list(executor.map(self._render, keys))
                if executor is not None and len(keys) > 1
                else [self._render(key) for key in keys]
            )
            for (i, key), thumb in zip(todo, rendered, strict=True):
                results[i] = self._store(key, thumb)
        return results  # type: ignore[return-value]

    # -- internals ------------------------------------------------------------------------
    def _key(self, filepath: Any, px: int | None) -> tuple | Thumbnail:
        if _is_missing(filepath):
            return placeholder("no filepath")
        path = os.fspath(filepath) if not isinstance(filepath, str) else filepath
        try:
            st = os.stat(path)
        except OSError as exc:
            return placeholder(reason_for(exc))
        return (path, st.st_mtime_ns, st.st_size, int(px or self.px))

    def _lookup(self, key: tuple) -> Thumbnail | None:
        with self._lock:
            thumb = self._entries.get(key)
            if thumb is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return thumb

    def _render(self, key: tuple) -> Thumbnail:
        path, _, file_size, px = key
        try:
            if px < self.px:
                # smaller sizes (the static snapshot's) come from the grid's cached thumbnail
                base = self.get(path)
                if not base.ok:
                    return base
                data = make_thumbnail(io.BytesIO(base.data), px, self.quality)  # type: ignore[arg-type]
                return Thumbnail(data, "image/jpeg")
            with Image.open(path) as img:
                as_is = small_image_as_is(img, px, file_size)
                if as_is is not None:
                    return as_is
                return Thumbnail(make_thumbnail(img, px, self.quality), "image/jpeg")
        except Exception as exc:  # any decoder failure becomes a placeholder, never a crash
            return placeholder(reason_for(exc))

    def _store(self, key: tuple, thumb: Thumbnail) -> Thumbnail:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._entries[key] = thumb
            self._bytes += thumb.nbytes
            while self._entries and (
                self._bytes > self.max_bytes or len(self._entries) > self.max_entries
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.nbytes
        return thumb
