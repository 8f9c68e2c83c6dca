"""Figures quoted in the narrative through the data: {{metric | year | axis: member | per: denominator}}.

A writer quotes a figure by naming it, not by copying it: `{{ghg_scope1_2}}` is the total
for the report's financial year, `{{ghg_scope1_2 | 2024}}` an earlier year,
`{{employees | region: Hong Kong}}` a breakdown member, `{{ghg_scope1_2 | per: revenue}}` an
intensity. The figure is shown as in the data tables, with its unit, and tagged in the inline
XBRL report like the table's own figure, so the narrative can never disagree with the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compute import Cell, FactKey
from .errors import closest
from .i18n import Language, language as language_named
from .schema import NOT_APPLICABLE

PATTERN = re.compile(r"\{\{\s*([a-z0-9_]+)\s*((?:\|[^|{}]*)*)\}\}")
PLAIN_UNITS = {"persons", "number", "cases"}  # counts read best without a unit word


@dataclass(frozen=True)
class Reference:
    metric: str
    year: int | None = None
    axis: str | None = None
    member: str | None = None
    per: str | None = None


def parse(match: re.Match) -> Reference:
    fields: dict = {"metric": match.group(1)}
    for part in filter(None, (p.strip() for p in match.group(2).split("|"))):
        if part.isascii() and part.isdigit():
            fields["year"] = int(part)
        elif ":" in part:
            name, _, value = (s.strip() for s in part.partition(":"))
            if name == "per":
                fields["per"] = value
            else:
                fields["axis"], fields["member"] = name, value
        else:
            fields["axis"] = part  # reported as an error: an axis without a member
    return Reference(**fields)


def resolve(loaded, ref: Reference) -> tuple[Cell | None, str | None]:
    """The cell a reference names, or why it names none (said after the reference as written)."""
    from .derive import figures

    catalogue = loaded.catalogue
    all_figures = figures(loaded)
    if ref.metric not in catalogue.metrics:
        close = closest(ref.metric, catalogue.metrics)
        return None, "no metric of that name" + (f"; did you mean {close[0]!r}?" if close else "")
    if ref.metric not in all_figures:
        return None, f"the YAML gives no figures for {ref.metric}"
    figs = all_figures[ref.metric]
    year = ref.year or loaded.data.report.financial_year
    key = {"metric": ref.metric, "unit": figs.unit}
    if ref.per is not None:
        found = [i for i in figs.intensities if i.per == ref.per and i.per_unit]
        if not found:
            return None, f"no intensity per {ref.per} is given"
        series = found[0].series
        key |= {"per": ref.per, "per_unit": found[0].per_unit}
        if found[0].unit:  # published in a unit of its own (kg per employee): shown and tagged in it
            key["unit"] = found[0].unit
        if ref.axis is not None:  # one member's intensity (a site's)
            members = [m for m in found[0].members if (m.axis, m.member) == (ref.axis, ref.member)]
            if not members:
                return None, "no intensity of that member is given"
            series = members[0].series
            key |= {"axis": ref.axis, "member": ref.member}
    elif ref.axis is not None:
        if ref.member is None or ref.axis not in figs.axes():
            return None, f"no breakdown by {ref.axis} is given"
        members = [m for m in figs.members_of(ref.axis) if m.member == ref.member]
        if not members:
            return None, f"no member {ref.member!r} of {ref.axis} is given"
        series = members[0].series
        key |= {"axis": ref.axis, "member": ref.member}
    else:
        series = figs.total
    if year not in series:
        return None, f"no figure for {year}"
    figure = series[year]
    if figure.value == NOT_APPLICABLE:
        return Cell(figure.value), None
    return Cell(figure.value, FactKey(year=year, path=figure.path, **key), figure.derived), None


CURRENCY_SYMBOLS = ("HK$", "US$", "RMB")


def unit_text(loaded, cell: Cell, lang: Language | None = None) -> tuple[str, str]:
    """What stands before and after a quoted figure: 'HK$' and ' million' for money, '%' joined,
    nothing for counts, the unit after a space for the rest. In Chinese the unit follows the
    figure without a space, money too (1,234百萬港元), as Chinese reports write it."""
    lang = lang or language_named()
    key = cell.key
    if key is None:
        return "", ""
    unit = loaded.catalogue.units[key.unit]
    space = "" if lang.chinese else "\u00a0"
    if key.per is not None:
        denominator = loaded.catalogue.metrics[key.per]
        per_unit = lang.label(loaded.catalogue.units[key.per_unit])
        return "", space + lang.gettext("%(unit)s per %(per)s", unit=lang.label(unit),
                                        per=lang.per(denominator, per_unit))
    if key.unit == "%":
        return "", "%"
    if key.unit in PLAIN_UNITS or unit.kind == "ratio":  # "1.382", not "1.382 ratio"
        return "", ""
    if lang.chinese:
        return "", lang.label(unit)
    for symbol in CURRENCY_SYMBOLS:
        if unit.kind == "money" and unit.label.startswith(symbol):
            rest = unit.label.removeprefix(symbol).strip()
            return symbol, f"\u00a0{rest}" if rest else ""
    return "", f"\u00a0{unit.label}"


def check(loaded_like, text: str) -> list[tuple[int, int, str]]:
    """(line, column, problem) for every reference in a Markdown text that names no figure, the
    reference quoted as written."""
    problems = []
    for match in PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - text.rfind("\n", 0, match.start())
        _, problem = resolve(loaded_like, parse(match))
        if problem:
            problems.append((line, column, f"{' '.join(match.group(0).split())}: {problem}"))
    return problems
