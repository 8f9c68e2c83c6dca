"""The HKEX ESG XBRL taxonomy, generated from the catalogue.

Every concept, axis, member, label, reference and relationship written here is derived from
taxonomy/catalogue; nothing is listed by hand. `build-report taxonomy` writes the files and
packs them as an XBRL Taxonomy Package (META-INF/taxonomyPackage.xml and catalog.xml), so
that Arelle and any other processor resolves the taxonomy offline.

Layout of the package (one folder, zipped with that folder at its root):

    hkex-esg-<version>/META-INF/{taxonomyPackage.xml, catalog.xml}
    hkex-esg-<version>/<host>/<version>/hkesg-<version>.xsd         concepts, axes, members, roles
    hkex-esg-<version>/<host>/<version>/hkesg-<version>-lab-en.xml  labels, English
    hkex-esg-<version>/<host>/<version>/hkesg-<version>-lab-zh.xml  labels, Traditional Chinese
    hkex-esg-<version>/<host>/<version>/hkesg-<version>-ref.xml     references to the provisions
    hkex-esg-<version>/<host>/<version>/hkesg-<version>-def.xml     breakdowns (dimensions)
    hkex-esg-<version>/<host>/<version>/hkesg-<version>-cal.xml     totals = sums of parts
    hkex-esg-<version>/<host>/<version>/<edition>/hkesg-<edition>.xsd      entry point per edition
    hkex-esg-<version>/<host>/<version>/<edition>/hkesg-<edition>-pre.xml  presentation, in the
                                                                           framework's order
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from lxml import etree

from .catalogue import Aspect, Axis, Catalogue, Edition, Metric, Provision, _read, load_catalogue

VERSION = "2026-01-01"
HOST = "taxonomy.hkex-esg.example"  # a reserved name: the taxonomy is used from its package
BASE_URL = f"https://{HOST}/{VERSION}/"
NS = f"{BASE_URL}hkesg"
PREFIX = "hkesg"
PACKAGE_NAME = f"hkex-esg-{VERSION}"
CORE = f"hkesg-{VERSION}.xsd"
PUBLISHER = "The Stock Exchange of Hong Kong Limited"

XS = "http://www.w3.org/2001/XMLSchema"
XBRLI = "http://www.xbrl.org/2003/instance"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"
XBRLDT = "http://xbrl.org/2005/xbrldt"
DTR = "http://www.xbrl.org/dtr/type/2024-01-31"
REF = "http://www.xbrl.org/2006/ref"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TP = "http://xbrl.org/2016/taxonomy-package"
CATALOG = "urn:oasis:names:tc:entity:xmlns:xml:catalog"

SCHEMA_LOCATIONS = {
    XBRLI: "http://www.xbrl.org/2003/xbrl-instance-2003-12-31.xsd",
    LINK: "http://www.xbrl.org/2003/xbrl-linkbase-2003-12-31.xsd",
    XBRLDT: "http://www.xbrl.org/2005/xbrldt-2005.xsd",
    DTR: "https://www.xbrl.org/dtr/type/2024-01-31/types.xsd",
    REF: "http://www.xbrl.org/2006/ref-2006-02-27.xsd",
}
NSMAP = {"xs": XS, "xbrli": XBRLI, "link": LINK, "xlink": XLINK, "xbrldt": XBRLDT, "dtr-types": DTR, PREFIX: NS}

ARCROLE = {
    "parent-child": "http://www.xbrl.org/2003/arcrole/parent-child",
    "summation-item": "http://www.xbrl.org/2003/arcrole/summation-item",
    "concept-label": "http://www.xbrl.org/2003/arcrole/concept-label",
    "concept-reference": "http://www.xbrl.org/2003/arcrole/concept-reference",
    "all": "http://xbrl.org/int/dim/arcrole/all",
    "hypercube-dimension": "http://xbrl.org/int/dim/arcrole/hypercube-dimension",
    "dimension-domain": "http://xbrl.org/int/dim/arcrole/dimension-domain",
    "domain-member": "http://xbrl.org/int/dim/arcrole/domain-member",
    "dimension-default": "http://xbrl.org/int/dim/arcrole/dimension-default",
}
LABEL_ROLE = "http://www.xbrl.org/2003/role/label"
TERSE_ROLE = "http://www.xbrl.org/2003/role/terseLabel"
DOC_ROLE = "http://www.xbrl.org/2003/role/documentation"
# A provision's obligation in an edition, as the role of its reference there: XBRL 2.1's
# standard reference roles (section 5.2.3.2.2), which link:reference allows. "Comply or
# explain" is a disclosure requirement that is neither mandatory nor merely recommended.
OBLIGATION_ROLES = {
    "mandatory": "http://www.xbrl.org/2003/role/mandatoryDisclosureRef",
    "comply_or_explain": "http://www.xbrl.org/2003/role/disclosureRef",
    "recommended": "http://www.xbrl.org/2003/role/recommendedDisclosureRef",
}
DEFAULT_LINK_ROLE = "http://www.xbrl.org/2003/role/link"
CLOSED_SEGMENT = {f"{{{XBRLDT}}}contextElement": "segment", f"{{{XBRLDT}}}closed": "true"}

# Unit kinds of the catalogue -> item types (from the XBRL Data Type Registry where one fits).
ITEM_TYPES = {
    "mass": "dtr-types:massItemType",
    "energy": "dtr-types:energyItemType",
    "volume": "dtr-types:volumeItemType",
    "ghg": "dtr-types:ghgEmissionsItemType",
    "headcount": "xbrli:nonNegativeIntegerItemType",
    "count": "xbrli:nonNegativeIntegerItemType",
    "percentage": "dtr-types:percentItemType",
    "ratio": "xbrli:pureItemType",
    "days": "xbrli:decimalItemType",
    "hours": "xbrli:decimalItemType",
    "money": "xbrli:monetaryItemType",
    "area": "dtr-types:areaItemType",
    "price_per_ghg": "xbrli:decimalItemType",
    "rate": "xbrli:decimalItemType",
}

# Intensities per monetary unit (per HK$ of revenue) of the kinds for which the Data Type
# Registry (2024-01-31) has a type, whose Unit Type Registry entry takes the kind's units over a
# currency: they have concepts of their own, without the intensity denominator axis. No other
# intensity has a registry type (there is none for mass per money, or for anything per m² or
# per employee), so the others stay one xbrli:decimalItemType concept per metric, with the axis.
PER_MONETARY_TYPES = {
    "ghg": "dtr-types:ghgEmissionsPerMonetaryItemType",
    "energy": "dtr-types:energyPerMonetaryItemType",
    "volume": "dtr-types:volumePerMonetaryItemType",
}

OMISSION_REASONS = {
    # the value in the instance, as the YAML's omission reasons: (English label, Chinese label)
    "not material": ("Not material", "不重大"),
    "not applicable": ("Not applicable", "不適用"),
    "information unavailable": ("Information unavailable", "未能取得資料"),
    "legal prohibition": ("Legal prohibition", "法律禁止"),
    "confidentiality": ("Confidentiality constraints", "保密限制"),
}


# --- the model of the taxonomy, derived from the catalogue ------------------------------


@dataclass
class Reference:
    edition: Edition
    provision: Provision


@dataclass
class Concept:
    name: str
    type: str
    label: str
    label_zh: str
    source: str  # where in the catalogue it comes from: "metric:ghg_scope1", "provision:A1.1"...
    period: str = "duration"
    substitution: str = "xbrli:item"
    abstract: bool = False
    balance: str | None = None
    typed_domain: str | None = None  # typed axes: the element of their values
    terse: str | None = None
    terse_zh: str | None = None
    documentation: str | None = None
    documentation_zh: str | None = None
    references: list[Reference] = field(default_factory=list)
    prefix: str = PREFIX  # the framework's, or the company's extension's

    @property
    def qname(self) -> str:
        return f"{self.prefix}:{self.name}"

    @property
    def extension(self) -> bool:
        return self.prefix != PREFIX


@dataclass
class Breakdown:
    """One axis and the metrics that may be broken down by it (one hypercube each)."""

    axis: Axis
    axis_concept: Concept
    domain: Concept | None  # explicit axes only
    members: list[Concept]
    hypercube: Concept
    line_items: Concept
    metrics: list[Concept]
    role: str = ""  # the extended link role of its hypercube


@dataclass
class Combination:
    """Two breakdowns at once (gender within full-time staff, an intensity per site): one
    hypercube of both axes, in a link role of its own."""

    parts: tuple[Breakdown, Breakdown]
    hypercube: Concept
    line_items: Concept
    metrics: list[Concept]
    role: str


@dataclass
class Taxonomy:
    concepts: dict[str, Concept]
    metric_concepts: dict[str, Concept]
    intensity_concepts: dict[str, Concept]  # metric -> its intensity, with the denominator axis
    monetary_intensity_concepts: dict[tuple[str, str], Concept]  # (metric, denominator) -> typed, no axis
    provision_concepts: dict[str, list[Concept]]  # name key -> text blocks and omission concepts
    breakdowns: list[Breakdown]
    totals: tuple[Concept, Concept, list[Concept]]  # hypercube, line items, metrics
    intensity: Breakdown
    sums: list[tuple[Concept, list[Concept]]]
    roles: dict[str, str]  # role URI -> definition
    catalogue: Catalogue
    extension: "ExtensionNames | None" = None
    anchors: list[tuple[Concept, Concept]] = field(default_factory=list)  # (framework concept, narrower extension)
    share_concepts: dict[str, Concept] = field(default_factory=dict)  # metric -> its members' published shares
    combinations: list[Combination] = field(default_factory=list)

    def intensity_concept(self, metric_id: str, per: str) -> tuple[Concept, bool]:
        """The concept of a metric's intensity per a denominator, and whether its facts carry
        the intensity denominator axis (those of a concept typed per monetary unit do not)."""
        typed = self.monetary_intensity_concepts.get((metric_id, per))
        if typed is not None:
            return typed, False
        return self.intensity_concepts[metric_id], True


def camel(identifier: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-\s.]+", identifier) if part)


def code_token(code: str) -> str:
    """A1.1 -> A1_1, MDR-13 -> MDR13, D-GOV-1 -> DGOV1: provision codes in ids and xlink labels
    (never in concept names, which come from the provisions' name keys)."""
    return code.replace(".", "_").replace("-", "")


# The names of a provision's and an aspect's concepts, from their name keys: the same names in
# every edition where the provision means the same, whatever its code there.

def text_block_name(provision: Provision) -> str:
    return f"{provision.concept}TextBlock"


def item_text_block_name(provision: Provision, item_id: str) -> str:
    return f"{provision.concept}{camel(item_id)}TextBlock"


def omission_reason_name(provision: Provision) -> str:
    return f"{provision.concept}OmissionReason"


def omission_explanation_name(provision: Provision) -> str:
    return f"{provision.concept}OmissionExplanation"


def provision_abstract_name(provision: Provision) -> str:
    return f"{provision.concept}Abstract"


def aspect_abstract_name(aspect: Aspect) -> str:
    return f"{aspect.concept}AspectAbstract"


def metric_name(metric: Metric) -> str:
    return metric.concept or camel(metric.id)


def role_uri(kind: str, ident: str) -> str:
    return f"{BASE_URL}role/{kind}/{ident}"


def aspect_role(aspect: Aspect) -> str:
    """The presentation role of an aspect, named from its name key like its concepts."""
    return role_uri("aspect", aspect.concept)


# The footnote role that marks a derived fact: every figure the builder computed is linked to a
# footnote of this role, so a consumer tells it from a figure the company published.
DERIVED_ROLE = role_uri("footnote", "derived")


class NameClash(ValueError):
    """Two concepts (or elements) would have one name: a company's id whose XBRL name is taken."""

    def __init__(self, name: str, first: str, second: str):
        self.name, self.first, self.second = name, first, second
        super().__init__(f"the catalogue gives two concepts the name {name}: {first} and {second}")


@dataclass(frozen=True)
class ExtensionNames:
    """Where a company's extension taxonomy lives: its own namespace and prefix."""

    prefix: str
    namespace: str

    def role(self, kind: str, ident: str) -> str:
        return f"{self.namespace}/role/{kind}/{ident}"


# The arcrole by which an extension concept is anchored to the framework concept it is a
# narrower part or kind of (as ESEF anchors extensions with ESMA's wider-narrower arcrole).
WIDER_NARROWER = f"{BASE_URL}arcrole/wider-narrower"


def build_model(catalogue: Catalogue | None = None, ext: ExtensionNames | None = None) -> Taxonomy:
    """The taxonomy of the framework; or, for a catalogue a company extended, the framework's
    concepts with the company's own in its extension namespace."""
    if catalogue is None or not catalogue.extended:
        return _framework_model() if ext is None else replace(_framework_model(), extension=ext)
    return _build(catalogue, ext)


@cache
def _framework_model() -> Taxonomy:
    return _build(load_catalogue(), None)


def _build(catalogue: Catalogue, ext: ExtensionNames | None) -> Taxonomy:
    concepts: dict[str, Concept] = {}

    elements: dict[str, str] = {}  # every element name -> where it comes from (typed axes' values too)

    def add(concept: Concept, extension: bool = False) -> Concept:
        if extension:
            concept.prefix = ext.prefix
        reserve(concept.name, concept.source)
        concepts[concept.name] = concept
        return concept

    def reserve(name: str, source: str) -> None:
        if name in elements:
            raise NameClash(name, elements[name], source)
        elements[name] = source

    editions = list(catalogue.editions.values())

    # references: every (edition, provision) a code stands for
    def references(code: str) -> list[Reference]:
        return [Reference(e, e.provision(code)) for e in editions if e.provision(code) is not None]

    # entity and report information
    for c in _entity_concepts():
        add(Concept(c["name"], c["type"], c["label"], c["label_zh"], f"entity:{c['name']}"))

    # metrics and their intensities
    metric_concepts: dict[str, Concept] = {}
    intensity_concepts: dict[str, Concept] = {}
    monetary_intensity_concepts: dict[tuple[str, str], Concept] = {}
    monetary = [m for m in catalogue.metrics.values()
                if m.denominator and m.unit_kind == "money" and not m.denominator_measure]
    for metric in catalogue.metrics.values():
        refs = [r for code in metric.provisions for r in references(code)]
        metric_concepts[metric.id] = add(
            Concept(
                metric_name(metric), ITEM_TYPES[metric.unit_kind], metric.label, metric.label_zh,
                f"metric:{metric.id}", period=metric.period, balance=metric.balance, references=refs,
            ), metric.extension
        )
        if not metric.intensity:
            continue
        typed = monetary if metric.unit_kind in PER_MONETARY_TYPES else []
        elsewhere = "".join(f" Per {d.per('unit')}, the intensity is {metric_name(metric)}IntensityPer{metric_name(d)}."
                            for d in typed)
        intensity_concepts[metric.id] = add(
            Concept(
                metric_name(metric) + "Intensity", "xbrli:decimalItemType",
                f"{metric.label}, intensity", f"{metric.label_zh}密度",
                f"metric:{metric.id}:intensity", period="duration", references=refs,
                documentation=f"{metric.label} divided by the denominator named by the intensity "
                "denominator axis; the unit is the metric's unit divided by the denominator's." + elsewhere,
            ), metric.extension
        )
        for d in typed:
            monetary_intensity_concepts[(metric.id, d.id)] = add(
                Concept(
                    f"{metric_name(metric)}IntensityPer{metric_name(d)}", PER_MONETARY_TYPES[metric.unit_kind],
                    f"{metric.label}, intensity per {d.per('unit')}",
                    f"{metric.label_zh}密度（{d.denominator_zh.format(unit='貨幣單位')}）",
                    f"metric:{metric.id}:intensity:{d.id}", period="duration", references=refs,
                    documentation=f"{metric.label} divided by {d.label.lower()}, per unit of currency: the unit "
                    "is the metric's unit divided by an ISO 4217 currency (tCO2e per HKD, for example).",
                ), metric.extension
            )

    # published shares of a breakdown's members: of the total, or of the member they are within
    share_concepts: dict[str, Concept] = {}
    for metric in catalogue.metrics.values():
        if metric.sums and metric.breakdowns:
            share_concepts[metric.id] = add(Concept(
                metric_name(metric) + "Share", "dtr-types:percentItemType", f"{metric.label}, share",
                f"{metric.label_zh}佔比", f"metric:{metric.id}:share", period=metric.period,
                references=metric_concepts[metric.id].references,
                documentation=f"A member's {metric.label[0].lower() + metric.label[1:]} as a percentage of the "
                "figure it is a part of: the total, or for a breakdown within a member of another axis, that member's.",
            ), metric.extension)

    # provisions: text blocks (narrative), Part B items, omission reason and explanation; one
    # set per name key, referring to every edition and code that key stands for
    provision_concepts: dict[str, list[Concept]] = {}
    by_key: dict[str, list[Reference]] = {}
    for edition in editions:
        for p in edition.provisions:
            by_key.setdefault(p.concept, []).append(Reference(edition, p))
    for key, refs in by_key.items():
        # the labels say the code(s) and the wording every edition shares (not a rewording)
        p = next((r.provision for r in refs if not r.provision.reworded), refs[0].provision)
        code = " / ".join(dict.fromkeys(r.provision.code for r in refs))
        items = {i.id: i for r in refs for i in r.provision.items}.values()
        own: list[Concept] = []
        if any(r.provision.answer_by in ("narrative", "both") for r in refs):
            own.append(add(Concept(
                text_block_name(p), "dtr-types:textBlockItemType",
                f"{code} {p.title} [text block]", f"{code} {p.title_zh}［文字區塊］",
                f"provision:{key}", documentation=p.wording, documentation_zh=p.wording_zh, references=refs,
                terse=f"{code} {p.title}", terse_zh=f"{code} {p.title_zh}",
            )))
        for item in items:
            own.append(add(Concept(
                item_text_block_name(p, item.id), "dtr-types:textBlockItemType",
                f"{code} {item.title} [text block]", f"{code} {item.title_zh}［文字區塊］",
                f"provision:{key}:{item.id}", references=refs,
            )))
        own.append(add(Concept(
            omission_reason_name(p), f"{PREFIX}:omissionReasonItemType",
            f"{code} {p.title}: reason for omission", f"{code} {p.title_zh}：遺漏原因",
            f"provision:{key}:omission-reason", references=refs,
        )))
        own.append(add(Concept(
            omission_explanation_name(p), "xbrli:stringItemType",
            f"{code} {p.title}: explanation of omission", f"{code} {p.title_zh}：遺漏解釋",
            f"provision:{key}:omission-explanation", references=refs,
        )))
        provision_concepts[key] = own

    # breakdowns: one axis, its domain and members, one hypercube per axis
    member_names = _member_names(catalogue)
    breakdowns = []
    for axis in catalogue.axes.values():
        users = [c for m in catalogue.metrics.values() if axis.id in m.breakdowns
                 for c in (metric_concepts[m.id], share_concepts.get(m.id),
                           *(c for (mid, _), c in monetary_intensity_concepts.items() if mid == m.id)) if c is not None]
        if not users and not axis.extension_members:
            continue
        own = axis.extension
        base = camel(axis.id)
        typed = f"{base}Name" if axis.typed else None
        if typed:
            reserve(typed, f"axis:{axis.id}:values")
        axis_concept = add(Concept(f"{base}Axis", "xbrli:stringItemType", f"{axis.label} [axis]",
                                   f"{axis.label_zh}［軸］", f"axis:{axis.id}", abstract=True,
                                   substitution="xbrldt:dimensionItem", typed_domain=typed), own)
        domain = None
        members = []
        if not axis.typed:
            domain = add(Concept(f"{base}Domain", "dtr-types:domainItemType", f"All {axis.label.lower()}s [domain]"
                                 if not axis.label.endswith("y") else f"{axis.label} [domain]",
                                 f"所有{axis.label_zh}［域］", f"axis:{axis.id}:domain", abstract=True), own)
            for member, (label, label_zh) in axis.members.items():
                members.append(add(Concept(member_names[(axis.id, member)], "dtr-types:domainItemType",
                                           f"{label} [member]", f"{label_zh}［成員］",
                                           f"member:{axis.id}:{member}", abstract=True),
                                   own or member in axis.extension_members))
        breakdowns.append(Breakdown(
            axis, axis_concept, domain, members,
            add(Concept(f"{base}BreakdownHypercube", "xbrli:stringItemType", f"Breakdown by {axis.label.lower()} [table]",
                        f"按{axis.label_zh}劃分［表］", f"axis:{axis.id}:hypercube", abstract=True,
                        substitution="xbrldt:hypercubeItem"), own),
            add(Concept(f"{base}BreakdownLineItems", "xbrli:stringItemType", f"Breakdown by {axis.label.lower()} [line items]",
                        f"按{axis.label_zh}劃分［項目］", f"axis:{axis.id}:line-items", abstract=True), own),
            users,
            ext.role("breakdown", axis.id) if own else role_uri("breakdown", axis.id),
        ))

    # totals: facts without a breakdown; a closed hypercube with no dimension
    totals = (
        add(Concept("NoBreakdownHypercube", "xbrli:stringItemType", "Totals, without breakdown [table]",
                    "總數，不劃分［表］", "totals:hypercube", abstract=True, substitution="xbrldt:hypercubeItem")),
        add(Concept("NoBreakdownLineItems", "xbrli:stringItemType", "Totals, without breakdown [line items]",
                    "總數，不劃分［項目］", "totals:line-items", abstract=True)),
        # and the intensities typed per monetary unit, which name their denominator themselves
        list(metric_concepts.values()) + list(monetary_intensity_concepts.values()),
    )

    # intensities: the denominator is a member of the intensity denominator axis
    denominators = [m for m in catalogue.metrics.values() if m.denominator]
    axis_concept = add(Concept("IntensityDenominatorAxis", "xbrli:stringItemType", "Intensity denominator [axis]",
                               "密度分母［軸］", "intensity:axis", abstract=True, substitution="xbrldt:dimensionItem"))
    domain = add(Concept("IntensityDenominatorDomain", "dtr-types:domainItemType", "All denominators [domain]",
                         "所有分母［域］", "intensity:domain", abstract=True))
    members = [add(Concept(f"Per{metric_name(m)}Member", "dtr-types:domainItemType",
                           f"Per {m.per('unit')} [member]",
                           f"{m.denominator_zh.format(unit='單位')}［成員］", f"intensity:member:{m.id}", abstract=True))
               for m in denominators]
    intensity = Breakdown(
        Axis("intensity_denominator", "Intensity denominator", "密度分母", False, {}), axis_concept, domain, members,
        add(Concept("IntensityHypercube", "xbrli:stringItemType", "Intensities [table]", "密度［表］",
                    "intensity:hypercube", abstract=True, substitution="xbrldt:hypercubeItem")),
        add(Concept("IntensityLineItems", "xbrli:stringItemType", "Intensities [line items]", "密度［項目］",
                    "intensity:line-items", abstract=True)),
        list(intensity_concepts.values()),
        role_uri("breakdown", "intensity_denominator"),
    )
    anchors = [(metric_concepts[m.anchor], metric_concepts[m.id]) for m in catalogue.metrics.values() if m.anchor]

    # targets: what each says, with the target's id on a typed axis
    reserve("TargetName", "target:values")
    target_concepts = {c["part"]: add(Concept(c["name"], c["type"], c["label"], c["label_zh"], f"target:{c['part']}"))
                       for c in target_concept_list()}
    breakdowns.append(Breakdown(
        Axis("target", "Target", "目標", True, {}),
        add(Concept("TargetAxis", "xbrli:stringItemType", "Target [axis]", "目標［軸］", "target:axis", abstract=True,
                    substitution="xbrldt:dimensionItem", typed_domain="TargetName")),
        None, [],
        add(Concept("TargetHypercube", "xbrli:stringItemType", "Targets [table]", "目標［表］", "target:hypercube",
                    abstract=True, substitution="xbrldt:hypercubeItem")),
        add(Concept("TargetLineItems", "xbrli:stringItemType", "Targets [line items]", "目標［項目］",
                    "target:line-items", abstract=True)),
        list(target_concepts.values()),
        role_uri("breakdown", "target"),
    ))
    combinations = _combinations(catalogue, ext, add, breakdowns, intensity, metric_concepts, share_concepts,
                                 intensity_concepts)

    sums = [(metric_concepts[m.id], [metric_concepts[part] for part in m.sum_of])
            for m in catalogue.metrics.values() if m.sum_of]

    # presentation abstracts: one per aspect and per provision, in every edition; the roles'
    # definitions sort in the framework's order: Part B, then A1 to B8, then Part D
    roles: dict[str, str] = {}
    sequence = _aspect_sequence(editions)
    for edition in editions:
        for part in edition.parts:
            for aspect in part.aspects:
                name = aspect_abstract_name(aspect)
                if name not in concepts:
                    add(Concept(name, "xbrli:stringItemType", f"{aspect.id} {aspect.title} [abstract]",
                                f"{aspect.id} {aspect.title_zh}［摘要］", f"aspect:{aspect.concept}", abstract=True))
                roles.setdefault(aspect_role(aspect),
                                 f"[{sequence[aspect.concept]:03d}] {aspect.id} {aspect.title}")
                for p in aspect.provisions:
                    name = provision_abstract_name(p)
                    if name not in concepts:
                        add(Concept(name, "xbrli:stringItemType", f"{p.code} {p.title} [abstract]",
                                    f"{p.code} {p.title_zh}［摘要］", f"provision:{p.concept}:abstract", abstract=True))
    add(Concept("EntityAndReportInformationAbstract", "xbrli:stringItemType", "Entity and report information [abstract]",
                "實體及報告資料［摘要］", "entity:abstract", abstract=True))
    roles[role_uri("report", "entity")] = "[000] Entity and report information"
    for b in breakdowns + [intensity]:
        roles[b.role] = f"Breakdown by {b.axis.label.lower()}"
    for c in combinations:
        roles[c.role] = " and ".join(f"{b.axis.label[0].lower()}{b.axis.label[1:]}" for b in c.parts).join(
            ("Breakdown by ", ""))
    roles[role_uri("breakdown", "none")] = "Totals without breakdown"
    roles[role_uri("breakdown", "defaults")] = "Dimension defaults"
    roles[role_uri("calculation", "sums")] = "Totals that are sums of their parts"
    roles[DERIVED_ROLE] = ("A figure derived by the report builder from figures the company reported (a total "
                           "from its parts, an intensity from its denominator), not published by the company as such")
    if anchors:
        roles[ext.role("anchoring", "framework")] = "Company-specific concepts anchored to the framework's"

    return Taxonomy(concepts, metric_concepts, intensity_concepts, monetary_intensity_concepts, provision_concepts,
                    breakdowns, totals, intensity, sums, roles, catalogue, ext, anchors, share_concepts, combinations)


def _combinations(catalogue: Catalogue, ext, add, breakdowns: list[Breakdown], intensity: Breakdown,
                  metric_concepts, share_concepts, intensity_concepts) -> list[Combination]:
    """The hypercubes of two axes. The framework's: the pairs the catalogue names for its
    metrics, and an intensity's denominator with each axis of its metric. A company's: the
    pairs its report uses beyond them, in link roles of its own (reusing the framework's
    hypercube of the pair where there is one)."""
    by_axis = {b.axis.id: b for b in breakdowns} | {"intensity_denominator": intensity}
    framework: dict[tuple[str, str], list[Concept]] = {}
    company: dict[tuple[str, str], list[Concept]] = {}

    def needs(m, concepts: list[Concept], pairs, declared: bool) -> None:
        # a framework metric in the framework's hypercubes it is declared in; a company's metric
        # in any of the framework's (the relationship is its extension's); the rest in the company's
        for pair in pairs:
            framework_pair = declared if not m.extension else tuple(pair) in _framework_pairs()
            (framework if framework_pair else company).setdefault(tuple(pair), []).extend(concepts)

    for m in sorted(catalogue.metrics.values(), key=lambda m: m.extension):  # the framework's first
        own = [c for c in (metric_concepts[m.id], share_concepts.get(m.id)) if c is not None]
        needs(m, own, m.combinations, True)
        needs(m, own, m.extension_combinations, False)
        if m.intensity:
            needs(m, [intensity_concepts[m.id]], [("intensity_denominator", a) for a in m.breakdowns], True)
    combinations = []
    made: dict[tuple[str, str], Combination] = {}
    for company_pairs, pairs in ((False, framework), (True, company)):
        for (a, b), users in pairs.items():
            known = made.get((a, b))
            if known is None:
                first, second = by_axis[a], by_axis[b]
                name = f"{camel(a)}{camel(b)}Breakdown"
                label = f"{first.axis.label.lower()} and {second.axis.label.lower()}"
                label_zh = f"{first.axis.label_zh}及{second.axis.label_zh}"
                hypercube = add(Concept(f"{name}Hypercube", "xbrli:stringItemType", f"Breakdown by {label} [table]",
                                        f"按{label_zh}劃分［表］", f"combination:{a}:{b}:hypercube", abstract=True,
                                        substitution="xbrldt:hypercubeItem"), company_pairs)
                line_items = add(Concept(f"{name}LineItems", "xbrli:stringItemType",
                                         f"Breakdown by {label} [line items]", f"按{label_zh}劃分［項目］",
                                         f"combination:{a}:{b}:line-items", abstract=True), company_pairs)
            else:
                hypercube, line_items = known.hypercube, known.line_items
            role = ext.role("breakdown", f"{a}-and-{b}") if company_pairs else role_uri("breakdown", f"{a}-and-{b}")
            made[(a, b)] = Combination((by_axis[a], by_axis[b]), hypercube, line_items, users, role)
            combinations.append(made[(a, b)])
    return combinations


@cache
def _framework_pairs() -> frozenset[tuple[str, str]]:
    """The pairs of axes the framework's taxonomy has hypercubes for."""
    base = load_catalogue()
    pairs = {tuple(p) for m in base.metrics.values() for p in m.combinations}
    pairs |= {("intensity_denominator", a) for m in base.metrics.values() if m.intensity for a in m.breakdowns}
    return frozenset(pairs)


def _aspect_sequence(editions: list[Edition]) -> dict[str, int]:
    """A number per aspect that orders every edition's aspects as the framework does."""
    base = {"B": 100, "C": 200, "D": 300}
    sequence: dict[str, int] = {}
    for part_id, start in base.items():
        longest = max((part.aspects for e in editions for part in e.parts if part.id == part_id), key=len, default=[])
        for i, aspect in enumerate(longest):
            sequence[aspect.concept] = start + i
    return sequence


def target_concept_list() -> list[dict]:
    return _read("targets.yaml")["concepts"]


TARGET_STATUSES = ("achieved", "on track", "behind", "not started")


def _entity_concepts() -> list[dict]:
    return _read("entity.yaml")["concepts"]


def _member_names(catalogue: Catalogue) -> dict[tuple[str, str], str]:
    """Member element names: FemaleMember, unless two axes share a member id or it starts with a digit.
    A company's own members are named with their axis (EmploymentTypeSecondeeMember), so that
    the framework's names never depend on what a company adds."""
    plain: dict[str, list[tuple[str, str]]] = {}
    names = {}
    for axis in catalogue.axes.values():
        for member in axis.members:
            if axis.extension or member in axis.extension_members:
                names[(axis.id, member)] = camel(axis.id) + camel(member) + "Member"
            else:
                plain.setdefault(camel(member), []).append((axis.id, member))
    for name, users in plain.items():
        for axis_id, member in users:
            clash = len(users) > 1 or name[0].isdigit()
            names[(axis_id, member)] = (camel(axis_id) + name if clash else name) + "Member"
    return names


# --- writing the files -------------------------------------------------------------------


def _q(qname: str) -> str:
    prefix, local = qname.split(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _concept_id(concept: Concept) -> str:
    return f"{concept.prefix}_{concept.name}"


def core_schema(tax: Taxonomy) -> bytes:
    root = etree.Element(_q("xs:schema"), nsmap=NSMAP, attrib={
        "targetNamespace": NS, "elementFormDefault": "qualified", "attributeFormDefault": "unqualified"})
    appinfo = _linkbase_refs(root, [f"hkesg-{VERSION}-{kind}.xml" for kind in ("lab-en", "lab-zh", "ref", "def", "cal")])
    _role_types(appinfo, tax.roles)
    arcrole = etree.SubElement(appinfo, _q("link:arcroleType"), attrib={
        "arcroleURI": WIDER_NARROWER, "id": "arcrole_wider_narrower", "cyclesAllowed": "none"})
    etree.SubElement(arcrole, _q("link:definition")).text = (
        "The target is a company's own concept, narrower than the source, the framework's concept closest to it")
    etree.SubElement(arcrole, _q("link:usedOn")).text = "link:definitionArc"
    for ns in (XBRLI, LINK, XBRLDT, DTR):
        etree.SubElement(root, _q("xs:import"), attrib={"namespace": ns, "schemaLocation": SCHEMA_LOCATIONS[ns]})
    _simple_types(root, tax)
    _elements(root, tax, FRAMEWORK)
    return _xml(root)


LINKBASE_ROLES = {"lab": "label", "ref": "reference", "def": "definition", "cal": "calculation", "pre": "presentation"}


def _linkbase_refs(root: etree._Element, hrefs: list[str]) -> etree._Element:
    appinfo = etree.SubElement(etree.SubElement(root, _q("xs:annotation")), _q("xs:appinfo"))
    for href in hrefs:
        kind = LINKBASE_ROLES[href.rsplit("-", 2)[-2] if href.endswith(("-en.xml", "-zh.xml"))
                              else href.rsplit("-", 1)[1].removesuffix(".xml")]
        etree.SubElement(appinfo, _q("link:linkbaseRef"), attrib={
            f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": href,
            f"{{{XLINK}}}role": f"http://www.xbrl.org/2003/role/{kind}LinkbaseRef",
            f"{{{XLINK}}}arcrole": "http://www.w3.org/1999/xlink/properties/linkbase"})
    return appinfo


def _role_types(appinfo: etree._Element, roles: dict[str, str]) -> None:
    for uri, definition in sorted(roles.items()):
        used_on = ("link:presentationLink" if "/aspect/" in uri or "/report/" in uri
                   else "link:calculationLink" if "/calculation/" in uri
                   else "link:footnote" if "/footnote/" in uri else "link:definitionLink")
        role_type = etree.SubElement(appinfo, _q("link:roleType"), attrib={"roleURI": uri, "id": _role_id(uri)})
        etree.SubElement(role_type, _q("link:definition")).text = definition
        etree.SubElement(role_type, _q("link:usedOn")).text = used_on


def _elements(root: etree._Element, tax: Taxonomy, scope: Scope) -> None:
    """The element declarations of the concepts the scope holds."""
    for concept in sorted(tax.concepts.values(), key=lambda c: c.name):
        if not scope.own(concept):
            continue
        attrib = {"name": concept.name, "id": _concept_id(concept), "type": concept.type,
                  "substitutionGroup": concept.substitution, "nillable": "true",
                  f"{{{XBRLI}}}periodType": concept.period}
        if concept.abstract:
            attrib["abstract"] = "true"
        if concept.balance:
            attrib[f"{{{XBRLI}}}balance"] = concept.balance
        if concept.typed_domain:
            attrib[f"{{{XBRLDT}}}typedDomainRef"] = f"#{concept.prefix}_{concept.typed_domain}"
        etree.SubElement(root, _q("xs:element"), attrib=attrib)
    for b in tax.breakdowns:
        if b.axis.typed and scope.own(b.axis_concept):
            prefix = b.axis_concept.prefix
            etree.SubElement(root, _q("xs:element"), attrib={
                "name": f"{camel(b.axis.id)}Name", "id": f"{prefix}_{camel(b.axis.id)}Name",
                "type": f"{PREFIX}:nameType"})


def _simple_types(root: etree._Element, tax: Taxonomy) -> None:
    # a non-empty name for the members of typed axes (regions, sites)
    name_type = etree.SubElement(root, _q("xs:simpleType"), attrib={"name": "nameType"})
    restriction = etree.SubElement(name_type, _q("xs:restriction"), attrib={"base": "xs:token"})
    etree.SubElement(restriction, _q("xs:minLength"), attrib={"value": "1"})
    etree.SubElement(restriction, _q("xs:maxLength"), attrib={"value": "200"})
    # enumerations: the reasons for an omission, and the framework editions
    for type_name, values in (("omissionReasonItemType", OMISSION_REASONS),
                              ("editionItemType", tax.catalogue.editions),
                              ("targetStatusItemType", TARGET_STATUSES)):
        complex_type = etree.SubElement(root, _q("xs:complexType"), attrib={"name": type_name})
        content = etree.SubElement(complex_type, _q("xs:simpleContent"))
        restriction = etree.SubElement(content, _q("xs:restriction"), attrib={"base": "xbrli:tokenItemType"})
        for value in values:
            etree.SubElement(restriction, _q("xs:enumeration"), attrib={"value": value})


def _role_id(uri: str) -> str:
    # each character that an XML id cannot hold becomes '-', one for one: breakdown/a_and_b and
    # breakdown/a-and-b stay two ids
    return "role_" + re.sub(r"[^A-Za-z0-9_.-]", "-", uri.split("/role/", 1)[1])


@dataclass(frozen=True)
class Scope:
    """Which concepts and relationships one set of taxonomy files holds, and where its
    locators point: the framework's package holds all of the framework's; a company's
    extension holds its own concepts, and the relationships that involve them or its own
    link roles (a framework hypercube holding an extension metric, a framework domain with an
    extension member), pointing at the framework's schema by its URL."""

    schema: str  # the href of the schema of this set's concepts, from its linkbases
    prefix: str = PREFIX
    framework_schema: str = ""  # the framework's core schema, for an extension's locators
    roles: frozenset[str] = frozenset()  # the link roles an extension defines

    @property
    def extension(self) -> bool:
        return self.prefix != PREFIX

    def own(self, concept: Concept | None) -> bool:
        return concept is None or concept.prefix == self.prefix  # None: a label or reference resource

    def keeps(self, role: str, source: Concept | None, target: Concept | None) -> bool:
        if not self.extension:
            return True
        return role in self.roles or (source is not None and self.own(source)) or (target is not None and self.own(target))

    def href(self, concept: Concept) -> str:
        schema = self.schema if concept.prefix == self.prefix else self.framework_schema
        return f"{schema}#{_concept_id(concept)}"

    def role_href(self, uri: str) -> str:
        schema = self.schema if uri in self.roles or not self.extension else self.framework_schema
        return f"{schema}#{_role_id(uri)}"


FRAMEWORK = Scope(CORE)


class _Linkbase:
    """An XBRL linkbase being written: locators, resources and arcs in extended links."""

    def __init__(self, scope: Scope, nsmap: dict[str, str] | None = None):
        self.root = etree.Element(_q("link:linkbase"), nsmap={"link": LINK, "xlink": XLINK} | (nsmap or {}))
        self.scope = scope
        self.role_refs: list[str] = []
        self.arcrole_refs: list[str] = []

    def role_ref(self, uri: str) -> None:
        if uri not in self.role_refs:
            self.role_refs.append(uri)

    def arcrole_ref(self, arcrole: str) -> None:
        # the dimensional arcroles are defined in xbrldt-2005.xsd, the anchoring one in our core
        # schema: both need an arcroleRef
        if (arcrole.startswith("http://xbrl.org/int/dim/") or arcrole == WIDER_NARROWER) \
                and arcrole not in self.arcrole_refs:
            self.arcrole_refs.append(arcrole)

    def extended(self, tag: str, role: str) -> "_ExtendedLink":
        return _ExtendedLink(self, etree.SubElement(self.root, _q(f"link:{tag}"), attrib={
            f"{{{XLINK}}}type": "extended", f"{{{XLINK}}}role": role}), role)

    def bytes(self) -> bytes:
        # an extension's links may have kept nothing of the framework's relationships
        for link in list(self.root):
            if len(link) == 0:
                self.root.remove(link)
        used = {link.get(f"{{{XLINK}}}role") for link in self.root}
        # roleRef and arcroleRef come first in a linkbase
        roles = [uri for uri in self.role_refs if uri in used]
        for uri in reversed(roles):
            self.root.insert(0, etree.Element(_q("link:roleRef"), attrib={
                "roleURI": uri, f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": self.scope.role_href(uri)}))
        for arcrole in reversed(self.arcrole_refs):
            href = (f"{self.scope.framework_schema or self.scope.schema}#arcrole_wider_narrower"
                    if arcrole == WIDER_NARROWER else f"{SCHEMA_LOCATIONS[XBRLDT]}#{arcrole.rsplit('/', 1)[1]}")
            self.root.insert(len(roles), etree.Element(_q("link:arcroleRef"), attrib={
                "arcroleURI": arcrole, f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": href}))
        return _xml(self.root)


class _ExtendedLink:
    def __init__(self, linkbase: _Linkbase, element: etree._Element, role: str):
        self.linkbase = linkbase
        self.element = element
        self.role = role
        self.concepts: dict[str, Concept] = {}  # locator label -> its concept, written when an arc needs it
        self.locators: set[str] = set()
        self.arcs: set[tuple[str, str, str]] = set()

    def loc(self, concept: Concept, label: str | None = None) -> str:
        label = label or f"loc_{concept.name}"
        self.concepts[label] = concept
        return label

    def _write_loc(self, label: str) -> None:
        if label in self.concepts and label not in self.locators:
            self.locators.add(label)
            etree.SubElement(self.element, _q("link:loc"), attrib={
                f"{{{XLINK}}}type": "locator",
                f"{{{XLINK}}}href": self.linkbase.scope.href(self.concepts[label]),
                f"{{{XLINK}}}label": label})

    def arc(self, tag: str, arcrole: str, source: str, target: str, order: int | None = None,
            extra: dict[str, str] | None = None) -> None:
        if (arcrole, source, target) in self.arcs:
            return
        if not self.linkbase.scope.keeps(self.role, self.concepts.get(source), self.concepts.get(target)):
            return
        self.arcs.add((arcrole, source, target))
        self._write_loc(source)
        self._write_loc(target)
        arcrole_uri = ARCROLE.get(arcrole, arcrole)
        self.linkbase.arcrole_ref(arcrole_uri)
        attrib = {f"{{{XLINK}}}type": "arc", f"{{{XLINK}}}arcrole": arcrole_uri,
                  f"{{{XLINK}}}from": source, f"{{{XLINK}}}to": target}
        if order is not None:
            attrib["order"] = str(order)
        etree.SubElement(self.element, _q(f"link:{tag}"), attrib=attrib | (extra or {}))


def label_linkbase(tax: Taxonomy, lang: str, scope: Scope = FRAMEWORK) -> bytes:
    lb = _Linkbase(scope, {"xml": XML_NS})
    link = lb.extended("labelLink", DEFAULT_LINK_ROLE)
    chinese = lang.startswith("zh")
    for concept in sorted(tax.concepts.values(), key=lambda c: c.name):
        if not scope.own(concept):
            continue
        loc = link.loc(concept)
        labels = [(LABEL_ROLE, concept.label_zh if chinese else concept.label)]
        terse = concept.terse_zh if chinese else concept.terse
        if terse:
            labels.append((TERSE_ROLE, terse))
        documentation = concept.documentation_zh if chinese else concept.documentation
        if documentation:
            labels.append((DOC_ROLE, documentation))
        for i, (role, text) in enumerate(labels):
            res = f"lab_{concept.name}_{i}"
            el = etree.SubElement(link.element, _q("link:label"), attrib={
                f"{{{XLINK}}}type": "resource", f"{{{XLINK}}}label": res, f"{{{XLINK}}}role": role,
                f"{{{XML_NS}}}lang": lang, "id": f"{res}_{lang}"})
            el.text = text
        for i in range(len(labels)):
            link.arc("labelArc", "concept-label", loc, f"lab_{concept.name}_{i}")
    return lb.bytes()


def reference_linkbase(tax: Taxonomy, scope: Scope = FRAMEWORK) -> bytes:
    lb = _Linkbase(scope, {"ref": REF, "xsi": XSI})
    # the reference parts are defined in ref-2006-02-27.xsd, which the DTS must include
    lb.root.set(f"{{{XSI}}}schemaLocation", f"{REF} {SCHEMA_LOCATIONS[REF]}")
    link = lb.extended("referenceLink", DEFAULT_LINK_ROLE)
    for concept in sorted(tax.concepts.values(), key=lambda c: c.name):
        if not concept.references or not scope.own(concept):
            continue
        loc = link.loc(concept)
        seen = set()
        for ref in concept.references:
            key = (ref.edition.id, ref.provision.code)
            if key in seen:
                continue
            seen.add(key)
            res = f"ref_{concept.name}_{ref.edition.id}_{code_token(ref.provision.code)}"
            # the role says the provision's obligation in that edition, and the note in words
            el = etree.SubElement(link.element, _q("link:reference"), attrib={
                f"{{{XLINK}}}type": "resource", f"{{{XLINK}}}label": res,
                f"{{{XLINK}}}role": OBLIGATION_ROLES[ref.provision.obligation]})
            for part, text in (("Publisher", PUBLISHER), ("Name", ref.edition.title),
                               ("Section", f"{ref.provision.aspect.id} {ref.provision.aspect.title}"),
                               ("Paragraph", ref.provision.code), ("Note", ref.provision.obligation_label)):
                etree.SubElement(el, f"{{{REF}}}{part}").text = text
            link.arc("referenceArc", "concept-reference", loc, res)
        for framework, reference in _cross_references(tax.catalogue, concept):
            res = f"ref_{concept.name}_{framework.id}_{re.sub(r'[^A-Za-z0-9]', '_', reference.id)}"  # an NCName
            # a correspondence, not a requirement: the generic reference role
            el = etree.SubElement(link.element, _q("link:reference"), attrib={
                f"{{{XLINK}}}type": "resource", f"{{{XLINK}}}label": res, f"{{{XLINK}}}role": CROSS_REFERENCE_ROLE})
            for part, text in (("Publisher", framework.publisher), ("Name", framework.title),
                               ("Paragraph", reference.id), ("Note", reference.title)):
                etree.SubElement(el, f"{{{REF}}}{part}").text = text
            link.arc("referenceArc", "concept-reference", loc, res)
    return lb.bytes()


CROSS_REFERENCE_ROLE = "http://www.xbrl.org/2003/role/reference"


def _cross_references(catalogue: Catalogue, concept: Concept) -> list:
    """The other frameworks' references (crossrefs.yaml) corresponding to the provisions a
    concept answers, each once, in the frameworks' own order."""
    keys = {ref.provision.concept for ref in concept.references}
    found = []
    for framework in catalogue.frameworks.values():
        ids = {rid for key in keys for rid in framework.by_concept.get(key, ())}
        found += [(framework, reference) for reference in framework.references if reference.id in ids]
    return found


def definition_linkbase(tax: Taxonomy, scope: Scope = FRAMEWORK) -> bytes:
    lb = _Linkbase(scope)
    # one closed hypercube per axis, and one per pair of axes (a combination)
    hypercubes = [(b.role, b.line_items, b.metrics, b.hypercube, (b,)) for b in tax.breakdowns + [tax.intensity]]
    hypercubes += [(c.role, c.line_items, c.metrics, c.hypercube, c.parts) for c in tax.combinations]
    for uri, line_items, metrics, hypercube, parts in hypercubes:
        lb.role_ref(uri)
        link = lb.extended("definitionLink", uri)
        items = link.loc(line_items)
        for order, metric in enumerate(metrics, 1):
            link.arc("definitionArc", "domain-member", items, link.loc(metric), order)
        cube = link.loc(hypercube)
        link.arc("definitionArc", "all", items, cube, 1, extra=CLOSED_SEGMENT)
        for order, b in enumerate(parts, 1):
            axis = link.loc(b.axis_concept)
            link.arc("definitionArc", "hypercube-dimension", cube, axis, order)
            if b.domain is not None:
                domain = link.loc(b.domain)
                link.arc("definitionArc", "dimension-domain", axis, domain, 1)
                for member_order, member in enumerate(b.members, 1):
                    link.arc("definitionArc", "domain-member", domain, link.loc(member), member_order)
    # totals: a closed hypercube without dimensions
    uri = role_uri("breakdown", "none")
    lb.role_ref(uri)
    link = lb.extended("definitionLink", uri)
    cube, line_items, metrics = tax.totals
    items = link.loc(line_items)
    for order, metric in enumerate(metrics, 1):
        link.arc("definitionArc", "domain-member", items, link.loc(metric), order)
    link.arc("definitionArc", "all", items, link.loc(cube), 1, extra=CLOSED_SEGMENT)
    # defaults in a link of their own: the total of an explicit axis is its domain (the
    # intensity denominator has none: an intensity always names its denominator)
    uri = role_uri("breakdown", "defaults")
    lb.role_ref(uri)
    link = lb.extended("definitionLink", uri)
    for b in tax.breakdowns:
        if b.domain is not None:
            link.arc("definitionArc", "dimension-default", link.loc(b.axis_concept), link.loc(b.domain))
    # an extension's own concepts, anchored to the framework's they are narrower than
    if tax.anchors:
        uri = tax.extension.role("anchoring", "framework")
        lb.role_ref(uri)
        link = lb.extended("definitionLink", uri)
        for order, (wider, narrower) in enumerate(tax.anchors, 1):
            link.arc("definitionArc", WIDER_NARROWER, link.loc(wider), link.loc(narrower), order)
    return lb.bytes()


def calculation_linkbase(tax: Taxonomy, scope: Scope = FRAMEWORK) -> bytes:
    lb = _Linkbase(scope)
    uri = role_uri("calculation", "sums")
    lb.role_ref(uri)
    link = lb.extended("calculationLink", uri)
    for total, parts in tax.sums:
        source = link.loc(total)
        for order, part in enumerate(parts, 1):
            link.arc("calculationArc", "summation-item", source, link.loc(part), order, extra={"weight": "1"})
    return lb.bytes()


def presentation_linkbase(tax: Taxonomy, edition: Edition, scope: Scope = Scope(f"../{CORE}")) -> bytes:
    lb = _Linkbase(scope)
    concepts = tax.concepts
    # entity and report information first
    uri = role_uri("report", "entity")
    lb.role_ref(uri)
    link = lb.extended("presentationLink", uri)
    root = link.loc(concepts["EntityAndReportInformationAbstract"])
    for order, c in enumerate(_entity_concepts(), 1):
        link.arc("presentationArc", "parent-child", root, link.loc(concepts[c["name"]]), order)
    # then Part B, Part C aspect by aspect, Part D: the framework's own order
    metrics_for: dict[str, list[Metric]] = {}
    for metric in tax.catalogue.metrics.values():
        for code in metric.provisions:
            metrics_for.setdefault(code, []).append(metric)
    for part in edition.parts:
        for aspect in part.aspects:
            uri = aspect_role(aspect)
            lb.role_ref(uri)
            link = lb.extended("presentationLink", uri)
            root = link.loc(concepts[aspect_abstract_name(aspect)])
            for order, p in enumerate(aspect.provisions, 1):
                node = link.loc(concepts[provision_abstract_name(p)])
                link.arc("presentationArc", "parent-child", root, node, order)
                children = list(tax.provision_concepts[p.concept])
                for metric in metrics_for.get(p.code, []):
                    children.append(tax.metric_concepts[metric.id])
                    if metric.id in tax.intensity_concepts:
                        children.append(tax.intensity_concepts[metric.id])
                    children += [c for (m, _), c in tax.monetary_intensity_concepts.items() if m == metric.id]
                # a concept appears once under a provision; a metric may answer several
                unique = {c.name: c for c in children}.values()
                for child_order, child in enumerate(unique, 1):
                    link.arc("presentationArc", "parent-child", node, link.loc(child), child_order)
    return lb.bytes()


def entry_schema(edition: Edition) -> bytes:
    root = etree.Element(_q("xs:schema"), nsmap={"xs": XS, "link": LINK, "xlink": XLINK},
                         attrib={"targetNamespace": f"{BASE_URL}{edition.id}", "elementFormDefault": "qualified"})
    annotation = etree.SubElement(root, _q("xs:annotation"))
    etree.SubElement(annotation, _q("xs:documentation")).text = (
        f"Entry point of the HKEX ESG taxonomy for the {edition.title}, {edition.applies_to}.")
    appinfo = etree.SubElement(annotation, _q("xs:appinfo"))
    etree.SubElement(appinfo, _q("link:linkbaseRef"), attrib={
        f"{{{XLINK}}}type": "simple", f"{{{XLINK}}}href": f"hkesg-{edition.id}-pre.xml",
        f"{{{XLINK}}}role": "http://www.xbrl.org/2003/role/presentationLinkbaseRef",
        f"{{{XLINK}}}arcrole": "http://www.w3.org/1999/xlink/properties/linkbase"})
    etree.SubElement(root, _q("xs:import"), attrib={"namespace": NS, "schemaLocation": f"../{CORE}"})
    return _xml(root)


def entry_point_url(edition_id: str) -> str:
    return f"{BASE_URL}{edition_id}/hkesg-{edition_id}.xsd"


def package_metadata(tax: Taxonomy) -> bytes:
    root = etree.Element(f"{{{TP}}}taxonomyPackage", nsmap={None: TP, "xml": XML_NS},
                         attrib={f"{{{XML_NS}}}lang": "en"})
    etree.SubElement(root, f"{{{TP}}}identifier").text = f"{BASE_URL}package.zip"
    etree.SubElement(root, f"{{{TP}}}name").text = "HKEX ESG taxonomy"
    etree.SubElement(root, f"{{{TP}}}description").text = (
        "An XBRL taxonomy of the ESG reporting framework of The Stock Exchange of Hong Kong Limited "
        "(Appendix C2 to the Main Board Listing Rules): every provision, every metric and its breakdowns, "
        "generated from the catalogue of the HKEX ESG report builder. Not issued by the Exchange.")
    etree.SubElement(root, f"{{{TP}}}version").text = VERSION
    etree.SubElement(root, f"{{{TP}}}publisher").text = "HKEX ESG report builder contributors"
    etree.SubElement(root, f"{{{TP}}}publicationDate").text = VERSION
    entry_points = etree.SubElement(root, f"{{{TP}}}entryPoints")
    for edition in tax.catalogue.editions.values():
        ep = etree.SubElement(entry_points, f"{{{TP}}}entryPoint")
        etree.SubElement(ep, f"{{{TP}}}name").text = edition.title
        etree.SubElement(ep, f"{{{TP}}}description").text = f"For reports on {edition.applies_to}."
        etree.SubElement(ep, f"{{{TP}}}entryPointDocument", attrib={"href": entry_point_url(edition.id)})
    return _xml(root)


def catalog_file() -> bytes:
    root = etree.Element(f"{{{CATALOG}}}catalog", nsmap={None: CATALOG})
    etree.SubElement(root, f"{{{CATALOG}}}rewriteURI", attrib={
        "uriStartString": BASE_URL, "rewritePrefix": f"../{HOST}/{VERSION}/"})
    return _xml(root)


def taxonomy_files(tax: Taxonomy | None = None) -> dict[str, bytes]:
    """Every file of the package, by its path inside the package folder."""
    tax = tax or build_model()
    base = f"{HOST}/{VERSION}"
    files = {
        "META-INF/taxonomyPackage.xml": package_metadata(tax),
        "META-INF/catalog.xml": catalog_file(),
        f"{base}/{CORE}": core_schema(tax),
        f"{base}/hkesg-{VERSION}-lab-en.xml": label_linkbase(tax, "en"),
        f"{base}/hkesg-{VERSION}-lab-zh.xml": label_linkbase(tax, "zh-Hant"),
        f"{base}/hkesg-{VERSION}-ref.xml": reference_linkbase(tax),
        f"{base}/hkesg-{VERSION}-def.xml": definition_linkbase(tax),
        f"{base}/hkesg-{VERSION}-cal.xml": calculation_linkbase(tax),
    }
    for edition in tax.catalogue.editions.values():
        files[f"{base}/{edition.id}/hkesg-{edition.id}.xsd"] = entry_schema(edition)
        files[f"{base}/{edition.id}/hkesg-{edition.id}-pre.xml"] = presentation_linkbase(tax, edition)
    return files


def package_zip(files: dict[str, bytes]) -> bytes:
    """The Taxonomy Package: one top-level folder; fixed timestamps so that it is reproducible."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{PACKAGE_NAME}/{path}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[path])
    return buffer.getvalue()


TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "taxonomy"
PACKAGE_DIR = TAXONOMY_DIR / PACKAGE_NAME
PACKAGE_ZIP = TAXONOMY_DIR / f"{PACKAGE_NAME}.zip"


def write_taxonomy(target: Path = TAXONOMY_DIR) -> list[Path]:
    """Write the package folder and its zip under target; returns what was written."""
    import shutil

    files = taxonomy_files()
    folder = target / PACKAGE_NAME
    if folder.exists():
        shutil.rmtree(folder)
    written = []
    for path, content in files.items():
        out = folder / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        written.append(out)
    zip_path = target / f"{PACKAGE_NAME}.zip"
    zip_path.write_bytes(package_zip(files))
    written.append(zip_path)
    return written


def stale_files(target: Path = TAXONOMY_DIR) -> list[str]:
    """The package files that differ from what the catalogue gives now (empty when up to date)."""
    files = taxonomy_files()
    folder = target / PACKAGE_NAME
    stale = [path for path, content in files.items()
             if not (folder / path).is_file() or (folder / path).read_bytes() != content]
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
    stale += sorted(on_disk - set(files))
    zip_path = target / f"{PACKAGE_NAME}.zip"
    if not zip_path.is_file() or _zip_members(zip_path.read_bytes()) != _zip_members(package_zip(files)):
        stale.append(zip_path.name)
    return stale


def _zip_members(data: bytes) -> dict[str, bytes]:
    # compare what the zip holds, not its bytes: another zlib may compress differently
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}
