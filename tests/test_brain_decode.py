"""Decoding: the fast JPEG path gives Pillow's pixels, EXIF orientation is applied, and bad
files are reported, never raised."""

from __future__ import annotations

import io

import numpy as np
import pytest
import xxhash
from PIL import Image

from fo_lite.brain import decode
from fo_lite.scenes import draw_scene, scene_table


def _jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def _reference_thumb(data: bytes) -> np.ndarray:
    """What imagehash's recipe gives on Pillow's own draft decode: exif, L, Lanczos 32x32."""
    with Image.open(io.BytesIO(data)) as img:
        img.draft("L", (32, 32))
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img).convert("L")
        if img.size != (32, 32):
            img = img.resize((32, 32), Image.Resampling.LANCZOS)
        return np.asarray(img)


@pytest.fixture(scope="module")
def scene():
    return scene_table(np.random.default_rng(0), 1)[0]


@pytest.fixture(params=["simplejpeg", "pillow"])
def decoder(request, monkeypatch):
    """Both decoders of 32x32 JPEGs: simplejpeg's (the default where installed) and Pillow's."""
    if request.param == "pillow":
        monkeypatch.setattr(decode, "_turbo_ok", False)
    else:
        assert decode._turbo_ok, "simplejpeg missing, or it failed its self-check"
    return request.param


def test_fast_path_is_on_and_matches_pillow(scene):
    assert decode._fast_ok, "the self-check of the fast JPEG path failed on this Pillow"
    for size, kw in [((32, 32), {}), ((640, 480), {}), ((100, 37), {"progressive": True})]:
        data = _jpeg(draw_scene(scene, size), quality=85, **kw)
        assert decode._plain_jpeg_size(data) == size
        thumb, _ = decode.decode_file(data)
        np.testing.assert_array_equal(
            np.frombuffer(thumb, np.uint8).reshape(32, 32), _reference_thumb(data)
        )


def test_chunk_decodes_in_place_as_pillow_does(tmp_path, scene, decoder):
    # 32x32 and 256x256 draft to exactly 32x32 (in place); 100x37 and an EXIF file do not
    exif = Image.Exif()
    exif[0x0112] = 3
    files = [
        _jpeg(draw_scene(scene, (32, 32)), quality=85),
        _jpeg(draw_scene(scene, (256, 256)), quality=70),
        _jpeg(draw_scene(scene, (100, 37)), progressive=True),
        _jpeg(draw_scene(scene, (32, 32)), exif=exif.tobytes()),
        _jpeg(draw_scene(scene, (32, 32)).convert("L")),
    ]
    paths = []
    for k, data in enumerate(files):
        paths.append(tmp_path / f"{k}.jpg")
        paths[-1].write_bytes(data)
    out = decode.decode_chunk([str(p) for p in paths])
    assert out.ok.all() and not out.failed
    for k, data in enumerate(files):
        np.testing.assert_array_equal(out.thumbs[k], _reference_thumb(data))


def test_big_jpeg_is_decoded_at_draft_scale(scene):
    data = _jpeg(draw_scene(scene, (1024, 768)))
    img = decode._decode_plain_jpeg(data, (1024, 768), (32, 32))
    assert img.size == (128, 96)  # 1/8 scale: at least 32x32, no more than needed


def test_exif_orientation_is_applied(scene):
    base = draw_scene(scene, (64, 48))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: display needs a 90 degree turn clockwise
    data = _jpeg(base.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes(), quality=95)
    assert decode._plain_jpeg_size(data) is None  # EXIF: the ordinary path
    thumb, _ = decode.decode_file(data)
    upright = np.asarray(base.convert("L").resize((32, 32), Image.Resampling.LANCZOS), float)
    got = np.frombuffer(thumb, np.uint8).reshape(32, 32).astype(float)
    assert np.abs(got - upright).mean() < 6  # JPEG noise only
    turned = np.asarray(
        base.transpose(Image.Transpose.ROTATE_90).convert("L").resize((32, 32)), float
    )
    assert np.abs(got - turned).mean() > 20


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "I;16", "1", "CMYK"])
def test_other_modes_and_formats(tmp_path, scene, mode):
    img = draw_scene(scene, (40, 40))
    img = img.convert("RGBA").convert(mode) if mode != "I;16" else img.convert("L").convert("I;16")
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    path = tmp_path / f"x.{fmt.lower()}"
    img.save(path, format=fmt)
    out = decode.decode_chunk([str(path)])
    assert out.ok.tolist() == [True] and not out.failed
    assert out.thumbs[0].std() > 5


def test_bad_files_are_reported_not_raised(tmp_path, scene, decoder):
    good = _jpeg(draw_scene(scene, (32, 32)))
    files = {
        "good.jpg": good,
        "empty.jpg": b"",
        "truncated.jpg": good[: len(good) // 2],
        "text.jpg": b"this is not an image",
        "garbage.jpg": b"\xff\xd8\xff\xe0" + bytes(200),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    paths.append(str(tmp_path / "missing.jpg"))
    out = decode.decode_chunk(paths, start=10)
    assert out.ok.tolist() == [True, False, False, False, False, False]
    assert out.file_hashes[0] == xxhash.xxh3_128_hexdigest(good)
    assert out.file_hashes[1:] == [None] * 5
    assert [p for p, *_ in out.failed] == [11, 12, 13, 14, 15]
    reasons = {path.rsplit("/", 1)[1]: why for _, path, why in out.failed}
    assert "empty" in reasons["empty.jpg"] and "truncated" in reasons["truncated.jpg"]
    assert (out.thumbs[1:] == 0).all()


def test_flat_images_get_their_colour(tmp_path):
    for name, colour in (("red.jpg", (200, 30, 30)), ("grey.png", (128, 128, 128))):
        Image.new("RGB", (50, 50), colour).save(tmp_path / name)
    out = decode.decode_chunk([str(tmp_path / "red.jpg"), str(tmp_path / "grey.png")])
    assert (out.stds < decode.FLAT_STD).all()
    np.testing.assert_allclose(out.colours, [[200, 30, 30], [128, 128, 128]], atol=3)
