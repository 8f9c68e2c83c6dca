"""The ids the report's own templates and tagger give elements, which a company's chapter and
section ids may not take. Kept apart from builder.render so that loading and checking a report
do not import the template engine."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"  # the built-in templates

# The ids the built-in templates and the tagger give elements: a chapter or section id may not
# take one (X and X-title are used for each), or a link would lead to the wrong place.
GENERATED_IDS = re.compile(r"^(?:[fcu]\d.*|(?:fn|tb|index|note|data|u|crossref|omission)-.*)$")


@cache  # asked for every chapter and section id: the templates are read once
def built_in_ids() -> frozenset[str]:
    from .compute import BUILT_IN_PARTS, TARGETS_ANCHOR

    ids = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        ids.update(re.findall(r'\bid="([a-z0-9-]+)"', template.read_text(encoding="utf-8")))
    return frozenset(ids | set(BUILT_IN_PARTS) | {TARGETS_ANCHOR})


def reserved_id(ident: str) -> bool:
    """Whether a chapter or section id would clash with an id of the report's own."""
    taken = built_in_ids()
    return any(i in taken or GENERATED_IDS.match(i) for i in (ident, f"{ident}-title"))
