"""The inline XBRL report: valid for Arelle, and every figure round-trips to the YAML."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
from pathlib import Path
from decimal import Decimal

import pytest

from builder.catalogue import load_catalogue
from builder.cli import main
from builder.compute import compute
from builder.derive import figures, present_metrics
from builder.load import load
from builder.taxonomy import build_model
from builder.validate import run_arelle

from .conftest import EXAMPLE_NAMES, EXAMPLES, edit, in_a_fresh_python, output_of

CAT = load_catalogue()
TAX = build_model()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_build_validates_the_report_with_arelle(built, name):
    result = json.loads((built(name) / "validation.json").read_text(encoding="utf-8"))
    assert (result["errors"], result["warnings"], result["inconsistencies"]) == (0, 0, 0)
    assert result["facts"] > 100
    assert result["options"]["calculations"] == "1.1, round to nearest"


def _facts_as_read(model):
    """Every fact Arelle reads back: (concept, period, dimensions, unit) -> value."""
    facts = {}
    for fact in model.facts:
        context = fact.context
        if context.isInstantPeriod:
            # Arelle holds a date-only instant as the midnight that ends that day
            period = ("instant", (context.instantDatetime - datetime.timedelta(days=1)).date().isoformat())
        else:
            period = ("duration", context.startDatetime.date().isoformat())
        dims = []
        for dim, member in context.qnameDims.items():
            value = member.memberQname.localName if member.isExplicit else member.typedMember.stringValue
            dims.append((dim.localName, value))
        unit = None
        if fact.unit is not None:
            numerator, denominator = fact.unit.measures
            unit = "/".join(filter(None, [" ".join(f"{q.prefix}:{q.localName}" for q in numerator),
                                          " ".join(f"{q.prefix}:{q.localName}" for q in denominator)]))
        value = Decimal(fact.value) if fact.isNumeric else fact.value
        key = (fact.concept.qname.localName, period, tuple(sorted(dims)), unit)
        assert key not in facts or facts[key] == value, f"inconsistent duplicate {key}"
        facts[key] = value
    return facts


def _expected_from_yaml(name: str) -> dict:
    """What the YAML says, in XBRL terms, worked out here from the report's catalogue (the
    framework's and the company's extensions) independently of the tagger."""
    loaded = load(EXAMPLES / name / "company.yaml")
    cat, tax = loaded.catalogue, loaded.taxonomy
    report = loaded.data.report
    expected = {}
    present = present_metrics(loaded)

    def period(metric, year):
        shift = year - report.financial_year
        if metric.period == "instant":
            return ("instant", report.period.end.replace(year=report.period.end.year + shift).isoformat())
        return ("duration", report.period.start.replace(year=report.period.start.year + shift).isoformat())

    def add(metric, concept, series, unit_xbrl, scale, dims=()):
        for year, value in series.items():
            if isinstance(value, Decimal):
                expected[(concept, period(metric, year), tuple(sorted(dims)), unit_xbrl)] = value.scaleb(scale)

    def intensity_fact(mid, per):
        """The concept and dimensions of an intensity: GHG, energy and water per money have
        concepts of their own, typed per monetary unit; the others name their denominator on an axis."""
        name = tax.metric_concepts[mid].name
        if cat.metrics[mid].unit_kind in ("ghg", "energy", "volume") and cat.metrics[per].unit_kind == "money":
            return f"{name}IntensityPer{tax.metric_concepts[per].name}", []
        return f"{name}Intensity", [("IntensityDenominatorAxis", f"Per{tax.metric_concepts[per].name}Member")]

    def members(entry, field="breakdowns"):
        """(dimension, series) of each member given under an entry's breakdowns (or shares)."""
        given_all = getattr(entry, field, None)
        if isinstance(given_all, dict):  # within: {axis: {member: ...}}
            for axis_id, given in given_all.items():
                axis_name = next(c.name for c in tax.concepts.values() if c.source == f"axis:{axis_id}")
                for m, value in given.items():
                    member = m if cat.axes[axis_id].typed else next(
                        c.name for c in tax.concepts.values() if c.source == f"member:{axis_id}:{m}")
                    yield (axis_name, member), value
            return
        for axis_id in (type(given_all).model_fields if given_all is not None else []):
            given = getattr(given_all, axis_id)
            if given is None:
                continue
            axis_name = next(c.name for c in tax.concepts.values() if c.source == f"axis:{axis_id}")
            if cat.axes[axis_id].typed:
                yield from (((axis_name, m), series) for m, series in given.items())
            else:
                for m in type(given).model_fields:
                    if getattr(given, m) is not None:
                        member = next(c.name for c in tax.concepts.values() if c.source == f"member:{axis_id}:{m}")
                        yield (axis_name, member), getattr(given, m)

    for mid, entry in present.items():
        metric = cat.metrics[mid]
        unit = cat.units[entry.unit]
        concept = tax.metric_concepts[mid].name
        add(metric, concept, entry.values, unit.xbrl, unit.scale)
        for dim, series in members(entry):
            add(metric, concept, series, unit.xbrl, unit.scale, [dim])
        for dim, series in members(entry, "shares"):
            add(metric, tax.share_concepts[mid].name, series, "xbrli:pure", -2, [dim])
        for outer, sub in members(entry, "within"):
            for dim, series in members(sub):
                add(metric, concept, series, unit.xbrl, unit.scale, [outer, dim])
            for dim, series in members(sub, "shares"):
                add(metric, tax.share_concepts[mid].name, series, "xbrli:pure", -2, [outer, dim])
        for intensity in getattr(entry, "intensities", []):
            denominator = cat.metrics[intensity.per]
            per_unit = cat.units[present[intensity.per].unit if intensity.per in present else intensity.per_unit]
            numerator = cat.units[intensity.unit] if intensity.unit else unit  # kg per employee, as published
            measure = denominator.denominator_measure or per_unit.xbrl
            scale = numerator.scale - (0 if denominator.denominator_measure else per_unit.scale)
            intensity_concept, per = intensity_fact(mid, intensity.per)
            add(metric, intensity_concept, intensity.values, f"{numerator.xbrl}/{measure}", scale, per)
            for dim, series in members(intensity):
                add(metric, intensity_concept, series, f"{numerator.xbrl}/{measure}", scale, per + [dim])
    # the figures the builder derived (totals from parts, bases from their breakdowns,
    # intensities), as it derived them
    for mid, figs in figures(loaded).items():
        metric, unit = cat.metrics[mid], cat.units[figs.unit]
        derived_totals = {y: f.value for y, f in figs.total.items() if f.derived}
        add(metric, tax.metric_concepts[mid].name, derived_totals, unit.xbrl, unit.scale)
        for base in figs.bases():
            derived = {y: f.value for y, f in figs.member(*base).series.items() if f.derived}
            axis_name = next(c.name for c in tax.concepts.values() if c.source == f"axis:{base[0]}")
            member = next(c.name for c in tax.concepts.values() if c.source == f"member:{base[0]}:{base[1]}")
            add(metric, tax.metric_concepts[mid].name, derived, unit.xbrl, unit.scale, [(axis_name, member)])
        for intensity in figs.intensities:
            derived = {y: f.value for y, f in intensity.series.items() if f.derived}
            if derived:
                denominator = cat.metrics[intensity.per]
                per_unit = cat.units[intensity.per_unit]
                measure = denominator.denominator_measure or per_unit.xbrl
                scale = unit.scale - (0 if denominator.denominator_measure else per_unit.scale)
                numerator = cat.units[intensity.unit] if intensity.unit else unit
                scale = numerator.scale - (0 if denominator.denominator_measure else per_unit.scale)
                intensity_concept, dims = intensity_fact(mid, intensity.per)
                add(metric, intensity_concept, derived, f"{numerator.xbrl}/{measure}", scale, dims)
    # targets' values, where they give their unit
    for target in loaded.data.targets:
        for point, concept in ((target.baseline, "TargetBaselineValue"), (target.target, "TargetValue")):
            if point is not None and point.unit is not None and point.value is not None:
                u = cat.units[point.unit]
                expected[(concept, ("duration", report.period.start.isoformat()), (("TargetAxis", target.id),),
                          u.xbrl)] = point.value.scaleb(u.scale)
    return expected


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_fact_read_back_equals_the_yaml_and_every_figure_is_a_fact(built, name):
    result = run_arelle(built(name) / "report.xhtml", inspect=_facts_as_read)
    assert result.errors == []
    read = {k: v for k, v in result.inspected.items() if k[3] is not None}  # numeric facts
    expected = _expected_from_yaml(name)
    assert read == expected

    # and no figure of the data tables is left untagged
    loaded = load(EXAMPLES / name / "company.yaml")
    view = compute(loaded)
    cells = [c for t in view.tables for r in t.rows for c in r.cells]
    figures = sum(isinstance(c.value, Decimal) for c in cells)
    shares = sum(c.share is not None and isinstance(c.share.value, Decimal) for c in cells)
    targets = sum(p is not None and p.unit is not None and p.value is not None
                  for t in loaded.data.targets for p in (t.baseline, t.target))
    assert figures + shares + targets == len(expected)
    xhtml = (built(name) / "report.xhtml").read_text(encoding="utf-8")
    data_chapter = xhtml.split('id="data"')[1].split('id="content-index"')[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', data_chapter)
    # a derived figure's cell is "num derived", like the changes and shares beside it (untagged)
    derived = [c for c in re.findall(r'<td class="num derived">(.*?)</td>', data_chapter) if "ix:nonFraction" in c]
    assert len(cells) + len(derived) >= figures
    untagged = [c for c in cells if re.search(r"\d", c) and "ix:nonFraction" not in c]
    assert untagged == []


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_narrative_omissions_and_entity_are_tagged(built, name):
    facts = run_arelle(built(name) / "report.xhtml", inspect=_facts_as_read).inspected
    concepts = {k[0]: v for k, v in facts.items()}
    loaded = load(EXAMPLES / name / "company.yaml")
    assert concepts["EntityName"] == loaded.data.company.name
    assert concepts["StockCode"] == loaded.data.company.stock_code.zfill(5)  # as HKEX writes it: 00700
    assert concepts["ReportingFrameworkEdition"] == loaded.data.report.edition
    for chapter in loaded.data.chapters:
        for section in chapter.sections:
            for code in section.answers:
                p = loaded.edition.provision(code)
                if p.answer_by != "data":
                    assert f"{p.concept}TextBlock" in concepts, code
    assert "BoardStatementOversightTextBlock" in concepts or loaded.edition.id == "guide-2016"
    for code, omission in loaded.data.omissions.items():
        key = loaded.edition.provision(code).concept
        assert concepts[f"{key}OmissionReason"] == omission.reason
        assert concepts[f"{key}OmissionExplanation"] == " ".join(omission.explanation.split())


def test_a_total_that_is_not_the_sum_of_its_parts_fails_the_build(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("values: {2021: 1296.40}", "values: {2021: 1306.40}"))
    # the builder's own check catches it first, before anything is rendered
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "metrics.ghg_scope1_2.values.2021: error I01: Total greenhouse gas emissions (Scope 1 and 2), 2021: the " \
           "total 1306.40 differs from the sum of Direct greenhouse gas emissions (Scope 1) and Energy indirect " \
           "greenhouse gas emissions (Scope 2, location-based), 1296.40" in err
    assert not (folder / "output").exists()

    # and, had it not, Arelle's calculation check would have: the same input, tagged and validated
    from builder.tag import Tagger, to_xhtml11
    from builder.render import render_html
    from builder.validate import validate_report
    from builder.extension import extension_files

    loaded = load(folder / "company.yaml")
    tagger = Tagger(loaded, enabled=True)
    xhtml = folder / "report.xhtml"
    xhtml.write_bytes(to_xhtml11(render_html(loaded, compute(loaded), tagger=tagger)))
    for name, content in extension_files(loaded.taxonomy, loaded.edition).items():  # what it points at
        (folder / name).write_bytes(content)
    checked = validate_report(xhtml, loaded, tagger.facts)
    assert checked.failed
    assert any("metrics.ghg_scope1_2.values.2021: Total greenhouse gas emissions (Scope 1 and 2), 2021: the total "
               "1306.40 is not the sum of its parts 1296.40" in p and "[calc11e:inconsistentCalculationUsingRounding]"
               in p for p in checked.problems), checked.problems


def test_a_report_arelle_finds_invalid_fails_the_build_naming_the_yaml_and_keeps_the_previous_output(
        example_copy, capsys, monkeypatch):
    """Arelle's verdict, given in its child process per edition, reaches the user in their terms."""
    folder = example_copy("360digitech-2021")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--quiet"]) == 0
    before = {f.name: f.read_bytes() for f in (folder / "output").iterdir()}
    edit(folder / "company.yaml", ("values: {2021: 1296.40}", "values: {2021: 1306.40}"))
    monkeypatch.setattr("builder.build.run_checks", lambda loaded: [])  # as if our own I01 had missed it
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "the inline XBRL report fails validation" in err and "1 inconsistency" in err
    assert "metrics.ghg_scope1_2.values.2021: Total greenhouse gas emissions (Scope 1 and 2), 2021: the total " \
           "1306.40 is not the sum of its parts 1296.40" in err and "[calc11e:inconsistentCalculationUsingRounding]" in err
    assert {f.name: f.read_bytes() for f in (folder / "output").iterdir()} == before


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_xbrl_json_and_viewer_work_offline(built, name):
    out = built(name)
    oim = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert oim["documentInfo"]["documentType"] == "https://xbrl.org/2021/xbrl-json"
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    # xBRL-JSON carries the footnotes as facts of the concept xbrl:note
    facts = [f for f in oim["facts"].values() if f["dimensions"]["concept"] != "xbrl:note"]
    notes = [f for f in oim["facts"].values() if f["dimensions"]["concept"] == "xbrl:note"]
    assert len(facts) == validation["facts"]
    assert notes, "footnotes are attached to the facts they annotate"
    viewer = (out / "viewer.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', viewer)
    assert scripts and all(not s.startswith(("http:", "https:", "//")) for s in scripts), scripts
    for src in scripts:
        assert (out / src).is_file(), f"the viewer's script {src} is beside it"

    # opened in Chromium from the folder, with every request elsewhere refused, it finds the facts
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(["node", str(root / "tests" / "tools" / "viewer.js"), str(out / "viewer.html")],
                            capture_output=True, text=True, timeout=300,
                            env=os.environ | {"NODE_PATH": str(root / ".tools" / "node_modules")})
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["refused"] == [] and seen["errors"] == []
    assert seen["tagged"] >= validation["facts"] - 10, seen  # hidden facts are not highlighted


def test_figures_quoted_in_the_narrative_come_from_the_data_and_are_tagged(built, example_copy, capsys):
    xhtml = (built("harbourline-2025") / "report.xhtml").read_text(encoding="utf-8")
    climate = xhtml.split('id="climate-metrics"')[1].split('id="emissions"')[0]
    quoted = re.findall(r'<span class="figure"><ix:nonFraction name="hkesg:GhgScope1"[^>]*>([^<]+)</ix:nonFraction>', climate)
    assert quoted == ["9,842.6", "10,310.4", "10,655.0"]
    html = (built("harbourline-2025") / "report.html").read_text(encoding="utf-8")
    assert '<span class="figure">3.52\u00a0tCO₂e per HK$ million of revenue</span>' in html

    folder = example_copy("harbourline-2025")
    energy = folder / "narrative" / "energy.md"
    energy.write_text("We used {{ energy_consumption | 2019 }} and {{employes}}\nand {{employees | region: Macau}}.\n",
                      encoding="utf-8")
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    # each at its own line and column, quoted as written
    assert f"{energy}:1:9: {{{{ energy_consumption | 2019 }}}}: no figure for 2019" in err
    assert f"{energy}:1:45: {{{{employes}}}}: no metric of that name; did you mean 'employees'?" in err
    assert f"{energy}:2:5: {{{{employees | region: Macau}}}}: no member 'Macau' of region is given" in err


def test_a_disclosure_answered_in_two_places_is_continued(example_copy):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("        answers: [A4, A4.1]", "        answers: [A1, A4, A4.1]"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"]) == 0
    xhtml = (output_of(folder) / "report.xhtml").read_text(encoding="utf-8")
    assert 'name="hkesg:EmissionsGeneralDisclosureTextBlock"' in xhtml and 'continuedAt="tb-A1-1"' in xhtml
    assert '<ix:continuation id="tb-A1-1">' in xhtml

    def text_of_a1(model):
        return next(f.value for f in model.facts if f.concept.qname.localName == "EmissionsGeneralDisclosureTextBlock")

    result = run_arelle(output_of(folder) / "report.xhtml", inspect=text_of_a1)
    assert result.errors == []
    assert "Waste is mainly office waste" in result.inspected  # from the emissions section
    assert "business continuity plans" in result.inspected  # and from the climate section


def _entity_and_languages(model):
    return ({f.context.entityIdentifier for f in model.facts},
            {f.concept.qname.localName: f.xmlLang for f in model.facts if not f.isNumeric})


def test_the_entity_is_its_lei_and_every_text_fact_says_its_language(built):
    identifiers, languages = run_arelle(built("harbourline-2025") / "report.xhtml",
                                        inspect=_entity_and_languages).inspected
    assert identifiers == {("http://standards.iso.org/iso/17442", "2549003HBLGRP7XK2Q02")}
    assert languages["EntityNameInChinese"] == "zh-Hant" and languages["EntityName"] == "en"
    assert None not in languages.values()
    identifiers, _ = run_arelle(built("360digitech-2021") / "report.xhtml", inspect=_entity_and_languages).inspected
    assert identifiers == {("https://www.hkex.com.hk/stock-code", "03660")}, "without an LEI, the stock code"


@pytest.mark.parametrize("lei, message", [
    ("2549003HBLGRP7XK2Q03", "2549003HBLGRP7XK2Q03 is not an LEI: its check digits do not match"),
    ("2549003hblgrp7xk2q02", "an LEI is 20 characters"),
])
def test_an_lei_with_wrong_check_digits_is_refused(example_copy, capsys, lei, message):
    folder = example_copy("harbourline-2025")
    edit(folder / "company.yaml", ("  lei: 2549003HBLGRP7XK2Q02", f"  lei: {lei}"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 2
    assert "company.lei: " + message in capsys.readouterr().err


def test_a_currency_is_its_iso_4217_code(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("  currency: CNY", "  currency: RMB"))
    assert main([str(folder / "company.yaml"), "--no-pdf", "--no-xbrl"]) == 2
    assert "report.currency: 'RMB' is not an ISO 4217 code; write CNY" in capsys.readouterr().err


def _derived_marks(model):
    footnotes = model.relationshipSet("http://www.xbrl.org/2003/arcrole/fact-footnote")
    return {f.id: {rel.toModelObject.role for rel in footnotes.fromModelObject(f)} for f in model.facts if f.isNumeric}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_a_derived_figure_is_marked_so_in_the_xbrl_and_a_reported_one_is_not(built, name):
    from builder.taxonomy import DERIVED_ROLE

    marks = run_arelle(built(name) / "report.xhtml", inspect=_derived_marks).inspected
    view = compute(load(EXAMPLES / name / "company.yaml"))
    derived = sum(c.derived and isinstance(c.value, Decimal) for t in view.tables for r in t.rows for c in r.cells)
    assert sum(DERIVED_ROLE in roles for roles in marks.values()) == derived
    assert derived > 0 or name == "harbourline-2025"  # Harbourline reports every total it shows


def _dimensioned(model):
    return {(f.concept.qname.localName, tuple(sorted((d.localName, m.memberQname.localName)
                                                     for d, m in f.context.qnameDims.items() if m.isExplicit)),
             str(f.xValue)) for f in model.facts if f.isNumeric}


def test_energy_direct_and_indirect_and_water_by_source_are_breakdowns_of_the_base_taxonomy(example_copy):
    """What real reports commonly break down by: A2.1's own direct / indirect split, water by source."""
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml",
         ("        electricity_purchased: {2021: 1838.00}\n",
          "        electricity_purchased: {2021: 1838.00}\n      energy_scope:\n        direct: {2021: 69.92}\n"
          "        indirect: {2021: 1838.00}\n"),
         ("    values: {2021: 93600.00}\n", "    values: {2021: 93600.00}\n    breakdowns:\n      water_source:\n"
          "        municipal: {2021: 90100.00}\n        reclaimed: {2021: 3500.00}\n"))
    assert main([str(folder / "company.yaml"), "--no-pdf"]) == 0
    facts = run_arelle(output_of(folder) / "report.xhtml", inspect=_dimensioned).inspected
    assert ("EnergyConsumption", (("EnergyScopeAxis", "DirectMember"),), "69.92") in facts
    assert ("WaterConsumption", (("WaterSourceAxis", "ReclaimedMember"),), "3500") in facts


# Run in a fresh interpreter: a validation of a report package with the xBRL-JSON's and the viewer's
# plugins, and how many times Arelle looked for its built-in plugins meanwhile.
VALIDATED = """
import json, sys
from pathlib import Path
import arelle.api.Session
if sys.argv[1] == "found-ahead":
    import builder.arelle_plugins
from arelle.plugin_system.entry_point_ref import EntryPointRef
searches = []
look = EntryPointRef._discoverBuiltIn
EntryPointRef._discoverBuiltIn = staticmethod(lambda *args, **kwargs: searches.append(1) or look(*args, **kwargs))
from builder.taxonomy import PACKAGE_ZIP
from builder.validate import _arelle
package, folder = Path(sys.argv[2]), Path(sys.argv[3])
result = _arelle(package, folder / "report.json", folder / "viewer.html", [PACKAGE_ZIP])
print(json.dumps({"searches": len(searches), "messages": result.messages, "facts": result.inspected}))
"""


def test_arelle_finds_its_plugins_once_ahead_and_validates_as_it_does_finding_them_itself(built, tmp_path):
    """Imported where Arelle is imported ahead (builder.workers), builder.arelle_plugins has it
    find its plugins there: a validation forked from it does not look for them again, and gives
    the same verdict, xBRL-JSON and viewer as one that does."""
    package = built("360digitech-2021") / "report.xbri"
    runs = {}
    for how in ("finding-them", "found-ahead"):
        folder = tmp_path / how
        folder.mkdir()
        runs[how] = json.loads(in_a_fresh_python(VALIDATED, how, package, folder))
    assert runs["finding-them"]["searches"] >= 1 and runs["found-ahead"]["searches"] == 0
    assert runs["found-ahead"]["messages"] == runs["finding-them"]["messages"] == []
    assert runs["found-ahead"]["facts"] == runs["finding-them"]["facts"] > 100
    plain, ahead = tmp_path / "finding-them", tmp_path / "found-ahead"
    assert json.loads((ahead / "report.json").read_bytes()) == json.loads((plain / "report.json").read_bytes())
    assert (ahead / "viewer.html").read_bytes() == (plain / "viewer.html").read_bytes()
