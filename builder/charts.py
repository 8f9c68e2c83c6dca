"""Charts of the report's figures, drawn as SVG by matplotlib.

A section's `charts:` names a metric, a kind and a breakdown; the chart shows the figures the
data statistics tables show (derived totals included), with labels from the catalogue in the
edition's language and numbers as the tables write them. It reaches every document as an
<img> with an SVG data: URI (inline <svg> is not XHTML 1.1, which the inline XBRL report must
be), with a text alternative that gives every figure it shows, and a caption that links to
the table holding them.

Drawing is deterministic (a fixed hash salt for the SVG's ids, no date or software in its
metadata, text kept as text so that the PDF sets it in the report's fonts) and happens in
memory, on first use: matplotlib is imported only when a report has charts, in a bounded child
process of its own that a build runs beside the templates' (DrawnBeside).
"""

from __future__ import annotations

import base64
import io
import secrets
import warnings
from dataclasses import dataclass, field
from decimal import Decimal

from .derive import Figure, Member, MetricFigures, figures, in_unit, is_number, percent
from .i18n import Language
from .languages import display_width
from .load import Loaded
from .numbers import format_number
from .schema import MAX_CHART_YEARS, SUM_OF

INK = "#1d2428"  # the report's text colour (report.css --ink)
RULE = "#c9d1d5"  # its rules (--rule)
# The fonts report.css sets the edition's text in; matplotlib measures the labels with them and
# the SVG names them, so WeasyPrint sets the chart's text as it sets the page's.
FONTS = {"en": ["DejaVu Sans", "Noto Sans CJK HK"], "zh-Hant": ["Noto Sans CJK HK", "DejaVu Sans"]}
WIDTH = 6.3  # inches: the text width of an A4 page with the print margins
HEIGHT = 2.6
# No date, no software version: the same figures give the same bytes (byte-identical builds).
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
STYLE = {
    "svg.hashsalt": "hkex-esg-report-builder",  # the ids of clip paths, otherwise random
    "svg.fonttype": "none",  # labels stay text: selectable, searchable, set in the page's fonts
    "svg.id": None,
    "font.size": 8,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": RULE,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.unicode_minus": False,  # a hyphen-minus, which every font has
}


@dataclass
class ChartView:
    """One chart as the report shows it, in one language: what it draws and says."""

    kind: str  # trend (one series), stacked (members that add up), grouped (rates by member), composition
    title: str
    unit: str  # the unit's label in the language
    categories: list[str]  # the years of a trend, the members of a composition
    series: list[tuple[str, list[Decimal | None]]]  # (label, a figure per category)
    alt: str  # the chart in words, with every figure it shows
    table_anchor: str  # the data statistics table holding the same figures
    table_title: str
    brand: str
    language: str
    shares: list[Decimal | None] = field(default_factory=list)  # of a composition, per member
    _uri: str | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        """The chart as an SVG data: URI, drawn on first use (in the render's child process)."""
        if self._uri is None:
            self._uri = "data:image/svg+xml;base64," + base64.b64encode(draw(self)).decode("ascii")
        return self._uri


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


# what a chart worker (bounded.Worker, from a Preloader) imports ahead
CHART_MODULES = ("matplotlib", "matplotlib.backends.backend_svg", "matplotlib.figure")


def uris_of(charts: list[ChartView]) -> list[str]:
    """Each chart's data: URI, drawn here (in the child process of DrawnBeside)."""
    return [chart.uri for chart in charts]


class DrawnBeside:
    """A report's charts drawn in a child process of their own while its templates render in
    another: matplotlib's import and the drawing were two thirds of the render, one after the
    other. Started before the templates' process, which gets each chart's URI as a placeholder;
    drawn() puts the charts in place of the placeholders in each document it renders. A build
    gives it a worker that imported matplotlib while the build loaded (CHART_MODULES); the
    preview a new child."""

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
                chart._uri = f"data:image/svg+xml;base64,CHART{unique}{number:04d}"

    def drawn(self, document: str | bytes) -> str | bytes:
        """The document with the charts in place of their placeholders (waiting for them)."""
        if self.running is not None:
            drawn = self.running.result()  # its process ends with it
            self.running = None
            for chart, uri in zip(self.charts, drawn):
                self.uris[chart._uri] = uri
                chart._uri = uri
        for placeholder, uri in self.uris.items():
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


# --- drawing ---------------------------------------------------------------------------------


def palette(brand: str, count: int) -> list[str]:
    """count colours of the brand: from a shade darker than it to a light tint, evenly, so that
    neighbours in a stack stay apart in print; one series is the brand colour itself."""
    if count == 1:
        return [brand]
    rgb = [int(brand[i:i + 2], 16) for i in (1, 3, 5)]
    colours = []
    for i in range(count):
        t = -0.35 + 1.1 * i / (count - 1)  # -0.35: 35% towards black; 0.75: 75% towards white
        mixed = [round(c * (1 + t)) if t < 0 else round(c + (255 - c) * t) for c in rgb]
        colours.append("#" + "".join(f"{c:02x}" for c in mixed))
    return colours


def draw(chart: ChartView) -> bytes:
    """The chart as SVG bytes; the same chart gives the same bytes."""
    import matplotlib  # imported here: half a second, paid only by a report with charts
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    height = HEIGHT if chart.kind != "composition" else max(1.2, 0.32 * len(chart.categories) + 0.6)
    style = STYLE | {"font.family": FONTS.get(chart.language, FONTS["en"])}
    with matplotlib.rc_context(style), warnings.catch_warnings():
        # a glyph the measuring font lacks is one WeasyPrint finds in another; the glyph check
        # stops a build whose text no font can show
        warnings.simplefilter("ignore")
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        DRAWERS[chart.kind](axes, chart)
        _frame(axes, chart)
        for n, bar in enumerate((bar for bars in axes.containers for bar in bars), 1):
            bar.set_gid(f"bar-{n}")  # one per figure drawn: what a reader of the SVG can count
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    return buffer.getvalue()


def _number_formatter():
    from matplotlib.ticker import FuncFormatter

    # ticks as the tables write numbers: 12,000, not 12000 or 1.2e4
    return FuncFormatter(lambda x, _pos: format_number(Decimal(repr(round(float(x), 6))).normalize()))


def _frame(axes, chart: ChartView) -> None:
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.set_axisbelow(True)
    horizontal = chart.kind == "composition"
    axes.grid(True, axis="x" if horizontal else "y", color=RULE, linewidth=0.5)
    (axes.xaxis if horizontal else axes.yaxis).set_major_formatter(_number_formatter())
    axes.tick_params(length=0)
    if horizontal:
        axes.set_xlabel(chart.unit)
    else:  # level above the axis: turned on its side, a Chinese unit (噸二氧化碳當量) lies on its back
        axes.set_title(chart.unit, loc="left", fontsize=STYLE["font.size"], color=INK, pad=6)


def _bars(axes, x, heights, **style):
    """Bars for the figures there are (a year without a figure has no bar), or None."""
    shown = [(xi, h, b) for xi, h, b in zip(x, heights, style.pop("bottom", [0] * len(x))) if h is not None]
    if not shown:
        return None
    xs, hs, bs = zip(*shown)
    return axes.bar(xs, [float(h) for h in hs], bottom=[float(b) for b in bs], **style)


def _trend(axes, chart: ChartView) -> None:
    label, values = chart.series[0]
    x = list(range(len(chart.categories)))
    bars = _bars(axes, x, values, color=chart.brand, width=0.6)
    if bars:
        axes.bar_label(bars, labels=[format_number(v) for v in values if v is not None], padding=2, fontsize=7)
    axes.set_xticks(x, chart.categories)


def _stacked(axes, chart: ChartView) -> None:
    x = list(range(len(chart.categories)))
    bottom = [Decimal(0)] * len(x)
    for (label, values), colour in zip(chart.series, palette(chart.brand, len(chart.series))):
        _bars(axes, x, values, bottom=list(bottom), color=colour, width=0.6, label=label, edgecolor="white",
              linewidth=0.5)
        bottom = [b + v if v is not None and v > 0 else b for b, v in zip(bottom, values)]
    axes.set_xticks(x, chart.categories)
    _legend(axes, chart)


def _grouped(axes, chart: ChartView) -> None:
    x = list(range(len(chart.categories)))
    width = 0.8 / len(chart.series)
    for i, ((label, values), colour) in enumerate(zip(chart.series, palette(chart.brand, len(chart.series)))):
        offset = (i - (len(chart.series) - 1) / 2) * width
        _bars(axes, [xi + offset for xi in x], values, color=colour, width=width * 0.9, label=label)
    axes.set_xticks(x, chart.categories)
    _legend(axes, chart)


def _composition_bars(axes, chart: ChartView) -> None:
    _, values = chart.series[0]
    y = list(range(len(chart.categories)))
    shown = [(yi, v) for yi, v in zip(y, values) if v is not None]
    if shown:
        bars = axes.barh([yi for yi, _ in shown], [float(v) for _, v in shown], color=chart.brand, height=0.6)
        labels = [format_number(v) + (f" ({format_number(s)}%)" if s is not None else "")
                  for v, s in zip(values, chart.shares) if v is not None]
        axes.bar_label(bars, labels=labels, padding=3, fontsize=7)
    axes.set_yticks(y, chart.categories)
    axes.invert_yaxis()  # the first member on top, as the table lists it
    axes.margins(x=0.18)  # room for the last bar's label


LEGEND_ROW = 110  # characters of the legend's size that fit across the chart (a Chinese one counts two)


def _legend(axes, chart: ChartView) -> None:
    """The legend below the bars, across the chart's width (beside them, a long name such as
    Scope 2, location-based, would squeeze them), in as many columns as the names allow."""
    handles, labels = axes.get_legend_handles_labels()
    if not labels:
        return
    widest = max(display_width(label) for label in labels)
    columns = max(1, min(len(labels), LEGEND_ROW // (widest + 6)))  # 6: the colour's square and the gap
    if columns == 1 and chart.kind == "stacked":  # a list reads top to bottom, as the stack does
        handles, labels = handles[::-1], labels[::-1]
    axes.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=columns, frameon=False,
                fontsize=7)


DRAWERS = {"trend": _trend, "stacked": _stacked, "grouped": _grouped, "composition": _composition_bars}
