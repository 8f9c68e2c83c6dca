"""The archival PDF (PDF/A-3a): the report as laid out, carrying its machine-readable data.

WeasyPrint lays out the PDF as PDF/A-3a (tagged, with its XMP metadata and sRGB output intent)
while Arelle validates the inline XBRL report; the files to attach exist only once validation
has written them. They are attached here, afterwards, as associated files of the document
(ISO 19005-3): each file specification in the EmbeddedFiles name tree and in the catalogue's
/AF array, with /AFRelationship /Data, its MIME type as the embedded file's /Subtype and its
size, checksum and dates (the report's publication date) in /Params. Only the builder's own
written files are attached: the layout can fetch nothing but data: URLs (builder.render).

The XMP declares PDF/UA-1 beside PDF/A-3a (pdfuaid:part 1, with the extension schema that
PDF/A requires for a property outside its predefined schemas): the file is both.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

MIME_TYPES = {".json": "application/json", ".xhtml": "application/xhtml+xml"}


@dataclass(frozen=True)
class Attachment:
    name: str  # the file's name, as written beside the PDF
    content: bytes
    description: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.name[self.name.rindex("."):]]


# PDF/A allows XMP properties outside its predefined schemas only with their description
PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part>\
</rdf:Description>"""


def pdf_date(day: date) -> str:
    """A date as WeasyPrint writes the document's (D:YYYYMMDD)."""
    return f"D:{day:%Y%m%d}"


def with_attachments(pdf: bytes, attachments: list[Attachment], published: date) -> bytes:
    """The PDF/A-3 with the files attached as its associated data, byte for byte the same
    for the same input (no clock, no random identifier)."""
    import pikepdf

    when = pdf_date(published)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        associated = document.Root.get("/AF", pikepdf.Array())
        for attachment in attachments:
            spec = pikepdf.AttachedFileSpec(
                document, attachment.content, description=attachment.description, filename=attachment.name,
                mime_type=attachment.mime_type, creation_date=when, mod_date=when, relationship=pikepdf.Name.Data)
            document.attachments[attachment.name] = spec
            associated.append(spec.obj)
        document.Root.AF = document.make_indirect(associated)
        _declare_pdfua(document)
        out = io.BytesIO()
        # the /ID is derived from the content, as WeasyPrint's was
        document.save(out, deterministic_id=True)
        return out.getvalue()


def _declare_pdfua(document) -> None:
    metadata = document.Root.Metadata
    xmp = metadata.read_bytes()
    if b"pdfuaid:part" in xmp:
        return
    end = xmp.rindex(b"</rdf:RDF>")
    metadata.write(xmp[:end] + PDFUA_XMP + xmp[end:])
