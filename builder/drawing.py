"""Charts drawn as SVG by matplotlib, in a chart worker (bounded.Worker).

What a chart shows, in the edition's language (its ChartView), is worked out with the report's
view (builder.charts); this module draws it and imports nothing of the build but the way numbers
are written, so that a chart worker imports matplotlib and little else: it is started as the
command starts (builder.workers), while the build imports and loads the report.

Drawing is deterministic (a fixed hash salt for the SVG's ids, no date or software in its
metadata, text kept as text so that the PDF sets it in the report's fonts) and happens in
memory, on first use.
"""

from __future__ import annotations

import base64
import io
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import format_number
from .widths import display_width

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
        """The chart as an SVG data: URI, drawn on first use (in a chart worker, DrawnBeside's)."""
        if self._uri is None:
            self._uri = SVG_URI + base64.b64encode(draw(self)).decode("ascii")
        return self._uri


# How an SVG image, a chart or the company's own, is embedded; and how a chart's data: URI begins
# in a document rendered before its charts are drawn (DrawnBeside's placeholders; an SVG's own
# base64 begins "PD94", its "<?xml")
SVG_URI = "data:image/svg+xml;base64,"
PLACEHOLDER = SVG_URI + "CHART"

# what a chart worker (bounded.Worker, from a Preloader) imports ahead
CHART_MODULES = ("matplotlib", "matplotlib.backends.backend_svg", "matplotlib.figure")


def uris_of(charts: list[ChartView]) -> list[str]:
    """Each chart's data: URI, drawn here (in the child process of DrawnBeside)."""
    return [chart.uri for chart in charts]


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
    with figure_of(chart) as figure:
        # savefig would draw the figure twice: once without output, to lay it out, and once to
        # print it (a quarter of a chart's time). Laid out here, it is drawn once, to the same
        # bytes (tests/test_charts.py)
        try:
            figure.get_layout_engine().execute(figure)
        except ValueError:  # as Figure.draw, which savefig calls: the figure is drawn as it is
            pass
        figure.set_layout_engine("none")
        buffer = io.BytesIO()
        figure.canvas.print_svg(buffer, metadata=NO_METADATA)
    return buffer.getvalue()


SVG_DPI = 72  # FigureCanvasSVG.fixed_dpi: the resolution savefig prints an SVG at


@contextmanager
def figure_of(chart: ChartView):
    """The chart's figure, not yet laid out, in the chart's style (which holds while it is drawn)."""
    import matplotlib  # imported here: half a second, paid only by a report with charts
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    height = HEIGHT if chart.kind != "composition" else max(1.2, 0.32 * len(chart.categories) + 0.6)
    style = STYLE | {"font.family": FONTS.get(chart.language, FONTS["en"])}
    with matplotlib.rc_context(), warnings.catch_warnings():
        # matplotlib's own defaults and the report's style, whatever a matplotlibrc on the machine
        # sets: the same figures give the same charts everywhere
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(style)
        # a glyph the measuring font lacks is one WeasyPrint finds in another; the glyph check
        # stops a build whose text no font can show
        warnings.simplefilter("ignore")
        figure = Figure(figsize=(WIDTH, height), dpi=SVG_DPI, layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        DRAWERS[chart.kind](axes, chart)
        _frame(axes, chart)
        for n, bar in enumerate((bar for bars in axes.containers for bar in bars), 1):
            bar.set_gid(f"bar-{n}")  # one per figure drawn: what a reader of the SVG can count
        yield figure


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
