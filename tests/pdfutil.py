"""Reading the built PDF as a reader would: its text, page by page, and its links."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw


@dataclass
class Link:
    page: int  # 1-based page the link is on
    target: int  # 1-based page it points to
    text: str  # the text inside the link's rectangle
    top: float = 0.0  # the top of its rectangle, in points from the foot of the page


def page_texts(pdf_file: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(pdf_file))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def links(pdf_file: Path) -> list[Link]:
    pdf = pdfium.PdfDocument(str(pdf_file))
    found = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            pos = ctypes.c_int(0)
            link = raw.FPDF_LINK()
            while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(pos), ctypes.byref(link)):
                dest = raw.FPDFLink_GetDest(pdf.raw, link)
                if not dest:
                    action = raw.FPDFLink_GetAction(link)
                    dest = raw.FPDFAction_GetDest(pdf.raw, action) if action else None
                if not dest:
                    continue
                rect = raw.FS_RECTF()
                raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect))
                text = textpage.get_text_bounded(rect.left, rect.bottom, rect.right, rect.top)
                text = " ".join(text.replace("\x02", "-").split())  # pdfium marks a line-end hyphen as \x02
                found.append(Link(i + 1, raw.FPDFDest_GetDestPageIndex(pdf.raw, dest) + 1, text, rect.top))
    finally:
        pdf.close()
    return found


def language(pdf_file: Path) -> str:
    """The document language in the PDF's catalogue (/Lang)."""
    pdf = pdfium.PdfDocument(str(pdf_file))
    try:
        size = raw.FPDFCatalog_GetLanguage(pdf.raw, None, 0)
        if size <= 2:
            return ""
        buffer = ctypes.create_string_buffer(size)
        raw.FPDFCatalog_GetLanguage(pdf.raw, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
        return buffer.raw[: size - 2].decode("utf-16-le")
    finally:
        pdf.close()


@dataclass
class Placed:
    """A phrase as set on a page: the lines it takes and the fonts of its letters."""

    lines: int
    fonts: set[str]


def placed(pdf_file: Path, phrase: str) -> list[Placed]:
    """Every place the phrase is set, on any page, found whatever line breaks it spans."""
    wanted = "".join(phrase.split())
    found = []
    pdf = pdfium.PdfDocument(str(pdf_file))
    try:
        for i in range(len(pdf)):
            textpage = pdf[i].get_textpage()
            text = textpage.get_text_range()
            # the page's letters without white space, each with its index on the page
            letters = [(j, c) for j, c in enumerate(text) if not c.isspace() and c not in "\x02\ufffe"]
            joined = "".join(c for _j, c in letters)
            start = joined.find(wanted)
            while start >= 0:
                indexes = [j for j, _c in letters[start:start + len(wanted)]]
                # the loose box spans the font's ascent and descent: the same top on one line
                baselines = {round(textpage.get_charbox(j, loose=True)[1]) for j in indexes}
                found.append(Placed(len(baselines), {_font(textpage, j) for j in indexes}))
                start = joined.find(wanted, start + 1)
    finally:
        pdf.close()
    return found


def _font(textpage, index: int) -> str:
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
    return buffer.value.decode("latin-1")
