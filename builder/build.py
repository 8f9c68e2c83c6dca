"""The pipeline, start to end: load, compute, render, tag, validate, write."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bounded import Worker
from .charts import has_charts
from .check import ERROR, Finding, run_checks
from .compute import compute
from .archive import Attachment, with_attachments
from .errors import ChecksFailed, UsageError, ValidationFailed, WriteError
from .extension import extension_files
from .glyphs import lacking_in, lacking_in_images, refuse_lacking
from .load import Loaded, load
from .render import (Documents, Rendering, documents_of, pdf_of, print_html_of, send_charts, start_pdf,
                     start_render)
from .package import NAME as PACKAGE_NAME, report_package, top_folder
from .progress import Progress
from .validate import PendingValidation, package_validation_of, start_package_validation, viewer_script_copied
from .workers import Workers
from .write import check_output_folder, edition_name, staged_output

DEFAULT_OUTPUT = "output"


@dataclass
class BuildResult:
    out_dir: Path
    files: list[str]
    facts: int = 0
    validated: list[tuple[str, int, str]] = field(default_factory=list)  # (language, facts, package) per edition


def build(company_yaml: Path, out_dir: Path | None = None, *, pdf: bool = True, xbrl: bool = True,
          oim: bool = True, viewer: bool = True, strict: bool = False, archival: bool = False,
          warn: Callable[[Finding], None] = lambda finding: None, progress: Progress = Progress(),
          workers: Workers | None = None) -> BuildResult:
    """Build the report into out_dir. The PDF is tagged (PDF/UA-1); archival (or the YAML's
    report.archival) makes it PDF/A-3a carrying each edition's inline XBRL report and xBRL-JSON,
    which it needs built. workers: started by the command as it started, Workers(layout=pdf,
    validation=xbrl); the build stops them as it ends (without, it starts its own)."""
    if archival and not (pdf and xbrl):
        raise UsageError("an archival PDF carries the inline XBRL report: build it with the PDF and the "
                         "inline XBRL (without --no-pdf or --no-xbrl)")
    if workers is not None and workers.outputs != (pdf, xbrl):  # a bug of ours: the CLI says so
        raise ValueError("the workers were started for a build with other outputs")
    # the processes that draw the charts, lay out the PDFs and validate, importing matplotlib,
    # WeasyPrint and Arelle while the report is loaded, checked and rendered
    with workers if workers is not None else Workers(layout=pdf, validation=xbrl) as workers:
        with progress.stage("load"):
            loaded = load(company_yaml)
        if loaded.data.report.archival and pdf:
            if not xbrl:
                raise UsageError(f"{loaded.source.file.name} asks for an archival PDF (report.archival), which "
                                 "carries the inline XBRL report: build without --no-xbrl, or with --no-pdf")
            archival = True
        workers.prepare(len(loaded.languages), charts=has_charts(loaded))
        with progress.stage("checks"):
            findings = run_checks(loaded)
        failing = [f for f in findings if f.severity == ERROR or strict]
        if failing:
            raise ChecksFailed(failing, strict)
        for finding in findings:
            warn(finding)
        out_dir = out_dir if out_dir is not None else loaded.folder / DEFAULT_OUTPUT
        check_output_folder(out_dir, loaded.folder, loaded.input_files())
        with progress.stage("HTML" + (" and inline XBRL" if xbrl else "")):
            renderings = _start_renderings(loaded, findings, xbrl=xbrl, pdf=pdf, chart_workers=workers.charts)
            try:
                # each edition's PDF is laid out from the moment its print HTML is rendered, while its
                # other documents are rendered and then validated by Arelle, each in its own process
                layouts = _start_layouts(loaded, renderings, workers.layout, archival=archival) if pdf else []
                pdf_started = time.perf_counter()
                editions = [_Edition(rendering.loaded, documents_of(rendering)) for rendering in renderings]
            finally:  # one that failed stops the others
                for rendering in renderings:
                    rendering.stop()
        with staged_output(out_dir) as stage:
            with progress.stage("validation (Arelle)" if xbrl else "writing"):
                validated = _write_and_validate(stage, loaded, editions, workers.validation, xbrl=xbrl, oim=oim,
                                                viewer=viewer)
            if layouts:
                with progress.stage("PDF", since=pdf_started):  # laid out beside the validation
                    _write_pdfs(stage, editions, layouts, archival=archival, oim=oim)
            files = stage.outputs
    return BuildResult(out_dir.resolve(), files, validated[0][1] if validated else 0, validated)


@dataclass
class _Edition:
    """The report in one of its languages, rendered."""

    loaded: Loaded  # the input with its text in the language
    documents: Documents

    def name(self, file: str) -> str:
        return edition_name(file, self.loaded.language, self.loaded.languages)


def _start_renderings(loaded: Loaded, findings: list[Finding], *, xbrl: bool, pdf: bool,
                      chart_workers: list[Worker]) -> list[Rendering]:
    """Each edition's documents, rendered side by side in their child processes."""
    in_languages = [loaded.in_language(code) for code in loaded.languages]
    views = [compute(edition, findings, language=edition.language) for edition in in_languages]
    return [start_render(edition, view, xbrl=xbrl, pdf=pdf, chart_worker=worker)
            for edition, view, worker in zip(in_languages, views, chart_workers or [None] * len(views))]


def _start_layouts(loaded: Loaded, renderings: list[Rendering], workers: list[Worker], *, archival: bool) -> list:
    """Each edition's PDF layout, started as soon as its print HTML is there, and given its charts
    once they are drawn (WeasyPrint needs them only once it has computed the styles). A text with
    characters no font has (it would print boxes) stops the build, naming them for every edition at
    once; it is looked for once the layouts have started (a twentieth of a small report's build,
    which the layouts no longer wait for), and the build's failure stops them."""
    layouts = [start_pdf(print_html_of(rendering), rendering.loaded, archival=archival, worker=worker,
                         charts_later=True) for rendering, worker in zip(renderings, workers)]
    lacking = {}  # the characters, in order of first use
    for rendering in renderings:
        lacking.update(dict.fromkeys(lacking_in(print_html_of(rendering))))
    refuse_lacking(list(lacking), loaded)
    for layout, rendering in zip(layouts, renderings):
        lacking.update(dict.fromkeys(lacking_in_images(send_charts(layout, rendering))))
    refuse_lacking(list(lacking), loaded)
    return layouts


def _write_and_validate(stage, loaded: Loaded, editions: list[_Edition], workers: list[Worker], *, xbrl: bool,
                        oim: bool, viewer: bool) -> list[tuple[str, int, str]]:
    """Each edition's HTML, and its inline XBRL validated by Arelle, the editions side by side;
    (language, facts, package) of each valid one."""
    taxonomy = extension_files(loaded.taxonomy, loaded.edition) if xbrl else {}
    for name, content in taxonomy.items():
        stage.write(name, content)
    for edition in editions:
        stage.write(edition.name("report.html"), edition.documents.html)
    validations = [_start_validation(stage, edition, taxonomy, worker, oim=oim, viewer=viewer)
                   for edition, worker in zip(editions, workers)] if xbrl else []
    return [_finish_validation(stage, edition, pending, oim=oim, viewer=viewer)
            for edition, pending in zip(editions, validations)]


def _write_pdfs(stage, editions: list[_Edition], layouts: list, *, archival: bool, oim: bool) -> None:
    for edition, layout in zip(editions, layouts):
        laid_out = pdf_of(layout)
        if archival:  # its data exists only now that validation has written it
            laid_out = with_attachments(laid_out, _attachments(stage, edition, oim=oim),
                                        edition.loaded.data.report.published)
        stage.write(edition.name("report.pdf"), laid_out)


def _start_validation(stage, edition: _Edition, taxonomy: dict[str, bytes], worker: Worker, *, oim: bool,
                      viewer: bool) -> PendingValidation:
    """The edition's inline XBRL report and its report package written, and Arelle started on the
    package (which holds the report and its taxonomy as written beside it) in a child process,
    writing the xBRL-JSON and the viewer where asked."""
    loaded, documents, name = edition.loaded, edition.documents, edition.name
    stage.write(name("report.xhtml"), documents.xhtml)
    top = top_folder(loaded.data.company, loaded.data.report)
    if len(loaded.languages) > 1:
        top += f"-{loaded.language}"  # unpacked side by side, the two editions' packages stay apart
    package = stage.write(name(PACKAGE_NAME), report_package(top, name("report.xhtml"), documents.xhtml, taxonomy))
    return start_package_validation(package, name("report.xhtml"), loaded, documents.facts,
                                    stage.folder / name("report.json") if oim else None,
                                    stage.folder / name("viewer.html") if viewer else None, worker)


def _finish_validation(stage, edition: _Edition, pending: PendingValidation, *, oim: bool,
                       viewer: bool) -> tuple[str, int, str]:
    """Arelle's verdict on the edition, written; (language, facts, package) when it is valid."""
    name = edition.name
    checked = package_validation_of(pending)
    if checked.failed:
        raise ValidationFailed(checked.problems, checked.result.summary())
    if oim:
        stage.expect(name("report.json"), _is_json)
        stage.write(name("report.json"), _canonical_json(stage.folder / name("report.json")))
    if viewer:
        stage.expect(name("viewer.html"), _is_html)
        stage.expect("ixbrlviewer.js", viewer_script_copied)
    stage.write(name("validation.json"), json.dumps(checked.as_json(), indent=2, ensure_ascii=False) + "\n")
    stage.write(name("validation.txt"), checked.as_text())
    return edition.loaded.language, checked.facts, checked.file


def _attachments(stage, edition: _Edition, *, oim: bool) -> list[Attachment]:
    """The edition's machine-readable files as written, for the archival PDF to carry."""
    files = [(edition.name("report.xhtml"), "Inline XBRL report: this report with its figures tagged")]
    if oim:
        files.append((edition.name("report.json"), "The report's XBRL facts as xBRL-JSON"))
    return [Attachment(name, (stage.folder / name).read_bytes(), description) for name, description in files]


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
