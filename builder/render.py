"""Render stage: the report as one self-contained HTML document, and as a PDF.

Templates are layered: a templates/ folder beside the company's YAML overrides any built-in
template of the same name. Every template runs in Jinja's sandbox with autoescaping on, and
Markdown is rendered with raw HTML disabled, so the YAML cannot inject markup or code.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import references
from .catalogue import OBLIGATION_LABELS
from .compute import BUILT_IN_PARTS, TARGETS_ANCHOR, ReportView
from .errors import OutputError, Problem, TemplateError
from .load import Loaded
from .tag import Tagger, namespace_attributes

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def _markdown_renderer(images: dict[str, Path], figure=None) -> MarkdownIt:
    # xhtmlOut: the same Markdown goes into the XHTML of the inline XBRL report
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True, "xhtmlOut": True}).enable(
        ["table", "replacements", "smartquotes"]
    )

    # A section's title is an h2 inside its chapter's h1: headings in its Markdown start at h3.
    def shift_headings(state):
        for token in state.tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"

    md.core.ruler.push("shift_headings", shift_headings)

    def table_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("class", "narrative-table")
        return renderer.renderToken(tokens, idx, options, env)

    def th_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("scope", "col")
        return renderer.renderToken(tokens, idx, options, env)

    def image(renderer, tokens, idx, options, env):
        # images were checked when the input was loaded; they are embedded like every asset
        token = tokens[idx]
        token.attrSet("src", data_uri(images[token.attrGet("src")]))
        return renderer.image(tokens, idx, options, env)

    md.add_render_rule("image", image)

    # {{metric | year | axis: member | per: denominator}}: a figure quoted from the data
    def figure_rule(state, silent):
        if not state.src.startswith("{{", state.pos):
            return False
        match = references.PATTERN.match(state.src, state.pos)
        if match is None:
            return False
        if not silent:
            token = state.push("figure", "", 0)
            token.meta = {"match": match}
        state.pos = match.end()
        return True

    def render_figure(renderer, tokens, idx, options, env):
        return str(figure(references.parse(tokens[idx].meta["match"]))) if figure else tokens[idx].meta["match"].group(0)

    md.inline.ruler.before("text", "figure", figure_rule)
    md.add_render_rule("figure", render_figure)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("th_open", th_open)
    md.validateLink = lambda url: url.lower().startswith(("https://", "http://", "mailto:", "#")) or (
        url in images  # an image checked at load
    )
    return md


def environment(user_templates: Path | None, images: dict[str, Path] | None = None, figure=None) -> jinja2.Environment:
    loaders = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    md = _markdown_renderer(images or {}, figure)
    env.filters["markdown"] = lambda text: Markup(md.render(text))
    # short texts from the YAML (footnotes, explanations): typographic quotes, *emphasis*
    env.filters["inline"] = lambda text: Markup(md.renderInline(text))
    return env


def data_uri(path: Path) -> str:
    mime = IMAGE_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(loaded: Loaded, view: ReportView, *, for_print: bool = False, tagger: Tagger | None = None) -> str:
    """The report as HTML. for_print adds the paged-media stylesheet that only the PDF uses;
    an enabled tagger makes it the XHTML of the inline XBRL report."""
    tagger = tagger or Tagger(loaded, enabled=False)

    def figure(ref: references.Reference) -> Markup:
        cell, _ = references.resolve(loaded, ref)  # checked when the input was loaded
        before, after = references.unit_text(loaded, cell)
        return Markup('<span class="figure">') + before + tagger.number(cell) + after + Markup("</span>")

    env = environment(loaded.folder / "templates", loaded.images, figure)
    data = loaded.data
    images: dict[str, str | None] = {"logo": None, "cover": None}
    for key, rel in (("logo", data.company.logo), ("cover", data.report.cover_image)):
        if rel:
            images[key] = data_uri(loaded.folder / rel)
    css = env.get_template("report.css").render(brand=data.report.brand_colour)
    print_css = env.get_template("print.css").render(brand=data.report.brand_colour) if for_print else ""
    context = {
        "d": data,
        "text": loaded.text,
        "edition": loaded.edition,
        "view": view,
        "images": images,
        "css": Markup(css),
        "print_css": Markup(print_css),
        "obligations": OBLIGATION_LABELS,
        "built_in": BUILT_IN_PARTS,
        "targets_anchor": TARGETS_ANCHOR,
        "tags": tagger,
        "ix": tagger.enabled,
        "ix_namespaces": namespace_attributes(),
        "title": data.report.title or f"Environmental, Social and Governance Report {data.report.financial_year}",
    }
    try:
        return env.get_template("report.html").render(context)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(Problem(f"template syntax error: {e.message}", Path(e.filename or e.name or "?"), e.lineno)) from None
    except jinja2.TemplateError as e:
        file, line = _template_place(e)
        raise TemplateError(Problem(f"template error: {e}", file, line)) from None


def _template_place(error: BaseException) -> tuple[Path | None, int | None]:
    """The template file and line a runtime error happened at (the innermost template frame)."""
    import traceback

    place: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith((".html", ".css")) and Path(frame.filename).is_file():
            place = (Path(frame.filename), frame.lineno)
    return place


PDF_SECONDS = 600  # WeasyPrint lays out ~60 pages in ~15 s here; a runaway layout is stopped
PDF_MEMORY = 4 * 1024**3  # bytes of address space for the layout process


def render_pdf(html: str, loaded: Loaded) -> bytes:
    """The PDF, laid out by WeasyPrint in a child process bounded in time and memory."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_layout, args=(html, str(loaded.folder), sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(PDF_SECONDS):
            raise OutputError(f"the PDF layout took longer than {PDF_SECONDS} seconds and was stopped")
        ok, payload = receiver.recv()
    except EOFError:
        raise OutputError("the PDF layout process ended without a result (out of memory?)") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise OutputError(f"the PDF could not be laid out: {payload}")
    return payload


def _layout(html: str, base_url: str, sender) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY, PDF_MEMORY))
    # Imported here: WeasyPrint is slow to import and only this step needs it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Every image is already embedded as a data: URI; nothing else may be fetched: no file,
    # no network, no redirect, so no attachment can carry a file into the PDF either.
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    try:
        pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render().write_pdf(pdf_identifier=False)
        sender.send((True, pdf))
    except BaseException as e:  # noqa: BLE001 - whatever WeasyPrint raises, the parent says it plainly
        sender.send((False, f"{type(e).__name__}: {e}"))
    finally:
        sender.close()
