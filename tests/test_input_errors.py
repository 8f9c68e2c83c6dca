"""Input errors: all reported at once, each with file, line, column, YAML path and message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main
from builder.errors import InputError
from builder.load import load

from .conftest import edit

SAMPLE = "360digitech-2021"


def at(yaml_file: Path, needle: str, offset: int = 0) -> str:
    """'line:column' of the first occurrence of needle (plus offset characters) in the file."""
    text = yaml_file.read_text(encoding="utf-8")
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{column}"


def problems_of(yaml_file: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(yaml_file)
    return [str(p).replace(str(yaml_file), yaml_file.name) for p in caught.value.problems]


def test_three_mistakes_give_three_errors_in_one_run(example_copy, capsys):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(
        yaml_file,
        ("  financial_year: 2021\n", ""),
        ("    values: {2021: 2.79}", "    valeus: {2021: 2.79}"),
        ("    values: {2021: 1293.61}", '    values: {2021: "1,293.61"}'),
    )
    quoted = '"1,293.61"'
    assert problems_of(yaml_file) == [
        # a missing key is reported where its mapping starts
        f"company.yaml:{at(yaml_file, 'title: Environmental')}: report.financial_year: "
        "missing required key 'financial_year'",
        f"company.yaml:{at(yaml_file, 'valeus')}: metrics.ghg_scope1.valeus: unknown key 'valeus'; did you mean 'values'?",
        f"company.yaml:{at(yaml_file, quoted)}: metrics.ghg_scope2.values.2021: expected a number or "
        "'not applicable', got the string '1,293.61'",
    ]
    assert main([str(yaml_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: 3 problems in the input:")
    assert "Traceback" not in err
    assert not (folder / "output").exists(), "nothing is written when the input is wrong"


@pytest.mark.parametrize(
    "replacements, needle, expected",
    [
        (
            [("  ghg_scope1:\n", "  ghg_scope_1:\n")],
            "ghg_scope_1:",
            "metrics.ghg_scope_1: unknown key 'ghg_scope_1'; did you mean 'ghg_scope1'?",
        ),
        (  # not ghg_scope1_2, which plain similarity ranks first: a separator is the likelier slip
            [("  ghg_scope2:\n", "  ghg_scope_2:\n")],
            "ghg_scope_2:",
            "metrics.ghg_scope_2: unknown key 'ghg_scope_2'; did you mean 'ghg_scope2'?",
        ),
        (
            [("        petrol: {2021: 69.92}", "        gasoline: {2021: 69.92}")],
            "gasoline:",
            "metrics.energy_consumption.breakdowns.energy_type.gasoline: unknown key 'gasoline'; "
            "expected one of: electricity_purchased, electricity_renewable_onsite, natural_gas, towngas, diesel, "
            "petrol, lpg, purchased_heat, other",
        ),
        (
            [("  edition: guide-2020", "  edition: guide-2021")],
            "guide-2021",
            "report.edition: unknown edition 'guide-2021'; expected one of: code-2025, guide-2016, guide-2020",
        ),
        (
            [("        answers: [B7.2, B7.3]", "        answers: [B7.2, B7.4]")],
            "B7.4",
            "chapters[0].sections[1].answers[1]: 'B7.4' is not a provision of the "
            "ESG Reporting Guide (2020); did you mean 'B7.3'?",
        ),
        (
            [('  stock_code: "3660"', "  stock_code: 3660")],
            "3660",
            "company.stock_code: write the stock code in quotes, e.g. '0700', so that leading zeros are kept",
        ),
        (
            [("    unit: tCO2e\n    values: {2021: 2.79}", "    unit: tonnes\n    values: {2021: 2.79}")],
            "tonnes\n",
            "metrics.ghg_scope1.unit: 'tonnes' is not allowed here; expected 'tCO2e', 'kgCO2e' or '10k tCO2e'",
        ),
        (
            [("        body: {file: narrative/climate.md}", "        body: {file: narrative/klimate.md}")],
            "narrative/klimate.md",
            "chapters[4].sections[2].body.file: no file 'narrative/klimate.md' in {folder}",
        ),
        (
            [("        body: {file: narrative/climate.md}", "        body: {file: ../../secret.md}")],
            "../../secret.md",
            "chapters[4].sections[2].body.file: '../../secret.md' is outside the report's folder; "
            "give a path relative to it",
        ),
        (
            [("      - per: employees\n        values: {2021: 0.61}", "      - per: staff\n        values: {2021: 0.61}")],
            "staff\n        values",
            "metrics.ghg_scope1_2.intensities[0].per: 'staff' is not a denominator; "
            "expected one of: employees, revenue, floor_area, units_produced",
        ),
        (
            [("  corruption_cases:\n    unit: cases\n    values: {2021: 0}",
              "  corruption_cases:\n    unit: cases\n    values: {2021: .nan}")],
            ".nan",
            "metrics.corruption_cases.values.2021: '.nan' is not a finite number",
        ),
        (
            [("  tons: >-", "  packaging: >-")],
            "  packaging: >-\n    The Company",
            "footnotes.packaging: duplicate key 'packaging' (first given on line {first}); "
            "the second value would silently replace the first",
        ),
    ],
    ids=["unknown-metric", "unknown-metric-separator", "unknown-member", "edition", "provision", "stock-code", "unit-kind",
         "missing-file", "outside-folder", "denominator", "nan", "duplicate-key"],
)
def test_each_input_error_names_its_place(example_copy, replacements, needle, expected):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(yaml_file, *replacements)
    place = at(yaml_file, needle.lstrip())
    first = at(yaml_file, "  packaging: >-").split(":")[0]
    expected = expected.replace("{folder}", str(folder)).replace("{first}", first)
    assert problems_of(yaml_file) == [f"company.yaml:{place}: {expected}"]


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "company.yaml: the file is empty"),
        (b"- a\n- b\n", "company.yaml:1:1: the document must be a mapping of keys to values"),
        (b"company: [\n", "company.yaml:2:1: invalid YAML: expected the node content, but found '<stream end>'"),
        (b"name: \xff\xfe\n", "company.yaml:1:7: the file is not valid UTF-8 text"),
        (b"a: !!python/object:os.system x\n", "company.yaml:1:4: a: the tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"),
    ],
    ids=["empty", "not-a-mapping", "broken-syntax", "not-utf8", "python-tag"],
)
def test_unreadable_files(tmp_path, content, expected):
    yaml_file = tmp_path / "company.yaml"
    yaml_file.write_bytes(content)
    assert problems_of(yaml_file) == [expected]


def test_missing_file_and_folder(tmp_path, capsys):
    assert main([str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: no such file" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2
    assert "this is a folder, not a YAML file" in capsys.readouterr().err


def test_schema_command_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"company", "report", "board_statement", "chapters"}
    metrics = schema["$defs"]["Metrics"]["properties"]
    assert "ghg_scope1" in metrics and "employees" in metrics


def test_the_published_schema_file_is_up_to_date():
    from builder.schema import json_schema

    published = Path(__file__).resolve().parent.parent / "schema" / "company.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == json_schema(), "run `make schema`"


def test_figures_after_the_financial_year_and_a_wrong_period_are_errors(example_copy):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(yaml_file, ("values: {2021: 2.79}", "values: {2022: 2.79}"),
         ("period: {start: 2021-01-01, end: 2021-12-31}", "period: {start: 2020-01-01, end: 2020-12-31}"))
    assert problems_of(yaml_file) == [
        f"company.yaml:{at(yaml_file, 'end: 2020', 5)}: report.period.end: the period ends in 2020, but the "
        "financial year is 2021 (a financial year is named by the year it ends in)",
        f"company.yaml:{at(yaml_file, '2022: 2.79')}: metrics.ghg_scope1.values.2022: 2022 is after the report's "
        "financial year 2021",
    ]


def test_yaml_syntax_errors_say_what_usually_causes_them(tmp_path):
    yaml_file = tmp_path / "company.yaml"
    yaml_file.write_text("report:\n  title: x\n    edition: y\n", encoding="utf-8")
    assert problems_of(yaml_file) == [
        "company.yaml:3:12: invalid YAML: mapping values are not allowed here (check the indentation: keys of "
        "one mapping line up under each other, and a value that contains ': ' must be quoted)"
    ]
    yaml_file.write_text("report:\n  published: 2026-02-30\n", encoding="utf-8")
    assert problems_of(yaml_file) == ["company.yaml:2:14: report.published: '2026-02-30' is not a date that exists"]


@pytest.mark.parametrize("text, expected", [
    ("report:\n  values: {2025: 6175, 2024: 5120\n  unit: t\n",
     "2:11: invalid YAML: the { that opens here is not closed on its line: expected ',' or '}', but got ':' at "
     "line 3, column 7"),
    ("report:\n  answers: [B6, B6.2\nchapters: []\n",
     "2:12: invalid YAML: the [ that opens here is not closed on its line: expected ',' or ']', but got ':' at "
     "line 3, column 9"),
    ('report:\n  title: "Our report\n',
     "2:10: invalid YAML: the quoted text that opens here is not closed on its line: found unexpected end of "
     "stream at line 3, column 1"),
    ("report:\n  values: {2025: 6175,, 2024: 5120}\n",  # found on the line it opens on: said where found
     "2:23: invalid YAML: expected the node content, but found ','"),
], ids=["mapping", "sequence", "quoted", "same-line"])
def test_a_bracket_or_quote_left_open_is_said_where_it_opens(tmp_path, text, expected):
    """PyYAML finds a { [ or " left open on the next line; the error is said where it opens, the line
    to mend, with what was found where."""
    yaml_file = tmp_path / "company.yaml"
    yaml_file.write_text(text, encoding="utf-8")
    assert problems_of(yaml_file) == [f"company.yaml:{expected}"]


def test_a_thousands_separator_in_a_flow_mapping_is_explained(example_copy):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(yaml_file, ("values: {2021: 1293.61}", "values: {2021: 1,293.61}"))
    assert problems_of(yaml_file) == [
        f"company.yaml:{at(yaml_file, '293.61')}: metrics.ghg_scope2.values.293.61: 293.61 is not a year: inside "
        "{...} a comma separates entries, so write figures without thousands separators (15820, not 15,820)"
    ]
