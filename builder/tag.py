"""Tag stage: the markup that makes the report inline XBRL.

The templates render the report once for HTML and once for iXBRL; in the second pass they
call a Tagger to wrap every figure, every narrative disclosure, every omission and the
entity information in ix: elements. The Tagger gathers the contexts, units, footnote
relationships and hidden facts that the ix:header then declares, and it remembers where in
company.yaml each fact came from, so that Arelle's findings can be told in the user's terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

from .catalogue import Provision
from .compute import Cell, FactKey
from .i18n import DEFAULT as DEFAULT_LANGUAGE, language as language_named
from .load import Loaded
from .numbers import decimal_places, format_number
from .schema import NOT_APPLICABLE
from .extension import SCHEMA as EXTENSION_SCHEMA
from .taxonomy import (
    DERIVED_ROLE, NS, OMISSION_REASONS, PREFIX, code_token, item_text_block_name, omission_explanation_name,
    omission_reason_name, target_concept_list, text_block_name,
)

IX_NAMESPACES = {
    "": "http://www.w3.org/1999/xhtml",
    "ix": "http://www.xbrl.org/2013/inlineXBRL",
    "ixt": "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12",
    "xbrli": "http://www.xbrl.org/2003/instance",
    "xbrldi": "http://xbrl.org/2006/xbrldi",
    "link": "http://www.xbrl.org/2003/linkbase",
    "xlink": "http://www.w3.org/1999/xlink",
    "iso4217": "http://www.xbrl.org/2003/iso4217",
    "utr": "http://www.xbrl.org/2009/utr",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    PREFIX: NS,
}
ENTITY_SCHEME = "https://www.hkex.com.hk/stock-code"
LEI_SCHEME = "http://standards.iso.org/iso/17442"


def entity_identifier(company) -> tuple[str, str]:
    """(scheme, identifier) of the entity: its LEI where it has one, else its HKEX stock code in
    the Exchange's five digits (0700 -> 00700)."""
    if company.lei:
        return LEI_SCHEME, company.lei
    return ENTITY_SCHEME, stock_code(company)


def stock_code(company) -> str:
    return company.stock_code.zfill(5)
NUMBER_FORMAT = "ixt:num-dot-decimal"
TARGET_CONCEPTS = {c["part"]: c["name"] for c in target_concept_list()}  # targets' part -> concept
DERIVED_NOTE = "fn-derived"


@dataclass
class Fact:
    """A fact as tagged, with the value Arelle must read back and where it came from."""

    id: str
    concept: str
    context: str
    value: Decimal | str
    unit: str | None = None
    key: FactKey | None = None


@dataclass(frozen=True)
class ContextKey:
    start: dt.date | None
    end: dt.date
    dimensions: tuple[tuple[str, str, bool], ...] = ()  # (axis concept, member, typed)


@dataclass(repr=False)  # a template may print it: not the input it holds
class Tagger:
    """Wraps report content in inline XBRL; when disabled it returns the content as it is."""

    loaded: Loaded
    enabled: bool
    language: str | None = None  # of the text it tags (xml:lang); the report's language by default
    facts: list[Fact] = field(default_factory=list)
    contexts: dict[ContextKey, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # unit id -> its xbrli:unit markup
    footnote_links: dict[str, list[str]] = field(default_factory=dict)  # footnote id -> fact ids
    hidden: list[Markup] = field(default_factory=list)

    def __repr__(self) -> str:
        return "<the inline XBRL tagger>"

    def __post_init__(self) -> None:
        self.language = self.language or self.loaded.language
        self.taxonomy = self.loaded.taxonomy
        self._chains = self._text_chains()
        self._chain_position: dict[str, int] = {}

    # --- figures ---------------------------------------------------------------------------

    def number(self, cell: Cell, table: str | None = None, notes: tuple[int, ...] | list[int] = ()) -> Markup:
        """A figure of the data tables: ix:nonFraction, footnoted as in its table."""
        text = language_named(self.language).gettext(cell.text) if cell.value == NOT_APPLICABLE else cell.text
        if not self.enabled or cell.key is None or cell.value in (None, NOT_APPLICABLE):
            return escape(text)
        key = cell.key
        catalogue = self.loaded.catalogue
        unit = catalogue.units[key.unit]
        concept = self.taxonomy.metric_concepts[key.metric]
        dimensions: list[tuple[str, str, bool]] = []
        scale = unit.scale
        unit_id = self._unit(unit.xbrl)
        if key.share:
            concept = self.taxonomy.share_concepts[key.metric]
        elif key.per is not None:
            # an intensity per monetary unit has a concept typed as such, which names its denominator
            concept, with_axis = self.taxonomy.intensity_concept(key.metric, key.per)
            denominator = catalogue.metrics[key.per]
            per_unit = catalogue.units[key.per_unit]
            measure = denominator.denominator_measure or per_unit.xbrl
            scale = unit.scale - (0 if denominator.denominator_measure else per_unit.scale)
            # area per floor area, HK$ per HK$ of revenue: a pure ratio, not a unit divided by itself
            unit_id = self._unit("xbrli:pure" if measure == unit.xbrl else f"{unit.xbrl}/{measure}")
            if with_axis:
                dimensions.append((f"{PREFIX}:IntensityDenominatorAxis",
                                   f"{PREFIX}:Per{self.taxonomy.metric_concepts[key.per].name}Member", False))
        for axis, member in key.dimensions:
            dimensions.append(self._dimension(axis, member))
        metric = catalogue.metrics[key.metric]
        period = "duration" if key.per is not None else metric.period  # an intensity is over the year
        context = self._context(key.year, period, tuple(sorted(dimensions)))
        value: Decimal = cell.value
        fact = self._fact(concept.qname, context, value.scaleb(scale), unit_id, key)
        if cell.derived:
            self.footnote_links.setdefault(DERIVED_NOTE, []).append(fact.id)
        for n in notes:
            if table is not None:
                self.footnote_links.setdefault(f"fn-{table}-{n}", []).append(fact.id)
        attrs = {
            "name": concept.qname, "contextRef": context, "unitRef": unit_id, "id": fact.id,
            "decimals": str(decimal_places(value) - scale), "format": NUMBER_FORMAT,
        }
        if scale:
            attrs["scale"] = str(scale)
        if value < 0:
            attrs["sign"] = "-"
        shown = format_number(abs(value))
        sign = "-" if value < 0 else ""
        return Markup(f"{sign}<ix:nonFraction{_attrs(attrs)}>{escape(shown)}</ix:nonFraction>")

    def footnote(self, footnote_id: str, html: Markup | str) -> Markup:
        html = escape(html)  # Markup passes through; plain text is escaped
        if not self.enabled or footnote_id not in self.footnote_links:
            return html
        return Markup(f'<ix:footnote id="{footnote_id}"{self._lang(_language_of(html))}>'
                      f"{html}</ix:footnote>")

    def derived_note(self, html: Markup | str, any_derived: bool) -> Markup:
        """The legend that says which figures are derived: the footnote every derived fact is
        linked to, in the role the taxonomy defines for it (given before the tables, so the
        view says whether any figure will be derived)."""
        html = escape(html)
        if not self.enabled or not any_derived:
            return html
        return Markup(f'<ix:footnote id="{DERIVED_NOTE}" footnoteRole="{DERIVED_ROLE}" '
                      f'xml:lang="{self.language}">{html}</ix:footnote>')

    # --- targets -------------------------------------------------------------------------------

    def target(self, target, part: str, html: Markup | str) -> Markup:
        """A part of a target as the targets table shows it (its description, a year, its text,
        its progress), tagged in the target's context."""
        if not self.enabled:
            return escape(html)
        return self._non_numeric(TARGET_CONCEPTS[part], self._target_context(target), html)

    def target_facts(self, target) -> str:
        """What a target says that its row does not show as such: the metric it is set on, its
        status, and its values where it gives their unit; hidden facts."""
        if not self.enabled:
            return ""
        context = self._target_context(target)
        if target.metric is not None:
            self.hide(TARGET_CONCEPTS["metric"], self.taxonomy.metric_concepts[target.metric].qname, context)
        if target.status is not None:
            self.hide(TARGET_CONCEPTS["status"], target.status, context)
        for part, point in (("baseline", target.baseline), ("target", target.target)):
            if point is None or point.value is None or point.unit is None:
                continue
            unit = self.loaded.catalogue.units[point.unit]
            unit_id = self._unit(unit.xbrl)
            value = point.value.scaleb(unit.scale)
            fact = self._fact(f"{PREFIX}:{TARGET_CONCEPTS[part + '.value']}", context, value, unit_id)
            sign = ' sign="-"' if point.value < 0 else ""
            self.hidden.append(Markup(
                f'<ix:nonFraction name="{fact.concept}" contextRef="{context}" unitRef="{unit_id}" id="{fact.id}" '
                f'decimals="{decimal_places(point.value) - unit.scale}"{sign}'
                f'{f" scale={chr(34)}{unit.scale}{chr(34)}" if unit.scale else ""} format="{NUMBER_FORMAT}">'
                f"{escape(format_number(abs(point.value)))}</ix:nonFraction>"))
        return ""

    def _target_context(self, target) -> str:
        return self._context(self.loaded.data.report.financial_year, "duration",
                             ((f"{PREFIX}:TargetAxis", target.id, True),))

    # --- narrative ---------------------------------------------------------------------------

    def text(self, codes: list[str] | tuple[str, ...], html: Markup | str, place: str) -> Markup:
        """Narrative answering provisions: one text block per provision, continued where it spans places."""
        language = _language_of(html)  # of the text itself, which every block around it shares
        html = Markup(html)
        if not self.enabled:
            return html
        for code in reversed([c for c in codes if self._text_concept(c)]):
            html = self._text_block(self._text_concept(code), code, html, place, language)
        return html

    def built_in(self, anchor: str, html: Markup | str, item: str | None = None) -> Markup:
        """A built-in part of the report (the board statement, the principles, the boundary):
        the text block of the provision answered there, or of one of its items."""
        language = _language_of(html)
        provisions = [p for p in self.loaded.edition.provisions if p.answered_in == anchor]
        if not self.enabled or not provisions:
            return Markup(html)
        if item is None:
            return self.text([p.code for p in provisions], html, anchor)
        html = Markup(html)
        name = item_text_block_name(provisions[0], item)
        fact = self._fact(name, self._current_context(), "")
        return Markup(f'<ix:nonNumeric name="{PREFIX}:{name}" contextRef="{fact.context}" id="{fact.id}"'
                      f'{self._lang(language)} escape="true">{html}</ix:nonNumeric>')

    def value(self, concept: str, text: Markup | str, lang: str | None = None) -> Markup:
        """A visible non-numeric fact: the entity's name, the report's title; lang where the text
        is not in the report's language (the Chinese name)."""
        if not self.enabled:
            return escape(text)
        return self._non_numeric(concept, self._current_context(), text, lang)

    def omission(self, code: str, part: str, text: Markup | str) -> Markup:
        """The reason (part='reason') or the explanation (part='explanation') of an omission."""
        provision = self.loaded.edition.provision(code)
        concept = (omission_reason_name if part == "reason" else omission_explanation_name)(provision)
        if part == "reason" and self.language != DEFAULT_LANGUAGE:
            # The reason is a value of the taxonomy's enumeration ("not applicable"), shown as it
            # is in English; another language shows the taxonomy's label of it (不適用), and the
            # fact keeps the value, hidden.
            shown = OMISSION_REASONS[str(text)][1] if self.language.startswith("zh") else str(text)
            self.hide(concept, str(text))
            return escape(shown)
        return self.value(concept, text)

    def hide(self, concept: str, value: str, context: str | None = None) -> str:
        """A fact not shown in the report (the edition, the language; a target's status): declared
        in ix:hidden, in the report's context unless another is given."""
        if self.enabled:
            self.hidden.append(self._non_numeric(concept, context or self._current_context(), value))
        return ""

    def _non_numeric(self, concept: str, context: str, text: Markup | str, lang: str | None = None) -> Markup:
        """An ix:nonNumeric fact of a concept of the framework's taxonomy."""
        fact = self._fact(concept, context, str(text))
        return Markup(f'<ix:nonNumeric name="{PREFIX}:{concept}" contextRef="{context}" id="{fact.id}"'
                      f"{self._lang(lang or _language_of(text))}>{escape(text)}</ix:nonNumeric>")

    # --- the header ----------------------------------------------------------------------------

    def header(self) -> Markup:
        if not self.enabled:
            return Markup("")
        data = self.loaded.data
        self.hide("ReportingFrameworkEdition", data.report.edition)
        self.hide("ReportLanguage", self.language)
        self.hide("ReportPublicationDate", data.report.published.isoformat())
        self.hide("ReportingCurrency", data.report.currency)
        self.hide("StockCode", stock_code(data.company))
        parts = ['<div class="ix-header" style="display:none"><ix:header>']
        parts.append("<ix:hidden>" + "".join(self.hidden) + "</ix:hidden>")
        parts.append('<ix:references><link:schemaRef xlink:type="simple" '
                     f'xlink:href="{EXTENSION_SCHEMA}"/></ix:references>')
        parts.append("<ix:resources>")
        for key, context_id in self.contexts.items():
            parts.append(self._context_markup(key, context_id))
        parts.extend(self.units.values())
        for footnote_id, fact_ids in self.footnote_links.items():  # relationships are resources
            parts.append(f'<ix:relationship fromRefs="{" ".join(fact_ids)}" toRefs="{footnote_id}"/>')
        parts.append("</ix:resources></ix:header></div>")
        return Markup("".join(parts))

    # --- the parts ----------------------------------------------------------------------------

    def _fact(self, concept: str, context: str, value, unit: str | None = None, key: FactKey | None = None) -> Fact:
        fact = Fact(f"f{len(self.facts) + 1}", concept, context, value, unit, key)
        self.facts.append(fact)
        return fact

    def _text_concept(self, code: str) -> str | None:
        provision: Provision | None = self.loaded.edition.provision(code)
        if provision is None or provision.answer_by == "data":
            return None
        return text_block_name(provision)

    def _text_chains(self) -> dict[str, list[str]]:
        """For each provision, the places that answer it in the order of the document."""
        chains: dict[str, list[str]] = {}
        for p in self.loaded.edition.provisions:
            if p.answered_in:
                chains.setdefault(p.code, []).append(p.answered_in)
        for chapter in self.loaded.data.chapters:
            for section in chapter.sections:
                for code in section.answers:
                    chains.setdefault(code, []).append(section.id)
        return chains

    def _text_block(self, concept: str, code: str, html: Markup, place: str, language: str | None = None) -> Markup:
        chain = self._chains.get(code, [place])
        k = chain.index(place) if place in chain else 0
        token = code_token(code)
        after = f' continuedAt="tb-{token}-{k + 1}"' if k + 1 < len(chain) else ""
        if k == 0:
            fact = self._fact(concept, self._current_context(), "")
            return Markup(f'<ix:nonNumeric name="{PREFIX}:{concept}" contextRef="{fact.context}" id="{fact.id}"'
                          f'{self._lang(language)} escape="true"{after}>{html}</ix:nonNumeric>')
        return Markup(f'<ix:continuation id="tb-{token}-{k}"{after}>{html}</ix:continuation>')

    def _lang(self, lang: str | None = None) -> str:
        """Every text fact says its language (xml:lang), so a consumer need not infer it."""
        return f' xml:lang="{lang or self.language}"'

    def _current_context(self) -> str:
        return self._context(self.loaded.data.report.financial_year, "duration", ())

    def _period(self, year: int) -> tuple[dt.date, dt.date]:
        """The financial year `year`: the report's period moved by whole years."""
        period = self.loaded.data.report.period
        shift = year - self.loaded.data.report.financial_year
        return _shift(period.start, shift), _shift(period.end, shift)

    def _context(self, year: int, period_type: str, dimensions: tuple) -> str:
        start, end = self._period(year)
        key = ContextKey(start if period_type == "duration" else None, end, dimensions)
        if key not in self.contexts:
            kind = "d" if key.start else "i"
            self.contexts[key] = f"c{len(self.contexts) + 1}-{year}{kind}"
        return self.contexts[key]

    def _dimension(self, axis_id: str, member: str) -> tuple[str, str, bool]:
        axis = self.loaded.catalogue.axes[axis_id]
        breakdown = next(b for b in self.taxonomy.breakdowns if b.axis.id == axis_id)
        if axis.typed:
            return (breakdown.axis_concept.qname, member, True)
        qnames = {m.source.rsplit(":", 1)[1]: m.qname for m in breakdown.members}
        return (breakdown.axis_concept.qname, qnames[member], False)

    def _context_markup(self, key: ContextKey, context_id: str) -> str:
        scheme, identifier = entity_identifier(self.loaded.data.company)
        segment = ""
        if key.dimensions:
            members = []
            for axis, member, typed in key.dimensions:
                if typed:
                    element = f"{axis.removesuffix('Axis')}Name"  # in the axis's namespace
                    members.append(f'<xbrldi:typedMember dimension="{axis}"><{element}>{escape(member)}'
                                   f"</{element}></xbrldi:typedMember>")
                else:
                    members.append(f'<xbrldi:explicitMember dimension="{axis}">{member}</xbrldi:explicitMember>')
            segment = "<xbrli:segment>" + "".join(members) + "</xbrli:segment>"
        period = (f"<xbrli:startDate>{key.start.isoformat()}</xbrli:startDate><xbrli:endDate>{key.end.isoformat()}"
                  "</xbrli:endDate>" if key.start else f"<xbrli:instant>{key.end.isoformat()}</xbrli:instant>")
        return (f'<xbrli:context id="{context_id}"><xbrli:entity><xbrli:identifier scheme="{scheme}">'
                f"{escape(identifier)}</xbrli:identifier>{segment}</xbrli:entity><xbrli:period>{period}</xbrli:period>"
                "</xbrli:context>")

    def _unit(self, xbrl: str) -> str:
        """The id of the unit for an XBRL unit string ('utr:t', 'iso4217:HKD/utr:tCO2e')."""
        unit_id = "u-" + xbrl.replace(":", "-").replace("/", "-per-")
        if unit_id not in self.units:
            if "/" in xbrl:
                numerator, denominator = xbrl.split("/", 1)
                body = (f"<xbrli:divide><xbrli:unitNumerator><xbrli:measure>{numerator}</xbrli:measure>"
                        f"</xbrli:unitNumerator><xbrli:unitDenominator><xbrli:measure>{denominator}"
                        "</xbrli:measure></xbrli:unitDenominator></xbrli:divide>")
            else:
                body = f"<xbrli:measure>{xbrl}</xbrli:measure>"
            self.units[unit_id] = f'<xbrli:unit id="{unit_id}">{body}</xbrli:unit>'
        return unit_id


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())


def namespace_attributes(extension=None) -> Markup:
    """The namespace declarations of the report: those of inline XBRL, the framework's
    taxonomy and the company's extension."""
    namespaces = IX_NAMESPACES | ({extension.prefix: extension.namespace} if extension else {})
    return Markup(" ".join(f'xmlns{":" + p if p else ""}="{uri}"' for p, uri in namespaces.items()))


def _language_of(text) -> str | None:
    """The language of a text the edition shows in another than its own (render.ForeignHtml,
    languages.Foreign); None for the edition's own."""
    return getattr(text, "language", None)


# HTML5 elements and attributes that XHTML 1.1, the host language of inline XBRL, lacks.
HTML5_ELEMENTS = {"section", "nav", "main", "header", "footer", "article", "aside", "figure", "figcaption"}


def to_xhtml11(document: str) -> bytes:
    """The rendered report as XHTML 1.1 for inline XBRL: HTML5 sectioning elements become
    divs (keeping their classes), ARIA attributes and the HTML lang attribute go (xml:lang
    stays), style elements get their type, and a list's start becomes its counter's. The content and the tags are unchanged."""
    from lxml import etree

    xhtml = IX_NAMESPACES[""]
    root = etree.fromstring(document.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter(f"{{{xhtml}}}*"):
        local = etree.QName(element).localname
        if local in HTML5_ELEMENTS:
            element.tag = f"{{{xhtml}}}div"
            element.set("class", " ".join(filter(None, [local, element.get("class")])))
        for attribute in list(element.attrib):
            if attribute.startswith("aria-") or attribute == "lang":
                del element.attrib[attribute]
        if local == "style" and "type" not in element.attrib:
            element.set("type", "text/css")
        if local == "ol" and "start" in element.attrib:  # XHTML 1.1 has no start: a list from "0." or "3."
            start = int(element.attrib.pop("start"))
            element.set("style", f"counter-reset: list-item {start - 1}")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
