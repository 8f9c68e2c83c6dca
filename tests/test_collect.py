"""Collecting the figures: the workbooks `build-report collect` writes, filled in as sites fill
them (one re-saved by LibreOffice), read back by `build-report import` into company.yaml; and
the workbooks a site can break, each refused at its cell with nothing written."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from builder.cli import main
from builder.importer import cell_value
from builder.yamlsource import read_yaml

from .conftest import EXAMPLES, edit

EXAMPLE = EXAMPLES / "harbourline-2025"
SITES = {
    "Tsing Yi Cold Chain Centre": "sites/tsing-yi-cold-chain-centre.xlsx",
    "Kwai Chung Distribution Centre": "sites/kwai-chung-distribution-centre.xlsx",
    "Dongguan Logistics Park": "sites/dongguan-logistics-park.xlsx",
    "Tuas Fulfilment Centre": "sites/tuas-fulfilment-centre.xlsx",
}
YEARS = (2023, 2024, 2025)
FIRST_YEAR, UNIT = 7, 5  # the columns of the first year and of the unit (collect's layout)


def collect(company_yaml: Path, out: Path) -> None:
    assert main(["collect", str(company_yaml), "-o", str(out)]) == 0


def libreoffice(files: list[Path], out: Path, to: str) -> None:
    """The files opened by LibreOffice Calc, headless, and written into out as `to` says."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) comes with `make setup`"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{out / 'profile'}", "--headless", "--convert-to",
                    to, "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=180)


def libreoffice_resave(files: list[Path], out: Path) -> list[Path]:
    """The workbooks opened and saved again by LibreOffice Calc, headless, as a site using it
    would: its own XML, styles and shared strings, and the formulas calculated."""
    libreoffice(files, out, "xlsx:Calc MS Excel 2007 XML")
    saved = [out / f.name for f in files]
    assert all(f.is_file() for f in saved), "LibreOffice wrote no workbook"
    return saved


def figure_at(raw: dict, path: list, year: int):
    """The example's figure for a workbook row's key and a year."""
    node = raw["metrics"][path[0]]
    rest = path[1:]
    if rest[0] == "intensities":
        node, rest = node["intensities"][rest[1]], rest[3:]
    for part in rest:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node.get(year)


def rows(ws):
    """(row number, key) of each figure's row of a data sheet."""
    return [(r, json.loads(ws.cell(r, 1).value)) for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value]


def fill(book: Path, raw: dict, *, as_text: bool = False, litres: bool = False) -> None:
    """Every year's cell filled with the example's figure, as a site would type it: numbers (or
    text with thousands separators), water in litres where the site chose them."""
    wb = load_workbook(book)
    for ws in wb.worksheets:
        if ws.title in ("Instructions", "_collection"):
            continue
        for r, path in rows(ws):
            in_litres = litres and path[0] == "water_consumption"
            if in_litres:
                ws.cell(r, UNIT).value = "litres"
            for j, year in enumerate(YEARS):
                value = figure_at(raw, path, year)
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.cell(r, FIRST_YEAR + j).value = value
                    continue
                value = Decimal(value) * (1000 if in_litres and year == 2025 else 1)  # the unit is 2025's
                ws.cell(r, FIRST_YEAR + j).value = (f"{value:,}" if as_text else
                                                    int(value) if value == value.to_integral_value() else float(value))
    wb.save(book)


def strip_figures(company_yaml: Path) -> None:
    """The report's year taken out of every figure, and some past figures changed: what the
    import has to put back."""
    text = company_yaml.read_text(encoding="utf-8")
    text, removed = re.subn(r"\{2025: [^,}]+, ", "{", text)
    assert removed > 100
    for old, new in (("Kwai Chung Distribution Centre: {2024: 3105.8,", "Kwai Chung Distribution Centre: {2024: 3150.8,"),
                     ("values: {2024: 10310.4,", "values: {2024: 10301.4,")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    company_yaml.write_text(text, encoding="utf-8")


def facts(report_json: Path) -> set:
    """The report's facts, without the ids the build gives them: concept, dimensions, period,
    unit, value and decimals."""
    data = json.loads(report_json.read_text(encoding="utf-8"))["facts"]
    return {(json.dumps(f["dimensions"], sort_keys=True), str(f.get("value")), str(f.get("decimals")))
            for f in data.values()}


def test_collected_figures_read_back_give_the_example(tmp_path, capsys, built):
    """Done when: the workbooks of the complete example, filled for four sites and the group, one
    re-saved by LibreOffice, imported into a copy whose figures were taken out or changed, give
    the example's company.yaml back, comments and all, and it builds to the example's facts."""
    folder = tmp_path / "harbourline"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("output"))
    collected = tmp_path / "collection"
    collect(folder / "company.yaml", collected)
    assert sorted(str(p.relative_to(collected)) for p in collected.rglob("*.xlsx")) == sorted(
        ["group.xlsx", *SITES.values()])

    raw, _ = read_yaml(EXAMPLE / "company.yaml")
    fill(collected / "group.xlsx", raw)
    fill(collected / SITES["Tsing Yi Cold Chain Centre"], raw)
    fill(collected / SITES["Kwai Chung Distribution Centre"], raw, as_text=True)  # "3,012.5" as text
    fill(collected / SITES["Dongguan Logistics Park"], raw, litres=True)  # 62,800,000 litres
    fill(collected / SITES["Tuas Fulfilment Centre"], raw)
    [tsing_yi] = libreoffice_resave([collected / SITES["Tsing Yi Cold Chain Centre"]], tmp_path / "libreoffice")
    assert "LibreOffice" in zipfile.ZipFile(tsing_yi).read("docProps/app.xml").decode()

    strip_figures(folder / "company.yaml")
    workbooks = [collected / "group.xlsx", tsing_yi] + [collected / SITES[s] for s in list(SITES)[1:]]
    capsys.readouterr()
    assert main(["import", *map(str, workbooks), "--into", str(folder / "company.yaml")]) == 0
    out, err = capsys.readouterr()
    assert "changed 1" in out
    # the past figures the copy had changed are put back, and said
    assert "ghg_scope2.breakdowns.site.Kwai Chung Distribution Centre, 2024: 3150.8 -> 3105.8" in err
    assert "ghg_scope1.values, 2024: 10301.4 -> 10310.4" in err
    # a past year's: a restatement to explain; the report's year's are not
    restated = [line for line in err.splitlines() if line.endswith("a restatement, to explain under restatements")]
    assert restated and all(", 2024: " in line for line in restated), restated

    result = (folder / "company.yaml").read_text(encoding="utf-8")
    assert "# Harbourline Logistics Holdings Limited – ESG Report 2025 (a fictional company)." in result
    assert "  # --- emissions -----" in result and "board: main_board  # and not a LargeCap issuer" in result
    assert result == (EXAMPLE / "company.yaml").read_text(encoding="utf-8")  # every figure, comment and space

    assert main([str(folder / "company.yaml"), "--no-pdf", "--quiet"]) == 0
    example = built("harbourline-2025")
    for language in ("en", "zh-Hant"):
        assert facts(folder / "output" / f"report.{language}.json") == facts(
            example.edition(language) / "report.json")


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    """The example's workbooks, written once; each test takes copies."""
    out = tmp_path_factory.mktemp("collection")
    collect(EXAMPLE / "company.yaml", out)
    return out


@pytest.fixture
def target(tmp_path):
    """A copy of the example to import into."""
    folder = tmp_path / "report"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("output"))
    return folder / "company.yaml"


def site_book(collection: Path, tmp_path: Path, site: str = "Tsing Yi Cold Chain Centre") -> Path:
    copy = tmp_path / Path(SITES[site]).name
    shutil.copy(collection / SITES[site], copy)
    return copy


def refused(target: Path, capsys, *workbooks: Path) -> str:
    """The import's errors, having checked that it exits 2 and leaves company.yaml as it was."""
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["import", *map(str, workbooks), "--into", str(target)]) == 2
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".company.yaml")]  # no temporary left
    return capsys.readouterr().err


def test_the_same_yaml_gives_the_same_bytes(tmp_path):
    collect(EXAMPLE / "company.yaml", tmp_path / "a")
    time.sleep(1.1)  # openpyxl would stamp a later time into the zip and the document's properties
    collect(EXAMPLE / "company.yaml", tmp_path / "b")
    for book in ["group.xlsx", *SITES.values()]:
        assert (tmp_path / "a" / book).read_bytes() == (tmp_path / "b" / book).read_bytes(), book


def test_a_site_fills_its_own_figures_and_the_group_the_rest(collection):
    site = load_workbook(collection / SITES["Tsing Yi Cold Chain Centre"])
    assert site.sheetnames == ["Instructions", "Greenhouse gas emissions", "Energy", "Water and packaging material",
                               "Scale of operations", "_collection"]
    assert site["_collection"].sheet_state == "hidden"
    ghg = site["Greenhouse gas emissions"]
    assert [key for _, key in rows(ghg)] == [["ghg_scope2", "breakdowns", "site", "Tsing Yi Cold Chain Centre"]]
    assert [ghg.cell(5, c).value for c in range(2, 10)] == [
        "Energy indirect greenhouse gas emissions (Scope 2, location-based)", "能源間接溫室氣體排放（範圍2，按地點計算）",
        "This site\n本地點", "tCO₂e", "A1.1, A1.2, D-MT-2", 5861.3, 5702.4, None]  # 2025 is to fill in
    assert ghg.protection.sheet and not ghg.cell(5, 9).protection.locked and ghg.cell(5, 2).protection.locked
    energy = site["Energy"]  # the site's own intensity: never added up
    assert energy.cell(5, 5).value == "MWh per m² of floor area" and energy.cell(5, 9).number_format == "#,##0.000"
    water = site["Water and packaging material"]
    [units] = [dv for dv in water.data_validations.dataValidation if dv.type == "list"]
    assert "E5" in units.sqref
    lists = site["_collection"]
    column = re.search(r"\$([A-Z]+)\$", units.formula1).group(1)
    assert [lists[f"{column}{r}"].value for r in range(2, 6)] == ["m³", "litres", "tonnes", "ten thousand tonnes"]

    group = load_workbook(collection / "group.xlsx")
    keys = [key for ws in group.worksheets[1:-1] for _, key in rows(ws)]
    assert ["ghg_scope1", "values"] in keys and ["employee_turnover_rate", "values"] in keys
    assert ["fleet_diesel", "values"] in keys  # the company's own metric
    assert ["energy_consumption", "intensities", 0, "floor_area", "values"] in keys  # the group's intensity
    # summed from the sites, or from its parts: not asked of the group
    assert ["ghg_scope2", "values"] not in keys and ["water_consumption", "values"] not in keys
    assert ["ghg_scope1_2", "values"] not in keys
    assert not [key for key in keys if "site" in key[1:]]
    instructions = "\n".join(str(c.value) for c in group["Instructions"]["A"] if c.value)
    assert "Sustainability Office (esg@harbourline.example.com)" in instructions
    assert "are the sums of the sites' figures: they are not asked here" in instructions
    assert "Product and service" in group.sheetnames  # "… responsibility" is past Excel's 31 characters


def test_a_new_site_gets_a_workbook(tmp_path):
    assert main(["collect", str(EXAMPLE / "company.yaml"), "-o", str(tmp_path), "--site", "Yuen Long Depot"]) == 0
    book = load_workbook(tmp_path / "sites" / "yuen-long-depot.xlsx")
    keys = [key for ws in book.worksheets[1:-1] for _, key in rows(ws)]
    assert ["water_consumption", "breakdowns", "site", "Yuen Long Depot"] in keys


def test_filled_workbooks_are_never_overwritten(tmp_path, capsys):
    collect(EXAMPLE / "company.yaml", tmp_path)
    assert main(["collect", str(EXAMPLE / "company.yaml"), "-o", str(tmp_path)]) == 2
    assert "exist already (perhaps filled in)" in capsys.readouterr().err


def test_a_new_site_gets_its_workbook_beside_those_sent_out(tmp_path, capsys):
    """The README's `collect --site` after the first collection: the new site's workbook is
    written, the workbooks sent out (perhaps filled in already) are kept as they are."""
    collect(EXAMPLE / "company.yaml", tmp_path)
    filled = tmp_path / SITES["Tuas Fulfilment Centre"]
    wb = load_workbook(filled)
    wb["Greenhouse gas emissions"]["I5"] = 1754.2
    wb.save(filled)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.xlsx")}
    capsys.readouterr()
    assert main(["collect", str(EXAMPLE / "company.yaml"), "-o", str(tmp_path), "--site", "Yuen Long Depot"]) == 0
    out, err = capsys.readouterr()
    assert out == f"wrote {tmp_path / 'sites' / 'yuen-long-depot.xlsx'}\n"
    assert f"kept {filled}: it exists already (perhaps filled in)" in err
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize(("stored", "shown", "expected"), [
    (0.1 + 0.2, "General", "0.3"),  # 0.30000000000000004 in binary: a spreadsheet shows 15 digits
    (5480.2, "General", "5480.2"),
    (1754.2 * 3, "General", "5262.6"),
    (15820, "General", "15820"),
    (10655.0, "#,##0.0", "10655.0"),  # the places the cell shows, as the report prints them
    (0.24, "#,##0.000", "0.240"),
    (0.12, "0%", "12"),  # typed as 12%
    ("1,203", "General", "1203"),
    (" 1203 ", "General", "1203"),
    ("1,203.5", "General", "1203.5"),
    ("0.240", "General", "0.240"),
    ("Not applicable", "General", "not applicable"),
])
def test_cells_are_read_as_the_figure_typed(tmp_path, stored, shown, expected):
    wb = Workbook()
    wb.active["A1"] = stored
    wb.active["A1"].number_format = shown
    wb.save(tmp_path / "b.xlsx")
    cell = load_workbook(tmp_path / "b.xlsx")["Sheet"]["A1"]
    value, problem, _ = cell_value(cell, cell)
    assert problem is None and str(value) == expected


@pytest.mark.parametrize(("stored", "message"), [
    ("1,2O3", 'expected a number, got "1,2O3"'),
    ("1,20", 'expected a number, got "1,20"'),  # a decimal comma, or a thousands separator short of a digit?
    ("12 t", 'expected a number, got "12 t"'),
    (True, "expected a number, got TRUE"),
    (dt.datetime(2025, 1, 2), "got a date or time"),
    ("#REF!", "the cell holds the error #REF!"),
    (1e16, "too large to be a figure"),
])
def test_cells_that_are_not_figures_are_refused(tmp_path, stored, message):
    wb = Workbook()
    wb.active["A1"] = stored
    wb.save(tmp_path / "b.xlsx")
    cell = load_workbook(tmp_path / "b.xlsx")["Sheet"]["A1"]
    value, problem, _ = cell_value(cell, cell)
    assert value is None and message in problem


def test_dry_run_prints_the_diff_and_writes_nothing(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb["Greenhouse gas emissions"]["I5"] = 5480.2
    wb["Water and packaging material"]["E5"] = "litres"
    wb["Water and packaging material"]["I5"] = 58900000  # 2025 in litres: the figure company.yaml has
    wb.save(book)
    edit(target, ("Tsing Yi Cold Chain Centre: {2025: 5480.2, ", "Tsing Yi Cold Chain Centre: {"))
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["import", str(book), "--into", str(target), "--dry-run"]) == 0
    out, _ = capsys.readouterr()
    assert "-        Tsing Yi Cold Chain Centre: {2024: 5702.4, 2023: 5861.3}\n" in out
    assert "+        Tsing Yi Cold Chain Centre: {2025: 5480.2, 2024: 5702.4, 2023: 5861.3}\n" in out
    assert "would change 1 figure of" in out  # the total is as the example has it: 14215.3
    assert target.read_bytes() == before


def test_site_figures_sum_to_the_group_total(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path, "Tuas Fulfilment Centre")
    wb = load_workbook(book)
    wb["Greenhouse gas emissions"]["I5"] = 1854.2  # 100 more than the example's
    wb.save(book)
    assert main(["import", str(book), "--into", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "Tuas Fulfilment Centre: {2025: 1854.2, 2024: 1695.9, 2023: 1598.2}" in text
    assert "values: {2025: 14315.3, 2024: 14902.7, 2023: 15380.2}" in text  # Scope 2: the sites' sum
    assert "values: {2025: 24157.9, 2024: 25213.1, 2023: 26035.2}" in text  # Scope 1 and 2: its parts' sum
    out, err = capsys.readouterr()
    assert "the integrity checks find 0 errors and 1 warning in the figures" in out
    # its intensity per revenue, as published, no longer follows from it: to be given anew
    assert ("warning I08: Total greenhouse gas emissions (Scope 1 and 2) per HK$ million of revenue, 2025: the published "
            "intensity "
            "3.52 differs from 24157.9 / 6842 = 3.531") in err


def test_the_checks_run_on_the_imported_figures(collection, target, tmp_path, capsys):
    group = tmp_path / "group.xlsx"
    shutil.copy(collection / "group.xlsx", group)
    wb = load_workbook(group)
    ghg = wb["Greenhouse gas emissions"]
    assert json.loads(ghg["A5"].value) == ["ghg_scope1", "values"]
    ghg["I5"] = 9942.6  # 100 more than its sources add up to
    wb.save(group)
    capsys.readouterr()
    assert main(["import", str(group), "--into", str(target)]) == 0  # imported: the figures are the company's
    out, err = capsys.readouterr()
    assert "metrics.ghg_scope1.values.2025: error I01:" in err
    assert "the integrity checks find 1 error and" in out


def test_a_result_that_would_not_load_is_not_written(collection, target, tmp_path, capsys):
    (target.parent / "narrative" / "boundary.md").unlink()
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb["Greenhouse gas emissions"]["I5"] = 5480.3
    wb.save(book)
    err = refused(target, capsys, book)
    assert "with the imported figures, company.yaml would not load; nothing was written" in err
    assert "no file 'narrative/boundary.md'" in err


# --- hostile workbooks: each refused with its place, company.yaml untouched ---------------------


def _set(book: Path, sheet: str, cell: str, value) -> Path:
    wb = load_workbook(book)
    wb[sheet][cell] = value
    wb.save(book)
    return book


def test_every_problem_is_reported_at_once(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb["Energy"]["I5"] = "1,2O3"
    wb["Greenhouse gas emissions"]["I5"] = True
    wb["Water and packaging material"]["I5"] = dt.datetime(2025, 3, 1)
    wb.save(book)
    other = _set(site_book(collection, tmp_path, "Tuas Fulfilment Centre"), "Scale of operations", "I5", "31 000 m2")
    err = refused(target, capsys, book, other)
    name = book.name
    assert f'{book}!Energy!I5: expected a number, got "1,2O3"' in err
    assert f"{book}!'Greenhouse gas emissions'!I5: expected a number, got TRUE" in err
    assert f"{book}!'Water and packaging material'!I5: expected a number, got a date or time" in err
    assert f"{other}!'Scale of operations'!I5: expected a number, got \"31 000 m2\"" in err
    assert "4 problems in the input" in err and name


def test_merged_cells_are_refused(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb["Energy"].merge_cells("I5:J5")
    wb.save(book)
    assert f"{book}!Energy!I5: merged cells (I5:J5) in the rows the workbook is read from" in refused(target, capsys, book)


def test_extra_and_missing_sheets_are_refused(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb.create_sheet("Sheet1")["A1"] = 42
    del wb["Energy"]
    wb.save(book)
    err = refused(target, capsys, book)
    assert f"{book}!Sheet1: a sheet the collection workbook did not have" in err
    assert f"{book}: the sheet 'Energy' is missing" in err


def test_a_sheet_of_too_many_rows_is_refused(collection, target, tmp_path, capsys):
    book = _set(site_book(collection, tmp_path), "Energy", "K6000", "x")
    assert f"{book}!Energy!A1: the sheet has 6,000 rows" in refused(target, capsys, book)


def test_a_value_in_an_added_row_is_refused(collection, target, tmp_path, capsys):
    book = _set(site_book(collection, tmp_path), "Energy", "I9", 0.5)
    assert f"{book}!Energy!I9: a value outside the rows of the collection workbook" in refused(target, capsys, book)


def test_a_changed_key_and_a_unit_of_another_kind_are_refused(collection, target, tmp_path, capsys):
    book = site_book(collection, tmp_path)
    wb = load_workbook(book)
    wb["Energy"]["A5"] = "energy"
    wb["Water and packaging material"]["E5"] = "kg"
    wb["Water and packaging material"]["I5"] = 58900
    wb.save(book)
    err = refused(target, capsys, book)
    assert f"{book}!Energy!A5: the row's key (the hidden column A) was changed" in err
    assert f"{book}!'Water and packaging material'!E5: 'kg' is not a unit of total water consumption" in err


def test_a_workbook_given_twice_is_refused(collection, target, tmp_path, capsys):
    book = _set(site_book(collection, tmp_path), "Energy", "I5", 0.39)
    again = tmp_path / "again.xlsx"
    shutil.copy(book, again)
    err = refused(target, capsys, book, again)
    # one problem, not one for each figure the two copies share
    assert err.splitlines()[1:] == [f"  {again}: Tsing Yi Cold Chain Centre's workbook again: {book} is Tsing Yi Cold "
                                    "Chain Centre's workbook too; give one of them"], err


def test_the_group_workbook_sent_and_returned_is_one_problem(collection, target, tmp_path, capsys):
    """The README's `import collection/group.xlsx returned/*.xlsx` with the returned group workbook
    among the returned ones: said once, with the problems of the cells beside it."""
    returned = tmp_path / "returned"
    returned.mkdir()
    shutil.copy(collection / "group.xlsx", returned / "group.xlsx")
    _set(returned / "group.xlsx", "Energy", "I5", "1,2O3")
    err = refused(target, capsys, collection / "group.xlsx", returned / "group.xlsx")
    assert err.splitlines()[0] == "error: 2 problems in the input:", err
    assert f"{returned / 'group.xlsx'}: the group's workbook again: {collection / 'group.xlsx'} is the group's " \
           "workbook too; give one of them" in err
    assert f'{returned / "group.xlsx"}!Energy!I5: expected a number, got "1,2O3"' in err


def test_a_workbook_of_another_year_is_refused(collection, target, tmp_path, capsys):
    book = _set(site_book(collection, tmp_path), "Energy", "I5", 0.39)
    edit(target, ("  financial_year: 2025\n", "  financial_year: 2026\n"))
    assert f"{book}: the workbook collects the figures of 2025; company.yaml reports 2026" in refused(
        target, capsys, book)


def test_formulas_count_by_their_saved_result(collection, target, tmp_path, capsys):
    """A formula LibreOffice calculated is read by its result; an error it gives, and a formula no
    program calculated, are refused."""
    good = _set(site_book(collection, tmp_path), "Greenhouse gas emissions", "I5", "=5000+480.2")
    bad = site_book(collection, tmp_path, "Tuas Fulfilment Centre")
    wb = load_workbook(bad)
    wb["Greenhouse gas emissions"]["I5"] = "=1754.2/0"
    wb["Water and packaging material"]["I5"] = "=#REF!+1"
    wb.save(bad)
    uncalculated = _set(site_book(collection, tmp_path, "Dongguan Logistics Park"), "Energy", "I5", "=0.1+0.091")
    good, bad = libreoffice_resave([good, bad], tmp_path / "libreoffice")
    err = refused(target, capsys, good, bad, uncalculated)
    assert f"{bad}!'Greenhouse gas emissions'!I5: the formula =1754.2/0 gives the error #DIV/0!" in err
    assert f"{bad}!'Water and packaging material'!I5: the formula" in err and "#REF!" in err
    assert f"{uncalculated}!Energy!I5: the formula =0.1+0.091 has no saved result" in err
    assert str(good) not in err
    capsys.readouterr()
    assert main(["import", str(good), "--into", str(target), "--dry-run"]) == 0
    assert "nothing to change" in capsys.readouterr().out  # =5000+480.2 is the 5480.2 company.yaml has


def test_a_100_mb_file_is_refused_unread(target, tmp_path, capsys):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: the size alone refuses it
    assert f"{big}: the file is 100 MB; a collection workbook is far smaller" in refused(target, capsys, big)


def test_a_zip_bomb_is_refused_from_its_directory(target, tmp_path, capsys):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                entry.write(block)
    assert bomb.stat().st_size < 1024 * 1024
    assert f"{bomb}: the workbook inflates to 200 MB (a zip bomb?)" in refused(target, capsys, bomb)


def test_what_is_not_an_xlsx_workbook_is_refused(target, tmp_path, capsys):
    csv = tmp_path / "figures.xlsx"
    csv.write_text("metric,2025\nwater,58900\n")
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    err = refused(target, capsys, csv, xls, other)
    assert f"{csv}: not an .xlsx workbook (not a zip file)" in err
    assert f"{xls}: not an .xlsx workbook: an Excel 97-2003 .xls, or one saved with a password" in err
    assert f"{other}: not a collection workbook of build-report" in err


def test_entity_expansion_in_a_workbook_is_never_expanded(collection, target, tmp_path, capsys):
    """A billion laughs (ten thousand million characters from a few hundred bytes): in the shared
    strings, lxml leaves the entities unexpanded; in a sheet, defusedxml refuses the workbook."""
    entities = ('<!DOCTYPE {root} [<!ENTITY a "aaaaaaaaaa">'
                + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")
    book = site_book(collection, tmp_path)

    def with_laughs(name: str, part: str, root: str) -> Path:
        bomb = tmp_path / name
        with zipfile.ZipFile(book) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == part:
                    head, _, rest = data.rpartition(b"?>") if data.startswith(b"<?xml") else (b"", b"", data)
                    data = head + (b"?>" if head else b"") + entities.format(root=root).encode() + rest
                    data = data.replace(b"</sst>", b"<si><t>&j;</t></si></sst>")
                out.writestr(info, data)
        return bomb

    strings = with_laughs("strings.xlsx", "xl/sharedStrings.xml", "sst")
    started = time.monotonic()
    capsys.readouterr()
    assert main(["import", str(strings), "--into", str(target), "--dry-run"]) == 0  # expanded, it would need 10 GB
    assert "nothing to change" in capsys.readouterr().out and time.monotonic() - started < 30
    sheet = with_laughs("sheet.xlsx", "xl/worksheets/sheet2.xml", "worksheet")
    assert f"{sheet}: the workbook cannot be read: its XML declares entities" in refused(target, capsys, sheet)


def test_sums_keep_the_places_company_yaml_writes():
    """A site's 2.50 in company.yaml is 2.50 in the sum: ruamel's float alone would say 2.5."""
    from ruamel.yaml import YAML

    from builder.importer import _decimal

    figures = YAML().load("[1.50, 2.50, 0.240, 10655.0, 12, -0.50]")
    assert [str(_decimal(v)) for v in figures] == ["1.50", "2.50", "0.240", "10655.0", "12", "-0.50"]
    assert str(_decimal(figures[0]) + _decimal(figures[1])) == "4.00"


def test_a_printed_workbook_shows_every_word_and_every_column(collection, tmp_path):
    """A site may print the form to fill it in by hand: printed by LibreOffice, the instructions
    are whole (their rows as tall as their text, the column as wide as the page) and each
    topic's rows keep every column on the page, down to the notes on how it is measured."""
    import openpyxl

    book = site_book(collection, tmp_path)
    libreoffice([book], tmp_path, "pdf")
    printed = subprocess.run(["pdftotext", "-layout", str(book.with_suffix(".pdf")), "-"], capture_output=True,
                             text=True, check=True).stdout
    pages = printed.split("\f")
    flowing = " ".join(printed.split())
    instructions = openpyxl.load_workbook(book)["Instructions"]
    for (text,) in instructions.iter_rows(values_only=True):
        if text:
            assert " ".join(text.split()) in flowing, text
    headings = [line for page in pages for line in page.splitlines() if "Breakdown" in line and "Provisions" in line]
    assert len(headings) == len(instructions.parent.sheetnames) - 2, headings  # a topic a page; not the hidden sheet
    for heading in headings:  # every column of the row of headings on the page
        assert re.search(r"Metric +指標 +Breakdown +Unit of 2025 +Provisions +2023 +2024 +2025 +Comments +How it is "
                         "measured", heading), heading
