"""The command line: `build-report company.yaml`, `build-report schema`.

This is the only place where errors become exit codes: 0 ok, 1 the report fails, 2 bad input
or usage. A user never sees a traceback.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path

import click

from .errors import BuildError, UsageError


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
    build-report schema                print the JSON Schema of company.yaml
    build-report taxonomy              regenerate the XBRL taxonomy
    """


@cli.command()
@click.argument("company_yaml", type=click.Path(path_type=Path), default="company.yaml")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the outputs to (default: output/ beside the YAML).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF (faster while drafting).")
@click.option("--no-xbrl", is_flag=True, help="Skip the inline XBRL report and its validation.")
@click.option("--no-json", is_flag=True, help="Skip the xBRL-JSON file.")
@click.option("--no-viewer", is_flag=True, help="Skip the interactive inline XBRL viewer.")
def build(company_yaml: Path, out_dir: Path | None, no_pdf: bool, no_xbrl: bool, no_json: bool, no_viewer: bool) -> None:
    """Build the report: HTML, PDF, inline XBRL validated by Arelle, xBRL-JSON and viewer."""
    from .build import build as run_build

    result = run_build(company_yaml, out_dir, pdf=not no_pdf, xbrl=not no_xbrl, oim=not no_json,
                       viewer=not no_viewer)
    for name in result.files:
        click.echo(f"wrote {result.out_dir / name}")
    if not no_xbrl:
        click.echo(f"inline XBRL: {result.facts} facts, valid (Arelle: 0 errors, 0 warnings, 0 inconsistencies)")


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


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="build-report", standalone_mode=False)
    except BuildError as e:
        click.echo(f"error: {e}", err=True)
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"error: {e.format_message()}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
