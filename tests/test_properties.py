"""Property-based: any valid company the strategy makes builds, passes Arelle with no error,
and every figure Arelle reads back is the figure given."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.build import build
from builder.cli import main
from builder.validate import run_arelle

from .conftest import EXAMPLES, output_of

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
    # the workforce's chart shows the one breakdown left
    text = text.replace("{metric: employees, kind: composition, breakdown: age_group}",
                        "{metric: employees, kind: composition, breakdown: gender}")
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

    checked = run_arelle(output_of(folder) / "report.xhtml", calcs="c11r", inspect=read)
    assert checked.errors == [] and checked.warnings == [] and checked.inconsistencies == []
    facts = checked.inspected
    assert facts[("GhgScope1", ())] == company["scope1"]
    assert facts[("GhgScope2", ())] == company["scope2"]
    assert facts[("GhgScope1And2", ())] == company["scope1"] + company["scope2"]
    assert facts[("Workforce", (("GenderAxis", "FemaleMember"),))] == company["female"]
    assert facts[("Workforce", ())] == company["female"] + company["male"]
    assert facts[("WaterConsumption", ())] == company["water"]
    assert facts[("EmployeeTurnoverRate", ())] == company["turnover"].scaleb(-2)


# --- whatever a user writes: exit 0 or 2, never an internal error --------------------------

# The printable characters PyYAML reads as they are; everything else is written as an escape.
_PRINTABLE = re.compile("[\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_quoted(text: str) -> str:
    """text as a double-quoted YAML scalar that reads back as exactly text, whatever it holds."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif _PRINTABLE.fullmatch(char) and char not in "\x85\ufeff\n\r\t":
            out.append(char)
        elif ord(char) > 0xFFFF:
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return '"' + "".join(out) + '"'


# (what stands in the example, what replaces it with {} the drawn text)
TEXT_FIELDS = {
    "company name": ("  name: 360 DigiTech, Inc.\n", "  name: {}\n"),
    "section title": ("        title: Climate change\n", "        title: {}\n"),
    "stakeholder group": ("    - name: Customers\n", "    - name: {}\n"),
    "stakeholder concern": ("concerns: [fair procurement, compliance]", "concerns: [fair procurement, {}]"),
    "material topic": ("{topic: Green operations,", "{{topic: {},"),
    "footnote": ("  packaging: >-\n", "  packaging: {}\n  unused: >-\n"),
    "inline narrative": ("body: {file: narrative/climate.md}", "body: {}"),
    "omission explanation": ("\nfootnotes:\n", "\nomissions:\n  B8.2:\n    reason: information unavailable\n"
                                               "    explanation: {}\nfootnotes:\n"),
}
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates, controls, noncharacters too


def _run(folder: Path, capsys) -> tuple[int, str]:
    code = main([str(folder / "company.yaml"), "--no-pdf", "--no-json", "--no-viewer"])
    return code, capsys.readouterr().err


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), text=st.text(ANY_CHARACTER, min_size=1, max_size=40))
def test_any_text_in_any_field_builds_or_is_refused_with_its_place(tmp_path_factory, capsys, field, text):
    folder = tmp_path_factory.mktemp("text")
    shutil.copytree(BASE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("output"))
    old, new = TEXT_FIELDS[field]
    yaml_text = (folder / "company.yaml").read_text(encoding="utf-8")
    assert yaml_text.count(old) >= 1, old
    (folder / "company.yaml").write_text(yaml_text.replace(old, new.format(yaml_quoted(text)), 1), encoding="utf-8")
    code, err = _run(folder, capsys)
    assert "internal error" not in err and "Traceback" not in err
    assert code in (0, 2) or (code == 1 and "fails its checks" in err), err
    if code == 2:
        assert "company.yaml:" in err or "climate.md" in err or "template" in err, err


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(ANY_CHARACTER, min_size=1, max_size=200))
def test_any_markdown_file_builds_or_is_refused_with_its_place(tmp_path_factory, capsys, text):
    folder = tmp_path_factory.mktemp("markdown")
    shutil.copytree(BASE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("output"))
    (folder / "narrative" / "climate.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    code, err = _run(folder, capsys)
    assert "internal error" not in err and "Traceback" not in err
    assert code == 0 or (code == 2 and "climate.md" in err), err


def decimal_text(value: Decimal) -> str:
    """A Decimal as a YAML 1.1 float (which needs a point, and a sign on its exponent)."""
    sign, digits, exponent = value.as_tuple()
    mantissa = "".join(map(str, digits))
    return f"{'-' if sign else ''}{mantissa[0]}.{mantissa[1:] or '0'}e{exponent + len(digits) - 1:+d}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
              st.integers(-10**30, 10**30), st.integers(-999_999_999, 999_999_999))))
def test_any_figure_builds_or_is_refused_with_its_place(tmp_path_factory, capsys, value):
    folder = tmp_path_factory.mktemp("figure")
    shutil.copytree(BASE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("output"))
    yaml_file = folder / "company.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert text.count("values: {2021: 93600.00}") == 1
    yaml_file.write_text(text.replace("values: {2021: 93600.00}", f"values: {{2021: {decimal_text(value)}}}"),
                         encoding="utf-8")
    code, err = _run(folder, capsys)
    assert "internal error" not in err and "Traceback" not in err
    assert code in (0, 2) or (code == 1 and "fails its checks" in err), err
    if code == 2:
        assert "metrics.water_consumption.values.2021" in err, err
