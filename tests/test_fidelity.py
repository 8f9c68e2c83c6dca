"""A real report goes in as published: the company's own metrics, axes and members (its
extension taxonomy), breakdowns of a sub-population and of two axes at once, published shares,
per-site intensities, tagged targets, and the report package a filer submits."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import pytest
from lxml import etree

from builder.check import run_checks
from builder.cli import main
from builder.load import load
from builder.validate import run_arelle

from .conftest import edit, output_of

HARBOURLINE = "harbourline-2025"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"


def facts_of(out):
    """(concept qname, financial year, ((dimension, member), ...)) -> value, from the xBRL-JSON
    Arelle wrote (a duration's year is its start's; an instant at the end of 31 December is
    written as the next midnight)."""
    oim = json.loads((out / "report.json").read_text(encoding="utf-8"))
    facts = {}
    for fact in oim["facts"].values():
        d = dict(fact["dimensions"])
        if d["concept"] == "xbrl:note":
            continue
        concept, period = d.pop("concept"), d.pop("period")
        d.pop("entity"), d.pop("unit", None), d.pop("language", None)
        year = period[:4] if "/" in period else str(int(period[:4]) - (period[5:10] == "01-01"))
        facts[(concept, year, tuple(sorted(d.items())))] = fact["value"]
    return facts


# --- the company's own metrics, axes and members -----------------------------------------


def test_company_metrics_are_tagged_in_its_own_namespace_and_anchored(built):
    out = built(HARBOURLINE)
    facts = facts_of(out)
    fleet = {k: v for k, v in facts.items() if k[0] == "hk03619:DeliveryFleet"}
    assert fleet[("hk03619:DeliveryFleet", "2025", (("hk03619:PowertrainAxis", "hk03619:PowertrainBatteryElectricMember"),))] \
        == "126"  # an instant at 31 Dec 2025 reads as the next day in xBRL-JSON
    assert Decimal(facts[("hk03619:FleetDiesel", "2025", ())]) == 1532  # 1,532,000 litres, in m³
    schema = etree.parse(str(out / "report.xsd"))
    assert schema.getroot().get("targetNamespace") == "https://www.harbourline.example.com/xbrl/2025-12-31/esg"
    # anchored: energy consumption is wider than the fleet's diesel
    definition = etree.parse(str(out / "report-def.xml"))
    anchors = definition.xpath("//link:definitionArc[contains(@xlink:arcrole, 'wider-narrower')]",
                               namespaces={"link": LINK, "xlink": XLINK})
    assert [(a.get(f"{{{XLINK}}}from"), a.get(f"{{{XLINK}}}to")) for a in anchors] == \
        [("loc_EnergyConsumption", "loc_FleetDiesel")]
    # labelled in both languages, and shown in the tables
    labels = (out / "report-lab-zh.xml").read_text(encoding="utf-8")
    assert "配送車隊車輛數目" in labels and "純電動" in labels
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Vehicles in the delivery fleet" in html and "Battery electric" in html and "Delivery fleet" in html


def test_a_report_without_extensions_has_an_extension_schema_alone(built):
    out = built("360digitech-2021")
    assert not (out / "report-def.xml").exists()
    schema = (out / "report.xsd").read_text(encoding="utf-8")
    assert "hkesg-guide-2020.xsd" in schema and "<xs:element" not in schema


@pytest.mark.parametrize("replacements, expected", [
    ([("    fleet_diesel:\n      label:", "    energy_consumption:\n      label:"),
      ("  fleet_diesel:\n    unit: litres", "  energy_consumption_x:\n    unit: litres")],
     "extensions.metrics.energy_consumption: the catalogue already has the metric 'energy_consumption'"),
    ([("      table: fleet\n", "      table: flete\n")], "unknown table 'flete'; did you mean 'fleet'?"),
    ([("      anchor: energy_consumption\n", "      anchor: energy_consumed\n")],
     "unknown catalogue metric 'energy_consumed'; did you mean 'energy_consumption'?"),
    ([("      unit_kind: volume\n", "      unit_kind: liquid\n")], "unknown unit kind 'liquid'"),
    ([("        hybrid: {2025: 38, 2024: 30, 2023: 22}", "        plug_in: {2025: 38, 2024: 30, 2023: 22}")],
     "metrics.delivery_fleet.breakdowns.powertrain.plug_in: unknown key 'plug_in'"),
    ([("    unit: litres\n    values: {2025: 1532000", "    unit: kWh\n    values: {2025: 1532000")],
     "metrics.fleet_diesel.unit: 'kWh' is not allowed here"),
])
def test_extension_mistakes_are_named_where_they_are(example_copy, capsys, replacements, expected):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", *replacements)
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "company.yaml:" in err
    assert not (folder / "output").exists()


def test_extension_problems_come_with_every_other_problem_of_the_file(example_copy, capsys):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("      table: fleet\n", "      table: flete\n"),
         ("  stock_code: ", "  stock_code_x: "))
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert "unknown table 'flete'" in err and "unknown key 'stock_code_x'" in err
    assert "delivery_fleet" not in err.split("flete")[1]  # no echo about the metrics it declares


# --- sub-populations, two axes, shares, per-site intensities -----------------------------


def test_a_breakdown_of_full_time_staff_is_tagged_within_its_base(built):
    facts = facts_of(built(HARBOURLINE))
    both = (("hkesg:EmploymentTypeAxis", "hkesg:FullTimeMember"), ("hkesg:GenderAxis", "hkesg:FemaleMember"))
    assert facts[("hkesg:Workforce", "2025", both)] == "712"
    assert facts[("hkesg:Workforce", "2025", (("hkesg:EmploymentTypeAxis", "hkesg:FullTimeMember"),))] == "2318"
    assert facts[("hkesg:Workforce", "2025", ())] == "2486"  # the published total stays the total


def test_published_shares_are_shown_beside_their_figures_and_tagged(built):
    out = built(HARBOURLINE)
    facts = facts_of(out)
    assert Decimal(facts[("hkesg:WorkforceShare", "2025", (("hkesg:GenderAxis", "hkesg:FemaleMember"),))]) \
        == Decimal("0.3113")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '774<span class="share"> (31.13%)</span>' in html


def test_per_site_intensities_go_in_without_the_sites_figures(built):
    facts = facts_of(built(HARBOURLINE))
    key = ("hkesg:EnergyConsumptionIntensity", "2025",
           (("hkesg:IntensityDenominatorAxis", "hkesg:PerFloorAreaMember"), ("hkesg:SiteAxis", "Tsing Yi Cold Chain Centre")))
    assert Decimal(facts[key]) == Decimal("0.390")


def test_targets_are_tagged_as_published(built):
    facts = facts_of(built(HARBOURLINE))
    vans = (("hkesg:TargetAxis", "electric-vans-2030"),)
    assert facts[("hkesg:TargetYear", "2025", vans)] == "2030"
    assert Decimal(facts[("hkesg:TargetValue", "2025", vans)]) == 1
    assert facts[("hkesg:TargetStatus", "2025", vans)] == "on track"
    ghg = (("hkesg:TargetAxis", "ghg-intensity-2030"),)
    assert facts[("hkesg:TargetMetric", "2025", ghg)] == "hkesg:GhgScope1And2"
    assert ("hkesg:TargetValue", "2025", ghg) not in facts  # no unit given: its text is the fact
    assert facts[("hkesg:TargetText", "2025", ghg)] == "3.19 tCO₂e per HK$ million"


def test_a_pair_of_axes_the_framework_lacks_goes_into_the_company_taxonomy(example_copy):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("    within:\n      employment_type:",
                                   "    within:\n      region:\n        Hong Kong:\n          breakdowns:\n"
                                   "            gender:\n              female: {2025: 402}\n              male: {2025: 692}\n"
                                   "      employment_type:"))
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    out = output_of(folder)
    assert "/role/breakdown/gender-and-region" in (out / "report-def.xml").read_text(encoding="utf-8")
    facts = facts_of(out)
    assert facts[("hkesg:Workforce", "2025", (("hkesg:GenderAxis", "hkesg:FemaleMember"),
                                                ("hkesg:RegionAxis", "Hong Kong")))] == "402"


@pytest.mark.parametrize("replacements, code, message", [
    ([("female: {2025: 712, 2024: 676", "female: {2025: 702, 2024: 676")], "I01",
     "Total workforce, full-time, 2025: the breakdown by gender adds up to 2308, not to its base 2318"),
    ([("        male: {2025: 68.87,", "        male: {2025: 67.87,")], "I07",
     "Total workforce, male, 2025: the published share 67.87% differs from 1712 of 2486, 68.87%"),
    ([("        male: {2025: 68.87,", "        male: {2025: 168.87,")], "I03", "the share 168.87% is outside 0–100"),
    ([("              male: {2025: 1606, 2024: 1560, 2023: 1521}", "              male: {2024: 1560, 2023: 1521}")],
     "I02", "Total workforce, full-time, 2025: the breakdown by gender lacks male"),
])
def test_checks_of_sub_populations_and_shares(example_copy, replacements, code, message):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", *replacements)
    found = [f for f in run_checks(load(folder / "company.yaml")) if f.code == code]
    assert any(message in f.message for f in found), [f.message for f in found]


# --- the report package ------------------------------------------------------------------


def test_the_report_package_holds_the_report_and_its_taxonomy_and_arelle_opens_it(built):
    out = built(HARBOURLINE)
    package = out / "report.xbri"
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        top = names[0].split("/")[0]
        # the English edition's package, beside the Chinese one's (esg-03619-2025-zh-Hant)
        assert top == "esg-03619-2025-en" and all(n.startswith(top + "/") for n in names)
        assert json.loads(z.read(f"{top}/META-INF/reportPackage.json")) == \
            {"documentInfo": {"documentType": "https://xbrl.org/report-package/2023/xbri"}}
        assert z.read(f"{top}/reports/report.en.xhtml") == (out / "report.xhtml").read_bytes()
        assert z.read(f"{top}/reports/report-def.xml") == (out / "report-def.xml").read_bytes()
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    assert validation["package"] == {"file": "report.en.xbri", "report": "report.en.xhtml",
                                     "facts": validation["facts"], "errors": 0, "warnings": 0, "inconsistencies": 0}
    # opened as a filer's recipient would: the package alone, with the framework's taxonomy package
    result = run_arelle(package, inspect=lambda model: len(model.factsInInstance))
    assert (result.errors, result.warnings, result.inspected) == ([], [], validation["facts"])


def test_the_extension_taxonomy_in_the_package_is_validated_in_full(built, tmp_path):
    """The framework's taxonomy is not revalidated per build (test_taxonomy validates it whole);
    the company's own taxonomy in the package is: an element its linkbase schema forbids fails."""
    from builder.validate import REPORT_OPTIONS

    package = built(HARBOURLINE) / "report.xbri"
    tampered = tmp_path / "report.en.xbri"
    with zipfile.ZipFile(package) as z, zipfile.ZipFile(tampered, "w") as w:
        for info in z.infolist():
            data = z.read(info)
            if info.filename.endswith("/report-def.xml"):
                data = data.replace(b"<link:arcroleRef ", b'<link:bogus xlink:type="simple"/><link:arcroleRef ', 1)
            w.writestr(info, data)
    assert run_arelle(package, **REPORT_OPTIONS).errors == []
    result = run_arelle(tampered, **REPORT_OPTIONS)
    assert [m["messageCode"] for m in result.errors] == ["xmlSchema:elementUnexpected"]


def test_extensions_are_bounded(example_copy, capsys):
    folder = example_copy(HARBOURLINE)
    many = "".join(f"    m{i}:\n      label: M {i}\n      label_zh: M\n      unit_kind: count\n      table: fleet\n"
                   for i in range(201))
    edit(folder / "company.yaml", ("  metrics:\n    fleet_diesel:", "  metrics:\n" + many + "    fleet_diesel:"))
    assert main(["check", str(folder / "company.yaml")]) == 2
    assert "extensions.metrics: at most 200 entries are allowed here" in capsys.readouterr().err


# --- what a red team found, each kept from coming back -------------------------------------

FLEET_METRIC = "    delivery_fleet:\n      label: Vehicles in the delivery fleet\n"


@pytest.mark.parametrize("replacements, expected", [
    ([("  metrics:\n    fleet_diesel:", "  metrics:\n    stock_code:\n      label: S\n      label_zh: S\n"
       "      unit_kind: count\n      table: fleet\n    fleet_diesel:")],
     "extensions.metrics.stock_code: the XBRL name of the metric stock_code, StockCode, is already that of the "
     "framework's entity StockCode"),
    ([("  metrics:\n    fleet_diesel:", "  metrics:\n    delivery_fleet_share:\n      label: S\n      label_zh: S\n"
       "      unit_kind: count\n      table: fleet\n    fleet_diesel:")], "DeliveryFleetShare, is already that of"),
    ([("  metrics:\n    fleet_diesel:", "  metrics:\n    model_dump:\n      label: S\n      label_zh: S\n"
       "      unit_kind: count\n      table: fleet\n    fleet_diesel:")], "'model_dump' cannot be the id of a metric"),
    ([("      after: energy_consumption\n", "      after: fleet_diesel\n")], "a metric cannot follow itself"),
    ([("      breakdowns: [powertrain]\n      sums: true\n",
       "      breakdowns: [powertrain]\n      sums: true\n      sum_of: [fleet_diesel, fleet_diesel]\n")],
     "'fleet_diesel' is listed twice"),
    ([("        hybrid: {label: Diesel-electric hybrid", "        2025: {label: Diesel-electric hybrid")],
     "extensions.axes.powertrain.members.2025: an id is text: write 2025 in quotes"),
    ([("  - id: net-zero-2050\n", "  - id: ghg-intensity-2030\n")], "the target id 'ghg-intensity-2030' is already used"),
    ([("    fleet: {label: Delivery fleet, label_zh: 配送車隊}", "    title: {label: Delivery fleet, label_zh: 配送車隊}"),
      ("      table: fleet\n", "      table: title\n")], "'title' is an id the report uses"),
])
def test_extension_ids_that_would_break_the_xbrl_are_refused_with_their_place(example_copy, capsys, replacements,
                                                                               expected):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", *replacements)
    assert main(["check", str(folder / "company.yaml")]) == 2
    err = capsys.readouterr().err
    assert expected in err and "internal error" not in err


def test_within_a_member_of_a_metric_that_does_not_sum_builds(example_copy):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("        Southeast Asia: {2025: 19.7, 2024: 21.0, 2023: 21.8}\n",
                                   "        Southeast Asia: {2025: 19.7, 2024: 21.0, 2023: 21.8}\n    within:\n"
                                   "      gender:\n        female:\n          breakdowns:\n"
                                   "            age_group: {under_30: {2025: 30.0}}\n"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0


def test_a_base_derived_alone_is_no_breakdown_of_the_total(example_copy):
    """The gender of full-time staff, with no other employment type: the total stays unknown."""
    from builder.derive import figures

    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("      employment_type:\n        full_time: {2025: 2318, 2024: 2236, 2023: 2162}\n"
                                   "        part_time: {2025: 96, 2024: 89, 2023: 81}\n"
                                   "        contract: {2025: 72, 2024: 66, 2023: 62}\n", ""),
         (", {note: full-time-ages, axis: employment_type, member: full_time}", ""))
    loaded = load(folder / "company.yaml")
    assert [f for f in run_checks(loaded) if f.code in ("I01", "I02")] == []
    workforce = figures(loaded)["employees"]
    assert workforce.member("employment_type", "full_time").series[2025].value == 2318  # derived, as its base
    assert workforce.total[2025].value == 2486 and not workforce.total[2025].derived


def test_an_intensity_of_a_stock_and_of_money_per_money_are_valid_xbrl(example_copy):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("      breakdowns: [powertrain]\n      sums: true\n",
                                   "      breakdowns: [powertrain]\n      sums: true\n      intensity: true\n"),
         ("        diesel: {2025: 376, 2024: 410, 2023: 448}\n    footnotes: [fleet]",
          "        diesel: {2025: 376, 2024: 410, 2023: 448}\n    intensities: [{per: revenue}]\n    footnotes: [fleet]"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0


def test_a_website_with_a_query_makes_a_plain_namespace(example_copy):
    folder = example_copy(HARBOURLINE)
    edit(folder / "company.yaml", ("website: https://www.harbourline.example.com",
                                   "website: https://www.harbourline.example.com/?lang=en&x=1"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0
    schema = (folder / "output" / "report.xsd").read_text(encoding="utf-8")
    assert 'targetNamespace="https://www.harbourline.example.com/xbrl/2025-12-31/esg"' in schema
