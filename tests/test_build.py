"""The build as a user runs it: outputs, golden HTML, atomic writes, the input left untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.cli import main

from .conftest import EXAMPLE_NAMES, edit, output_of

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_html_matches_the_golden_file(built, name):
    """Refresh with `make golden` after an intended change, and review the diff. A report of
    several languages has a golden file per edition."""
    for edition in built(name).editions():
        html_file = edition / "report.html"
        html = html_file.read_text(encoding="utf-8")
        golden = GOLDEN / name / html_file.name
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(html, encoding="utf-8")
        assert golden.is_file(), "no golden file: run `make golden`"
        assert html == golden.read_text(encoding="utf-8"), f"{html_file.name} differs from {golden}; run `make golden` if intended"
    if UPDATE:  # a file of an edition the example no longer has
        kept = {(e / "report.html").name for e in built(name).editions()}
        for stale in (GOLDEN / name).glob("report*.html"):
            if stale.name not in kept:
                stale.unlink()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_html_is_self_contained_and_accessible(built, name):
    for edition in built(name).editions():
        _self_contained_and_accessible((edition / "report.html").read_text(encoding="utf-8"), edition.language or "en")


def _self_contained_and_accessible(html: str, language: str) -> None:
    assert f'<html lang="{language}">' in html
    assert "<link " not in html and "<script" not in html
    assert 'src="http' not in html and "src=\"/" not in html, "images are embedded"
    assert "<th scope=\"col\"" in html and "<th scope=\"row\"" in html
    for tag in ("<img ",):
        for piece in html.split(tag)[1:]:
            assert "alt=" in piece.split(">")[0], "every image has alt text"
    # headings never skip a level
    import re

    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", html)]
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"h{before} followed by h{after}"


VNU = Path(__file__).resolve().parent.parent / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_html_is_valid_for_the_nu_html_checker(built):
    assert VNU.is_file(), "the Nu Html Checker is installed by `make setup`"
    files = [str(edition / "report.html") for name in EXAMPLE_NAMES for edition in built(name).editions()]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "text", *files],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr or result.stdout


def test_html_passes_axe_in_chromium(built):
    """axe-core's WCAG 2 A/AA and best-practice rules, in headless Chromium."""
    tools = Path(__file__).resolve().parent.parent / ".tools" / "node_modules"
    assert (tools / "axe-core").is_dir() and shutil.which("chromium"), "axe-core and Chromium come with `make setup`"
    for name, edition in [(name, edition) for name in EXAMPLE_NAMES for edition in built(name).editions()]:
        result = subprocess.run(
            ["node", str(Path(__file__).parent / "tools" / "axe.js"), str(edition / "report.html")],
            capture_output=True, text=True, timeout=300, env=os.environ | {"NODE_PATH": str(tools)},
        )
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["passes"] > 20
        assert report["violations"] == [], f"{name}: {report['violations']}"


def test_cli_builds_into_output_beside_the_yaml(example_copy, capsys, monkeypatch):
    folder = example_copy("360digitech-2021")
    monkeypatch.chdir(folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert main(["company.yaml", "--no-pdf"]) == 0
    assert f"wrote {folder / 'output' / 'report.html'}" in capsys.readouterr().out
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and "output" not in p.parts}
    assert after == before, "the input is never modified"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_failed_build_leaves_the_previous_output_as_it_was(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    assert main([str(yaml_file), "--no-pdf"]) == 0
    good = _hashes(folder / "output")

    # a broken template override fails the build halfway, after loading succeeded
    (folder / "templates").mkdir()
    (folder / "templates" / "board.html").write_text("{% if %}", encoding="utf-8")
    assert main([str(yaml_file), "--no-pdf"]) == 2
    assert "template syntax error" in capsys.readouterr().err
    assert _hashes(folder / "output") == good
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "company.yaml", "narrative", "output", "templates"]

    # bad input fails before anything is rendered
    (folder / "templates" / "board.html").unlink()
    edit(yaml_file, ("  financial_year: 2021\n", "  financial_year: twenty\n"))
    assert main([str(yaml_file), "--no-pdf"]) == 2
    assert _hashes(folder / "output") == good


def test_a_template_override_replaces_the_built_in_one(example_copy):
    folder = example_copy("360digitech-2021")
    (folder / "templates").mkdir()
    (folder / "templates" / "board.html").write_text(
        '<section class="chapter" id="board-statement"><h1>Statement of the Board</h1>'
        "{{ text(d.board_statement.oversight) | markdown }}</section>",
        encoding="utf-8",
    )
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert "<h1>Statement of the Board</h1>" in html
    assert "ESG management approach and strategy" not in html.split('id="board-statement"')[1].split("</section>")[0]


def test_built_in_templates_are_kept_compiled_and_a_reports_own_are_not(example_copy, tmp_path, monkeypatch):
    """The built-in templates, compiled once, are kept in the user's cache folder and used by the
    next build, which compiles none of them: they render the same report. A report's own
    template is compiled in memory and never written anywhere; a damaged file kept is compiled
    again; a cache folder that cannot be written is no error."""
    import jinja2

    from builder import render
    from builder.check import run_checks
    from builder.compute import compute
    from builder.ids import TEMPLATES_DIR
    from builder.load import load

    folder = example_copy("360digitech-2021")
    (folder / "templates").mkdir()
    (folder / "templates" / "board.html").write_text('<section class="chapter" id="board-statement"></section>',
                                                    encoding="utf-8")
    loaded = load(folder / "company.yaml")
    view = compute(loaded, run_checks(loaded))
    for charts in view.charts.values():
        for chart in charts:
            chart._uri = "data:image/svg+xml;base64,AAAA"  # drawn elsewhere; not what this is about
    compiled: list[str] = []
    compile_template = render.ReportSandbox.compile
    monkeypatch.setattr(render.ReportSandbox, "compile",
                        lambda env, source, name=None, *a, **k: compiled.append(name) or compile_template(
                            env, source, name, *a, **k))

    def rendered(cache: Path) -> str:  # as a new process renders: nothing compiled in memory yet
        monkeypatch.setattr(render, "COMPILED", render.CompiledTemplates(cache))
        compiled.clear()
        return render.render_html(loaded, view)

    cache = tmp_path / "cache"
    first = rendered(cache)
    built_in = {render.COMPILED.get_cache_key(name, str(TEMPLATES_DIR / name))
                for name in compiled if name != "board.html"}
    assert "board.html" in compiled and len(built_in) > 5
    assert {file.name for file in cache.iterdir()} == built_in  # the report's own is not kept
    assert rendered(cache) == first and compiled == ["board.html"]
    damaged = sorted(cache.iterdir())[0]
    damaged.write_bytes(b"\x00not what was kept")
    assert rendered(cache) == first and len(compiled) == 2  # that one compiled again, and kept again
    assert damaged.read_bytes().startswith(jinja2.bccache.bc_magic)
    unwritable = tmp_path / "a-file"
    unwritable.write_text("not a folder", encoding="utf-8")
    assert rendered(unwritable / "cache") == first and len(compiled) > 5


def test_markdown_cannot_inject_html(example_copy):
    folder = example_copy("360digitech-2021")
    (folder / "narrative" / "climate.md").write_text(
        "Text <script>alert(1)</script> and [a link](javascript:alert(1)) and <b onclick=x>bold</b>.\n",
        encoding="utf-8",
    )
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and 'href="javascript:' not in html and "<b onclick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_output_folder_never_replaces_what_is_not_ours(example_copy, tmp_path, capsys):
    folder = example_copy("360digitech-2021")
    before = sorted(p.name for p in folder.iterdir())
    # the report's own folder, or a folder above it
    assert main([str(folder / "company.yaml"), "-o", str(folder), "--no-pdf", "--no-xbrl"]) == 2
    assert "holds the report's own files" in capsys.readouterr().err
    assert main([str(folder / "company.yaml"), "-o", str(folder.parent), "--no-pdf", "--no-xbrl"]) == 2
    # a folder with other files in it
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "notes.txt").write_text("mine", encoding="utf-8")
    assert main([str(folder / "company.yaml"), "-o", str(drafts), "--no-pdf", "--no-xbrl"]) == 2
    assert "holds files that build-report did not write" in capsys.readouterr().err
    assert (drafts / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == before
    # a new folder, then the same folder again: it is ours now
    out = tmp_path / "new" / "out"
    assert main([str(folder / "company.yaml"), "-o", str(out), "--no-pdf", "--no-xbrl"]) == 0
    assert main([str(folder / "company.yaml"), "-o", str(out), "--no-pdf", "--no-xbrl"]) == 0
    assert (out / "report.html").is_file()


def test_plain_build_report_builds_company_yaml_here(example_copy, monkeypatch, capsys):
    folder = example_copy("360digitech-2021")
    monkeypatch.chdir(folder)
    assert main(["--no-pdf", "--no-xbrl"]) == 0
    assert (output_of(folder) / "report.html").is_file()
    assert main(["shema"]) == 2
    assert "no command 'shema'; did you mean 'schema'?" in capsys.readouterr().err


def test_markdown_images_are_embedded_and_checked(example_copy, capsys):
    folder = example_copy("harbourline-2025")
    energy = folder / "narrative" / "energy.md"
    energy.write_text(energy.read_text(encoding="utf-8") + "\n![Rooftop solar at Dongguan](images/cover.svg)\n",
                      encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert '<img src="data:image/svg+xml;base64,' in html and 'alt="Rooftop solar at Dongguan"' in html
    energy.write_text("![](images/missing.png)\n\n![Logo](https://example.com/logo.png)\n", encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    assert f"{energy}:1:1: the image 'images/missing.png' needs a description" in err
    assert f"{energy}:1:1: no image file 'images/missing.png'" in err
    assert f"{energy}:3:1: the image 'https://example.com/logo.png' must be a file in the report's folder" in err


def test_three_builds_of_the_complete_example_are_identical(built, tmp_path):
    first = built("harbourline-2025")
    hashes = [_hashes(first)]
    for i in range(2):
        out = tmp_path / f"build-{i}"
        from builder.build import build

        build(Path(__file__).resolve().parent.parent / "examples" / "harbourline-2025" / "company.yaml", out)
        hashes.append(_hashes(out))
    assert hashes[0] == hashes[1] == hashes[2]
    assert {f"{stem}.{code}.{suffix}" for code in ("en", "zh-Hant") for stem, suffix in
            [("report", "html"), ("report", "pdf"), ("report", "xhtml"), ("report", "json"), ("report", "xbri"),
             ("validation", "json"), ("viewer", "html")]} <= set(hashes[0])


def test_stakeholders_and_materiality_go_in_as_the_report_presents_them(example_copy):
    """Key concerns are optional (no empty column); topics may be ranked by tier instead of scores."""
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    text = re.sub(r"\n      concerns: \[[^\]]*\]", "", text)
    text = re.sub(r"importance_to_stakeholders: [0-9.]+, importance_to_business: ([0-9.]+)",
                  lambda m: "tier: " + ("highly material" if float(m.group(1)) > 4.5 else "material"), text)
    yaml_file.write_text(text, encoding="utf-8")
    assert main([str(yaml_file), "--no-pdf"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    engagement = html.split('id="stakeholder-engagement"')[1].split("</table>")[0]
    assert "Key concerns" not in engagement and "Channels of engagement" in engagement
    materiality = html.split('id="materiality-assessment"')[1].split("</table>")[0]
    assert "<th scope=\"col\">Materiality</th>" in materiality and "Importance to" not in materiality
    assert "<td>highly material</td>" in materiality and "scores out of 5" not in materiality


def test_a_topic_with_one_score_is_refused(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("importance_to_stakeholders: 3.6, importance_to_business: 3.4",
                                   "importance_to_stakeholders: 3.6"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 2
    assert "give both importance_to_stakeholders and importance_to_business, or neither" in capsys.readouterr().err


def test_each_data_table_shows_the_years_it_has_figures_for(example_copy):
    """One table of three years (B2.1's fatalities) gives no other table columns of dashes."""
    from lxml import html as lxml_html

    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("  lost_days:", "  work_fatalities:\n    unit: persons\n"
                                   "    values: {2021: 0, 2020: 0, 2019: 0}\n  lost_days:"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 0
    document = lxml_html.fromstring((output_of(folder) / "report.html").read_bytes())
    tables = document.xpath('//table[contains(@class, "kpi")]')
    columns = {}
    for table in tables:
        header = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
        caption = table.xpath("./caption")[0].text_content()
        columns[caption] = [text for text in header if re.fullmatch(r"\d{4}", text)]
        for column in (i for i, text in enumerate(header) if re.fullmatch(r"\d{4}", text)):
            cells = [row.xpath("./td|./th")[column].text_content() for row in table.xpath("./tbody/tr")
                     if len(row.xpath("./td|./th")) == len(header)]
            assert any(c.strip() not in ("", "–") for c in cells), f"{header[column]} has no figure in {caption!r}"
    health = next(c for c in columns if "B2" in c)
    assert columns[health] == ["2021", "2020", "2019"] and all(v == ["2021"] for c, v in columns.items() if c != health)
