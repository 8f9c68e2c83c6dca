"""The XBRL taxonomy: generated from the catalogue, loaded by Arelle with no error or warning."""

from __future__ import annotations

import pytest
from lxml import etree

from builder.catalogue import load_catalogue
from builder.taxonomy import (
    PUBLISHER, CORE, HOST, NS, PACKAGE_DIR, VERSION, build_model, entry_point_url, item_text_block_name, omission_explanation_name,
    omission_reason_name, stale_files, text_block_name,
)
from builder.validate import run_arelle

CAT = load_catalogue()
MODEL = build_model()
EDITIONS = sorted(CAT.editions)


def _inspect(model):
    """What the tests need from a loaded DTS, gathered while Arelle has it open."""
    from arelle import XbrlConst

    ours = {q.localName: c for q, c in model.qnameConcepts.items() if q.namespaceURI == NS and c.isItem}
    references = {}
    obligations = {}
    ref = "{http://www.xbrl.org/2006/ref}"
    cross_references = {}
    for name, concept in ours.items():
        rels = model.relationshipSet(XbrlConst.conceptReference).fromModelObject(concept)
        hkex = [r for r in rels if r.toModelObject.findtext(f"{ref}Publisher") == PUBLISHER]
        references[name] = sorted(
            (r.toModelObject.findtext(f"{ref}Name"), r.toModelObject.findtext(f"{ref}Paragraph")) for r in hkex
        )
        # (edition, code) -> (the reference's role, its note)
        obligations[name] = {
            (r.toModelObject.findtext(f"{ref}Name"), r.toModelObject.findtext(f"{ref}Paragraph")):
            (r.toModelObject.role, r.toModelObject.findtext(f"{ref}Note")) for r in hkex
        }
        # the other frameworks': (publisher, name, paragraph, role)
        cross_references[name] = sorted(
            (r.toModelObject.findtext(f"{ref}Publisher"), r.toModelObject.findtext(f"{ref}Name"),
             r.toModelObject.findtext(f"{ref}Paragraph"), r.toModelObject.role) for r in rels if r not in hkex)
    presentation_roles = sorted(
        model.roleTypeDefinition(role) for role in model.relationshipSet(XbrlConst.parentChild).linkRoleUris
    )
    return {
        "labels": {name: (c.label(lang="en", fallbackToQname=False), c.label(lang="zh-Hant", fallbackToQname=False))
                   for name, c in ours.items()},
        "references": references,
        "obligations": obligations,
        "cross_references": cross_references,
        "presentation_roles": presentation_roles,
        "sums": len(model.relationshipSet(XbrlConst.summationItem).modelRelationships),
    }


@pytest.fixture(scope="module")
def loaded():
    """Each entry point loaded and validated by Arelle, offline, with the taxonomy package: every
    file of it, as the builds do not (they validate the report and its extension in full)."""
    return {edition: run_arelle(entry_point_url(edition), inspect=_inspect, baseTaxonomyValidationMode="all")
            for edition in EDITIONS}


def test_regenerating_the_taxonomy_changes_nothing():
    assert stale_files() == [], "run `make taxonomy` and commit the result"


@pytest.mark.parametrize("edition", EDITIONS)
def test_arelle_loads_each_entry_point_with_no_error_and_no_warning(loaded, edition):
    result = loaded[edition]
    assert result.inspected is not None, "the entry point was loaded"
    assert result.errors == [] and result.warnings == [], result.messages[:5]
    assert result.messages == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_provision_of_the_edition_has_its_concepts(loaded, edition):
    labels = loaded[edition].inspected["labels"]
    references = loaded[edition].inspected["references"]
    title = CAT.editions[edition].title
    for p in CAT.editions[edition].provisions:
        needed = [omission_reason_name(p), omission_explanation_name(p)]
        if p.answer_by in ("narrative", "both"):
            needed.append(text_block_name(p))
        needed += [item_text_block_name(p, i.id) for i in p.items]
        needed += [MODEL.metric_concepts[m.id].name for m in CAT.metrics.values() if p.code in m.provisions]
        if p.answer_by in ("data", "both"):
            assert any(MODEL.metric_concepts[m.id].name in needed for m in CAT.metrics.values()), p.code
        for name in needed:
            assert name in labels, f"{p.code}: no concept {name}"
            assert (title, p.code) in references[name], f"{name} does not refer to {p.code} of the {title}"


def test_every_concept_in_the_taxonomy_traces_back_to_the_catalogue():
    schema = etree.parse(str(PACKAGE_DIR / HOST / VERSION / CORE))
    names = schema.xpath("/xs:schema/xs:element[@substitutionGroup]/@name",
                         namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert sorted(names) == sorted(MODEL.concepts)
    keys = {p.concept for e in CAT.editions.values() for p in e.provisions}
    aspects = {a.concept for e in CAT.editions.values() for part in e.parts for a in part.aspects}
    for concept in MODEL.concepts.values():
        kind, _, rest = concept.source.partition(":")
        key = rest.split(":")[0]
        if kind == "metric":
            assert key in CAT.metrics, concept.source
        elif kind == "provision":
            assert key in keys, concept.source
        elif kind == "axis":
            assert key in CAT.axes, concept.source
        elif kind == "member":
            axis, member = rest.split(":")
            assert member in CAT.axes[axis].members, concept.source
        elif kind == "aspect":
            assert key in aspects, concept.source
        elif kind == "intensity":
            assert rest in ("axis", "domain", "hypercube", "line-items") or CAT.metrics[rest.split(":")[1]].denominator
        elif kind == "combination":
            a, b, _ = rest.split(":")
            assert any((a, b) in (tuple(p) for p in m.combinations) or a == "intensity_denominator" and m.intensity
                       and b in m.breakdowns for m in CAT.metrics.values()), concept.source
        elif kind == "target":
            from builder.taxonomy import target_concept_list

            assert rest in ("axis", "hypercube", "line-items") or rest in {c["part"] for c in target_concept_list()}
        elif kind in ("entity", "totals"):
            pass
        else:
            raise AssertionError(f"{concept.name} comes from nowhere: {concept.source}")


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_concept_axis_and_member_has_english_and_chinese_labels(loaded, edition):
    labels = loaded[edition].inspected["labels"]
    assert len(labels) == len(MODEL.concepts)
    for name, (en, zh) in labels.items():
        assert en, f"{name} has no English standard label"
        assert zh and any("\u4e00" <= ch <= "\u9fff" for ch in zh), f"{name} has no Chinese standard label: {zh!r}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_presentation_follows_the_framework_order(loaded, edition):
    roles = loaded[edition].inspected["presentation_roles"]
    expected = [a.id for part in CAT.editions[edition].parts for a in part.aspects]
    shown = [r.split(" ", 2)[1] for r in roles if not r.startswith("[000]")]
    assert shown == expected


def test_every_sum_of_the_catalogue_is_a_calculation(loaded):
    sums = sum(len(m.sum_of) for m in CAT.metrics.values())
    assert sums >= 2
    assert loaded["code-2025"].inspected["sums"] == sums


def test_breakdowns_are_typed_where_the_company_names_the_members():
    schema = etree.parse(str(PACKAGE_DIR / HOST / VERSION / CORE)).getroot()
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    typed = schema.xpath("xs:element[@xbrldt:typedDomainRef]/@name",
                         namespaces=xs | {"xbrldt": "http://xbrl.org/2005/xbrldt"})
    assert sorted(typed) == ["RegionAxis", "SiteAxis", "TargetAxis"]  # a target is named by its id
    assert "GenderAxis" in MODEL.concepts and "FemaleMember" in MODEL.concepts
    assert MODEL.concepts["GhgScope1"].type == "dtr-types:ghgEmissionsItemType"
    assert MODEL.concepts["EnergyConsumption"].type == "dtr-types:energyItemType"
    assert MODEL.concepts["Workforce"].type == "xbrli:nonNegativeIntegerItemType"
    assert MODEL.concepts["Workforce"].period == "instant"
    assert MODEL.concepts["EmployeeTurnoverRate"].type == "dtr-types:percentItemType"


def test_every_registry_unit_fits_the_item_type_of_its_kind():
    """A unit in utr: must be in the Unit Type Registry, for the item type its kind is tagged with."""
    import re
    from pathlib import Path

    import arelle

    from builder.taxonomy import ITEM_TYPES

    registries = sorted((Path(arelle.__file__).parent / "resources" / "cache").rglob("utr/*/utr.xml"))
    text = registries[-1].read_text(encoding="utf-8")
    registry = {
        m.group(1): m.group(2)
        for m in re.finditer(r"<unitId>([^<]+)</unitId>.*?<itemType>([^<]+)</itemType>", text, re.S)
    }
    checked = 0
    for unit in CAT.units.values():
        for measure in unit.xbrl.split("/"):
            if measure.startswith("utr:"):
                local = measure[4:]
                assert local in registry, f"{unit.code}: {measure} is not in the Unit Type Registry"
                item_type = ITEM_TYPES[unit.kind].split(":")[1]
                if "/" not in unit.xbrl:
                    assert registry[local] == item_type, f"{unit.code}: {measure} is for {registry[local]}"
                checked += 1
            else:
                assert measure.split(":")[0] in ("xbrli", "iso4217", "hkesg"), unit.code
    assert checked >= 12


# --- name keys: concepts are named from them, and the catalogue refuses inconsistent ones ---


def _catalogue_copy(tmp_path, edit_edition: str, old: str, new: str):
    """A copy of the catalogue with one edit in one edition file."""
    import shutil

    from builder.catalogue import CATALOGUE_DIR

    folder = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, folder)
    path = folder / "editions" / f"{edit_edition}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("edition, old, new, expected", [
    ("guide-2020", "            concept: EmissionTargets\n", "",
     "editions/guide-2020.yaml: provision A1.5: no name key"),
    ("code-2025", "      - id: D-RM\n        concept: ClimateRiskManagement\n", "      - id: D-RM\n",
     "editions/code-2025.yaml: aspect D-RM: no name key"),
    ("code-2025", "concept: ClimateResilience", "concept: ClimateRelatedRisksAndOpportunities",
     "editions/code-2025.yaml: provisions D-STR-1, D-STR-5 share the name key ClimateRelatedRisksAndOpportunities"),
    ("guide-2016", "concept: MeasuresToMitigateEmissions", "concept: EmissionTargets",
     "the name key EmissionTargets is shared by provisions worded differently (A1.5 of editions/code-2025.yaml, "
     "A1.5 of editions/guide-2016.yaml, A1.5 of editions/guide-2020.yaml)"),
    ("guide-2020", "concept: EmissionTargets", "concept: EmissionTargetsA1_5", "spells a provision code (A1_5)"),
    ("code-2025", "concept: ClimateGovernanceBodyOversight", "concept: DGOV1Oversight", "spells a provision code (DGOV1)"),
    ("guide-2020", "concept: TotalWorkforce", "concept: total_workforce", "is not UpperCamelCase"),
])
def test_the_catalogue_refuses_missing_shared_or_coded_name_keys(tmp_path, edition, old, new, expected):
    from builder.catalogue import CatalogueError, load_catalogue as load

    with pytest.raises(CatalogueError) as raised:
        load(_catalogue_copy(tmp_path, edition, old, new))
    assert expected in str(raised.value)


def test_a_reworded_provision_keeps_its_key_only_when_it_says_why(tmp_path):
    from builder.catalogue import CatalogueError, load_catalogue as load

    # B2.1 is reworded in 2020 ("in each of the past three years"), and says so
    assert CAT.editions["guide-2016"].provision("B2.1").concept == CAT.editions["guide-2020"].provision("B2.1").concept
    assert CAT.editions["guide-2020"].provision("B2.1").reworded
    folder = _catalogue_copy(tmp_path, "guide-2020", "            reworded: >-\n", "            _reworded: >-\n")
    with pytest.raises(CatalogueError, match="the name key WorkRelatedFatalities is shared by provisions worded"):
        load(folder)


def test_no_concept_name_spells_a_provision_code():
    import re

    codes = {p.code for e in CAT.editions.values() for p in e.provisions}
    forms = {f for c in codes for f in (c.replace(".", "_").replace("-", ""), c.replace(".", "").replace("-", ""),
                                         c.replace(".", "_").replace("-", "_"))}
    assert {"A1_1", "B2_3", "DGOV1", "MDR13", "A1"} <= forms
    spelled = re.compile("|".join(rf"(?<![A-Z0-9]){re.escape(f)}(?![0-9_])" for f in sorted(forms, key=len, reverse=True)))
    schema = etree.parse(str(PACKAGE_DIR / HOST / VERSION / CORE))
    names = schema.xpath("/xs:schema/xs:element/@name", namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert len(names) > 400
    offenders = [n for n in names if spelled.search(n) or re.search(r"^(Disclosure|Omission|Provision|Aspect)", n)]
    assert offenders == []
    # the names a provision's concepts get come from its name key, in every edition
    for edition in CAT.editions.values():
        for p in edition.provisions:
            assert p.concept and not spelled.search(p.concept), p.code
            assert MODEL.concepts[f"{p.concept}Abstract"].source == f"provision:{p.concept}:abstract"
        for part in edition.parts:
            for aspect in part.aspects:
                assert MODEL.concepts[f"{aspect.concept}AspectAbstract"].source == f"aspect:{aspect.concept}"


@pytest.mark.parametrize("code, before, after", [
    ("A1.2", "TotalGreenhouseGasEmissions", "Scope1And2GreenhouseGasEmissions"),
    ("A1.5", "MeasuresToMitigateEmissions", "EmissionTargets"),
    ("A1.6", "WasteHandlingAndReductionInitiatives", "WasteHandlingAndReductionTargets"),
    ("A2.3", "EnergyUseEfficiencyInitiatives", "EnergyUseEfficiencyTargets"),
    ("A2.4", "WaterSourcingAndEfficiencyInitiatives", "WaterSourcingAndEfficiencyTargets"),
])
def test_a_provision_whose_meaning_changed_in_2020_has_new_concepts(loaded, code, before, after):
    old, new = CAT.editions["guide-2016"].provision(code), CAT.editions["guide-2020"].provision(code)
    assert (old.concept, new.concept) == (before, after)
    assert CAT.editions["code-2025"].provision(code).concept == (after if code != "A1.2" else "GreenhouseGasEmissionsIntensity")
    guide_2016, guide_2020, code_2025 = (CAT.editions[e].title for e in ("guide-2016", "guide-2020", "code-2025"))
    for edition in EDITIONS:
        references = loaded[edition].inspected["references"]
        assert references[f"{before}OmissionReason"] == [(guide_2016, code)]
        expected = [(code_2025, code), (guide_2020, code)] if code != "A1.2" else [(guide_2020, code)]
        assert references[f"{after}OmissionReason"] == expected
    if old.answer_by == "narrative":
        assert f"{before}TextBlock" in MODEL.concepts and f"{after}TextBlock" in MODEL.concepts
        assert MODEL.concepts[f"{before}TextBlock"].documentation == old.wording
        assert MODEL.concepts[f"{after}TextBlock"].documentation == new.wording
        assert MODEL.concepts[f"{before}TextBlock"].documentation_zh == old.wording_zh
        assert MODEL.concepts[f"{after}TextBlock"].documentation_zh == new.wording_zh


def test_a_provision_that_means_the_same_keeps_its_concepts_across_editions(loaded):
    references = loaded["guide-2016"].inspected["references"]
    titles = sorted(CAT.editions[e].title for e in EDITIONS)
    # B1.1: recommended in 2016, comply or explain from 2020: the same question, the same concepts
    assert references["TotalWorkforceOmissionReason"] == [(t, "B1.1") for t in titles]
    assert references["WorkRelatedFatalitiesOmissionReason"] == [(t, "B2.1") for t in titles]
    # A4 is in the 2020 Guide only, Part D in the 2025 Code only
    assert references["SignificantClimateRelatedIssuesTextBlock"] == [(CAT.editions["guide-2020"].title, "A4.1")]
    assert references["Scope1GreenhouseGasEmissionsOmissionReason"] == [(CAT.editions["code-2025"].title, "D-MT-1")]


# --- obligations: each reference says, per edition, how binding the provision is there ------

ROLE = "http://www.xbrl.org/2003/role/"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_reference_says_the_provisions_obligation_in_its_edition(loaded, edition):
    from builder.taxonomy import OBLIGATION_ROLES

    assert OBLIGATION_ROLES == {"mandatory": ROLE + "mandatoryDisclosureRef",
                                "comply_or_explain": ROLE + "disclosureRef",
                                "recommended": ROLE + "recommendedDisclosureRef"}
    obligations = loaded[edition].inspected["obligations"]
    checked = 0
    for e in CAT.editions.values():
        for p in e.provisions:
            names = [c.name for c in MODEL.provision_concepts[p.concept]]
            names += [MODEL.metric_concepts[m.id].name for m in CAT.metrics.values() if p.code in m.provisions]
            for name in names:
                assert obligations[name][(e.title, p.code)] == (OBLIGATION_ROLES[p.obligation], p.obligation_label)
                checked += 1
    assert checked > 300
    # no reference without an obligation: every one is a provision's, in one edition
    roles = {role for refs in obligations.values() for role, _ in refs.values()}
    assert roles == set(OBLIGATION_ROLES.values())


def test_a_provision_whose_obligation_changed_says_so_per_edition(loaded):
    obligations = loaded["code-2025"].inspected["obligations"]
    titles = {e: CAT.editions[e].title for e in EDITIONS}
    # B1.1: recommended in the 2016 Guide, comply or explain from 2020, on one concept
    assert obligations["TotalWorkforceOmissionReason"] == {
        (titles["guide-2016"], "B1.1"): (ROLE + "recommendedDisclosureRef", "Recommended"),
        (titles["guide-2020"], "B1.1"): (ROLE + "disclosureRef", "Comply or explain"),
        (titles["code-2025"], "B1.1"): (ROLE + "disclosureRef", "Comply or explain"),
    }
    assert obligations["Workforce"][(titles["guide-2016"], "B1.1")][0] == ROLE + "recommendedDisclosureRef"
    # Part B and Scope 1 and 2 are mandatory; Scope 3 is comply or explain
    assert obligations["BoardStatementOversightTextBlock"][(titles["code-2025"], "MDR-13")] == (
        ROLE + "mandatoryDisclosureRef", "Mandatory")
    assert obligations["GhgScope1"][(titles["code-2025"], "D-MT-1")][0] == ROLE + "mandatoryDisclosureRef"
    assert obligations["GhgScope1"][(titles["code-2025"], "A1.1")][0] == ROLE + "disclosureRef"
    assert obligations["Scope3GreenhouseGasEmissionsTextBlock"] == {
        (titles["code-2025"], "D-MT-3"): (ROLE + "disclosureRef", "Comply or explain")}


# --- item types: the Data Type Registry's where one fits -------------------------------------

DTR_TYPES = "https://www.xbrl.org/dtr/type/2024-01-31/types.xsd"


def _arelle_cache(url: str):
    from pathlib import Path

    import arelle

    scheme, rest = url.split("://", 1)
    return Path(arelle.__file__).parent / "resources" / "cache" / scheme / rest


def test_intensities_per_monetary_unit_have_the_registry_types():
    from builder.taxonomy import ITEM_TYPES, PER_MONETARY_TYPES, SCHEMA_LOCATIONS, DTR

    assert SCHEMA_LOCATIONS[DTR] == DTR_TYPES
    typed = {c.name: c.type for c in MODEL.monetary_intensity_concepts.values()}
    assert typed == {
        "GhgScope1And2IntensityPerRevenue": "dtr-types:ghgEmissionsPerMonetaryItemType",
        "EnergyConsumptionIntensityPerRevenue": "dtr-types:energyPerMonetaryItemType",
        "WaterConsumptionIntensityPerRevenue": "dtr-types:volumePerMonetaryItemType",
    }
    # every other intensity, and days, hours, rates and carbon prices: no registry type fits
    for concept in MODEL.intensity_concepts.values():
        assert concept.type == "xbrli:decimalItemType", concept.name
    for kind in ("days", "hours", "rate", "price_per_ghg"):
        assert ITEM_TYPES[kind] == "xbrli:decimalItemType", kind
    # the typed ones name their denominator, so they are facts without dimensions
    _, _, without_dimensions = MODEL.totals
    assert set(typed) <= {c.name for c in without_dimensions}
    assert not set(typed) & {c.name for c in MODEL.intensity.metrics}
    assert set(PER_MONETARY_TYPES) == {"ghg", "energy", "volume"}


def test_the_registry_types_resolve_offline_and_take_the_units_they_are_used_with():
    """Each type is in the DTR schema Arelle holds offline, and the Unit Type Registry entry for
    it takes every unit of the metric's kind over every currency the catalogue has."""
    import re

    from builder.taxonomy import ITEM_TYPES, PER_MONETARY_TYPES

    schema = _arelle_cache(DTR_TYPES).read_text(encoding="utf-8")
    utr = _arelle_cache("http://www.xbrl.org/utr/utr.xml").read_text(encoding="utf-8")  # the registry Arelle uses
    entries = {}
    for unit in re.findall(r"<unit id=.*?</unit>", utr, re.S):
        field = dict(re.findall(r"<(\w+)>([^<]*)</\1>", unit))
        if "numeratorItemType" in field:
            entries[field["itemType"]] = (field["numeratorItemType"], field["denominatorItemType"])
    currencies = {u.xbrl for u in CAT.units_of("money")}
    assert currencies == {"iso4217:HKD", "iso4217:CNY", "iso4217:USD"}
    for kind, item_type in PER_MONETARY_TYPES.items():
        local = item_type.split(":")[1]
        assert f'<complexType name="{local}">' in schema, local
        numerator, denominator = entries[local]
        assert (numerator, denominator) == (ITEM_TYPES[kind].split(":")[1], "monetaryItemType"), kind
        for unit in CAT.units_of(kind):
            assert unit.xbrl.startswith("utr:"), unit.code


def test_arelle_refuses_a_unit_the_registry_does_not_allow_on_a_typed_intensity(tmp_path):
    """The types are not names only: with the Unit Type Registry, a GHG intensity per monetary
    unit in tCO2e per m² is an error, in tCO2e per HK$ it is valid."""
    def instance(denominator: str) -> str:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:link="http://www.xbrl.org/2003/linkbase"
  xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:utr="http://www.xbrl.org/2009/utr"
  xmlns:iso4217="http://www.xbrl.org/2003/iso4217" xmlns:hkesg="{NS}">
  <link:schemaRef xlink:type="simple" xlink:href="{entry_point_url('code-2025')}"/>
  <xbrli:context id="c"><xbrli:entity><xbrli:identifier scheme="https://www.hkex.com.hk/stock-code">00700</xbrli:identifier>
    </xbrli:entity><xbrli:period><xbrli:startDate>2025-01-01</xbrli:startDate><xbrli:endDate>2025-12-31</xbrli:endDate>
    </xbrli:period></xbrli:context>
  <xbrli:unit id="u"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>utr:tCO2e</xbrli:measure></xbrli:unitNumerator>
    <xbrli:unitDenominator><xbrli:measure>{denominator}</xbrli:measure></xbrli:unitDenominator></xbrli:divide></xbrli:unit>
  <hkesg:GhgScope1And2IntensityPerRevenue contextRef="c" unitRef="u" decimals="INF">0.00000352</hkesg:GhgScope1And2IntensityPerRevenue>
</xbrli:xbrl>
"""
    for denominator, expected in (("iso4217:HKD", []), ("utr:sqm", ["utre:error-NumericFactUtrInvalid"])):
        path = tmp_path / f"{denominator.replace(':', '-')}.xbrl"
        path.write_text(instance(denominator), encoding="utf-8")
        result = run_arelle(path)
        assert [m["messageCode"] for m in result.errors + result.warnings] == expected, result.messages


def test_the_other_frameworks_references_are_on_the_concepts_of_their_provisions(loaded):
    cross = loaded["code-2025"].inspected["cross_references"]
    gri, ifrs, tcfd = (CAT.frameworks[f] for f in ("gri", "ifrs-s2", "tcfd"))
    generic = "http://www.xbrl.org/2003/role/reference"  # a correspondence, not an obligation
    assert cross["Scope3GreenhouseGasEmissionsTextBlock"] == sorted([
        (gri.publisher, gri.title, "305-3", generic), (ifrs.publisher, ifrs.title, "29(a)", generic),
        (tcfd.publisher, tcfd.title, "Metrics and targets (b)", generic)])
    # a metric answering B1.2 carries GRI 401-1, as the concept explaining its omission does
    turnover = MODEL.metric_concepts["employee_turnover_rate"].name
    assert (gri.publisher, gri.title, "401-1", generic) in cross[turnover]
    assert (gri.publisher, gri.title, "401-1", generic) in cross["EmployeeTurnoverRateOmissionExplanation"]
