"""A company as large as the biggest groups' reports: the complete example with its site
breakdowns (Scope 2 emissions, water, floor area) spread over many sites, each year's site
figures summing exactly to the published total, so that every check still passes.

    .venv/bin/python benchmarks/scale.py 420 /tmp/scaled   # about 10,600 facts

Each site adds 24 facts (eight metrics, three years). The example's own text and other figures
are kept (but a chart by site); its Chinese edition is left out (the
benchmark measures the English one, as the goals were set on it), and intensities by site are
dropped (their sites are the example's four).
"""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path

import yaml

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbourline-2025"
# the example's metrics whose catalogue entry takes a site breakdown (at most 500 members each)
BY_SITE = ("nox_emissions", "ghg_scope1", "ghg_scope2", "hazardous_waste", "non_hazardous_waste",
           "energy_consumption", "water_consumption", "floor_area")


def site_names(count: int) -> list[str]:
    return [f"Site {number:05d}" for number in range(1, count + 1)]


def split(total: Decimal, count: int, step: Decimal) -> list[Decimal]:
    """The total shared among the sites by fixed, uneven weights, in whole steps (0.1 t): each
    site its share rounded down, the steps left over one each to the first sites, so that the
    parts are never negative and add up to the total exactly."""
    weights = [1 + (number * 37 % 100) for number in range(count)]
    units = int(total / step)
    parts = [units * weight // sum(weights) for weight in weights]
    for number in range(units - sum(parts)):
        parts[number % count] += 1
    return [step * part for part in parts]


def scaled(data: dict, sites: int) -> dict:
    data["report"]["languages"] = ["en"]
    data.pop("names", None)
    names = site_names(sites)
    for metric_id in BY_SITE:
        metric = data["metrics"][metric_id]
        values = {year: Decimal(str(value)) for year, value in metric["values"].items()}
        step = Decimal(1).scaleb(min(value.as_tuple().exponent for value in values.values()))
        by_year = {year: split(value, sites, step) for year, value in values.items()}
        metric.setdefault("breakdowns", {})["site"] = {
            name: {year: float(parts[i]) for year, parts in by_year.items()} for i, name in enumerate(names)}
    for chapter in data["chapters"]:  # a chart of hundreds of sites would be unreadable, and is refused
        for section in chapter["sections"]:
            charts = [c for c in section.get("charts", []) if c.get("breakdown") != "site"]
            if "charts" in section:
                section["charts"] = charts
    for metric in data["metrics"].values():
        for intensity in metric.get("intensities", []) if isinstance(metric, dict) else []:
            intensity.pop("breakdowns", None)
    return data


def write_scaled(sites: int, folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("output", "*.zh-Hant.md"))
    data = yaml.safe_load((EXAMPLE / "company.yaml").read_text(encoding="utf-8"))
    company = folder / "company.yaml"
    company.write_text(yaml.safe_dump(scaled(data, sites), allow_unicode=True, sort_keys=False, width=200),
                       encoding="utf-8")
    return company


if __name__ == "__main__":
    print(write_scaled(int(sys.argv[1]), Path(sys.argv[2])))
