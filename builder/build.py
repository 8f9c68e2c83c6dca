"""The pipeline, start to end: load, compute, render, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .compute import compute
from .load import load
from .render import render_html, render_pdf
from .write import write_outputs

DEFAULT_OUTPUT = "output"


@dataclass
class BuildResult:
    out_dir: Path
    files: list[str]


def build(company_yaml: Path, out_dir: Path | None = None, *, pdf: bool = True) -> BuildResult:
    loaded = load(company_yaml)
    view = compute(loaded)
    html = render_html(loaded, view)
    files = {"report.html": html.encode("utf-8")}
    if pdf:
        files["report.pdf"] = render_pdf(render_html(loaded, view, for_print=True), loaded)
    out_dir = out_dir if out_dir is not None else loaded.folder / DEFAULT_OUTPUT
    write_outputs(out_dir, files)
    return BuildResult(out_dir.resolve(), sorted(files))
