"""Corrections to WeasyPrint 70's tagged PDF (PDF/UA-1, PDF/A-3a), so that every piece of
content is either in the structure tree or an artifact, as PDF/UA requires.

WeasyPrint marks the text of the page-margin boxes (our running heads and page numbers) as
/Span marked content with an MCID, and builds structure elements for it that it never links
into the tree (pdf/tags.py: "It could be included in tree as Artifact, but that's only allowed
in PDF 2.0"): a checker finds content that is neither tagged nor an artifact on every page.
What the margins hold is pagination, which PDF/UA asks to be an artifact: here it is drawn as
/Artifact <</Type /Pagination>> marked content and kept out of the tree.

WeasyPrint links each data cell to its headers (/Headers, /ID) but reads only scope="row" as a
row header: any other <th> is a header of the columns it spans, for every row of the table. Our
data tables name each breakdown in a row of its own, <th scope="rowgroup" colspan="7">By site</th>,
which WeasyPrint makes a header of every cell of the table, above and below it, whatever the
breakdown. Here a row-group header is a header of the cells of the rows that follow it in its
row group (until the next one), as HTML means it, and every header cell says its /Scope.

WeasyPrint gives the document its language (/Lang from <html lang>) but not a passage in another
language (<span lang="zh-Hant"> on the English cover): here an element gets the /Lang of its
HTML element's lang attribute, so that a screen reader switches voice for it.

A leader (the dots of the contents, `content: leader(". ")`) is one marked /Span per dot inside
the link: a screen reader reads "dot dot dot ..." before each page number. It is typography:
here it is an artifact too.

An image with alt="" is decorative (HTML), which in a PDF is an artifact; WeasyPrint makes it a
/Figure without /Alt (and logs an error). Here it is drawn as an /Artifact and has no element.

And one correction of speed, not of tags: pydyf builds the tuple of every page's reference
each time one is asked for (``PDF.page_references``), and WeasyPrint's tagging asks once per
tagged element: quadratic in the pages, 5 s of the 10,000-fact benchmark's 41 s layout. Here
the tuple is kept until a page is added; the PDF is the same byte for byte.

All six are applied to WeasyPrint's drawing and tagging functions, in the child process that lays
out the PDF only (builder.layout.lay_out). WeasyPrint is pinned (==70.0): these functions are
its internals, and tests/test_accessible_pdf.py checks the result on every edition. A table
continued on the next page is a second /Table there (WeasyPrint tags page by page), whose rows
before the first row-group header of that page have none.
"""

from __future__ import annotations

from contextlib import contextmanager

_applied = False


def apply() -> None:
    """Correct WeasyPrint's tagging in this process (idempotent)."""
    global _applied
    if _applied:
        return
    import pydyf
    from weasyprint import draw
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream as pdf_stream, tags

    def is_decorative(box) -> bool:
        return (isinstance(box, boxes.ReplacedBox) and box.element is not None
                and box.element_tag == "img" and box.element.get("alt") == "")

    draw_stacking_context = draw.draw_stacking_context

    def draw_margins_as_artifacts(stream, stacking_context):
        if stream._tags is None or not isinstance(stacking_context.box, boxes.MarginBox):
            return draw_stacking_context(stream, stacking_context)
        page_tags, stream._tags = stream._tags, None  # nothing inside is marked as content
        stream.begin_marked_content("Artifact", pydyf.Dictionary({"Type": "/Pagination"}))
        try:
            draw_stacking_context(stream, stacking_context)
        finally:
            stream.end_marked_content()
            stream._tags = page_tags

    draw_inline_level = draw.draw_inline_level

    def draw_leaders_as_artifacts(stream, page, box, *args, **kwargs):
        if stream._tags is None or not getattr(box, "is_leader", False):  # or a StackingContext
            return draw_inline_level(stream, page, box, *args, **kwargs)
        page_tags, stream._tags = stream._tags, None
        stream.begin_marked_content("Artifact", pydyf.Dictionary({"Type": "/Layout"}))
        try:
            draw_inline_level(stream, page, box, *args, **kwargs)
        finally:
            stream.end_marked_content()
            stream._tags = page_tags

    marked = pdf_stream.Stream.marked

    @contextmanager
    def marked_unless_decorative(self, box, tag):
        if self._tags is not None and is_decorative(box):
            with self.artifact():
                yield
        else:
            with marked(self, box, tag):
                yield

    build_box_tree = tags._build_box_tree

    def tree_without_artifacts(box, *args):
        if isinstance(box, boxes.MarginBox) or box.is_leader or is_decorative(box):
            return  # drawn as artifacts above: no structure element
        for element in build_box_tree(box, *args):
            lang = box.element.get("lang") if box.element is not None and box.element_tag != "html" else None
            if lang:
                element["Lang"] = pydyf.String(lang)
            if element["S"] == "/Table" and getattr(box, "is_table_wrapper", False):
                table = box.get_wrapped_table()
                if table is not None:
                    _headers_by_scope(table)
            yield element

    _cache_page_references(pydyf.PDF)
    # the modules call these through their globals, recursion included
    draw.draw_stacking_context = draw_margins_as_artifacts
    draw.draw_inline_level = draw_leaders_as_artifacts
    pdf_stream.Stream.marked = marked_unless_decorative
    tags._build_box_tree = tree_without_artifacts
    _applied = True


def _cache_page_references(pdf_class) -> None:
    """``pdf.page_references``, computed again only when the page list has grown."""
    def page_references(pdf):
        kids = pdf.pages["Kids"]  # number, 0, "R" for each page
        cached = pdf.__dict__.get("_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
            pdf.__dict__["_page_references"] = cached
        return cached[1]

    pdf_class.page_references = property(page_references)


SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


def _headers_by_scope(table) -> None:
    """Each header cell's /Scope, and the cells of a row group under their row-group header."""
    groups = [[row for row in group.children if row.element_tag == "tr"] for group in table.children]
    cells = [cell for group in groups for row in group for cell in row.children if hasattr(cell, "mark")]
    row_group_headers = set()
    for cell in cells:
        scope = SCOPES.get(cell.element.get("scope", "") if cell.element is not None else "")
        if cell.element_tag == "th" and scope is not None:
            cell.mark["A"]["Scope"] = scope
            if cell.element.get("scope") == "rowgroup" and "ID" in cell.mark:
                row_group_headers.add(id(cell.mark["ID"]))
    if not row_group_headers:
        return
    for group in groups:
        current = None  # the row-group header of the rows that follow it
        for row in group:
            for cell in row.children:
                mark = getattr(cell, "mark", None)
                if mark is None:
                    continue
                if "ID" in mark and id(mark["ID"]) in row_group_headers:
                    current = mark["ID"]
                elif "Headers" in mark["A"]:
                    headers = [h for h in mark["A"]["Headers"] if id(h) not in row_group_headers]
                    mark["A"]["Headers"] = type(mark["A"]["Headers"])(([current] if current is not None else []) + headers)
