"""The Exchange's rules as they apply to each issuer: the 2025 Code phases Part D in by board,
LargeCap status and financial year, and the content index, C01 and C09 follow the phasing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import html as lxml_html

from builder.catalogue import Issuer, load_catalogue
from builder.check import run_checks
from builder.compute import compute
from builder.load import load
from builder.render import render_html
from builder.errors import InputError

from .conftest import edit

CODE_2025 = load_catalogue().editions["code-2025"]
MAIN, LARGECAP, GEM = Issuer("main_board"), Issuer("main_board", largecap=True), Issuer("gem")
FY2025, FY2026 = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
SCOPE_1_AND_2 = {"D-MT-1", "D-MT-2"}

# Written from the consultation conclusions (April 2024), not from the catalogue: for each issuer
# and financial year, (Scope 1 and 2, the rest of Part D).
EXPECTED = {
    (MAIN, FY2025): ("mandatory", "comply_or_explain"),
    (MAIN, FY2026): ("mandatory", "comply_or_explain"),
    (LARGECAP, FY2025): ("mandatory", "comply_or_explain"),  # its first year: comply or explain
    (LARGECAP, FY2026): ("mandatory", "mandatory"),
    (LARGECAP, dt.date(2025, 4, 1)): ("mandatory", "comply_or_explain"),  # FY2025/26 starts before 2026
    (GEM, FY2025): ("mandatory", "voluntary"),
    (GEM, FY2026): ("mandatory", "voluntary"),
}


@pytest.mark.parametrize("issuer, year_start", EXPECTED)
def test_each_cell_of_the_phasing(issuer, year_start):
    scopes, rest = EXPECTED[issuer, year_start]
    part_d = [p for p in CODE_2025.provisions if p.aspect.part.id == "D"]
    assert {p.code for p in part_d} >= SCOPE_1_AND_2 | {"D-GOV-1", "D-STR-1", "D-MT-3", "D-MT-10"}
    for p in part_d:
        assert CODE_2025.obligation(p, issuer, year_start) == (scopes if p.code in SCOPE_1_AND_2 else rest), p.code
    for p in CODE_2025.provisions:  # Parts B and C are not phased: as the edition writes them
        if p.aspect.part.id != "D":
            assert CODE_2025.obligation(p, issuer, year_start) == p.obligation, p.code


def test_the_earlier_editions_have_no_phasing_and_need_no_board():
    for edition in ("guide-2016", "guide-2020"):
        found = load_catalogue().editions[edition]
        assert found.phasing == ()
        assert all(found.obligation(p, Issuer(), FY2025) == p.obligation for p in found.provisions)


def _harbourline(example_copy, board: str, largecap: bool, year: int):
    """The complete example as another issuer, in another year (its figures stay 2023-2025)."""
    folder = example_copy("harbourline-2025")
    replacements = [("  board: main_board  #", f"  board: {board}\n  largecap: {str(largecap).lower()}\n  #")]
    if year != 2025:
        replacements += [("  financial_year: 2025", f"  financial_year: {year}"),
                         ("  period: {start: 2025-01-01, end: 2025-12-31}",
                          f"  period: {{start: {year}-01-01, end: {year}-12-31}}"),
                         ("  published: 2026-04-24", f"  published: {year + 1}-04-24")]
    edit(folder / "company.yaml", *replacements)
    if year != 2025:  # its figures a year later too, so that the narrative finds its year's figures
        shift = year - 2025
        for yaml_file in (folder / "company.yaml", folder / "previous" / "company-2024.yaml"):  # last year's too
            text = yaml_file.read_text(encoding="utf-8")
            text = re.sub(r"(?<![\d-])(20[12]\d)(?=: )", lambda m: str(int(m.group(1)) + shift), text)
            yaml_file.write_text(text, encoding="utf-8")
        for markdown in (folder / "narrative").glob("*.md"):  # {{employees | 2023}}
            text = re.sub(r"(\|\s*)(20[12]\d)(?=\s*\}\})", lambda m: m.group(1) + str(int(m.group(2)) + shift),
                          markdown.read_text(encoding="utf-8"))
            markdown.write_text(text, encoding="utf-8")
    return load(folder / "company.yaml")


def _index_obligations(loaded, findings) -> dict[str, str]:
    """Each provision's obligation as the printed content index shows it ("basis": whose they are)."""
    page = lxml_html.document_fromstring(render_html(loaded, compute(loaded, findings)))
    shown = {"basis": " ".join(page.get_element_by_id("content-index").xpath("string(.//p[1])").split())}
    for group in page.get_element_by_id("content-index").xpath(".//tbody[contains(@class, 'index-provision')]"):
        code = group.get("id").removeprefix("index-")
        obligation = group.xpath(".//td[contains(@class, 'obligation')]")[0]
        shown[code] = (obligation.text or "").strip()
    return shown


CASES = {  # (board, LargeCap, year): what the index says of D-GOV-1 (the rest of Part D), and C01/C09
    ("main_board", False, 2025): "Comply or explain",
    ("main_board", True, 2025): "Comply or explain",
    ("gem", False, 2025): "Voluntary",
    ("main_board", False, 2026): "Comply or explain",
    ("main_board", True, 2026): "Mandatory",
    ("gem", False, 2026): "Voluntary",
}


@pytest.mark.parametrize("board, largecap, year", CASES)
def test_the_content_index_and_the_checks_follow_the_issuer_and_the_year(example_copy, board, largecap, year):
    loaded = _harbourline(example_copy, board, largecap, year)
    findings = run_checks(loaded)
    shown = _index_obligations(loaded, findings)
    assert shown["D-GOV-1"] == CASES[board, largecap, year]
    whose = {"gem": "a GEM issuer", True: "a LargeCap issuer", False: "a Main Board issuer that is not a LargeCap"}
    assert f"The obligations are those of {whose['gem' if board == 'gem' else largecap]}" in shown["basis"]
    assert f"starting on 1 January {year}." in shown["basis"]
    assert "reported. The obligations are" in shown["basis"]  # a sentence of its own, after a space
    assert shown["D-MT-1"] == shown["D-MT-2"] == "Mandatory"
    assert shown["A1.1"] == "Comply or explain" and shown["MDR-13"] == "Mandatory"
    c01 = {f.subject: f for f in findings if f.code == "C01"}
    # Harbourline explains D-MT-10 under omissions: enough where Part D may be explained, not where
    # it is mandatory (a LargeCap issuer from 2026)
    if (largecap, year) == (True, 2026):
        assert "explaining its omission does not meet it" in c01["D-MT-10"].message
        assert c01["D-MT-10"].severity == "error"
    else:
        assert "D-MT-10" not in c01


@pytest.mark.parametrize("board, flagged", [("main_board", True), ("gem", False)])
def test_part_d_left_unexplained_is_an_error_on_the_main_board_and_nothing_on_gem(example_copy, board, flagged):
    loaded = _harbourline(example_copy, board, False, 2025)
    text = loaded.source.file.read_text(encoding="utf-8")
    start = text.index("  D-MT-10:\n")
    end = text.index("\n", text.index("      zh-Hant:", start)) + 1
    loaded.source.file.write_text(text[:start] + text[end:], encoding="utf-8")  # D-MT-10 no longer explained
    c01 = {f.subject: f for f in run_checks(load(loaded.source.file)) if f.code == "C01"}
    if flagged:
        assert c01["D-MT-10"].severity == "error" and "(comply or explain) is neither answered" in c01["D-MT-10"].message
    else:
        assert "D-MT-10" not in c01  # voluntary: asked of no one


def test_the_board_is_needed_under_the_2025_code_and_a_largecap_issuer_is_on_the_main_board(example_copy):
    folder = example_copy("harbourline-2025")
    edit(folder / "company.yaml", ("  board: main_board  # and not a LargeCap issuer: Part D is comply or explain, "
                                   "Scope 1 and 2 mandatory\n", ""))
    with pytest.raises(InputError) as refused:
        load(folder / "company.yaml")
    assert "company: say which board the shares are listed on (board: main_board or gem)" in str(refused.value)
    edit(folder / "company.yaml", ('  stock_code: "3619"\n', '  stock_code: "3619"\n  board: gem\n  largecap: true\n'))
    with pytest.raises(InputError) as refused:
        load(folder / "company.yaml")
    assert "company.largecap: the Hang Seng Composite LargeCap Index holds Main Board issuers only" in str(refused.value)


@pytest.mark.parametrize("board, largecap, year, explained, expected", [
    ("main_board", False, 2025, False, "neither reported (ghg_scope3) nor explained"),
    ("main_board", False, 2025, True, None),
    ("main_board", True, 2026, True, "an explanation does not replace them"),
    ("gem", False, 2025, False, None),
])
def test_scope_3_is_asked_as_the_issuer_and_year_ask_it(example_copy, board, largecap, year, explained, expected):
    loaded = _harbourline(example_copy, board, largecap, year)
    text = loaded.source.file.read_text(encoding="utf-8")
    start = text.index("  ghg_scope3:\n")
    text = text[:start] + text[text.index("  # --- waste", start):]  # no Scope 3 figures
    if explained:
        text = text.replace("omissions:\n", "omissions:\n  D-MT-3:\n    reason: information unavailable\n"
                            "    explanation: Scope 3 emissions are being measured for the first time.\n", 1)
    loaded.source.file.write_text(text, encoding="utf-8")
    c09 = [f.message for f in run_checks(load(loaded.source.file)) if f.code == "C09"]
    if expected is None:
        assert c09 == []
    else:
        assert len(c09) == 1 and expected in c09[0], c09
