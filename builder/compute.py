"""Compute stage: from the validated input to what the report shows.

It lays out the data statistics tables (rows, breakdowns, intensities, footnote marks) and
the content index (every provision of the edition, where it is answered or why it is not).
Templates only place what is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .catalogue import Aspect, Metric, Provision
from .load import Loaded
from .numbers import format_number
from .schema import NOT_APPLICABLE

# The built-in parts of the report that answer Part B (see answered_in in the catalogue).
BUILT_IN_PARTS = {
    "board-statement": "Board statement",
    "reporting-principles": "Reporting principles",
    "reporting-boundary": "Reporting boundary",
}
TARGETS_ANCHOR = "targets"


@dataclass(frozen=True)
class FactKey:
    """What a figure is, for tagging it: metric, year, breakdown or intensity, unit, YAML path."""

    metric: str
    year: int
    unit: str  # a unit code of the catalogue, as the company reported it
    path: tuple  # where the value stands in company.yaml
    axis: str | None = None
    member: str | None = None
    per: str | None = None  # an intensity's denominator metric
    per_unit: str | None = None


@dataclass
class Cell:
    value: Decimal | str | None
    key: FactKey | None = None

    @property
    def text(self) -> str:
        if self.value is None:
            return "–"
        if self.value == NOT_APPLICABLE:
            return "Not applicable"
        return format_number(self.value)


@dataclass
class Row:
    kind: str  # metric, axis, member, intensity
    label: str
    unit: str
    cells: list[Cell]
    notes: list[int] = field(default_factory=list)
    metric: str | None = None

    @property
    def has_values(self) -> bool:
        """False for a metric given only by its breakdowns: its row is a heading."""
        return any(cell.value is not None for cell in self.cells)


@dataclass
class DataTable:
    id: str
    title: str
    groups: list[list[Row]]  # one group of rows per metric, kept together on a page
    notes: list[tuple[int, str]]
    provisions: list[str]

    @property
    def anchor(self) -> str:
        return f"data-{self.id}"

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group]


@dataclass
class Location:
    title: str
    anchor: str


@dataclass
class IndexRow:
    provision: Provision
    locations: list[Location]
    omission: Any = None

    @property
    def status(self) -> str:
        if self.locations:
            return "reported"
        return "explained" if self.omission is not None else "not reported"


@dataclass
class IndexGroup:
    aspect: Aspect
    rows: list[IndexRow]


@dataclass
class ReportView:
    years: list[int]
    tables: list[DataTable]
    index: list[IndexGroup]
    footnotes: dict[str, int]


class _Notes:
    """Numbers footnotes in the order they are first used across the tables."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        self.numbers: dict[str, int] = {}

    def marks(self, ids: list[str]) -> list[int]:
        for note in ids:
            self.numbers.setdefault(note, len(self.numbers) + 1)
        return [self.numbers[n] for n in ids]


def compute(loaded: Loaded) -> ReportView:
    years = _years(loaded)
    notes = _Notes(loaded.data.footnotes)
    tables = _tables(loaded, years, notes)
    index = _content_index(loaded, tables)
    return ReportView(years, tables, index, notes.numbers)


def present_metrics(loaded: Loaded) -> dict[str, Any]:
    metrics = loaded.data.metrics
    if metrics is None:
        return {}
    return {mid: getattr(metrics, mid) for mid in loaded.catalogue.metrics if getattr(metrics, mid) is not None}


def _years(loaded: Loaded) -> list[int]:
    """The years shown as columns: every year a figure is given for, newest first."""
    last = loaded.data.report.financial_year
    found: set[int] = set()
    for entry in present_metrics(loaded).values():
        for series in _all_series(entry):
            found.update(y for y in series if y <= last)
    return sorted(found, reverse=True) or [last]


def _all_series(entry) -> list[dict]:
    series = [entry.values]
    breakdowns = getattr(entry, "breakdowns", None)
    if breakdowns is not None:
        for _, members in _axes(breakdowns):
            series.extend(s for _, s in members)
    for intensity in getattr(entry, "intensities", []):
        series.append(intensity.values)
    return series


def _axes(breakdowns) -> list[tuple[str, list[tuple[str, dict]]]]:
    """(axis id, [(member key, series)]) for each axis given, in the order of the catalogue."""
    out = []
    for axis_id in type(breakdowns).model_fields:
        given = getattr(breakdowns, axis_id)
        if given is None:
            continue
        if isinstance(given, dict):  # a typed axis: members as the company named them
            members = list(given.items())
        else:
            members = [(m, getattr(given, m)) for m in type(given).model_fields if getattr(given, m) is not None]
        out.append((axis_id, members))
    return out


def _cells(series: dict, years: list[int], key: dict) -> list[Cell]:
    """One cell per year; key holds the FactKey fields common to the row, path its YAML path."""
    path = key.pop("path")
    return [Cell(series.get(y), FactKey(year=y, path=path + (y,), **key) if y in series else None) for y in years]


def _tables(loaded: Loaded, years: list[int], notes: _Notes) -> list[DataTable]:
    catalogue = loaded.catalogue
    present = present_metrics(loaded)
    tables = []
    for table in catalogue.tables:
        groups: list[list[Row]] = []
        provisions: list[str] = []
        for mid, entry in present.items():
            metric = catalogue.metrics[mid]
            if metric.table != table.id:
                continue
            groups.append(_metric_rows(loaded, metric, entry, years, notes, present))
            provisions.extend(c for c in metric.provisions if c not in provisions and loaded.edition.provision(c))
        if groups:
            used = sorted({n for group in groups for r in group for n in r.notes})
            by_number = {v: k for k, v in notes.numbers.items()}
            tables.append(
                DataTable(table.id, table.title, groups, [(n, notes.texts[by_number[n]]) for n in used], provisions)
            )
    return tables


def _metric_rows(loaded: Loaded, metric: Metric, entry, years, notes: _Notes, present) -> list[Row]:
    catalogue = loaded.catalogue
    unit = catalogue.units[entry.unit].label
    base = ("metrics", metric.id)
    common = {"metric": metric.id, "unit": entry.unit}
    rows = [Row("metric", metric.label, unit, _cells(entry.values, years, common | {"path": base + ("values",)}),
                notes.marks(entry.footnotes), metric.id)]
    breakdowns = getattr(entry, "breakdowns", None)
    if breakdowns is not None:
        for axis_id, members in _axes(breakdowns):
            axis = catalogue.axes[axis_id]
            rows.append(Row("axis", f"By {axis.label.lower()}", "", [Cell(None) for _ in years]))
            for member, series in members:
                label = member if axis.typed else axis.members[member][0]
                path = base + ("breakdowns", axis_id, member)
                key = common | {"path": path, "axis": axis_id, "member": member}
                rows.append(Row("member", label, unit, _cells(series, years, key)))
    for i, intensity in enumerate(getattr(entry, "intensities", [])):
        denominator = catalogue.metrics[intensity.per]
        per_unit = present[intensity.per].unit
        per = denominator.denominator.format(unit=catalogue.units[per_unit].label)
        key = common | {"path": base + ("intensities", i, "values"), "per": intensity.per, "per_unit": per_unit}
        rows.append(
            Row(
                "intensity",
                f"{metric.label} per {per}",
                f"{unit} per {per}",
                _cells(intensity.values, years, key),
                notes.marks(intensity.footnotes),
                metric.id,
            )
        )
    return rows


def _content_index(loaded: Loaded, tables: list[DataTable]) -> list[IndexGroup]:
    data = loaded.data
    sections_for: dict[str, list[Location]] = {}
    for chapter in data.chapters:
        for section in chapter.sections:
            for code in section.answers:
                sections_for.setdefault(code, []).append(Location(section.title, section.id))
    tables_for: dict[str, list[Location]] = {}
    for table in tables:
        for code in table.provisions:
            tables_for.setdefault(code, []).append(Location(f"Data statistics: {table.title}", table.anchor))
    targets_for = {code for t in data.targets for code in t.provisions}

    groups = []
    for part in loaded.edition.parts:
        for aspect in part.aspects:
            rows = []
            for provision in aspect.provisions:
                locations = []
                if provision.answered_in:
                    locations.append(Location(BUILT_IN_PARTS[provision.answered_in], provision.answered_in))
                locations += sections_for.get(provision.code, [])
                if provision.code in targets_for:
                    locations.append(Location("Targets and progress", TARGETS_ANCHOR))
                locations += tables_for.get(provision.code, [])
                rows.append(IndexRow(provision, locations, data.omissions.get(provision.code)))
            groups.append(IndexGroup(aspect, rows))
    return groups
