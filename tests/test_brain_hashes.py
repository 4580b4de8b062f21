"""Perceptual hashes: the same bits as imagehash on the same pixels, and the bit plumbing."""

from __future__ import annotations

import io

import imagehash
import numpy as np
import pytest
import scipy.fftpack
from PIL import Image

from fo_lite.brain import hashes
from fo_lite.scenes import draw_scene, scene_table


@pytest.fixture(scope="module")
def images() -> list[Image.Image]:
    """Grayscale images: photo-like scenes, plus two symmetric drawings (ties in pHash)."""
    table = scene_table(np.random.default_rng(3), 60)
    out = [draw_scene(row, (48, 40)).convert("L") for row in table]
    sym = Image.new("L", (32, 32), 30)
    sym.paste(200, (8, 8, 24, 24))  # symmetric: many DCT coefficients are exactly 0
    out.append(sym)
    buf = io.BytesIO()
    draw_scene(table[0], (64, 64)).save(buf, format="JPEG", quality=70)
    out.append(Image.open(buf).convert("L"))
    return out


def _pixels(images, method, hash_size):
    w, h = hashes.input_size(method, hash_size)
    return np.stack([np.asarray(im.resize((w, h), Image.Resampling.LANCZOS)) for im in images])


@pytest.mark.parametrize("hash_size", [8, 5, 16])
@pytest.mark.parametrize(
    "method,reference", [("ahash", imagehash.average_hash), ("dhash", imagehash.dhash)]
)
def test_ahash_and_dhash_equal_imagehash(images, method, reference, hash_size):
    ours = hashes.to_hex(hashes.hash_bits(method, _pixels(images, method, hash_size), hash_size))
    assert ours == [str(reference(im, hash_size=hash_size)) for im in images]


@pytest.mark.parametrize("hash_size", [8, 6, 16])
def test_phash_equals_imagehash_except_at_exact_ties(images, hash_size):
    """Our DCT is a matrix product, imagehash's is scipy's FFT-based one: the coefficients agree
    to ~1e-12, so a bit can differ only where a coefficient equals the median up to rounding
    (it happens in symmetric images, whose odd coefficients are exactly 0). Every differing
    bit must be such a tie, and the photo-like scenes must all agree exactly."""
    pixels = _pixels(images, "phash", hash_size)
    ours = hashes.phash_bits(pixels, hash_size)
    exact = 0
    for k, im in enumerate(images):
        ref = imagehash.phash(im, hash_size=hash_size).hash.ravel()
        if np.array_equal(ref, ours[k]):
            exact += 1
            continue
        dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels[k].astype(float), axis=0), axis=1)
        low = dct[:hash_size, :hash_size].ravel()
        gap = np.abs(low - np.median(low))[ref != ours[k]]
        assert gap.max() <= 1e-9 * np.abs(low).max(), f"image {k}: a real difference"
    assert exact >= len(images) - 1  # only the symmetric drawing may tie


def test_hex_matches_imagehash_string_format():
    rng = np.random.default_rng(0)
    for bits_count in (4, 25, 36, 64, 256):
        bits = rng.random((5, bits_count)) > 0.5
        for row, text in zip(bits, hashes.to_hex(bits), strict=True):
            assert text == str(imagehash.ImageHash(row))
        codes, valid = hashes.from_hex(hashes.to_hex(bits), bits_count)
        assert valid.all()
        np.testing.assert_array_equal(codes, hashes.pack_bits(bits))


def test_from_hex_marks_bad_values_invalid():
    codes, valid = hashes.from_hex(["ff" * 8, None, "xyz", "ff" * 9, "0" * 16], 64)
    assert valid.tolist() == [True, False, False, False, True]
    assert codes[0, 0] == np.uint64(2**64 - 1) and codes[1, 0] == 0


def test_pack_bits_and_hamming():
    rng = np.random.default_rng(1)
    a = rng.random((50, 100)) > 0.5
    b = rng.random((50, 100)) > 0.5
    pa, pb = hashes.pack_bits(a), hashes.pack_bits(b)
    assert pa.shape == (50, 2) and pa.dtype == np.uint64
    np.testing.assert_array_equal(hashes.hamming(pa, pb), (a != b).sum(axis=1))
    # the first bit is the most significant
    one = np.zeros((1, 64), dtype=bool)
    one[0, 0] = True
    assert hashes.pack_bits(one)[0, 0] == np.uint64(1 << 63)


def test_dct_matrix_is_scipys_unnormalized_dct():
    x = np.random.default_rng(2).random((32, 5))
    np.testing.assert_allclose(
        hashes.dct_matrix(12, 32) @ x, scipy.fftpack.dct(x, axis=0)[:12], rtol=1e-10
    )


@pytest.mark.parametrize(
    "method,size,error",
    [
        ("whash", 8, ValueError),
        ("PHASH", 8, None),
        ("phash", 1, ValueError),
        ("phash", 33, ValueError),
        ("phash", 8.0, TypeError),
        (None, 8, ValueError),
    ],
)
def test_check_method(method, size, error):
    if error is None:
        assert hashes.check_method(method, size) == ("phash", 8)
    else:
        with pytest.raises(error, match="hash"):
            hashes.check_method(method, size)
