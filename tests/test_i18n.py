"""The report's built-in text in Traditional Chinese: the message catalogue is complete and up to
date, and the same report renders with Chinese built-in text and the same figures."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from babel.messages.pofile import read_po

from builder.catalogue import OBLIGATION_LABELS
from builder.compute import compute
from builder.i18n import LOCALE_DIR, PLACEHOLDER, catalogue_path, language, translations
from builder.load import load
from builder.render import render_html, render_pdf

from .conftest import EXAMPLE_NAMES, EXAMPLES, ROOT

POT = LOCALE_DIR / "messages.pot"
ZH = "zh-Hant"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# a space or a line break between two Chinese characters (or full-width marks) shows as a space
SPACED = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]\s+[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
MARKUP = re.compile(r"<[^>]+>|&#?\w+;")


def _read(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def _ids(catalog) -> set:
    return {(m.context, m.id) for m in catalog if m.id}


def test_the_pot_holds_every_message_of_the_sources(tmp_path):
    """locale/messages.pot is what `make messages` extracts from the builder and the templates today."""
    fresh = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-o", str(fresh),
         "-w", "100", "--add-comments=Translators:", "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    extracted, committed = _ids(_read(fresh)), _ids(_read(POT))
    assert extracted == committed, (
        f"run `make messages` and translate: new {sorted(extracted - committed)}, gone {sorted(committed - extracted)}")


def test_every_message_has_its_chinese_form_with_the_same_placeholders():
    template, po = _read(POT), _read(catalogue_path(ZH))
    assert _ids(po) == _ids(template), "the .po is not merged with the .pot: run `make messages`"
    assert po.plural_forms == "nplurals=1; plural=0;"
    for m in po:
        if not m.id:
            continue
        where = f"{m.context + ': ' if m.context else ''}{m.id!r}"
        assert not m.fuzzy, f"{where} is marked fuzzy: review its translation"
        # a plural message has one Chinese form (nplurals=1), which answers its plural English form
        english = m.id if isinstance(m.id, str) else m.id[-1]
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        assert len(strings) == 1, f"{where}: Chinese has one form"
        chinese = strings[0]
        assert chinese and chinese.strip(), f"{where} has no translation"
        assert chinese != english, f"{where} is not translated"
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(english)), where
        assert Counter(MARKUP.findall(chinese.replace("&#160;", ""))) == \
            Counter(MARKUP.findall(english.replace("&#160;", ""))), f"{where}: the markup differs"
        # a message is a format string: a lone % would break it at runtime
        assert "%" not in PLACEHOLDER.sub("", chinese).replace("%%", ""), where
        assert not SPACED.search(chinese), f"{where}: a space between Chinese characters shows as one"


def test_translations_load_from_the_po_without_a_compile_step():
    assert not list(LOCALE_DIR.rglob("*.mo")), "the .po is read at runtime; no .mo is kept"
    zh = translations(ZH)
    assert zh is translations(ZH), "read once per process"
    assert zh.gettext("Data statistics") == "數據統計"
    assert zh.pgettext("separator of a list of words", ", ") == "、"
    assert translations("en").gettext("Data statistics") == "Data statistics"
    for key, label in OBLIGATION_LABELS.items():
        assert CJK.search(language(ZH).gettext(label)), key
    assert language(ZH).date(dt.date(2025, 12, 31)) == "2025年12月31日"
    assert language("en").date(dt.date(2025, 1, 1)) == "1 January 2025"
    with pytest.raises(ValueError):
        language("fr")


@pytest.fixture(scope="module")
def harbourline():
    loaded = load(EXAMPLES / "harbourline-2025" / "company.yaml")
    views = {lang: compute(loaded, language=lang) for lang in ("en", ZH)}
    html = {lang: render_html(loaded, view) for lang, view in views.items()}
    return loaded, views, html


def html_of(harbourline) -> str:
    return harbourline[2][ZH]


def _without_chapters(html: str, loaded) -> lxml.html.HtmlElement:
    """The report's text without its chapters (the narrative the company wrote, in its own
    language) and its stylesheet."""
    root = lxml.html.fromstring(html)
    for chapter in loaded.data.chapters:
        for element in root.xpath(f'//section[@id="{chapter.id}"]'):
            element.drop_tree()
    for element in root.xpath("//style"):
        element.drop_tree()
    return root


def _class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


# the elements that hold built-in text only
BUILT_IN = " | ".join([
    "//h1", "//caption", f"//table[not({_class('narrative-table')})]/thead//th", f"//tr[{_class('row-axis')}]/th", f"//td[{_class('unit')}]",
    f"//td[{_class('obligation')}]", f"//p[{_class('cover-code')}]", f"//p[{_class('cover-sub')}]",
    f"//p[{_class('answers')}]", '//section[@id="data"]/p', '//section[@id="content-index"]/p',
    '//section[@id="report-scope"]/p',
])


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_chinese_rendering_has_chinese_built_in_text(harbourline):
    loaded, _views, html = harbourline
    zh = html[ZH]
    assert zh.startswith('<!DOCTYPE html>\n<html lang="zh-Hant">')
    root = _without_chapters(zh, loaded)
    text = _text(root)
    for heading in ("目錄", "關於本報告", "董事會聲明", "持份者參與及重要性評估", "數據統計", "內容索引",
                    "匯報原則", "匯報範圍", "重要性評估", "目標及進展", "按性別劃分", "其中按年齡組別劃分"):
        assert heading in text, heading
    for english in ("Data statistics", "Content index", "Board statement", "Stakeholder engagement",
                    "Reporting principles", "Reporting boundary", "Comply or explain", "Not reported",
                    "Reported", "By gender", "Of which", "Indicator", "Change on", "Share in", "Targets and progress",
                    "Stock code", "Prepared under", "About this report", "This index", "Figures cover",
                    "Not applicable"):
        assert english not in text, f"{english!r} in the Chinese report outside its narrative"
    scope = _text(root.xpath('//section[@id="report-scope"]')[0])
    assert "2025年1月1日至2025年12月31日" in scope and "December" not in scope

    # every element that holds built-in text only is Chinese, with no space between characters
    built_in = root.xpath(BUILT_IN)
    assert len(built_in) > 100
    for element in built_in:
        shown = _text(element)
        if element.tag == "h1" and shown in {c.title for c in loaded.data.chapters}:
            continue
        if shown.isdigit() or shown in ("%", ""):  # a year's column; a percentage's unit
            continue
        assert CJK.search(shown), f"<{element.tag}> {shown!r} is not Chinese"
        assert not SPACED.search(shown), f"<{element.tag}> {shown!r}: a space between Chinese characters"


def test_chinese_names_come_from_the_catalogue(harbourline):
    loaded, views, _html = harbourline
    catalogue = loaded.catalogue
    titles_zh = {t.id: t.title_zh for t in catalogue.tables}
    for table in views[ZH].tables:
        assert table.title == titles_zh[table.id]
        for row in table.rows:
            if row.kind == "metric":
                assert row.label == catalogue.metrics[row.metric].label_zh
                assert row.unit in {u.label_zh for u in catalogue.units.values()}
    index = {row.provision.code: row for group in views[ZH].index for row in group.rows}
    assert f"<strong>{index['A1.2'].provision.title_zh}</strong>" in html_of(harbourline)
    assert f'<span class="wording">{index["A1.2"].provision.wording_zh}</span>' in html_of(harbourline)
    assert "數據統計：溫室氣體排放" in [loc.title for loc in index["A1.2"].locations]


def _figures(html: str) -> list[list[str]]:
    """The numbers of every cell of the data tables, in order."""
    root = lxml.html.fromstring(html)
    cells = root.xpath(f"//table[{_class('kpi')}]//td[{_class('num')}]")
    return [re.findall(r"[-+]?\d[\d,]*(?:\.\d+)?", _text(cell)) for cell in cells]


def test_chinese_rendering_shows_the_same_figures(harbourline):
    _loaded, views, html = harbourline
    english, chinese = _figures(html["en"]), _figures(html[ZH])
    assert len(english) > 500
    assert chinese == english
    assert [t.id for t in views[ZH].tables] == [t.id for t in views["en"].tables]
    notes = {code: [(t.id, [n for n, _text in t.notes]) for t in views[code].tables] for code in views}
    assert notes[ZH] == notes["en"] and any(numbers for _table, numbers in notes["en"])
    # not applicable, in words: the figure cell says so in the report's language
    assert html["en"].count(">Not applicable<") == html[ZH].count(">不適用<")


def test_a_view_renders_in_its_own_language(harbourline):
    loaded, views, _html = harbourline
    assert views["en"].language == "en" and compute(loaded).language == "en"
    with pytest.raises(ValueError):
        render_html(loaded, views["en"], language=ZH)
    with pytest.raises(ValueError):
        compute(loaded, language="zh")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_renders_in_chinese(name):
    loaded = load(EXAMPLES / name / "company.yaml")
    html = render_html(loaded, compute(loaded, language=ZH))
    assert '<html lang="zh-Hant">' in html and "內容索引" in html
    assert "Content index" not in _text(_without_chapters(html, loaded))


def test_chinese_html_is_valid_and_accessible(harbourline, tmp_path):
    """The Nu Html Checker and axe-core judge the Chinese rendering as they judge the English one."""
    tools = ROOT / ".tools" / "node_modules"
    page = tmp_path / "report.zh-Hant.html"
    page.write_text(html_of(harbourline), encoding="utf-8")
    result = subprocess.run(["java", "-jar", str(tools / "vnu-jar" / "build" / "dist" / "vnu.jar"), "--errors-only",
                             "--format", "text", str(page)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr or result.stdout
    assert shutil.which("chromium"), "Chromium comes with `make setup`"
    result = subprocess.run(["node", str(ROOT / "tests" / "tools" / "axe.js"), str(page)], capture_output=True,
                            text=True, timeout=300, env=os.environ | {"NODE_PATH": str(tools)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["violations"] == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF back")
def test_chinese_pdf_is_set_in_a_cjk_font(harbourline, tmp_path):
    loaded, views, _html = harbourline
    pdf = tmp_path / "report.zh-Hant.pdf"
    pdf.write_bytes(render_pdf(render_html(loaded, views[ZH], for_print=True), loaded))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("數據統計", "內容索引", "董事會聲明", "第2頁，共"):
        assert words in text, words
    assert "Page 2 of" not in text
    assert "\ufffd" not in text, "a replacement character: a glyph is missing"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Noto-Sans-CJK" in fonts
