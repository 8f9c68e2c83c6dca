"""The integrity and completeness checks: each one tripped by a YAML that breaks it."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from builder.check import run_checks
from builder.cli import main
from builder.load import load

from .conftest import edit, output_of

COMPLETE = "harbourline-2025"


def findings_of(folder):
    return [(f.code, f.severity, f.message) for f in run_checks(load(folder / "company.yaml"))]


def test_the_complete_example_passes_every_check_under_strict(example_copy, capsys):
    folder = example_copy(COMPLETE)
    assert findings_of(folder) == []
    assert main(["check", str(folder / "company.yaml"), "--strict"]) == 0
    assert "69 provisions, 0 errors, 0 warnings" in capsys.readouterr().out


CASES = [
    ("I01-breakdown", [("mobile_combustion: {2025: 4523.4", "mobile_combustion: {2025: 4623.4")],
     ("I01", "error", "Direct greenhouse gas emissions (Scope 1), 2025: the total 9842.6 differs from its breakdown "
      "by emission source, 9942.6")),
    ("I01-sum-of", [("values: {2025: 24057.9,", "values: {2025: 24157.9,")],
     ("I01", "error", "Total greenhouse gas emissions (Scope 1 and 2), 2025: the total 24157.9 differs from the sum "
      "of Direct greenhouse gas emissions (Scope 1) and Energy indirect greenhouse gas emissions (Scope 2, "
      "location-based), 24057.9")),
    ("I01-unit", [("  ghg_scope2:\n    unit: tCO2e\n", "  ghg_scope2:\n    unit: kgCO2e\n")],  # a unit mistaken
     ("I01", "error", "Total greenhouse gas emissions (Scope 1 and 2), 2025: the total 24057.9 differs from the sum "
      "of Direct greenhouse gas emissions (Scope 1) (9842.6 tCO₂e) and Energy indirect greenhouse gas emissions "
      "(Scope 2, location-based) (14215.3 kgCO₂e = 14.2153 tCO₂e), 9856.8153")),
    ("I02", [("Southeast Asia: {2025: 424, 2024: 388, 2023: 348}", "Southeast Asia: {2024: 388, 2023: 348}")],
     ("I02", "error", "Total workforce, 2025: the breakdown by geographical region lacks Southeast Asia, so it does "
      "not cover the total")),
    ("I03", [("female: {2025: 17.2, 2024: 18.5", "female: {2025: 117.2, 2024: 18.5")],
     ("I03", "error", "Employee turnover rate, 2025: 117.2% is outside 0–100")),
    ("I04", [("  work_fatalities:\n    unit: persons\n    values: {2025: 0,",
              "  work_fatalities:\n    unit: persons\n    values: {2025: -1,")],
     ("I04", "error", "Work-related fatalities, 2025: -1 is negative, which a physical quantity cannot be; check the sign")),
    ("I05", [("    unit: HKD million\n    values: {2025: 6842, 2024: 6415, 2023: 6022}",
              "    unit: HKD million\n    values: {2025: 6842, 2024: 6415}")],
     ("I05", "error", "Total greenhouse gas emissions (Scope 1 and 2) per HK$ million of revenue, 2023: the denominator revenue "
      "has no figure for 2023, so the intensity cannot be read or checked")),
    ("I08", [("        values: {2025: 3.52, 2024: 3.93, 2023: 4.32}", "        values: {2025: 3.62, 2024: 3.93, 2023: 4.32}")],
     ("I08", "warning", "Total greenhouse gas emissions (Scope 1 and 2) per HK$ million of revenue, 2025: the "
      "published intensity 3.62 differs from 24057.9 / 6842 = 3.516; check the intensity or the figures")),
    ("I08-site", [("            Tsing Yi Cold Chain Centre: {2025: 0.390,", "            Tsing Yi Cold Chain Centre: {2025: 0.290,"),
                  # the energy by site, to check the sites' intensities against: Tsing Yi's 2025 figure is 24,180 MWh
                  ("        lpg: {2025: 400, 2024: 390, 2023: 380}\n",
                   "        lpg: {2025: 400, 2024: 390, 2023: 380}\n      site:\n"
                   "        Tsing Yi Cold Chain Centre: {2025: 24180}\n        Others: {2025: 27580}\n")],
     ("I08", "warning", "Total energy consumption per m² of floor area, Tsing Yi Cold Chain Centre, 2025: the published "
      "intensity 0.290 differs from 24180 / 62000 = 0.3900; check the intensity or the figures")),
    ("C01", [("        answers: [B7, B7.1, B7.2, B7.3]", "        answers: [B7, B7.1, B7.3]")],
     ("C01", "error", "B7.2 Preventive measures and whistle-blowing (comply or explain) is neither answered by a "
      "section or the data nor explained under omissions")),
    ("C02", [("        answers: [B8, B8.1, B8.2]", "        answers: [B8, B8.1]")],
     ("C02", "warning", "B8.2 Resources contributed asks for figures and a description; the description is missing")),
    ("C03", [("omissions:\n", "omissions:\n  A2.1:\n    reason: not material\n    explanation: Energy is not material.\n")],
     ("C03", "warning", "A2.1 is explained as omitted (not material) but is also answered; remove one of the two, "
      "or say which part is omitted with part:")),
    ("C04", [("  oversight: {file: narrative/board-oversight.md}", "  oversight: The Board oversees ESG.")],
     ("C04", "warning", "MDR-13: the board statement's part 'The board's oversight of ESG issues' has 4 words in "
      "English; the "
      "Exchange expects a substantive statement")),
    ("C05", [("    intensities:\n      - per: employees\n        values: {2025: 0.0074, 2024: 0.0082, 2023: 0.0091}\n", "")],
     ("C05", "warning", "A1.3: Hazardous waste produced is given without an intensity; add "
      "intensities: [{per: ...}] with a denominator")),
    ("C06", [("    provisions: [A2.3]\n", "    provisions: [A2]\n")],
     ("C06", "warning", "A2.3 Energy use efficiency targets: no target is given; add one under targets "
      "(description, provisions, target), or explain under omissions why there is none")),
    ("C06-progress", [("    progress: {en: 9% lower than in 2020, zh-Hant: 較2020年減少9%}\n", "")],
     ("C06", "warning", "A2.3 Energy use efficiency targets: the targets give no progress; if the company "
      "published its progress, add it as progress:")),
    ("C07", [("  work_fatalities:\n    unit: persons\n    values: {2025: 0, 2024: 0, 2023: 0}",
              "  work_fatalities:\n    unit: persons\n    values: {2025: 0, 2024: 0}")],
     ("C07", "warning", "B2.1: Work-related fatalities is needed for each of the past three years; missing 2023")),
    ("C08", [("      region:\n        Hong Kong: {2025: 1094, 2024: 1071, 2023: 1052}\n"
              "        Mainland China: {2025: 968, 2024: 932, 2023: 905}\n"
              "        Southeast Asia: {2025: 424, 2024: 388, 2023: 348}\n", "")],
     ("C08", "warning", "B1.1: Total workforce is not broken down by geographical region, which B1.1 asks for")),
    ("C09-scope3", [("D-MT-1, D-MT-2, D-MT-3, D-MT-4", "D-MT-1, D-MT-2, D-MT-4"),
                    ("  ghg_scope3:\n    unit: tCO2e\n", "  ghg_scope3_removed:\n    unit: tCO2e\n")],
     None),
]


@pytest.mark.parametrize("name, replacements, expected", CASES, ids=[c[0] for c in CASES])
def test_each_check_names_what_is_wrong(example_copy, name, replacements, expected):
    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml" if "C04" not in name else folder / "company.yaml", *replacements)
    if name == "C09-scope3":
        # an unknown metric key is an input error first: remove the whole entry instead
        text = (folder / "company.yaml").read_text(encoding="utf-8")
        start = text.index("  ghg_scope3_removed:")
        end = text.index("  # --- waste")
        (folder / "company.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
        expected = ("C09", "error", "D-MT-3: Scope 3 emissions are neither reported (ghg_scope3) nor explained "
                    "under omissions")
    assert expected in findings_of(folder)


def test_removing_a_provisions_section_and_explanation_fails_check(example_copy, capsys):
    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml",
         ("        answers: [B6, B6.2, B6.3, B6.4, B6.5]", "        answers: [B6, B6.2, B6.3, B6.5]"))
    assert main(["check", str(folder / "company.yaml"), "--json", str(folder / "check.json")]) == 1
    out = capsys.readouterr()
    assert re.search(r"^B6.4 +not reported +-$", out.out, re.M)
    assert "error C01: B6.4 Quality assurance and recall (comply or explain) is neither answered" in out.err
    result = json.loads((folder / "check.json").read_text(encoding="utf-8"))
    assert result["errors"] == 1
    assert {"code": "B6.4", "obligation": "comply_or_explain", "status": "not reported", "answered_in": [],
            "omission": None} in result["provisions"]


def test_the_build_runs_the_checks_first(example_copy, capsys):
    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml", ("    provisions: [A2.3]\n", "    provisions: [A2]\n"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 0
    assert "warning C06: A2.3" in capsys.readouterr().err
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    index = html.split('id="content-index"')[1]
    assert 'id="index-A2.3"' in index and "Reported</span>" in index.split('id="index-A2.3"')[1].split("</tr>")[0]
    assert "C06" not in html and "no target is given" not in html, "advice stays with the author"
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl", "--strict", "-o", str(folder / "strict")]) == 1
    assert "the report fails its checks (1 errors or warnings (--strict))" in capsys.readouterr().err
    assert not (folder / "strict").exists()
    edit(folder / "company.yaml", ("female: {2025: 17.2, 2024: 18.5", "female: {2025: 117.2, 2024: 18.5"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl", "-o", str(folder / "bad")]) == 1
    assert not (folder / "bad").exists(), "checks run before anything is rendered or written"


def _energy_in(unit: str, factor: str) -> list[tuple[str, str]]:
    """The Harbourline energy figures rewritten in another unit (factor: per MWh, as text)."""
    from decimal import Decimal

    lines = {
        "    unit: MWh\n    values: {2025: 51760, 2024: 52990, 2023: 54650}": None,
        "electricity_purchased: {2025: 32110, 2024: 33550, 2023: 34480}": None,
        "electricity_renewable_onsite: {2025: 2310, 2024: 720, 2023: 690}": None,
        "diesel: {2025: 16940, 2024: 18330, 2023: 19100}": None,
        "lpg: {2025: 400, 2024: 390, 2023: 380}": None,
        "values: {2025: 0.240, 2024: 0.245, 2023: 0.253}": None,
    }
    out = []
    for old in lines:
        new = old.replace("unit: MWh", f"unit: {unit}")
        for number in re.findall(r"(?<=: )[0-9.]+(?=[,}])", old):
            new = new.replace(f": {number}", f": {Decimal(number) * Decimal(factor)}", 1)
        out.append((old, new))
    return out


def test_figures_in_other_units_are_shown_as_reported_and_tagged_in_the_canonical_unit(example_copy):
    from builder.validate import run_arelle

    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml", *_energy_in("kWh", "1000"),
         ("    unit: t\n    values: {2025: 2140, 2024: 2205, 2023: 2260}",
          "    unit: 10k t\n    values: {2025: 0.2140, 2024: 0.2205, 2023: 0.2260}"),
         ("paper_cartons: {2025: 1310, 2024: 1350, 2023: 1380}", "paper_cartons: {2025: 0.1310, 2024: 0.1350, 2023: 0.1380}"),
         ("plastic_film: {2025: 390, 2024: 410, 2023: 425}", "plastic_film: {2025: 0.0390, 2024: 0.0410, 2023: 0.0425}"),
         ("insulation: {2025: 280, 2024: 285, 2023: 290}", "insulation: {2025: 0.0280, 2024: 0.0285, 2023: 0.0290}"),
         ("wood: {2025: 160, 2024: 160, 2023: 165}", "wood: {2025: 0.0160, 2024: 0.0160, 2023: 0.0165}"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert re.search(r"Total energy consumption<sup.*?</th>\s*<td class=\"unit\">kWh</td>\s*<td class=\"num\">51,760,000</td>", html)
    assert re.search(r"Total packaging material used for finished products<sup.*?</th>\s*<td class=\"unit\">ten thousand "
                     r"tonnes</td>\s*<td class=\"num\">0.2140</td>", html)

    def values(model):
        return {(f.concept.qname.localName, f.context.startDatetime.year, f.unit.measures[0][0].localName): f.value
                for f in model.facts if f.isNumeric and not f.context.qnameDims and f.context.isStartEndPeriod}

    facts = run_arelle(output_of(folder) / "report.xhtml", inspect=values).inspected
    assert Decimal(facts[("EnergyConsumption", 2025, "MWh")]) == Decimal("51760")
    assert Decimal(facts[("PackagingMaterial", 2025, "t")]) == Decimal("2140")


def test_a_figure_in_gj_is_shown_and_tagged_in_gj_as_published(example_copy):
    from builder.validate import run_arelle

    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml", *_energy_in("GJ", "3.6"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert re.search(r"Total energy consumption<sup.*?</th>\s*<td class=\"unit\">GJ</td>\s*<td class=\"num\">186,336.0</td>", html)
    assert "Reported in GJ" not in html

    def values(model):
        return {(f.concept.qname.localName, f.context.startDatetime.year, f.unit.measures[0][0].localName): f.value
                for f in model.facts if f.isNumeric and not f.context.qnameDims and f.context.isStartEndPeriod}

    facts = run_arelle(output_of(folder) / "report.xhtml", inspect=values).inspected
    assert Decimal(facts[("EnergyConsumption", 2025, "GJ")]) == Decimal("186336.0")


def test_a_unit_of_the_wrong_kind_is_refused(example_copy):
    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml", ("    unit: MWh\n    values: {2025: 51760", "    unit: t\n    values: {2025: 51760"))
    with pytest.raises(Exception) as caught:
        load(folder / "company.yaml")
    assert "metrics.energy_consumption.unit: 't' is not allowed here; expected 'MWh', \"'000 kWh\", 'kWh' or 'GJ'" \
        in str(caught.value)


def test_a_prior_year_figure_that_changed_must_be_restated(example_copy, capsys):
    folder = example_copy(COMPLETE)
    yaml_file = folder / "company.yaml"
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert "Restated: the 2024 figure was published as 158 cases. Five complaints" in html

    edit(yaml_file, ("    previous: 158\n", "    previous: 160\n"))
    assert ("I06", "warning", "Product and service related complaints received, 2024: the restatement says 160 was "
            "published, but last year's report has 158") in findings_of(folder)

    # the figure as first published is often not at hand: the reason is what a restatement needs
    edit(yaml_file, ("    previous: 160\n", ""))
    assert not [f for f in findings_of(folder) if f[0] == "I06"]
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 0
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    assert "The 2024 figure is restated: Five complaints" in html

    text = yaml_file.read_text(encoding="utf-8")
    start, end = text.index("restatements:\n"), text.index("omissions:\n")
    yaml_file.write_text(text[:start] + text[end:], encoding="utf-8")
    assert ("I06", "warning", "Product and service related complaints received, 2024: 163 differs from the 158 "
            "published last year; give it under restatements with its reason") in findings_of(folder)


def test_a_target_goes_in_as_published_without_status_progress_or_year(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("footnotes:\n", "targets:\n  - id: paperless\n    provisions: [A1.6]\n"
                                   "    description: Move all customer statements online\n"
                                   "    target: {text: every statement paperless}\n\nfootnotes:\n"))
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    assert "warning C06: A1.6 Waste handling and reduction: the targets give no progress" in capsys.readouterr().err
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    table = html.split('id="targets-caption"')[1].split("</table>")[0]
    assert "Move all customer statements online" in table and "every statement paperless" in table
    assert ">Status<" not in table and ">Progress in" not in table, "no column the company did not publish"


def test_part_of_a_provision_explained_while_the_rest_is_answered(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("\nfootnotes:\n", "\nomissions:\n  A1.1:\n    part: air pollutants (NOx, SOx, "
                                   "particulates)\n    reason: not material\n    explanation: An office-based business "
                                   "emits no air pollutants of note.\nfootnotes:\n"))
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    assert "C03" not in capsys.readouterr().err
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    row = html.split('id="index-A1.1"')[1].split("</tbody>")[0]
    assert "Reported, in part explained" in row and "Emission management" in row
    assert "Not reported in part (air pollutants (NOx, SOx, particulates)): not material." in row
    # a partial omission does not explain the whole: a provision answered nowhere else still fails
    edit(folder / "company.yaml", ("answers: [A1, A1.1, A1.5, A1.6, A3, A3.1]", "answers: [A1, A1.1, A1.5, A1.6, A3]"),
         ("omissions:\n", "omissions:\n  A3.1:\n    part: biodiversity\n    reason: not material\n"
                            "    explanation: No site borders a protected area.\n"))
    assert [f[:2] for f in findings_of(folder) if f[2].startswith("A3.1")] == [("C01", "error")]


def test_an_intensity_goes_in_as_published_without_its_denominator(example_copy, capsys):
    """Reports give intensities per m² or per person without the floor area or headcount."""
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    published = ("      - per: employees\n        values: {2021: 43.96}\n",
                 "      - per: employees\n        values: {2021: 43.96}\n"
                 "      - per: floor_area\n        per_unit: m2\n        values: {2021: 2.6}\n")
    edit(yaml_file, published)
    assert main([str(yaml_file), "--no-pdf"]) == 0
    assert "I05" not in capsys.readouterr().err
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    water = html.split('id="data-water"')[1].split("</table>")[0]
    assert "Total water consumption per m² of floor area</th>" in water and '<td class="num">2.6</td>' in water

    for old, new, message in [
        ("        per_unit: m2\n", "", "an intensity published without its denominator's figure needs per_unit"),
        ("        per_unit: m2\n        values: {2021: 2.6}\n", "",
         "to derive this intensity, give the denominator 'floor_area' under metrics"),
        ("        per_unit: m2\n", "        per_unit: kg\n", "the unit of floor_area: one of"),
    ]:
        text = yaml_file.read_text(encoding="utf-8")
        edit(yaml_file, (old, new))
        assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
        assert message in capsys.readouterr().err
        yaml_file.write_text(text, encoding="utf-8")
    edit(yaml_file, ("      - per: employees\n        values: {2021: 43.96}\n", "      - per: employees\n"
                     "        per_unit: persons\n        values: {2021: 43.96}\n"))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
    assert "the unit comes from the figures of employees under metrics; leave per_unit out" in capsys.readouterr().err


def _water_table(folder):
    """The built report's HTML, its water table, and the cell of the 2021 water figure (93,600.00)."""
    html = (output_of(folder) / "report.html").read_text(encoding="utf-8")
    water = html.split('id="data-water"')[1].split("</section>")[0]
    return html, water, water.split("<td class=\"num\">93,600.00")[1].split("</td>")[0]


def test_a_footnote_on_one_years_figure_or_one_member(example_copy):
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    edit(yaml_file,
         ("    values: {2021: 93600.00}\n", "    values: {2021: 93600.00}\n    footnotes: [{note: meter, year: 2021}]\n"),
         ("        Southwest Region: {2021: 5}\n", "        Southwest Region: {2021: 5}\n    footnotes:\n"
          "      - {note: beijing, axis: region, member: North China}\n"),
         ("\nfootnotes:\n", "\nfootnotes:\n  meter: Read from the building meter.\n"
          "  beijing: Including the Beijing branch opened in 2021.\n"))
    assert main([str(yaml_file), "--no-pdf"]) == 0
    html, water, cell = _water_table(folder)
    assert 'class="note-mark"' in cell, "the marker stands at the figure"
    assert "Read from the building meter." in water
    member_row = html.split("<th scope=\"row\">North China")[1].split("</th>")[0]
    assert 'class="note-mark"' in member_row, "the marker stands at the member"
    xhtml = (output_of(folder) / "report.xhtml").read_text(encoding="utf-8")
    assert xhtml.count('toRefs="fn-water-') == 1 and 'fromRefs="' in xhtml
    edit(yaml_file, ("{note: beijing, axis: region, member: North China}", "{note: beijing, axis: region, member: Tibet}"))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2


def test_several_footnotes_on_one_figure_each_have_their_mark_and_link(example_copy):
    """Two notes on the same year's figure: both marks at the figure, both notes under the table,
    both linked to its fact (the second used to replace the first)."""
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    edit(yaml_file,
         ("    values: {2021: 93600.00}\n", "    values: {2021: 93600.00}\n"
          "    footnotes: [{note: meter, year: 2021}, {note: estimate, year: 2021}]\n"),
         ("\nfootnotes:\n", "\nfootnotes:\n  meter: Read from the building meter.\n"
          "  estimate: December estimated from November's reading.\n"))
    assert main([str(yaml_file), "--no-pdf"]) == 0
    _html, water, cell = _water_table(folder)
    assert cell.count("<a href=\"#note-water-") == 2, cell
    assert "Read from the building meter." in water and "December estimated from November" in water
    xhtml = (output_of(folder) / "report.xhtml").read_text(encoding="utf-8")
    assert xhtml.count('toRefs="fn-water-') == 2


def test_a_change_rounded_to_nothing_shows_no_sign():
    """0.0045% one year, 0.00% the next: the change is 0.0 points, not -0.0."""
    from decimal import Decimal

    from builder.compute import _change
    from builder.derive import Figure

    def series(now: str, before: str):
        return {2025: Figure(Decimal(now), ()), 2024: Figure(Decimal(before), ())}

    assert str(_change(series("0.00", "0.0045"), [2025, 2024], in_points=True)) == "0.0"
    assert str(_change(series("100.04", "100.05"), [2025, 2024])) == "0.0"
    assert str(_change(series("90", "100"), [2025, 2024])) == "-10.0"


def test_the_published_report_holds_no_advice_meant_for_the_yaml_author():
    """The checks' findings ('add a target under targets ...') are for the preparer: the content
    index shows the reader the status and the company's explanations only."""
    from builder.compute import compute
    from builder.render import render_html

    from .conftest import EXAMPLES

    for name in ("360digitech-2021", "kuaishou-2020"):
        loaded = load(EXAMPLES / name / "company.yaml")
        findings = run_checks(loaded)
        assert len(findings) >= 5
        html = render_html(loaded, compute(loaded, findings))
        for finding in findings:
            assert finding.message[:60] not in html, finding.message


def test_published_intensities_against_their_figures_in_the_real_reports():
    """I08 on two published reports: Kuaishou's 619.11 kg of non-hazardous waste per person is
    1.33 ten thousand tonnes over 21,499 people within the rounding of the 1.33 (618.6 kg, give
    or take 2.3); 360 DigiTech's 0.01 tonnes of hazardous waste per employee is not 0.12 tonnes
    over 2,129 employees, as published."""
    from .conftest import EXAMPLES

    kuaishou = [f for f in findings_of(EXAMPLES / "kuaishou-2020") if f[0] == "I08"]
    digitech = [f for f in findings_of(EXAMPLES / "360digitech-2021") if f[0] == "I08"]
    assert kuaishou == []
    assert digitech == [("I08", "warning", "Hazardous waste produced per employee, 2021: the published intensity 0.01 "
                         "differs from 0.12 / 2129 = 0.00005636; check the intensity or the figures")]


def test_last_years_report_must_be_last_years(example_copy, capsys):
    """report.previous is compared as the year before's report: one of two years back (the example
    copied for a new year, its previous file kept) is named, not compared as if it were."""
    folder = example_copy(COMPLETE)
    edit(folder / "company.yaml", ("  financial_year: 2025", "  financial_year: 2026"))
    assert main(["check", str(folder / "company.yaml")]) == 2
    assert ("report.previous: 'previous/company-2024.yaml' is the report of 2024; last year's report is that of "
            "2025") in capsys.readouterr().err
