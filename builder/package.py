"""The XBRL Report Package (Report Package 1.0, an inline XBRL report package, .xbri): the
inline XBRL report with the company's extension taxonomy, in one file a filer submits and a
processor opens offline (with the framework's taxonomy package).

    <top>/META-INF/reportPackage.json   {"documentInfo": {"documentType": ".../xbri"}}
    <top>/reports/report.xhtml          the report (report.zh-Hant.xhtml: an edition of several)
    <top>/reports/report.xsd, report-*.xml   its extension taxonomy, beside it as in output/

The files are the very files written to the output folder, so that what is validated there and
what is filed are the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile

NAME = "report.xbri"
DOCUMENT_TYPE = "https://xbrl.org/report-package/2023/xbri"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # a reproducible package: the same report, the same bytes


def top_folder(company, report) -> str:
    """The package's one top-level folder: whose report, for which year."""
    return f"esg-{company.stock_code.zfill(5)}-{report.financial_year}"


def report_package(top: str, document: str, report: bytes, taxonomy: dict[str, bytes]) -> bytes:
    """The package of the inline XBRL report named `document` (report.xhtml, or
    report.zh-Hant.xhtml of one edition of several)."""
    files = {"META-INF/reportPackage.json": json.dumps({"documentInfo": {"documentType": DOCUMENT_TYPE}},
                                                       indent=2).encode() + b"\n",
             f"reports/{document}": report}
    files |= {f"reports/{name}": content for name, content in taxonomy.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{path}", date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[path])
    return buffer.getvalue()
