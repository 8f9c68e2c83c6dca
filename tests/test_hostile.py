"""Hostile and malformed input: a clear error with its place, nothing written, nothing read
outside the report's folder and the builder's own files, and no traceback.

Each case starts from a copy of the 360 DigiTech example, spoils it in one way, runs the
command line as a user would, and asserts the exit code, the message, that the output folder
was not written (for a refused input) and that neither the planted secret beside the report's
folder nor /etc/passwd was opened (an audit hook sees every file Python opens).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.cli import main

from .conftest import EXAMPLES, ROOT, edit

OPENED: list[str] = []


def _audit(event: str, args) -> None:
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def yaml_of(folder: Path) -> Path:
    return folder / "company.yaml"


def replace(old: str, new: str):
    return lambda folder: edit(yaml_of(folder), (old, new))


def write(name: str, content: str | bytes):
    def apply(folder: Path) -> None:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
    return apply


def whole_yaml(content: str | bytes):
    return write("company.yaml", content)


def template(name: str, content: str):
    return write(f"templates/{name}", content)


def append_markdown(text: str):
    def apply(folder: Path) -> None:
        md = folder / "narrative" / "climate.md"
        md.write_text(md.read_text(encoding="utf-8") + text, encoding="utf-8")
    return apply


def svg_bomb() -> str:
    """Four kilobytes of nested <use>: ten to the eleventh rectangles, no entity needed."""
    lines = ['<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><defs>',
             '<g id="a0"><rect width="1" height="1"/></g>']
    for i in range(1, 12):
        lines.append(f'<g id="a{i}">' + "".join(f'<use href="#a{i - 1}" x="{j}"/>' for j in range(10)) + "</g>")
    return "\n".join(lines) + '</defs><use href="#a11"/></svg>\n'


def alias_bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# (id, how to spoil the input, extra arguments, exit code, what the message must say)
CASES = [
    ("broken-syntax", whole_yaml("company: [\n"), [], 2, "invalid YAML"),
    ("tab-indentation", whole_yaml("company:\n\tname: x\n"), [], 2, "YAML does not allow tabs"),
    ("bad-indentation", replace("  edition: guide-2020", "    edition: guide-2020"), [], 2, "check the indentation"),
    ("string-for-number", replace("values: {2021: 2.79}", 'values: {2021: "2.79"}'), [], 2,
     "expected a number or 'not applicable', got the string '2.79'"),
    ("huge-number", replace("values: {2021: 2.79}", "values: {2021: 1.0e+400}"), [], 2, "is too large to be a figure"),
    ("nan", replace("values: {2021: 2.79}", "values: {2021: .nan}"), [], 2, "'.nan' is not a finite number"),
    ("infinity", replace("values: {2021: 2.79}", "values: {2021: -.inf}"), [], 2, "'-.inf' is not a finite number"),
    ("negative-count", replace("  corruption_cases:\n    unit: cases\n    values: {2021: 0}",
                               "  corruption_cases:\n    unit: cases\n    values: {2021: -3}"), [], 1,
     "error I04: Concluded legal cases regarding corrupt practices, 2021: -3 is negative"),
    ("percentage-over-100", replace("values: {2021: 26}", "values: {2021: 260}"), [], 1, "260% is outside 0–100"),
    ("file-of-50-mb", whole_yaml("a: '" + "x" * (50 * 1024 * 1024) + "'\n"), [], 2, "the file is larger than 5 MB"),
    ("deep-nesting", whole_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n"), [], 2, "nested more than 40 levels deep"),
    ("alias-bomb", whole_yaml(alias_bomb()), [], 2, "more than 100 aliases"),
    ("duplicate-key", replace("  stock_code: \"3660\"\n", "  stock_code: \"3660\"\n  stock_code: \"3661\"\n"), [], 2,
     "duplicate key 'stock_code'"),
    ("python-tag", whole_yaml("a: !!python/object/apply:os.system ['touch /tmp/pwned']\n"), [], 2, "is not allowed"),
    ("invalid-utf8", whole_yaml(b"company:\n  name: \xff\xfe\n"), [], 2, "not valid UTF-8"),
    ("empty-file", whole_yaml(""), [], 2, "the file is empty"),
    ("not-a-mapping", whole_yaml("- just\n- a list\n"), [], 2, "must be a mapping"),
    ("unknown-key", replace("  name: 360 DigiTech, Inc.", "  name: 360 DigiTech, Inc.\n  nmae: x"), [], 2,
     "unknown key 'nmae'"),
    ("logo-etc-passwd", replace("  address:", "  logo: /etc/passwd\n  address:"), [], 2, "outside the report's folder"),
    ("logo-parent-secret", replace("  address:", "  logo: ../../secret.txt\n  address:"), [], 2,
     "outside the report's folder"),
    ("logo-http", replace("  address:", "  logo: http://example.com/logo.png\n  address:"), [], 2,
     "must be a file in the report's folder, not a URL"),
    ("markdown-outside", replace("body: {file: narrative/climate.md}", "body: {file: ../secret.txt}"), [], 2,
     "outside the report's folder"),
    ("markdown-symlink-out", lambda f: (f / "narrative" / "link.md").symlink_to(f.parent / "secret.txt")
     or edit(yaml_of(f), ("body: {file: narrative/climate.md}", "body: {file: narrative/link.md}")), [], 2,
     "outside the report's folder"),
    ("markdown-image-http", append_markdown("\n![Logo](http://example.com/x.png)\n"), [], 2, "not a URL"),
    ("markdown-image-passwd", append_markdown("\n![Secret](../../../../../../etc/passwd.png)\n"), [], 2,
     "outside the report's folder"),
    ("css-injection-colour", replace('brand_colour: "#14539a"', 'brand_colour: "red;}</style><script>x()</script>"'),
     [], 2, "does not have the expected form"),
    ("website-javascript", replace("website: https://ir.360shuke.com/", "website: javascript:alert(1)"), [], 2,
     "does not have the expected form"),
    ("template-python-internals", template("board.html", "{{ ''.__class__.__mro__[1].__subclasses__() }}"), [], 2,
     "templates/board.html:1:1: template error: access to attribute '__class__' of 'str' object is unsafe"),
    ("template-globals", template("board.html", "{{ cycler.__init__.__globals__.os.system('id') }}"), [], 2,
     "templates/board.html:1:1: template error"),
    ("template-include-passwd", template("board.html", "{% include '/etc/passwd' %}"), [], 2,
     "templates/board.html:1:1: template error: /etc/passwd"),
    ("template-syntax", template("board.html", "{% for %}"), [], 2, "templates/board.html:1:1: template syntax error"),
    ("previous-outside", replace("  brand_colour:", "  previous: ../secret.txt\n  brand_colour:"), [], 2,
     "outside the report's folder"),
    # 1. templates are confined like every other input
    ("template-symlink-out", lambda f: template("x", "")(f) or (f / "templates" / "x").unlink()
     or (f / "templates" / "cover.html").symlink_to(f.parent / "secret.txt"), [], 2,
     "templates/cover.html links to a file outside the report's folder"),
    ("template-symlink-passwd", lambda f: template("x", "")(f) or (f / "templates" / "x").unlink()
     or (f / "templates" / "board.html").symlink_to("/etc/passwd"), [], 2, "links to a file outside"),
    ("templates-folder-symlink-out", lambda f: write("../elsewhere/cover.html", "{{ 1 }}")(f)
     or (f / "templates").symlink_to(f.parent / "elsewhere"), [], 2, "templates/ links to a folder outside the report's folder"),
    ("template-includes-symlink-out", lambda f: template("cover.html", "{% include 'part.html' %}")(f)
     or (f / "templates" / "part.html").symlink_to(f.parent / "secret.txt"), [], 2, "templates/part.html links to a file outside"),
    ("template-include-traversal", template("board.html", "{% include '../company.yaml' %}"), [], 2, "template error"),
    ("template-divides-by-zero", template("board.html", "{{ 1 / 0 }}"), [], 2,
     "templates/board.html:1:1: template error: ZeroDivisionError"),
    ("template-allocates", template("board.html", "{{ 'x' * 10 ** 10 }}"), [], 2, "was stopped"),
    ("template-reads-a-file-by-path", template("board.html", "{{ tags.loaded.folder.parent.joinpath('secret.txt')"
                                               ".read_text() }}"), [], 2, "attribute 'loaded' of 'Tagger' object is unsafe"),
    ("template-walks-to-a-path", template("board.html", "{{ text.__self__.folder }}"), [], 2, "is unsafe"),
    ("template-unpickles", template("board.html", "{{ d.parse_raw(\"cos\\nsystem\\n(S'touch /tmp/pwned'\\ntR.\", "
                                    "content_type='application/pickle', allow_pickle=True) }}"), [], 2,
     "access to attribute 'parse_raw' of 'CompanyReport' object is unsafe"),
    ("template-reads-by-pydantic", template("board.html", "{{ d.parse_file('/etc/passwd') }}"), [], 2, "is unsafe"),
    ("template-mutates-through-a-type", template("board.html", "{{ d.model_fields['chapters'].annotation.clear("
                                                 "d.chapters) }}"), [], 2, "'model_fields' of 'CompanyReport'"),
    ("template-reads-the-taggers-state", template("board.html", "{{ tags.taxonomy }}"), [], 2, "is unsafe"),
    # the language object's methods look up catalogue texts: never any attribute, nor a format string's
    ("template-field-to-globals", template("board.html", '{% set f = language.field(language.gettext, "__func__") %}'
                                           '{{ language.field(f, "__globals__") }}'), [], 2, "language.field() gives one of"),
    ("template-per-format-string", template("board.html", '{% set ns = namespace(denominator="{unit.__func__.'
                                            '__globals__}", denominator_zh=None) %}{{ language.per(ns, '
                                            'language.gettext) }}'), [], 2, "takes a metric of the catalogue"),
    ("template-call-returns-a-function", template("board.html", "{{ cycler(language.gettext).next() }}"), [], 2,
     "a call in a template returned method"),
    ("template-recurses", template("board.html", "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}"), [], 2,
     "templates/board.html:1:1: template error: the templates include or call themselves without end"),
    ("template-includes-itself", template("board.html", "{% include 'board.html' %}"), [], 2,
     "include or call themselves without end"),
    ("template-link-loop", lambda f: template("x", "")(f) or (f / "templates" / "x").unlink()
     or (f / "templates" / "board.html").symlink_to("board.html"), [], 2, "templates/board.html is a symbolic link that loops"),
    ("templates-folder-loop", lambda f: (f / "templates").symlink_to("templates"), [], 2,
     "templates/ is a symbolic link that loops"),
    ("logo-link-loop", lambda f: (f / "loop.png").symlink_to("loop.png")
     or edit(yaml_of(f), ("  address:", "  logo: loop.png\n  address:")), [], 2, "'loop.png' is a symbolic link that loops"),
    ("markdown-image-link-loop", lambda f: (f / "loop.png").symlink_to("loop.png")
     or append_markdown("\n![A loop](loop.png)\n")(f), [], 2, "the image 'loop.png' is a symbolic link that loops"),
    ("svg-use-bomb", lambda f: write("bomb.svg", svg_bomb())(f) or append_markdown("\n![A bomb](bomb.svg)\n")(f), [], 2,
     "the image 'bomb.svg' draws more than 100,000 elements once its <use> references are expanded"),
    ("narrative-too-long", lambda f: [write(f"narrative/n{i}.md", "word " * 60_000)(f) for i in range(3)]
     and edit(yaml_of(f), ("body: {file: narrative/climate.md}", "body: {file: narrative/n0.md}"),
              ("body: {file: narrative/emissions.md}", "body: {file: narrative/n1.md}")), [], 2,
     "the narrative is longer than 512 KB in all by here"),
    ("published-before-the-period-ends", replace("  published: 2022-04-28", "  published: 2021-06-30"), [], 2,
     "before its period ends on 2021-12-31"),
    ("stock-code-zero", replace('  stock_code: "3660"', '  stock_code: "0000"'), [], 2, "is not a stock code"),
    ("typed-member-blank", replace("        Southwest Region: {2021: 5}", '        " ": {2021: 5}'), [], 2,
     "without spaces at its ends or doubled"),
    ("typed-member-trailing-space", replace("        Southwest Region: {2021: 5}", '        "North China ": {2021: 5}'),
     [], 2, "'North China ' without spaces at its ends"),
    # 4. bounded figures and texts
    ("figure-tiny-exponent", replace("values: {2021: 2.79}", "values: {2021: 1.0e-99999999}"), [], 2,
     "1.0E-99999999 has more than 10 decimal places"),
    ("figure-huge-exponent", replace("values: {2021: 2.79}", "values: {2021: 1.5e+141654246}"), [], 2,
     "1.5E+141654246 is too large to be a figure"),
    ("figure-many-places", replace("values: {2021: 2.79}", "values: {2021: 2.123456789012345}"), [], 2,
     "has more than 10 decimal places"),
    ("company-name-100k", replace("  name: 360 DigiTech, Inc.", "  name: " + "N" * 100_000), [], 2,
     "the text is 100,000 characters long; at most 300 are allowed here"),
    ("footnote-100k", replace("  packaging: >-", "  packaging: " + "word " * 20_000 + "\n  unused: >-"), [], 2, "at most 5,000"),
    # 5. text no report can show
    ("nul-in-name", replace("  name: 360 DigiTech, Inc.", '  name: "360 DigiTech\\0 Inc."'), [], 2,
     "a control character (U+0000)"),
    ("bell-in-title", replace("        title: Climate change", '        title: "Climate\\a change"'), [], 2,
     "a control character (U+0007)"),
    ("lone-surrogate", replace("        title: Climate change", '        title: "Climate \\ud800 change"'), [], 2,
     "a lone surrogate (U+D800)"),
    ("noncharacter-in-footnote", replace("  packaging: >-", '  packaging: "\\uFFFE"\n  unused: >-'), [], 2, "a noncharacter (U+FFFE)"),
    ("c1-control-in-concern", replace("concerns: [fair procurement, compliance]", 'concerns: [fair procurement, "\\x85"]'),
     [], 2, "a control character (U+0085)"),
    ("control-in-markdown", append_markdown("\nA line with a \x1b escape.\n"), [], 2,
     "narrative/climate.md:"),
    ("bidi-override-in-footnote", replace("  packaging: >-", '  packaging: "Water used: \u202e000,1 m3"\n  unused: >-'),
     [], 2, "a bidirectional control (U+202E), which makes text read otherwise than it is stored"),
    ("bidi-isolate-in-markdown", append_markdown("\nEmissions fell by \u2067%51\u2069 this year.\n"), [], 2,
     "a bidirectional control (U+2067)"),
    ("period-in-year-1", replace("start: 2021-01-01", "start: 0001-01-01"), [], 2, "report.period.start"),
    ("period-of-ten-years", replace("start: 2021-01-01", "start: 2011-01-01"), [], 2, "longer than two years"),
    # 6. validation gaps
    ("full-width-stock-code", replace('  stock_code: "3660"', '  stock_code: "\uff13\uff16\uff16\uff10"'), [], 2,
     "company.stock_code"),
    ("logo-not-an-image", lambda f: write("logo.png", b"not an image")(f)
     or edit(yaml_of(f), ("  address:", "  logo: logo.png\n  address:")), [], 2, "company.logo: 'logo.png' "),
    ("section-id-built-in", replace("      - id: climate\n", "      - id: content-index\n"), [], 2,
     "the id 'content-index' is one the report uses for a part of its own"),
    ("section-id-of-a-title", replace("      - id: climate\n", "      - id: about\n"), [], 2,
     "the id 'about' is one the report uses"),
    ("section-id-of-a-fact", replace("      - id: climate\n", "      - id: f12\n"), [], 2,
     "the id 'f12' is one the report uses"),
    ("section-id-digit-first", replace("      - id: climate\n", "      - id: 1climate\n"), [], 2,
     "chapters[4].sections[2].id: '1climate' does not have the expected form"),
    ("provision-answered-twice", replace("answers: [A4, A4.1]", "answers: [A4, A4.1, A4]"), [], 2,
     "'A4' is listed twice"),
    ("fraction-of-a-count", replace("    values: {2021: 2129}", "    values: {2021: 2129.5}"), [], 2,
     "2129.5 is not a whole number, which a count (headcount) must be"),
    ("typed-members-5000", replace("        Southwest Region: {2021: 5}\n", "".join(
        f"        Region {i}: {{2021: 1}}\n" for i in range(600))), [], 2, "at most 500"),
    ("typed-member-empty", replace("        Southwest Region: {2021: 5}", '        "": {2021: 5}'), [], 2,
     "metrics.suppliers.breakdowns.region"),
    ("table-of-5000-columns", append_markdown("\n" + "|a" * 5000 + "|\n" + "|-" * 5000 + "|\n" + "|1" * 5000 + "|\n"),
     [], 2, "narrative/climate.md:4:1: a table of 5,000 columns cannot be printed; at most 30"),
    ("quote-in-footnote-names-nothing", replace("  packaging: >-", "  packaging: see {{nosuch}}\n  unused: >-"), [], 2,
     "footnotes.packaging: {{nosuch}}: no metric of that name"),
    ("quote-across-a-blockquote", append_markdown("\n> {{nosuch\n> }}\n"), [], 2, "no metric of that name"),
    ("quote-superscript-year", append_markdown("\n{{water_consumption | ²}}\n"), [], 2, "climate.md"),
    ("restatement-unknown-axis", replace("footnotes:\n", "restatements:\n  - {metric: suppliers, year: 2020, axis: nosuch, "
                                         "member: x, previous: 1, reason: counted again}\nfootnotes:\n"), [], 2,
     "suppliers has no breakdown by 'nosuch'"),
    ("previous-malformed", lambda f: write("previous.yaml", "metrics:\n  suppliers:\n    breakdowns:\n      region: [1, 2]\n"
                                           "  water_consumption: {values: [1, 2]}\n")(f)
     or edit(yaml_of(f), ("  brand_colour:", "  previous: previous.yaml\n  brand_colour:")), [], 2,
     "previous.yaml:4:15: metrics.suppliers.breakdowns.region: expected a mapping of members to their figures"),
    ("quotes-36000-figures", append_markdown("\n" + "{{suppliers | region: North China}} " * 3000 + "\n"), [], 2,
     "the narrative quotes more than 2,000 figures by here"),
    ("number-100k-digits", replace("values: {2021: 2.79}", "values: {2021: " + "9" * 100_000 + "}"), [], 2,
     "(100,000 characters)"),
]


@pytest.fixture
def hostile_copy(example_copy, tmp_path):
    folder = example_copy("360digitech-2021")
    (folder.parent / "secret.txt").write_text("the secret", encoding="utf-8")
    return folder


@pytest.mark.parametrize("name, spoil, args, code, message", CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_with_its_place(hostile_copy, capsys, name, spoil, args, code, message):
    folder = hostile_copy
    spoil(folder)
    OPENED.clear()
    assert main([str(yaml_of(folder)), "--no-pdf", "--no-json", "--no-viewer", *args]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and "internal error" not in err
    assert not (folder / "output").exists(), "nothing is written"
    secret = str(folder.parent / "secret.txt")
    assert secret not in OPENED and "/etc/passwd" not in OPENED, "no file outside the allowed folders is read"


@pytest.mark.parametrize("name, markdown", [
    ("script", "<script>alert(1)</script>"),
    ("javascript-link", "[click](javascript:alert(1))"),
    ("event-handler", "<img src=x onerror=alert(1)>"),
    ("style-injection", "<style>body{display:none}</style>"),
])
def test_hostile_markdown_is_shown_as_text(hostile_copy, name, markdown):
    append_markdown(f"\n{markdown}\n")(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 0
    html = (hostile_copy / "output" / "report.html").read_text(encoding="utf-8")
    body = html.split("</head>")[1]
    assert "<script" not in body and 'href="javascript:' not in body and "onerror=" not in body.replace(
        "onerror=alert", "") and "<style>body" not in body


def test_the_sandbox_keeps_only_answers_it_would_give_again(monkeypatch):
    """The sandbox keeps its answer to whether an attribute is safe by the object's type, the
    attribute and the value's type: through a whole report, HTML and inline XBRL, each answer kept
    is the one its checks give for that very object."""
    from builder import render
    from builder.compute import compute
    from builder.load import load
    from builder.tag import Tagger

    agreed = []

    class Checking(render.ReportSandbox):
        def is_safe_attribute(self, obj, attr, value) -> bool:
            kept = super().is_safe_attribute(obj, attr, value)
            agreed.append(kept == self._is_safe_attribute(obj, attr, value))
            return kept

    monkeypatch.setattr(render, "ReportSandbox", Checking)
    loaded = load(EXAMPLES / "harbourline-2025" / "company.yaml")
    view = compute(loaded)
    render.render_html(loaded, view)
    render.render_html(loaded, view, tagger=Tagger(loaded, enabled=True, language=view.language))
    assert len(agreed) > 10_000 and all(agreed)


def test_a_template_cannot_attach_or_fetch_files_into_the_pdf(hostile_copy):
    template("cover.html", '<link rel="attachment" href="file:///etc/passwd"><img src="file:///etc/passwd" alt="x">'
             '<img src="http://127.0.0.1:9/x.png" alt="y"><p>Cover</p>')(hostile_copy)
    OPENED.clear()
    assert main([str(yaml_of(hostile_copy)), "--no-xbrl"]) == 0
    pdf = (hostile_copy / "output" / "report.pdf").read_bytes()
    assert b"/EmbeddedFile" not in pdf and b"root:" not in pdf
    assert "/etc/passwd" not in OPENED


# --- 2. a build never deletes or replaces a file it did not write ----------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _built(folder: Path, *args: str) -> dict[str, bytes]:
    assert main([str(yaml_of(folder)), "--no-pdf", "--no-json", "--no-viewer", *args]) == 0
    return _tree(folder / "output")


@pytest.mark.parametrize("name, intrude, names", [
    ("file-added", lambda out: (out / "notes.txt").write_text("mine"), "notes.txt"),
    ("folder-added", lambda out: (out / "drafts").mkdir() or (out / "drafts" / "a.md").write_text("mine"), "drafts"),
    ("output-edited", lambda out: (out / "report.html").write_text("my edit"),
     "report.html (changed since the last build wrote it)"),
    ("link-added", lambda out: (out / "link").symlink_to(out.parent / "company.yaml"), "link"),
    ("output-replaced-by-link", lambda out: (out / "report.xhtml").unlink()
     or (out / "report.xhtml").symlink_to(out.parent / "company.yaml"), "report.xhtml"),
])
def test_a_build_refuses_to_replace_what_it_did_not_write(hostile_copy, capsys, name, intrude, names):
    _built(hostile_copy)
    out = hostile_copy / "output"
    intrude(out)
    before = _tree(out)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-json", "--no-viewer"]) == 2
    err = capsys.readouterr().err
    assert "did not write" in err and f"\n  {names}\n" in err
    assert _tree(out) == before, "nothing in the output folder was deleted or replaced"
    assert not list(hostile_copy.glob(".output.*")), "no staging folder is left"


def test_a_narrative_file_kept_in_the_output_folder_is_never_deleted(hostile_copy, capsys):
    _built(hostile_copy)
    (hostile_copy / "narrative" / "climate.md").rename(hostile_copy / "output" / "climate.md")
    edit(yaml_of(hostile_copy), ("body: {file: narrative/climate.md}", "body: {file: output/climate.md}"))
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 2
    assert "holds files the report reads (climate.md)" in capsys.readouterr().err
    assert (hostile_copy / "output" / "climate.md").is_file()


def test_another_tools_report_in_the_output_folder_is_not_replaced(hostile_copy, tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "report.html").write_text("another tool's report")
    assert main([str(yaml_of(hostile_copy)), "-o", str(site), "--no-pdf", "--no-xbrl"]) == 2
    assert "report.html" in capsys.readouterr().err
    assert (site / "report.html").read_text() == "another tool's report"


def _output_of_an_earlier_version(folder: Path, *names: str) -> Path:
    """An output folder as builds before the manifest left it: their marker and their files."""
    out = folder / "output"
    out.mkdir()
    (out / ".build-report").write_text("This folder is written by build-report, which replaces it at each build.\n")
    for name in names:
        (out / name).write_text("old")
    return out


def test_an_output_folder_of_an_earlier_version_is_still_ours(hostile_copy):
    out = _output_of_an_earlier_version(hostile_copy, "report.html", "viewer.html")
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".build-report.json", "report.html"]


def test_in_a_folder_of_an_earlier_version_a_name_it_never_wrote_is_not_ours(hostile_copy, capsys):
    """Such a build wrote no edition of a language: report.zh-Hant.pdf there is someone's."""
    out = _output_of_an_earlier_version(hostile_copy, "report.html")
    (out / "report.zh-Hant.pdf").write_text("a translator's own draft")
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 2
    assert "report.zh-Hant.pdf" in capsys.readouterr().err
    assert (out / "report.zh-Hant.pdf").read_text() == "a translator's own draft"


def test_the_same_output_folder_builds_again_and_again(hostile_copy):
    first = _built(hostile_copy)
    assert _built(hostile_copy) == first
    manifest = json.loads(first[".build-report.json"])["files"]
    assert sorted(manifest) == sorted(name for name in first if name != ".build-report.json")


# --- 3. a killed build leaves nothing behind ----------------------------------------------


def _children(pid: int) -> list[int]:
    """Its children and theirs (a layout worker is forked by a preloader, the build's child)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, ancestors = [], {pid}
    while True:
        more = [child for child, parent in parents.items() if parent in ancestors and child not in found]
        if not more:
            return found
        found += more
        ancestors.update(more)


def _alive(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


def _start_build(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "builder", str(yaml_of(folder)), "--no-xbrl"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_layout(build: subprocess.Popen, folder: Path | None = None) -> list[int]:
    """The build's processes once the PDF layout has started: in the staging folder, when given
    (the documents are rendered, and the fonts checked, before it is made)."""
    for _ in range(1200):
        children = _children(build.pid)
        if children and (folder is None or list(folder.glob(".output.new-*"))):
            time.sleep(0.5)  # well inside the layout
            return _children(build.pid)
        time.sleep(0.05)
    raise AssertionError("the PDF layout did not start")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_a_killed_build_leaves_the_previous_output_and_no_process_or_folder(hostile_copy, signum, code):
    good = _built(hostile_copy, "--no-xbrl")
    build = _start_build(hostile_copy)
    children = _wait_for_layout(build, hostile_copy)
    build.send_signal(signum)
    _, err = build.communicate(timeout=60)
    assert build.returncode == code
    if signum != signal.SIGKILL:
        assert "interrupted" in err and "Traceback" not in err
    for _ in range(100):  # the layout process dies with its parent
        if not any(_alive(c) for c in children):
            break
        time.sleep(0.05)
    assert not any(_alive(c) for c in children), "the PDF layout process outlived the build"
    assert _tree(hostile_copy / "output") == good
    left = list(hostile_copy.glob(".output.*"))
    assert bool(left) == (signum == signal.SIGKILL), "only SIGKILL can leave its staging folder"
    # the next build clears what a killed one left, and builds
    assert _built(hostile_copy, "--no-xbrl") == good
    assert not list(hostile_copy.glob(".output.*"))


@pytest.mark.parametrize("signum, to, when", [
    (signal.SIGINT, "the terminal's group", "importing"),  # the batch importing what its builds will use
    (signal.SIGINT, "the terminal's group", "laying out"),  # every build laying out its PDF
    (signal.SIGTERM, "the batch alone", "laying out"),
    (signal.SIGHUP, "the terminal's group", "laying out"),
])
def test_a_stopped_batch_stops_its_builds_and_each_report_keeps_its_previous_output(tmp_path, signum, to, when):
    """Several reports built at once, each by a process forked from the batch: a stop reaches the
    batch (from a terminal, the whole of its process group; a SIGTERM, the batch alone), which
    passes it on to each build, once; each cleans up behind itself, and nothing outlives it."""
    reports = [tmp_path / name for name in ("first", "second")]
    for report in reports:
        shutil.copytree(EXAMPLES / "360digitech-2021", report, ignore=shutil.ignore_patterns("output"))
    batch = [sys.executable, "-m", "builder", *map(str, reports), "--no-xbrl", "--jobs", "2"]
    built = subprocess.run(batch, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    good = [_tree(report / "output") for report in reports]
    for report, output in zip(reports, good):  # each as a build of its own writes it
        alone = tmp_path / "alone" / report.name
        assert main([str(yaml_of(report)), "--no-xbrl", "--quiet", "-o", str(alone)]) == 0
        assert _tree(alone) == output and "report.pdf" in output
    folders = [(report / "output").stat().st_ino for report in reports]  # a build that ends puts a new one there

    printed = tmp_path / "printed.txt"
    with printed.open("w") as err:
        running = subprocess.Popen(batch, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err,
                                   start_new_session=True)  # its own process group, as a terminal gives it
    try:
        if when == "importing":
            time.sleep(0.5)  # the batch imports WeasyPrint, matplotlib and Arelle for a second or more
            assert not any(list(report.glob(".output.*")) for report in reports), "the builds had started"
        else:
            for _ in range(1200):
                if all(list(report.glob(".output.new-*")) for report in reports):
                    time.sleep(0.5)  # both builds rendered, each well inside its layout
                    break
                time.sleep(0.01)
            else:
                raise AssertionError("the batch's builds did not reach their layouts")
        (os.killpg if to == "the terminal's group" else os.kill)(running.pid, signum)
        running.wait(timeout=60)
    finally:
        for pid in _in_session(running.pid):  # a test that failed leaves nothing running
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    assert running.returncode == 128 + signum
    err = printed.read_text(encoding="utf-8")
    assert "interrupted" in err and "Traceback" not in err, err
    assert not _in_session(running.pid), "a process of the batch outlived it"
    for report, output, folder in zip(reports, good, folders):
        assert (report / "output").stat().st_ino == folder, "a build ran on to its end"
        assert _tree(report / "output") == output
        assert not list(report.glob(".output.*"))


# a shell, as far as job control goes: a session of its own, which starts the batch as a job (a
# process group of its own) and suspends it as Ctrl-Z does (SIGTSTP to the job), then continues it;
# it prints what it saw, as JSON
SHELL = """
import json, os, signal, subprocess, sys, time
from pathlib import Path
reports = [Path(r) for r in sys.argv[1:]]
folders = [(r / "output").stat().st_ino for r in reports]
job = subprocess.Popen([sys.executable, "-m", "builder", *map(str, reports), "--no-xbrl", "--jobs", "2", "-q"],
                       process_group=0, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(1200):
    if all(list(r.glob(".output.new-*")) for r in reports):
        break
    time.sleep(0.01)
os.kill(job.pid, signal.SIGTSTP)
time.sleep(0.5)
def states():
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == os.getsid(0) and int(stat.parent.name) != os.getpid() and fields[0] != "Z":
            found.append(fields[0])
    return found
suspended = states()
time.sleep(4)  # longer than the rest of a build
replaced = [(r / "output").stat().st_ino != f for r, f in zip(reports, folders)]
os.kill(job.pid, signal.SIGCONT)
print(json.dumps({"suspended": suspended, "replaced_meanwhile": replaced, "exit": job.wait(timeout=120),
                  "replaced_at_the_end": [(r / "output").stat().st_ino != f for r, f in zip(reports, folders)]}))
"""


def test_ctrl_z_suspends_a_batch_with_its_builds_and_they_go_on_together(tmp_path):
    reports = [tmp_path / name for name in ("first", "second")]
    for report in reports:
        shutil.copytree(EXAMPLES / "360digitech-2021", report, ignore=shutil.ignore_patterns("output"))
    assert main([*map(str, reports), "--no-xbrl", "--quiet"]) == 0
    shell = subprocess.run([sys.executable, "-c", SHELL, *map(str, reports)], cwd=ROOT, capture_output=True,
                           text=True, timeout=300, start_new_session=True)
    seen = json.loads(shell.stdout)
    assert seen["suspended"] and set(seen["suspended"]) == {"T"}, seen  # the batch, its builds, their workers
    assert seen["replaced_meanwhile"] == [False, False]
    assert seen["exit"] == 0 and seen["replaced_at_the_end"] == [True, True]


def _in_session(session: int) -> list[int]:
    """The live processes of a session (started with start_new_session), whatever their group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


def test_a_swap_killed_halfway_has_the_previous_output_put_back(hostile_copy):
    from builder.write import remove_stale

    good = _built(hostile_copy)
    out = hostile_copy / "output"
    out.rename(hostile_copy / ".output.old-999999-0123abcd")  # as a build killed between the renames leaves it
    (hostile_copy / ".output.old-1-mine").mkdir()  # not ours (no manifest): left alone
    remove_stale(out)
    assert _tree(out) == good
    assert (hostile_copy / ".output.old-1-mine").is_dir()


# --- 7. every written file is whole -----------------------------------------------------


@pytest.mark.parametrize("limit", [20_000, 100_000, 400_000, 800_000])
def test_a_write_that_fails_keeps_the_previous_output(hostile_copy, limit):
    """RLIMIT_FSIZE makes every write past `limit` bytes fail, as a full disk does."""
    good = _tree(hostile_copy / "output") if (hostile_copy / "output").exists() else _built(hostile_copy, "--no-pdf")

    def full_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run([sys.executable, "-m", "builder", str(yaml_of(hostile_copy)), "--no-pdf"], cwd=ROOT,
                         capture_output=True, text=True, preexec_fn=full_disk, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert "the previous output is kept" in run.stderr
    assert _tree(hostile_copy / "output") == good
    assert not list(hostile_copy.glob(".output.*"))


# --- 4. bounded resources -----------------------------------------------------------------


def _camera_photo(path: Path) -> None:
    """A photo as a phone takes it: 6000 × 4000 pixels of detail, over 8 MB as a JPEG."""
    from PIL import Image, ImageChops

    from .test_images import noise

    size = (6000, 4000)
    gradient = Image.linear_gradient("L").resize(size)
    scene = Image.merge("RGB", (gradient, gradient.rotate(180), Image.new("L", size, 128)))
    ImageChops.add(scene, noise(size, shift=4)).save(path, quality=98)
    assert path.stat().st_size > 8 * 1024 * 1024


def test_a_report_full_of_site_photos_builds_with_them_embedded_small(hostile_copy):
    photos = hostile_copy / "images"
    photos.mkdir()
    _camera_photo(photos / "site.jpg")
    (photos / "站點.jpg").write_bytes((photos / "site.jpg").read_bytes())  # a name that is not ASCII
    append_markdown("\n![The Shanghai site](images/site.jpg)\n\n![The site again](images/站點.jpg)\n")(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-json", "--no-viewer", "--no-pdf"]) == 0
    html = (hostile_copy / "output" / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/jpeg;base64,") == 2
    assert (hostile_copy / "output" / "report.xhtml").stat().st_size < 8 * 1024 * 1024


@pytest.mark.parametrize("name, content, message", [
    ("bomb.png", None, "has more than 80,000,000 pixels"),
    ("text.jpg", b"GIF89a not really", "is not a JPEG image"),
    ("photo.png", "jpeg", "is a JPEG image but its name ends in .png"),
])
def test_an_image_that_is_not_usable_is_refused_with_its_place(hostile_copy, capsys, name, content, message):
    from .test_images import png_header_only

    target = hostile_copy / name
    if content is None:
        png_header_only(target, 20_000, 20_000)
    elif content == "jpeg":
        from PIL import Image

        Image.new("RGB", (10, 10)).save(target, "JPEG")
    else:
        target.write_bytes(content)
    append_markdown(f"\n![An image]({name})\n")(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    assert "narrative/climate.md:" in err and message in err


def test_a_template_that_never_ends_is_stopped(hostile_copy, capsys, monkeypatch):
    import builder.render

    monkeypatch.setattr(builder.render, "RENDER_SECONDS", 3)  # the limit, made short for the test
    monkeypatch.setattr(builder.render, "CHART_IMPORT_SECONDS", 0)  # (the example's charts get no more)
    monkeypatch.setattr(builder.render, "CHART_SECONDS", 0)
    template("board.html", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")(
        hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 2
    assert "took more than 3 seconds and was stopped: does a template loop" in capsys.readouterr().err
    assert not (hostile_copy / "output").exists()


# --- odd but valid input builds -----------------------------------------------------------


@pytest.mark.parametrize("name, spoil, shown", [
    ("extreme-change", replace("values: {2021: 93600.00}", "values: {2020: 0.0000000001, 2021: 999999999999999}"),
     "999,999,999,999,999"),
    ("zero-with-a-huge-exponent", replace("values: {2021: 0.12}", "values: {2021: 0.0e+99999}"), "Hazardous waste"),
    ("figure-quoted-in-a-footnote", replace("  packaging: >-", '  packaging: "Water used: {{water_consumption | 2021}}."'
                                            "\n  unused: >-"), "Water used: <span class=\"figure\">93,600.00"),
    ("template-linked-inside-the-folder", lambda f: template("mine.html", "<p>Our own cover</p>")(f)
     or (f / "templates" / "cover.html").symlink_to(f / "templates" / "mine.html"), "<p>Our own cover</p>"),
    ("list-starting-at-zero", append_markdown("\n0. zero\n1. one\n\n7. seven\n"), "<ol start=\"0\">"),
    ("supplementary-characters", replace("        title: Climate change", "        title: Climate change 🌏 𠀀"),
     "Climate change 🌏 𠀀"),
])
def test_odd_but_valid_input_builds(hostile_copy, capsys, name, spoil, shown):
    spoil(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-json", "--no-viewer"]) == 0, capsys.readouterr().err
    html = (hostile_copy / "output" / "report.html").read_text(encoding="utf-8")
    assert shown in html and len(html) < 1024 * 1024


def test_a_forged_manifest_cannot_make_a_build_delete_anything(hostile_copy, capsys):
    import hashlib

    _built(hostile_copy)
    out = hostile_copy / "output"
    victim = hostile_copy.parent / "secret.txt"
    (out / "notes.txt").write_text("mine")
    manifest = json.loads((out / ".build-report.json").read_text())
    for name, file in (("../company.yaml", yaml_of(hostile_copy)), (str(victim), victim),
                       ("notes.txt", out / "notes.txt")):
        manifest["files"][name] = hashlib.sha256(file.read_bytes()).hexdigest()
    (out / ".build-report.json").write_text(json.dumps(manifest))
    before = _tree(out)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-json", "--no-viewer"]) == 2
    assert "did not write" in capsys.readouterr().err
    assert yaml_of(hostile_copy).is_file() and victim.is_file() and _tree(out) == before


def test_folders_that_look_like_a_builds_are_left_alone(hostile_copy):
    good = _built(hostile_copy)
    backup = hostile_copy / ".output.old-mybackup"
    shutil.copytree(hostile_copy / "output", backup)
    (backup / "notes.txt").write_text("notes")
    mine = hostile_copy / ".output.new-mine"
    mine.mkdir()
    (mine / ".build-report-staging").write_text("")
    (mine / "precious.txt").write_text("precious")
    lookalike = hostile_copy / ".output.new-123-0123abcd"  # our very name, and a file of the user's in it
    lookalike.mkdir()
    (lookalike / ".build-report-staging").write_text("")
    (lookalike / "precious.txt").write_text("precious")
    assert _built(hostile_copy) == good
    assert _tree(backup) == {**good, "notes.txt": b"notes"}
    assert (mine / "precious.txt").read_text() == "precious"
    assert (lookalike / "precious.txt").read_text() == "precious"


def test_many_site_photos_are_checked_and_shrunk_once(hostile_copy):
    from PIL import Image

    photos = hostile_copy / "photos"
    photos.mkdir()
    markdown = ""
    for i in range(70):
        Image.linear_gradient("L").resize((3000, 2000)).convert("RGB").save(photos / f"site-{i}.jpg", quality=90)
        markdown += f"\n![Site {i}](photos/site-{i}.jpg)\n"
    append_markdown(markdown)(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-json", "--no-viewer"]) == 0
    html = (hostile_copy / "output" / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/jpeg;base64,") == 70


def test_more_image_files_than_a_report_shows_are_refused(hostile_copy, capsys):
    from PIL import Image

    markdown = ""
    for i in range(101):
        Image.new("RGB", (4, 4)).save(hostile_copy / f"i{i}.png")
        markdown += f"![Image {i}](i{i}.png) "
    append_markdown("\n" + markdown + "\n")(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 2
    assert "the report shows 101 image files; at most 100" in capsys.readouterr().err


def test_printing_the_taggers_or_the_text_function_shows_no_input(hostile_copy):
    template("board.html", "<p>{{ tags }} {{ text }}</p>")(hostile_copy)
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl"]) == 0
    html = (hostile_copy / "output" / "report.html").read_text(encoding="utf-8")
    assert "PosixPath" not in html and str(hostile_copy) not in html


@pytest.mark.parametrize("target", ["company.yaml", "narrative/climate.md"])
def test_check_never_writes_its_json_over_an_input(hostile_copy, capsys, target):
    before = (hostile_copy / target).read_bytes()
    assert main(["check", str(yaml_of(hostile_copy)), "--json", str(hostile_copy / target)]) == 2
    assert "is a file the report reads" in capsys.readouterr().err
    assert (hostile_copy / target).read_bytes() == before


def test_a_yaml_that_never_ends_is_refused_at_its_limit(capsys):
    assert main(["check", "/dev/zero"]) == 2
    assert "the file is larger than 5 MB" in capsys.readouterr().err


def test_the_output_folder_is_not_inside_templates(hostile_copy, capsys):
    template("cover.html", "<p>Ours</p>")(hostile_copy)
    out = hostile_copy / "templates" / "out"
    assert main([str(yaml_of(hostile_copy)), "--no-pdf", "--no-xbrl", "-o", str(out)]) == 2
    assert "is inside templates/, which the build reads" in capsys.readouterr().err
    assert not out.exists()
