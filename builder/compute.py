"""Compute stage: from the validated input to what the report shows.

It lays out the data statistics tables (rows, breakdowns, intensities, footnote marks) and
the content index (every provision of the edition, where it is answered or why it is not).
Templates only place what is computed here. The text it composes (row labels, the places of
the content index, the notes it writes) is in the language it is computed for; the figures are
the same in every language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .catalogue import Aspect, Metric, Provision
from .charts import chart_views
from .derive import MetricFigures, Series, figures, is_number, percent, significant
from .i18n import DEFAULT, N_, Language, language as language_named
from .languages import Introduced
from .load import Loaded
from .numbers import format_number
from .schema import NOT_APPLICABLE
from .units import factor
from .widths import (INDICATOR_LEAST, INDICATOR_ROOMY, LONG_UNIT_COLUMNS, NOTE_MARK_FONT, TABLE_FONT, TEXT_WIDTH,
                     column, display_width, indent, long_unit_width, longest_word, text_width, widest)

# The built-in parts of the report that answer Part B (see answered_in in the catalogue).
BUILT_IN_PARTS = {
    "board-statement": N_("Board statement"),
    "reporting-principles": N_("Reporting principles"),
    "reporting-boundary": N_("Reporting boundary"),
}
NOT_APPLICABLE_TEXT = N_("Not applicable")
# a provision's status in the content index (the checks' report keeps the status words)
STATUS_LABELS = {
    "reported": N_("Reported"),
    "explained": N_("Explained"),
    "not reported": N_("Not reported"),
    "reported in part": N_("Reported, in part explained"),
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
    within: tuple[str, str] | None = None  # (axis, member) of the sub-population the member is a part of
    share: bool = False  # the member's published share of its total, in percent

    @property
    def dimensions(self) -> tuple[tuple[str, str], ...]:
        """(axis, member) of each breakdown the figure is of, outermost first."""
        return ((self.within,) if self.within else ()) + (((self.axis, self.member),) if self.axis else ())


@dataclass
class Cell:
    value: Decimal | str | None
    key: FactKey | None = None
    derived: bool = False  # computed by the builder from the reported figures
    notes: list[int] = field(default_factory=list)  # notes on this figure alone
    share: "Cell | None" = None  # the member's share of its total, as published beside it

    @property
    def text(self) -> str:
        if self.value is None:
            return "–"
        if self.value == NOT_APPLICABLE:
            return NOT_APPLICABLE_TEXT  # in English; the tagger shows it in the report's language
        return format_number(self.value)


@dataclass
class Row:
    kind: str  # metric, axis, member, intensity
    label: str
    unit: str
    cells: list[Cell]
    notes: list[int] = field(default_factory=list)
    metric: str | None = None
    change: Decimal | None = None  # on the prior year, in percent, or in points for a percentage (derived)
    change_in_points: bool = False
    share: Decimal | None = None  # of the breakdown's total in the report's year, in percent (derived)
    level: int = 1  # 2 for a breakdown within a member (of a sub-population)
    change_text: str = ""  # the change as the table prints it, in the table's language: +4.5%, -0.3 pts
    share_text: str = ""  # the derived share as printed: 12.5%

    @property
    def long_unit(self) -> bool:
        """A unit that wraps in its column rather than squeezing the indicator's (tCO2e per HK$
        million of revenue)."""
        return display_width(self.unit) > LONG_UNIT_COLUMNS

    @property
    def has_values(self) -> bool:
        """False for a metric given only by its breakdowns: its row is a heading."""
        return any(cell.value is not None or cell.share is not None for cell in self.cells)


@dataclass
class DataTable:
    id: str
    title: str
    groups: list[list[Row]]  # one group of rows per metric, kept together on a page
    notes: list[tuple[int, str]]
    provisions: list[str]
    years: list[int] = field(default_factory=list)  # its columns, newest first: the years it has figures for
    change_header: str = ""  # its derived columns' headings, in its language
    share_header: str = ""
    # each column's CSS width (the indicator's empty: it takes the rest), for a fixed layout
    widths: list[str] = field(default_factory=list)

    @property
    def has_change(self) -> bool:
        return any(r.change is not None for r in self.rows)

    @property
    def has_share(self) -> bool:
        return any(r.share is not None for r in self.rows)

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
    findings: list = field(default_factory=list)  # what the checks found about it
    obligation: str = ""  # for this company in this year (Loaded.obligation)

    @property
    def status(self) -> str:
        if self.locations:
            return "reported"
        return "explained" if self.omission is not None else "not reported"

    @property
    def status_label(self) -> str:
        """The status as the content index shows it, in English (a message to translate)."""
        if self.locations and self.omission is not None:
            return STATUS_LABELS["reported in part"]
        return STATUS_LABELS[self.status]


@dataclass
class IndexGroup:
    aspect: Aspect
    rows: list[IndexRow]


@dataclass
class CrossRow:
    """A reference of another framework, with the HKEX provisions that answer it."""

    reference: Any  # catalogue.Reference
    rows: list[IndexRow]  # the content index's rows of those provisions

    @property
    def locations(self) -> list[Location]:
        """Where the report answers it: the places of its provisions, each once, in their order."""
        return list({(loc.anchor, loc.title): loc for row in self.rows for loc in row.locations}.values())

    @property
    def explained(self) -> list[IndexRow]:
        """Its provisions not answered but explained under omissions (the content index says why)."""
        return [row for row in self.rows if row.omission is not None and not row.locations]


@dataclass
class CrossIndex:
    """A cross-reference index: a framework's references and where the report answers them."""

    framework: Any  # catalogue.Framework
    anchor: str
    rows: list[CrossRow]


@dataclass
class ReportView:
    tables: list[DataTable]
    index: list[IndexGroup]
    language: str = DEFAULT  # the language of its text: "en" or "zh-Hant"
    charts: dict[str, list] = field(default_factory=dict)  # section id -> its ChartViews (builder.charts)
    cross_indexes: list[CrossIndex] = field(default_factory=list)  # report.indexes, in its order

    @property
    def omitted(self) -> list[IndexRow]:
        """The content index's rows of the provisions explained under omissions, in its order."""
        return [row for group in self.index for row in group.rows if row.omission is not None]

    @property
    def has_derived(self) -> bool:
        """Whether any figure of the tables is derived (and so tagged as derived)."""
        return any(cell.derived and is_number(cell.value) for table in self.tables for row in table.rows
                   for cell in row.cells)


class _Notes:
    """The footnotes' texts, each with a number that identifies it while the rows are built
    (each table then numbers its own notes in reading order: _number_notes)."""

    def __init__(self, texts: dict[str, str]):
        self.texts = dict(texts)
        self.numbers: dict[str, int] = {}

    def add(self, note_id: str, text: str) -> str:
        """A note the builder writes itself (a conversion)."""
        self.texts[note_id] = text
        return note_id

    def marks(self, ids: list[str]) -> list[int]:
        for note in ids:
            self.numbers.setdefault(note, len(self.numbers) + 1)
        return sorted({self.numbers[n] for n in ids})  # markers in numeric order


def compute(loaded: Loaded, findings: list | None = None, language: str = DEFAULT) -> ReportView:
    """What the report shows, with its built-in text in `language` ("en" or "zh-Hant"); the
    figures, their order and their notes' numbers are the same in every language."""
    lang = language_named(language)
    notes = _Notes(loaded.data.footnotes)
    tables = _tables(loaded, notes, lang)
    index = _content_index(loaded, tables, findings or [], lang)
    charts = chart_views(loaded, lang, {table.id: table for table in tables})
    return ReportView(tables, index, language, charts, _cross_indexes(loaded, index))


CROSS_INDEX_ANCHOR = "crossref-"  # + the framework's id: the section of its index


def _cross_indexes(loaded: Loaded, index: list[IndexGroup]) -> list[CrossIndex]:
    """The cross-reference indexes report.indexes asks for, built on the content index's rows (the
    same places and explanations, so that the indexes cannot disagree)."""
    rows = {row.provision.code: row for group in index for row in group.rows}
    indexes = []
    for framework_id in loaded.data.report.indexes:
        framework = loaded.catalogue.frameworks[framework_id]
        indexes.append(CrossIndex(framework, CROSS_INDEX_ANCHOR + framework_id,
                                  [CrossRow(reference, [rows[p.code] for p in provisions])
                                   for reference, provisions in framework.rows(loaded.edition)]))
    return indexes


def _years(loaded: Loaded, metrics: list[MetricFigures]) -> list[int]:
    """A table's columns: every year its metrics give a figure for, newest first."""
    found: set[int] = set()
    for figs in metrics:
        for series in [figs.total] + [m.series for m in figs.members] + [i.series for i in figs.intensities]:
            found.update(series)
    return sorted(found, reverse=True) or [loaded.data.report.financial_year]


def _cells(series: Series, years: list[int], key: dict, shares: Series | None = None) -> list[Cell]:
    """One cell per year, with the share published beside its figure; key holds the FactKey
    fields common to the row."""
    cells = []
    for y in years:
        figure = series.get(y)
        cell = Cell(None) if figure is None else Cell(figure.value, FactKey(year=y, path=figure.path, **key),
                                                      figure.derived)
        share = (shares or {}).get(y)
        if share is not None:
            cell.share = Cell(share.value, FactKey(year=y, path=share.path, **(key | {"unit": "%", "share": True})))
        cells.append(cell)
    return cells


def _noted(cells: list[Cell], on_part: list, member, years: list[int], notes: "_Notes") -> list[Cell]:
    """The cells, with the notes given on one year's figure of this row (the total's, or a member's)."""
    for note in on_part:
        if note.year in years and (member is None) == (note.member is None):
            cell = cells[years.index(note.year)]  # several notes on one figure: each its mark
            cell.notes = cell.notes + [mark for mark in notes.marks([note.note]) if mark not in cell.notes]
    return cells


def _tables(loaded: Loaded, notes: _Notes, lang: Language) -> list[DataTable]:
    catalogue = loaded.catalogue
    all_figures = figures(loaded)
    tables = []
    for table in catalogue.tables:
        groups: list[list[Row]] = []
        provisions: list[str] = []
        in_table = [figs for mid, figs in all_figures.items() if catalogue.metrics[mid].table == table.id]
        table_years = _years(loaded, in_table)  # no column of dashes for a year only another table has
        for figs in in_table:
            metric = catalogue.metrics[figs.metric]
            groups.append(_metric_rows(loaded, metric, figs, table_years, notes, lang))
            provisions.extend(c for c in metric.provisions if c not in provisions and loaded.edition.provision(c))
        order = {p.code: i for i, p in enumerate(loaded.edition.provisions)}
        provisions.sort(key=order.__getitem__)  # as the framework lists them: (A2.1, A2.3)
        if groups:
            tables.append(_printed(DataTable(table.id, lang.label(table), groups, _number_notes(groups, notes),
                                             provisions, table_years), lang))
    return tables


def _printed(table: DataTable, lang: Language) -> DataTable:
    """The table with the texts it prints beside its figures (its derived columns' headings and
    figures) and the widths of its columns."""
    _ = lang.gettext
    if len(table.years) > 1:
        table.change_header = _glued(_("Change on %(year)s", year=table.years[1]), table.years[1])
    if table.years:
        table.share_header = _glued(_("Share in %(year)s", year=table.years[0]), table.years[0])
    for row in table.rows:
        if row.change is not None:
            change = "%+.1f" % row.change if row.change != 0 else "0.0"
            # Translators: a change in percentage points
            row.change_text = _("%(change)s\u00a0pts", change=change) if row.change_in_points else f"{change}%"
        if row.share is not None:
            row.share_text = "%.1f%%" % row.share
    table.widths = _column_widths(table, lang)
    return table


def _glued(text: str, year: int) -> str:
    """The heading with a no-break space before its year: "Change on 2024" wraps as "Change / on
    2024" in a narrow column, never with the year alone on a third line."""
    return text.replace(f" {year}", f"\u00a0{year}")


def _column_widths(table: DataTable, lang: Language) -> list[str]:
    """The CSS width of each column (builder.widths says why): the indicator's none, each other
    as wide as its widest text that does not wrap, headings included. None at all where the
    figures leave the indicators too little room: the automatic layout shares it out, as before."""
    figure_rows = [row for row in table.rows if row.kind != "axis"]
    unit = max(widest([lang.gettext("Unit")], bold=True), widest(r.unit for r in figure_rows if not r.long_unit))
    if any(row.long_unit for row in figure_rows):  # it wraps, in a column of a set width
        unit = max(unit, long_unit_width(lang.code), *(longest_word(row.unit) for row in figure_rows))
    texts = [unit] + [max(widest([str(year)], bold=True), *(_figure_width(row, row.cells[i], lang) for row in figure_rows))
                      for i, year in enumerate(table.years)]
    derived = [(header, widest(printed)) for header, printed, shown in (
        (table.change_header, (r.change_text for r in figure_rows), table.has_change),
        (table.share_header, (r.share_text for r in figure_rows), table.has_share)) if shown]
    # a derived column's heading on one line where the indicators keep a roomy column; in English
    # it may wrap at its spaces where they would not (Chinese keeps it on one line: 2025年佔比)
    one_line = [column(max(widest([header], bold=True), figures)) for header, figures in derived]
    wrapped = [column(max(longest_word(header, bold=True), figures)) for header, figures in derived]
    columns = [column(text) for text in texts]
    columns += one_line if lang.chinese or TEXT_WIDTH - sum(columns + one_line) >= INDICATOR_ROOMY * TEXT_WIDTH \
        else wrapped
    if TEXT_WIDTH - sum(columns) < _indicator_needs(figure_rows, lang):
        return []
    surplus = TEXT_WIDTH - sum(columns) - INDICATOR_ROOMY * TEXT_WIDTH
    if surplus > 0:  # shared by the figures' columns, as the automatic layout shares it
        figure_columns = range(1, len(columns))  # not the unit's
        columns = [width + surplus / len(figure_columns) if i in figure_columns else width
                   for i, width in enumerate(columns)]
    return [""] + [f"{width:.1f}pt" for width in columns]


def _indicator_needs(rows: list[Row], lang: Language) -> float:
    """The least width of the indicators' column: its longest word (with the marks of its notes),
    and a fifth of the page, below which its labels would take a line for every word or two."""
    def label(row: Row) -> float:
        bold = row.kind == "metric"
        marks = text_width(",".join(map(str, row.notes)), NOTE_MARK_FONT, bold) if row.notes else 0.0
        return longest_word(row.label, bold=bold) + marks + indent(row.kind, row.level)

    return max(INDICATOR_LEAST * TEXT_WIDTH, column(widest([lang.gettext("Indicator")], bold=True)),
               *(label(row) for row in rows))


def _figure_width(row: Row, cell: Cell, lang: Language) -> float:
    """The width of a figure as its cell prints it: the number, its published share, its notes' marks."""
    if not row.has_values:
        return 0.0
    text = lang.gettext(cell.text) if cell.value == NOT_APPLICABLE else cell.text
    if cell.share is not None:
        text += f" ({cell.share.text}%)"
    width = text_width(text, TABLE_FONT)
    if cell.notes:
        width += text_width(",".join(str(n) for n in cell.notes), NOTE_MARK_FONT)
    return width


def _number_notes(groups: list[list[Row]], notes: _Notes) -> list[tuple[int, str]]:
    """Numbers the table's notes 1, 2, 3... in the order a reader meets their marks (row by row,
    the label's marks before its figures'), so the marks read in numeric order and the notes
    under the table follow them; a note several tables cite is printed under each, numbered
    where it stands. Returns the notes as printed: (number, text)."""
    renumbered: dict[int, int] = {}
    for row in (row for group in groups for row in group):
        for mark in [*row.notes, *(m for cell in row.cells for m in cell.notes)]:
            renumbered.setdefault(mark, len(renumbered) + 1)
    for row in (row for group in groups for row in group):
        row.notes = sorted(renumbered[m] for m in row.notes)
        for cell in row.cells:
            cell.notes = sorted(renumbered[m] for m in cell.notes)
    note_id = {number: note for note, number in notes.numbers.items()}
    return [(new, notes.texts[note_id[old]]) for old, new in renumbered.items()]


def _change(series: Series, years: list[int], in_points: bool = False) -> Decimal | None:
    """The change on the prior year: in percent, or in percentage points for a percentage."""
    if len(years) < 2:
        return None
    now, before = series.get(years[0]), series.get(years[1])
    if now is None or before is None or not is_number(now.value) or not is_number(before.value):
        return None
    if in_points:
        change = (now.value - before.value).quantize(Decimal("0.1"))
    elif before.value == 0:
        return None
    else:
        change = percent(now.value - before.value, before.value)
    return change.copy_abs() if change.is_zero() else change  # rounded to nothing: no sign (never "-0.0")


def _by(lang: Language, axis, within: bool = False) -> str:
    """The heading of a breakdown's rows: 'By gender', 'Of which, by age group'."""
    name = lang.in_text(lang.label(axis))
    # Translators: the heading of a breakdown's rows in the data tables; axis is the catalogue's
    # name of the breakdown (gender, age group), in English lower case
    return lang.gettext("Of which, by %(axis)s", axis=name) if within else lang.gettext("By %(axis)s", axis=name)


def _metric_rows(loaded: Loaded, metric: Metric, figs: MetricFigures, years, notes: _Notes,
                 lang: Language) -> list[Row]:
    catalogue = loaded.catalogue
    _ = lang.gettext
    unit = lang.label(catalogue.units[figs.unit])
    common = {"metric": metric.id, "unit": figs.unit}
    marks = [note for note in figs.footnotes if isinstance(note, str)]
    on_part = [note for note in figs.footnotes if not isinstance(note, str)]
    if figs.converted:
        reported = lang.label(catalogue.units[figs.reported_unit])
        as_reported = lang.separator("; ").join(_("%(figure)s (%(year)s)", figure=format_number(v), year=y)
                                                for y, v in sorted(figs.reported.items(), reverse=True))
        marks.append(notes.add(f"converted-{metric.id}", _(
            "Reported in %(reported)s: %(figures)s; converted to %(unit)s (1 %(reported)s = %(factor)s %(unit)s).",
            reported=reported, figures=as_reported, unit=unit,
            factor=format_number(significant(factor(figs.reported_unit), 6)))))
    for r in loaded.data.restatements:
        if r.metric == metric.id:
            what = ""
            if r.axis:
                axis = catalogue.axes[r.axis]
                # the member as the YAML names it; in Chinese, an explicit member by its Chinese label
                member = (_member_label(loaded, lang, axis, r.member)
                          if lang.chinese and (axis.typed or r.member in axis.members) else r.member)
                what = _(" (%(axis)s: %(member)s)", axis=lang.in_text(lang.label(axis)), member=member)
            # Translators: a note on a restated figure; breakdown is the text above (or nothing),
            # the reason the company gives follows the note
            note = (_("Restated%(breakdown)s: the %(year)s figure was published as %(figure)s %(unit)s. ",
                      breakdown=what, year=r.year, figure=format_number(r.previous), unit=unit)
                    if r.previous is not None else _("The %(year)s figure%(breakdown)s is restated: ",
                                                     year=r.year, breakdown=what))
            marks.append(notes.add(f"restated-{metric.id}-{r.axis}-{r.member}-{r.year}", Introduced(note, r.reason)))
    points = figs.unit == "%"
    rows = [Row("metric", lang.label(metric), unit,
                _noted(_cells(figs.total, years, common), on_part, None, years, notes),
                notes.marks(marks), metric.id, change=_change(figs.total, years, points), change_in_points=points)]
    derive_shares = metric.sums and not figs.has_shares
    for axis_id in figs.axes():
        rows.append(Row("axis", _by(lang, catalogue.axes[axis_id]), "", [Cell(None) for _y in years]))
        for m in figs.members_of(axis_id):
            rows.append(_member_row(loaded, m, figs.total, common, unit, on_part, years, notes, derive_shares, lang))
            for inner in figs.within_axes((m.axis, m.member)):
                rows.append(Row("axis", _by(lang, catalogue.axes[inner], within=True), "",
                                [Cell(None) for _y in years], level=2))
                for part in figs.within_members((m.axis, m.member), inner):
                    rows.append(_member_row(loaded, part, m.series, common, unit, on_part, years, notes,
                                            derive_shares, lang, level=2))
    for intensity in figs.intensities:
        if not intensity.per_unit:
            continue  # its denominator is not given: the load stage reported it
        denominator = catalogue.metrics[intensity.per]
        per = lang.per(denominator, lang.label(catalogue.units[intensity.per_unit]))
        key = common | {"per": intensity.per, "per_unit": intensity.per_unit}
        numerator = unit
        if intensity.unit:
            key["unit"], numerator = intensity.unit, lang.label(catalogue.units[intensity.unit])
        # Translators: an intensity's unit (tCO₂e per employee) and its row (Energy consumption per
        # m² of floor area); per is the catalogue's denominator_zh, which begins with 每
        per_unit = _("%(unit)s per %(per)s", unit=numerator, per=per)
        rows.append(
            Row(
                "intensity",
                _("%(metric)s per %(per)s", metric=lang.label(metric), per=per),
                per_unit,
                _cells(intensity.series, years, key),
                notes.marks(intensity.footnotes),
                metric.id,
                change=_change(intensity.series, years),
            )
        )
        for axis_id in dict.fromkeys(m.axis for m in intensity.members):
            rows.append(Row("axis", _by(lang, catalogue.axes[axis_id]), "", [Cell(None) for _y in years],
                            level=2))
            for m in (m for m in intensity.members if m.axis == axis_id):
                rows.append(_member_row(loaded, m, {}, key, per_unit, [], years, notes, False, lang, level=2))
    return rows


def _member_label(loaded: Loaded, lang: Language, axis, member: str) -> str:
    """A member's name in the language: the catalogue's label of an explicit member, the
    company's own name of a typed one (a site) as its edition in the language writes it."""
    return loaded.member_name(member) if axis.typed else lang.member(axis, member)


def _member_row(loaded: Loaded, m, total: Series, common: dict, unit: str, on_part: list, years: list[int],
                notes: "_Notes", derive_share: bool, lang: Language, level: int = 1) -> Row:
    """A member's row: its figures with their published shares, and the share of the total
    derived for the report's year where none is published."""
    axis = loaded.catalogue.axes[m.axis]
    label = _member_label(loaded, lang, axis, m.member)
    share = None
    figure, whole = m.series.get(years[0]), total.get(years[0])
    if (derive_share and figure is not None and whole is not None and is_number(figure.value)
            and is_number(whole.value) and whole.value != 0):
        share = percent(figure.value, whole.value)
    key = common | {"axis": m.axis, "member": m.member, "within": m.within}
    on_member = [n for n in on_part if (n.axis, n.member) == (m.axis, m.member) and m.within is None]
    points = common.get("unit") == "%"
    return Row("member", label, unit, _noted(_cells(m.series, years, key, m.shares), on_member, m, years, notes),
               notes.marks([n.note for n in on_member if n.year is None]),
               change=_change(m.series, years, points), change_in_points=points, share=share, level=level)


def _content_index(loaded: Loaded, tables: list[DataTable], findings: list, lang: Language) -> list[IndexGroup]:
    data = loaded.data
    sections_for: dict[str, list[Location]] = {}
    for chapter in data.chapters:
        for section in chapter.sections:
            for code in section.answers:
                sections_for.setdefault(code, []).append(Location(section.title, section.id))
    tables_for: dict[str, list[Location]] = {}
    for table in tables:
        for code in table.provisions:
            tables_for.setdefault(code, []).append(
                Location(lang.gettext("Data statistics: %(table)s", table=table.title), table.anchor))
    targets_for = {code for t in data.targets for code in t.provisions}

    groups = []
    for part in loaded.edition.parts:
        for aspect in part.aspects:
            rows = []
            for provision in aspect.provisions:
                locations = []
                if provision.answered_in:
                    locations.append(Location(lang.gettext(BUILT_IN_PARTS[provision.answered_in]),
                                              provision.answered_in))
                locations += sections_for.get(provision.code, [])
                if provision.code in targets_for:
                    locations.append(Location(lang.gettext("Targets and progress"), TARGETS_ANCHOR))
                locations += tables_for.get(provision.code, [])
                rows.append(IndexRow(provision, locations, data.omissions.get(provision.code),
                                     [f for f in findings if f.subject == provision.code],
                                     loaded.obligation(provision)))
            groups.append(IndexGroup(aspect, rows))
    return groups
