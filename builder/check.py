"""Check stage: the integrity of the figures and the completeness of the report.

Every check has a stable code, a severity and a message naming the provision or metric and
where in the YAML. They run on the loaded input and its derived figures, before anything is
rendered: `build-report check` runs them alone, and a build runs them first (errors stop it;
warnings stop it too with --strict).

Integrity (I): totals against their parts, breakdowns that do not cover the total,
percentages outside 0–100, negative physical quantities, intensities without a denominator
for the year.
Completeness (C): what the Exchange's reviews of issuers' reports keep finding missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .catalogue import OBLIGATION_LABELS
from .derive import MetricFigures, figures, in_unit, is_number, ratio, significant
from .errors import Problem, closest
from .i18n import NAMES, language as language_named
from .languages import words
from .load import Loaded

ERROR, WARNING = "error", "warning"
PHYSICAL_KINDS = {"mass", "energy", "volume", "ghg", "headcount", "count", "days", "hours", "area"}
# KPIs whose data the Exchange expects with an intensity, and those it expects targets for
INTENSITY_KPIS = ("A1.2", "A1.3", "A1.4", "A2.1", "A2.2")
TARGET_KPIS = ("A1.5", "A1.6", "A2.3", "A2.4")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    subject: str  # the provision code or the metric id it is about
    where: Problem | None = None  # the place in the input

    def __str__(self) -> str:
        place = f"{self.where.file}:{self.where.line}:{self.where.column}: " if self.where and self.where.line else ""
        path = f"{self.where.yaml_path}: " if self.where and self.where.yaml_path else ""
        return f"{place}{path}{self.severity} {self.code}: {self.message}"


def run_checks(loaded: Loaded) -> list[Finding]:
    all_figures = figures(loaded)
    findings: list[Finding] = []
    findings.extend(_restatements(loaded, all_figures))
    # a wrong sign or percentage first: a sum that fails because of it is an echo of it
    for check in (_negatives, _percentages, _totals, _coverage, _within, _shares, _intensity_denominators,
                  _intensity_figures):
        for figs in all_figures.values():
            findings.extend(check(loaded, figs, all_figures))
    for check in (_answered, _answered_as_asked, _omission_of_answered, _board_statement, _intensities_given,
                  _targets, _three_years, _breakdowns_named, _climate_scopes, _translated):
        findings.extend(check(loaded, all_figures))
    return findings


def _at(loaded: Loaded, path: tuple, message: str = "") -> Problem:
    return loaded.source.problem(path, message)


def _label(loaded: Loaded, metric_id: str) -> str:
    return loaded.catalogue.metrics[metric_id].label


def _unit(loaded: Loaded, code: str) -> str:
    unit = loaded.catalogue.units.get(code)
    return unit.label if unit is not None else code


def _per(loaded: Loaded, figs: MetricFigures, intensity) -> str:
    """An intensity as the report's English edition names it: 'Hazardous waste produced per
    employee', 'Total energy consumption per m² of floor area'."""
    catalogue = loaded.catalogue
    denominator = catalogue.metrics.get(intensity.per)
    unit = catalogue.units.get(intensity.per_unit) if intensity.per_unit else None
    if denominator is None or unit is None:
        return f"{_label(loaded, figs.metric)} per {intensity.per}"
    return f"{_label(loaded, figs.metric)} per {language_named('en').per(denominator, unit.label)}"


def _tolerance(values: list[Decimal]) -> Decimal:
    """Half a unit of the least precise figure, for each figure added: rounding, not error."""
    places = min(max(0, -v.as_tuple().exponent) for v in values)
    return Decimal(5).scaleb(-places - 1) * len(values)


# --- integrity ------------------------------------------------------------------------------


def _totals(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I01: a reported total that is not the sum of its parts, beyond rounding."""
    metric = loaded.catalogue.metrics[figs.metric]
    found = []
    for year, total in figs.total.items():
        if total.derived or not is_number(total.value):
            continue
        sums: list[tuple[str, list[Decimal]]] = []
        if metric.sums:
            for axis in figs.summing_axes():
                members = figs.members_of(axis)
                values = [m.series[year].value for m in members if year in m.series]
                if values and len(values) == len(members) and all(is_number(v) for v in values):
                    sums.append((f"its breakdown by {loaded.catalogue.axes[axis].label.lower()}", values))
        if metric.sum_of and all(p in all_figures and year in all_figures[p].total for p in metric.sum_of):
            values = [all_figures[p].total[year].value for p in metric.sum_of]
            if all(is_number(v) for v in values):
                parts = [_label(loaded, p) for p in metric.sum_of]
                units = [all_figures[p].unit for p in metric.sum_of]
                if any(unit != figs.unit for unit in units):  # each part in its unit: a wrong unit shows
                    parts = [f"{label} ({v} {_unit(loaded, unit)}" + (f" = {in_unit(loaded, v, unit, figs.unit)} "
                             f"{_unit(loaded, figs.unit)})" if unit != figs.unit else ")")
                             for label, v, unit in zip(parts, values, units)]
                values = [in_unit(loaded, v, all_figures[p].unit, figs.unit) for p, v in zip(metric.sum_of, values)]
                sums.append(("the sum of " + " and ".join(parts), values))
        for what, values in sums:
            computed = sum(values, Decimal(0))
            if abs(computed - total.value) > _tolerance(values + [total.value]):
                found.append(Finding("I01", ERROR, f"{metric.label}, {year}: the total {total.value} differs from "
                                     f"{what}, {computed}", metric.id, _at(loaded, total.path)))
    return found


def _coverage(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I02: a breakdown that does not cover every year of its total."""
    metric = loaded.catalogue.metrics[figs.metric]
    found = []
    if not metric.sums:
        return found
    for axis in figs.summing_axes():
        members = figs.members_of(axis)
        for year, total in figs.total.items():
            if total.derived or not is_number(total.value):
                continue
            given = [m for m in members if year in m.series]
            if given and len(given) < len(members):
                missing = ", ".join(m.member for m in members if year not in m.series)
                found.append(Finding("I02", ERROR, f"{metric.label}, {year}: the breakdown by "
                                     f"{loaded.catalogue.axes[axis].label.lower()} lacks {missing}, so it does not "
                                     "cover the total", metric.id, _at(loaded, given[0].series[year].path[:-1])))
    return found


def _within(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I01 and I02 for a breakdown of a member (a sub-population): it adds up to the member's
    figure, its base, and covers every year of it."""
    if not loaded.catalogue.metrics[figs.metric].sums:
        return []
    found = []
    axes = loaded.catalogue.axes
    for base in figs.bases():
        member = figs.member(*base)
        name = _member_name(loaded, *base)
        for axis in figs.within_axes(base):
            parts = figs.within_members(base, axis)
            by = axes[axis].label.lower()
            for year, figure in member.series.items() if member else ():
                if figure.derived or not is_number(figure.value):
                    continue
                given = [m for m in parts if year in m.series]
                if given and len(given) < len(parts):
                    missing = ", ".join(_member_name(loaded, m.axis, m.member) for m in parts if m not in given)
                    found.append(Finding("I02", ERROR, f"{_label(loaded, figs.metric)}, {name}, {year}: the "
                                         f"breakdown by {by} lacks {missing}, so it does not cover {name}; give "
                                         "each member's figure for the year", figs.metric,
                                         _at(loaded, given[0].series[year].path[:-1])))
                    continue
                values = [m.series[year].value for m in given]
                if values and all(is_number(v) for v in values):
                    computed = sum(values, Decimal(0))
                    if abs(computed - figure.value) > _tolerance(values + [figure.value]):
                        found.append(Finding("I01", ERROR, f"{_label(loaded, figs.metric)}, {name}, {year}: the "
                                             f"breakdown by {by} adds up to {computed}, not to its base {figure.value} "
                                             f"(the {name} figure under breakdowns); a breakdown within a member is "
                                             "of that member only", figs.metric, _at(loaded, figure.path)))
    return found


def _member_name(loaded: Loaded, axis: str, member: str) -> str:
    a = loaded.catalogue.axes[axis]
    return member if a.typed else a.members[member][0].lower()


def _shares(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I03 for a published share outside 0–100; I07 for one that its figures do not give, beyond
    the rounding of the share and of the figures."""
    found = []
    for m in figs.members + figs.within:
        whole = figs.member(*m.within).series if m.within else figs.total
        for year, share in m.shares.items():
            label = f"{_label(loaded, figs.metric)}, {_member_name(loaded, m.axis, m.member)}, {year}"
            if not is_number(share.value):
                continue
            if not Decimal(0) <= share.value <= Decimal(100):
                found.append(Finding("I03", ERROR, f"{label}: the share {share.value}% is outside 0–100",
                                     figs.metric, _at(loaded, share.path)))
                continue
            part, total = m.series.get(year), whole.get(year) if whole else None
            if part is None or total is None or not is_number(part.value) or not is_number(total.value)                     or total.value == 0:
                continue
            computed = ratio(part.value * 100, total.value)
            # the share's own rounding, and what the rounding of the two figures can move it by
            slack = _tolerance([share.value]) + 100 * (_tolerance([part.value]) / total.value
                                                        + part.value * _tolerance([total.value]) / total.value ** 2)
            if abs(computed - share.value) > slack:
                found.append(Finding("I07", WARNING, f"{label}: the published share {share.value}% differs from "
                                     f"{part.value} of {total.value}, {significant(computed, 4)}%; check the share "
                                     "or the figures", figs.metric, _at(loaded, share.path)))
    return found


def _series_of(figs: MetricFigures):
    yield figs.total
    for m in figs.members + figs.within:
        yield m.series


def _percentages(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I03: a percentage outside 0–100 (of the framework's metrics, all parts of a whole; a
    company's own percentage may be a growth: 114% more instructors)."""
    if figs.unit != "%" or loaded.catalogue.metrics[figs.metric].extension:
        return []
    return [Finding("I03", ERROR, f"{_label(loaded, figs.metric)}, {year}: {f.value}% is outside 0–100",
                    figs.metric, _at(loaded, f.path))
            for series in _series_of(figs) for year, f in series.items()
            if is_number(f.value) and not Decimal(0) <= f.value <= Decimal(100)]


def _negatives(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I04: a negative physical quantity."""
    if loaded.catalogue.metrics[figs.metric].unit_kind not in PHYSICAL_KINDS:
        return []
    return [Finding("I04", ERROR, f"{_label(loaded, figs.metric)}, {year}: {f.value} is negative, which a "
                    "physical quantity cannot be; check the sign", figs.metric, _at(loaded, f.path))
            for series in [*_series_of(figs), *(i.series for i in figs.intensities),
                           *(m.series for i in figs.intensities for m in i.members)]
            for year, f in series.items() if is_number(f.value) and f.value < 0]


def _intensity_denominators(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I05: an intensity for a year whose denominator is not given (where the report gives the
    denominator at all: an intensity may be published without it)."""
    found = []
    for intensity in figs.intensities:
        denominator = all_figures.get(intensity.per)
        if denominator is None:
            continue
        for year, f in intensity.series.items():
            if f.derived:
                continue
            if year not in denominator.total:
                found.append(Finding("I05", ERROR, f"{_per(loaded, figs, intensity)}, {year}: "
                                     f"the denominator {intensity.per} has no figure for {year}, so the intensity "
                                     "cannot be read or checked", figs.metric, _at(loaded, f.path)))
        for year, total in figs.total.items():
            if year not in intensity.series and is_number(total.value) and year not in denominator.total:
                found.append(Finding("I05", WARNING, f"{_per(loaded, figs, intensity)}, {year}: "
                                     f"no intensity, because {intensity.per} has no figure for {year}",
                                     figs.metric, _at(loaded, total.path)))
    return found


def _intensity_figures(loaded: Loaded, figs: MetricFigures, all_figures) -> list[Finding]:
    """I08: a published intensity that the metric's figure and its denominator do not give,
    beyond the rounding of the three: a total changed (imported from the sites' workbooks, say)
    and its intensity left as it was. The group's, and a member's (a site's) where the metric and
    the denominator both give that member."""
    units = loaded.catalogue.units
    found = []
    for intensity in figs.intensities:
        denominator = all_figures.get(intensity.per)
        unit = intensity.unit or figs.unit
        if denominator is None or units[unit].xbrl != units[figs.unit].xbrl:
            continue  # published without its denominator, or in a unit no power of ten reaches
        pairs = [(None, intensity.series, figs.total, denominator.total)]
        for m in intensity.members:
            numerator, below = figs.member(m.axis, m.member), denominator.member(m.axis, m.member)
            if numerator is not None and below is not None:
                pairs.append((m, m.series, numerator.series, below.series))
        for member, series, numerators, denominators in pairs:
            for year, published in series.items():
                top, below = numerators.get(year), denominators.get(year)
                if (published.derived or top is None or below is None
                        or not all(is_number(f.value) for f in (published, top, below)) or below.value == 0):
                    continue
                value = in_unit(loaded, top.value, figs.unit, unit)
                computed = ratio(value, below.value)
                # the rounding of each figure as published (1.33 ten thousand tonnes: to 50 t)
                rounding = in_unit(loaded, _tolerance([top.value]), figs.unit, unit)
                slack = _tolerance([published.value]) + (rounding + computed * _tolerance([below.value])) / below.value
                if abs(computed - published.value) > slack:
                    what = _per(loaded, figs, intensity)
                    if member is not None:
                        what += f", {_member_name(loaded, member.axis, member.member)}"
                    found.append(Finding("I08", WARNING, f"{what}, {year}: the published intensity {published.value} "
                                         f"differs from {top.value} / {below.value} = {significant(computed, 4)}; "
                                         "check the intensity or the figures", figs.metric, _at(loaded, published.path)))
    return found


def previous_figures(loaded: Loaded):
    """(metric, axis, member, year, value as published last year) for every figure of report.previous."""
    for mid, entry in (loaded.previous or {}).items():
        if mid not in loaded.catalogue.metrics or not isinstance(entry, dict):
            continue
        for year, value in (entry.get("values") or {}).items():
            yield mid, None, None, year, value
        for axis, members in (entry.get("breakdowns") or {}).items():
            for member, series in (members or {}).items():
                for year, value in (series or {}).items():
                    yield mid, axis, member, year, value


def _restatements(loaded: Loaded, all_figures) -> list[Finding]:
    """I06: a prior-year figure that differs from the one published last year, unless restated."""
    restated = {(r.metric, r.axis, r.member, r.year): r for r in loaded.data.restatements}
    found = []
    for mid, axis, member, year, old in previous_figures(loaded):
        figs = all_figures.get(mid)
        if figs is None or not is_number(old if isinstance(old, Decimal) else None) and not isinstance(old, int):
            continue
        if axis is None:
            figure = figs.total.get(year)
        else:
            figure = next((m.series.get(year) for m in figs.members if m.axis == axis and m.member == member), None)
        if figure is None or figure.derived or not is_number(figure.value) or Decimal(old) == figure.value:
            continue
        what = _label(loaded, mid) + (f", {axis} {member}" if axis else "")
        restatement = restated.get((mid, axis, member, year))
        if restatement is None:
            found.append(Finding("I06", WARNING, f"{what}, {year}: {figure.value} differs from the {old} published "
                                 "last year; give it under restatements with its reason", mid,
                                 _at(loaded, figure.path)))
        elif restatement.previous is not None and restatement.previous != Decimal(old):
            found.append(Finding("I06", WARNING, f"{what}, {year}: the restatement says {restatement.previous} was "
                                 f"published, but last year's report has {old}", mid,
                                 _at(loaded, ("restatements", loaded.data.restatements.index(restatement)))))
    return found


# --- completeness ---------------------------------------------------------------------------


def _where_answered(loaded: Loaded, all_figures) -> dict[str, set[str]]:
    """For each provision code, how it is answered: 'narrative' and/or 'data'."""
    answered: dict[str, set[str]] = {}
    for p in loaded.edition.provisions:
        if p.answered_in:
            answered.setdefault(p.code, set()).add("narrative")
    for chapter in loaded.data.chapters:
        for section in chapter.sections:
            for code in section.answers:
                answered.setdefault(code, set()).add("narrative")
    for target in loaded.data.targets:
        for code in target.provisions:
            answered.setdefault(code, set()).add("narrative")
    for mid, figs in all_figures.items():
        has_figure = any(f.value is not None for series in _series_of(figs) for f in series.values())
        if has_figure:
            for code in loaded.catalogue.metrics[mid].provisions:
                answered.setdefault(code, set()).add("data")
    return answered


def _provision_place(loaded: Loaded) -> Problem:
    return _at(loaded, ("chapters",))


def _answered(loaded: Loaded, all_figures) -> list[Finding]:
    """C01: a provision neither answered nor explained, or a mandatory one only explained."""
    answered = _where_answered(loaded, all_figures)
    found = []
    for p in loaded.edition.provisions:
        omission = loaded.data.omissions.get(p.code)
        obligation = loaded.obligation(p)
        if p.code in answered:
            continue
        if omission is not None and omission.part is None:  # an omission of a part explains that part only
            if obligation == "mandatory":
                found.append(Finding("C01", ERROR, f"{p.code} {p.title} is mandatory for this issuer in "
                                     f"{loaded.data.report.financial_year}: explaining its omission does not meet it",
                                     p.code, _at(loaded, ("omissions", p.code))))
            continue
        if obligation == "voluntary":
            continue  # asked of no one (Part D for a GEM issuer): nothing to answer or explain
        severity = WARNING if obligation == "recommended" else ERROR
        label = OBLIGATION_LABELS[obligation].lower()
        found.append(Finding("C01", severity, f"{p.code} {p.title} ({label}) is neither "
                             "answered by a section or the data nor explained under omissions", p.code,
                             _provision_place(loaded)))
    return found


def _answered_as_asked(loaded: Loaded, all_figures) -> list[Finding]:
    """C02: a provision that asks for data answered by narrative only, or the reverse."""
    answered = _where_answered(loaded, all_figures)
    found = []
    for p in loaded.edition.provisions:
        how = answered.get(p.code, set())
        if not how or p.code in loaded.data.omissions:
            continue
        if p.answer_by == "data" and "data" not in how:
            found.append(Finding("C02", WARNING, f"{p.code} {p.title} asks for figures, but only narrative "
                                 "answers it", p.code, _provision_place(loaded)))
        if p.answer_by == "both" and how != {"data", "narrative"}:
            lacking = "the figures are" if "data" not in how else "the description is"
            found.append(Finding("C02", WARNING, f"{p.code} {p.title} asks for figures and a description; "
                                 f"{lacking} missing", p.code, _provision_place(loaded)))
    return found


def _omission_of_answered(loaded: Loaded, all_figures) -> list[Finding]:
    """C03: an explanation of omission for a provision that is answered."""
    answered = _where_answered(loaded, all_figures)
    return [Finding("C03", WARNING, f"{code} is explained as omitted ({omission.reason}) but is also answered; "
                    "remove one of the two, or say which part is omitted with part:", code,
                    _at(loaded, ("omissions", code)))
            for code, omission in loaded.data.omissions.items() if code in answered and omission.part is None]


def _board_statement(loaded: Loaded, all_figures) -> list[Finding]:
    """C04: a part of the board statement too short to say what Part B asks."""
    found = []
    for p in loaded.edition.provisions:
        if p.answered_in != "board-statement":
            continue
        for item in p.items:
            for code in loaded.languages:  # each edition's statement: a translation may be a stub
                edition = loaded.in_language(code)
                if any(path == ("board_statement", item.id) for path, _ in loaded.editions[code].missing):
                    continue  # the first language's text stands in: C10 says so
                text = edition.text(getattr(edition.data.board_statement, item.id))
                if words(text) < 30:
                    in_language = f" in {NAMES[code]}" if len(loaded.languages) > 1 else ""
                    found.append(Finding("C04", WARNING, f"{p.code}: the board statement's part '{item.title}' has "
                                         f"{words(text)} words{in_language}; the Exchange expects a substantive "
                                         "statement", p.code, _at(loaded, ("board_statement", item.id))))
    return list(dict.fromkeys(found))  # a text shown in two editions is one finding


def _intensities_given(loaded: Loaded, all_figures) -> list[Finding]:
    """C05: A1.2–A1.4 and A2.1–A2.2 figures without an intensity."""
    found = []
    for code in INTENSITY_KPIS:
        if loaded.edition.provision(code) is None or code in loaded.data.omissions:
            continue
        metrics = [m for m, f in all_figures.items() if code in loaded.catalogue.metrics[m].provisions
                   and loaded.catalogue.metrics[m].intensity]
        if metrics and not any(i.series for m in metrics for i in all_figures[m].intensities):
            found.append(Finding("C05", WARNING, f"{code}: {_label(loaded, metrics[0])} is given without an "
                                 "intensity; add intensities: [{per: ...}] with a denominator",
                                 code, _at(loaded, ("metrics", metrics[0]))))
    return found


def _targets(loaded: Loaded, all_figures) -> list[Finding]:
    """C06: A1.5, A1.6, A2.3, A2.4 without a target, or without its progress (2020 Guide onwards)."""
    if loaded.edition.id == "guide-2016":
        return []
    found = []
    for code in TARGET_KPIS:
        p = loaded.edition.provision(code)
        if p is None or code in loaded.data.omissions:
            continue
        targets = [(i, t) for i, t in enumerate(loaded.data.targets) if code in t.provisions]
        if not targets:
            found.append(Finding("C06", WARNING, f"{code} {p.title}: no target is given; add one under targets "
                                 "(description, provisions, target), or explain under omissions why there is none",
                                 code, _at(loaded, ("targets",))))
        elif not any(t.progress for _, t in targets):
            i, _ = targets[0]
            found.append(Finding("C06", WARNING, f"{code} {p.title}: the targets give no progress; if the company "
                                 "published its progress, add it as progress:", code, _at(loaded, ("targets", i))))
    return found


def _three_years(loaded: Loaded, all_figures) -> list[Finding]:
    """C07: B2.1 without each of the past three years (2020 Guide onwards). A warning: a report
    that answers B2.1 otherwise goes in as published, and the check says what the Guide asks."""
    p = loaded.edition.provision("B2.1")
    if p is None or p.years < 3 or "B2.1" in loaded.data.omissions:
        return []
    year = loaded.data.report.financial_year
    wanted = {year, year - 1, year - 2}
    found = []
    for mid in ("work_fatalities", "work_fatality_rate"):
        figs = all_figures.get(mid)
        given = set(figs.total) if figs else set()
        if wanted - given:
            missing = ", ".join(str(y) for y in sorted(wanted - given))
            found.append(Finding("C07", WARNING, f"B2.1: {_label(loaded, mid)} is needed for each of the past three "
                                 f"years; missing {missing}", "B2.1", _at(loaded, ("metrics", mid) if figs else ("metrics",))))
    return found


def _breakdowns_named(loaded: Loaded, all_figures) -> list[Finding]:
    """C08: the breakdowns B1.1, B1.2, B3.1 and B3.2 name."""
    found = []
    for p in loaded.edition.provisions:
        if not p.breakdowns or p.code in loaded.data.omissions:
            continue
        metrics = [m for m in all_figures if p.code in loaded.catalogue.metrics[m].provisions]
        for mid in metrics:
            # a breakdown of a sub-population (of full-time staff) answers as published
            given = set(all_figures[mid].axes()) | {m.axis for m in all_figures[mid].within}
            for axis in p.breakdowns:
                if axis in loaded.catalogue.metrics[mid].breakdowns and axis not in given:
                    found.append(Finding("C08", WARNING, f"{p.code}: {_label(loaded, mid)} is not broken down by "
                                         f"{loaded.catalogue.axes[axis].label.lower()}, which {p.code} asks for",
                                         p.code, _at(loaded, ("metrics", mid))))
    return found


def _climate_scopes(loaded: Loaded, all_figures) -> list[Finding]:
    """C09: under the 2025 Code, the emissions Part D makes mandatory for this issuer reported;
    Scope 3 reported, or explained where it may be."""
    if loaded.edition.provision("D-MT-1") is None:
        return []
    found = []
    year = loaded.data.report.financial_year
    for mid, code in (("ghg_scope1", "D-MT-1"), ("ghg_scope2", "D-MT-2")):
        if loaded.obligation(loaded.edition.provision(code)) != "mandatory":
            continue
        figs = all_figures.get(mid)
        if figs is None or not is_number(figs.total.get(year).value if figs.total.get(year) else None):
            found.append(Finding("C09", ERROR, f"{code}: {_label(loaded, mid)} for {year} is mandatory under the "
                                 "2025 Code", code, _at(loaded, ("metrics",))))
    scope3 = loaded.obligation(loaded.edition.provision("D-MT-3"))
    reported = "data" in _where_answered(loaded, all_figures).get("D-MT-3", set())
    if scope3 == "mandatory" and not reported:
        found.append(Finding("C09", ERROR, f"D-MT-3: Scope 3 emissions (ghg_scope3) are mandatory for this issuer in "
                             f"{year} under the 2025 Code: an explanation does not replace them", "D-MT-3",
                             _at(loaded, ("metrics",))))
    elif scope3 == "comply_or_explain" and not reported and "D-MT-3" not in loaded.data.omissions:
        found.append(Finding("C09", ERROR, "D-MT-3: Scope 3 emissions are neither reported (ghg_scope3) nor "
                             "explained under omissions", "D-MT-3", _at(loaded, ("metrics",))))
    return found


def _translated(loaded: Loaded, all_figures) -> list[Finding]:
    """C10: a text of the report not given in one of its languages, which that edition would
    print in the first language instead."""

    from .languages import sibling, typed_names
    from .schema import EXAMPLE, MarkdownFile

    found = []
    first = loaded.languages[0]
    used = typed_names(loaded.data, loaded.catalogue)
    for code in loaded.languages:
        edition = loaded.editions[code]
        for path, shown in edition.missing:
            if isinstance(shown, MarkdownFile):
                message = f"no {NAMES[code]} form of {shown.file}: write it in {sibling(shown.file, code)}"
            else:
                message = f"no {NAMES[code]} form of this text: write it as {EXAMPLE}"
            found.append(Finding("C10", WARNING, message, code, _at(loaded, path)))
        for path, file in edition.misnamed:
            found.append(Finding("C10", WARNING, f"{file} is named as another language's text, but the "
                                 f"{NAMES[code]} edition shows it here", code, _at(loaded, path)))
        if code == first:
            continue
        for name, path in used.items():
            if name not in edition.names:
                found.append(Finding("C10", WARNING, f"no {NAMES[code]} form of the name {name!r}: give it under "
                                     f"names: {{{name!r}: {{{code}: ...}}}}", code, _at(loaded, path)))
        if code.startswith("zh") and not loaded.data.company.name_zh:
            found.append(Finding("C10", WARNING, "no Chinese name of the company: give it as company.name_zh",
                                 code, _at(loaded, ("company", "name"))))
    for name in loaded.data.names:
        if name not in used:
            close = closest(name, list(used))
            hint = f"; did you mean {close[0]!r}?" if close else ""
            found.append(Finding("C10", WARNING, f"names: no figure names a member {name!r}{hint}", "names",
                                 loaded.source.problem(("names", name), "", key=True)))
    unused = sorted(loaded.editions[first].unused)
    if unused:
        found.append(Finding("C10", WARNING, f"texts are given in {', '.join(NAMES[c] for c in unused)}, which "
                             "report.languages does not name: add it there to build that edition", "report",
                             _at(loaded, ("report", "languages"))))
    return found


def problems_by_provision(findings: list[Finding]) -> dict[str, list[Finding]]:
    by: dict[str, list[Finding]] = {}
    for f in findings:
        by.setdefault(f.subject, []).append(f)
    return by
