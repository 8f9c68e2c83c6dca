"""Images a report shows (company logo, cover image, photos in the narrative): checked, then embedded.

Every image reaches the report as a data: URI. A camera photo embedded as it is would be 10 MB or
more, over what lxml accepts in one attribute of the inline XBRL XHTML, and far more pixels than a
printed page uses; and it would carry its EXIF metadata (GPS position, camera serial number) into a
published report. So a large raster image is re-encoded: turned upright, downscaled to MAX_EDGE and
saved without metadata. Small images are embedded byte for byte.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings
from pathlib import Path

from lxml import etree
from PIL import Image, ImageFile, ImageOps

MAX_IMAGE_BYTES = 40 * 1024 * 1024  # a file larger than this is refused
MAX_IMAGE_PIXELS = 80_000_000  # width × height above this is refused (decompression bombs)
MAX_SVG_BYTES = 2 * 1024 * 1024
MAX_SVG_ELEMENTS = 100_000  # drawn, <use> expanded: a detailed map has a few thousand
MAX_EDGE = 2400  # px: longest edge after downscaling (~300 dpi across an A4 text column)

_MB = 1024 * 1024
# A raster file above this is re-encoded even when its pixels fit MAX_EDGE: a photo of that size
# straight from a camera or phone is 2-4 MB, the same pixels at JPEG quality 85 a fraction of that.
_REENCODE_ABOVE_BYTES = 1 * _MB
# The most one re-encoded image may take: as base64 (a third larger) it stays well below the
# 10,000,000 characters lxml accepts in one attribute.
_EMBED_BUDGET = 4 * _MB
# Metadata that can say where a photo was taken or by whom; an image carrying any is re-encoded
# without it, however small. (EXIF also holds the orientation, which re-encoding applies.)
_PRIVATE_METADATA = ("exif", "xmp")

# Suffix -> (the format its name promises, the Pillow formats that keep the promise). MPO is what
# Pillow calls a JPEG that holds extra frames, as some cameras and phones write.
_RASTER = {
    ".png": ("PNG", ("PNG",)),
    ".jpg": ("JPEG", ("JPEG", "MPO")),
    ".jpeg": ("JPEG", ("JPEG", "MPO")),
}
_MIME = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg"}
_SVG_ROOT = "{http://www.w3.org/2000/svg}svg"

# Pillow warns above its limit and refuses above twice its limit. Half of ours makes Pillow itself
# refuse to open, let alone decode, anything over MAX_IMAGE_PIXELS, here and in every other user of
# Pillow in the process (WeasyPrint); _open silences the warning for the allowed sizes in between.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS // 2


def inspect_image(path: Path) -> str | None:
    """None if the file is a usable image; otherwise a short message for the user saying what is
    wrong with it. The message never names the file: the caller says where it was used."""
    # WeasyPrint, once imported in this process, lets Pillow accept truncated files (a
    # module-level setting); a check that found nothing wrong in a cut JPEG would be no check
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        size = path.stat().st_size
        suffix = path.suffix.lower()
        if suffix == ".svg":
            return _svg_problem(path, size)
        if suffix in _RASTER:
            return _raster_problem(path, size)
    except OSError as e:
        return f"cannot be read ({e.strerror or 'input/output error'})"
    return "is not a supported image; use a .png, .jpg, .jpeg or .svg file"


def prepare_images(paths: list[Path]) -> dict[Path, tuple[str | None, str | None]]:
    """For each image: (what is wrong with it, or None; its data: URI, where it is usable)."""
    prepared = {}
    for path in paths:
        wrong = inspect_image(path)
        prepared[path] = (wrong, None if wrong else embed_image(path))
    return prepared


def embed_image(path: Path) -> str:
    """A data: URI for an image inspect_image accepted, small enough to embed. Deterministic: the
    same file gives the same URI. Each file is encoded once per process, however often it is used."""
    return _embedded(*_identity(path))


def _identity(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return path.resolve(), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _embedded(path: Path, mtime_ns: int, size: int) -> str:
    """mtime_ns is only part of the cache key, so that a file edited since is encoded anew."""
    if path.suffix.lower() == ".svg":
        return _data_uri("image/svg+xml", path.read_bytes())
    with _open(path) as img:
        if not _needs_reencoding(img, size):
            return _data_uri(_MIME[img.format], path.read_bytes())
        fmt, data = _reencoded(img)
    return _data_uri(_MIME[fmt], data)


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# Checking ----------------------------------------------------------------------------------------


def _raster_problem(path: Path, size: int) -> str | None:
    promised, formats = _RASTER[path.suffix.lower()]
    if size > MAX_IMAGE_BYTES:
        return f"is larger than {MAX_IMAGE_BYTES // _MB} MB"
    try:
        with _open(path) as img:  # reads the header only; the pixel limit is checked there
            if img.format not in formats:
                found = next(name for name, fmts in _RASTER.values() if img.format in fmts)
                return f"is a {found} image but its name ends in {path.suffix}"
            reencode = _needs_reencoding(img, size)
            if not reencode:
                # Decoding is what finds a truncated or corrupt file: img.verify() does nothing for
                # a JPEG and, for a PNG, checks the chunks' checksums but not the compressed pixels.
                img.load()
        if reencode:
            _embedded(*_identity(path))  # decodes all of it as well; cached for embed_image
    except Image.DecompressionBombError:
        return f"has more than {MAX_IMAGE_PIXELS:,} pixels"
    except Image.UnidentifiedImageError:
        return f"is not a {promised} image (its content is not a PNG or JPEG image)"
    except Exception:  # damaged data surfaces from Pillow as OSError, SyntaxError, ValueError, ...
        return f"is a damaged or incomplete {promised} image"
    return None


def _svg_problem(path: Path, size: int) -> str | None:
    if size > MAX_SVG_BYTES:
        return f"is larger than {MAX_SVG_BYTES // _MB} MB, the most for an SVG image"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        # parsed from bytes, not the path, so that lxml's messages do not name the file
        root = etree.fromstring(path.read_bytes(), parser)
    except etree.XMLSyntaxError as e:
        return f"is not a valid SVG document ({e.msg})"
    # Entities are how an XML file makes its reader fetch other files (XXE) or expand a few bytes
    # into gigabytes. Whatever renders the embedded SVG parses it again, so refuse them outright
    # rather than only leaving them unresolved here.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        return "declares XML entities in its DOCTYPE, which an image may not"
    if next(root.iter(etree.Entity), None) is not None:
        return "uses XML entities (&name;), which an image may not"
    if _expanded_size(root) > MAX_SVG_ELEMENTS:
        return (f"draws more than {MAX_SVG_ELEMENTS:,} elements once its <use> references are expanded, "
                "or references itself")
    if root.tag == "svg":
        return 'is not a valid SVG document (its <svg> element lacks xmlns="http://www.w3.org/2000/svg")'
    if root.tag != _SVG_ROOT:
        return f"is not an SVG image (its root element is <{etree.QName(root).localname}>)"
    return None


def _expanded_size(root) -> int:
    """How many elements the SVG draws with every <use> replaced by what it references: a few
    kilobytes of nested <use> can stand for billions of shapes (a 'billion laughs' without
    entities), which would keep the PDF layout busy for hours. A reference loop counts as
    too many."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    sizes: dict[int, int] = {}

    def size(element, seen: frozenset) -> int:
        if id(element) in sizes:
            return sizes[id(element)]
        if id(element) in seen:
            return MAX_SVG_ELEMENTS + 1
        total = 0
        for node in element.iter():
            total += 1
            if isinstance(node.tag, str) and etree.QName(node).localname == "use":
                href = node.get("href") or node.get("{http://www.w3.org/1999/xlink}href") or ""
                target = by_id.get(href.removeprefix("#"))
                if target is not None:
                    total += size(target, seen | {id(element)})
            if total > MAX_SVG_ELEMENTS:
                break
        sizes[id(element)] = total
        return total

    return size(root, frozenset())


def _open(path: Path) -> ImageFile.ImageFile:
    """The image, its header read, its pixels not yet decoded. Only PNG and JPEG are tried: the
    fewer of Pillow's parsers see untrusted files, the better."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # see Image.MAX_IMAGE_PIXELS
        return Image.open(path, formats=("PNG", "JPEG"))


def _needs_reencoding(img: Image.Image, size: int) -> bool:
    return (
        max(img.size) > MAX_EDGE
        or size > _REENCODE_ABOVE_BYTES
        or any(key in img.info for key in _PRIVATE_METADATA)
    )


# Re-encoding -------------------------------------------------------------------------------------


def _reencoded(img: ImageFile.ImageFile) -> tuple[str, bytes]:
    """(format, bytes) of img upright, at most MAX_EDGE on its longest edge, without metadata."""
    fmt = "JPEG" if img.format in ("JPEG", "MPO") else "PNG"
    icc = img.info.get("icc_profile")
    # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale when that still has the pixels we keep,
    # which is most of the time saved on a camera photo. (No effect on a PNG.)
    img.draft(None, _fitted(img.size))
    out = _normalised(ImageOps.exif_transpose(img))
    out = out.resize(_fitted(out.size), Image.Resampling.LANCZOS)
    # Nothing of the original's metadata is written: EXIF (GPS, camera, dates), XMP, comments, text.
    out.info = {}
    return _encoded(out, fmt, _still_valid_profile(icc, out.mode))


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """size, scaled down in proportion so that its longest edge is at most MAX_EDGE."""
    width, height = size
    scale = min(1.0, MAX_EDGE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _normalised(img: Image.Image) -> Image.Image:
    """img as L, LA, RGB or RGBA: modes both encoders take and LANCZOS resamples (palette and 1-bit
    images would be resized nearest-neighbour; CMYK cannot be a PNG, nor be shown reliably)."""
    if img.mode.startswith("I"):
        # 16-bit grey: Pillow's conversion to L clips everything above 255 instead of scaling
        return img.convert("I").point(lambda v: v / 257).convert("L")
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("L", "LA", "RGB", "RGBA") and "transparency" not in img.info:
        return img
    return img.convert("RGBA" if img.has_transparency_data else "RGB")


def _still_valid_profile(icc: bytes | None, mode: str) -> bytes | None:
    """The original ICC profile if it still describes the pixels (its colour space, at bytes 16-20
    of its header, is the image's); else None. It is kept as it is rather than converted to sRGB:
    the pixel values are unchanged, only resampled, so a wide-gamut photo (Display P3, Adobe RGB)
    keeps its colours in colour-managed viewers without a lossy gamut mapping, and a profile says
    nothing about who took the photo or where. A CMYK profile after conversion to RGB is dropped."""
    colour_space = b"GRAY" if mode in ("L", "LA") else b"RGB "
    return icc if icc and icc[16:20] == colour_space else None


def _encoded(img: Image.Image, fmt: str, icc: bytes | None) -> tuple[str, bytes]:
    data = _saved(img, fmt, icc)
    if fmt == "PNG" and len(data) > _EMBED_BUDGET and not _uses_alpha(img):
        # A PNG still this large at MAX_EDGE is a photograph: as a JPEG it is a fraction of the size.
        img, fmt = img.convert("L" if img.mode in ("L", "LA") else "RGB"), "JPEG"
        data = _saved(img, fmt, icc)
    while len(data) > _EMBED_BUDGET:
        # Still too large (a photograph with transparency, or sheer noise): smaller until it fits.
        img = img.resize((max(1, img.width * 3 // 4), max(1, img.height * 3 // 4)), Image.Resampling.LANCZOS)
        data = _saved(img, fmt, icc)
    return fmt, data


def _uses_alpha(img: Image.Image) -> bool:
    return img.mode in ("LA", "RGBA") and img.getchannel("A").getextrema()[0] < 255


def _saved(img: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        img.save(buffer, "JPEG", quality=85, optimize=True, progressive=False, icc_profile=icc)
    else:
        img.save(buffer, "PNG", optimize=True, icc_profile=icc)
    return buffer.getvalue()
