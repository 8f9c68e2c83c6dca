"""The catalogue is consistent with itself and is what the content index is made of."""

from __future__ import annotations

import re

import pytest
import yaml

from builder.catalogue import CATALOGUE_DIR, load_catalogue
from builder.compute import compute
from builder.load import load

from .conftest import EXAMPLES

CAT = load_catalogue()


def test_no_metric_and_no_provision_is_listed_twice():
    raw = yaml.safe_load((CATALOGUE_DIR / "metrics.yaml").read_text(encoding="utf-8"))
    ids = [m["id"] for m in raw["metrics"]]
    assert len(ids) == len(set(ids))
    for edition in CAT.editions.values():
        codes = [p.code for p in edition.provisions]
        assert len(codes) == len(set(codes)), edition.id


def test_both_editions_are_there_with_their_parts():
    assert {"guide-2020", "code-2025"} <= set(CAT.editions)
    guide, code = CAT.editions["guide-2020"], CAT.editions["code-2025"]
    assert [p.id for p in guide.parts] == ["B", "C"]
    assert [p.id for p in code.parts] == ["B", "C", "D"]
    assert [a.id for a in code.parts[2].aspects] == ["D-GOV", "D-STR", "D-RM", "D-MT"]
    assert code.provision("D-MT-1").obligation == "mandatory"
    assert code.provision("D-MT-2").obligation == "mandatory"
    assert guide.provision("A4.1") is not None and code.provision("A4.1") is None
    for edition in (guide, code):
        kpis = [p.code for p in edition.provisions if p.aspect.part.id == "C"]
        assert {"A1.1", "A2.5", "A3.1", "B1.2", "B2.3", "B5.4", "B6.5", "B7.3", "B8.2"} <= set(kpis)
        for p in edition.provisions:
            assert p.obligation in ("mandatory", "comply_or_explain", "recommended")
            assert p.answer_by in ("narrative", "data", "both")
            assert p.title and p.title_zh and p.wording


def test_every_provision_has_its_wording_in_traditional_chinese():
    """The Chinese report's content index and the taxonomy's Chinese documentation labels print
    `wording_zh`: Chinese punctuation (full-width), no space between characters."""
    missing = [f"{e.id} {p.code}" for e in CAT.editions.values() for p in e.provisions if not p.wording_zh]
    assert missing == [], f"no wording_zh: {', '.join(missing)}"
    for edition in CAT.editions.values():
        for p in edition.provisions:
            assert not re.search(r"[\s,;:()]", p.wording_zh), (edition.id, p.code, p.wording_zh)


def test_the_same_wording_has_the_same_chinese_in_every_edition():
    chinese: dict[str, set[str]] = {}
    for edition in CAT.editions.values():
        for p in edition.provisions:
            chinese.setdefault(" ".join(p.wording.split()), set()).add(p.wording_zh)
    assert {w: zh for w, zh in chinese.items() if len(zh) > 1} == {}


def test_the_2016_guide_has_two_levels_and_no_later_provisions():
    guide = CAT.editions["guide-2016"]
    assert [p.id for p in guide.parts] == ["C"]
    for code in ("MDR-13", "A4", "A4.1", "B5.3", "B5.4", "B7.3"):
        assert guide.provision(code) is None, code
    assert guide.provision("B1.1").obligation == "recommended"
    assert guide.provision("B1").obligation == "comply_or_explain"
    assert guide.provision("A1.2").obligation == "comply_or_explain"


def test_every_metric_answers_provisions_that_exist():
    all_codes = {p.code for e in CAT.editions.values() for p in e.provisions}
    for metric in CAT.metrics.values():
        assert set(metric.provisions) <= all_codes, metric.id
        if metric.denominator is None:
            assert metric.provisions, f"{metric.id} answers no provision"


@pytest.mark.parametrize("edition_id", ["guide-2016", "guide-2020", "code-2025"])
def test_every_provision_answered_by_data_has_a_metric(edition_id):
    edition = CAT.editions[edition_id]
    answered = {code for m in CAT.metrics.values() for code in m.provisions}
    for p in edition.provisions:
        if p.answer_by == "data":
            assert p.code in answered, f"{p.code} asks for data but no metric answers it"


def test_breakdowns_a_provision_names_are_breakdowns_of_its_metrics():
    for edition in CAT.editions.values():
        for p in edition.provisions:
            metrics = [m for m in CAT.metrics.values() if p.code in m.provisions]
            for axis in p.breakdowns:
                assert any(axis in m.breakdowns for m in metrics), f"{p.code} names {axis}"


def test_metrics_refer_to_known_axes_units_tables_and_parts():
    tables = {t.id for t in CAT.tables}
    kinds = {u.kind for u in CAT.units.values()}
    for m in CAT.metrics.values():
        assert m.unit_kind in kinds, m.id
        assert m.period in ("duration", "instant"), m.id
        assert m.table in tables, m.id
        assert set(m.breakdowns) <= set(CAT.axes), m.id
        for part in m.sum_of:
            assert CAT.metrics[part].unit_kind == m.unit_kind, (m.id, part)


def test_every_label_has_english_and_traditional_chinese():
    for m in CAT.metrics.values():
        assert m.label and m.label_zh, m.id
    for axis in CAT.axes.values():
        assert axis.label and axis.label_zh, axis.id
        for member, (en, zh) in axis.members.items():
            assert en and zh, (axis.id, member)
    for unit in CAT.units.values():
        assert unit.label and unit.label_zh, unit.code


@pytest.mark.parametrize("example, edition_id", [("360digitech-2021", "guide-2020"), ("harbourline-2025", "code-2025")])
def test_every_provision_of_the_edition_is_in_the_content_index(example, edition_id):
    loaded = load(EXAMPLES / example / "company.yaml")
    assert loaded.edition.id == edition_id
    view = compute(loaded)
    in_index = [row.provision.code for group in view.index for row in group.rows]
    assert in_index == [p.code for p in CAT.editions[edition_id].provisions]


def test_the_complete_example_answers_or_explains_every_provision():
    view = compute(load(EXAMPLES / "harbourline-2025" / "company.yaml"))
    statuses = {row.provision.code: row.status for group in view.index for row in group.rows}
    assert "not reported" not in statuses.values(), [c for c, s in statuses.items() if s == "not reported"]
    assert statuses["B6.1"] == "explained" and statuses["D-MT-10"] == "explained"


@pytest.mark.parametrize("file, old, new, expected", [
    ("dimensions.yaml", 'indirect: {label: "Indirect energy (purchased electricity, heat and steam)",',
     "indirect: {label: Indirect energy (purchased electricity, heat and steam),",
     "dimensions.yaml: energy_scope.indirect: unknown key 'heat and steam)'"),
    ("metrics.yaml", "    unit_kind: headcount\n    period: instant\n    breakdowns: [gender, employment_type,",
     "    unit_kind: headcount\n    priod: instant\n    period: instant\n    breakdowns: [gender, employment_type,",
     "metrics.yaml: employees: unknown key 'priod'"),
])
def test_a_stray_key_in_the_catalogue_is_an_error_not_a_cut_label(tmp_path, file, old, new, expected):
    """An unquoted comma in a flow mapping ends the value there: the rest becomes a key."""
    import shutil

    from builder.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue as load

    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / file).write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        load(folder)
    assert expected in str(raised.value)
