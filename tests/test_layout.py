"""The printed report's layout, read from the PDF as a reader sees it: column widths, footnote
marks, content index rows and page breaks, with the longest real labels and units."""

from __future__ import annotations

import pytest

from builder.cli import main
from builder.compute import compute
from builder.load import load

from .conftest import EXAMPLES, edit, in_a_fresh_python
from .pdfutil import links, page_texts, placed

LONG_TITLE = "Emission management of greenhouse gases, air pollutants and waste from our offices and data centres"


@pytest.fixture(scope="module")
def harbourline_pdf(built):
    return built("harbourline-2025").edition("en") / "report.pdf"


@pytest.fixture(scope="module")
def edited_360(tmp_path_factory):
    """The 360 DigiTech report with a section title that wraps in the content index (where a data
    table answers the same provisions) and a chapter cut to a sentence per section, on a page with room for it."""
    import shutil

    folder = tmp_path_factory.mktemp("layout") / "360digitech-2021"
    shutil.copytree(EXAMPLES / "360digitech-2021", folder, ignore=shutil.ignore_patterns("output"))
    edit(folder / "company.yaml", ("title: Emission management\n", f"title: {LONG_TITLE}\n"),
         ("        charts:\n          - {metric: suppliers, kind: composition, breakdown: region}\n", ""))
    # the sections of the chapter "cooperation", and the last of the chapter before it
    for name in ("supply-chain.md", "community.md", "customers.md"):
        narrative = folder / "narrative" / name
        narrative.write_text(narrative.read_text(encoding="utf-8").splitlines()[0].split(". ")[0].rstrip(".") + ".\n", encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-xbrl"]) == 0
    return folder / "output" / "report.pdf"


def test_derived_column_headers_wrap_onto_two_lines_at_most(harbourline_pdf):
    headers = placed(harbourline_pdf, "Change on 2024") + placed(harbourline_pdf, "Share in 2025")
    assert len(headers) >= 10
    assert max(header.lines for header in headers) <= 2, "a year alone on a third line of its header"


def test_a_long_unit_wraps_in_its_column_rather_than_squeezing_the_indicator(harbourline_pdf):
    # the row's unit is "tCO2e per HK$ million of revenue"
    [label] = placed(harbourline_pdf, "Total greenhouse gas emissions (Scope 1 and 2) per HK$ million of revenue")
    assert label.lines <= 2


def test_italics_mark_derived_figures_only(harbourline_pdf):
    """The legend says italics mark derived figures: an intensity's label is not in italics
    (its figures may be published), while a derived change is."""
    labels = placed(harbourline_pdf, "Hazardous waste produced per employee")
    assert labels and all("Oblique" not in font for label in labels for font in label.fonts)
    [change] = placed(harbourline_pdf, "-4.6%")[:1]
    assert all("Oblique" in font for font in change.fonts)


def test_note_marks_read_in_numeric_order_in_every_table():
    """Each table numbers its notes 1, 2, 3... in the order its marks are read (row by row, the
    label's before the figures'), and prints them in that order beneath it."""
    loaded = load(EXAMPLES / "harbourline-2025" / "company.yaml")
    view = compute(loaded)
    noted = 0
    for table in view.tables:
        read = []
        for row in table.rows:
            for mark in [*row.notes, *(m for cell in row.cells for m in cell.notes)]:
                if mark not in read:
                    read.append(mark)
        assert read == list(range(1, len(read) + 1)), f"{table.id}: marks read {read}"
        assert [number for number, _text in table.notes] == read
        noted += bool(read)
    assert noted >= 4


def test_each_content_index_entry_stands_beside_its_page_number(edited_360):
    """A place whose title wraps pushed the next place's page number onto its own second line."""
    assert any(title.lines >= 2 for title in placed(edited_360, LONG_TITLE)), "the long title wraps in the index"
    index_links = [link for link in links(edited_360) if link.page >= 14]
    numbers = [link for link in index_links if link.text.isdigit()]
    titles = [link for link in index_links if link.text and not link.text.isdigit()]
    assert len(numbers) > 30
    for number in numbers:
        beside = [t for t in titles if t.page == number.page and t.target == number.target
                  and abs(t.top - number.top) < 1]
        assert beside, f"page number {number.text} on page {number.page} stands beside no title that leads there"


def test_a_short_chapter_follows_on_the_previous_chapters_page(edited_360):
    # each section prints the provisions it answers under its title: found once, in the body
    [page] = [text for text in _texts(edited_360) if "HKEXESGprovisions:B5,B5.1" in text]
    assert "HKEXESGprovisions:B6.2" in page, "the short chapter opened a page of its own"


def _texts(pdf_file) -> list[str]:
    from .pdfutil import page_texts

    return ["".join(text.split()) for text in page_texts(pdf_file)]


def test_a_note_mark_is_never_split_over_two_lines(tmp_path):
    """'consumption⁶,' then '⁷' on the next line: with labels one letter longer each, a row's
    line ends at every place of its mark in turn, so a break allowed inside the mark shows."""
    from builder.layout import lay_out
    from builder.render import render_html

    from .pdfutil import placed

    loaded = load(EXAMPLES / "360digitech-2021" / "company.yaml")
    html = render_html(loaded, compute(loaded), for_print=True)
    mark = '<sup class="note-mark"><a href="#n6">6</a>,<a href="#n7">7</a></sup>'
    rows = "".join(f'<tr><th scope="row" style="width: 30mm">Energy consumption {"m" * n}{mark}</th><td class="unit">MWh</td>'
                   f'<td class="num">1,000</td></tr>' for n in range(40))
    table = (f'<table class="kpi" style="table-layout: fixed; width: 90mm"><tbody>{rows}</tbody></table>'
             '<p id="n6">6</p><p id="n7">7</p>')
    body = html[html.index("<body>") + len("<body>"):html.index("</body>")]
    pdf_file = tmp_path / "marks.pdf"
    pdf_file.write_bytes(lay_out(html.replace(body, table), str(tmp_path)))
    marks = placed(pdf_file, "6,7")
    assert len(marks) == 40
    assert all(m.lines == 1 for m in marks), f"{sum(m.lines > 1 for m in marks)} marks split"


# --- the data tables' columns, whose widths the builder works out (builder.widths) ----------------


def _descendants(box):
    for child in getattr(box, "children", None) or []:
        yield child
        yield from _descendants(child)


def _overflowing(html: str, base: str) -> tuple[list[tuple[int, str, float]], int]:
    """(page, text, points beyond its cell) of every text wider than its cell in the tables laid
    out with the builder's widths, as WeasyPrint lays them out; and how many cells there are."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    found, cells = [], 0
    for number, page in enumerate(HTML(string=html, base_url=base).render().pages, 1):
        tables = (b for b in _descendants(page._page_box)
                  if isinstance(b, boxes.TableBox) and "fixed-columns" in b.element.get("class", ""))
        for cell in (b for table in tables for b in _descendants(table) if isinstance(b, boxes.TableCellBox)):
            cells += 1
            right = cell.content_box_x() + cell.width
            for text in (b for b in _descendants(cell) if isinstance(b, boxes.TextBox)):
                if text.position_x + text.width - right > 0.01:
                    found.append((number, text.text, round((text.position_x + text.width - right) * 0.75, 2)))
    return found, cells


def _print_html(loaded) -> str:
    from builder.render import render_html

    return render_html(loaded, compute(loaded, language=loaded.language), for_print=True)


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_no_figure_or_heading_is_wider_than_its_column(language):
    loaded = load(EXAMPLES / "harbourline-2025" / "company.yaml").in_language(language)
    html = _print_html(loaded)
    assert html.count('class="kpi fixed-columns') >= 15
    overflowing, cells = _overflowing(html, str(loaded.folder))
    assert cells > 900
    assert overflowing == []


def _scaled_example(folder, factor: int, offset: int):
    """The complete example with every total figure scaled (three decimals where it is not a count)."""
    import shutil

    import yaml

    shutil.copytree(EXAMPLES / "harbourline-2025", folder, ignore=shutil.ignore_patterns("output"))
    data = yaml.safe_load((folder / "company.yaml").read_text(encoding="utf-8"))
    for metric in data["metrics"].values():
        if "values" in metric and metric.get("unit") != "%":
            metric["values"] = {
                year: value if isinstance(value, str) else value * factor + offset if isinstance(value, int)
                else round(value * factor + offset + 0.125, 3) for year, value in metric["values"].items()}
    (folder / "company.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder / "company.yaml"


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_large_figures_with_shares_and_notes_still_fit_their_columns(tmp_path, language):
    """Every total a seven-digit number with three decimals, beside the example's notes and
    breakdowns' shares: the columns widen, the indicator's takes what is left (most tables still
    leave it a fifth of the page), nothing runs over."""
    loaded = load(_scaled_example(tmp_path / "large", 98, 1234567)).in_language(language)
    html = _print_html(loaded)
    assert "1,23" in html and html.count('class="kpi fixed-columns') >= 12
    overflowing, cells = _overflowing(html, str(loaded.folder))
    assert cells > 500 and overflowing == []


def test_a_table_whose_figures_leave_the_indicators_no_room_is_laid_out_as_before(tmp_path):
    """Twelve-digit figures with three decimals in three years leave less than a fifth of the
    page to the indicators: those tables get no widths, and WeasyPrint shares the room out."""
    loaded = load(_scaled_example(tmp_path / "huge", 98765, 123456789012))
    view = compute(loaded)
    unsized = [table.id for table in view.tables if not table.widths]
    assert "energy" in unsized and len(unsized) < len(view.tables)
    html = _print_html(loaded)
    assert html.count("<colgroup>") == html.count('class="kpi fixed-columns') == len(view.tables) - len(unsized)
    overflowing, _cells = _overflowing(html, str(loaded.folder))
    assert overflowing == []


def test_a_column_too_narrow_is_found():
    """The check above finds a figure wider than its column: the widths it lays out, a third less."""
    import re

    loaded = load(EXAMPLES / "360digitech-2021" / "company.yaml")
    html = _print_html(loaded)
    narrowed = re.sub(r'<col style="width: ([0-9.]+)pt" />', lambda m: f'<col style="width: {float(m[1]) * 2 / 3:.1f}pt" />',
                      html)
    assert narrowed != html
    overflowing, _cells = _overflowing(narrowed, str(loaded.folder))
    assert len(overflowing) > 20


@pytest.mark.parametrize("bold", [False, True])
def test_the_widths_measured_are_those_the_pdf_sets(bold):
    """builder.widths holds DejaVu Sans's advance widths: each text measures what WeasyPrint sets
    it in, in the report's own stylesheet (an update of the font would show here)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from builder.widths import text_width

    texts = ["1,234,567.890", "-12.5%", "+220.8%", "(31.1%)", "0.0 pts", "tCO₂e", "MWh per m² of floor area",
             "HK$ million", "Not applicable", "Change on 2024", "Ünit – ±3 µg/m³", "不適用", "噸二氧化碳當量"]
    spans = "".join(f'<p><span style="white-space: nowrap; font-size: 8.5pt{"; font-weight: bold" if bold else ""}">'
                    f"{text}</span></p>" for text in texts)
    html = f'<html lang="en"><head><style>@page {{ size: A3 }} p {{ margin: 0 }} body {{ font-family: "DejaVu Sans" }}</style></head><body>{spans}</body></html>'
    page = HTML(string=html).render().pages[0]
    measured = [b for b in _descendants(page._page_box) if isinstance(b, boxes.InlineBox)]
    assert len(measured) == len(texts)
    for text, box in zip(texts, measured):
        expected = text_width(text, 8.5, bold)
        actual = box.width * 0.75  # CSS pixels to points
        if all(ord(c) < 0x2E80 for c in text):  # the font's own glyphs: the same but for kerning and ligatures
            assert expected * 0.99 <= actual <= expected + 0.05, text
        else:  # a Chinese character another font sets: at most its em
            assert actual <= expected + 0.05, text


def test_a_report_with_a_stylesheet_of_its_own_keeps_the_automatic_table_layout(tmp_path):
    """The widths are measured in the built-in stylesheets' font; a report's own report.css (or
    print.css, or report.html with its <style>, or data.html) may set a wider one, so its tables
    are laid out as WeasyPrint measures them. Another template of its own (the cover) changes nothing."""
    import shutil

    from builder.ids import TEMPLATES_DIR

    folder = tmp_path / "360digitech-2021"
    shutil.copytree(EXAMPLES / "360digitech-2021", folder, ignore=shutil.ignore_patterns("output"))
    (folder / "templates").mkdir()
    shutil.copy(TEMPLATES_DIR / "cover.html", folder / "templates" / "cover.html")
    assert 'class="kpi fixed-columns' in _print_html(load(folder / "company.yaml"))
    stylesheet = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    (folder / "templates" / "report.css").write_text(stylesheet.replace('"DejaVu Sans"', '"DejaVu Serif"'),
                                                     encoding="utf-8")
    html = _print_html(load(folder / "company.yaml"))
    assert "DejaVu Serif" in html and "kpi fixed-columns" not in html and "<colgroup>" not in html
    # a page template of its own may restyle the tables in its <style> too
    (folder / "templates" / "report.css").unlink()
    page = (TEMPLATES_DIR / "report.html").read_text(encoding="utf-8")
    assert "{{ css }}" in page
    (folder / "templates" / "report.html").write_text(
        page.replace("{{ css }}", "{{ css }}\ntable { font-size: 9.5pt; }", 1), encoding="utf-8")
    html = _print_html(load(folder / "company.yaml"))
    assert "font-size: 9.5pt" in html and "kpi fixed-columns" not in html and "<colgroup>" not in html


# --- page references: laid out twice, not three times (builder.pagerefs) --------------------

PAGE_REFERENCES = """<html><head><style>
@page { size: A6; }
section { break-before: page; }
a.ref::after { content: leader(". ") target-counter(attr(href url), page); }
span.pageref a::after { content: target-counter(attr(href url), page); }
</style></head><body>
<nav><h1>Contents</h1>CONTENTS</nav>
CHAPTERS
<section id="index"><h1>Index</h1>INDEX</section>
</body></html>"""


def _page_references_document() -> str:
    """Contents before the chapters (references forward), an index after them (backward), and a
    chapter that refers to the index (forward across the document)."""
    chapters = [f"<section id=\"c{n}\"><h1>Chapter {n}</h1>" + "<p>A paragraph of the chapter.</p>" * (4 * n)
                + ("<p><span class=\"pageref\">See the index, page <a href=\"#index\"></a></span></p>" if n == 3 else "")
                + "</section>" for n in range(1, 7)]
    return (PAGE_REFERENCES
            .replace("CONTENTS", "".join(f"<p><a class=\"ref\" href=\"#c{n}\">Chapter {n}</a></p>" for n in range(1, 7)))
            .replace("CHAPTERS", "".join(chapters))
            .replace("INDEX", "".join(f"<p><a class=\"ref\" href=\"#c{n}\">Chapter {n}</a></p>" for n in range(6, 0, -1))))


def _laid_out(html: str, corrected: bool) -> tuple[bytes, list[int]]:
    """The PDF, and the page number of each page WeasyPrint laid out, in order (in a new process:
    the corrections stay in the process that applied them, and in those it forks)."""
    import logging

    from weasyprint import HTML
    from weasyprint.logger import PROGRESS_LOGGER

    from builder import pagerefs, tagging

    tagging.apply()
    if corrected:
        pagerefs.apply()
    made: list[int] = []

    class Pages(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if "Creating layout - Page" in message and "up-to-date" not in message:
                made.append(int(message.rsplit(" ", 1)[1]))

    PROGRESS_LOGGER.addHandler(Pages())
    PROGRESS_LOGGER.setLevel(logging.INFO)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"), made


def _plain_and_corrected(html: str) -> list[tuple[bytes, list[int]]]:
    """_laid_out() by WeasyPrint alone and with the correction, side by side in new processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as processes:
        return list(processes.map(_laid_out, [html, html], [False, True]))


def test_pages_holding_page_references_are_laid_out_twice_and_print_what_weasyprint_prints(tmp_path):
    import re
    from collections import Counter

    (plain, plain_made), (pdf, made) = _plain_and_corrected(_page_references_document())
    assert pdf == plain  # byte for byte
    (tmp_path / "refs.pdf").write_bytes(pdf)
    texts = page_texts(tmp_path / "refs.pdf")
    starts = {n: next(i + 1 for i, t in enumerate(texts) if t.startswith(f"Chapter {n}\r\n")) for n in range(1, 7)}
    index = next(i + 1 for i, t in enumerate(texts) if t.startswith("Index"))
    referring = next(i + 1 for i, t in enumerate(texts) if "See the index, page" in t)
    # forward from the contents, backward from the index, forward from a chapter
    assert {int(n): int(page) for n, page in re.findall(r"Chapter (\d) [. ]+ (\d+)", texts[0])} == starts
    assert {int(n): int(page) for n, page in re.findall(r"Chapter (\d) [. ]+ (\d+)", texts[index - 1])} == starts
    assert f"See the index, page {index}" in texts[referring - 1]
    holding = {1, referring, index}
    # WeasyPrint alone lays out each page holding references three times; corrected, twice
    assert Counter(plain_made) == {page: 3 if page in holding else 1 for page in range(1, len(texts) + 1)}
    assert Counter(made) == {page: 2 if page in holding else 1 for page in range(1, len(texts) + 1)}


def _references_that_move_their_targets() -> str:
    """Hundreds of page numbers in running text before their targets, and again after them: as
    the numbers are filled in, the text grows and pushes the targets to later pages."""
    references = "<p>" + " ".join(f'see <a class="ref" href="#t{n % 60}">x</a>' for n in range(300)) + "</p>"
    targets = "".join(f'<p id="t{n}">Target {n} ' + "word " * 40 + "</p>" for n in range(60))
    return ("<html><head><style>@page { size: A6; margin: 10mm } body { font-size: 9pt }"
            " a.ref::after { content: target-counter(attr(href url), page) }</style></head>"
            f"<body>{references}{targets}<div>{references}</div></body></html>")


def test_page_numbers_are_those_of_the_pages_their_targets_end_on(tmp_path):
    """Where filling in the numbers moves their targets, WeasyPrint alone prints some numbers of
    the pages the targets were on before; corrected, each is the page its target ends on."""
    import re

    (plain, _), (pdf, _) = _plain_and_corrected(_references_that_move_their_targets())
    wrong = {}
    for name, laid_out in (("plain", plain), ("corrected", pdf)):
        (tmp_path / f"{name}.pdf").write_bytes(laid_out)
        texts = page_texts(tmp_path / f"{name}.pdf")
        page_of = {int(n): page for page, text in enumerate(texts, 1) for n in re.findall(r"Target (\d+)", text)}
        printed = [int(n) for n in re.findall(r"see\s+x\s*(\d+)", "\n".join(texts))]
        assert len(printed) == 600 and len(page_of) == 60
        wrong[name] = sum(number != page_of[k % 300 % 60] for k, number in enumerate(printed))
    assert wrong["plain"] > 0  # WeasyPrint 70's own: what the correction is measured against
    assert wrong["corrected"] == 0


# --- what the layout holds in memory (builder.footprint) -------------------------------------

FOOTPRINT = """<html lang="en"><head><title>Footprint</title><style>
@page { size: A5; margin: 15mm; @bottom-center { content: "Page " counter(page) " of " counter(pages) } }
body { counter-reset: chapter; }
h2 { break-before: page; counter-increment: chapter; }
h2::before { content: counter(chapter) ". "; }
a.ref::after { content: leader(". ") target-counter(attr(href url), page); }
.note { float: footnote; }
.aside { position: note(asides); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num::after { content: "\\2009"; }
ol li::marker { color: #555; }
</style></head><body>
<nav><h1>Contents</h1>CONTENTS</nav>
CHAPTERS
</body></html>"""


RED = ' style="color: #a00"'  # a style attribute: a style of the element's own


def _footprint_document() -> str:
    """Contents with page references, numbered chapters, footnotes and notes (whose calls and
    back-links WeasyPrint anchors one by one), lists with markers, page numbers in the margin,
    a style attribute, long tables of figures continued over pages, and a chart drawn in
    SVG (an SVG image keeps WeasyPrint's layout context, and what it refers to, to the end)."""
    import base64

    chart = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
                             b'<rect x="10" y="20" width="30" height="40" fill="#369"/>'
                             b'<rect x="60" y="5" width="30" height="55" fill="#369"/></svg>').decode()
    chapters = [f'<p><img src="data:image/svg+xml;base64,{chart}" alt="Sites by region, 2024 and 2025"></p>']
    for n in range(1, 5):
        rows = "".join(f'<tr><th scope="row">Site {n}-{row}</th><td class="num">{row * 37 % 1000}.{n}</td>'
                       f'<td class="num"{RED if row % 40 == 0 else ""}>{row}</td></tr>' for row in range(120))
        chapters.append(f'<h2 id="c{n}">Chapter {n}</h2><p>Figures by site<span class="note">Sites in operation'
                        f' at year end.</span>.</p><ol><li>First</li><li>Second</li></ol>'
                        f'<p>Two sites<span class="aside">Opened in {2020 + n}.</span> opened, one'
                        f'<span class="aside">Closed in {2021 + n}.</span> closed.</p>'
                        f"<table><thead><tr><th>Site</th><th>2025</th><th>Rank</th></tr></thead>"
                        f"<tbody>{rows}</tbody></table>")
    contents = "".join(f'<p><a class="ref" href="#c{n}">Chapter {n}</a></p>' for n in range(1, 5))
    return FOOTPRINT.replace("CONTENTS", contents).replace("CHAPTERS", "".join(chapters))


def _held_in_memory(html: str, lean: bool) -> tuple[bytes, int, int, int, bool]:
    """In a new process (the corrections stay in the process that applied them): the PDF; the
    computed styles and the table cells held after the layout, and the cells on the pages; and
    whether the pages' boxes are still held once the PDF is written."""
    import gc
    import weakref

    from weasyprint import HTML
    from weasyprint.css import ComputedStyle
    from weasyprint.formatting_structure.boxes import TableCellBox

    from builder import footprint, pagerefs, tagging

    tagging.apply()
    pagerefs.apply()
    if lean:
        footprint.apply()
    gc.disable()
    document = HTML(string=html).render(pdf_variant="pdf/ua-1")
    gc.collect()
    styles = sum(type(held) is ComputedStyle for held in gc.get_objects())
    cells = sum(type(held) is TableCellBox for held in gc.get_objects())
    on_pages = sum(isinstance(box, TableCellBox) for page in document.pages for box in page._page_box.descendants())
    page = weakref.ref(document.pages[-1]._page_box)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", finisher=footprint.let_go_of_the_pages if lean else None)
    return pdf, styles, cells, on_pages, page() is not None


def test_the_layout_holds_each_style_once_and_lets_the_built_boxes_and_the_pages_go(tmp_path):
    import multiprocessing
    import re
    from concurrent.futures import ProcessPoolExecutor

    html = _footprint_document()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as processes:
        (plain, plain_styles, plain_cells, _, plain_held), (pdf, styles, cells, on_pages, held) = processes.map(
            _held_in_memory, [html, html], [False, True])
    assert pdf == plain  # byte for byte
    (tmp_path / "footprint.pdf").write_bytes(pdf)
    texts = page_texts(tmp_path / "footprint.pdf")
    starts = {n: next(i + 1 for i, t in enumerate(texts) if f"{n}. Chapter {n}" in t) for n in range(1, 5)}
    assert starts[1] == 2 and starts[4] > starts[3] + 2  # each chapter's table goes on over pages
    assert {int(n): int(page) for n, page in re.findall(r"Chapter (\d) [. ]+ (\d+)", texts[0])} == starts
    assert f"Page 3 of {len(texts)}" in texts[2] and "Sites in operation" in texts[1]
    # each of about 2,000 elements has six pseudo-elements in WeasyPrint's own stylesheet, and each
    # had a style of its own; now those of elements styled alike share one
    assert plain_styles > 6 * 1900 and styles < plain_styles / 10
    # the cells on the pages (a table's header row repeated on each page); the box tree as built
    # held each a second time, to the end
    assert on_pages > 4 * 121 * 3 and cells == on_pages and plain_cells >= 2 * on_pages - 4 * 3 * 4
    assert plain_held and not held  # the pages' boxes let go before the file is written


# Run in a fresh interpreter: which processes an import of WeasyPrint starts, and which of its
# optional libraries it then holds.
IMPORTED = """
import os, sys
spawned = []
sys.addaudithook(lambda event, args: spawned.append(os.path.basename(os.fsdecode(args[0])))
                 if event == "subprocess.Popen" else None)
import importlib
importlib.import_module(sys.argv[1])
from weasyprint.text import ffi
names = ("gobject", "pango", "harfbuzz", "fontconfig")
opened = sorted({line.split()[-1] for line in open("/proc/self/maps") if ".so" in line
                 and any(name in line.rsplit("/", 1)[-1] for name in names)})
print(" ".join(spawned) + "|" + repr((ffi.harfbuzz_subset is not None, ffi.harfbuzz_vector is not None, opened)))
"""


def _imported(module: str) -> tuple[list[str], str]:
    spawned, libraries = in_a_fresh_python(IMPORTED, module).rsplit("|", 1)
    return spawned.split(), libraries


def test_weasyprint_is_imported_without_asking_the_compiler_for_other_platforms_libraries():
    """builder.weasy looks a library's names up in the linker's cache alone: no gcc, no ld (each
    run for every name of another platform, such as libgobject-2.0-0.dll, by a plain import where
    a compiler is installed), and the same library files opened."""
    import shutil

    spawned, libraries = _imported("builder.weasy")
    assert not {"gcc", "cc", "ld"} & set(spawned), spawned
    assert set(spawned) <= {"ldconfig"}
    plain_spawned, plain_libraries = _imported("weasyprint")
    assert libraries == plain_libraries and "libpango" in libraries  # the same files
    if shutil.which("gcc"):  # what it saves, here
        assert "gcc" in plain_spawned and len(plain_spawned) > 5 * len(spawned)
