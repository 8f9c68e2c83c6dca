"""The widths of the data statistics tables' columns, worked out from what each column holds.

WeasyPrint's automatic table layout measures every cell twice (its narrowest and widest width)
before laying a single row out: a fifth of a large report's layout time, all of it in site
breakdowns of hundreds of rows. Given its columns' widths, a table is laid out as a fixed one
(print.css) and no cell is measured. A column's width is that of its widest figure or heading
that may not wrap, measured here with the advance widths of the report's Latin font (DejaVu
Sans, which the Chinese edition's Noto Sans CJK is narrower than in digits and Latin letters)
and a Chinese character as a full em; the indicator's column takes the rest of the page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Advance widths in DejaVu Sans and DejaVu Sans Bold, in 2048ths of an em (their hmtx tables), of
# ASCII, Latin-1 and the signs of numbers and units (en dash, superscript and subscript digits,
# per mille, euro). Held here rather than read from the installed font: the same report gives the
# same widths, and so the same PDF, on every machine.
UNITS_PER_EM = 2048
MEASURED = ("".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x100)))
            + "\u2009\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2030\u2070\u2074\u2075\u2076\u2077\u2078"
              "\u2079\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u20ac\u2122\u2212")
REGULAR = dict(zip(MEASURED, (
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577,
    1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401,
    2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569,
    569, 1186, 569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,
    1303, 1716, 651, 821, 1303, 1303, 1303, 1303, 690, 1024, 1024, 2048, 965, 1253, 1716, 739, 2048, 1024, 1024,
    1716, 821, 821, 1024, 1303, 1303, 651, 1024, 821, 965, 1253, 1985, 1985, 1985, 1087, 1401, 1401, 1401, 1401,
    1401, 1401, 1995, 1430, 1294, 1294, 1294, 1294, 604, 604, 604, 604, 1587, 1532, 1612, 1612, 1612, 1612,
    1612, 1716, 1612, 1499, 1499, 1499, 1499, 1251, 1239, 1290, 1255, 1255, 1255, 1255, 1255, 1255, 2011, 1126,
    1260, 1260, 1260, 1260, 569, 569, 569, 569, 1253, 1298, 1253, 1253, 1253, 1253, 1253, 1716, 1253, 1298,
    1298, 1298, 1298, 1212, 1300, 1212, 409, 1024, 2048, 651, 651, 1061, 1061, 1208, 2048, 2748, 821, 821, 821,
    821, 821, 821, 821, 821, 821, 821, 821, 821, 821, 821, 821, 821, 821, 1303, 2048, 1716)))
BOLD = dict(zip(MEASURED, (
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425, 1425, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048, 1585, 1561, 1503, 1700,
    1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501, 1741, 1577, 1475, 1397, 1663, 1585,
    2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702,
    702, 1362, 702, 2134, 1458, 1407, 1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458,
    748, 1458, 1716, 713, 934, 1425, 1425, 1303, 1425, 748, 1024, 1024, 2048, 1155, 1323, 1716, 850, 2048, 1024,
    1024, 1716, 897, 897, 1024, 1507, 1303, 778, 1024, 897, 1155, 1323, 2120, 2120, 2120, 1188, 1585, 1585,
    1585, 1585, 1585, 1585, 2222, 1503, 1399, 1399, 1399, 1399, 762, 762, 762, 762, 1716, 1714, 1741, 1741,
    1741, 1741, 1741, 1716, 1741, 1663, 1663, 1663, 1663, 1483, 1511, 1473, 1382, 1382, 1382, 1382, 1382, 1382,
    2146, 1214, 1389, 1389, 1389, 1389, 702, 702, 702, 702, 1407, 1458, 1407, 1407, 1407, 1407, 1407, 1716,
    1407, 1458, 1458, 1458, 1458, 1335, 1466, 1335, 409, 1024, 2048, 778, 778, 1346, 1346, 1309, 2048, 2949,
    897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 897, 1425, 2048, 1716)))
# where a line may wrap: a space, or either side of a Chinese character (a piece of one character)
_WRAPS = re.compile(r" |(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])|(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])")
WIDE = 1.0  # em: a Chinese character, a full-width sign
OTHER = 1.0  # em: any other letter or sign, as wide as DejaVu Sans's widest but a few (‰)

# report.css: the tables' text and their notes' marks, in points; a cell's padding left and right
TABLE_FONT = 8.5
NOTE_MARK_FONT = 6.5
PADDING = 10.0
# The measure is exact for DejaVu Sans (kerning and ligatures only narrow a text): a column is its
# widest text, its padding and this much more, for rounding. Any more would be taken from the
# indicators' column, whose labels would wrap on more lines than the automatic layout's.
SLACK = 0.2
# report.css: a long unit wraps in a column of 13% of the text's width (17% in Chinese); the
# text's width is print.css's A4 page less its margins of 18 mm
TEXT_WIDTH = (210 - 2 * 18) / 25.4 * 72
LONG_UNIT_COLUMNS = 24  # display columns: a unit wider wraps in its column (compute.Row.long_unit)
LONG_UNIT_SHARE = {"en": 0.13, "zh-Hant": 0.17}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of the text in points, set in the report's font at `size` points."""
    advances = BOLD if bold else REGULAR
    ems = 0.0
    for char in text:
        advance = advances.get(char)
        if advance is not None:
            ems += advance / UNITS_PER_EM
        else:
            ems += WIDE if unicodedata.east_asian_width(char) in "FW" else OTHER
    return ems * size


def display_width(text: str) -> int:
    """The text's width in columns of a Latin letter: a Chinese character (East Asian Width F or
    W) takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "FW" else 1 for char in text)


def widest(texts: Iterable[str], size: float = TABLE_FONT, bold: bool = False) -> float:
    return max((text_width(text, size, bold) for text in texts), default=0.0)


def longest_word(text: str, size: float = TABLE_FONT, bold: bool = False) -> float:
    """The widest piece of a text that wraps at its spaces (a no-break space holds its words) and,
    as Chinese does, beside any Chinese character."""
    return widest(_WRAPS.split(text), size, bold)


def column(content: float) -> float:
    """A column's width in points for content of this many points."""
    return content + SLACK + PADDING


# report.css: how far a row's label stands from its cell's left edge (the padding, more for a
# breakdown's members), and the cell's right padding
INDENT = {("member", 1): 20.0, ("member", 2): 32.0}
INDICATOR_LEAST = 0.2  # of the text width: the narrowest indicators' column a fixed layout gives
# what the indicators' column is given where there is room (report.css: th.indicator 40%): the room
# beyond it goes to the other columns, as the automatic layout shares it, rather than leaving the
# figures packed at the right edge of a page-wide table
INDICATOR_ROOMY = 0.4


def indent(kind: str, level: int) -> float:
    return INDENT.get((kind, level), PADDING / 2) + PADDING / 2


def long_unit_width(language: str) -> float:
    return LONG_UNIT_SHARE.get(language, LONG_UNIT_SHARE["en"]) * TEXT_WIDTH - PADDING
