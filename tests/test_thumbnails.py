"""Thumbnails: Pillow decoding with JPEG draft mode, placeholders with reasons, the LRU cache."""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image, JpegImagePlugin

from fo_lite.session import thumbnails as th
from fo_lite.session.thumbnails import ThumbnailCache, make_thumbnail


def _jpeg(path, size=(640, 480), color=(200, 30, 30), **save_kw):
    Image.new("RGB", size, color).save(path, "JPEG", quality=90, **save_kw)
    return str(path)


def _decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_big_jpeg_is_decoded_in_draft_mode_and_shrunk(tmp_path, monkeypatch):
    path = _jpeg(tmp_path / "big.jpg", size=(2400, 1600))
    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = real_draft(self, mode, size)
        drafts.append((size, result, self.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    img = _decode(make_thumbnail(path, px=200))
    assert img.format == "JPEG" and img.mode == "RGB"
    assert img.size == (200, 133)  # aspect kept, longest side = px
    assert drafts, "draft() was not used for a JPEG"
    (requested, result, decoded_size) = drafts[0]
    assert requested == (200, 200)
    assert result is not None and decoded_size == (300, 200)  # decoder scaled by 1/8


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    path = _jpeg(tmp_path / "rot.jpg", size=(400, 200), exif=exif)
    assert _decode(make_thumbnail(path, px=100)).size == (50, 100)


def test_transparent_png_gets_a_white_background(tmp_path):
    path = tmp_path / "alpha.png"
    Image.new("RGBA", (40, 40), (0, 0, 255, 0)).save(path)
    img = _decode(make_thumbnail(str(path), px=64))
    assert img.size == (40, 40)  # never upscaled
    r, g, b = img.getpixel((20, 20))
    assert min(r, g, b) > 240, "a fully transparent pixel should show white, not black/blue"


def test_sixteen_bit_greyscale_is_stretched_not_white(tmp_path):
    path = tmp_path / "g16.png"
    Image.frombytes("I;16", (2, 1), bytes([0, 0, 0xE8, 0x03])).save(path)  # values 0 and 1000
    img = _decode(make_thumbnail(str(path), px=8))
    assert img.getpixel((0, 0))[0] < 30 and img.getpixel((1, 0))[0] > 220


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: None, "no filepath"),
        (lambda d: float("nan"), "no filepath"),
        (lambda d: "", "no filepath"),
        (lambda d: str(d / "missing.jpg"), "file not found"),
        (lambda d: str(d), "not a file"),
    ],
)
def test_placeholders_name_the_reason(tmp_path, make, expected):
    thumb = ThumbnailCache().get(make(tmp_path))
    assert not thumb.ok and thumb.data is None and thumb.mime is None
    assert expected in thumb.reason


def test_corrupt_and_truncated_files_become_placeholders(tmp_path):
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"this is not an image" * 10)
    good = _jpeg(tmp_path / "good.jpg", size=(800, 600))
    truncated = tmp_path / "trunc.jpg"
    truncated.write_bytes(open(good, "rb").read()[:400])
    cache = ThumbnailCache()
    a, b, c = cache.get_many([str(junk), str(truncated), good])
    assert "not an image" in a.reason
    assert not b.ok and ("corrupt" in b.reason or "not an image" in b.reason)
    assert c.ok and c.mime == "image/jpeg"
    long_reason = th.placeholder("x" * 1000).reason
    assert len(long_reason) <= 120 and long_reason.endswith("…")


def test_cache_hits_skip_decoding_and_edits_are_noticed(tmp_path, monkeypatch):
    path = _jpeg(tmp_path / "a.jpg")
    calls = []
    real = th.make_thumbnail
    monkeypatch.setattr(th, "make_thumbnail", lambda *a, **k: calls.append(a) or real(*a, **k))
    cache = ThumbnailCache()
    first = cache.get(path)
    second = cache.get(path)
    assert second is first and len(calls) == 1 and cache.hits == 1 and cache.misses == 1
    assert cache.get(path, px=64) is not first and len(calls) == 2  # size is part of the key

    _jpeg(tmp_path / "a.jpg", size=(300, 300), color=(0, 200, 0))  # rewritten on disk
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    third = cache.get(path)
    assert len(calls) == 3 and third.data != first.data
    assert _decode(third.data).size == (224, 224)


def test_lru_is_bounded_by_bytes_and_keeps_recently_used(tmp_path):
    paths = [_jpeg(tmp_path / f"{i}.jpg", color=(i * 20, 0, 0)) for i in range(6)]
    one = ThumbnailCache().get(paths[0]).nbytes
    cache = ThumbnailCache(max_bytes=int(one * 3.5))
    for p in paths[:3]:
        cache.get(p)
    cache.get(paths[0])  # touch: now most recently used
    cache.get(paths[3])  # evicts paths[1], the least recently used
    assert len(cache) == 3 and cache.nbytes <= cache.max_bytes
    hits = cache.hits
    cache.get(paths[0])
    assert cache.hits == hits + 1
    cache.get(paths[1])
    assert cache.hits == hits + 1, "paths[1] should have been evicted"
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0


def test_get_many_with_an_executor_matches_serial_order(tmp_path):
    paths = [_jpeg(tmp_path / f"{i}.jpg", color=(0, i * 30, 0)) for i in range(6)]
    paths.insert(2, str(tmp_path / "missing.jpg"))
    serial = ThumbnailCache().get_many(paths)
    with ThreadPoolExecutor(2) as pool:
        parallel = ThumbnailCache().get_many(paths, executor=pool)
    assert [t.data for t in parallel] == [t.data for t in serial]
    assert [t.reason for t in parallel] == [None, None, "file not found", None, None, None, None]


@pytest.mark.parametrize("kwargs", [{"max_bytes": 0}, {"px": 0}, {"quality": 0}, {"quality": 99}])
def test_bad_cache_settings_are_rejected(kwargs):
    with pytest.raises(ValueError, match="ThumbnailCache needs"):
        ThumbnailCache(**kwargs)


def test_smaller_sizes_are_made_from_the_cached_grid_thumbnail(tmp_path, monkeypatch):
    path = _jpeg(tmp_path / "big.jpg", size=(1600, 1200))
    opened = []
    real_open = Image.open
    monkeypatch.setattr(th.Image, "open", lambda fp, *a, **k: opened.append(fp) or real_open(fp))
    cache = ThumbnailCache(px=200)
    small = cache.get(path, px=64)
    assert opened[0] == path and len(opened) == 2 and not isinstance(opened[1], str)
    assert cache.get(path).ok and len(opened) == 2, "the 200 px one was cached on the way"
    assert _decode(small.data).size == (64, 48)
    missing = cache.get(str(tmp_path / "gone.jpg"), px=64)
    assert missing.reason == "file not found"


# -- small files sent as they are ------------------------------------------------------------
def test_small_jpeg_is_sent_byte_identical(tmp_path):
    path = _jpeg(tmp_path / "small.jpg", size=(32, 32))
    thumb = ThumbnailCache().get(path)
    assert thumb.ok and thumb.mime == "image/jpeg"
    assert thumb.data == open(path, "rb").read()


def test_small_broken_images_still_become_placeholders(tmp_path):
    good = open(_jpeg(tmp_path / "g.jpg", size=(32, 32)), "rb").read()
    (tmp_path / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (tmp_path / "junk.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 300)
    png = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(png, "PNG")
    (tmp_path / "cut.png").write_bytes(png.getvalue()[:40])
    cache = ThumbnailCache()
    for name in ("truncated.jpg", "junk.jpg", "cut.png"):
        thumb = cache.get(str(tmp_path / name))
        assert not thumb.ok and thumb.reason, name


def test_small_images_that_need_work_are_reencoded(tmp_path):
    rotated = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90
    Image.new("RGB", (32, 16), (9, 9, 9)).save(rotated, "JPEG", exif=exif.tobytes())
    rgba = tmp_path / "alpha.png"
    Image.new("RGBA", (16, 16), (1, 2, 3, 100)).save(rgba, "PNG")
    cache = ThumbnailCache()
    turned = cache.get(str(rotated))
    assert turned.ok and turned.data != rotated.read_bytes()
    assert _decode(turned.data).size == (16, 32)  # upright
    flat = cache.get(str(rgba))
    assert flat.ok and flat.data != rgba.read_bytes()
