"""How long `build-report check` takes on the complete example, its own work only.

Measures loading and validating company.yaml, deriving the figures and running every check,
in-process, after a first warm-up run (which pays for imports and the catalogue). Run with:

    .venv/bin/python benchmarks/check_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from builder.check import run_checks
from builder.compute import compute
from builder.load import load

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbourline-2025" / "company.yaml"


def once() -> float:
    start = time.perf_counter()
    loaded = load(EXAMPLE)
    findings = run_checks(loaded)
    compute(loaded, findings)
    return time.perf_counter() - start


def main() -> None:
    once()  # imports, the catalogue, the generated models
    runs = [once() for _ in range(10)]
    print(f"build-report check, complete example: median {statistics.median(runs) * 1000:.0f} ms, "
          f"max {max(runs) * 1000:.0f} ms over {len(runs)} runs")


if __name__ == "__main__":
    main()
