"""Kuaishou Technology's 2020 ESG report (examples/kuaishou-2020): every exact figure of its
environmental and social data is a fact of the built inline XBRL report.

tests/data/kuaishou-2020-figures.yaml lists every figure of the report's environmental and
social data as printed. Each entry says whether it is data (an exact figure, which the example
gives as data) or narrative (and why). Each data entry names the fact that must hold it: the
concept's local name, its dimensions and its XBRL unit. The value is checked exactly: the
printed value, times the power of ten that SCALE gives for the printed unit, is the fact's.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import yaml

EXAMPLE = "kuaishou-2020"
FIGURES = Path(__file__).resolve().parent / "data" / "kuaishou-2020-figures.yaml"

# The power of ten from a unit as the report prints it to the unit of the fact (the fact's own
# unit is in each entry's fact.unit): ten thousand tons are tagged in tonnes (or m³ of water,
# or tCO2e), kg per person in tonnes per employee, a percentage as a ratio, RMB million in CNY,
# "8 million responses" as 8,000,000. A data entry in a unit not listed here fails the test.
SCALE = {
    "ten thousand tons": 4,
    "ton": 0,
    "ton/person": 0,
    "kg/person": -3,
    "MWh": 0,
    "MWh/person": 0,
    "GJ": 0,
    "m³": 0,
    None: 0,  # a ratio (PUE), printed without a unit
    "points (full score 10)": 0,
    "%": -2,
    "RMB million": 6,
    "million views": 6,
    "million responses": 6,
    "hours": 0,
    # counts, printed with what they count
    "training sessions": 0,
    "used electronic devices": 0,
    "people": 0,
    "employees": 0,
    "advanced talents": 0,
    "fatal accidents": 0,
    "cases": 0,
    "suppliers": 0,
    "key suppliers": 0,
    "safety education videos and graphic contents": 0,
    "live streaming sessions": 0,
    "role models": 0,
    "courses": 0,
    "N95 masks": 0,
    "live streaming events": 0,
    "provinces": 0,
    "rural enterprises and cooperatives": 0,
}

# The keys of a fact's dimensions in xBRL-JSON that are not dimensions
CORE = {"concept", "entity", "period", "unit", "language"}


def _local(name: str) -> str:
    return name.split(":", 1)[1] if ":" in name else name


def _entries() -> list[dict]:
    return yaml.safe_load(FIGURES.read_text(encoding="utf-8"))["figures"]


def _data_entries() -> list[tuple[int, dict]]:
    return [(i, e) for i, e in enumerate(_entries()) if e.get("as") == "data"]


def _periods(year: int) -> set[str]:
    """The period of a figure of the year: the year as a duration, or its end as an instant."""
    return {f"{year}-01-01T00:00:00/{year + 1}-01-01T00:00:00", f"{year + 1}-01-01T00:00:00"}


def _numeric_facts(output: Path) -> list[dict]:
    """Every numeric fact of the built report, as (concept, dims, unit, period, value)."""
    report = json.loads((output / "report.json").read_text(encoding="utf-8"))
    prefixes = set(report["documentInfo"]["namespaces"])

    def member(value: str) -> str:
        # an explicit member is a QName (hkesg:DirectMember); a typed one is the company's text
        prefix, _, local = value.partition(":")
        return local if prefix in prefixes and local else value

    facts = []
    for fact in report["facts"].values():
        if "decimals" not in fact:  # text facts
            continue
        dims = fact["dimensions"]
        facts.append({
            "concept": _local(dims["concept"]),
            "dims": {_local(k): member(v) for k, v in dims.items() if k not in CORE},
            "unit": dims.get("unit", "xbrli:pure"),  # xBRL-JSON leaves out the pure unit
            "period": dims["period"],
            "value": Decimal(fact["value"]),
        })
    return facts


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def test_every_entry_is_classified_and_every_narrative_one_says_why():
    entries = _entries()
    assert len(entries) == 142
    unclassified = [(i, e["what"]) for i, e in enumerate(entries) if e.get("as") not in ("data", "narrative")]
    assert unclassified == []
    without_why = [(i, e["what"]) for i, e in enumerate(entries)
                   if e["as"] == "narrative" and not str(e.get("why") or "").strip()]
    assert without_why == []
    # a data entry names its fact and gives no why; a narrative one names no fact
    assert [i for i, e in enumerate(entries) if e["as"] == "data" and ("fact" not in e or "why" in e)] == []
    assert [i for i, e in enumerate(entries) if e["as"] == "narrative" and "fact" in e] == []


def test_a_figure_printed_with_a_qualifier_is_never_data():
    """An XBRL fact is an exact value: 'more than 200' stays in the narrative as written."""
    qualified = [(i, e["what"]) for i, e in enumerate(_entries()) if e.get("qualifier") and e["as"] == "data"]
    assert qualified == []


def test_each_data_entry_says_where_its_breakdown_went():
    """Every breakdown of an entry is either a dimension of its fact (whose member names the
    same thing) or expressed by the concept itself (natural gas, a metric of its own)."""
    problems = []
    for i, e in _data_entries():
        fact = e["fact"]
        members = [_normal(m) for m in (fact.get("dims") or {}).values()]
        for key, member in (e.get("breakdown") or {}).items():
            if key in (fact.get("in_concept") or []):
                continue
            if not any(_normal(member) in m for m in members):
                problems.append((i, e["what"], key, member))
    assert problems == []


def test_every_data_figure_is_a_fact_of_the_inline_xbrl_report(built):
    facts = _numeric_facts(built(EXAMPLE))
    data = _data_entries()
    checked, problems = 0, []
    for i, e in data:
        fact = e["fact"]
        if e["unit"] not in SCALE:
            problems.append(f"{i} {e['what']}: no scale for the printed unit {e['unit']!r}")
            continue
        expected = Decimal(str(e["value"])).scaleb(SCALE[e["unit"]])
        dims = {k: str(v) for k, v in (fact.get("dims") or {}).items()}
        candidates = [f for f in facts if f["concept"] == fact["concept"] and f["dims"] == dims
                      and f["period"] in _periods(e["year"])]
        where = f"{i} {e['what']} ({fact['concept']} {dims or ''}, {e['year']})"
        if not candidates:
            same_concept = sorted({json.dumps(f["dims"]) for f in facts if f["concept"] == fact["concept"]})
            problems.append(f"{where}: no such fact; the concept's facts have dimensions {same_concept}")
            continue
        wrong_unit = [f["unit"] for f in candidates if f["unit"] != fact["unit"]]
        if wrong_unit:
            problems.append(f"{where}: tagged in {wrong_unit}, not {fact['unit']}")
            continue
        values = {f["value"] for f in candidates}
        if values != {expected}:
            problems.append(f"{where}: the fact is {sorted(values)}, the report prints "
                            f"{e['value']} {e['unit']} = {expected}")
            continue
        checked += 1
    assert problems == []
    assert checked == len(data) == sum(1 for e in _entries() if e["as"] == "data")
