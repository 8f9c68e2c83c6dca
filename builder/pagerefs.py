"""Corrections to how WeasyPrint 70 resolves page references, so that a page holding them is laid
out twice (once before its numbers are known, once after), not three times.

The contents and the content index write each page number with ``target-counter(attr(href url),
page)`` (print.css). WeasyPrint lays out every page once, then again each page whose generated
text changed, until none does. Two slips in its bookkeeping (formatting_structure/build.py,
compute_content_list) make that a third time for every page holding such a number, 13 of the
complete example's 60 pages, each an index page of tables (a tenth of its layout):

- it files the reference's counters under the anchor its token names before attr() is read, which
  is none (``None``): when the target's page is laid out, no reference is told of it. The
  references come right only because of the second slip:
- it rebinds the list of the text's own page counters to the list of the target's, so every
  reference also counts as a text showing its own page's counters; these change from the first
  layout to the second, when the number of pages becomes known (``pages``, which no reference
  here reads), and every page holding one is laid out a third time, then holding the numbers
  the target's pages told.

Here the reference is filed under the anchor its attribute names, and its own counters are none
(where its text has no counter() of its own: otherwise it is left as WeasyPrint files it): a
target laid out tells the references to it, which are laid out again once. And a target laid out
again whose page counters changed only in ``pages`` tells nobody unless a reference to it reads
``pages``. The examples' PDFs are the same byte for byte (tests/test_pdf.py reads every page
number). Where filling in the numbers moves their targets to other pages (hundreds of numbers in
running text), WeasyPrint alone leaves some numbers of the pages the targets were on before;
corrected, the targets that moved tell their references, and every number is right
(tests/test_layout.py).

Applied in the child process that lays out the PDF (builder.layout.lay_out), as builder.tagging's
corrections are; WeasyPrint is pinned (==70.0).
"""

from __future__ import annotations

import copy

_applied = False


def apply() -> None:
    """Correct WeasyPrint's page references in this process (idempotent)."""
    global _applied
    if _applied:
        return
    from weasyprint.css import targets
    from weasyprint.urls import get_url_tuple

    collect = targets.TargetCollector.collect_missing_counters
    cache = targets.TargetCollector.cache_target_page_counters

    def anchors_of(box, css_token: str) -> list[str]:
        """The anchors the box's text refers to by target-counter(attr(...)), as lookup_target reads
        them; none where the text also has a counter of its own."""
        if css_token != "content":
            return []
        content = box.style["content"]
        if not isinstance(content, (list, tuple)):
            return []
        anchors = []
        for kind, value in content:
            if kind in ("counter()", "counters()"):
                return []
            if kind in ("target-counter()", "target-counters()") and value[0][0] == "attr()":
                name, kind_of, fallback = value[0][1]
                attribute = box.element.get(name, fallback) if box.element is not None else fallback
                token = ("url", get_url_tuple(attribute, box.style.base_url)) if kind_of == "url" else (
                    "string", attribute)
                anchor = targets.anchor_name_from_token(token)
                if anchor is not None:
                    anchors.append(anchor)
        return anchors

    def collect_missing_counters(self, parent_box, css_token, parse_again, missing_counters,
                                 missing_target_counters):
        unfiled = missing_target_counters.get(None)
        anchors = anchors_of(parent_box, css_token) if unfiled is not None else []
        if anchors:
            missing_target_counters = {k: v for k, v in missing_target_counters.items() if k is not None}
            for anchor in anchors:
                missing_target_counters[anchor] = list(unfiled)
            if missing_counters is unfiled:  # the text's own counters, which it has none of
                missing_counters = []
        collect(self, parent_box, css_token, parse_again, missing_counters, missing_target_counters)

    def cache_target_page_counters(self, anchor_name, page_counter_values, page_maker_index, page_maker):
        item = self.target_lookup_items.get(anchor_name)
        if (not self.collecting and item is not None and item.state == "up-to-date"
                and item.cached_page_counter_values
                and _but_pages(item.cached_page_counter_values) == _but_pages(page_counter_values)
                and not any("pages" in lookup.missing_target_counters.get(anchor_name, ())
                            for lookup in self.counter_lookup_items.values())):
            item.page_maker_index = page_maker_index
            item.cached_page_counter_values = copy.deepcopy(page_counter_values)
            return
        cache(self, anchor_name, page_counter_values, page_maker_index, page_maker)

    targets.TargetCollector.collect_missing_counters = collect_missing_counters
    targets.TargetCollector.cache_target_page_counters = cache_target_page_counters
    _applied = True


def _but_pages(counters: dict) -> dict:
    return {name: value for name, value in counters.items() if name != "pages"}
