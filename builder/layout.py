"""The PDF layout: WeasyPrint on an edition's print HTML, run in a worker (bounded.Worker).

Kept apart from builder.render, with nothing of the build's own but the corrections applied to
WeasyPrint, so that a layout worker imports WeasyPrint and little else: it is started as the
command starts (builder.workers), while the build imports and loads the report, not after.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from .bounded import cycles_left_for_later
from .drawing import PLACEHOLDER
from .errors import OutputError

# The PDF's variant: tagged for assistive technology (PDF/UA-1) always; archival (PDF/A-3a, which
# is tagged too, and declares PDF/UA-1 as well once builder.archive has attached its data) on request.
ACCESSIBLE = "pdf/ua-1"
ARCHIVAL = "pdf/a-3a"

# What a layout worker imports before its work: WeasyPrint takes half a second to import, which
# would otherwise come before every PDF's first page (through builder.weasy: without the 80
# processes its libraries' lookup runs on a machine with a compiler).
LAYOUT_MODULES = ("builder.weasy", "weasyprint.urls", "builder.tagging", "builder.pagerefs", "builder.footprint")


def lay_out(html: str, base_url: str, variant: str | None = ACCESSIBLE,
            charts: Callable[[], dict[str, str]] | None = None) -> bytes:
    """The PDF of the print HTML in a PDF variant (None: untagged, as the benchmark compares).
    An HTML rendered before its charts were drawn holds their placeholders: charts() gives each
    one's data: URI, waited for when WeasyPrint first needs an image (a fifth of the layout in,
    once the styles are computed), so that the layout does not wait for matplotlib to start."""
    # Imported here: WeasyPrint is slow to import and only this step needs it.
    from .weasy import HTML

    from . import footprint, pagerefs, tagging

    tagging.apply()  # running heads, page numbers and decorative images as artifacts
    pagerefs.apply()  # a page holding page numbers of others laid out twice, not three times
    footprint.apply()  # what WeasyPrint holds that it no longer needs, or holds many times, let go
    # Every image is already embedded as a data: URI; nothing else may be fetched: no file,
    # no network, no redirect, so no attachment can carry a file into the PDF either.
    fetcher = _fetcher(charts)(allowed_protocols={"data"}, allow_redirects=False)
    try:
        with cycles_left_for_later():
            parsed = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            gc.collect()  # the parser's tree, garbage in cycles, let go before the layout takes its place
            document = parsed.render(pdf_variant=variant)
            # PDF/A requires a file identifier: the MD5 of the file's content, the same every build
            return document.write_pdf(pdf_variant=variant, pdf_identifier=variant == ARCHIVAL,
                                      finisher=footprint.let_go_of_the_pages)
    except MemoryError:
        raise
    except Exception as e:  # whatever WeasyPrint raises, the user is told plainly
        raise OutputError(f"the PDF could not be laid out: {type(e).__name__}: {e}") from None


def _fetcher(charts: Callable[[], dict[str, str]] | None):
    """WeasyPrint's fetcher, which fetches a chart's placeholder as the chart it stands for."""
    from weasyprint.urls import URLFetcher

    class ChartsWaitedFor(URLFetcher):
        placed: dict[str, str] | None = None

        def fetch(self, url, headers=None):
            if url.startswith(PLACEHOLDER) and charts is not None:
                if self.placed is None:
                    self.placed = charts()
                url = self.placed.get(url, url)
            return super().fetch(url, headers)

    return ChartsWaitedFor
