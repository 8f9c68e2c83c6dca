"""Building many reports at once (a consultancy's or a data vendor's portfolio): each report in
its own `build-report` process, as a user would run it, several at a time.

A process per report keeps each build's bounds, its atomic output and its clean-up on Ctrl-C
exactly as for one report, and a report that crashes or exhausts its memory cannot take the
others with it. Going past one machine is a matter of running the same command over a share of
the reports per machine (a job array); see the README.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outcome:
    report: Path
    exit_code: int
    seconds: float
    printed: str  # what its build printed: its warnings, or why it failed

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def default_jobs() -> int:
    """Half the cores: each build lays out its PDFs beside its validation, two processes busy."""
    return max(1, (os.cpu_count() or 2) // 2)


def report_file(argument: Path) -> Path:
    """A report named by its YAML file or by its folder, which holds company.yaml (a folder
    without one is left as it is, for the loader to say so)."""
    return argument / "company.yaml" if (argument / "company.yaml").is_file() else argument


def build_many(reports: list[Path], jobs: int, options: list[str],
               done: callable = lambda outcome: None) -> list[Outcome]:
    """Builds every report with `build-report REPORT --quiet OPTIONS`, `jobs` at a time; `done`
    hears of each as it ends. The outcomes are in the order of `reports`."""
    def run(report: Path) -> Outcome:
        start = time.perf_counter()
        finished = subprocess.run([sys.executable, "-m", "builder", "build", str(report), "--quiet", *options],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, encoding="utf-8", errors="replace")
        outcome = Outcome(report, finished.returncode, time.perf_counter() - start, finished.stdout.strip())
        done(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(run, reports))
