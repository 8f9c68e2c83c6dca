"""Figures quoted in the narrative through the data: {{metric | year | axis: member | per: denominator}}.

A writer quotes a figure by naming it, not by copying it: `{{ghg_scope1_2}}` is the total
for the report's financial year, `{{ghg_scope1_2 | 2024}}` an earlier year,
`{{employees | region: Hong Kong}}` a breakdown member, `{{ghg_scope1_2 | per: revenue}}` an
intensity. The figure is shown as in the data tables, with its unit, and tagged in the inline
XBRL report like the table's own figure, so the narrative can never disagree with the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compute import Cell, FactKey
from .schema import NOT_APPLICABLE

PATTERN = re.compile(r"\{\{\s*([a-z0-9_]+)\s*((?:\|[^|{}]*)*)\}\}")
PLAIN_UNITS = {"persons", "number", "cases"}  # counts read best without a unit word


@dataclass(frozen=True)
class Reference:
    metric: str
    year: int | None = None
    axis: str | None = None
    member: str | None = None
    per: str | None = None


def parse(match: re.Match) -> Reference:
    fields: dict = {"metric": match.group(1)}
    for part in filter(None, (p.strip() for p in match.group(2).split("|"))):
        if part.isdigit():
            fields["year"] = int(part)
        elif ":" in part:
            name, _, value = (s.strip() for s in part.partition(":"))
            if name == "per":
                fields["per"] = value
            else:
                fields["axis"], fields["member"] = name, value
        else:
            fields["axis"] = part  # reported as an error: an axis without a member
    return Reference(**fields)


def resolve(loaded, ref: Reference) -> tuple[Cell | None, str | None]:
    """The cell a reference names, or why it names none."""
    from .compute import present_metrics

    catalogue = loaded.catalogue
    present = present_metrics(loaded)
    if ref.metric not in catalogue.metrics:
        return None, f"{{{{{ref.metric}}}}} names no metric"
    if ref.metric not in present:
        return None, f"{{{{{ref.metric}}}}}: the YAML gives no figures for {ref.metric}"
    entry = present[ref.metric]
    year = ref.year or loaded.data.report.financial_year
    base = ("metrics", ref.metric)
    key = {"metric": ref.metric, "unit": entry.unit}
    if ref.per is not None:
        intensities = [(i, x) for i, x in enumerate(getattr(entry, "intensities", [])) if x.per == ref.per]
        if not intensities:
            return None, f"{{{{{ref.metric} | per: {ref.per}}}}}: no intensity per {ref.per} is given"
        i, intensity = intensities[0]
        series, path = intensity.values, base + ("intensities", i, "values")
        key |= {"per": ref.per, "per_unit": present[ref.per].unit}
    elif ref.axis is not None:
        breakdowns = getattr(entry, "breakdowns", None)
        given = getattr(breakdowns, ref.axis, None) if breakdowns is not None else None
        if ref.member is None or given is None:
            return None, f"{{{{{ref.metric} | {ref.axis}: ...}}}}: no breakdown by {ref.axis} is given"
        series = given.get(ref.member) if isinstance(given, dict) else getattr(given, ref.member, None)
        if series is None:
            return None, f"{{{{{ref.metric} | {ref.axis}: {ref.member}}}}}: no such member is given"
        path = base + ("breakdowns", ref.axis, ref.member)
        key |= {"axis": ref.axis, "member": ref.member}
    else:
        series, path = entry.values, base + ("values",)
    if year not in series:
        return None, f"{{{{{ref.metric}}}}}: no figure for {year}"
    value = series[year]
    return Cell(value, FactKey(year=year, path=path + (year,), **key) if value != NOT_APPLICABLE else None), None


def unit_text(loaded, cell: Cell) -> str:
    """The unit shown after a quoted figure: '%' joined, counts bare, others after a space."""
    key = cell.key
    if key is None:
        return ""
    unit = loaded.catalogue.units[key.unit]
    if key.per is not None:
        denominator = loaded.catalogue.metrics[key.per]
        per_unit = loaded.catalogue.units[key.per_unit].label
        return f"\u00a0{unit.label} per {denominator.denominator.format(unit=per_unit)}"
    if key.unit == "%":
        return "%"
    if key.unit in PLAIN_UNITS:
        return ""
    return f"\u00a0{unit.label}"


def check(loaded_like, text: str) -> list[tuple[int, str]]:
    """(line, problem) for every reference in a Markdown text that names no figure."""
    problems = []
    for match in PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        _, problem = resolve(loaded_like, parse(match))
        if problem:
            problems.append((line, problem))
    return problems
