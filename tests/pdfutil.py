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
                found.append(Link(i + 1, raw.FPDFDest_GetDestPageIndex(pdf.raw, dest) + 1, text))
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
