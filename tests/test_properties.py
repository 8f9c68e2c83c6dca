"""Property-based: any valid company the strategy makes builds, passes Arelle with no error,
and every figure Arelle reads back is the figure given."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.build import build
from builder.validate import run_arelle

from .conftest import EXAMPLES

BASE = EXAMPLES / "360digitech-2021"


def figure(places: int, low: int = 0, high: int = 10**6):
    return st.integers(low * 10**places, high * 10**places).map(lambda n: Decimal(n).scaleb(-places))


@st.composite
def companies(draw):
    places = draw(st.integers(0, 2))
    scope1 = draw(figure(places, 0, 50_000))
    scope2 = draw(figure(places, 0, 50_000))
    female = draw(st.integers(0, 20_000))
    male = draw(st.integers(1, 20_000))
    water = draw(figure(draw(st.integers(0, 3)), 0, 10**7))
    turnover = draw(figure(1, 0, 100))
    return {"scope1": scope1, "scope2": scope2, "female": female, "male": male, "water": water,
            "turnover": turnover}


def _write(folder: Path, c: dict) -> None:
    text = (BASE / "company.yaml").read_text(encoding="utf-8")
    total = c["scope1"] + c["scope2"]
    employees = c["female"] + c["male"]
    replacements = {
        "values: {2021: 2.79}": f"values: {{2021: {c['scope1']}}}",
        "values: {2021: 1293.61}": f"values: {{2021: {c['scope2']}}}",
        "values: {2021: 1296.40}": f"values: {{2021: {total}}}",
        "values: {2021: 93600.00}": f"values: {{2021: {c['water']}}}",
        "values: {2021: 26}\n": f"values: {{2021: {c['turnover']}}}\n",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    # the workforce: only the gender breakdown, which adds up, and its total
    start = text.index("  employees:\n")
    end = text.index("  employee_turnover_rate:\n")
    text = text[:start] + (f"  employees:\n    unit: persons\n    values: {{2021: {employees}}}\n"
                           f"    breakdowns:\n      gender:\n        female: {{2021: {c['female']}}}\n"
                           f"        male: {{2021: {c['male']}}}\n") + text[end:]
    # intensities are derived from the figures drawn, not the published ones
    for published in ("0.61", "0.01", "0.41", "43.96", "0.90"):
        text = text.replace(f"      - per: employees\n        values: {{2021: {published}}}\n", "      - per: employees\n")
    text = text.replace("      - per: employees\n        values: {2021: 0}\n", "      - per: employees\n")
    (folder / "company.yaml").write_text(text, encoding="utf-8")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(company=companies())
def test_generated_companies_build_validate_and_round_trip(tmp_path_factory, company):
    folder = tmp_path_factory.mktemp("generated")
    shutil.copytree(BASE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("output"))
    _write(folder, company)
    result = build(folder / "company.yaml", folder / "output", pdf=False, oim=False, viewer=False)
    assert result.facts > 50

    def read(model):
        return {(f.concept.qname.localName, tuple(sorted((d.localName, m.memberQname.localName if m.isExplicit
                 else m.typedMember.stringValue) for d, m in f.context.qnameDims.items()))): Decimal(f.value)
                for f in model.facts if f.isNumeric and f.concept.qname.localName in
                ("GhgScope1", "GhgScope2", "GhgScope1And2", "Workforce", "WaterConsumption", "EmployeeTurnoverRate")}

    checked = run_arelle(folder / "output" / "report.xhtml", calcs="c11r", inspect=read)
    assert checked.errors == [] and checked.warnings == [] and checked.inconsistencies == []
    facts = checked.inspected
    assert facts[("GhgScope1", ())] == company["scope1"]
    assert facts[("GhgScope2", ())] == company["scope2"]
    assert facts[("GhgScope1And2", ())] == company["scope1"] + company["scope2"]
    assert facts[("Workforce", (("GenderAxis", "FemaleMember"),))] == company["female"]
    assert facts[("Workforce", ())] == company["female"] + company["male"]
    assert facts[("WaterConsumption", ())] == company["water"]
    assert facts[("EmployeeTurnoverRate", ())] == company["turnover"].scaleb(-2)
