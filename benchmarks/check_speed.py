"""How long `build-report check` takes on the complete example, its own work only; and what the
tagged PDF (PDF/UA-1) and the archival PDF (PDF/A-3a with its data attached) cost in layout
time against an untagged PDF.

Measures loading and validating company.yaml, deriving the figures and running every check,
in-process, after a first warm-up run (which pays for imports and the catalogue). Then lays out
the English edition's PDF untagged, tagged and archival, in turns in the same run (so the
machine's load weighs on each alike), and prints the times side by side and as ratios. Run with:

    .venv/bin/python benchmarks/check_speed.py            # both
    .venv/bin/python benchmarks/check_speed.py --check    # the checks only (seconds, not minutes)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from builder.archive import Attachment, with_attachments
from builder.check import run_checks
from builder.compute import compute
from builder.layout import ACCESSIBLE, ARCHIVAL, lay_out
from builder.load import load
from builder.render import render_html

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbourline-2025" / "company.yaml"
LAYOUT_RUNS = 3  # of each variant; one layout of the example takes about 10 s


def once() -> float:
    start = time.perf_counter()
    loaded = load(EXAMPLE)
    findings = run_checks(loaded)
    compute(loaded, findings)
    return time.perf_counter() - start


def layout_costs() -> None:
    loaded = load(EXAMPLE)
    findings = run_checks(loaded)
    edition = loaded.in_language(loaded.languages[0])
    html = render_html(edition, compute(edition, findings, language=edition.language), for_print=True)
    # stand-ins of the size of the files the archival PDF carries (report.json, report.xhtml)
    data = [Attachment("report.json", b"{}".ljust(400_000), "data"),
            Attachment("report.xhtml", b"<html/>".ljust(400_000), "data")]
    lay_out(html, str(edition.folder), None)  # warm-up: fonts, images, WeasyPrint's imports
    times: dict[str, list[float]] = {"untagged": [], "PDF/UA-1": [], "PDF/A-3a": []}
    for _ in range(LAYOUT_RUNS):
        for name, variant in (("untagged", None), ("PDF/UA-1", ACCESSIBLE), ("PDF/A-3a", ARCHIVAL)):
            start = time.perf_counter()
            pdf = lay_out(html, str(edition.folder), variant)
            if variant == ARCHIVAL:
                pdf = with_attachments(pdf, data, edition.data.report.published)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["untagged"])
    print(f"PDF layout, complete example ({edition.language}), median of {LAYOUT_RUNS} runs each, in turns:")
    for name, runs in times.items():
        print(f"  {name:<9} {statistics.median(runs):5.1f} s  ×{statistics.median(runs) / base:.2f}")


def main() -> None:
    once()  # imports, the catalogue, the generated models
    runs = [once() for _ in range(10)]
    print(f"build-report check, complete example: median {statistics.median(runs) * 1000:.0f} ms, "
          f"max {max(runs) * 1000:.0f} ms over {len(runs)} runs")
    if "--check" not in sys.argv[1:]:
        layout_costs()


if __name__ == "__main__":
    main()
