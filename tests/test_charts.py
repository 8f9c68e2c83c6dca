"""Charts: chosen in company.yaml, drawn from the report's figures, in every document and language."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal

import pytest
from lxml import etree, html as lxml_html

from builder.catalogue import load_catalogue
from builder.cli import main
from builder.compute import compute
from builder.drawing import NO_METADATA, draw, figure_of
from builder.errors import OutputError
from builder.glyphs import check_print_documents, lacking_in, lacking_in_images
from builder.load import load
from builder.render import render_html
from builder.schema import breakdown_members

from .conftest import EXAMPLES, edit, in_a_fresh_python
from .pdfutil import page_texts
from .test_input_errors import at

SVG_URI = "data:image/svg+xml;base64,"
COMPLETE = "harbourline-2025"
SAMPLE = "360digitech-2021"


def charts_of(document: str) -> list[tuple[str, bytes]]:
    """(alt text, SVG bytes) of every chart of an HTML or XHTML document, in order."""
    if document.lstrip().startswith("<?xml"):
        root = etree.fromstring(document.encode("utf-8"))
        figures = root.iter("{http://www.w3.org/1999/xhtml}div")
        images = [img for f in figures if "chart" in (f.get("class") or "").split()
                  for img in f.iter("{http://www.w3.org/1999/xhtml}img")]
    else:
        images = lxml_html.document_fromstring(document.encode("utf-8")).xpath('//figure[@class="chart"]/img')
    assert all(img.get("src").startswith(SVG_URI) for img in images)
    return [(img.get("alt"), base64.b64decode(img.get("src")[len(SVG_URI):])) for img in images]


def bars(svg: bytes) -> int:
    root = etree.fromstring(svg)  # parses: a well-formed SVG document
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return len(root.xpath('//svg:g[starts-with(@id, "bar-")]', namespaces={"svg": "http://www.w3.org/2000/svg"}))


def svg_text(svg: bytes) -> str:
    return " ".join(etree.fromstring(svg).itertext())


# --- input errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chart, key, expected",
    [
        ("{metric: energy_consumpton, kind: trend}", "metric",
         "unknown metric 'energy_consumpton'; did you mean 'energy_consumption'?"),
        ("{metric: ghg_scope3, kind: trend}", "metric",
         "the report gives no figures for ghg_scope3 under metrics: a chart shows the report's own figures"),
        ("{metric: packaging_material, kind: trend}", "metric",
         "packaging_material has no figure to chart, only 'not applicable'"),
        ("{metric: energy_consumption, kind: composition, breakdown: gender}", "breakdown",
         "energy_consumption has no breakdown by 'gender'; its breakdowns: energy_type, energy_scope, site, region"),
        ("{metric: employees, kind: composition, breakdown: site}", "breakdown",
         "employees gives no figures by site (under metrics.employees.breakdowns) to chart"),
        ("{metric: employees, kind: trend, breakdown: sum_of}", "breakdown",
         "employees is not the sum of other metrics; name one of its breakdowns: gender, employment_type, "
         "age_group, employee_category, region"),
        ("{metric: employee_turnover_rate, kind: composition, breakdown: gender}", "kind",
         "the members of employee_turnover_rate by gender are not parts of a whole (they do not add up to the "
         "total): show them as kind: trend"),
    ],
    ids=["unknown-metric", "no-figures", "not-applicable", "no-such-breakdown", "breakdown-not-given", "not-a-sum", "rates-are-no-composition"],
)
def test_a_wrong_chart_is_an_input_error_at_its_place(example_copy, capsys, chart, key, expected):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(yaml_file, ("          - {metric: employees, kind: composition, breakdown: age_group}\n",
                     f"          - {chart}\n"))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    needle = {"metric": "metric:", "breakdown": "breakdown:", "kind": "kind:"}[key]
    # said at the value of the key that is wrong
    place = at(yaml_file, "          - " + chart, len("          - ") + chart.index(needle) + len(needle) + 1)
    assert f"company.yaml:{place}: chapters[3].sections[0].charts[0].{key}: {expected}" in err, err
    assert not (folder / "output").exists()


def test_a_breakdown_of_more_members_than_a_chart_can_show_is_refused(example_copy, capsys):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    more = "".join(f"        Region {n}: {{2021: 1}}\n" for n in range(7, 14))  # 13 regions in all
    edit(yaml_file, ("        Southwest Region: {2021: 5}\n", "        Southwest Region: {2021: 5}\n" + more))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    assert ("charts[0].breakdown: suppliers has 13 members by region; a chart shows at most 12, more would be "
            "unreadable: choose a breakdown with fewer members, or leave the breakdown out") in err


def test_a_section_holds_at_most_six_charts(example_copy, capsys):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    chart = "          - {metric: suppliers, kind: composition, breakdown: region}\n"
    edit(yaml_file, (chart, chart * 7))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
    err = capsys.readouterr().err
    assert f"company.yaml:{at(yaml_file, chart.lstrip())}: chapters[2].sections[0].charts: " in err, err


def test_a_composition_needs_a_breakdown(example_copy, capsys):
    folder = example_copy(SAMPLE)
    yaml_file = folder / "company.yaml"
    edit(yaml_file, ("{metric: suppliers, kind: composition, breakdown: region}", "{metric: suppliers, kind: composition}"))
    assert main([str(yaml_file), "--no-pdf", "--no-xbrl"]) == 2
    assert "a composition shows the shares of a breakdown's members: name the breakdown" in capsys.readouterr().err


# --- what the charts show --------------------------------------------------------------------


def test_each_document_holds_the_charts_with_their_figures(built):
    """The HTML, the print HTML and the inline XBRL report hold the same charts; the alt text
    of each gives the figures of the YAML exactly, and its SVG draws one bar per figure."""
    out = built(COMPLETE)
    html = (out / "report.html").read_text(encoding="utf-8")
    xhtml = (out / "report.xhtml").read_text(encoding="utf-8")
    loaded = load(EXAMPLES / COMPLETE / "company.yaml")
    print_html = render_html(loaded, compute(loaded, language="en"), for_print=True)
    charts = charts_of(html)
    assert len(charts) >= 6
    assert charts == charts_of(xhtml) == charts_of(print_html)

    metrics = loaded.data.metrics
    # work injuries, a bar per year
    label = load_catalogue().metrics["work_injuries"].label
    alt, svg = next(c for c in charts if c[0].startswith(f"{label}, in cases: "))
    given = metrics.work_injuries.values
    shown = {int(y): Decimal(f.replace(",", "")) for y, f in re.findall(r"(\d{4}): ([\d,.]+)", alt)}
    assert shown == given and all(str(shown[y]) == str(given[y]) for y in given)  # as written: 31, not 31.0
    assert bars(svg) == len(given)
    words = svg_text(svg).split()
    assert all(format(v, ",") in words for v in given.values())  # each bar's figure above it
    # energy by type, stacked: a bar per member and year
    alt, svg = next(c for c in charts if c[0].startswith("Total energy consumption by energy type"))
    figures = [(m, y, v) for axis, m, series in breakdown_members(metrics.energy_consumption)
               if axis == "energy_type" for y, v in series.items()]
    assert bars(svg) == len(figures)
    labels = load_catalogue().axes["energy_type"].members
    for member, year, value in figures:
        assert f"{labels[member][0]} {value:,}" in alt.split(f"{year}: ")[1].split(";")[0]
        assert labels[member][0] in svg_text(svg)


def test_a_sum_of_metrics_is_charted_by_its_parts(built):
    """Greenhouse gas emissions by scope: Scope 1 and Scope 2 stacked in each year's bar."""
    html = (built(COMPLETE) / "report.html").read_text(encoding="utf-8")
    alt, svg = next(c for c in charts_of(html) if c[0].startswith("Greenhouse gas emissions by scope"))
    metrics = load(EXAMPLES / COMPLETE / "company.yaml").data.metrics
    parts = {"Direct greenhouse gas emissions (Scope 1)": metrics.ghg_scope1.values,
             "Energy indirect greenhouse gas emissions (Scope 2, location-based)": metrics.ghg_scope2.values}
    for label, values in parts.items():
        for year, value in values.items():
            assert f"{label} {value:,}" in alt.split(f"{year}: ")[1].split(";")[0]
        assert label in svg_text(svg)
    assert bars(svg) == sum(len(values) for values in parts.values())


def test_a_composition_shows_each_member_with_its_share(built):
    html = (built(SAMPLE) / "report.html").read_text(encoding="utf-8")
    alt, svg = next(c for c in charts_of(html) if c[0].startswith("Total workforce by age group"))
    assert alt == ("Total workforce by age group, 2021, in persons: Under 30 1,212 (56.9%); 30 to 40 883 (41.5%); "
                   "Over 40 34 (1.6%)"), alt
    assert bars(svg) == 3
    assert "1,212 (56.9%)" in svg_text(svg)


def test_the_chinese_edition_draws_the_same_figures_with_chinese_labels(built):
    out = built(COMPLETE)
    english = charts_of((out.edition("en") / "report.html").read_text(encoding="utf-8"))
    chinese = charts_of((out.edition("zh-Hant") / "report.html").read_text(encoding="utf-8"))
    catalogue = load_catalogue()
    alt, svg = next(c for c in chinese if catalogue.metrics["energy_consumption"].label_zh in c[0])
    assert catalogue.axes["energy_type"].members["electricity_purchased"][1] in svg_text(svg)  # 外購電力
    assert "font-family: 'Noto Sans CJK HK'" in svg.decode("utf-8")  # as report.css sets Chinese
    assert [bars(s) for _, s in chinese] == [bars(s) for _, s in english]
    numbers = re.compile(r"\d(?:[\d,.]*\d)?")
    assert [numbers.findall(a) for a, _ in chinese] == [numbers.findall(a) for a, _ in english]
    # a title given in both languages is shown in each
    zh_html = (out.edition("zh-Hant") / "report.html").read_text(encoding="utf-8")
    assert "2025年按場地劃分的耗水量" in zh_html


def test_the_pdf_sets_the_charts_text(built):
    """The chart's labels are text in the PDF (WeasyPrint sets the SVG's text in the page's fonts):
    on the page of the energy chart's caption stand its legend and its axis."""
    out = built(COMPLETE)
    pages = page_texts(out / "report.pdf")
    page = next(p for p in pages if "Total energy consumption by energy type" in p
                and "(Data statistics: Energy)" in p)
    for label in ("Liquefied petroleum gas", "Purchased electricity", "MWh", "50,000", "2023", "2025"):
        assert label in page
    chinese = page_texts(out.edition("zh-Hant") / "report.pdf")
    assert any("液化石油氣" in p and "按能源類型劃分的能源總耗量" in p for p in chinese)


def test_charts_are_drawn_identically(example_copy):
    """The same figures give the same SVG bytes: no date, no random ids."""
    loaded = load(EXAMPLES / SAMPLE / "company.yaml")
    view = compute(loaded)
    chart = next(iter(view.charts.values()))[0]
    first, second = draw(chart), draw(chart)
    assert first == second
    assert b"<dc:date>" not in first and b"Matplotlib v" not in first
    assert render_html(loaded, view) == render_html(loaded, compute(loaded))


def test_a_chart_drawn_once_is_the_chart_savefig_draws_twice():
    """draw() lays a figure out and prints it in one pass; matplotlib's savefig, which draws it
    once more to lay it out, gives the same bytes for every chart of both editions."""
    loaded = load(EXAMPLES / COMPLETE / "company.yaml")
    editions = [loaded.in_language(code) for code in loaded.languages]
    charts = [chart for edition in editions for charts in compute(edition, language=edition.language).charts.values()
              for chart in charts]
    assert len(charts) >= 10 and {chart.kind for chart in charts} == {"trend", "stacked", "grouped", "composition"}
    for chart in charts:
        with figure_of(chart) as figure:
            saved = io.BytesIO()
            figure.savefig(saved, format="svg", metadata=NO_METADATA)  # with savefig's own defaults
        assert draw(chart) == saved.getvalue(), chart.title


# Run in a fresh interpreter: a digest of one chart of each kind of the complete example, drawn.
DRAWN = """
import hashlib
from builder.compute import compute
from builder.drawing import draw
from builder.load import load
from tests.conftest import EXAMPLES
loaded = load(EXAMPLES / "harbourline-2025" / "company.yaml")
charts = {chart.kind: chart for charts in compute(loaded).charts.values() for chart in charts}
print(sorted(charts), hashlib.sha256(b"".join(draw(chart) for _, chart in sorted(charts.items()))).hexdigest())
"""


def test_a_matplotlibrc_on_the_machine_does_not_change_the_charts(tmp_path):
    """The charts are drawn in matplotlib's defaults and the report's style: a matplotlibrc of the
    user's (here through MATPLOTLIBRC) with other colours, widths, sizes and savefig settings
    changes nothing of them."""
    rc = tmp_path / "matplotlibrc"
    rc.write_text("font.size: 20\naxes.linewidth: 4\naxes.facecolor: yellow\nfigure.facecolor: red\n"
                  "patch.linewidth: 3\nsvg.fonttype: path\nsavefig.bbox: tight\nsavefig.transparent: True\n",
                  encoding="utf-8")
    digests = [in_a_fresh_python(DRAWN, env=extra) for extra in ({}, {"MATPLOTLIBRC": str(rc)})]
    assert digests[0].startswith("['composition', 'grouped', 'stacked', 'trend']")
    assert digests[1] == digests[0]


def test_a_character_only_a_chart_shows_is_in_the_glyph_check():
    loaded = load(EXAMPLES / SAMPLE / "company.yaml")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><text>Region \U00017000</text></svg>').encode("utf-8")
    page = f'<html><body><img alt="a chart" src="{SVG_URI}{base64.b64encode(svg).decode()}"/></body></html>'
    with pytest.raises(OutputError, match="U\\+17000"):
        check_print_documents([page], loaded)


def test_the_glyph_check_reads_the_charts_once_they_are_drawn():
    """A build checks its print HTML before its charts are drawn (their placeholders stand in it),
    and the charts once they are."""
    from builder.charts import DrawnBeside

    loaded = load(EXAMPLES / SAMPLE / "company.yaml")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><text>Region \U00017000</text></svg>').encode("utf-8")
    drawn = f"{SVG_URI}{base64.b64encode(svg).decode()}"
    view = compute(loaded)
    DrawnBeside(view.charts, seconds=60, memory=512 * 1024**2).stop()  # placeholders given, never drawn
    with_placeholders = render_html(loaded, view, for_print=True)
    assert "CHART" in with_placeholders and lacking_in(with_placeholders) == []
    assert lacking_in_images([drawn]) == ["\U00017000"]


def test_a_layout_started_before_its_charts_are_drawn_lays_them_out_once_they_are(tmp_path):
    """The PDF's layout starts on the print HTML with the charts' placeholders, and gets the
    charts when they are drawn: the PDF is the one laid out from the HTML with its charts."""
    from builder.charts import DrawnBeside
    from builder.layout import lay_out
    from builder.render import pdf_of, start_pdf

    loaded = load(EXAMPLES / SAMPLE / "company.yaml")
    whole = lay_out(render_html(loaded, compute(loaded), for_print=True), str(loaded.folder))
    view = compute(loaded)
    beside = DrawnBeside(view.charts, seconds=60, memory=512 * 1024**2)
    layout = start_pdf(render_html(loaded, view, for_print=True), loaded, charts_later=True)  # placeholders in it
    layout.feed(dict(beside.placed()))
    assert len(beside.placed()) == 3 and pdf_of(layout) == whole


def test_the_inline_xbrl_report_with_charts_is_valid(built):
    out = built(COMPLETE)
    assert charts_of((out / "report.xhtml").read_text(encoding="utf-8"))
    assert "0 errors, 0 warnings, 0 inconsistencies" in (out / "validation.txt").read_text(encoding="utf-8")


def test_charts_drawn_beside_the_templates_take_their_placeholders_places():
    """A build draws the charts in a process of their own while the templates render with a
    placeholder for each: every document gets the very charts drawn in place."""
    from builder.charts import DrawnBeside

    loaded = load(EXAMPLES / COMPLETE / "company.yaml")
    in_place = [chart.uri for charts in compute(loaded).charts.values() for chart in charts]
    view = compute(loaded)
    beside = DrawnBeside(view.charts, seconds=60, memory=512 * 1024**2)
    placeholders = [chart.uri for charts in view.charts.values() for chart in charts]
    assert len(placeholders) == len(in_place) >= 6 and not set(placeholders) & set(in_place)
    document = "<p>" + "</p><p>".join(placeholders) + "</p>"
    assert beside.drawn(document) == "<p>" + "</p><p>".join(in_place) + "</p>"
    assert beside.drawn(document.encode("ascii")) == ("<p>" + "</p><p>".join(in_place) + "</p>").encode("ascii")
    assert [chart.uri for charts in view.charts.values() for chart in charts] == in_place


def test_charts_that_run_out_of_time_are_said_to_be_the_charts(monkeypatch):
    """The charts' process stopped at its bound is said as the charts', not as the templates' or
    the input's (the templates' process rendered in time)."""
    import time

    from builder import charts as charts_module
    from builder.render import render_documents

    loaded = load(EXAMPLES / SAMPLE / "company.yaml")
    monkeypatch.setattr(charts_module, "uris_of", lambda charts: time.sleep(60))
    monkeypatch.setattr("builder.render.CHART_IMPORT_SECONDS", 0)
    monkeypatch.setattr("builder.render.CHART_SECONDS", 0)
    monkeypatch.setattr("builder.render.RENDER_SECONDS", 3)
    with pytest.raises(OutputError, match="drawing the report's charts took more than 3 seconds"):
        render_documents(loaded, compute(loaded), xbrl=False, pdf=False)
