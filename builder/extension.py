"""The company's extension taxonomy: what one report declares beyond the framework.

Every report's inline XBRL points at a small taxonomy of its own (as ESEF filings do), which
imports the framework's entry point for the report's edition and declares, in the company's
own namespace, the metrics, axes and members it added under `extensions:` in company.yaml,
with their labels in English and Chinese, the provisions they answer, their hypercubes, sums
and presentation, and an anchor to the framework's concept each is narrower than. A report
without extensions gets the schema alone. The files lie beside the report (report.xsd,
report-*.xml) and go into the report package with it.
"""

from __future__ import annotations

import re

from lxml import etree

from .catalogue import Catalogue, Edition
from .taxonomy import (
    BASE_URL, CORE, DTR, LINK, NS, PREFIX, SCHEMA_LOCATIONS, XBRLDT, XBRLI, XLINK, XS, ExtensionNames, Scope,
    Taxonomy, _elements, _linkbase_refs, _q, _role_types, _xml, build_model, calculation_linkbase,
    definition_linkbase, entry_point_url, label_linkbase, presentation_linkbase, reference_linkbase,
)

SCHEMA = "report.xsd"
LINKBASES = {  # file -> what it holds
    "report-lab-en.xml": "labels in English",
    "report-lab-zh.xml": "labels in Traditional Chinese",
    "report-ref.xml": "references to the provisions",
    "report-def.xml": "hypercubes and anchors",
    "report-cal.xml": "sums",
    "report-pre.xml": "presentation",
}
FILES = (SCHEMA, *LINKBASES)


def extension_names(company, report) -> ExtensionNames:
    """The company's namespace: under its own website where it gives one (as ESEF asks), else
    under the stock code; dated by the period's end, so that each year's is its own."""
    code = company.stock_code.zfill(5)
    end = report.period.end.isoformat()
    home = f"https://www.hkex-esg.example/company/{code}"
    site = re.fullmatch(r"(https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~-]+)*)/?(?:[?#].*)?", company.website or "")
    if site:  # its host and path; a query, or characters a namespace URI must escape, are left out
        home = site.group(1)
    return ExtensionNames(prefix=f"hk{code}", namespace=f"{home}/xbrl/{end}/esg")


def report_taxonomy(catalogue: Catalogue, company, report) -> Taxonomy:
    """The taxonomy a report is tagged against: the framework's and the company's concepts."""
    return build_model(catalogue, extension_names(company, report))


def extension_files(tax: Taxonomy, edition: Edition) -> dict[str, bytes]:
    """Every file of the company's extension taxonomy, by name."""
    ext = tax.extension
    scope = Scope(SCHEMA, ext.prefix, f"{BASE_URL}{CORE}",
                  frozenset(uri for uri in tax.roles if uri.startswith(ext.namespace)))
    files = {SCHEMA: _schema(tax, edition, scope)}
    if not tax.catalogue.extended:
        return files
    files |= {
        "report-lab-en.xml": label_linkbase(tax, "en", scope),
        "report-lab-zh.xml": label_linkbase(tax, "zh-Hant", scope),
        "report-ref.xml": reference_linkbase(tax, scope),
        "report-def.xml": definition_linkbase(tax, scope),
        "report-cal.xml": calculation_linkbase(tax, scope),
        "report-pre.xml": presentation_linkbase(tax, edition, scope),
    }
    return files


def _schema(tax: Taxonomy, edition: Edition, scope: Scope) -> bytes:
    ext = tax.extension
    nsmap = {"xs": XS, "xbrli": XBRLI, "link": LINK, "xlink": XLINK, "xbrldt": XBRLDT, "dtr-types": DTR,
             PREFIX: NS, ext.prefix: ext.namespace}
    root = etree.Element(_q("xs:schema"), nsmap=nsmap, attrib={
        "targetNamespace": ext.namespace, "elementFormDefault": "qualified", "attributeFormDefault": "unqualified"})
    appinfo = _linkbase_refs(root, list(LINKBASES) if tax.catalogue.extended else [])
    _role_types(appinfo, {uri: d for uri, d in tax.roles.items() if uri in scope.roles})
    # the edition's entry point brings the framework's presentation; the core its concepts
    etree.SubElement(root, _q("xs:import"), attrib={"namespace": f"{BASE_URL}{edition.id}",
                                                    "schemaLocation": entry_point_url(edition.id)})
    etree.SubElement(root, _q("xs:import"), attrib={"namespace": NS, "schemaLocation": f"{BASE_URL}{CORE}"})
    for ns in (XBRLI, LINK, XBRLDT, DTR):
        etree.SubElement(root, _q("xs:import"), attrib={"namespace": ns, "schemaLocation": SCHEMA_LOCATIONS[ns]})
    _elements(root, tax, scope)
    return _xml(root)
