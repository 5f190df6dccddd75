"""Robust loading: every kind of image yields planes, every bad file a reason."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.images import (
    ImageLoadError,
    is_image_file,
    load_image,
    read_image_header,
    rescale_to_uint8,
)

GOOD = ["rgb.jpg", "rgb.png", "rgba.png", "palette.png", "gray.png", "cmyk.jpg",
        "gray16.tif", "gray16.png", "float32.tif", "four_chw.tif", "four_hwc.tif",
        "rotated.jpg"]
BAD = {
    "truncated.jpg": "truncated",
    "empty.jpg": "empty",
    "text.png": "not an image",
    "huge.png": "too large",
}


@pytest.mark.parametrize("name", GOOD)
def test_good_images_load(corpus, name):
    img = load_image(corpus[name])
    assert img.n_channels >= 1
    for plane in img.channels:
        assert plane.dtype == np.uint8 and plane.ndim == 2
        assert plane.shape == img.channels[0].shape
    rgb = img.as_rgb()
    assert rgb.shape[2] == 3 and rgb.dtype == np.uint8


@pytest.mark.parametrize("name,fragment", sorted(BAD.items()))
def test_bad_images_give_reasons(corpus, name, fragment):
    with pytest.raises(ImageLoadError) as info:
        load_image(corpus[name])
    assert fragment in info.value.reason


def test_sixteen_bit_is_rescaled_not_truncated(corpus):
    for name in ("gray16.tif", "gray16.png"):
        plane = load_image(corpus[name]).channels[0]
        # values 1000..3000 would all clip to 255 if truncated to 8 bits
        assert plane.min() <= 2 and plane.max() >= 253, name
        assert len(np.unique(plane)) > 200


def test_rescale_ignores_hot_pixels():
    a = np.full((100, 100), 100, np.uint16)
    a[:, 50:] = 200
    a[0, 0] = 65535  # one hot pixel must not squash the image to black
    out = rescale_to_uint8(a)
    assert out[50, 10] < 5 and out[50, 90] > 250


def test_multichannel_tiff_layouts(corpus):
    chw = load_image(corpus["four_chw.tif"])
    hwc = load_image(corpus["four_hwc.tif"])
    assert chw.n_channels == 4 and hwc.n_channels == 4
    assert chw.channels[0].shape == (72, 96)
    for a, b in zip(chw.channels, hwc.channels, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not chw.rgb and chw.channel_names == ("ch0", "ch1", "ch2", "ch3")


def test_rgba_is_composited_on_white(corpus):
    img = load_image(corpus["rgba.png"])
    src = load_image(corpus["rgb.png"])
    expected = (src.channels[0].astype(float) * 128 / 255 + 255 * (1 - 128 / 255))
    assert np.abs(img.channels[0].astype(float) - expected).max() <= 1.0


def test_cmyk_and_palette_become_rgb(corpus):
    for name in ("cmyk.jpg", "palette.png"):
        img = load_image(corpus[name])
        assert img.rgb and img.channel_names == ("R", "G", "B")
        ref = load_image(corpus["rgb.png"]).as_rgb().astype(int)
        assert np.abs(img.as_rgb().astype(int) - ref).mean() < 20, name


def test_exif_orientation_applied(corpus):
    img = load_image(corpus["rotated.jpg"])
    assert img.channels[0].shape == (96, 72)  # portrait after rotation
    assert read_image_header(corpus["rotated.jpg"]) == (72, 96)


def test_header(corpus):
    assert read_image_header(corpus["rgb.png"]) == (96, 72)
    assert read_image_header(corpus["four_chw.tif"]) == (96, 72)
    with pytest.raises(ImageLoadError):
        read_image_header(corpus["text.png"])
    with pytest.raises(ImageLoadError, match="too large"):
        read_image_header(corpus["huge.png"])


def test_jpeg_draft_reduces(corpus, tmp_path):
    from PIL import Image

    from tests.embedding.conftest import photo_array

    p = tmp_path / "big.jpg"
    Image.fromarray(photo_array(1600, 1200)).save(p)
    img = load_image(p, target_size=227)
    h, w = img.channels[0].shape
    assert 227 <= min(h, w) < 1200  # decoded at a reduced DCT scale


def test_is_image_file():
    assert is_image_file("a/b/c.JPG") and is_image_file("x.tiff")
    assert not is_image_file("README.txt") and not is_image_file(".hidden.png")


@pytest.mark.parametrize("resample", [Image.Resampling.LANCZOS, Image.Resampling.BILINEAR])
@pytest.mark.parametrize("draft", [None, 227])
def test_load_rgb_gives_the_pixels_of_the_plane_path(corpus, resample, draft):
    """The embedder's fast path (Pillow converts and resizes plain images in one pass)
    gives exactly what decoding into planes, stacking to RGB and resizing gives, for
    every readable image of the corpus (photos, gray, CMYK, EXIF-rotated, palette,
    alpha, 16-bit and float TIFF)."""
    from petriflow.analysis.images import ImageLoadError, load_rgb

    checked = 0
    for name, path in sorted(corpus.items()):
        try:
            planes = load_image(path, target_size=draft)
        except ImageLoadError:
            with pytest.raises(ImageLoadError):
                load_rgb(path, 227, resample, target_size=draft)
            continue
        rgb = Image.fromarray(np.ascontiguousarray(planes.as_rgb()), "RGB")
        want = np.asarray(rgb.resize((227, 227), resample))
        got = load_rgb(path, 227, resample, target_size=draft)
        assert got.shape == (227, 227, 3) and got.dtype == np.uint8, name
        np.testing.assert_array_equal(got, want, err_msg=name)
        checked += 1
    assert checked >= 10
