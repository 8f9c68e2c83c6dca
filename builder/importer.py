"""Import stage: the figures of filled collection workbooks, written into company.yaml.

Each workbook is checked before anything is read from it (its size, and its zip's central
directory: the sizes it declares and how far they inflate) and then read in a child process
bounded in time and memory (builder.bounded), with defusedxml guarding openpyxl's XML parsing.
Every cell is read as Decimal from what the spreadsheet stored: a number through the 15
significant digits a spreadsheet keeps (0.1 + 0.2 is 0.3, 5480.2 stays 5480.2), with the
decimal places the cell shows (0.240); a number stored as text where it is unambiguous
("1,203", " 1203 "); a formula by its saved result. Every problem of every workbook is
gathered, each with its workbook, sheet and cell, and reported at once; then nothing is written.

The figures go into company.yaml through ruamel.yaml's round trip, which keeps its comments,
key order and flow style; a figure equal to the one there is left as written. A site's
figures fill its member of the site breakdown, and the group total of a metric the catalogue
says adds up is the sum of the sites'; a metric that sums others (Scope 1 and 2) is their sum.
The result must load as any company.yaml does (builder.load) before it replaces the file,
atomically, in its folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .bounded import Exceeded, run_bounded
from .catalogue import Catalogue
from .collect import (
    FIRST_ROW, FIRST_YEAR, FORMAT, HEADER_ROW, INSTRUCTIONS, KEY, META, SITE, UNIT, computed_sum,
    convertible_units,
)
from .errors import InputError, Problem
from .numbers import decimal_places
from .schema import MAX_MAGNITUDE, MAX_PLACES, NOT_APPLICABLE, shorten

# Bounds on a workbook: a filled collection workbook is tens of kilobytes, a group's with a few
# thousand rows well under a megabyte.
MAX_FILE = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all the zip's entries inflated
MAX_RATIO = 100  # how far an entry of more than a megabyte may inflate; XML compresses 5 to 20 times
MAX_ENTRIES = 1000
MAX_SHEETS = 50
MAX_ROWS = 5000
MAX_COLUMNS = 30
READ_SECONDS = 60
READ_MEMORY = 1024**3

_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_PLACES_SHOWN = re.compile(r"0\.(0+)")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 workbook, or an encrypted .xlsx


@dataclass(frozen=True)
class Cell:
    """A figure as a workbook gives it."""

    path: tuple  # below metrics, as collect wrote it
    year: int
    value: Decimal | str  # a number or NOT_APPLICABLE
    unit: str  # the unit cell as written (a label or a code); "": company.yaml's (a fixed unit, a past year)
    place: Problem  # its workbook and cell, without a message
    unit_place: Problem
    percent: bool = False  # a cell formatted as a percentage: 12% is stored 0.12


@dataclass
class Filled:
    """What one workbook gives."""

    label: str  # the workbook as the user named it
    meta: dict[str, str]
    cells: list[Cell] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (place, text)
    problems: list[Problem] = field(default_factory=list)  # of its cells: reported with the rest


@dataclass(frozen=True)
class Change:
    path: tuple
    year: int
    old: object
    new: object
    place: str

    @property
    def yaml_path(self) -> tuple:
        """Where the figure stands in company.yaml (an intensity's row key names its denominator
        after the intensity's index, which the YAML does not)."""
        path = ("metrics", *self.path)
        if len(path) > 4 and path[2] == "intensities":
            path = path[:4] + path[5:]
        return path


@dataclass
class Imported:
    text: str  # company.yaml as it would be
    original: str
    changes: list[Change]
    notes: list[str]
    comments: list[tuple[str, str]]
    year: int | None = None  # the report's financial year: a change of an earlier year is a restatement

    def diff(self, name: str) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(True), self.text.splitlines(True),
                                            fromfile=name, tofile=f"{name} (imported)"))


# --- reading a workbook --------------------------------------------------------------------


def check_archive(path: Path, label: str) -> list[Problem]:
    """What can be seen of a workbook before opening it: its size, and its zip's central
    directory (how much its entries declare they inflate to), so that a zip bomb is never
    inflated."""
    where = Problem("", Path(label))
    try:
        if not path.is_file():
            return [replace(where, message="no such workbook" if not path.exists() else "not a file")]
        size = path.stat().st_size
    except OSError as e:
        return [replace(where, message=f"cannot be read: {e.strerror}")]
    if size > MAX_FILE:
        return [replace(where, message=f"the file is {size / 1024**2:,.0f} MB; a collection workbook is far smaller "
                                       f"(at most {MAX_FILE // 1024**2} MB is read)")]
    with path.open("rb") as f:
        start = f.read(8)
    if start == _OLE:
        return [replace(where, message="not an .xlsx workbook: an Excel 97-2003 .xls, or one saved with a password; "
                                       "save it as an Excel workbook (.xlsx) without a password")]
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [replace(where, message="not an .xlsx workbook (not a zip file); save it as an Excel workbook (.xlsx)")]
    if len(entries) > MAX_ENTRIES:
        return [replace(where, message=f"the workbook holds {len(entries):,} parts; a collection workbook has a few "
                                       f"dozen (at most {MAX_ENTRIES:,} are read)")]
    names = [e.filename for e in entries]
    if len(set(names)) != len(names):
        return [replace(where, message="the workbook's zip holds two parts of one name: it is damaged")]
    if any(e.flag_bits & 0x1 for e in entries):
        return [replace(where, message="the workbook is encrypted; save it without a password")]
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED:
        return [replace(where, message=f"the workbook inflates to {total / 1024**2:,.0f} MB (a zip bomb?); a "
                                       f"collection workbook inflates to far less (at most "
                                       f"{MAX_UNCOMPRESSED // 1024**2} MB is read)")]
    for e in entries:
        if e.file_size > 1024**2 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            return [replace(where, message=f"the part {e.filename} inflates {e.file_size // max(e.compress_size, 1):,} "
                                           f"times (a zip bomb?); at most {MAX_RATIO} is read")]
    return []


def read_workbook(path: str, label: str) -> Filled:
    """The figures of a filled collection workbook, and the problems of its cells; InputError
    where it cannot be read at all. Meant to run in a bounded child process (see read)."""
    from openpyxl import load_workbook

    where = Path(label)
    try:
        formulas = load_workbook(path, data_only=False)
        values = load_workbook(path, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises anything on a damaged file
        if any(type(c).__module__.startswith("defusedxml") for c in _chain(e)):  # EntitiesForbidden, DTDForbidden
            raise InputError(Problem("the workbook cannot be read: its XML declares entities, which no spreadsheet "
                                     "program writes (they can expand a few bytes into gigabytes)", where)) from None
        raise InputError(Problem(f"the workbook cannot be read ({type(e).__name__}); save it again as an Excel "
                                 "workbook (.xlsx)", where)) from None
    problems: list[Problem] = []
    if len(values.sheetnames) > MAX_SHEETS:
        raise InputError(Problem(f"the workbook has {len(values.sheetnames)} sheets; a collection workbook has "
                                 f"at most {MAX_SHEETS}", where))
    meta = _meta(values, where)
    filled = Filled(label, meta)
    try:
        topics = json.loads(meta.get("sheets", ""))
        years = [int(y) for y in meta.get("years", "").split(",")]
        assert isinstance(topics, list) and all(isinstance(t, str) for t in topics) and years
    except (ValueError, AssertionError):
        raise InputError(Problem(f"the hidden sheet {META} was changed: it no longer says what the workbook "
                                 "collects; fill in a workbook as `build-report collect` wrote it", where)) from None
    expected = [INSTRUCTIONS, *topics, META]
    for name in values.sheetnames:
        if name not in expected:
            problems.append(Problem("a sheet the collection workbook did not have; its figures would not be read: "
                                    "move them onto the workbook's own sheets, and delete it", where, cell=_sheet(name)))
    for name in topics:
        if name not in values.sheetnames:
            problems.append(Problem(f"the sheet {name!r} is missing: its figures cannot be read", where))
            continue
        _read_sheet(formulas[name], values[name], where, years, filled, problems)
    filled.problems = problems
    return filled


def _one_of_each(filled: list[Filled], problems: list[Problem]) -> list[Filled]:
    """The workbooks, each workbook once: the same site's (or the group's) given twice, as the one
    sent out and the one returned, is one problem, not one for each of its figures."""
    first: dict[tuple, Filled] = {}
    for book in filled:
        whose = (book.meta.get("workbook"), book.meta.get("site"))
        if whose in first:
            what = f"{whose[1]}'s workbook" if whose[1] else "the group's workbook"
            problems.append(Problem(f"{what} again: {first[whose].label} is {what} too; give one of them",
                                    Path(book.label)))
        else:
            first[whose] = book
    return list(first.values())


def _chain(error: BaseException):
    """The error and those it was raised from or while handling (openpyxl wraps what it meets)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _sheet(name: str) -> str:
    """A sheet's name as a reference writes it: quoted where it holds spaces or punctuation."""
    return name if re.fullmatch(r"\w+", name) else "'" + name.replace("'", "''") + "'"


def _meta(values, where: Path) -> dict[str, str]:
    if META not in values.sheetnames:
        raise InputError(Problem(f"not a collection workbook of build-report (it has no sheet {META}); fill in "
                                 "a workbook that `build-report collect` wrote", where))
    ws = values[META]
    meta = {}
    for row in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
        if isinstance(row[0], str):
            meta[row[0]] = "" if row[1] is None else str(row[1])
    if meta.get("format") != FORMAT:
        raise InputError(Problem(f"not a collection workbook this version of build-report reads (its format is "
                                 f"{shorten(meta.get('format') or 'not said')!r}); collect the figures again", where))
    return meta


def _read_sheet(ws_formulas, ws, where: Path, years: list[int], filled: Filled, problems: list[Problem]) -> None:
    from openpyxl.utils import get_column_letter

    name = _sheet(ws.title)

    def at(row: int, column: int) -> Problem:
        return Problem("", where, cell=f"{name}!{get_column_letter(column)}{row}")

    if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLUMNS:
        problems.append(replace(at(1, 1), message=f"the sheet has {ws.max_row:,} rows and {ws.max_column:,} columns; "
                                                  f"a collection sheet has at most {MAX_ROWS:,} and {MAX_COLUMNS}"))
        return
    comments = FIRST_YEAR + len(years)
    for j, year in enumerate(years):
        header = ws.cell(HEADER_ROW, FIRST_YEAR + j).value
        if str(header).strip() != str(year):
            problems.append(replace(at(HEADER_ROW, FIRST_YEAR + j), message=f"expected the column of {year} here, "
                                    f"found {shorten(str(header))!r}: columns were moved, inserted or deleted"))
            return
    for merged in ws.merged_cells.ranges:
        if merged.max_row >= HEADER_ROW:
            problems.append(replace(at(merged.min_row, merged.min_col), message=f"merged cells ({merged.coord}) in the "
                                    "rows the workbook is read from: unmerge them, one value to a cell"))
    if any(m.max_row >= HEADER_ROW for m in ws.merged_cells.ranges):
        return
    for r in range(FIRST_ROW, ws.max_row + 1):
        key = ws.cell(r, KEY).value
        inputs = [FIRST_YEAR + j for j in range(len(years))]
        if key is None:
            stray = [c for c in [*inputs, comments] if ws.cell(r, c).value not in (None, "")]
            if stray:
                problems.append(replace(at(r, stray[0]), message="a value outside the rows of the collection "
                                        "workbook (a row was added?): it would not be read; enter figures in the "
                                        "rows given"))
            continue
        path = _key(key)
        if path is None:
            problems.append(replace(at(r, KEY), message="the row's key (the hidden column A) was changed: it no "
                                                         "longer says where the row's figures go"))
            continue
        unit = ws.cell(r, UNIT)
        unit_text = unit.value if unit.protection.locked is False and isinstance(unit.value, str) else ""
        if unit.protection.locked is False and not isinstance(unit.value, str):
            problems.append(replace(at(r, UNIT), message="the unit is empty: choose the unit of the row's figures"))
            continue
        for j, year in enumerate(years):
            column = FIRST_YEAR + j
            value, problem, percent = cell_value(ws.cell(r, column), ws_formulas.cell(r, column))
            if problem:
                problems.append(replace(at(r, column), message=problem))
            elif value is not None:
                # the unit chosen is that of the report's year; past years are as reported, in
                # company.yaml's unit (a site giving this year's figure in litres leaves them be)
                unit_of_year = unit_text.strip() if year == years[-1] else ""
                filled.cells.append(Cell(path, year, value, unit_of_year, at(r, column), at(r, UNIT), percent))
        note = ws.cell(r, comments).value
        if note not in (None, ""):
            filled.comments.append((str(replace(at(r, comments), message="")).rstrip(": "), shorten(str(note), 300)))


def _key(text) -> tuple | None:
    """A row's place in company.yaml, as collect.row_key wrote it."""
    if not isinstance(text, str):
        return None
    try:
        path = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(path, list) or not 2 <= len(path) <= 8
            or not all(isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)) for p in path)):
        return None
    return tuple(path)


def cell_value(cell, formula) -> tuple[Decimal | str | None, str | None, bool]:
    """(the figure, None, is it a percentage) or (None, what is wrong, False); (None, None, False)
    for an empty cell. cell is read with its saved value, formula as written."""
    value = cell.value
    written = formula.value
    is_formula = isinstance(written, str) and written.startswith("=") and formula.data_type == "f"
    if value is None or (isinstance(value, str) and not value.strip()):
        if is_formula:
            return None, (f"the formula {shorten(written, 60)} has no saved result (the workbook was written by a "
                          "program that does not calculate): open it in Excel or LibreOffice and save it"), False
        return None, None, False
    if cell.data_type == "e" or (isinstance(value, str) and value.strip() in _ERRORS):
        what = f"the formula {shorten(written, 60)} gives" if is_formula else "the cell holds"
        return None, f"{what} the error {value}: correct it or enter the figure", False
    if isinstance(value, bool):
        return None, f"expected a number, got {'TRUE' if value else 'FALSE'}", False
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return None, (f"expected a number, got a date or time ({value}): the spreadsheet read what was typed as a "
                      "date; format the cell as a number and enter the figure again"), False
    if isinstance(value, (int, float)):
        number = _from_binary(value)
        if number is None:
            return None, f"expected a number, got {value}", False
        percent = _is_percent(cell.number_format)
        if percent:
            number = number.scaleb(2)
        return _bounded(_with_places(number, cell.number_format))
    text = " ".join(str(value).replace("\u00a0", " ").split())
    if text.lower() == NOT_APPLICABLE:
        return NOT_APPLICABLE, None, False
    if _NUMBER_TEXT.fullmatch(text):
        number = Decimal(text.replace(",", ""))
        return _bounded(_with_places(number, cell.number_format))
    return None, f'expected a number, got "{shorten(text)}"', False


_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!", "Err:502")


def _from_binary(value: int | float) -> Decimal | None:
    """A spreadsheet's number as the figure typed: spreadsheets keep 15 significant digits, so the
    binary float's 17 (0.30000000000000004 for 0.1 + 0.2) are read back through 15."""
    if isinstance(value, int):
        return Decimal(value)
    if value != value or value in (float("inf"), float("-inf")):
        return None
    number = Decimal(format(value, ".15g"))
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def _is_percent(number_format: str) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format or "")


def _with_places(number: Decimal, number_format: str) -> Decimal:
    """The figure with at least the decimal places its cell shows: 0.24 in a cell showing 0.240
    is the 0.240 the report prints, as the row's other years are."""
    match = _PLACES_SHOWN.search(re.sub(r'"[^"]*"|\\.', "", number_format or ""))
    shown = len(match.group(1)) if match else 0
    if decimal_places(number) < shown:
        return number.quantize(Decimal(1).scaleb(-shown))
    return number


def _bounded(number: Decimal) -> tuple[Decimal | None, str | None, bool]:
    if number.copy_abs() >= MAX_MAGNITUDE:
        return None, f"{shorten(str(number))} is too large to be a figure (at most 15 digits)", False
    if decimal_places(number) > MAX_PLACES:
        return None, f"{shorten(str(number))} has more than {MAX_PLACES} decimal places", False
    return number, None, False


def read(path: Path, label: str) -> Filled:
    """A workbook's figures, checked first from outside and then read in a bounded child."""
    problems = check_archive(path, label)
    if problems:
        raise InputError(problems)
    try:
        return run_bounded(read_workbook, str(path), label, seconds=READ_SECONDS, memory=READ_MEMORY)
    except Exceeded as e:
        limit = f"{READ_SECONDS} seconds" if e.what == "time" else f"{READ_MEMORY // 1024**2} MB of memory"
        raise InputError(Problem(f"reading the workbook needed more than {limit}; a collection workbook takes "
                                 "a fraction of that", Path(label))) from None


# --- into company.yaml ---------------------------------------------------------------------


def import_workbooks(company_yaml: Path, workbooks: list[tuple[Path, str]]) -> Imported:
    """company.yaml with the workbooks' figures; InputError with every problem found."""
    from .load import report_catalogue
    from .yamlsource import read_yaml

    raw, source = read_yaml(company_yaml)
    catalogue = report_catalogue(raw, source)
    problems: list[Problem] = []
    filled: list[Filled] = []
    for path, label in workbooks:
        try:
            book = read(path, label)
        except InputError as e:
            problems += e.problems
            continue
        filled.append(book)
        problems += book.problems
    report = raw.get("report") if isinstance(raw.get("report"), dict) else {}
    company = raw.get("company") if isinstance(raw.get("company"), dict) else {}
    for book in filled:
        where = Problem("", Path(book.label))
        if book.meta.get("financial year") != str(report.get("financial_year")):
            problems.append(replace(where, message=f"the workbook collects the figures of {book.meta.get('financial year')}; "
                                                   f"{company_yaml.name} reports {report.get('financial_year')}"))
        if book.meta.get("stock code") != str(company.get("stock_code")):
            problems.append(replace(where, message=f"the workbook collects the figures of {book.meta.get('company')} "
                                                   f"(stock code {book.meta.get('stock code')}), not of "
                                                   f"{company.get('name')} ({company.get('stock_code')})"))
    filled = _one_of_each(filled, problems)
    seen: dict[tuple, Cell] = {}
    for book in filled:
        for cell in book.cells:
            first = seen.setdefault((cell.path, cell.year), cell)
            if first is not cell:
                also = str(first.place).rstrip(": ")
                problems.append(replace(cell.place, message=f"the {cell.year} figure is given twice: also at {also}"))
    text = company_yaml.read_text(encoding="utf-8")
    document, dump = _round_trip(text)
    editor = _Editor(document, catalogue, problems)
    for cell in seen.values():
        editor.put(cell)
    if problems:
        raise InputError(problems)
    editor.sum_sites()
    editor.sum_metrics()
    new = dump(document)
    year = report.get("financial_year")
    return Imported(new, text, editor.changes, editor.notes, [c for book in filled for c in book.comments],
                    year if isinstance(year, int) else None)


def _round_trip(text: str):
    """The document and a function that writes it back: with the indentation that gives the file
    back as it is, where one does."""
    from ruamel.yaml import YAML

    def make(mapping: int, sequence: int, offset: int) -> YAML:
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096  # never fold a long line the file has on one
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        yaml.representer.add_representer(Decimal, _represent_decimal)
        return yaml

    def dumper(yaml):
        def dump(document) -> str:
            out = io.StringIO()
            yaml.dump(document, out)
            return out.getvalue()
        return dump

    styles = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0)]
    for style in styles:
        yaml = make(*style)
        document = yaml.load(text)
        if dumper(yaml)(document) == text:
            return document, dumper(yaml)
    yaml = make(*styles[0])
    return yaml.load(text), dumper(yaml)


def _represent_decimal(representer, value: Decimal):
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return representer.represent_scalar(tag, text)


def _flow(mapping):
    mapping.fa.set_flow_style()
    return mapping


class _Editor:
    """Puts figures into the round-trip document, creating the mappings a new figure needs in
    the places and styles company.yaml uses."""

    def __init__(self, document, catalogue: Catalogue, problems: list[Problem]):
        from ruamel.yaml.comments import CommentedMap

        self.Map = CommentedMap
        self.document, self.catalogue, self.problems = document, catalogue, problems
        self.changes: list[Change] = []
        self.notes: list[str] = []
        self.units: dict[str, str] = {}  # metric -> the unit of a metric this import adds
        if document.get("metrics") is None:
            document["metrics"] = CommentedMap()
        self.metrics = document["metrics"]

    def put(self, cell: Cell) -> None:
        path = cell.path
        metric = self.catalogue.metrics.get(path[0]) if isinstance(path[0], str) else None
        if metric is None:
            self._problem(cell, f"the row's metric {shorten(str(path[0]))!r} is not one of the report's (neither "
                                "the catalogue's nor company.yaml's extensions)")
            return
        series = self._series(cell, metric)
        if series is None:
            return
        value = self._converted(cell, metric, path)
        if value is None:
            return
        old = series.get(cell.year)
        if old is not None and _same(old, value):
            return  # as written: 0.240 stays 0.240, and the file unchanged
        _set_year(series, cell.year, value)
        shown = _decimal(old) if _is_number(old) else old  # as company.yaml writes it: 0.390, not 0.39
        self.changes.append(Change(path, cell.year, shown, value, str(cell.place).rstrip(": ")))

    def _problem(self, cell: Cell, message: str, unit: bool = False) -> None:
        self.problems.append(replace(cell.unit_place if unit else cell.place, message=message))

    def _entry(self, metric, cell: Cell):
        entry = self.metrics.get(metric.id)
        if entry is None:
            unit = self.units.setdefault(metric.id, self._unit_code(cell, metric) or "")
            if not unit:
                self._problem(cell, f"no unit for {metric.label}, which company.yaml does not have yet", unit=True)
                return None
            entry = self.Map()
            entry["unit"] = unit
            _insert_in_order(self.metrics, metric.id, entry, list(self.catalogue.metrics))
        return entry

    def _series(self, cell: Cell, metric):
        """The {year: figure} mapping the cell's figure goes into, created where needed."""
        path = cell.path
        entry = self._entry(metric, cell)
        if entry is None:
            return None
        rest = path[1:]
        try:
            if rest == ("values",):
                return self._child(entry, "values", flow=True)
            if len(rest) == 3 and rest[0] in ("breakdowns", "shares"):
                return self._member(cell, metric, entry, rest[0], rest[1], rest[2])
            if len(rest) == 6 and rest[0] == "within" and rest[3] in ("breakdowns", "shares"):
                _, outer, outer_member, part, axis, member = rest
                if not self._valid_member(cell, metric, outer, outer_member):
                    return None
                within = self._child(self._child(self._child(entry, "within"), outer), outer_member)
                return self._member(cell, metric, within, part, axis, member)
            if len(rest) >= 4 and rest[0] == "intensities" and isinstance(rest[1], int):
                return self._intensity(cell, metric, entry, rest[1], rest[2], rest[3:])
        except _Wrong as e:
            self._problem(cell, str(e))
            return None
        self._problem(cell, "the row's key (the hidden column A) was changed: it no longer says where the row's "
                            "figures go")
        return None

    def _intensity(self, cell: Cell, metric, entry, index: int, per, rest: tuple):
        intensities = entry.get("intensities")
        if not intensities or index >= len(intensities) or intensities[index].get("per") != per:
            raise _Wrong(f"company.yaml has no intensity of {metric.label} per {per} (the {index + 1}. under "
                         "intensities): collect the figures again from the company.yaml as it is")
        intensity = intensities[index]
        if rest == ("values",):
            return self._child(intensity, "values", flow=True)
        if len(rest) == 3 and rest[0] == "breakdowns":
            return self._member(cell, metric, intensity, "breakdowns", rest[1], rest[2])
        raise _Wrong("the row's key (the hidden column A) was changed: it no longer says where the row's figures go")

    def _member(self, cell: Cell, metric, parent, part: str, axis, member):
        if not self._valid_member(cell, metric, axis, member):
            return None
        return self._child(self._child(self._child(parent, part), axis), member, flow=True)

    def _valid_member(self, cell: Cell, metric, axis, member) -> bool:
        if axis not in metric.breakdowns:
            self._problem(cell, f"{metric.label} has no breakdown by {shorten(str(axis))!r}")
            return False
        known = self.catalogue.axes[axis]
        if known.typed:
            if not isinstance(member, str) or member != " ".join(member.split()) or not 1 <= len(member) <= 100:
                self._problem(cell, f"{shorten(str(member))!r} is not a name of a member of {known.label.lower()}")
                return False
        elif member not in known.members:
            self._problem(cell, f"{shorten(str(member))!r} is not a member of {known.label.lower()}")
            return False
        return True

    def _child(self, parent, key, flow: bool = False):
        child = parent.get(key)
        if child is None:
            child = _flow(self.Map()) if flow else self.Map()
            parent[key] = child
        elif not hasattr(child, "get"):
            raise _Wrong(f"company.yaml holds {shorten(str(child))!r} where a mapping of {key} is expected")
        return child

    def _unit_code(self, cell: Cell, metric) -> str | None:
        """The unit a cell's row names, as a code of the metric's kind: its code or its label."""
        for unit in self.catalogue.units_of(metric.unit_kind):
            if cell.unit in (unit.code, unit.label):
                return unit.code
        return None

    def _converted(self, cell: Cell, metric, path: tuple) -> Decimal | str | None:
        """The figure in the unit company.yaml gives the metric in: converted exactly by a power of
        ten from the unit the row chose."""
        fixed = path[1] in ("shares", "intensities") or (path[1] == "within" and path[4] == "shares")
        if fixed:
            return cell.value  # a share is a percentage, an intensity in the unit company.yaml gives it
        unit = self.metrics[metric.id].get("unit")
        if cell.percent and not str(unit) == "%":
            self._problem(cell, f"expected a figure in {self.catalogue.units[unit].label if unit in self.catalogue.units else unit}, "
                                "got a percentage (the cell is formatted as one)")
            return None
        if not cell.unit or cell.value == NOT_APPLICABLE:
            return cell.value
        given = self._unit_code(cell, metric)
        if given is None or unit not in self.catalogue.units:
            self._problem(cell, f"{shorten(cell.unit)!r} is not a unit of {metric.label.lower()}", unit=True)
            return None
        if given == unit:
            return cell.value
        if given not in convertible_units(self.catalogue, unit):
            self._problem(cell, f"{self.catalogue.units[given].label} cannot be converted exactly to "
                                f"{self.catalogue.units[unit].label}, the unit company.yaml gives "
                                f"{metric.label.lower()} in: choose one from the list", unit=True)
            return None
        shift = self.catalogue.units[given].scale - self.catalogue.units[unit].scale
        return _shifted(cell.value, shift)

    def sum_sites(self) -> None:
        """The group total of each metric that adds up, from its sites: for the years whose site
        figures this import changed."""
        touched: dict[str, set[int]] = {}
        for change in self.changes:
            if change.path[1:3] == ("breakdowns", SITE):
                touched.setdefault(change.path[0], set()).add(change.year)
        for mid, years in touched.items():
            metric = self.catalogue.metrics[mid]
            if not metric.sums:
                continue
            entry = self.metrics[mid]
            sites = entry["breakdowns"][SITE]
            for year in sorted(years):
                figures = {site: series.get(year) for site, series in sites.items()}
                given = {s: v for s, v in figures.items() if v is not None}
                missing = [s for s, v in figures.items() if v is None]
                if any(not _is_number(v) for v in given.values()):
                    self.notes.append(f"{metric.label}, {year}: not summed, as a site's figure is not applicable")
                    continue
                if missing:
                    self.notes.append(f"{metric.label}, {year}: the total sums {len(given)} of {len(figures)} sites; "
                                      f"no figure for {', '.join(missing)}")
                self._total(entry, mid, year, sum((_decimal(v) for v in given.values()), Decimal(0)),
                            "sum of the sites' figures")

    def sum_metrics(self) -> None:
        """A metric that sums others (Scope 1 and 2), for the years whose parts this import changed."""
        changed = {(c.path[0], c.year) for c in self.changes if c.path[1] == "values"}
        for metric in self.catalogue.metrics.values():
            if not computed_sum(metric, lambda mid: (self.metrics.get(mid) or {}).get("unit")):
                continue
            for year in sorted({y for mid, y in changed if mid in metric.sum_of}):
                figures = [(self.metrics[p].get("values") or {}).get(year) for p in metric.sum_of]
                if all(_is_number(v) for v in figures):
                    self._total(self.metrics[metric.id], metric.id, year,
                                sum((_decimal(v) for v in figures), Decimal(0)), "sum of its parts")

    def _total(self, entry, mid: str, year: int, total: Decimal, how: str) -> None:
        values = self._child(entry, "values", flow=True)
        old = values.get(year)
        if old is not None and _same(old, total):
            return
        _set_year(values, year, total)
        self.changes.append(Change((mid, "values"), year, old, total, how))


class _Wrong(Exception):
    pass


def _decimal(value) -> Decimal:
    """A figure of the round-trip document as the Decimal its text writes: ruamel keeps a float's
    written width, so 0.240 is 0.240 (its float alone would say 0.24)."""
    number = Decimal(str(value))
    width, dot = getattr(value, "_width", None), getattr(value, "_prec", None)
    if getattr(value, "_exp", None) is None and isinstance(width, int) and isinstance(dot, int) and dot >= 0:
        places = width - dot - 1
        if 0 <= places <= MAX_PLACES and decimal_places(number) <= places:
            return number.quantize(Decimal(1).scaleb(-places))
    return number


def _is_number(value) -> bool:
    return value is not None and not isinstance(value, str)


def _same(old, new) -> bool:
    """Whether company.yaml's figure already is the new one (0.240 is 0.24)."""
    if isinstance(new, str) or isinstance(old, str):
        return str(old).strip().lower() == str(new).strip().lower()
    try:
        return _decimal(old) == new
    except InvalidOperation:
        return False


def _shifted(value: Decimal, shift: int) -> Decimal:
    """value × 10^shift, exactly, without the zeros the shift alone adds (58,900,000 litres are
    58,900 m³, not 58,900.000)."""
    result = value.scaleb(shift)
    if result == result.to_integral_value():
        return result.quantize(Decimal(1))
    keep = max(decimal_places(value), 0)
    normal = result.normalize()
    return normal if decimal_places(normal) >= keep else result.quantize(Decimal(1).scaleb(-keep))


def _set_year(series, year: int, value) -> None:
    """A year's figure, placed among the years in the order the mapping keeps them (newest first
    in the examples)."""
    if year in series:
        series[year] = value
        return
    years = [y for y in series if isinstance(y, int)]
    newest_first = len(years) > 1 and years[0] > years[-1] or (len(years) == 1 and years[0] < year)
    position = len(series)
    for i, existing in enumerate(series):
        if isinstance(existing, int) and ((existing < year) if newest_first else (existing > year)):
            position = i
            break
    series.insert(position, year, value)


def _insert_in_order(metrics, mid: str, entry, order: list[str]) -> None:
    """A new metric after the last of company.yaml's metrics that the catalogue puts before it."""
    before = order[: order.index(mid)]
    position = 0
    for i, existing in enumerate(metrics):
        if existing in before:
            position = i + 1
    metrics.insert(position, mid, entry)


# --- writing -------------------------------------------------------------------------------


def write(company_yaml: Path, imported: Imported, dry_run: bool = False) -> None:
    """company.yaml replaced by its imported form, atomically, only if that loads as any
    company.yaml does, and only if the file is still as it was read; with dry_run, only the
    loading is tried."""
    from .load import load

    folder = company_yaml.resolve().parent
    # beside company.yaml: the narrative and images it names are found from there, and the
    # replacement is a rename within one file system
    fd, tmp_name = tempfile.mkstemp(prefix=f".{company_yaml.name}.", suffix=".import", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(imported.text)
            f.flush()
            os.fsync(f.fileno())
        try:
            load(tmp)
        except InputError as e:
            problems = [replace(p, file=company_yaml) if p.file is not None and Path(p.file).name == tmp.name else p
                        for p in e.problems]
            done = "" if dry_run else "; nothing was written"
            raise InputError([Problem(f"with the imported figures, {company_yaml.name} would not load{done} "
                                      "(the lines below are those of the imported file: see --dry-run)", company_yaml),
                              *problems]) from None
        if dry_run:
            return
        if company_yaml.read_text(encoding="utf-8") != imported.original:
            raise InputError(Problem("the file changed while the figures were imported; nothing was written: "
                                     "import again", company_yaml))
        os.chmod(tmp, company_yaml.stat().st_mode & 0o7777)
        os.replace(tmp, company_yaml)
    finally:
        tmp.unlink(missing_ok=True)
