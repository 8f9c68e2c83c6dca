"""The pipeline, start to end: load, compute, render, tag, validate, write."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .check import ERROR, Finding, run_checks
from .compute import compute
from .errors import ChecksFailed, ValidationFailed, WriteError
from .extension import extension_files
from .glyphs import check_print_document
from .load import load
from .render import render_documents, render_pdf
from .package import NAME as PACKAGE_NAME, report_package, top_folder
from .validate import validate_package, validate_report, viewer_script_copied
from .write import check_output_folder, staged_output

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
    out_dir = out_dir if out_dir is not None else loaded.folder / DEFAULT_OUTPUT
    check_output_folder(out_dir, loaded.folder, loaded.input_files())
    documents = render_documents(loaded, view, xbrl=xbrl, pdf=pdf)
    if pdf:
        check_print_document(documents.print_html, loaded)  # boxes for characters no font has: never
    facts = 0
    with staged_output(out_dir) as stage:
        stage.write("report.html", documents.html)
        if xbrl:
            taxonomy = extension_files(loaded.taxonomy, loaded.edition)
            for name, content in taxonomy.items():
                stage.write(name, content)
            xhtml = stage.write("report.xhtml", documents.xhtml)
            checked = validate_report(xhtml, loaded, documents.facts,
                                      oim=stage.expect("report.json", _is_json) if oim else None,
                                      viewer=stage.expect("viewer.html", _is_html) if viewer else None)
            if checked.failed:
                raise ValidationFailed(checked.problems, checked.result.summary())
            package = stage.write(PACKAGE_NAME, report_package(top_folder(loaded.data.company, loaded.data.report),
                                                               documents.xhtml, taxonomy))
            packaged = validate_package(package, loaded, documents.facts, checked.facts)
            if packaged.failed:
                raise ValidationFailed(packaged.problems, f"the report package: {packaged.result.summary()}")
            checked.package = packaged
            if oim:
                stage.write("report.json", _canonical_json(stage.folder / "report.json"))
            if viewer:
                stage.expect("ixbrlviewer.js", viewer_script_copied)
            stage.write("validation.json", json.dumps(checked.as_json(), indent=2, ensure_ascii=False) + "\n")
            stage.write("validation.txt", checked.as_text())
            facts = checked.facts
        if pdf:
            stage.write("report.pdf", render_pdf(documents.print_html, loaded))
        files = stage.outputs
    return BuildResult(out_dir.resolve(), files, facts)


def _canonical_json(path: Path) -> str:
    """Arelle writes the facts in an order that varies between runs; sorted, the file is
    reproducible. Arelle does not say when its write failed: a file that does not parse is
    one that was not written whole."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise WriteError(f"{path.name} was not written whole (is the disk full?); the previous output is kept") from None
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
        return True
    except (OSError, ValueError):
        return False


def _is_html(path: Path) -> bool:
    return path.read_bytes().rstrip().endswith(b"</html>")
