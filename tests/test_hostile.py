"""Hostile and malformed input: a clear error with its place, nothing written, nothing read
outside the report's folder and the builder's own files, and no traceback.

Each case starts from a copy of the 360 DigiTech example, spoils it in one way, runs the
command line as a user would, and asserts the exit code, the message, that the output folder
was not written (for a refused input) and that neither the planted secret beside the report's
folder nor /etc/passwd was opened (an audit hook sees every file Python opens).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from builder.cli import main

from .conftest import edit

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


def test_a_template_cannot_attach_or_fetch_files_into_the_pdf(hostile_copy):
    template("cover.html", '<link rel="attachment" href="file:///etc/passwd"><img src="file:///etc/passwd" alt="x">'
             '<img src="http://127.0.0.1:9/x.png" alt="y"><p>Cover</p>')(hostile_copy)
    OPENED.clear()
    assert main([str(yaml_of(hostile_copy)), "--no-xbrl"]) == 0
    pdf = (hostile_copy / "output" / "report.pdf").read_bytes()
    assert b"/EmbeddedFile" not in pdf and b"root:" not in pdf
    assert "/etc/passwd" not in OPENED
