"""Explanations of omission where the company prints them: in the content index beside the
provision (report.explanations: index, the default) or in a chapter of their own before it, each
provision's row giving the explanation's page (section). Either way each is tagged once."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from builder.cli import main
from builder.i18n import language as language_named

from .conftest import edit, output_of
from .pdfutil import links, page_texts


@pytest.fixture(scope="module")
def in_a_chapter(tmp_path_factory):
    """The complete example, its explanations in a chapter of their own, built."""
    import shutil

    from .conftest import EXAMPLES

    folder = tmp_path_factory.mktemp("explanations") / "harbourline-2025"
    shutil.copytree(EXAMPLES / "harbourline-2025", folder, ignore=shutil.ignore_patterns("output"))
    edit(folder / "company.yaml", ("  indexes: [gri, ifrs-s2]", "  explanations: section\n  indexes: [gri, ifrs-s2]"))
    assert main([str(folder / "company.yaml"), "--quiet"]) == 0
    return output_of(folder)


@pytest.mark.parametrize("code", ["en", "zh-Hant"])
def test_each_explained_row_gives_the_page_of_its_explanation(in_a_chapter, code):
    out = in_a_chapter.edition(code)
    html = lxml_html.document_fromstring((out / "report.html").read_bytes())
    chapter = html.get_element_by_id("omissions")
    assert [dt.get("id") for dt in chapter.xpath(".//dt")] == ["omission-B6.1", "omission-D-MT-10"]
    index = html.get_element_by_id("content-index")
    assert index.xpath(".//a[@class='pageref']/@href").count("#omission-B6.1") == 1
    explanation = chapter.xpath("string(.//dd[1])").strip()
    assert len(explanation) > 40 and explanation[-30:] not in index.text_content()  # printed once, there
    # the page printed beside each is the page the explanation is on
    texts = page_texts(out / "report.pdf")
    lang = language_named(code)
    heading = lang.gettext("Explanations of omissions")
    page = next(i for i, t in enumerate(texts, 1) if t.lstrip().startswith(heading) or f"\n{heading}\n" in t)
    to_explanations = [link for link in links(out / "report.pdf") if link.target == page and link.text.isdigit()]
    assert len(to_explanations) >= 2 and all(int(link.text) == page for link in to_explanations)


def test_the_explanations_are_tagged_once_wherever_they_are_printed(in_a_chapter, built):
    for code in ("en", "zh-Hant"):
        here = json.loads((in_a_chapter.edition(code) / "validation.json").read_text(encoding="utf-8"))
        inline = json.loads((built("harbourline-2025").edition(code) / "validation.json").read_text(encoding="utf-8"))
        assert (here["errors"], here["warnings"], here["inconsistencies"]) == (0, 0, 0)
        assert here["facts"] == inline["facts"]
        facts = json.loads((in_a_chapter.edition(code) / "report.json").read_text(encoding="utf-8"))["facts"]
        explained = [f for f in facts.values() if f["dimensions"]["concept"].endswith("OmissionExplanation")]
        assert len(explained) == 2
