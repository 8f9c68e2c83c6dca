"""A report in English and Traditional Chinese from one company.yaml: every edition complete,
the figures one source, each text in its language or listed by C10 where it is not."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from builder.check import run_checks
from builder.compute import compute
from builder.languages import sibling
from builder.load import load
from builder.render import _markdown_renderer, render_html
from builder.tag import Tagger, to_xhtml11

from .conftest import EXAMPLES, edit
from .pdfutil import page_texts

HARBOURLINE = "harbourline-2025"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


# --- both editions, complete ----------------------------------------------------------------


def test_one_build_writes_every_edition_with_its_language_in_the_file_names(built):
    out = built(HARBOURLINE)
    for code in ("en", "zh-Hant"):
        for name in ("report.html", "report.pdf", "report.xhtml", "report.xbri", "report.json", "validation.json",
                     "viewer.html"):
            stem, suffix = name.rsplit(".", 1)
            assert (out.folder / f"{stem}.{code}.{suffix}").is_file(), f"{stem}.{code}.{suffix}"
        html = (out.edition(code) / "report.html").read_text(encoding="utf-8")
        assert f'<html lang="{code}">' in html
        validation = json.loads((out.edition(code) / "validation.json").read_text(encoding="utf-8"))
        assert (validation["errors"], validation["warnings"], validation["inconsistencies"]) == (0, 0, 0)
        assert validation["package"]["file"] == f"report.{code}.xbri" and validation["package"]["facts"] == validation["facts"]
    assert not (out.folder / "report.html").exists(), "no edition goes without its language in a report of two"
    assert (out.folder / "report.xsd").is_file(), "one extension taxonomy for both editions"


def _facts(json_file: Path) -> dict:
    return json.loads(json_file.read_text(encoding="utf-8"))["facts"]


def _numeric(fact: dict) -> bool:
    return "language" not in fact["dimensions"]  # numbers, years, QNames: the same in every language


def _key(fact: dict) -> tuple:
    dims = {k: v for k, v in fact["dimensions"].items() if k != "language"}
    return (json.dumps(dims, sort_keys=True), fact["value"], fact.get("decimals"))


def test_the_chinese_inline_xbrl_has_the_english_numbers_and_chinese_text(built):
    out = built(HARBOURLINE)
    english = _facts(out.edition("en") / "report.json")
    chinese = _facts(out.edition("zh-Hant") / "report.json")
    en_numbers = Counter(_key(f) for f in english.values() if _numeric(f))
    zh_numbers = Counter(_key(f) for f in chinese.values() if _numeric(f))
    assert sum(en_numbers.values()) > 400
    assert zh_numbers == en_numbers, "every number, unit, period, breakdown and precision the same"
    en_text = [f for f in english.values() if not _numeric(f)]
    zh_text = [f for f in chinese.values() if not _numeric(f)]
    assert len(zh_text) == len(en_text) > 50, "the same text facts, each in its language"
    # the company's English and Chinese names are in their language in both editions;
    # xBRL-JSON's language tags are case-blind
    names = {"hkesg:EntityName": "en", "hkesg:EntityNameInChinese": "zh-hant"}
    for facts, language in ((zh_text, "zh-hant"), (en_text, "en")):
        for fact in facts:
            concept = fact["dimensions"]["concept"]
            assert fact["dimensions"]["language"].lower() == names.get(concept, language), concept
    concepts = {f["dimensions"]["concept"] for f in zh_text}
    assert concepts == {f["dimensions"]["concept"] for f in en_text}
    board = next(f["value"] for f in zh_text if f["dimensions"]["concept"].endswith("BoardStatementOversight")
                 or "Oversight" in f["dimensions"]["concept"])
    assert re.search(r"[\u4e00-\u9fff]", board), "the Chinese edition's narrative facts are Chinese"
    xhtml = (out.edition("zh-Hant") / "report.xhtml").read_text(encoding="utf-8")
    assert 'xml:lang="zh-Hant"' in xhtml


NUMBER = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?%?")


def _english_table_numbers(html: str) -> Counter:
    """Every number printed in the English data tables' figure cells (a share beside its
    figure, a change in points, each a number)."""
    start = html.index('<table class="kpi')
    numbers: Counter = Counter()
    for cell in re.findall(r'<td class="num(?: derived)?"[^>]*>(.*?)</td>', html[start:], re.S):
        text = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<sup.*?</sup>", "", cell, flags=re.S)))
        numbers.update(NUMBER.findall(text))
    return numbers


def test_the_chinese_pdf_holds_the_chinese_headings_and_every_figure_of_the_english_tables(built):
    out = built(HARBOURLINE)
    english = _english_table_numbers((out.edition("en") / "report.html").read_text(encoding="utf-8"))
    assert sum(english.values()) > 500
    texts = page_texts(out.edition("zh-Hant") / "report.pdf")
    text = "\n".join(texts)
    assert "\ufffd" not in text, "no replacement character"
    for heading in ("目錄", "董事會聲明", "數據統計", "內容索引", "氣候行動", "環境", "我們的員工"):
        assert heading in text, heading
    # from the data statistics' first page, whose introduction speaks of the footnote marks
    data_start = next(i for i, t in enumerate(texts) if "上標數字" in re.sub(r"\s", "", t))
    chinese = Counter(NUMBER.findall("\n".join(texts[data_start:])))
    missing = {number: count - chinese[number] for number, count in english.items() if chinese[number] < count}
    assert not missing, f"figures of the English tables not in the Chinese PDF (number: times): {missing}"


def test_the_chinese_edition_speaks_chinese_where_the_yaml_gives_it(built):
    html = (built(HARBOURLINE).edition("zh-Hant") / "report.html").read_text(encoding="utf-8")
    assert "2025年環境、社會及管治報告" in html  # report.title's zh-Hant form
    assert "青衣冷鏈中心" in html and "Tsing Yi Cold Chain Centre" not in html, "sites named as names: gives them"
    assert "2026年4月24日" in html, "dates as Chinese reports write them"
    assert "噸二氧化碳當量" in html and "兆瓦時" in html
    # narrative files: narrative/x.zh-Hant.md beside narrative/x.md
    body = (EXAMPLES / HARBOURLINE / "narrative" / "board-oversight.zh-Hant.md").read_text(encoding="utf-8")
    first_sentence = re.split(r"[。\n]", body.strip().lstrip("#").strip())[0]
    assert first_sentence[:12] in html


# --- text in each language, and what lacks it ------------------------------------------------


def test_sibling_files_say_their_language():
    assert sibling("narrative/energy.md", "zh-Hant") == "narrative/energy.zh-Hant.md"
    assert sibling("narrative/energy.en.md", "zh-Hant") == "narrative/energy.zh-Hant.md"
    assert sibling("energy.zh-Hant.md", "en") == "energy.en.md"


def test_lines_of_a_chinese_paragraph_join_without_a_space():
    md = _markdown_renderer({})
    html = md.render("本集團於報告期內\n推行**節能**\n措施，共有\n2,486名僱員。\nThe English\nline keeps its space.")
    assert "報告期內推行<strong>節能</strong>措施，共有2,486名僱員。" in html
    assert "The English\nline" in html
    # an English word beside Chinese keeps its space (CSS Text 3)
    assert md.render("Our cold chain site in 青衣\nwas expanded.") == "<p>Our cold chain site in 青衣\nwas expanded.</p>\n"


@pytest.fixture
def bilingual(example_copy):
    """A copy of the bilingual example, to take a translation away from."""
    return example_copy(HARBOURLINE)


def test_c10_lists_every_text_without_its_chinese_form_and_strict_fails(bilingual):
    yaml_file = bilingual / "company.yaml"
    edit(yaml_file, ("title: {en: Emissions, zh-Hant: 排放物}", "title: Emissions"),
         ("  Tuas Fulfilment Centre: {zh-Hant: 大士訂單履行中心}\n", ""))
    (bilingual / "narrative" / "waste.zh-Hant.md").unlink()
    waste_start = (bilingual / "narrative" / "waste.md").read_text(encoding="utf-8").split()[0:3]
    waste_start = " ".join(waste_start).lstrip("# ")
    lines = yaml_file.read_text(encoding="utf-8").splitlines()
    title_line = next(i for i, line in enumerate(lines, 1) if line.strip() == "title: Emissions")

    result = cli("check", str(yaml_file))
    assert result.returncode == 0, result.stderr
    c10 = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if " C10:" in line]
    assert len(c10) == 3, c10
    assert any(f"company.yaml:{title_line}:" in line and "Traditional Chinese" in line for line in c10), c10
    assert any("narrative/waste.md" in line and "narrative/waste.zh-Hant.md" in line for line in c10), c10
    assert any("'Tuas Fulfilment Centre'" in line and "names:" in line for line in c10), c10

    strict = cli("check", "--strict", str(yaml_file))
    assert strict.returncode == 1 and " C10:" in strict.stdout + strict.stderr

    # without --strict the edition is built, the first language's text standing in
    loaded = load(yaml_file)
    chinese = loaded.in_language("zh-Hant")
    html = render_html(chinese, compute(chinese, run_checks(loaded), language="zh-Hant"))
    assert "Emissions" in html and "Tuas Fulfilment Centre" in html and "青衣冷鏈中心" in html
    # what stands in says its language: to a screen reader, and to the XBRL's consumer
    assert '<span lang="en" xml:lang="en">Emissions</span>' in html
    assert '<div lang="en" xml:lang="en"><p>' in html  # the English waste.md in the Chinese edition
    tagger = Tagger(chinese, enabled=True, language="zh-Hant")
    xhtml = to_xhtml11(render_html(chinese, compute(chinese, run_checks(loaded), language="zh-Hant"), tagger=tagger))
    english_blocks = re.findall(r'<ix:nonNumeric [^>]*xml:lang="en" escape="true"[^>]*>(.{0,300})', xhtml.decode())
    assert english_blocks and all("Chinese" not in b for b in english_blocks)
    assert any(waste_start in block for block in english_blocks), english_blocks[:2]


def test_a_report_in_english_alone_asks_for_no_chinese(example_copy):
    folder = example_copy("360digitech-2021")
    result = cli("check", str(folder / "company.yaml"))
    assert result.returncode == 0 and " C10:" not in result.stdout + result.stderr


@pytest.mark.parametrize("old,new,message", [
    ("  languages: [en, zh-Hant]", "  languages: [en, en]", "name each language once"),
    ("  languages: [en, zh-Hant]", "  languages: [en, zh]", "'zh' is not allowed here"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {en: Emissions, zh: 排放物}",
     "'zh' is not a language of the builder"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {}", "the text in each language"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {file: narrative/emissions.md}",
     "this text is written here, not in a file (narrative takes {file: ...})"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {en: Emissions, zh-Hant: " + "排" * 301 + "}",
     "title.zh-Hant: the text is 301 characters long; at most 300"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {en: Emissions, zh-Hant: ''}", "title.zh-Hant: the text is empty"),
    ("title: {en: Emissions, zh-Hant: 排放物}", "title: {en: Emissions, zh-Hant: 2025}", "expected text, got 2025"),
    ("  Tuas Fulfilment Centre: {zh-Hant: 大士訂單履行中心}", "  Tuas Fulfilment Centre: {zh-Hant: 青衣冷鏈中心}",
     "'青衣冷鏈中心' is already the zh-Hant name of 'Tsing Yi Cold Chain Centre'"),
    ("  Tuas Fulfilment Centre: {zh-Hant: 大士訂單履行中心}", "  Tuas Fulfilment Centre: 大士訂單履行中心",
     "give the name in each other language"),
    ("body: {file: narrative/emissions.md}", "body: {en: {file: narrative/emissions.md}, zh-Hant: {file: nowhere.md}}",
     "body.zh-Hant.file: no file 'nowhere.md'"),  # its own place, not the body's
    ("body: {file: narrative/emissions.md}", "body: {en: {file: narrative/emissions.md}, zh-Hant: '排放 {{ nothing }}'}",
     "body.zh-Hant: {{ nothing }}: no metric of that name"),
])
def test_a_mistake_in_a_text_in_several_languages_is_named_where_it_is(bilingual, old, new, message):
    yaml_file = bilingual / "company.yaml"
    edit(yaml_file, (old, new))
    line = next(i for i, text in enumerate(yaml_file.read_text(encoding="utf-8").splitlines(), 1) if new.strip() in text)
    result = cli("check", str(yaml_file))
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert f"company.yaml:{line}:" in result.stderr, result.stderr


def test_a_text_given_per_language_inline_and_by_file(bilingual):
    yaml_file = bilingual / "company.yaml"
    (bilingual / "narrative" / "zh-only.md").write_text("本段只在中文版。\n", encoding="utf-8")
    edit(yaml_file, ("body: {file: narrative/emissions.md}",
                     "body: {en: 'Our emissions, in **brief**.', zh-Hant: {file: narrative/zh-only.md}}"))
    loaded = load(yaml_file)
    chinese = loaded.in_language("zh-Hant")
    assert "本段只在中文版" in render_html(chinese, compute(chinese, language="zh-Hant"))
    assert "Our emissions, in <strong>brief</strong>." in render_html(loaded, compute(loaded))
    assert bilingual / "narrative" / "zh-only.md" in loaded.input_files()
    assert bilingual / "narrative" / "waste.zh-Hant.md" in loaded.input_files()


def test_a_form_in_a_language_is_named_at_its_own_line(bilingual):
    yaml_file = bilingual / "company.yaml"
    edit(yaml_file, ("title: {en: Emissions, zh-Hant: 排放物}", "title:\n          en: Emissions\n          zh-Hant: [排放物]"))
    line = next(i for i, text in enumerate(yaml_file.read_text(encoding="utf-8").splitlines(), 1) if "[排放物]" in text)
    result = cli("check", str(yaml_file))
    assert result.returncode == 2 and f"company.yaml:{line}:" in result.stderr and ".title.zh-Hant:" in result.stderr, \
        result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda f: (f / "narrative" / "waste.zh-Hant.md").write_text("\n  \n", encoding="utf-8"), "is empty"),
    (lambda f: (f / "narrative" / "waste.zh-Hant.md").unlink() or (f / "narrative" / "waste.zh-Hant.md").mkdir(),
     "is not a regular file"),
    (lambda f: (f / "narrative" / "waste.zh-Hant.md").unlink() or (f / "narrative" / "waste.zh-Hant.md").symlink_to(
        "nowhere.md"), "no file 'narrative/waste.zh-Hant.md'"),
])
def test_a_translation_file_that_is_there_but_unusable_is_an_error(bilingual, make, message):
    make(bilingual)
    result = cli("check", str(bilingual / "company.yaml"))
    assert result.returncode == 2 and message in result.stderr, result.stdout + result.stderr


def test_a_chinese_first_report_takes_the_chinese_files_beside_the_plain_ones(bilingual):
    yaml_file = bilingual / "company.yaml"
    edit(yaml_file, ("  languages: [en, zh-Hant]", "  languages: [zh-Hant]"))
    loaded = load(yaml_file)
    html = render_html(loaded, compute(loaded, language="zh-Hant"))
    assert "董事會全面負責" in html and "has overall responsibility" not in html


def test_c10_says_what_else_is_amiss_with_the_languages(bilingual, example_copy):
    yaml_file = bilingual / "company.yaml"
    edit(yaml_file, ("  name_zh: 港航物流控股有限公司\n", ""),
         ("body: {file: narrative/emissions.md}", "body: {file: narrative/emissions.zh-Hant.md}"),
         ("names:  #", "names:\n  Tsing Yi Cold Chain Center: {zh-Hant: 青衣}  #"))
    messages = [f.message for f in run_checks(load(yaml_file)) if f.code == "C10"]
    assert "no Chinese name of the company: give it as company.name_zh" in messages
    assert any("narrative/emissions.zh-Hant.md is named as another language's text" in m for m in messages)
    assert "names: no figure names a member 'Tsing Yi Cold Chain Center'; did you mean 'Tsing Yi Cold Chain " \
           "Centre'?" in messages

    english = example_copy("360digitech-2021") / "company.yaml"
    edit(english, ("    title: Corporate responsibility governance",
                   "    title: {en: Corporate responsibility governance, zh-Hant: 企業責任管治}"))
    found = [f for f in run_checks(load(english)) if f.code == "C10"]
    assert [f.message for f in found] == ["texts are given in Traditional Chinese, which report.languages does not "
                                          "name: add it there to build that edition"]


def test_a_chinese_board_statement_is_measured_in_chinese_words():
    from builder.check import words

    assert words("The board oversees ESG issues.") == 5
    assert words("董事會全面負責本集團的環境、社會及管治策略及匯報") == 11
    assert words("董事會通過了2025年的ESG報告") == 11 // 2 + 2  # 11 Han characters, 2025 and ESG


def test_a_restatement_reason_in_english_keeps_its_language_in_the_chinese_note(bilingual):
    """The note on a restated figure is the builder's Chinese words followed by the company's
    reason; a reason given in English only is marked English inside the Chinese note, in the
    HTML and in the inline XBRL footnote alike."""
    yaml_file = bilingual / "company.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    reason_zh = next(line for line in text.splitlines() if line.strip().startswith("zh-Hant: 2024年12月經"))
    edit(yaml_file, (reason_zh + "\n", ""))
    chinese = load(yaml_file).in_language("zh-Hant")
    view = compute(chinese, language="zh-Hant")
    tagger = Tagger(chinese, enabled=True, language="zh-Hant")
    for html in (render_html(chinese, view), to_xhtml11(render_html(chinese, view, tagger=tagger)).decode("utf-8")):
        note = re.search(r'<p id="note-[^"]+">(?:(?!</p>).)*ordering portal(?:(?!</p>).)*</p>', html, re.S)
        assert note is not None
        assert re.search(r"2024年.*<span (?:lang=\"en\" )?xml:lang=\"en\">Five complaints", note.group(0), re.S), \
            note.group(0)  # XHTML 1.1 keeps xml:lang alone
