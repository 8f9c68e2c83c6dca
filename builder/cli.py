"""The command line: `build-report company.yaml`, `build-report schema`.

This is the only place where errors become exit codes: 0 ok, 1 the report fails, 2 bad input
or usage. A user never sees a traceback.
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import sys
from pathlib import Path

import click

from .bounded import STOPPING, cycles_left_for_later
from .errors import BatchFailed, BuildError, UsageError
from .progress import Progress



class _DefaultToBuild(click.Group):
    """`build-report company.yaml` means `build-report build company.yaml`."""

    def parse_args(self, ctx, args):
        # no command at all: build ./company.yaml
        if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
            args = ["build", *args]
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            close = difflib.get_close_matches(args[0], list(self.commands), n=1)
            if close and not Path(args[0]).exists() and not args[0].endswith((".yaml", ".yml")):
                raise click.UsageError(f"no command {args[0]!r}; did you mean {close[0]!r}?")
            args = ["build", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=_DefaultToBuild, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hkex-esg-report-builder")
def cli() -> None:
    """Build a listed company's HKEX ESG report from its company.yaml.

    \b
    build-report                       build ./company.yaml into ./output
    build-report company.yaml          build it into output/ beside the YAML
    build-report check company.yaml    run the integrity and completeness checks alone
    build-report serve                 preview the HTML in the browser, rebuilt on every save
    build-report collect               write the workbooks that collect the year's figures
    build-report import WORKBOOK...    read the filled workbooks' figures into company.yaml
    build-report schema                print the JSON Schema of company.yaml
    build-report taxonomy              regenerate the XBRL taxonomy
    """


@cli.command()
@click.argument("reports", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the outputs to (default: output/ beside the YAML).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster while drafting).")
@click.option("--no-xbrl", is_flag=True, help="Skip the inline XBRL report and its validation.")
@click.option("--no-json", is_flag=True, help="Skip the xBRL-JSON file.")
@click.option("--no-viewer", is_flag=True, help="Skip the interactive inline XBRL viewer.")
@click.option("--strict", is_flag=True, help="Fail on the checks' warnings too.")
@click.option("--archival", is_flag=True,
              help="Make the PDF archival (PDF/A-3a, tagged) with the inline XBRL report and xBRL-JSON attached.")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="With several reports: how many to build at once (default: the cores).")
def build(reports: tuple[Path, ...], out_dir: Path | None, no_pdf: bool, no_xbrl: bool, no_json: bool,
          no_viewer: bool, strict: bool, archival: bool, quiet: bool, jobs: int | None) -> None:
    """Build the report: HTML, PDF, inline XBRL validated by Arelle, xBRL-JSON and viewer.

    REPORTS are company.yaml files or the folders that hold them (default: ./company.yaml);
    several are built side by side, each into output/ beside its YAML, with a summary.
    The integrity and completeness checks run first: errors stop the build, warnings are
    printed (and stop it too with --strict)."""
    options = [flag for flag, on in (("--no-pdf", no_pdf), ("--no-xbrl", no_xbrl), ("--no-json", no_json),
                                     ("--no-viewer", no_viewer), ("--strict", strict),
                                     ("--archival", archival)) if on]
    if len(reports) > 1:
        if out_dir is not None:
            raise UsageError("-o/--output names one folder: with several reports, each is written beside its YAML")
        _build_many(list(reports), jobs, options, quiet)
        return
    _build_one(reports[0] if reports else Path("company.yaml"), out_dir, options, quiet)


def _build_one(company_yaml: Path, out_dir: Path | None, options: list[str], quiet: bool) -> None:
    from .workers import Workers

    pdf, xbrl = "--no-pdf" not in options, "--no-xbrl" not in options
    # started first, before the build's own modules are imported: they import WeasyPrint,
    # matplotlib and Arelle meanwhile, on the core that is otherwise idle
    with Workers(layout=pdf, validation=xbrl) as workers:
        from .batch import report_file
        from .build import build as run_build

        result = run_build(report_file(company_yaml), out_dir, pdf=pdf, xbrl=xbrl, oim="--no-json" not in options,
                           viewer="--no-viewer" not in options, strict="--strict" in options,
                           archival="--archival" in options, warn=lambda f: click.echo(str(f), err=True),
                           progress=_progress(quiet), workers=workers)
    for signum in STOPPING:  # the new report is in place: an interrupt now would only garble the summary
        signal.signal(signum, signal.SIG_IGN)
    if quiet:
        return
    for name in result.files:
        click.echo(f"wrote {result.out_dir / name}")
    for language, facts, package in result.validated:
        edition = f" ({language})" if len(result.validated) > 1 else ""
        click.echo(f"inline XBRL{edition}: {facts} facts, valid (Arelle: 0 errors, 0 warnings, 0 inconsistencies), "
                   f"validated in its report package, {package}")


def _build_many(reports: list[Path], jobs: int | None, options: list[str], quiet: bool) -> None:
    from .batch import build_many, default_jobs, report_file

    files = [report_file(report) for report in reports]
    missing = [str(file) for file in files if not file.is_file()]
    if missing:
        raise UsageError("no such report: " + ", ".join(missing))
    jobs = jobs or default_jobs()
    if not quiet:
        click.echo(f"building {len(files)} reports, {jobs} at a time", err=True)
    outcomes = build_many(files, jobs, options, fork=True, command=True,
                          done=(lambda o: None) if quiet else lambda o: click.echo(_outcome_line(o), err=True))
    failed = [o for o in outcomes if not o.ok]
    # what each build printed: a failed one's errors, a built one's warnings (a portfolio's
    # warnings are as much the preparer's business as a single report's)
    for outcome in [o for o in outcomes if o.printed]:
        click.echo(f"\n{outcome.report}:\n{outcome.printed}", err=True)
    if not quiet:  # quiet: the warnings and errors above, and the exit code
        width = max(len(str(o.report)) for o in outcomes)
        results = max(len("result"), *(len(_result(o)) for o in outcomes))
        click.echo(f"\n{'report':<{width}}  {'result':<{results}}  {'time':>8}")
        for o in outcomes:
            click.echo(f"{str(o.report):<{width}}  {_result(o):<{results}}  {o.seconds:6.1f} s")
        click.echo(f"{len(outcomes) - len(failed)} of {len(outcomes)} built")
    if failed:
        raise BatchFailed(2 if any(o.exit_code == 2 for o in failed) else 1,
                          f"{len(failed)} of {len(outcomes)} reports failed")


def _result(outcome) -> str:
    if outcome.ok:
        warnings = sum(" warning " in line for line in outcome.printed.splitlines())
        return f"ok ({warnings} warning{'s' * (warnings != 1)})" if warnings else "ok"
    meaning = {1: "failed checks", 2: "bad input"}.get(outcome.exit_code, "stopped")
    return f"{meaning} ({outcome.exit_code})"


def _outcome_line(outcome) -> str:
    return f"{_result(outcome)}: {outcome.report} ({outcome.seconds:.1f} s)"


class _PlainProgress(Progress):
    """A line per stage as it ends, for logs and pipes."""

    def finished(self, stage: str, seconds: float) -> None:
        click.echo(f"{stage}: {seconds:.1f} s", err=True)


class _TerminalProgress(Progress):
    """The running stage on a line of its own, replaced by its time when it ends."""

    def started(self, stage: str) -> None:
        click.echo(f"  {stage} …", err=True, nl=False)

    def finished(self, stage: str, seconds: float) -> None:
        click.echo(f"\r\x1b[K✓ {stage:<28} {seconds:6.1f} s", err=True)

    def stopped(self, stage: str) -> None:
        click.echo(f"\r\x1b[K✗ {stage}", err=True)  # the error follows on a line of its own


def _progress(quiet: bool) -> Progress:
    if quiet:
        return Progress()
    return _TerminalProgress() if sys.stderr.isatty() else _PlainProgress()


@cli.command()
@click.argument("company_yaml", type=click.Path(path_type=Path), default="company.yaml")
@click.option("--json", "json_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the result as JSON to this file.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def check(company_yaml: Path, json_file: Path | None, strict: bool) -> None:
    """Run the integrity and completeness checks alone, without rendering anything."""
    from .check import ERROR, run_checks
    from .compute import compute
    from .errors import ChecksFailed
    from .load import load

    from .batch import report_file

    company_yaml = report_file(company_yaml)  # a report's folder names its company.yaml, as for a build
    loaded = load(company_yaml)
    findings = run_checks(loaded)
    view = compute(loaded, findings)
    rows = [row for group in view.index for row in group.rows]
    width = max([len("provision")] + [len(r.provision.code) for r in rows])
    click.echo(f"{'provision':<{width}}  {'status':<12}  where answered / problems")
    for row in rows:
        where = "; ".join(loc.title for loc in row.locations)
        if row.omission is not None:
            where = (where + "; " if where else "") + f"explained: {row.omission.reason}"
        click.echo(f"{row.provision.code:<{width}}  {row.status:<12}  {where or '-'}")
        for f in row.findings:
            click.echo(f"{'':<{width}}  {'':<12}  {f.severity} {f.code}: {f.message}")
    others = [f for f in findings if f.subject not in {r.provision.code for r in rows}]
    if others:
        click.echo("\nfigures:")
        for f in others:
            click.echo(f"  {f}")
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    click.echo(f"\n{len(rows)} provisions, {errors} errors, {warnings} warnings")
    if json_file is not None:
        payload = {
            "edition": loaded.edition.id,
            "provisions": [
                {"code": r.provision.code, "obligation": r.obligation, "status": r.status,
                 "answered_in": [loc.title for loc in r.locations],
                 "omission": ({"reason": r.omission.reason, "explanation": r.omission.explanation}
                              if r.omission else None)}
                for r in rows
            ],
            "findings": [{"code": f.code, "severity": f.severity, "subject": f.subject, "message": f.message,
                          "file": str(f.where.file) if f.where and f.where.file else None,
                          "line": f.where.line if f.where else None, "column": f.where.column if f.where else None,
                          "yaml_path": f.where.yaml_path if f.where else None} for f in findings],
            "errors": errors,
            "warnings": warnings,
        }
        if json_file.resolve() in {f.resolve() for f in loaded.input_files()}:
            raise UsageError(f"{json_file} is a file the report reads; write the JSON to another file")
        try:
            json_file.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {json_file}: {e.strerror}") from None
    failing = [f for f in findings if f.severity == ERROR or strict]
    if failing:
        raise ChecksFailed(failing, strict)


@cli.command()
@click.argument("company_yaml", type=click.Path(path_type=Path), default="company.yaml")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; the default is this machine only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on; 0 for any free one.")
@click.option("--xbrl", is_flag=True, help="Also tag the inline XBRL and validate it with Arelle on each rebuild (slow).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the browser.")
def serve(company_yaml: Path, host: str, port: int, xbrl: bool, open_browser: bool) -> None:
    """Preview the report's HTML in the browser, rebuilt and reloaded on every save.

    Watches the report's folder (company.yaml, the narrative, images, templates/) and serves
    each edition from memory: nothing is written. Input errors and the checks' findings are
    shown in the page, with their file:line, and in the terminal."""
    import gc

    from .serve import serve as run_serve

    gc.enable()  # it runs all day: each rebuild's cycles are collected
    run_serve(company_yaml, host=host, port=port, xbrl=xbrl, open_browser=open_browser,
              echo=click.echo, warn=lambda line: click.echo(line, err=True))


@cli.command()
@click.argument("company_yaml", type=click.Path(path_type=Path), default="company.yaml")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the workbooks to (default: collection/ beside the YAML).")
@click.option("--site", "sites", multiple=True, metavar="NAME",
              help="A site that company.yaml does not name yet, to get a workbook too (repeat for several).")
@click.option("--force", is_flag=True, help="Replace workbooks already in the folder (they may have been filled in); "
              "without it they are kept, and only the missing ones written.")
def collect(company_yaml: Path, out_dir: Path | None, sites: tuple[str, ...], force: bool) -> None:
    """Write the data-collection workbooks for the report's year: group.xlsx and sites/*.xlsx.

    \b
    One workbook for the Group's figures (given once, by its departments) and one per site
    for the figures company.yaml gives by site; a sheet per topic, a row per metric and
    member, a column per year (the two before filled in, for comparison), the unit (with the
    units it may be given in) and the provisions beside each row. Send them out, then read
    them back with `build-report import`."""
    from .collect import collect as write_workbooks
    from .load import load

    from .batch import report_file

    company_yaml = report_file(company_yaml)
    loaded = load(company_yaml)
    folder = out_dir if out_dir is not None else company_yaml.parent / "collection"
    written, kept = write_workbooks(loaded, folder, sites, force)
    for path in written:
        click.echo(f"wrote {path}")
    for path in kept:
        click.echo(f"kept {path}: it exists already (perhaps filled in); --force replaces it", err=True)


@cli.command("import")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--into", "company_yaml", type=click.Path(path_type=Path, dir_okay=False), default="company.yaml",
              show_default=True, help="The company.yaml to write the figures into.")
@click.option("--dry-run", is_flag=True, help="Print the changes to company.yaml as a diff; write nothing.")
def import_(workbooks: tuple[Path, ...], company_yaml: Path, dry_run: bool) -> None:
    """Read filled collection workbooks (the group's and the sites', several at once) into company.yaml.

    \b
    Each site's figures fill its member of the site breakdown; the group total of a metric
    that adds up is the sum of the sites', and a metric that sums others (Scope 1 and 2)
    their sum. Comments, key order and layout of company.yaml are kept, and it is replaced
    (atomically) only if every cell of every workbook reads and the result loads; every
    problem is reported at once as workbook!Sheet!Cell, and nothing is written (exit 2).
    Then run `build-report check`: the checks run on the imported figures as on any."""
    from .importer import import_workbooks, write
    from .yamlsource import format_path

    imported = import_workbooks(company_yaml, [(path, str(path)) for path in workbooks])
    past = [c for c in imported.changes if c.old is not None]
    if not imported.changes:
        click.echo(f"nothing to change: {company_yaml} already holds every figure the workbooks give")
        return
    write(company_yaml, imported, dry_run=dry_run)
    if dry_run:
        click.echo(imported.diff(str(company_yaml)), nl=False)
    verb = "would change" if dry_run else "changed"
    figures, books = len(imported.changes), len(workbooks)
    click.echo(f"{verb} {figures} figure{'s' * (figures != 1)} of {company_yaml} from {books} "
               f"workbook{'s' * (books != 1)}"
               + ("" if dry_run else " (nothing else in it)"))
    if past:
        click.echo(f"{len(past)} of them replace a figure {company_yaml.name} had:", err=True)
    for change in past:
        restated = imported.year is not None and change.year < imported.year
        click.echo(f"  {format_path(change.yaml_path)}, {change.year}: {change.old} -> {change.new} "
                   f"({change.place})" + ("; a past year's figure: a restatement, to explain under restatements"
                                          if restated else ""), err=True)
    for note in imported.notes:
        click.echo(f"note: {note}", err=True)
    for place, text in imported.comments:
        click.echo(f"comment at {place}: {text}", err=True)
    if not dry_run:  # the checks on the new figures, as a build runs them (the import stands either way)
        from .check import ERROR, run_checks
        from .load import load

        findings = run_checks(load(company_yaml))
        figures = [f for f in findings if f.code.startswith("I")]
        for finding in figures:
            click.echo(str(finding), err=True)
        errors = sum(f.severity == ERROR for f in figures)
        warnings = len(figures) - errors
        click.echo(f"the integrity checks find {errors} error{'s' * (errors != 1)} and {warnings} "
                   f"warning{'s' * (warnings != 1)} in the figures"
                   + ("; `build-report check` lists every check" if figures else ""))


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to a file instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of company.yaml, for editors to complete and check it."""
    from .schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror}") from None
        click.echo(f"wrote {output}")


@cli.command()
@click.option("--check", is_flag=True, help="Do not write: fail if the committed files differ from the catalogue.")
def taxonomy(check: bool) -> None:
    """Generate the XBRL taxonomy and its package from the catalogue, into taxonomy/."""
    from .errors import OutputError
    from .taxonomy import TAXONOMY_DIR, stale_files, write_taxonomy

    if check:
        stale = stale_files()
        if stale:
            raise OutputError("the taxonomy is not what the catalogue gives; run `make taxonomy`:\n  "
                              + "\n  ".join(stale))
        click.echo("the taxonomy is up to date")
        return
    for path in write_taxonomy():
        click.echo(f"wrote {path.relative_to(TAXONOMY_DIR.parent)}")


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: unwound like Ctrl-C, so that the build cleans up behind itself."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame) -> None:
    raise _Terminated(signum)


def _interrupted(e: KeyboardInterrupt) -> int:
    click.echo("interrupted: the output folder holds the previous report as it was (or, had the build "
               "just finished, the new one whole)", err=True)
    return 128 + (e.signum if isinstance(e, _Terminated) else signal.SIGINT)


def run(argv: list[str] | None = None) -> None:
    """The command (the console script, `python -m builder`, a batch's build of one report):
    main(), then the process ends at once, without Python's finalization, which freed the
    report's objects one by one and collected them a last time: a tenth of a second of every
    command (`check` took 0.40 s, now 0.34 s). Every file written is closed by then (each is
    written in a `with`), the workers are stopped, and what was printed is flushed here."""
    code = main(argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None: started with it closed
                stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    previous = {s: signal.getsignal(s) for s in STOPPING}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_terminated)
    try:
        with cycles_left_for_later():  # one command, then the process ends (serve turns it back on)
            cli.main(args=argv, prog_name="build-report", standalone_mode=False)
    except BuildError as e:
        click.echo(f"error: {e}", err=True)
        return e.exit_code
    except click.exceptions.Abort as e:  # click turns Ctrl-C into Abort
        if isinstance(e.__cause__, KeyboardInterrupt):
            return _interrupted(e.__cause__)
        click.echo("aborted", err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"error: {e.format_message()}", err=True)
        return 2
    except KeyboardInterrupt as e:
        return _interrupted(e)
    except Exception as e:  # a bug of ours: say so plainly, keep the traceback for debugging
        if os.environ.get("BUILD_REPORT_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(e).__name__}: {e}\n"
            "This is a bug in build-report, not in your input. Run again with BUILD_REPORT_DEBUG=1 "
            "to see the traceback, and please report it.",
            err=True,
        )
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


if __name__ == "__main__":
    run()
