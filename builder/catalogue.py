"""The catalogue: framework provisions per edition, metrics, breakdown axes and units.

It is the single source of truth; the schema, the tables and the content index are derived
from it. The data lives in taxonomy/catalogue/*.yaml and is read once per process.
"""

from __future__ import annotations

import datetime as dt

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from .i18n import N_

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "taxonomy" / "catalogue"

# English, as the taxonomy's labels and the checks' messages give them; the report shows them
# in its language (Language.gettext).
OBLIGATION_LABELS = {
    "mandatory": N_("Mandatory"),
    "comply_or_explain": N_("Comply or explain"),
    "recommended": N_("Recommended"),
    "voluntary": N_("Voluntary"),  # asked of no one: Part D of the 2025 Code for GEM issuers
}
BOARDS = ("main_board", "gem")


class CatalogueError(ValueError):
    """The catalogue contradicts itself: every problem found, with its file and provision."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the catalogue is inconsistent:\n" + "\n".join(f"  {p}" for p in problems))


# A name key is the start of XBRL concept names: an UpperCamelCase NCName.
NAME_KEY = re.compile(r"[A-Z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Item:
    """A part of a Part B provision with its own text (the board statement's three parts)."""

    id: str
    title: str
    title_zh: str


@dataclass(frozen=True)
class Provision:
    code: str
    concept: str  # the stable name key its XBRL concepts are named from (not the code)
    title: str
    title_zh: str
    obligation: str
    answer_by: str  # narrative, data or both
    wording: str
    aspect: "Aspect" = field(repr=False, compare=False)
    breakdowns: tuple[str, ...] = ()
    years: int = 1
    answered_in: str | None = None  # a built-in part of the report (Part B items)
    items: tuple[Item, ...] = ()
    reworded: str | None = None  # why a wording that differs from another edition's asks the same
    wording_zh: str | None = None  # the wording in Traditional Chinese, for the Chinese report and labels

    @property
    def obligation_label(self) -> str:
        return OBLIGATION_LABELS[self.obligation]


@dataclass(frozen=True)
class Aspect:
    id: str
    concept: str  # the stable name key of its XBRL abstract and role
    title: str
    title_zh: str
    part: "Part" = field(repr=False, compare=False)
    area: str | None = None
    provisions: list[Provision] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    title_zh: str
    aspects: list[Aspect] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class Reference:
    """A disclosure of another framework (GRI 305-1, IFRS S2 29(a), TCFD Governance (a))."""

    id: str
    title: str  # its topic, in our own words
    title_zh: str


@dataclass(frozen=True)
class Framework:
    """A framework investors read beside the HKEX one, and which of its references correspond to
    which HKEX provisions (by the provisions' stable name keys, so across editions)."""

    id: str
    title: str
    title_zh: str
    index_title: str
    index_title_zh: str
    publisher: str
    references: tuple[Reference, ...]
    by_concept: dict[str, tuple[str, ...]] = field(compare=False, hash=False)

    def rows(self, edition: "Edition") -> list[tuple[Reference, list[Provision]]]:
        """Each reference, in the framework's order, with the edition's provisions that answer it
        (in the edition's order); references none of them answers are left out."""
        rows = []
        for reference in self.references:
            provisions = [p for p in edition.provisions if reference.id in self.by_concept.get(p.concept, ())]
            if provisions:
                rows.append((reference, provisions))
        return rows


@dataclass(frozen=True)
class Issuer:
    """What an obligation phased in by the Exchange depends on, besides the financial year."""

    board: str | None = None  # main_board or gem; None where the edition does not ask
    largecap: bool = False  # a constituent of the Hang Seng Composite LargeCap Index


@dataclass(frozen=True)
class PhaseRule:
    """One line of an edition's phasing: the obligation of some of its provisions for some issuers
    in the financial years starting on or after a date."""

    obligation: str
    provisions: frozenset[str] = frozenset()  # these provisions, or
    part: str | None = None  # every provision of this part
    board: str | None = None
    largecap: bool | None = None
    starting_from: dt.date | None = None  # financial years starting on or after

    def applies(self, provision: Provision, issuer: Issuer, year_start: dt.date) -> bool:
        return ((not self.provisions or provision.code in self.provisions)
                and (self.part is None or provision.aspect.part.id == self.part)
                and (self.board is None or issuer.board == self.board)
                and (self.largecap is None or issuer.largecap == self.largecap)
                and (self.starting_from is None or year_start >= self.starting_from))


@dataclass(frozen=True)
class Edition:
    id: str
    title: str
    title_zh: str
    short_title: str
    applies_to: str
    parts: list[Part]
    appendix: str = "Appendix C2"  # of the Main Board Listing Rules, as numbered when the edition applied
    applies_to_zh: str | None = None
    appendix_zh: str | None = None
    phasing: tuple[PhaseRule, ...] = ()  # obligations that depend on the issuer and the year

    def obligation(self, provision: Provision, issuer: Issuer, year_start: dt.date) -> str:
        """The provision's obligation for this issuer in the financial year starting on year_start:
        the first rule of the phasing that applies, or the obligation the edition writes."""
        for rule in self.phasing:
            if rule.applies(provision, issuer, year_start):
                return rule.obligation
        return provision.obligation

    @property
    def provisions(self) -> list[Provision]:
        return [p for part in self.parts for a in part.aspects for p in a.provisions]

    def provision(self, code: str) -> Provision | None:
        return self._by_code().get(code)

    @cache
    def _by_code(self) -> dict[str, Provision]:
        return {p.code: p for p in self.provisions}

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str
    label: str
    label_zh: str
    xbrl: str  # the XBRL unit: a measure, or numerator/denominator
    scale: int = 0  # the power of ten from the figure as shown to the fact
    pint: str = ""  # the unit for the units library


@dataclass(frozen=True)
class Axis:
    id: str
    label: str
    label_zh: str
    typed: bool
    members: dict[str, tuple[str, str]]  # member id -> (label, label_zh); empty when typed
    extension: bool = False  # declared by the company, not the framework
    extension_members: frozenset[str] = frozenset()  # members the company added to a framework axis


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    label_zh: str
    unit_kind: str
    period: str  # duration or instant
    table: str
    provisions: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    sums: bool = False
    sum_of: tuple[str, ...] = ()
    intensity: bool = False
    denominator: str | None = None
    denominator_zh: str | None = None
    balance: str | None = None  # debit or credit, for money
    concept: str | None = None  # the XBRL name, when the one derived from the id reads badly
    denominator_measure: str | None = None  # the XBRL measure an intensity divides by
    extension: bool = False  # declared by the company, not the framework
    anchor: str | None = None  # an extension's closest framework metric, which it is narrower than
    combinations: tuple[tuple[str, str], ...] = ()  # pairs of its axes it may be broken down by at once
    extension_combinations: tuple[tuple[str, str], ...] = ()  # pairs only this company's report uses

    def per(self, unit_label: str) -> str:
        """How an intensity reads after 'per' when this metric divides it: 'employee',
        'HK$ million of revenue'."""
        return self.denominator.format(unit=unit_label)


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    title_zh: str
    extension: bool = False


@dataclass(frozen=True)
class Catalogue:
    editions: dict[str, Edition]
    metrics: dict[str, Metric]
    axes: dict[str, Axis]
    units: dict[str, Unit]
    tables: list[Table]

    extended: bool = False  # holds a company's own metrics, axes or members
    frameworks: dict[str, Framework] = field(default_factory=dict)  # cross-references (crossrefs.yaml)

    def units_of(self, kind: str) -> list[Unit]:
        return [u for u in self.units.values() if u.kind == kind]

    def extend(self, extensions) -> "Catalogue":
        """The catalogue of one report: the framework's, with the company's own metrics, axes,
        members and tables layered over it (as a user's templates layer over the built-in
        ones). `extensions` is the validated `extensions:` of company.yaml; the caller has
        checked that its ids are new and what they name exists."""
        if extensions is None or not (extensions.metrics or extensions.axes or extensions.members
                                      or extensions.tables):
            return self
        tables = self.tables + [Table(tid, t.label, t.label_zh, extension=True) for tid, t in extensions.tables.items()]
        axes = dict(self.axes)
        for axis_id, added in extensions.members.items():
            axis = axes[axis_id]
            members = axis.members | {m: (d.label, d.label_zh) for m, d in added.items()}
            axes[axis_id] = replace(axis, members=members, extension_members=frozenset(added))
        for axis_id, a in extensions.axes.items():
            axes[axis_id] = Axis(axis_id, a.label, a.label_zh, a.typed,
                                 {m: (d.label, d.label_zh) for m, d in a.members.items()}, extension=True)
        metrics = dict(self.metrics)
        for metric_id, m in extensions.metrics.items():
            metric = Metric(
                id=metric_id, label=m.label, label_zh=m.label_zh, unit_kind=m.unit_kind, period=m.period,
                table=m.table, provisions=tuple(m.provisions), breakdowns=tuple(m.breakdowns), sums=m.sums,
                sum_of=tuple(m.sum_of), intensity=m.intensity, extension=True, anchor=m.anchor,
            )
            metrics = _placed(metrics, metric, m.after)
        return replace(self, metrics=metrics, axes=axes, tables=tables, extended=True)

    def pair(self, a: str, b: str) -> tuple[str, str]:
        """Two axes as a combination: in the catalogue's order of axes, whichever is given first."""
        order = list(self.axes)
        return (a, b) if order.index(a) <= order.index(b) else (b, a)

    def with_combinations(self, used: dict[str, set[tuple[str, str]]]) -> "Catalogue":
        """The catalogue with the combinations of axes a report uses that the framework does
        not define for the metric: the company's extension taxonomy declares them."""
        metrics = dict(self.metrics)
        added = False
        for mid, pairs in used.items():
            metric = metrics[mid]
            new = tuple(sorted(p for p in pairs if p not in metric.combinations))
            if new:
                metrics[mid] = replace(metric, extension_combinations=new)
                added = True
        if not added:
            return self
        return replace(self, metrics=metrics, extended=True)


def _placed(metrics: dict[str, Metric], metric: Metric, after: str | None) -> dict[str, Metric]:
    """The metrics with one more: after the one named (its rows follow that metric's in the
    tables), or at the end."""
    if after is None:
        return metrics | {metric.id: metric}
    placed: dict[str, Metric] = {}
    for mid, existing in metrics.items():
        placed[mid] = existing
        if mid == after:
            placed[metric.id] = metric
    return placed


def _read(name: str, directory: Path = CATALOGUE_DIR):
    from .yamlsource import FAST_LOADER  # libyaml: the catalogue is read by every command

    with open(directory / name, encoding="utf-8") as f:
        return yaml.load(f, Loader=FAST_LOADER)


def _edition(data: dict, source: str, problems: list[str]) -> Edition:
    parts = []
    for part_data in data["parts"]:
        part = Part(part_data["id"], part_data["title"], part_data["title_zh"])
        for aspect_data in part_data["aspects"]:
            aspect = Aspect(
                aspect_data["id"],
                _name_key(aspect_data, f"{source}: aspect {aspect_data['id']}", problems),
                aspect_data["title"],
                aspect_data["title_zh"],
                part=part,
                area=aspect_data.get("area"),
            )
            for p in aspect_data["provisions"]:
                aspect.provisions.append(
                    Provision(
                        code=str(p["code"]),
                        concept=_name_key(p, f"{source}: provision {p['code']}", problems),
                        title=p["title"],
                        title_zh=p["title_zh"],
                        obligation=p["obligation"],
                        answer_by=p["answer_by"],
                        wording=p["wording"],
                        aspect=aspect,
                        breakdowns=tuple(p.get("breakdowns", ())),
                        years=p.get("years", 1),
                        answered_in=p.get("answered_in"),
                        items=tuple(Item(i["id"], i["title"], i["title_zh"]) for i in p.get("items", ())),
                        reworded=p.get("reworded"),
                        wording_zh=p.get("wording_zh"),
                    )
                )
            part.aspects.append(aspect)
        parts.append(part)
    return Edition(
        id=data["id"],
        title=data["title"],
        title_zh=data["title_zh"],
        short_title=data["short_title"],
        applies_to=data["applies_to"],
        parts=parts,
        appendix=data.get("appendix", "Appendix C2"),
        applies_to_zh=data.get("applies_to_zh"),
        appendix_zh=data.get("appendix_zh"),
        phasing=tuple(_phase_rule(rule, parts, f"{source}: phasing", problems) for rule in data.get("phasing", ())),
    )


PHASE_RULE_KEYS = {"obligation", "provisions", "part", "board", "largecap", "starting_from"}


def _phase_rule(data: dict, parts: list[Part], source: str, problems: list[str]) -> PhaseRule:
    codes = {p.code for part in parts for a in part.aspects for p in a.provisions}
    for key in set(data) - PHASE_RULE_KEYS:
        problems.append(f"{source}: unknown key {key!r}")
    if data.get("obligation") not in OBLIGATION_LABELS:
        problems.append(f"{source}: obligation {data.get('obligation')!r} is not one of {', '.join(OBLIGATION_LABELS)}")
    for code in set(data.get("provisions", ())) - codes:
        problems.append(f"{source}: no provision {code}")
    if data.get("part") is not None and data["part"] not in {part.id for part in parts}:
        problems.append(f"{source}: no part {data['part']}")
    if data.get("board") is not None and data["board"] not in BOARDS:
        problems.append(f"{source}: board {data['board']!r} is not one of {', '.join(BOARDS)}")
    return PhaseRule(data.get("obligation", ""), frozenset(map(str, data.get("provisions", ()))), data.get("part"),
                     data.get("board"), data.get("largecap"), data.get("starting_from"))


def _name_key(data: dict, where: str, problems: list[str]) -> str:
    key = data.get("concept")
    if not isinstance(key, str) or not key:
        problems.append(f"{where}: no name key (`concept: EmissionTargets`), which its XBRL concepts are named from")
        return ""
    if not NAME_KEY.fullmatch(key):
        problems.append(f"{where}: the name key {key!r} is not UpperCamelCase letters and digits")
    return key


def _code_forms(code: str) -> set[str]:
    """How a provision code could be spelled inside a name: A1.5 -> A1_5, A15; D-GOV-1 -> DGOV1, D_GOV_1."""
    return {code.replace(".", "_").replace("-", ""), code.replace(".", "").replace("-", ""),
            code.replace(".", "_").replace("-", "_")}


def check_name_keys(editions: dict[str, Edition], sources: dict[str, str]) -> list[str]:
    """What is wrong with the name keys: a key shared by two codes of one edition, a key that
    spells a provision code, or one key for provisions worded differently with no `reworded` to say why
    they ask for the same thing. (That two keys mean the same thing cannot be found here.)"""
    problems = []
    forms = {form for e in editions.values() for p in e.provisions for form in _code_forms(p.code)}
    spelled = re.compile("|".join(rf"(?<![A-Z0-9]){re.escape(f)}(?![0-9_])" for f in sorted(forms, key=len, reverse=True)))
    for edition in editions.values():
        source = sources[edition.id]
        for kind, things in (("provisions", [(p.code, p.concept) for p in edition.provisions]),
                             ("aspects", [(a.id, a.concept) for part in edition.parts for a in part.aspects])):
            codes_of: dict[str, list[str]] = {}
            for code, key in things:
                if key:
                    codes_of.setdefault(key, []).append(code)
                    if spelled.search(key):
                        problems.append(f"{source}: {code}: the name key {key} spells a provision code "
                                        f"({spelled.search(key).group()}), which may change")
            for key, codes in codes_of.items():
                if len(codes) > 1:
                    problems.append(f"{source}: {kind} {', '.join(codes)} share the name key {key}; "
                                    "in one edition each needs its own")
    by_key: dict[str, list[tuple[Edition, Provision]]] = {}
    for edition in editions.values():
        for p in edition.provisions:
            if p.concept:
                by_key.setdefault(p.concept, []).append((edition, p))
    for key, users in by_key.items():
        wordings = {" ".join(p.wording.split()) for _, p in users if not p.reworded}
        if len(wordings) > 1:
            where = ", ".join(f"{p.code} of {sources[e.id]}" for e, p in users if not p.reworded)
            problems.append(f"the name key {key} is shared by provisions worded differently ({where}): give each "
                            "meaning its own key, or say with `reworded: ...` why a new wording asks the same")
    return problems


@cache
def load_catalogue(directory: Path = CATALOGUE_DIR) -> Catalogue:
    editions = {}
    sources = {}
    problems: list[str] = []
    for path in sorted((directory / "editions").glob("*.yaml")):
        source = f"editions/{path.name}"
        edition = _edition(_read(source, directory), source, problems)
        editions[edition.id] = edition
        sources[edition.id] = source
    problems += check_name_keys(editions, sources)
    if problems:
        raise CatalogueError(problems)

    # a stray key is a typo or a value cut at an unquoted comma ({label: a, b}): never silent
    unit_keys = {"label", "label_zh", "xbrl", "scale", "pint", "note"}
    member_keys = {"label", "label_zh"}
    metric_keys = {f.name for f in Metric.__dataclass_fields__.values()} - {"extension", "anchor",
                                                                            "extension_combinations"}

    def stray(entry: dict, allowed: set[str], where: str) -> None:
        problems.extend(f"{where}: unknown key {k!r}" for k in entry if k not in allowed)

    units = {}
    for kind, kind_data in _read("units.yaml", directory)["kinds"].items():
        for code, u in kind_data["units"].items():
            stray(u, unit_keys, f"units.yaml: {code}")
            units[code] = Unit(code, kind, u["label"], u["label_zh"], u["xbrl"], u.get("scale", 0), u["pint"])

    axes = {}
    for axis_id, a in _read("dimensions.yaml", directory)["axes"].items():
        stray(a, {"label", "label_zh", "typed", "members"}, f"dimensions.yaml: {axis_id}")
        for m, v in (a.get("members") or {}).items():
            stray(v, member_keys, f"dimensions.yaml: {axis_id}.{m}")
        members = {str(m): (v["label"], v["label_zh"]) for m, v in (a.get("members") or {}).items()}
        axes[axis_id] = Axis(axis_id, a["label"], a["label_zh"], bool(a.get("typed")), members)

    data = _read("metrics.yaml", directory)
    tables = [Table(t["id"], t["title"], t["title_zh"]) for t in data["tables"]]
    metrics = {}
    for m in data["metrics"]:
        stray(m, metric_keys, f"metrics.yaml: {m.get('id')}")
        metrics[m["id"]] = Metric(
            id=m["id"],
            label=m["label"],
            label_zh=m["label_zh"],
            unit_kind=m["unit_kind"],
            period=m["period"],
            table=m["table"],
            provisions=tuple(str(c) for c in m.get("provisions", ())),
            breakdowns=tuple(m.get("breakdowns", ())),
            sums=bool(m.get("sums")),
            sum_of=tuple(m.get("sum_of", ())),
            intensity=bool(m.get("intensity")),
            denominator=m.get("denominator"),
            denominator_zh=m.get("denominator_zh"),
            balance=m.get("balance"),
            concept=m.get("concept"),
            denominator_measure=m.get("denominator_measure"),
            combinations=tuple(tuple(pair) for pair in m.get("combinations", ())),
        )
    frameworks = _frameworks(_read("crossrefs.yaml", directory), editions, problems)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(editions, metrics, axes, units, tables, frameworks=frameworks)


def _frameworks(data: dict, editions: dict[str, Edition], problems: list[str]) -> dict[str, Framework]:
    """The cross-references, each checked against the frameworks and the editions' provisions."""
    concepts = {p.concept for edition in editions.values() for p in edition.provisions}
    known = {fid: {str(rid) for rid in f["references"]} for fid, f in data["frameworks"].items()}
    mapped: dict[str, dict[str, tuple[str, ...]]] = {fid: {} for fid in known}
    for concept, by_framework in data["provisions"].items():
        if concept not in concepts:
            problems.append(f"crossrefs.yaml: provisions: no edition has a provision {concept!r}")
        for fid, ids in by_framework.items():
            if fid not in known:
                problems.append(f"crossrefs.yaml: provisions: {concept}: no framework {fid!r}")
                continue
            problems.extend(f"crossrefs.yaml: provisions: {concept}: {fid} has no reference {rid!r}"
                            for rid in map(str, ids) if rid not in known[fid])
            mapped[fid][concept] = tuple(map(str, ids))
    frameworks = {}
    for fid, f in data["frameworks"].items():
        problems.extend(f"crossrefs.yaml: {fid}: unknown key {k!r}" for k in f
                        if k not in {"title", "title_zh", "index_title", "index_title_zh", "publisher", "references"})
        references = tuple(Reference(str(rid), r["topic"], r["topic_zh"]) for rid, r in f["references"].items())
        frameworks[fid] = Framework(fid, f["title"], f["title_zh"], f["index_title"], f["index_title_zh"],
                                    f["publisher"], references, mapped[fid])
    return frameworks
