"""Read and decode image files into small grayscale arrays, a chunk at a time.

One job: bytes on disk -> the pixels the hashes and the pixel check need. For each file,
:func:`decode_chunk` gives its xxh3_128 file hash (the same as
:func:`fo_lite.core.features.compute_filehash`), a ``THUMB x THUMB`` grayscale thumbnail (the
input of pHash and of the pixel check), optionally other grayscale sizes (aHash wants 8x8,
dHash 9x8), and for flat images (one colour, blank scans) their mean RGB colour.

How an image becomes grayscale pixels follows imagehash: EXIF orientation applied, then
``convert("L")`` (ITU-R 601 luma), then a Lanczos resize to the wanted size. JPEGs are decoded
with Pillow's draft mode, so a 12-megapixel photo is decoded at 1/8 scale at most as large as
needed; this is the one place where our pixels differ from imagehash's (which decodes at full
size first): the test suite compares the hashes on the same decoded pixels.

**The fast path.** For a plain JPEG (baseline or progressive, 8-bit, gray or YCbCr, no EXIF
and no Adobe marker) Pillow's Python header parser costs more than libjpeg's decode of a 32x32
image. :func:`_decode_plain_jpeg` reads the size from the SOF marker itself and hands the
bytes to Pillow's JPEG decoder directly (``Image._getdecoder``, the call ``ImageFile.load``
makes), with the same draft scale. When the draft is exactly the thumbnail's size, the decoder
writes straight into the chunk's thumbnail array (:class:`_Rows`: one Pillow image over the
whole array), and a JPEG of exactly that size goes to simplejpeg's libjpeg-turbo instead where
it is installed: the same pixels, in 12 us rather than Pillow decoder's 26 (a 32x32 file; most
of either is libjpeg's set-up per image, lighter through TurboJPEG). A self-check at import
compares each of these with the ordinary path and turns it off if they ever disagree, and any
file they do not accept takes the ordinary path.

Everything here is picklable and runs in any ``concurrent.futures`` executor (threads,
processes, a Dask client's ``get_executor()``).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xxhash
from PIL import Image, ImageOps

try:  # a dependency where it has wheels; without it Pillow's decoder does the same, slower
    import simplejpeg
except ImportError:  # pragma: no cover - platforms without simplejpeg wheels
    simplejpeg = None

__all__ = ["THUMB", "FLAT_STD", "Decoded", "decode_chunk", "decode_file", "read_bytes"]

#: side of the grayscale thumbnail every image is reduced to (pHash's input, 4 x 8)
THUMB = 32
#: a thumbnail whose pixels vary less than this (standard deviation, in gray levels) is flat
FLAT_STD = 2.5
_CHUNK = 1 << 20


@dataclass
class Decoded:
    """What :func:`decode_chunk` returns for a run of files (positions relative to ``start``).

    ``thumbs``: ``(n, THUMB, THUMB)`` uint8 (zeros where ``ok`` is False); ``extra``: one
    ``(n, h, w)`` uint8 array per extra size asked for; ``file_hashes``: xxh3_128 hex or None;
    ``stds``: the thumbnail's standard deviation (gray levels; flat below :data:`FLAT_STD`);
    ``colours``: ``(n, 3)`` float32 mean RGB, NaN unless the image is flat; ``failed``:
    ``(position, path, reason)`` for each file that could not be read or decoded.
    """

    start: int
    thumbs: np.ndarray
    extra: dict[tuple[int, int], np.ndarray]
    ok: np.ndarray
    file_hashes: list[str | None]
    stds: np.ndarray
    colours: np.ndarray
    failed: list[tuple[int, str, str]] = field(default_factory=list)


def read_bytes(path: str) -> bytes:
    """The whole file, read with ``os.read`` (no file object; never trusts a short read)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = []
        while chunk := os.read(fd, _CHUNK):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


# -- the fast path for plain JPEGs --------------------------------------------------------------
_SOF = {0xC0, 0xC1, 0xC2}  # baseline, extended sequential, progressive (Huffman)
_fast_ok = True
_turbo_ok = False


def _plain_jpeg_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a JPEG the fast path accepts, else None (ordinary path)."""
    if data[:2] != b"\xff\xd8":
        return None
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        length = (data[i + 2] << 8) | data[i + 3]
        if marker in _SOF:
            if i + 10 > n or data[i + 4] != 8 or data[i + 9] not in (1, 3):
                return None
            h = (data[i + 5] << 8) | data[i + 6]
            w = (data[i + 7] << 8) | data[i + 8]
            return (w, h) if w and h else None
        if marker == 0xE1 and data[i + 4 : i + 10] == b"Exif\x00\x00":
            return None  # may carry an orientation: the ordinary path applies it
        if marker == 0xEE or marker in (0xDA, 0xD9) or not 0xC0 <= marker <= 0xFE:
            return None  # Adobe colour transforms, scan before a frame, or not a marker
        i += 2 + length
    return None


def _draft_scale(w: int, h: int, tw: int, th: int) -> int:
    # the largest libjpeg scale (1/8, 1/4, 1/2, 1) that keeps the image at least tw x th,
    # as JpegImageFile.draft chooses it
    s = min(w // tw, h // th)
    for scale in (8, 4, 2):
        if s >= scale:
            return scale
    return 1


def _draft_size(size: tuple[int, int], want: tuple[int, int]) -> tuple[int, tuple[int, int]]:
    w, h = size
    if Image.MAX_IMAGE_PIXELS and w * h > 2 * Image.MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError(f"{w}x{h} pixels is over Pillow's limit")
    scale = _draft_scale(w, h, *want)
    return scale, ((w + scale - 1) // scale, (h + scale - 1) // scale)


def _decode_plain_jpeg(data: bytes, size: tuple[int, int], want: tuple[int, int]) -> Image.Image:
    """Decode at draft scale into a new grayscale image."""
    scale, out = _draft_size(size, want)
    img = Image.new("L", out)
    _run_decoder(data, scale, img.im, (0, 0, *out))
    return img


def _run_decoder(data: bytes, scale: int, core, box: tuple[int, int, int, int]) -> None:
    # Pillow's JPEG decoder, as ImageFile.load drives it, writing into `box` of `core`
    decoder = Image._getdecoder("L", "jpeg", ("L", ""), (scale, 0))
    try:
        decoder.setimage(core, box)
        consumed, err = decoder.decode(data)
    finally:
        decoder.cleanup()
    if consumed >= 0:  # the decoder wanted more bytes: the file is cut short
        raise OSError("image file is truncated")
    if err < 0:
        raise OSError(f"broken JPEG data (decoder error {err})")


class _Rows:
    """A chunk's ``(n, THUMB, THUMB)`` uint8 thumbnails, decoded into in place: a plain JPEG
    that drafts to exactly ``THUMB x THUMB`` lands in its row with no image of its own and no
    copy afterwards (simplejpeg for a JPEG of that very size, else Pillow's decoder writing
    through one Pillow image over the whole array)."""

    def __init__(self, thumbs: np.ndarray, turbo: bool | None = None) -> None:
        n = len(thumbs)
        self._thumbs = thumbs
        self._core = Image.frombuffer("L", (THUMB, THUMB * n), thumbs, "raw", "L", 0, 1).im
        # turbo: whether 32x32 files go to simplejpeg (default: if it passed its self-check)
        self._turbo = _turbo_ok if turbo is None else turbo and simplejpeg is not None

    def decode(self, data: bytes, k: int) -> bool:
        """Decode ``data`` into row ``k``; False (nothing written) if it needs the other paths."""
        size = _plain_jpeg_size(data)
        if size is None:
            return False
        scale = 1
        if size != (THUMB, THUMB):
            scale, out = _draft_size(size, (THUMB, THUMB))
            if out != (THUMB, THUMB):
                return False
        elif self._turbo:
            try:
                simplejpeg.decode_jpeg(data, "GRAY", buffer=self._thumbs[k])
                return True
            except ValueError:  # broken or cut short (strict: even libjpeg's warnings)
                self._thumbs[k] = 0  # Pillow's decoder decides, and says what is wrong
        _run_decoder(data, scale, self._core, (0, THUMB * k, THUMB, THUMB * (k + 1)))
        return True


# -- the ordinary path ----------------------------------------------------------------------------
def _open_gray(data: bytes, want: tuple[int, int]) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        img.draft("L", want)
        img = ImageOps.exif_transpose(img)
        return img if img.mode == "L" else img.convert("L")


def _mean_colour(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (THUMB, THUMB))
        rgb = img.convert("RGB")
        return np.asarray(rgb, dtype=np.float32).reshape(-1, 3).mean(axis=0)


def decode_file(
    data: bytes, extra_sizes: Sequence[tuple[int, int]] = ()
) -> tuple[bytes, list[bytes]]:
    """Decode one image's bytes: ``(thumbnail, [extra sizes...])`` as raw grayscale bytes.

    Raises ``OSError``/``ValueError``/``SyntaxError`` (Pillow's) for bytes it cannot decode.
    """
    if not data:
        raise OSError("empty file (0 bytes)")
    want = (THUMB, THUMB)
    gray = None
    if _fast_ok:
        size = _plain_jpeg_size(data)
        if size is not None:
            gray = _decode_plain_jpeg(data, size, want)
    if gray is None:
        gray = _open_gray(data, want)
    return _resized(gray, want), [_resized(gray, s) for s in extra_sizes]


def _resized(gray: Image.Image, size: tuple[int, int]) -> bytes:
    if gray.size != size:
        gray = gray.resize(size, Image.Resampling.LANCZOS)
    return gray.tobytes()


def decode_chunk(
    paths: Sequence[str], start: int = 0, extra_sizes: Sequence[tuple[int, int]] = ()
) -> Decoded:
    """Read, hash and decode a run of files. Never raises for a bad file: it is listed in
    ``failed`` (with the reason) and left out (``ok`` False). Picklable, for any executor.

    ``extra_sizes`` are ``(width, height)`` grayscale sizes wanted besides the thumbnail.
    """
    n = len(paths)
    thumbs = np.zeros((n, THUMB, THUMB), dtype=np.uint8)
    extra = {s: np.zeros((n, s[0] * s[1]), dtype=np.uint8) for s in extra_sizes}
    ok = np.zeros(n, dtype=bool)
    hashes: list[str | None] = [None] * n
    failed: list[tuple[int, str, str]] = []
    with warnings.catch_warnings():
        # a decompression-bomb *warning* is for a big photo we decode at 1/8 scale anyway, and
        # Pillow's advice on palette transparency is about display, not grayscale pixels
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", "Palette images with Transparency", UserWarning)
        rows = _Rows(thumbs) if _fast_ok and not extra_sizes and n else None
        for k, path in enumerate(paths):
            try:
                data = read_bytes(os.fspath(path))
                if rows is None or not rows.decode(data, k):
                    thumb, extras = decode_file(data, extra_sizes)
                    thumbs[k] = np.frombuffer(thumb, dtype=np.uint8).reshape(THUMB, THUMB)
                    for s, raw in zip(extra_sizes, extras, strict=True):
                        extra[s][k] = np.frombuffer(raw, dtype=np.uint8)
            except (OSError, ValueError, SyntaxError, TypeError, Image.DecompressionBombError) as e:
                why = getattr(e, "strerror", None) or str(e) or type(e).__name__
                failed.append((start + k, str(path), why))
                thumbs[k] = 0  # a decoder that failed half way may have written some rows
                continue
            hashes[k] = xxhash.xxh3_128_hexdigest(data)
            ok[k] = True
    stds = _row_std(thumbs.reshape(n, -1))
    colours = np.full((n, 3), np.nan, dtype=np.float32)
    # flat images are rare: their mean colour is read again, after the batch's spread is known
    for k in np.flatnonzero(ok & (stds < FLAT_STD)).tolist():
        try:
            colours[k] = _mean_colour(read_bytes(os.fspath(paths[k])))
        except (OSError, ValueError, SyntaxError) as e:  # changed under us: leave it out
            ok[k] = False
            hashes[k] = None
            failed.append((start + k, str(paths[k]), str(e) or type(e).__name__))
    shaped = {s: a.reshape(n, s[1], s[0]) for s, a in extra.items()}
    return Decoded(start, thumbs, shaped, ok, hashes, stds, colours, failed)


def _row_std(rows: np.ndarray) -> np.ndarray:
    """Standard deviation of each row of uint8 pixels, as float32."""
    x = rows.astype(np.float32)
    mean = x.mean(axis=1, keepdims=True)
    x -= mean
    return np.sqrt(np.einsum("ij,ij->i", x, x) / max(x.shape[1], 1)).astype(np.float32)


def _jpeg_bytes(img: Image.Image, **kw: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def _self_check() -> bool:
    """Whether the fast path decodes exactly as Pillow's ordinary path does, on this Pillow."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
    data = _jpeg_bytes(Image.fromarray(pixels, "RGB"), quality=85)
    try:
        size = _plain_jpeg_size(data)
        fast = _decode_plain_jpeg(data, size, (8, 8)) if size else None
    except Exception:  # any change in Pillow's decoder interface: use the ordinary path
        return False
    if fast is None:
        return False
    reference = np.asarray(_open_gray(data, (8, 8)))
    if not np.array_equal(np.asarray(fast), reference):
        return False
    # the same in place, in the middle row of three, of an image of THUMB x THUMB
    small = _jpeg_bytes(Image.fromarray(pixels[:THUMB, :THUMB]), quality=85)
    thumbs = np.zeros((3, THUMB, THUMB), np.uint8)
    try:
        placed = _Rows(thumbs, turbo=False).decode(small, 1)
    except Exception:
        return False
    reference = np.asarray(_open_gray(small, (THUMB, THUMB)))
    return placed and np.array_equal(thumbs[1], reference) and not thumbs[[0, 2]].any()


def _turbo_check() -> bool:
    """Whether simplejpeg decodes 32x32 JPEGs (colour and gray, baseline and progressive)
    exactly as Pillow does, into the middle row of three."""
    if simplejpeg is None:
        return False
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (THUMB, THUMB, 3), dtype=np.uint8)
    for img, kw in [
        (Image.fromarray(pixels, "RGB"), {"quality": 85}),
        (Image.fromarray(pixels, "RGB"), {"quality": 60, "progressive": True}),
        (Image.fromarray(pixels[:, :, 0], "L"), {"quality": 90}),
    ]:
        data = _jpeg_bytes(img, **kw)
        thumbs = np.zeros((3, THUMB, THUMB), np.uint8)
        try:  # the call _Rows.decode makes
            simplejpeg.decode_jpeg(data, "GRAY", buffer=thumbs[1])
        except Exception:  # any change in simplejpeg's interface: use Pillow's decoder
            return False
        reference = np.asarray(_open_gray(data, (THUMB, THUMB)))
        if not np.array_equal(thumbs[1], reference) or thumbs[[0, 2]].any():
            return False
    return True


_fast_ok = _self_check()
_turbo_ok = _fast_ok and _turbo_check()
