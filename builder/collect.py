"""Collect stage: the workbooks a sustainability office sends out to collect a year's figures.

`build-report collect` writes one workbook for the group (the figures its departments give:
headcount, revenue, rates, intensities...) and one for each site of the company.yaml (the
figures the YAML gives by site: its electricity, its water, its floor area...). Each has a
sheet per topic (the catalogue's tables, as the report's data statistics are), one row per
metric and member, one column per year (the two before the report's year filled in with the
figures the YAML gives, for comparison), the unit and the provisions beside each row.

Everything is derived from the report's catalogue (the framework's, with the company's own
extensions) and the company.yaml: which metrics, breakdowns and members, their labels in
English and Chinese, their units and the units they can be given in, the provisions they
answer and whether they add up over the sites.

A row's place in company.yaml is written in a hidden column beside it (see row_key), so that
builder.importer can put each figure back where it belongs whatever program filled the
workbook. The same company.yaml gives byte-identical workbooks: the timestamps inside are
fixed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from .catalogue import Catalogue, Metric
from .errors import UsageError
from .i18n import language
from .load import Loaded
from .numbers import decimal_places
from .schema import NOT_APPLICABLE, breakdown_members

FORMAT = "build-report collection 1"  # what the importer expects to find in the hidden sheet
INSTRUCTIONS = "Instructions"
META = "_collection"  # hidden: what the workbook collects, and the lists its drop-downs offer
YEARS = 3  # the report's year and the two before it: what B2.1 asks for, what the tables show
SITE = "site"  # the axis whose members each get a workbook of their own

# the layout of a data sheet: a title, a line of instructions, a blank row, the header, the rows
TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 4, 5
KEY, METRIC, METRIC_ZH, BREAKDOWN, UNIT, PROVISIONS, FIRST_YEAR = 1, 2, 3, 4, 5, 6, 7
MAX_SHEET_NAME = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

# a fixed time for the workbook's properties and the zip entries: the same YAML gives the same bytes
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Row:
    """One figure to collect for each year: a metric's total, a member's, a share, an intensity."""

    path: tuple  # below metrics: (metric id, "values") or (metric id, "breakdowns", axis, member) ...
    metric: Metric
    topic: str  # the sheet: the title of the metric's data statistics table
    label: str
    label_zh: str
    breakdown: str  # which figure of the metric: "Energy type: Diesel", "Per m² of floor area"
    breakdown_zh: str
    unit: str  # the unit code its figures are given in, as company.yaml has it
    unit_shown: str  # what the unit column shows: the unit's label, or an intensity's "MWh per m²"
    units: tuple[str, ...]  # the units a site may choose instead (exactly convertible); () for fixed
    provisions: str
    figures: dict  # year -> Decimal | "not applicable", as company.yaml gives them
    site: str | None  # the site whose workbook collects it; None: the group's
    definition: str = ""  # the notes the report prints on the metric: how it is measured

    @property
    def places(self) -> int:
        """The decimal places the row's figures are published with (the most of any year)."""
        return max((decimal_places(v) for v in self.figures.values() if isinstance(v, Decimal)), default=0)


@dataclass
class Workbook:
    """One workbook to send: the group's, or a site's."""

    file: str  # relative to the output folder
    site: str | None
    rows: list[Row] = field(default_factory=list)


def row_key(row: Row) -> str:
    """How a row's place in company.yaml is written in the workbook's hidden column: JSON, so
    that any site or member name survives unchanged."""
    return json.dumps(list(row.path), ensure_ascii=False)


def convertible_units(catalogue: Catalogue, unit: str) -> tuple[str, ...]:
    """The units a figure may be given in instead of `unit`, converted exactly by a power of ten
    (kWh for MWh, litres for m³, HK$ thousand for HK$ million): those of its kind with the same
    XBRL measure. Counts, rates and ratios share xbrli:pure without being one measure (cases and
    persons, per 100 employees and per 200,000 hours): each stands alone."""
    own = catalogue.units[unit]
    if own.xbrl == "xbrli:pure":
        return (unit,)
    return tuple(u.code for u in catalogue.units_of(own.kind) if u.xbrl == own.xbrl)


def unit_label(code: str) -> str:
    """How the workbook shows a unit: as the report does (m³, tCO₂e); the importer reads either."""
    from .catalogue import load_catalogue

    return load_catalogue().units[code].label


def years_of(loaded: Loaded) -> list[int]:
    year = loaded.data.report.financial_year
    return list(range(year - YEARS + 1, year + 1))


def additive_over_sites(metric: Metric, entry) -> bool:
    """Whether the group total is the sum of the sites' figures: the catalogue says the metric's
    breakdowns add up to it, and company.yaml breaks it down by site."""
    return metric.sums and entry is not None and any(axis == SITE for axis, _, _ in breakdown_members(entry))


def computed_sum(metric: Metric, unit_of) -> bool:
    """Whether the import computes the metric's total as the sum of the metrics it sums (Scope 1
    and 2 from each): it and all of them are in company.yaml (unit_of(metric id) gives the unit
    there, or None), in one unit."""
    unit = unit_of(metric.id)
    return bool(metric.sum_of) and unit is not None and all(unit_of(part) == unit for part in metric.sum_of)


def _unit_in(loaded: Loaded):
    return lambda mid: getattr(_entry(loaded, mid), "unit", None)


def _entry(loaded: Loaded, metric_id: str):
    metrics = loaded.data.metrics
    return getattr(metrics, metric_id, None) if metrics is not None else None


def sites_of(loaded: Loaded, more: tuple[str, ...] = ()) -> list[str]:
    """The sites the figures name, in the order company.yaml first names them, and any more the
    office adds this year."""
    return list(dict.fromkeys([*_typed_members(loaded).get(SITE, []), *more]))


def _typed_members(loaded: Loaded) -> dict[str, list[str]]:
    """The members of each typed axis (sites, regions) as the figures name them, in order."""
    found: dict[str, dict[str, None]] = {}
    for _, entry in _metric_entries(loaded):
        for axis, member, _ in _all_members(entry):
            if loaded.catalogue.axes[axis].typed:
                found.setdefault(axis, {})[member] = None
    return {axis: list(members) for axis, members in found.items()}


def _all_members(entry):
    yield from breakdown_members(entry)
    yield from breakdown_members(entry, "shares")
    for outer, member, sub in breakdown_members(entry, "within"):
        yield outer, member, None
        yield from breakdown_members(sub)
        yield from breakdown_members(sub, "shares")
    for intensity in getattr(entry, "intensities", None) or []:
        yield from breakdown_members(intensity)


def _metric_entries(loaded: Loaded):
    metrics = loaded.data.metrics
    if metrics is None:
        return
    for mid in loaded.catalogue.metrics:
        entry = getattr(metrics, mid, None)
        if entry is not None:
            yield mid, entry


def _has_figures(entry) -> bool:
    return bool(entry.values) or any(True for _ in _all_members(entry)) or any(
        i.values for i in getattr(entry, "intensities", None) or [])


def rows_of(loaded: Loaded, more_sites: tuple[str, ...] = ()) -> list[Row]:
    """Every figure to collect, in the catalogue's order of metrics: company.yaml's metrics with
    their breakdowns; where company.yaml has no metrics yet, the catalogue's for the edition."""
    catalogue = loaded.catalogue
    entries = dict(_metric_entries(loaded))
    sites = sites_of(loaded, more_sites)
    typed = _typed_members(loaded) | {SITE: sites}
    rows: list[Row] = []
    if not entries:  # a first report: the metrics that answer the edition's provisions
        codes = {p.code for p in loaded.edition.provisions}
        for metric in catalogue.metrics.values():
            if set(metric.provisions) & codes:
                unit = catalogue.units_of(metric.unit_kind)[0].code
                rows += _catalogue_rows(loaded, metric, unit, typed)
        return rows
    for mid, entry in entries.items():
        metric = catalogue.metrics[mid]
        if _has_figures(entry):
            rows += _entry_rows(loaded, metric, entry, sites)
        else:  # in company.yaml without figures yet: the catalogue's breakdowns
            rows += _catalogue_rows(loaded, metric, entry.unit, typed)
    return rows


class _RowMaker:
    """The labels, units and provisions shared by the rows of one metric."""

    def __init__(self, loaded: Loaded, metric: Metric, unit: str):
        self.loaded, self.metric, self.unit = loaded, metric, unit
        self.catalogue = loaded.catalogue
        self.en, self.zh = language("en"), language("zh-Hant")
        codes = {p.code for p in loaded.edition.provisions}
        self.provisions = ", ".join(code for code in metric.provisions if code in codes)
        self.topic = sheet_title(self.catalogue, metric)
        entry = _entry(loaded, metric.id)
        notes = [note for note in getattr(entry, "footnotes", []) if isinstance(note, str)]
        self.definition = " ".join(str(loaded.data.footnotes[n]) for n in notes if n in loaded.data.footnotes)

    def member(self, axis_id: str, member: str, lang) -> str:
        axis = self.catalogue.axes[axis_id]
        if axis.typed:
            names = self.loaded.data.names.get(member, {}) if lang.chinese else {}
            return names.get("zh-Hant", member) if lang.chinese else member
        return lang.member(axis, member)

    def part(self, axis_id: str, member: str, lang) -> str:
        colon = "：" if lang.chinese else ": "
        return lang.label(self.catalogue.axes[axis_id]) + colon + self.member(axis_id, member, lang)

    def row(self, path: tuple, parts: list[tuple[str, str]], figures: dict, *, site: str | None = None,
            unit_shown: str | None = None, fixed: bool = False) -> Row:
        """parts: (axis, member) pairs naming the figure; a site's own is left out of its workbook."""
        shown = [(a, m) for a, m in parts if not (site is not None and a == SITE and m == site)]
        breakdown = "; ".join(self.part(a, m, self.en) for a, m in shown)
        breakdown_zh = "；".join(self.part(a, m, self.zh) for a, m in shown)
        return Row(tuple(path), self.metric, self.topic, self.metric.label, self.metric.label_zh,
                   breakdown or ("Total" if site is None else "This site"),
                   breakdown_zh or ("總計" if site is None else "本地點"),
                   self.unit, unit_shown or self.catalogue.units[self.unit].label,
                   () if fixed else convertible_units(self.catalogue, self.unit),
                   self.provisions, dict(figures), site, self.definition)


def _site_of(parts: list[tuple[str, str]]) -> str | None:
    return next((m for a, m in parts if a == SITE), None)


def _entry_rows(loaded: Loaded, metric: Metric, entry, sites: list[str]) -> list[Row]:
    """The rows of a metric company.yaml gives figures for: its own breakdowns and members."""
    make = _RowMaker(loaded, metric, entry.unit)
    mid = metric.id
    rows: list[Row] = []
    summed = additive_over_sites(metric, entry)
    if not summed and not computed_sum(metric, _unit_in(loaded)):
        rows.append(make.row((mid, "values"), [], entry.values))
    given: dict[str, dict[str, dict]] = {}
    for axis, member, series in breakdown_members(entry):
        given.setdefault(axis, {})[member] = series
    if SITE in given:  # every site gets a row, a site new this year too
        given[SITE] = {site: given[SITE].get(site, {}) for site in dict.fromkeys([*given[SITE], *sites])}
    for axis, members in given.items():
        for member, series in members.items():
            rows.append(make.row((mid, "breakdowns", axis, member), [(axis, member)], series,
                                 site=member if axis == SITE else None))
    for axis, member, series in breakdown_members(entry, "shares"):
        rows.append(make.row((mid, "shares", axis, member), [(axis, member)], series, unit_shown="%", fixed=True))
    for outer, outer_member, sub in breakdown_members(entry, "within"):
        for part in ("breakdowns", "shares"):
            for axis, member, series in breakdown_members(sub, part):
                parts = [(outer, outer_member), (axis, member)]
                if part == "shares":
                    rows.append(make.row((mid, "within", outer, outer_member, part, axis, member), parts, series,
                                         unit_shown="%", fixed=True))
                else:
                    rows.append(make.row((mid, "within", outer, outer_member, part, axis, member), parts, series,
                                         site=_site_of(parts)))
    for index, intensity in enumerate(getattr(entry, "intensities", None) or []):
        shown = _intensity_unit(loaded, metric, entry, intensity)
        if shown is None:
            continue  # its denominator has no unit: company.yaml does not load (the build says why)
        per_en, per_zh = shown
        at = (mid, "intensities", index, intensity.per)
        if intensity.values:
            rows.append(_per(make.row(at + ("values",), [], intensity.values, unit_shown=per_en[1], fixed=True),
                             per_en[0], per_zh[0]))
        for axis, member, series in breakdown_members(intensity):
            site = member if axis == SITE else None
            rows.append(_per(make.row(at + ("breakdowns", axis, member), [(axis, member)], series, site=site,
                                      unit_shown=per_en[1], fixed=True), per_en[0], per_zh[0]))
    return rows


def _per(row: Row, per: str, per_zh: str) -> Row:
    """An intensity's row: 'Per m² of floor area' before the member it is of."""
    plain = row.breakdown in ("Total", "This site")
    return replace(row, breakdown=per if plain else f"{per}; {row.breakdown}",
                   breakdown_zh=per_zh if plain else f"{per_zh}；{row.breakdown_zh}")


def _intensity_unit(loaded: Loaded, metric: Metric, entry, intensity):
    """(('Per m² of floor area', 'MWh per m² of floor area'), (its Chinese)) or None."""
    catalogue = loaded.catalogue
    denominator = catalogue.metrics[intensity.per]
    per_unit = intensity.per_unit or getattr(_entry(loaded, intensity.per), "unit", None)
    if per_unit is None:
        return None
    numerator = catalogue.units[intensity.unit or entry.unit]
    result = []
    for lang in (language("en"), language("zh-Hant")):
        per = lang.per(denominator, lang.label(catalogue.units[per_unit]))
        if lang.chinese:
            result.append((per, f"{lang.label(numerator)}／{per}"))
        else:
            result.append((f"Per {per}", f"{lang.label(numerator)} per {per}"))
    return tuple(result)


def _catalogue_rows(loaded: Loaded, metric: Metric, unit: str, typed: dict[str, list[str]]) -> list[Row]:
    """The rows of a metric without figures yet: its total and the catalogue's breakdowns (a
    typed axis by the members the figures name elsewhere, sites by the sites)."""
    make = _RowMaker(loaded, metric, unit)
    mid = metric.id
    summed = metric.sums and SITE in metric.breakdowns and bool(typed.get(SITE))
    rows = [] if summed or computed_sum(metric, _unit_in(loaded)) else [make.row((mid, "values"), [], {})]
    for axis_id in metric.breakdowns:
        axis = loaded.catalogue.axes[axis_id]
        for member in (typed.get(axis_id, []) if axis.typed else axis.members):
            rows.append(make.row((mid, "breakdowns", axis_id, member), [(axis_id, member)], {},
                                 site=member if axis_id == SITE else None))
    return rows


def sheet_title(catalogue: Catalogue, metric: Metric) -> str:
    table = next(t for t in catalogue.tables if t.id == metric.table)
    return sheet_name(table.title)


def sheet_name(title: str) -> str:
    """A table's title as a sheet name: without the characters Excel refuses, and cut at a word
    to its 31 characters ("Product and service responsibility" is "Product and service")."""
    name = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", title).split()).strip("'") or "Figures"
    while len(name) > MAX_SHEET_NAME:
        cut = name[:MAX_SHEET_NAME + 1].rsplit(" ", 1)[0]
        name = cut if len(cut) <= MAX_SHEET_NAME and cut != name else name[:MAX_SHEET_NAME]
        name = re.sub(r"\s+(and|of|or|the|&)$", "", name).strip()
    return name


def slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def workbooks_of(loaded: Loaded, more_sites: tuple[str, ...] = ()) -> list[Workbook]:
    """The group's workbook and one per site, each with its rows (a site without any row has
    none: company.yaml breaks no figure down by site)."""
    rows = rows_of(loaded, more_sites)
    group = Workbook("group.xlsx", None, [r for r in rows if r.site is None])
    books = [group]
    taken = {"group"}
    for site in sites_of(loaded, more_sites):
        mine = [r for r in rows if r.site == site]
        if not mine:
            continue
        name = slug(site) or "site"
        stem, n = name, 2
        while name in taken:
            name, n = f"{stem}-{n}", n + 1
        taken.add(name)
        books.append(Workbook(f"sites/{name}.xlsx", site, mine))
    return books


# --- writing -------------------------------------------------------------------------------


def collect(loaded: Loaded, out_dir: Path, more_sites: tuple[str, ...] = (),
            force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write the group's and each site's workbook into out_dir: (the files written, those kept).
    A workbook already there is kept (it may have been filled in; force replaces it): a site new
    this year gets its workbook beside those sent out already."""
    for site in more_sites:
        if site != " ".join(site.split()) or not site or len(site) > 100:
            raise UsageError(f"--site {site!r}: a site's name is 1 to 100 characters, without spaces at its ends "
                             "or doubled")
    books = workbooks_of(loaded, more_sites)
    targets = [out_dir / book.file for book in books]
    kept = [] if force else [t for t in targets if t.exists()]
    if kept and len(kept) == len(targets):
        raise UsageError("these workbooks exist already (perhaps filled in): " + ", ".join(map(str, kept))
                         + "; choose another folder with -o, or replace them with --force")
    for book, target in zip(books, targets):
        if target in kept:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = workbook_bytes(loaded, book, books)
        try:
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        except OSError as e:
            raise UsageError(f"cannot write {target}: {e.strerror}") from None
    return [t for t in targets if t not in kept], kept


def workbook_bytes(loaded: Loaded, book: Workbook, books: list[Workbook]) -> bytes:
    from openpyxl import Workbook as XlsxWorkbook

    years = years_of(loaded)
    wb = XlsxWorkbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS
    topics = list(dict.fromkeys(r.topic for r in book.rows))
    for topic in topics:
        _data_sheet(wb.create_sheet(topic), loaded, book, [r for r in book.rows if r.topic == topic], years)
    _instructions(instructions, loaded, book, books, topics, years)
    _meta(wb.create_sheet(META), loaded, book, topics, years)
    company = loaded.data.company.name
    wb.properties.title = f"{company}: ESG data collection {years[-1]}"
    wb.properties.subject = book.site or "Group"
    wb.properties.creator = "build-report collect"
    when = dt.datetime(*ZIP_TIME)
    wb.properties.created = wb.properties.modified = when
    buffer = io.BytesIO()
    wb.save(buffer)
    return _fixed_times(buffer.getvalue(), when)


def _fixed_times(data: bytes, when: dt.datetime) -> bytes:
    """The workbook with the same bytes each time: openpyxl stamps the zip's entries and the
    document's 'modified' property with the time of saving."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="BFBFBF")
    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "header": PatternFill("solid", fgColor="D9E2E6"),
        "input": PatternFill("solid", fgColor="FFF2CC"),  # this year's figures: to fill
        "previous": PatternFill("solid", fgColor="F2F2F2"),  # past years: as reported
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
        "open": Protection(locked=False),
    }


def _number_format(places: int) -> str:
    """Cells show the decimal places the row's figures are published with; the importer reads
    them back with at least as many (0.240 stays 0.240)."""
    return "#,##0." + "0" * places if places else "General"


def _columns(years: list[int]) -> tuple[int, int]:
    comments = FIRST_YEAR + len(years)
    return comments, comments + 1


def _data_sheet(ws, loaded: Loaded, book: Workbook, rows: list[Row], years: list[int]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    style = _styles()
    comments, definition = _columns(years)
    year = years[-1]
    whose = book.site or loaded.data.company.name
    ws.cell(TITLE_ROW, METRIC, f"{ws.title}: {whose}").font = style["title"]
    ws.cell(NOTE_ROW, METRIC, f"Enter the {year} figures in the yellow column, in the unit shown (or choose another "
            f"from the list). {' and '.join(map(str, years[:-1]))}: as reported, in the unit first shown, for "
            "comparison; correct one only if it was wrong, and say why under Comments. See the Instructions sheet.")
    headers = {KEY: "Key", METRIC: "Metric", METRIC_ZH: "指標", BREAKDOWN: "Breakdown", UNIT: f"Unit of {year}",
               PROVISIONS: "Provisions", comments: "Comments", definition: "How it is measured"}
    headers |= {FIRST_YEAR + i: str(y) for i, y in enumerate(years)}
    for column, text in headers.items():
        cell = ws.cell(HEADER_ROW, column, text)
        cell.font, cell.fill, cell.border, cell.alignment = style["bold"], style["header"], style["border"], style["wrap"]
    last = FIRST_ROW + len(rows) - 1
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        ws.cell(r, KEY, row_key(row))
        first = i == 0 or rows[i - 1].metric.id != row.metric.id
        label = ws.cell(r, METRIC, row.label)
        if first:
            label.font = style["bold"]
        ws.cell(r, METRIC_ZH, row.label_zh)
        ws.cell(r, BREAKDOWN, row.breakdown + (f"\n{row.breakdown_zh}" if row.breakdown_zh else ""))
        unit = ws.cell(r, UNIT, row.unit_shown)
        if len(row.units) > 1:
            unit.protection, unit.fill = style["open"], style["input"]
        ws.cell(r, PROVISIONS, row.provisions)
        for j, y in enumerate(years):
            # past years as reported, for comparison; the report's year empty, to fill in
            cell = ws.cell(r, FIRST_YEAR + j, _shown(row.figures.get(y)) if y != year else None)
            cell.number_format = _number_format(row.places)
            cell.protection = style["open"]
            cell.fill = style["input"] if y == year else style["previous"]
        ws.cell(r, comments).protection = style["open"]
        if first and row.definition:
            ws.cell(r, definition, row.definition)
        for column in range(METRIC, definition + 1):
            cell = ws.cell(r, column)
            cell.border = style["border"]
            cell.alignment = style["wrap"] if column in (METRIC, METRIC_ZH, BREAKDOWN, definition) else style["top"]
    for choices, cells in _by_choices(rows).items():
        # the list of units stands in the hidden sheet: a unit may itself hold a comma ("per 200,000 hours")
        dv = DataValidation(type="list", formula1=_unit_list_formula(choices), allow_blank=False,
                            showErrorMessage=True, errorTitle="Unit",
                            error="Choose a unit from the list: the figures are converted from it exactly.")
        for r in cells:
            dv.add(f"{get_column_letter(UNIT)}{r}")
        ws.add_data_validation(dv)
    for j in range(len(years)):
        letter = get_column_letter(FIRST_YEAR + j)
        figures = DataValidation(
            type="custom", formula1=f'OR(ISNUMBER({letter}{FIRST_ROW}),LOWER(TRIM({letter}{FIRST_ROW}))="{NOT_APPLICABLE}")',
            allow_blank=True, showErrorMessage=True, showInputMessage=True, errorTitle="A number",
            error=f'Enter a number without its unit (e.g. 1203.5), or "{NOT_APPLICABLE}".',
            promptTitle=f"{years[j]}", prompt=f'A number in the row\'s unit, or "{NOT_APPLICABLE}"; empty: not known yet.')
        figures.add(f"{letter}{FIRST_ROW}:{letter}{max(last, FIRST_ROW)}")
        ws.add_data_validation(figures)
    widths = {KEY: 10, METRIC: 34, METRIC_ZH: 18, BREAKDOWN: 30, UNIT: 16, PROVISIONS: 14, comments: 30, definition: 60}
    widths |= {FIRST_YEAR + j: 14 for j in range(len(years))}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.column_dimensions[get_column_letter(KEY)].hidden = True  # where each figure goes in company.yaml
    ws.freeze_panes = ws.cell(FIRST_ROW, FIRST_YEAR)
    _fit_rows(ws, {column: width for column, width in widths.items() if column != KEY}, HEADER_ROW)
    _print_setup(ws, landscape=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the column headings on every printed page
    _protect(ws)


def _by_choices(rows: list[Row]) -> dict[tuple[str, ...], list[int]]:
    found: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(rows):
        if len(row.units) > 1:
            found.setdefault(row.units, []).append(FIRST_ROW + i)
    return found


UNIT_LISTS = 4  # the hidden sheet's first column of unit lists (A-B: what the workbook collects)


def _unit_list_column(units: tuple[str, ...]) -> int:
    return UNIT_LISTS + _unit_lists().index(units)


def _unit_lists() -> list[tuple[str, ...]]:
    """Every list of units a row may offer: the same in every workbook (units are the framework's)."""
    from .catalogue import load_catalogue

    catalogue = load_catalogue()
    lists = dict.fromkeys(convertible_units(catalogue, code) for code in catalogue.units)
    return [choices for choices in lists if len(choices) > 1]


def _unit_list_formula(units: tuple[str, ...]) -> str:
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(_unit_list_column(units))
    return f"'{META}'!${letter}$2:${letter}${len(units) + 1}"


def _shown(value):
    """A figure as the cell holds it: a whole number, or the float nearest the Decimal (the cell's
    format shows its published places; the importer reads it back through 15 digits)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and decimal_places(value) == 0 else float(value)
    return value  # not applicable


def _protect(ws) -> None:
    """Labels, units and keys locked, the figures, units to choose and comments open; without a
    password, so that the office can unlock a sheet (columns and rows may be resized)."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _meta(ws, loaded: Loaded, book: Workbook, topics: list[str], years: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    facts = [("format", FORMAT), ("stock code", loaded.data.company.stock_code),
             ("company", loaded.data.company.name), ("financial year", str(years[-1])),
             ("years", ",".join(map(str, years))), ("workbook", "site" if book.site else "group"),
             ("site", book.site or ""), ("sheets", json.dumps(topics, ensure_ascii=False))]
    for i, (name, value) in enumerate(facts, start=1):
        ws.cell(i, 1, name)
        ws.cell(i, 2, value)
    for i, choices in enumerate(_unit_lists()):
        column = UNIT_LISTS + i
        ws.cell(1, column, "units")
        for j, code in enumerate(choices, start=2):
            ws.cell(j, column, unit_label(code))
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.sheet_state = "hidden"
    _protect(ws)


def _instructions(ws, loaded: Loaded, book: Workbook, books: list[Workbook], topics: list[str],
                  years: list[int]) -> None:
    from openpyxl.styles import Alignment

    style = _styles()
    data = loaded.data
    year = years[-1]
    period = data.report.period
    edition = loaded.edition
    contact = next((c for c in data.company.contacts if c.email), None)
    to = f"{contact.role} ({contact.email})" if contact else "whoever sent it to you"
    summed = _summed_metrics(loaded)
    whose = book.site or "the Group"
    lines: list[tuple[str, str]] = [
        ("title", f"{data.company.name}: ESG data collection {year}"),
        ("bold", f"Workbook for {whose}" + ("" if book.site else " (figures given once for the whole Group)")),
        ("", f"We collect these figures for the Group's ESG report for the financial year "
             f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}, published under the {edition.title}. "
             f"Please fill in the figures of {whose} for {year} and return the workbook to {to}."),
        ("", ""),
        ("bold", "How to fill it in"),
        ("", f"Each sheet is a topic: {', '.join(topics)}. Each row is one figure, each column a year. Enter the {year} "
             "figures in the yellow column."),
        ("", f"The {years[0]} and {years[-2]} columns hold the figures as reported, for comparison: check this year's "
             "against them. Change one only if it was wrong, and say why under Comments: a corrected figure of a past "
             "year is a restatement, which the report must explain."),
        ("", "Enter numbers only, without their unit. Where a figure does not apply (no refrigeration plant, no "
             f"hazardous waste), enter {NOT_APPLICABLE}. Leave a cell empty only where the figure is not known yet: "
             "an empty cell changes nothing in the report."),
        ("", f"Give the {year} figure in the unit shown, or choose another unit from the list in the yellow Unit "
             "cell (kWh instead of MWh, litres instead of m³): we convert it exactly. The past years stay in the "
             "unit they were reported in, which the Unit cell shows when the workbook is sent."),
        ("", "Formulas may be used; save the workbook in Excel or LibreOffice so that their results are stored. A "
             "formula that gives an error (#DIV/0!, #REF!) is refused."),
        ("", "Use Comments for anything we should know about a figure: an estimate, a meter replaced, a change of "
             "method. 'How it is measured' repeats the notes the report prints on the metric."),
        ("", "Do not add, delete, rename or move sheets, rows or columns, and do not merge cells: the workbook is "
             "read back by a program, which refuses a workbook changed in these ways and says where."),
        ("", "Save it as an Excel workbook (.xlsx), under any name."),
        ("", ""),
        ("bold", "What happens to the figures"),
    ]
    if book.site:
        lines.append(("", "Your figures are added to those of the other sites to give the Group's total where the "
                          "metric adds up (" + (", ".join(summed) or "none in this workbook") + "), and are shown "
                          "by site in the report. Intensities, rates and percentages of your site are reported for "
                          "your site as you give them; they are never added up."))
    else:
        site_books = [b for b in books if b.site]
        if site_books:
            lines.append(("", "Each site fills a workbook of its own (" + ", ".join(b.site for b in site_books)
                              + "). The Group's totals of " + (", ".join(summed) or "the additive metrics")
                              + " are the sums of the sites' figures: they are not asked here."))
        lines.append(("", "Intensities, rates, averages and percentages are not added up over sites: their Group "
                          "figures are given here, by the department that holds them (Human Resources for "
                          "turnover and training, Finance for revenue, Safety for injury rates)."))
        computed = [m.label for m in loaded.catalogue.metrics.values() if computed_sum(m, _unit_in(loaded))]
        if computed:
            lines.append(("", "Not asked either, as they are computed from their parts: " + ", ".join(computed) + "."))
    lines += [
        ("", "The figures are checked when they are read back: a figure that is not a number, a unit that cannot be "
             "converted, a formula without its result or with an error, a changed sheet, each with its place. Then "
             "the report's own checks run: totals that are not the sum of their breakdowns, percentages above 100, "
             "negative quantities, and past figures that differ from those reported."),
        ("", ""),
        ("bold", "Columns"),
        ("", "Metric and 指標: the figure, in English and Chinese, as the report names it. Breakdown: which part "
             "of the metric (a site, a type of energy, a gender). Unit: the unit of the row's figures. Provisions: "
             f"the provisions of the {edition.short_title} the figure answers (A2.1: energy consumption)."),
    ]
    ws.column_dimensions["A"].width = INSTRUCTIONS_WIDTH
    for i, (kind, text) in enumerate(lines, start=1):
        cell = ws.cell(i, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if kind:
            cell.font = style[kind]
    _fit_rows(ws, {1: INSTRUCTIONS_WIDTH}, 1)
    _print_setup(ws, landscape=False)
    _protect(ws)


LINE_HEIGHT = 15  # points: a line of the default 11 pt font
INSTRUCTIONS_WIDTH = 72  # characters: an A4 page in portrait, in Calibri or in the wider fonts that stand in for it


def _fit_rows(ws, widths: dict[int, float], first_row: int) -> None:
    """Each row as tall as its longest wrapped text: neither Excel nor LibreOffice sizes a row to
    a text written by a program (the text ran over the rows below it, printed or on screen)."""
    from .widths import display_width

    for r in range(first_row, ws.max_row + 1):
        lines = 1
        for column, width in widths.items():
            cell = ws.cell(r, column)
            if isinstance(cell.value, str) and cell.value:
                scale = (cell.font.sz or 11) / 11  # a title's characters are wider, and its lines taller
                fits = max(1, int((width - 2) / scale))  # the cell's padding
                cell_lines = sum(max(1, -(-display_width(part) // fits)) for part in cell.value.split("\n"))
                lines = max(lines, cell_lines * scale)
        if lines > 1:
            ws.row_dimensions[r].height = round(lines * LINE_HEIGHT)


def _print_setup(ws, *, landscape: bool) -> None:
    """Printed, a sheet is as wide as the paper (A4) and as long as it needs: a site that prints
    the form to fill it in by hand gets every column of a row on one page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _summed_metrics(loaded: Loaded) -> list[str]:
    return [loaded.catalogue.metrics[mid].label for mid, entry in _metric_entries(loaded)
            if additive_over_sites(loaded.catalogue.metrics[mid], entry)]
