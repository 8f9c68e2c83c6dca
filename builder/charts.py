"""Charts of the report's figures, drawn as SVG by matplotlib.

A section's `charts:` names a metric, a kind and a breakdown; the chart shows the figures the
data statistics tables show (derived totals included), with labels from the catalogue in the
edition's language and numbers as the tables write them. It reaches every document as an
<img> with an SVG data: URI (inline <svg> is not XHTML 1.1, which the inline XBRL report must
be), with a text alternative that gives every figure it shows, and a caption that links to
the table holding them.

A chart is drawn (builder.drawing) in memory, on first use, in a bounded child process of its
own that runs beside the templates' (DrawnBeside): a build's chart worker, which imported
matplotlib while the build loaded the report (builder.workers), or a new child (the preview).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from .derive import Figure, Member, MetricFigures, figures, in_unit, is_number, percent
from .drawing import PLACEHOLDER, ChartView, uris_of
from .i18n import Language
from .load import Loaded
from .numbers import format_number
from .schema import MAX_CHART_YEARS, SUM_OF

# The charts the preview drew, by what they show: a save that changes one figure redraws only the
# charts of that figure. Bounded: a preview running all day does not grow without end.
_DRAWN: dict[str, str] = {}
_DRAWN_MOST = 200


def draw_unchanged_from_cache(views: dict[str, list[ChartView]]) -> None:
    """Gives every chart its drawing here, reusing those drawn before for the same content (the
    live preview, which rebuilds on every save; a build draws each chart once anyway)."""
    for chart in (chart for charts in views.values() for chart in charts):
        key = repr((chart.kind, chart.title, chart.unit, chart.categories, chart.series, chart.alt,
                    chart.table_anchor, chart.table_title, chart.brand, chart.language, chart.shares))
        if key not in _DRAWN:
            if len(_DRAWN) >= _DRAWN_MOST:
                _DRAWN.clear()
            _DRAWN[key] = chart.uri
        chart._uri = _DRAWN[key]


class DrawnBeside:
    """A report's charts drawn in a child process of their own while its templates render in
    another: matplotlib's import and the drawing were two thirds of the render, one after the
    other. Started before the templates' process, which gets each chart's URI as a placeholder;
    drawn() puts the charts in place of the placeholders in each document it renders. A build
    gives it a worker that imported matplotlib while the build loaded (drawing.CHART_MODULES);
    the preview a new child."""

    def __init__(self, views: dict[str, list[ChartView]], seconds: float, memory: int, worker=None):
        from .bounded import start_bounded

        self.charts = [chart for charts in views.values() for chart in charts if chart._uri is None]
        self.uris: dict[str, str] = {}  # placeholder: the chart's data: URI, once they are drawn
        self.running = None  # the drawing, until its charts are received
        if self.charts:
            start = worker.start if worker is not None else start_bounded
            self.running = start(uris_of, self.charts, seconds=seconds, memory=memory)
            unique = secrets.token_hex(8)  # no text of the report can hold it
            for number, chart in enumerate(self.charts):
                chart._uri = f"{PLACEHOLDER}{unique}{number:04d}"

    def placed(self) -> dict[str, str]:
        """Each chart's data: URI by its placeholder (waiting for them to be drawn)."""
        if self.running is not None:
            drawn = self.running.result()  # its process ends with it
            self.running = None
            for chart, uri in zip(self.charts, drawn):
                self.uris[chart._uri] = uri
                chart._uri = uri
        return self.uris

    def drawn(self, document: str | bytes) -> str | bytes:
        """The document with the charts in place of their placeholders (waiting for them)."""
        for placeholder, uri in self.placed().items():
            if isinstance(document, bytes):
                document = document.replace(placeholder.encode("ascii"), uri.encode("ascii"))
            else:
                document = document.replace(placeholder, uri)
        return document

    def stop(self) -> None:
        if self.running is not None:
            self.running.stop()


# --- what a chart shows ----------------------------------------------------------------------


def has_charts(loaded: Loaded) -> bool:
    """Whether any section shows a chart (a build then draws them in a worker it starts ahead)."""
    return any(section.charts for chapter in loaded.data.chapters for section in chapter.sections)


def chart_views(loaded: Loaded, lang: Language, tables: dict) -> dict[str, list[ChartView]]:
    """The charts of each section, by section id. tables: the view's data tables by id."""
    all_figures = figures(loaded)
    charts: dict[str, list[ChartView]] = {}
    for chapter in loaded.data.chapters:
        for section in chapter.sections:
            for chart in section.charts:
                figs = all_figures[chart.metric]
                table = tables[loaded.catalogue.metrics[chart.metric].table]
                charts.setdefault(section.id, []).append(_view(loaded, lang, chart, figs, table))
    return charts


def _view(loaded: Loaded, lang: Language, chart, figs: MetricFigures, table) -> ChartView:
    catalogue = loaded.catalogue
    metric = catalogue.metrics[chart.metric]
    unit = lang.label(catalogue.units[figs.unit])
    common = {"unit": unit, "table_anchor": table.anchor, "table_title": table.title,
              "brand": loaded.data.report.brand_colour, "language": lang.code}
    name = lang.label(metric)
    if chart.breakdown is None:
        years = _years([figs.total], chart.years)
        values = [_number(figs.total.get(y)) for y in years]
        title = str(chart.title) if chart.title else name
        # Translators: one year's figure in a chart's text alternative: "2025: 24,057.9"
        figures_text = _joined(lang, [lang.gettext("%(year)s: %(figure)s", year=y, figure=format_number(v))
                                      for y, v in zip(years, values) if v is not None])
        # Translators: a chart's text alternative: its title, the unit, then every figure it shows
        alt = lang.gettext("%(chart)s, in %(unit)s: %(figures)s", chart=title, unit=unit, figures=figures_text)
        return ChartView("trend", title, categories=[str(y) for y in years], series=[(name, values)], alt=alt,
                         **common)
    if chart.breakdown == SUM_OF:
        members, labels, by = _parts(loaded, lang, metric, figs)
    else:
        axis = catalogue.axes[chart.breakdown]
        members = figs.members_of(chart.breakdown)
        labels = [_member_label(loaded, lang, axis, m.member) for m in members]
        by = lang.in_text(lang.label(axis))
    if chart.kind == "composition":
        return _composition(lang, chart, figs, members, labels, name, by, common)
    years = _years([m.series for m in members], chart.years)
    series = [(label, [_number(m.series.get(y)) for y in years]) for label, m in zip(labels, members)]
    # Translators: a chart's default title: "Energy consumption by energy type" (axis in lower case)
    title = str(chart.title) if chart.title else lang.gettext("%(metric)s by %(axis)s", metric=name, axis=by)
    per_year = []
    for i, y in enumerate(years):
        # Translators: a breakdown member's figure in a chart's text alternative: "Diesel 12,000"
        shown = [lang.gettext("%(member)s %(figure)s", member=label, figure=format_number(values[i]))
                 for label, values in series if values[i] is not None]
        if shown:
            per_year.append(lang.gettext("%(year)s: %(figure)s", year=y, figure=lang.join(shown)))
    alt = lang.gettext("%(chart)s, in %(unit)s: %(figures)s", chart=title, unit=unit, figures=_joined(lang, per_year))
    # members that add up are parts of each year's bar; rates and averages stand side by side
    kind = "stacked" if metric.sums or chart.breakdown == SUM_OF else "grouped"
    return ChartView(kind, title, categories=[str(y) for y in years], series=series, alt=alt, **common)


def _composition(lang: Language, chart, figs: MetricFigures, members, labels, name: str, by: str,
                 common: dict) -> ChartView:
    """A breakdown's members in the latest year they have figures for, with their shares."""
    year = _years([m.series for m in members], 1)[0]  # load made sure there is one
    values = [_number(m.series.get(year)) for m in members]
    total = _number(figs.total.get(year))
    if not total:
        total = sum((v for v in values if v is not None), Decimal(0))
    shares = []
    for m, value in zip(members, values):
        published = _number(m.shares.get(year)) if m.shares else None
        shares.append(published if published is not None else
                      percent(value, total) if value is not None and total else None)
    # Translators: the default title of a chart of a breakdown's shares in a year: "Employees by gender, 2025"
    title = str(chart.title) if chart.title else lang.gettext("%(metric)s by %(axis)s, %(year)s", metric=name,
                                                             axis=by, year=year)
    # Translators: a member's figure and its share of the total in a chart's text alternative: "Female 774 (31.1%)"
    shown = [lang.gettext("%(member)s %(figure)s (%(share)s%%)", member=label, figure=format_number(value),
                          share=format_number(share)) if share is not None else
             lang.gettext("%(member)s %(figure)s", member=label, figure=format_number(value))
             for label, value, share in zip(labels, values, shares) if value is not None]
    alt = lang.gettext("%(chart)s, in %(unit)s: %(figures)s", chart=title, unit=common["unit"],
                       figures=_joined(lang, shown))
    return ChartView("composition", title, categories=labels, series=[(name, values)], alt=alt, shares=shares,
                     **common)


def _parts(loaded: Loaded, lang: Language, metric, figs: MetricFigures) -> tuple[list[Member], list[str], str]:
    """The metrics a metric is the sum of, as the members of a breakdown: each one's figures in
    the sum's unit (kgCO2e in tCO2e), as the sum adds them; their names; what they are."""
    all_figures = figures(loaded)
    members = []
    for part in metric.sum_of:
        given = all_figures[part]
        series = {y: Figure(in_unit(loaded, f.value, given.unit, figs.unit), f.path, f.derived)
                  for y, f in given.total.items() if is_number(f.value)}
        members.append(Member(SUM_OF, part, series))
    labels = [lang.label(loaded.catalogue.metrics[part]) for part in metric.sum_of]
    # Translators: what a chart of a sum of metrics (Scope 1 and Scope 2) breaks it down by:
    # "Total greenhouse gas emissions by part"
    return members, labels, lang.gettext("part")


def _years(series_list: list, wanted: int | None) -> list[int]:
    """The years any of the series has a number for, oldest first: the latest `wanted` of them."""
    years = sorted({y for series in series_list for y, figure in series.items() if is_number(figure.value)})
    return years[-(wanted or MAX_CHART_YEARS):]


def _number(figure) -> Decimal | None:
    return figure.value if figure is not None and is_number(figure.value) else None


def _joined(lang: Language, parts: list[str]) -> str:
    return lang.separator("; ").join(parts)


def _member_label(loaded: Loaded, lang: Language, axis, member: str) -> str:
    """As the data tables name a member: a typed one (a site) by its name in the language."""
    return loaded.member_name(member) if axis.typed else lang.member(axis, member)
