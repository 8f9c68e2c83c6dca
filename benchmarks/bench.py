"""The build's speed and memory, measured against WeasyPrint alone laying out the same documents.

    make bench                      # or: .venv/bin/python benchmarks/bench.py [--rounds 3]

For each case (the two examples, and the complete example scaled to about 5,000 and 10,000
facts by benchmarks/scale.py) it measures, in rounds that interleave the runs so that whatever
else the machine does weighs on all of them alike:

- the full build (`build-report company.yaml`), its wall time and peak memory (the largest
  process);
- WeasyPrint alone laying out the build's print documents, the editions one after the other,
  with the options the build uses (builder.layout.lay_out) in a fresh process: the floor a
  build cannot go under on one core;
- `--no-pdf` and `build-report check`.

Then a portfolio, as an operator builds one: copies of the 360 DigiTech report built by one
`build-report` command (`--jobs` at its default, the cores), against the same reports built by
a command each, one after the other, and against WeasyPrint alone laying out their PDFs one
after the other in one process.

It prints medians as a Markdown table (the README's), with the ratio of the full build to
WeasyPrint alone. Timings belong here, never in the tests.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import scale  # noqa: E402

PYTHON = sys.executable
# runs a command and prints its peak memory (the largest process it waited for), in kB
MEASURED = ("import resource, subprocess, sys; run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.PIPE, text=True); sys.exit(run.stderr[-2000:]) if run.returncode else "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
LAYOUT_ALONE = ("import sys; from pathlib import Path; from builder.layout import lay_out; "
                "[lay_out(Path(f).read_text(encoding='utf-8'), sys.argv[1]) for f in sys.argv[2:]]")


def print_documents(company: Path, folder: Path) -> list[Path]:
    """The print HTML of each edition, as the build lays it out."""
    from builder.check import run_checks
    from builder.compute import compute
    from builder.load import load
    from builder.render import render_html

    loaded = load(company)
    findings = run_checks(loaded)
    files = []
    for code in loaded.languages:
        edition = loaded.in_language(code)
        html = render_html(edition, compute(edition, findings, language=code), for_print=True)
        files.append(folder / f"print.{code}.html")
        files[-1].write_text(html, encoding="utf-8")
    return files


def timed(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    peak = subprocess.run([PYTHON, "-c", MEASURED, *command], capture_output=True, text=True)
    if peak.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{peak.stderr}")
    return time.perf_counter() - start, int(peak.stdout.strip() or 0)


def measure(name: str, company: Path, rounds: int, scratch: Path) -> dict:
    documents = print_documents(company, scratch)
    runs: dict[str, list[float]] = {"build": [], "alone": [], "no_pdf": [], "check": []}
    peaks = []
    for _ in range(rounds):
        seconds, peak = timed([PYTHON, "-m", "builder", str(company), "-o", str(scratch / "out"), "--quiet"])
        runs["build"].append(seconds)
        peaks.append(peak)
        runs["alone"].append(timed([PYTHON, "-c", LAYOUT_ALONE, str(company.parent), *map(str, documents)])[0])
        runs["no_pdf"].append(timed([PYTHON, "-m", "builder", str(company), "-o", str(scratch / "draft"), "--quiet",
                                     "--no-pdf"])[0])
        runs["check"].append(timed([PYTHON, "-m", "builder", "check", str(company)])[0])
    median = {key: statistics.median(values) for key, values in runs.items()}
    facts = _facts(scratch / "out")
    return {"case": name, "facts": facts, "editions": len(documents), **median,
            "ratio": median["build"] / median["alone"], "peak_mb": max(peaks) / 1024}


def _facts(out: Path) -> int:
    import json

    validation = sorted(out.glob("validation*.json"))[0]
    return json.loads(validation.read_text(encoding="utf-8")).get("facts", 0)


def table(results: list[dict]) -> str:
    lines = ["| case | facts | editions | full build | WeasyPrint alone | ratio | `--no-pdf` | `check` | peak memory |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['case']} | {r['facts']:,} | {r['editions']} | {r['build']:.1f} s | {r['alone']:.1f} s | "
                     f"{r['ratio']:.2f} × | {r['no_pdf']:.1f} s | {r['check']:.2f} s | {r['peak_mb']:.0f} MB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--portfolio", type=int, default=8, help="how many reports the batch builds (0: none)")
    parser.add_argument("--cases", nargs="*", default=["harbourline-2025", "harbourline-2025-en", "360digitech-2021",
                                                       "scaled-5k", "scaled-10k"])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            scratch = Path(tmp) / name
            scratch.mkdir()
            if name.startswith("scaled-"):
                sites = {"scaled-5k": 210, "scaled-10k": 420}[name]
                company = scale.write_scaled(sites, scratch / "company")
            elif name == "harbourline-2025-en":  # the English edition alone: what a second edition costs
                company = _one_edition(ROOT / "examples" / "harbourline-2025", scratch / "company", "en")
            else:
                company = ROOT / "examples" / name / "company.yaml"
            results.append(measure(name, company, args.rounds, scratch))
            print(f"{name}: done", file=sys.stderr)
    print(table(results))
    by_case = {r["case"]: r for r in results}
    if {"harbourline-2025", "harbourline-2025-en"} <= by_case.keys():
        two, one = by_case["harbourline-2025"]["build"], by_case["harbourline-2025-en"]["build"]
        print(f"\nTwo editions against one (full build): {two:.1f} s / {one:.1f} s = {two / one:.2f} ×")
    if args.portfolio:
        with tempfile.TemporaryDirectory() as tmp:
            print(portfolio(args.portfolio, args.rounds, Path(tmp)))


def portfolio(copies: int, rounds: int, scratch: Path) -> str:
    """Copies of the small report built as a batch, each by a command of its own, and laid out
    by WeasyPrint alone."""
    import shutil

    example = ROOT / "examples" / "360digitech-2021"
    reports = [scratch / f"report-{n}" for n in range(1, copies + 1)]
    for report in reports:
        shutil.copytree(example, report, ignore=shutil.ignore_patterns("output"))
    documents = print_documents(example / "company.yaml", scratch) * copies
    runs: dict[str, list[float]] = {"batch": [], "each": [], "alone": []}
    for _ in range(rounds):
        runs["batch"].append(timed([PYTHON, "-m", "builder", *map(str, reports), "--quiet"])[0])
        runs["each"].append(sum(timed([PYTHON, "-m", "builder", str(report), "--quiet"])[0] for report in reports))
        runs["alone"].append(timed([PYTHON, "-c", LAYOUT_ALONE, str(example), *map(str, documents)])[0])
    batch, each, alone = (statistics.median(runs[key]) for key in ("batch", "each", "alone"))
    from builder.batch import default_jobs

    return (f"\nA portfolio of {copies} × 360digitech-2021, one command (--jobs {default_jobs()}, the cores): "
            f"{batch:.1f} s, {batch / copies:.2f} s a report; a command each, one after the other: {each:.1f} s "
            f"({batch / each:.2f} ×); WeasyPrint alone laying out the {copies} one after the other: {alone:.1f} s "
            f"({batch / alone:.2f} ×)")


def _one_edition(example: Path, folder: Path, language: str) -> Path:
    import shutil

    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("output"))
    company = folder / "company.yaml"
    text = company.read_text(encoding="utf-8")
    edited = re.sub(r"^(\s*)languages: \[[^\]]*\]", rf"\1languages: [{language}]", text, count=1, flags=re.M)
    if edited == text:
        raise SystemExit(f"{company}: no `languages: [...]` line to cut to one edition")
    company.write_text(edited, encoding="utf-8")
    return company


if __name__ == "__main__":
    main()
