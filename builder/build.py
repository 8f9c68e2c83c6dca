"""The pipeline, start to end: load, compute, render, tag, validate, write."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .check import ERROR, Finding, run_checks
from .compute import compute
from .errors import ChecksFailed, ValidationFailed
from .load import load
from .render import render_html, render_pdf
from .tag import Tagger, to_xhtml11
from .validate import validate_report
from .write import check_output_folder, staged_output, write_file

DEFAULT_OUTPUT = "output"


@dataclass
class BuildResult:
    out_dir: Path
    files: list[str]
    facts: int = 0


def build(company_yaml: Path, out_dir: Path | None = None, *, pdf: bool = True, xbrl: bool = True,
          oim: bool = True, viewer: bool = True, strict: bool = False,
          warn: Callable[[Finding], None] = lambda finding: None) -> BuildResult:
    loaded = load(company_yaml)
    findings = run_checks(loaded)
    failing = [f for f in findings if f.severity == ERROR or strict]
    if failing:
        raise ChecksFailed(failing, strict)
    for finding in findings:
        warn(finding)
    view = compute(loaded, findings)
    html = render_html(loaded, view)
    out_dir = out_dir if out_dir is not None else loaded.folder / DEFAULT_OUTPUT
    check_output_folder(out_dir, loaded.folder)
    facts = 0
    with staged_output(out_dir) as stage:
        write_file(stage, "report.html", html)
        if xbrl:
            tagger = Tagger(loaded, enabled=True)
            xhtml = write_file(stage, "report.xhtml", to_xhtml11(render_html(loaded, view, tagger=tagger)))
            checked = validate_report(xhtml, tagger, oim=stage / "report.json" if oim else None,
                                      viewer=stage / "viewer.html" if viewer else None)
            if checked.failed:
                raise ValidationFailed(checked.problems, checked.result.summary())
            if oim:
                _canonical_json(stage / "report.json")
            write_file(stage, "validation.json", json.dumps(checked.as_json(), indent=2, ensure_ascii=False) + "\n")
            write_file(stage, "validation.txt", checked.as_text())
            facts = checked.facts
        if pdf:
            write_file(stage, "report.pdf", render_pdf(render_html(loaded, view, for_print=True), loaded))
        files = sorted(p.name for p in stage.iterdir())
    return BuildResult(out_dir.resolve(), files, facts)


def _canonical_json(path: Path) -> None:
    """Arelle writes the facts in an order that varies between runs; sorted, the file is reproducible."""
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
