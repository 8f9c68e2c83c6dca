"""The figures of a report, as reported and as derived from what was reported.

Everything downstream (tables, checks, tags) reads the figures from here, never from the raw
input: each value knows its YAML path and whether the builder derived it. Derived are:
- a total the YAML does not give, from the members of a breakdown that adds up (or from the
  metrics it is the sum of);
- an intensity whose values the YAML does not give, from the metric and its denominator;
- a figure reported in a unit whose XBRL unit is not the canonical one (GJ), converted.

Rounding rules, stated once and applied once, here:
- sums are exact (Decimal addition keeps the most precise decimals of the parts);
- intensities keep 4 significant digits;
- shares of a breakdown and changes on the prior year are percentages with 1 decimal;
- a converted figure keeps the significant digits of the reported one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from .load import Loaded
from .schema import NOT_APPLICABLE, breakdown_members
from .units import canonical, needs_conversion, to_canonical

Value = Decimal | str  # a number or NOT_APPLICABLE


@dataclass
class Figure:
    value: Value
    path: tuple  # where it stands in company.yaml (for a derived figure: what it is derived for)
    derived: bool = False


Series = dict[int, Figure]


@dataclass
class Member:
    axis: str
    member: str
    series: Series
    shares: Series = field(default_factory=dict)  # its share of the total (or of its base) in percent, as published
    within: tuple[str, str] | None = None  # (axis, member) of the sub-population it is a part of
    base_only: bool = False  # not given: derived as the base of a breakdown within it

    @property
    def dimensions(self) -> tuple[tuple[str, str], ...]:
        return ((self.within,) if self.within else ()) + ((self.axis, self.member),)


@dataclass
class IntensityFigures:
    per: str
    per_unit: str
    series: Series
    footnotes: list  # note ids on the whole metric, and FootnoteAt on a year or a member
    members: list[Member] = field(default_factory=list)  # per site, per type of site..., as published
    unit: str | None = None  # the numerator's unit, where not the metric's (kg per employee)


@dataclass
class MetricFigures:
    metric: str
    unit: str  # the unit the figures are shown in (the reported one, or the canonical one)
    reported_unit: str
    total: Series
    members: list[Member]
    intensities: list[IntensityFigures]
    footnotes: list  # note ids on the whole metric, and FootnoteAt on a year or a member
    reported: dict[int, Decimal] = field(default_factory=dict)  # before conversion, for the note
    within: list[Member] = field(default_factory=list)  # breakdowns of one member (a sub-population) by another axis

    @property
    def converted(self) -> bool:
        return self.unit != self.reported_unit

    @property
    def has_shares(self) -> bool:
        """Whether the report publishes shares for this metric (then none is derived)."""
        return any(m.shares for m in self.members + self.within)

    def axes(self) -> list[str]:
        return list(dict.fromkeys(m.axis for m in self.members))

    def summing_axes(self) -> list[str]:
        """The axes whose members are a breakdown of the total: not one that only holds the base
        of a breakdown within it (full-time staff, derived, without the other employment types)."""
        partial = {m.axis for m in self.members if m.base_only}
        return [a for a in self.axes() if a not in partial]

    def members_of(self, axis: str) -> list[Member]:
        return [m for m in self.members if m.axis == axis]

    def member(self, axis: str, member: str) -> Member | None:
        return next((m for m in self.members if (m.axis, m.member) == (axis, member)), None)

    def bases(self) -> list[tuple[str, str]]:
        """The members broken down further, in the order given."""
        return list(dict.fromkeys(m.within for m in self.within))

    def within_axes(self, base: tuple[str, str]) -> list[str]:
        return list(dict.fromkeys(m.axis for m in self.within if m.within == base))

    def within_members(self, base: tuple[str, str], axis: str) -> list[Member]:
        return [m for m in self.within if m.within == base and m.axis == axis]


# A figure has at most 15 digits before its point and 10 after it (schema.py), so a ratio of two
# has at most 40 significant digits before it is rounded: at 60, none is cut short or overflows.
WIDE = Context(prec=60)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext(WIDE):
        return numerator / denominator


def significant(value: Decimal, digits: int = 4) -> Decimal:
    if value == 0:
        return Decimal(0)
    return value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1), rounding=ROUND_HALF_UP)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext(WIDE):
        return (numerator / denominator * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures(loaded: Loaded) -> dict[str, MetricFigures]:
    """Every metric the YAML gives, with the figures derived from it, in catalogue order.
    Derived once per loaded input: the tables, the checks and the quoted figures share them."""
    cached = getattr(loaded, "_figures", None)
    if cached is None:
        cached = loaded._figures = _derive_all(loaded)
    return cached


def _derive_all(loaded: Loaded) -> dict[str, MetricFigures]:
    entries = present_metrics(loaded)
    result: dict[str, MetricFigures] = {}
    for mid, entry in entries.items():
        result[mid] = _reported(loaded, mid, entry)
    for mid, figs in result.items():
        if loaded.catalogue.metrics[mid].sums:
            _derive_bases(figs)
    for mid, figs in result.items():
        _derive_total(loaded, figs, result)
    for mid, figs in result.items():
        _derive_intensities(loaded, figs, result)
    return result


def present_metrics(loaded: Loaded) -> dict[str, Any]:
    """The metrics the YAML gives, as given, in catalogue order."""
    metrics = loaded.data.metrics
    if metrics is None:
        return {}
    return {mid: getattr(metrics, mid) for mid in loaded.catalogue.metrics if getattr(metrics, mid) is not None}


def _series(values: dict, path: tuple, convert: str | None) -> Series:
    out = {}
    for year, value in values.items():
        if convert and isinstance(value, Decimal):
            value = to_canonical(value, convert)
        out[year] = Figure(value, path + (year,))
    return out


def _members(entry, path: tuple, convert: str | None, within: tuple[str, str] | None = None) -> list[Member]:
    """The members under breakdowns of an entry (the metric's, or a member's under within),
    each with its published shares; a member may give its share alone."""
    members = {(axis, member): Member(axis, member, _series(values, path + ("breakdowns", axis, member), convert),
                                      within=within)
               for axis, member, values in breakdown_members(entry)}
    for axis, member, values in breakdown_members(entry, "shares"):
        m = members.setdefault((axis, member), Member(axis, member, {}, within=within))
        m.shares = _series(values, path + ("shares", axis, member), None)
    return list(members.values())


def _reported(loaded: Loaded, mid: str, entry) -> MetricFigures:
    catalogue = loaded.catalogue
    # a figure stays in its unit (GJ is a unit of XBRL's too), unless it takes part in a sum of
    # metrics: a sum's figures must share their unit
    in_sums = catalogue.metrics[mid].sum_of or any(mid in m.sum_of for m in catalogue.metrics.values())
    convert = entry.unit if needs_conversion(entry.unit) and in_sums else None
    unit = canonical(catalogue.units[entry.unit]).code if convert else entry.unit
    base = ("metrics", mid)
    within = [m for axis, member, sub in breakdown_members(entry, "within")
              for m in _members(sub, base + ("within", axis, member), convert, within=(axis, member))]
    intensities = [
        IntensityFigures(i.per, i.per_unit or "",
                         _series(i.values or {}, base + ("intensities", n, "values"), None if i.unit else convert),
                         list(i.footnotes), _members(i, base + ("intensities", n), None if i.unit else convert), i.unit)
        for n, i in enumerate(getattr(entry, "intensities", []))
    ]
    reported = {y: v for y, v in entry.values.items() if isinstance(v, Decimal)} if convert else {}
    return MetricFigures(mid, unit, entry.unit, _series(entry.values, base + ("values",), convert),
                         _members(entry, base, convert), intensities, list(entry.footnotes), reported, within)


def _derive_bases(figs: MetricFigures) -> None:
    """A member broken down further whose own figure is not given (the gender of full-time
    staff, without the number of full-time staff): its figure is the sum of the breakdown."""
    for base in figs.bases():
        member = figs.member(*base)
        if member is None:
            member = Member(base[0], base[1], {}, base_only=True)
            figs.members.append(member)
        for axis in figs.within_axes(base):
            parts = figs.within_members(base, axis)
            for year in sorted({y for m in parts for y in m.series} - set(member.series)):
                values = [m.series[year].value for m in parts if year in m.series]
                if len(values) == len(parts) and all(isinstance(v, Decimal) for v in values):
                    member.series[year] = Figure(sum(values, Decimal(0)),
                                                 ("metrics", figs.metric, "breakdowns", *base, year), derived=True)


def _derive_total(loaded: Loaded, figs: MetricFigures, all_figures: dict[str, MetricFigures]) -> None:
    metric = loaded.catalogue.metrics[figs.metric]
    years = {y for m in figs.members for y in m.series}
    if metric.sum_of and all(p in all_figures for p in metric.sum_of):
        years |= {y for p in metric.sum_of for y in all_figures[p].total}
    for year in sorted(years - set(figs.total)):
        value = None
        if metric.sums:
            for axis in figs.summing_axes():
                members = figs.members_of(axis)
                values = [m.series[year].value for m in members if year in m.series]
                if len(values) == len(members) and all(isinstance(v, Decimal) for v in values):
                    value = sum(values, Decimal(0))
                    break
        if value is None and metric.sum_of and all(p in all_figures for p in metric.sum_of):
            parts = [all_figures[p].total.get(year) for p in metric.sum_of]
            if all(f is not None and isinstance(f.value, Decimal) for f in parts):
                value = sum((in_unit(loaded, all_figures[p].total[year].value, all_figures[p].unit, figs.unit)
                             for p in metric.sum_of), Decimal(0))
        if value is not None:
            figs.total[year] = Figure(value, ("metrics", figs.metric, "values", year), derived=True)


def in_unit(loaded: Loaded, value: Decimal, unit: str, target: str) -> Decimal:
    """A figure in another unit of the same XBRL measure (kgCO2e in tCO2e, litres in m³): the
    parts of a sum are added in the total's unit."""
    units = loaded.catalogue.units
    if unit == target or units[unit].xbrl != units[target].xbrl:
        return value
    return value.scaleb(units[unit].scale - units[target].scale)


def _derive_intensities(loaded: Loaded, figs: MetricFigures, all_figures: dict[str, MetricFigures]) -> None:
    units = loaded.catalogue.units
    for intensity in figs.intensities:
        denominator = all_figures.get(intensity.per)
        if denominator is None:
            continue
        intensity.per_unit = denominator.unit
        unit = intensity.unit or figs.unit  # kg per employee for waste in tonnes: derived in kg
        if units[unit].xbrl != units[figs.unit].xbrl:
            continue  # no power of ten between them: only as published
        for year, numerator in figs.total.items():
            if year in intensity.series:
                continue
            below = denominator.total.get(year)
            if (isinstance(numerator.value, Decimal) and below is not None and isinstance(below.value, Decimal)
                    and below.value != 0):
                value = in_unit(loaded, numerator.value, figs.unit, unit)
                intensity.series[year] = Figure(significant(ratio(value, below.value)),
                                                intensity_path(figs, intensity) + (year,), derived=True)


def intensity_path(figs: MetricFigures, intensity: IntensityFigures) -> tuple:
    return ("metrics", figs.metric, "intensities", figs.intensities.index(intensity), "values")


def shown(figure: Figure | None) -> Value | None:
    return None if figure is None else figure.value


def is_number(value: Any) -> bool:
    return isinstance(value, Decimal) and value != NOT_APPLICABLE
