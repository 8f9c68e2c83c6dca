"""Cross-reference indexes: GRI, IFRS S2 and TCFD references, each with the HKEX provisions that
ask the same thing and where the report answers them, page numbers computed by the layout."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from builder.catalogue import load_catalogue
from builder.errors import InputError
from builder.i18n import language as language_named
from builder.load import load

from .conftest import edit
from .pdfutil import links, page_texts

CATALOGUE = load_catalogue()
FRAMEWORKS = CATALOGUE.frameworks


def test_the_frameworks_hold_what_investors_look_for():
    assert [r.id for r in FRAMEWORKS["tcfd"].references][:2] == ["Governance (a)", "Governance (b)"]
    assert len(FRAMEWORKS["tcfd"].references) == 11  # the TCFD's eleven recommended disclosures
    gri = {r.id for r in FRAMEWORKS["gri"].references}
    assert {"305-1", "305-2", "305-3", "302-1", "303-5", "306-3", "401-1", "403-9", "404-1", "205-2", "205-3",
            "2-7"} <= gri


def test_every_reference_is_answered_by_some_provision_and_part_d_by_ifrs_s2_and_tcfd():
    for framework in FRAMEWORKS.values():
        answered = {rid for ids in framework.by_concept.values() for rid in ids}
        assert answered == {r.id for r in framework.references}, framework.id
    code = CATALOGUE.editions["code-2025"]
    for provision in (p for p in code.provisions if p.aspect.part.id == "D"):
        for framework in ("ifrs-s2", "tcfd"):
            assert FRAMEWORKS[framework].by_concept.get(provision.concept), (framework, provision.code)


def test_scopes_1_2_and_3_map_to_their_own_gri_disclosures_and_to_ifrs_s2_29a():
    code = CATALOGUE.editions["code-2025"]
    rows = {reference.id: [p.code for p in provisions] for reference, provisions in FRAMEWORKS["gri"].rows(code)}
    assert (rows["305-1"], rows["305-2"], rows["305-3"]) == (["D-MT-1"], ["D-MT-2"], ["D-MT-3"])
    ifrs = {reference.id: [p.code for p in provisions] for reference, provisions in FRAMEWORKS["ifrs-s2"].rows(code)}
    assert ifrs["29(a)"] == ["D-MT-1", "D-MT-2", "D-MT-3"]


def _index_pages(texts: list[str], lang, framework) -> list[int]:
    """The pages of a cross-reference index: from its caption to the next index's or the end."""
    caption = lang.gettext("%(framework)s: references and where they are answered", framework=lang.label(framework))
    start = next(i for i, t in enumerate(texts) if caption in t)
    end = next((i for i in range(start + 1, len(texts))
                if lang.gettext("%(framework)s: references and where they are answered", framework="\0")
                .split("\0")[1] in texts[i] and caption not in texts[i]), len(texts))
    return list(range(start + 1, end + 1))


@pytest.mark.parametrize("code", ["en", "zh-Hant"])
@pytest.mark.parametrize("framework", ["gri", "ifrs-s2"])
def test_harbourline_prints_its_indexes_with_the_pages_the_layout_gives(built, code, framework):
    out = built("harbourline-2025").edition(code)
    lang = language_named(code)
    texts = page_texts(out / "report.pdf")
    pages = set(_index_pages(texts, lang, FRAMEWORKS[framework]))
    in_index = [link for link in links(out / "report.pdf") if link.page in pages]
    numbers = [link for link in in_index if link.text.isdigit()]
    assert len(numbers) >= (40 if framework == "gri" else 18)
    for link in numbers:
        assert int(link.text) == link.target, f"page {link.text} printed for a place on page {link.target}"
    # every reference the edition answers has its row, and each row a place and page or a reason
    html = lxml_html.document_fromstring((out / "report.html").read_bytes())
    section = html.get_element_by_id(f"crossref-{framework}")
    rows = section.xpath(".//tbody[contains(@class, 'index-provision')]")
    edition = CATALOGUE.editions["code-2025"]
    assert [row.xpath("string(.//th[@scope='row'])") for row in rows] == \
        [reference.id for reference, _ in FRAMEWORKS[framework].rows(edition)]
    for row in rows:
        assert row.xpath(".//a[contains(@class, 'pageref')]") or row.xpath(".//span[@class='omission']"), \
            row.xpath("string(.//th)")


def test_a_reference_whose_provision_is_explained_points_to_the_explanation(built):
    html = lxml_html.document_fromstring((built("harbourline-2025").edition("en") / "report.html").read_bytes())
    row = next(r for r in html.get_element_by_id("crossref-ifrs-s2").xpath(".//tbody")
               if r.xpath("string(.//th[@scope='row'])") == "32")  # industry-based metrics: D-MT-10, explained
    assert row.xpath("string(.//span[@class='omission'])").strip() == "Explained: see D-MT-10 in the content index"
    assert row.xpath(".//span[@class='omission']/a/@href") == ["#index-D-MT-10"]


def test_an_index_the_edition_has_nothing_for_is_refused_at_its_place(example_copy):
    folder = example_copy("kuaishou-2020")
    edit(folder / "company.yaml", ("  edition: guide-2016\n", "  edition: guide-2016\n  indexes: [gri, ifrs-s2]\n"))
    with pytest.raises(InputError) as refused:
        load(folder / "company.yaml")
    assert f"company.yaml:34:18: report.indexes[1]: no provision of the {CATALOGUE.editions['guide-2016'].title} corresponds to IFRS S2 " \
           "Climate-related Disclosures" in str(refused.value)
    edit(folder / "company.yaml", ("  indexes: [gri, ifrs-s2]\n", "  indexes: [gri, sasb]\n"))
    with pytest.raises(InputError) as refused:
        load(folder / "company.yaml")
    assert "no cross-reference index 'sasb'; expected some of: gri, ifrs-s2, tcfd" in str(refused.value)
