"""The PDF as assistive technology and archives read it: its structure tree (PDF/UA-1), and the
archival PDF/A-3 that carries the report's machine-readable data."""

from __future__ import annotations

import ctypes
import json

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
import yaml

from builder.build import build
from builder.cli import main
from builder.i18n import language as language_named

from .conftest import EXAMPLE_EDITIONS, EXAMPLES, Output, edit, output_of

HEADINGS = {f"/H{n}": n for n in range(1, 7)}
# operators that put text, an image or a painted shape on the page
SHOWING = {"Tj", "TJ", "'", '"', "Do", "EI", "sh", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s"}


def _kids(element) -> list[pikepdf.Dictionary]:
    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, in the tree's order (the reading order)."""
    found = []

    def walk(element):
        found.append(element)
        for kid in _kids(element):
            walk(kid)

    for top in _kids(pdf.Root.StructTreeRoot):
        walk(top)
    return found


def _descendants(element, role: str) -> list[pikepdf.Dictionary]:
    found = []
    for kid in _kids(element):
        if kid.S == role:
            found.append(kid)
        found += _descendants(kid, role)
    return found


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    entries = {}

    def walk(node):
        numbers = node.get("/Nums", pikepdf.Array())
        for i in range(0, len(numbers), 2):
            entries[int(numbers[i])] = numbers[i + 1]
        for kid in node.get("/Kids", pikepdf.Array()):
            walk(kid)

    walk(pdf.Root.StructTreeRoot.ParentTree)
    return entries


def _pdf(built_or_output, code) -> pikepdf.Pdf:
    return pikepdf.open(built_or_output.edition(code) / "report.pdf")


def _check_tagged(pdf: pikepdf.Pdf, code: str) -> None:
    """What PDF/UA-1 asks that a machine can check, on one PDF."""
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == code
    assert root.ViewerPreferences.DisplayDocTitle is True, "the title is displayed, not the file name"
    assert str(pdf.open_metadata().get("dc:title", "")), "the title is in the XMP"

    elements = _elements(pdf)
    in_tree = {element.objgen for element in elements}
    headings = [HEADINGS[str(e.S)] for e in elements if str(e.S) in HEADINGS]
    assert headings and headings[0] == 1, "the first heading is a chapter's (H1)"
    for before, level in zip(headings, headings[1:]):
        assert level <= before + 1, f"a heading jumps from H{before} to H{level}"
    assert max(headings) >= 3

    tables = [e for e in elements if e.S == "/Table"]
    assert tables
    for table in tables:  # a table continued on the next page is a second /Table, with its head repeated
        headers = _descendants(table, "/TH")
        assert headers, "every table has header cells"
        for header in headers:
            assert str(header.A.get("/Scope")) in ("/Row", "/Column"), "every header cell says its scope"
        for cell in _descendants(table, "/TD"):
            assert len(cell.A.get("/Headers", ())) >= 1, "every data cell is linked to its headers"
    for figure in (e for e in elements if e.S == "/Figure"):
        assert str(figure.get("/Alt", "")).strip(), "every figure has alternative text"

    # Everything drawn is content of an element in the tree, or an artifact.
    parents = _parent_tree(pdf)
    for number, page in enumerate(pdf.pages, 1):
        mcids = parents.get(int(page.obj.StructParents), pikepdf.Array())
        open_marks = []  # (tag, mcid)
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                properties = operands[1]
                mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
                open_marks.append((str(operands[0]), None if mcid is None else int(mcid)))
            elif op == "BMC":
                open_marks.append((str(operands[0]), None))
            elif op == "EMC":
                open_marks.pop()
            elif op in SHOWING and not any(tag == "/Artifact" for tag, _ in open_marks):
                tagged = [mcid for _, mcid in open_marks if mcid is not None]
                assert tagged, f"page {number}: {op} outside any marked content"
                assert mcids[tagged[-1]].objgen in in_tree, (
                    f"page {number}: {op} in marked content whose element is not in the structure tree")


@pytest.mark.parametrize("name,code", EXAMPLE_EDITIONS)
def test_the_pdf_is_tagged_for_assistive_technology(built, name, code):
    with _pdf(built(name), code) as pdf:
        assert "pdfuaid:part=\"1\"" in pdf.Root.Metadata.read_bytes().decode()
        _check_tagged(pdf, code)


def test_a_passage_in_the_other_language_says_its_language(built):
    # the English cover names the company in Chinese too, and the Chinese cover in English
    for code, other in (("en", "zh-Hant"), ("zh-Hant", "en")):
        with _pdf(built("harbourline-2025"), code) as pdf:
            assert other in {str(e.Lang) for e in _elements(pdf) if "/Lang" in e}


def test_a_decorative_image_is_an_artifact(built):
    # Harbourline's cover has its logo (alt text) and a photo (alt="", decoration) on page 1
    with _pdf(built("harbourline-2025"), "en") as pdf:
        figures = [e for e in _elements(pdf) if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures if f.Pg.objgen == pdf.pages[0].obj.objgen] == [
            "Harbourline Logistics Holdings Limited logo"], "the photo is no figure"
    # and what it draws is an artifact: test_the_pdf_is_tagged_for_assistive_technology finds
    # nothing drawn outside the tree that is not one


def _marked_texts(pdf_file) -> list[list[tuple[str, bool]]]:
    """Each page's text objects: (text, whether it is in an /Artifact)."""
    pdf = pdfium.PdfDocument(str(pdf_file))
    pages = []
    try:
        for page in pdf:
            textpage = page.get_textpage()
            found = []
            for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_TEXT,)):
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = ctypes.create_string_buffer(size)
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
                names = []
                for i in range(raw.FPDFPageObj_CountMarks(obj.raw)):
                    mark = raw.FPDFPageObj_GetMark(obj.raw, i)
                    length = ctypes.c_ulong(0)
                    raw.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(length))
                    name = ctypes.create_string_buffer(length.value)
                    raw.FPDFPageObjMark_GetName(mark, ctypes.cast(name, ctypes.POINTER(raw.FPDF_WCHAR)), length.value,
                                               ctypes.byref(length))
                    names.append(name.raw[:-2].decode("utf-16-le"))
                found.append((buffer.raw[:-2].decode("utf-16-le"), "Artifact" in names))
            pages.append(found)
    finally:
        pdf.close()
    return pages


@pytest.mark.parametrize("name,code", EXAMPLE_EDITIONS)
def test_running_heads_page_numbers_and_leaders_are_artifacts(built, name, code):
    pdf_file = built(name).edition(code) / "report.pdf"
    lang = language_named(code)
    pages = _marked_texts(pdf_file)
    for number, texts in enumerate(pages, 1):
        if number == 1:
            assert not any(artifact for _, artifact in texts), "the cover has no running head"
            continue
        footer = lang.gettext("Page %(page)s of %(pages)s", page=number, pages=len(pages))
        artifacts = "".join(text for text, artifact in texts if artifact)
        content = "".join(text for text, artifact in texts if not artifact)
        assert footer.replace(" ", "") in artifacts.replace(" ", ""), f"page {number}: the page number is an artifact"
        assert footer.replace(" ", "") not in content.replace(" ", "")
        if number == 2:  # the contents: its leaders are typography, its titles and page numbers content
            assert "...." in artifacts.replace(" ", "") and "..." not in content.replace(" ", "")


# -- the archival PDF ---------------------------------------------------------------------------

PUBLISHED = yaml.safe_load((EXAMPLES / "harbourline-2025" / "company.yaml").read_text(encoding="utf-8"))[
    "report"]["published"]


@pytest.fixture(scope="module")
def archival(tmp_path_factory):
    """The bilingual example built with --archival."""
    out = tmp_path_factory.mktemp("archival") / "output"
    build(EXAMPLES / "harbourline-2025" / "company.yaml", out, archival=True)
    return Output(out)


@pytest.mark.parametrize("code", ["en", "zh-Hant"])
def test_the_archival_pdf_carries_the_edition_s_data(archival, code):
    edition = archival.edition(code)
    with _pdf(archival, code) as pdf:
        expected = {(edition / "report.json").name: "application/json",
                    (edition / "report.xhtml").name: "application/xhtml+xml"}
        assert set(pdf.attachments) == set(expected)
        associated = {spec.objgen for spec in pdf.Root.AF}
        for name, mime_type in expected.items():
            spec = pdf.attachments[name]
            attached = spec.get_file()
            assert attached.read_bytes() == (archival.folder / name).read_bytes(), f"{name} is the file written"
            assert spec.relationship == pikepdf.Name.Data
            assert spec.obj.objgen in associated, f"{name} is an associated file of the document (/AF)"
            assert attached.mime_type == mime_type
            assert attached.size == (archival.folder / name).stat().st_size
            assert attached.mod_date.date() == PUBLISHED, "dated by the report's publication date"
        facts = json.loads(pdf.attachments[(edition / "report.json").name].get_file().read_bytes())["facts"]
        assert len(facts) > 100

        xmp = pdf.open_metadata()
        assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "A"
        assert xmp["pdfuaid:part"] == "1", "the file is PDF/UA-1 as well"
        assert "pdfaExtension:schemas" in pdf.Root.Metadata.read_bytes().decode(), (
            "PDF/A describes the pdfuaid schema it does not predefine")
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert len(pdf.trailer.ID) == 2, "PDF/A requires a file identifier"
        _check_tagged(pdf, code)


def test_archival_without_the_inline_xbrl_is_a_usage_error(tmp_path, capsys):
    yaml_file = EXAMPLES / "360digitech-2021" / "company.yaml"
    assert main([str(yaml_file), "-o", str(tmp_path / "out"), "--archival", "--no-xbrl"]) == 2
    assert "archival" in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing is built"


def test_the_yaml_can_ask_for_the_archival_pdf(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("  published: 2022-04-28\n", "  published: 2022-04-28\n  archival: true\n"))
    assert main([str(folder / "company.yaml"), "--no-xbrl"]) == 2, "no archival PDF without its data"
    assert "report.archival" in capsys.readouterr().err
    assert main([str(folder / "company.yaml"), "--no-xbrl", "--no-pdf"]) == 0, "a draft without a PDF is fine"
    assert main([str(folder / "company.yaml"), "--no-viewer"]) == 0
    with pikepdf.open(output_of(folder) / "report.pdf") as pdf:
        assert set(pdf.attachments) == {"report.json", "report.xhtml"}
        assert pdf.open_metadata()["pdfaid:part"] == "3"


CACHED_REFERENCES_SAME_PDF = r"""
import sys
from builder.layout import ACCESSIBLE
from weasyprint import HTML
import pydyf
from builder import tagging

pages = "".join(f'<h2>Part {n}</h2><p><a href="#p{(n + 3) % 12}">see</a></p>'
                f'<table><tr><th scope="row">Row</th><td>{n}</td></tr></table>'
                f'<p id="p{n}" style="break-after: page">text {n}</p>' for n in range(12))
html = f'<html lang="en"><head><title>t</title></head><body>{pages}</body></html>'
def layout():
    return HTML(string=html).render(pdf_variant=ACCESSIBLE).write_pdf(pdf_variant=ACCESSIBLE)

plain = layout()
original = pydyf.PDF.page_references
tagging._cache_page_references(pydyf.PDF)
assert pydyf.PDF.page_references is not original
growing = pydyf.PDF()  # asked, then a page added: the new page is in the answer
growing.add_page(pydyf.Dictionary())
assert growing.page_references == original.fget(growing)
growing.add_page(pydyf.Dictionary())
assert growing.page_references == original.fget(growing) and len(growing.page_references) == 2
sys.exit(0 if layout() == plain else 1)
"""


def test_cached_page_references_leave_the_tagged_pdf_byte_for_byte_the_same():
    """pydyf's page references kept between calls (a speed correction in builder.tagging): a
    tagged PDF of twelve pages with links between them is the same bytes with and without."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-c", CACHED_REFERENCES_SAME_PDF], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:] or "the PDF differs with page references cached"
