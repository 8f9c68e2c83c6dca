"""No missing glyphs, ever: every character the PDF will show must be in an installed font.

WeasyPrint (Pango) draws a character that no font has as an empty box, silently: a Chinese
company name on a machine without a CJK font comes out as boxes. Before the PDF is laid out,
the text of the print document is compared with what the fonts fontconfig knows (the fonts
Pango chooses from) can show, and a character none can is an error that names it and where
it is in the input.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from lxml import html as lxml_html

from .drawing import PLACEHOLDER, SVG_URI
from .errors import OutputError

FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig-1", "fontconfig-1", "fontconfig", "libfontconfig.1.dylib",
                    "libfontconfig-1.dll")  # as weasyprint.text.ffi looks for it
# Characters any text font has, or that are not drawn: no need to ask the fonts for them.
ALWAYS_SHOWN = set(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D, 0xA0, 0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF}


# fontconfig's own API for what its fonts cover: it keeps each font's character set in its cache,
# so this takes milliseconds where reading the fonts' cmaps (fontTools) took seconds, and it is
# the very coverage Pango consults when it picks a font for a character.
_FONTCONFIG = """
typedef int FcBool; typedef unsigned int FcChar32;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId, FcResultOutOfMemory } FcResult;
typedef enum { FcSetSystem = 0, FcSetApplication = 1 } FcSetName;
typedef struct _FcConfig FcConfig; typedef struct _FcPattern FcPattern; typedef struct _FcCharSet FcCharSet;
typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
FcConfig *FcInitLoadConfigAndFonts(void);
void FcConfigDestroy(FcConfig *config);
FcFontSet *FcConfigGetFonts(FcConfig *config, FcSetName set);
FcResult FcPatternGetCharSet(FcPattern *p, const char *object, int n, FcCharSet **c);
FcCharSet *FcCharSetCreate(void);
FcBool FcCharSetMerge(FcCharSet *a, const FcCharSet *b, FcBool *changed);
FcBool FcCharSetHasChar(const FcCharSet *fcs, FcChar32 ucs4);
void FcCharSetDestroy(FcCharSet *fcs);
"""


def uncovered(code_points: list[int]) -> list[int]:
    """The code points none of the fonts fontconfig knows (the fonts Pango chooses from) can show.
    Read afresh on each call (~50 ms): the fonts installed, or FONTCONFIG_FILE, may have changed."""
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_FONTCONFIG)
    fc = _fontconfig(ffi)
    union = fc.FcCharSetCreate()
    config = fc.FcInitLoadConfigAndFonts()
    try:
        fonts = fc.FcConfigGetFonts(config, fc.FcSetSystem)
        charset = ffi.new("FcCharSet **")
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            if fc.FcPatternGetCharSet(fonts.fonts[i], b"charset", 0, charset) == fc.FcResultMatch:
                fc.FcCharSetMerge(union, charset[0], ffi.NULL)
        return [point for point in code_points if not fc.FcCharSetHasChar(union, point)]
    finally:
        fc.FcConfigDestroy(config)
        fc.FcCharSetDestroy(union)


def _fontconfig(ffi):
    """The fontconfig library WeasyPrint uses, by the names it looks for it on each platform."""
    for name in FONTCONFIG_NAMES:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise OutputError("the fontconfig library, which WeasyPrint needs to find fonts, is not installed")


def missing(text: str) -> list[str]:
    """The characters of text that no installed font can show, in order of first use."""
    wanted = [c for c in dict.fromkeys(text) if ord(c) not in ALWAYS_SHOWN and unicodedata.category(c)[0] != "C"]
    if not wanted:
        return []
    lacking = set(uncovered([ord(c) for c in wanted]))
    return [c for c in wanted if ord(c) in lacking]


def check_print_documents(htmls: list[str], loaded) -> None:
    """Refuse to lay out PDFs that would print boxes: name each character of any edition and
    where it is, all at once."""
    refuse_lacking(list(dict.fromkeys(c for html in htmls for c in lacking_in(html))), loaded)


def lacking_in(html: str) -> list[str]:
    """The characters of a print document no installed font has, in order of first use."""
    document = lxml_html.document_fromstring(html.encode("utf-8"))
    for element in document.xpath("//style | //script"):
        element.drop_tree()
    # the text of SVG images is set too: the company's charts, and the ones the builder drew (but
    # not those still being drawn, whose placeholders stand in it: lacking_in_images() once drawn)
    return missing(document.text_content() + _images_text(document.xpath("//img/@src")))


def lacking_in_images(sources: Iterable[str]) -> list[str]:
    """The characters of the SVG images (data: URIs) no installed font has."""
    return missing(_images_text(sources))


def _images_text(sources: Iterable[str]) -> str:
    return "".join(_svg_text(base64.b64decode(source[len(SVG_URI):])) for source in sources
                   if source.startswith(SVG_URI) and not source.startswith(PLACEHOLDER))


def refuse_lacking(characters: list[str], loaded) -> None:
    """An OutputError naming the characters no font has and where they are, if there are any."""
    if not characters:
        return
    shown = ", ".join(_named(c) for c in characters[:10])
    more = f" and {len(characters) - 10} more" if len(characters) > 10 else ""
    places = "".join(f"\n  {where}" for where in _places(loaded, characters))
    chinese = any(unicodedata.name(c, "").startswith("CJK") for c in characters)
    hint = (" Install a font that has them: on Debian, fonts-noto-cjk for Chinese (`make setup` installs it as root)."
            if chinese else " Install a font that has them, or write the text without them.")
    raise OutputError(f"no installed font can show {shown}{more}, so the PDF would print empty boxes "
                      f"in their place.{hint}{places}")


def _named(c: str) -> str:
    name = unicodedata.name(c, "")
    return f"{c} (U+{ord(c):04X})" if not name or name.startswith("CJK") else f"{c} (U+{ord(c):04X} {name})"


def _places(loaded, chars: list[str], shown: int = 5) -> list[str]:
    """Where the characters first stand in the input, a line each: 'file:line:column: 港, 航'."""
    files = ([loaded.source.file] + sorted({loaded.folder / v.file for v in _markdown_files(loaded)})
             + _svg_images(loaded))
    lines: dict[str, list[str]] = {}
    for c in chars:
        for file in files:
            where = _find(file, c, loaded.folder)
            if where:
                line = where.rsplit(":", 1)[0]
                lines.setdefault(line, [where]).append(c)
                break
    found = [f"{entries[0]}: {', '.join(entries[1:])}" for entries in lines.values()]
    return found[:shown] + ([f"… and in {len(found) - shown} more lines"] if len(found) > shown else [])


def _svg_images(loaded) -> list[Path]:
    """The SVG files the report shows (checked and embedded when the input was loaded)."""
    return sorted(file for file in loaded.embedded if file.suffix.lower() == ".svg")


def _svg_text(svg: bytes) -> str:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(svg, parser)
    except etree.XMLSyntaxError:
        return ""  # an image that does not parse was refused when the input was loaded
    return " ".join(t for element in root.iter() if not isinstance(element, etree._Comment)
                    and not str(element.tag).endswith(("style", "script")) for t in (element.text, element.tail) if t)


def _markdown_files(loaded):
    from .load import _text_fields
    from .schema import MarkdownFile

    editions = [edition.data for edition in loaded.editions.values()] or [loaded.data]
    return [value for data in editions for _, value in _text_fields(data) if isinstance(value, MarkdownFile)]


def _find(file: Path, char: str, folder: Path) -> str | None:
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        if char in line:
            name = file.relative_to(folder) if file.is_relative_to(folder) else file.name
            return f"{name}:{number}:{line.index(char) + 1}"
    return None
