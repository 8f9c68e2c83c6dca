"""What WeasyPrint 70 holds in memory while it lays out a long report, made smaller; the PDF is
the same byte for byte.

Measured on the 10,000-fact benchmark (154 pages, 26,000 table cells), the layout process peaked
at 860 MB: about 550 MB for the layout, then 250 MB more for the tagged PDF. Most of it was
WeasyPrint holding what it no longer needed, or holding one thing many times:

- Pseudo-elements' styles: WeasyPrint's user-agent stylesheet gives every element six
  pseudo-elements (::marker, ::footnote-call, ::footnote-marker, ::note-call, ::note-marker,
  ::note-callback), and each gets a computed style of its own: 190,000 styles for 32,000
  elements, almost none ever used. WeasyPrint already shares one computed style among elements
  whose parent style and matched rules are the same (css/__init__.py); here a pseudo-element's
  style is shared the same way, among those whose element's style and declarations are the same
  (but a note's call, whose style WeasyPrint writes each note's anchor in).
- After the layout, the box tree as built (a second copy of every table) stays referenced by the
  bookkeeping that lays pages out again when page numbers change (the target collector's lookups,
  the page maker) and by the tables' column widths, kept by table; and these stay as long as the
  layout's context does, which an SVG image (a chart) keeps to the end. Nothing reads them once
  the pages are final: they are let go there.
- pydyf gives every PDF object four attributes of its own (number, offset, generation, free) at
  creation, most of them never changed: 400,000 objects in the tagged PDF's structure tree. Here
  they are class defaults, and an object holds only what is set on it.

And two moments where what is garbage is let go: the HTML parser's element tree (tinyhtml5's
wrappers, which refer to their parents: garbage in cycles, which a build whose cycle collector is
paused would keep to the end), and the laid-out pages once their drawing and tags are made, before
the PDF file is written (builder.layout.lay_out, with let_go_of_the_pages as WeasyPrint's
finisher). The benchmark's peak: 860 -> 580 MB.

Applied in the child process that lays out the PDF (builder.layout.lay_out), as builder.tagging's
and builder.pagerefs' corrections are; WeasyPrint is pinned (==70.0) and tests/test_layout.py lays
documents out with and without these, comparing the PDFs.
"""

from __future__ import annotations

import gc

_applied = False


def apply() -> None:
    """Make WeasyPrint hold less in this process (idempotent)."""
    global _applied
    if _applied:
        return
    _share_pseudo_element_styles()
    _let_go_of_what_only_pagination_needs()
    _pdf_objects_hold_only_what_is_set()
    _applied = True


def let_go_of_the_pages(document, pdf) -> None:
    """A finisher for Document.write_pdf(): called once the pages are drawn and tagged, before the
    file is written. The document is not drawn again, and its boxes are the largest part of what
    the process holds; they refer to each other in cycles (tables and their columns, styles), so
    each box's attributes are dropped, which lets nearly all of it go at once, and one collection
    takes the rest, whose place the PDF file's writing takes."""
    boxes = [box for page in document.pages for box in page._page_box.descendants(placeholders=True)]
    document.pages.clear()
    for box in boxes:
        vars(box).clear()
    del boxes
    gc.collect()


def _share_pseudo_element_styles() -> None:
    from xml.etree.ElementTree import iselement

    from weasyprint.css import StyleFor

    compute = StyleFor.set_computed_styles
    initialize = StyleFor.__init__

    def set_computed_styles(self, element, parent, root=None, pseudo_type=None, base_url=None,
                            target_collector=None):
        shared = getattr(self, "_shared_pseudo_element_styles", None)
        if pseudo_type is None or shared is None or not iselement(element) or _own(self, parent, pseudo_type):
            return compute(self, element, parent, root=root, pseudo_type=pseudo_type, base_url=base_url,
                           target_collector=target_collector)  # WeasyPrint's way
        computed_styles = self.get_computed_styles()
        cascaded = self.get_cascaded_styles().get((element, pseudo_type), {})
        parent_style = computed_styles[parent, None]
        # the declarations are the stylesheets' own objects, the same for every element a rule matches
        key = (id(parent_style), pseudo_type,
               tuple((name, id(values), weight) for name, (values, weight) in cascaded.items()))
        if key in shared:
            computed_styles[element, pseudo_type] = shared[key][0]
            return
        compute(self, element, parent, root=root, pseudo_type=pseudo_type, base_url=base_url,
                target_collector=target_collector)
        # the parent style and declarations are kept with it, so that no other object takes their ids
        shared[key] = (computed_styles[element, pseudo_type], parent_style, cascaded)

    def __init__(self, *args, **kwargs):
        self._shared_pseudo_element_styles = {}
        try:
            initialize(self, *args, **kwargs)
        finally:
            del self._shared_pseudo_element_styles

    StyleFor.set_computed_styles = set_computed_styles
    StyleFor.__init__ = __init__


def _own(style_for, element, pseudo_type: str) -> bool:
    """Whether the pseudo-element's style is one WeasyPrint writes in for its element alone: the
    call of a note (position: note()) gets the anchor its note links back to
    (layout/__init__.py, add_running_element)."""
    return pseudo_type == "note-call" and style_for.get_computed_styles()[element, None]["position"][0] == "note()"


def _let_go_of_what_only_pagination_needs() -> None:
    from weasyprint import document

    layout_document = document.layout_document

    def laid_out(html, root_box, context, max_loops=8):
        pages = list(layout_document(html, root_box, context, max_loops))  # a generator: laid out here
        context.page_maker = []
        context.target_collector.target_lookup_items.clear()
        context.target_collector.counter_lookup_items.clear()
        context.tables.clear()  # each table's column widths, by its box as built
        return pages

    document.layout_document = laid_out


def _pdf_objects_hold_only_what_is_set() -> None:
    import pydyf

    # the values pydyf.Object.__init__ sets, which it is now left to the class to give
    pydyf.Object.number = None
    pydyf.Object.offset = 0
    pydyf.Object.generation = 0
    pydyf.Object.free = "n"

    def __init__(self):
        pass

    pydyf.Object.__init__ = __init__
