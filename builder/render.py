"""Render stage: the report as one self-contained HTML document, and as a PDF.

Templates are layered: a templates/ folder beside the company's YAML overrides any built-in
template of the same name. Every template runs in Jinja's sandbox with autoescaping on, and
Markdown is rendered with raw HTML disabled, so the YAML cannot inject markup or code.

The templates' built-in text is English marked for translation (jinja2.ext.i18n: `_()` and
`{% trans %}`); a report is rendered in the language its view was computed in (builder.i18n).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import types
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from pydantic import BaseModel

from . import references
from .bounded import Exceeded, Running, Worker, cycles_left_for_later, start_bounded
from .catalogue import OBLIGATION_LABELS
from .charts import DrawnBeside
from .compute import BUILT_IN_PARTS, TARGETS_ANCHOR, ReportView
from .errors import InputError, OutputError, Problem, TemplateError
from .i18n import DEFAULT, Language, language as language_named, translations
from .languages import Foreign, Introduced, words
from .layout import ACCESSIBLE, ARCHIVAL, lay_out
from .load import Loaded, resolved
from .ids import TEMPLATES_DIR
from .tag import Fact, Tagger, namespace_attributes, to_xhtml11
from .yamlsource import SourceMap


def _is_wide(char: str | None) -> bool:
    """A character of East Asian script or full-width punctuation (East Asian Width F or W), not Hangul,
    whose text is written without spaces between words."""
    return (char is not None and unicodedata.east_asian_width(char) in "FW"
            and not ("\u1100" <= char <= "\u11ff" or "\uac00" <= char <= "\ud7af"))


def _text_beside(children: list, index: int, step: int) -> str | None:
    """The character next to a line break in the Markdown, across emphasis marks."""
    i = index + step
    while 0 <= i < len(children):
        child = children[i]
        if child.type == "text" and child.content:
            return child.content[-1] if step < 0 else child.content[0]
        if child.type not in ("strong_open", "strong_close", "em_open", "em_close"):
            return None
        i += step
    return None


def _is_spaced_letter(char: str | None) -> bool:
    """A letter of a script written with spaces between words (Latin, Greek, Cyrillic ...)."""
    return char is not None and unicodedata.category(char).startswith("L") and not _is_wide(char)


def join_wide_lines(state) -> None:
    """A line break inside a paragraph reads as a space, except where Chinese text wraps: with
    Chinese on one side of it and no English word on the other, the lines join without one
    (CSS Text 3's segment break rule, which neither WeasyPrint nor every browser applies, with
    Chinese written beside numbers as Hong Kong writes it: 共2,486名)."""
    for token in state.tokens:
        for i, child in enumerate(token.children or []):
            if child.type != "softbreak":
                continue
            before, after = _text_beside(token.children, i, -1), _text_beside(token.children, i, 1)
            if (_is_wide(before) or _is_wide(after)) and not (_is_spaced_letter(before) or _is_spaced_letter(after)):
                child.type, child.content = "text", ""


def _markdown_renderer(images: dict[str, str], figure=None) -> MarkdownIt:
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
    md.core.ruler.push("join_wide_lines", join_wide_lines)

    def table_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("class", "narrative-table")
        return renderer.renderToken(tokens, idx, options, env)

    def th_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("scope", "col")
        return renderer.renderToken(tokens, idx, options, env)

    def image(renderer, tokens, idx, options, env):
        # images were checked when the input was loaded; they are embedded like every asset
        token = tokens[idx]
        token.attrSet("src", images[token.attrGet("src")])
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


MAX_TEMPLATE_BYTES = 1024 * 1024
class ConfinedLoader(jinja2.FileSystemLoader):
    """The user's templates/ folder, read under the same rules as every other input: no path
    out of the report's folder, whether by an absolute name, '..' or a symbolic link."""

    def __init__(self, folder: Path, report_folder: Path):
        super().__init__(str(folder))
        self.folder = folder
        self.report_folder = report_folder

    def get_source(self, environment, template):
        pieces = split_template_path(template)  # refuses '..'
        path = self.folder.joinpath(*pieces)
        if not path.is_symlink() and not path.is_file():
            raise jinja2.TemplateNotFound(template)
        where = self.folder.name + "/" + "/".join(pieces)
        target = resolved(path)
        if target is None:
            raise InputError(Problem(f"{where} is a symbolic link that loops", path))
        if not target.is_relative_to(self.report_folder):
            raise InputError(Problem(f"{where} links to a file outside the report's folder; templates must be "
                                     "files inside it", path))
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise InputError(Problem(f"{where} is larger than {MAX_TEMPLATE_BYTES // 1024} KB", path))
        return super().get_source(environment, template)


def user_templates(report_folder: Path) -> Path | None:
    """The report's own templates/ folder, if it has one inside the report's folder."""
    folder = report_folder / "templates"
    if not folder.is_symlink() and not folder.exists():
        return None
    target = resolved(folder)
    if target is None:
        raise InputError(Problem("templates/ is a symbolic link that loops", folder))
    if not target.is_relative_to(report_folder):
        raise InputError(Problem("templates/ links to a folder outside the report's folder; keep the templates "
                                 "inside it", folder))
    return folder if folder.is_dir() else None


# the templates that set the data tables' fonts and sizes (report.html holds the <style>)
STYLING_TEMPLATES = ("report.css", "print.css", "report.html", "data.html")


def _own_stylesheet(report_folder: Path) -> bool:
    folder = user_templates(report_folder)
    return folder is not None and any((folder / name).is_file() for name in STYLING_TEMPLATES)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once and kept, keyed by their file and checked against their source (an
    edited template is compiled again): in memory for the process (a preview rebuilding on every
    save compiles them once), and the built-in ones also on disk, in the user's cache folder, as
    Python keeps its modules compiled: compiling them takes a tenth of a second of every build,
    on the way to the PDF's layout. A report's own templates are never written anywhere."""

    def __init__(self, folder: Path | None) -> None:
        self.compiled: dict[str, tuple[str, bytes]] = {}
        self.folder = folder  # None: kept in memory only
        self.built_in: set[str] = set()  # the keys of the built-in templates

    def get_bucket(self, environment, name: str, filename: str | None, source: str):
        if filename is not None and Path(filename).parent == TEMPLATES_DIR:
            self.built_in.add(self.get_cache_key(name, filename))
        return super().get_bucket(environment, name, filename, source)

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.compiled.get(bucket.key, (None, b""))
        if checksum == bucket.checksum:
            bucket.bytecode_from_string(code)
        elif bucket.key in self.built_in and self.folder is not None:
            try:
                with open(self.folder / bucket.key, "rb") as kept:
                    bucket.load_bytecode(kept)  # left empty where it is another source's
            except Exception:  # noqa: BLE001 - none kept, or a damaged file: compiled again
                bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        code = bucket.bytecode_to_string()
        self.compiled[bucket.key] = (bucket.checksum, code)
        if bucket.key in self.built_in and self.folder is not None:
            _kept_whole(self.folder / bucket.key, code)


def _kept_whole(file: Path, content: bytes) -> None:
    """The file written whole or not at all (builds side by side read it); not at all where its
    folder cannot be written (a read-only or full home: the templates are compiled again)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(dir=file.parent, prefix=file.name)
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as written:
            written.write(content)
        os.replace(temporary, file)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _cache_folder() -> Path | None:
    """Where the compiled built-in templates are kept: the user's cache folder (XDG), for this
    version of Jinja (Python's is checked in each file)."""
    try:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home
        return None
    return root / "build-report" / f"templates-jinja-{jinja2.__version__}"


COMPILED = CompiledTemplates(_cache_folder())  # every environment has the same options, so they share it


def precompile_templates(report_folder: Path) -> None:
    """Compile the templates (the report's own and the built-in ones) into COMPILED in this
    process: the child that renders then finds them compiled. A template that does not compile
    is left for the render to report, with its place."""
    env = environment(report_folder)
    for name in env.list_templates():
        try:
            env.get_template(name)
        except (jinja2.TemplateError, InputError):
            pass


class ReportSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, and no way from the report's data to the file system: a template sees
    neither a path (whose methods read, write and delete files) nor the loaded input that holds
    them, however it walks the objects it is given."""

    UNSAFE = (PurePath, Loaded, SourceMap, types.ModuleType, type)
    TAGGER = frozenset({"enabled", "number", "footnote", "derived_note", "text", "built_in", "value", "omission",
                        "target", "target_facts",
                        "hide", "header"})

    # what no call from a template may hand back: a way to code, to the interpreter or to a file
    UNSAFE_RESULTS = UNSAFE + (types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.CodeType,
                               types.FrameType)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._safe_attributes: dict[tuple[type, str, type], bool] = {}

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - as Jinja names them
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, __self.UNSAFE_RESULTS):
            raise SecurityError(f"a call in a template returned {type(result).__name__}, which templates may not hold")
        return result

    def is_safe_attribute(self, obj, attr, value) -> bool:
        # Every test below, Jinja's own included, is of the object's type, the value's type and the
        # attribute's name: asked tens of thousands of times a render, each answer is kept.
        key = (type(obj), attr, type(value))
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = self._is_safe_attribute(obj, attr, value)
        return safe

    def _is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, self.UNSAFE) or isinstance(value, self.UNSAFE):
            return False
        if isinstance(obj, BaseModel) and attr not in type(obj).model_fields:
            return False  # the input's fields, none of pydantic's methods (parse_raw unpickles)
        if isinstance(obj, Tagger) and attr not in self.TAGGER:
            return False  # its markup methods, not its state
        return super().is_safe_attribute(obj, attr, value)

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        if isinstance(value, self.UNSAFE):
            return self.unsafe_undefined(obj, str(argument))
        return value


def environment(report_folder: Path | None, images: dict[str, str] | None = None, figure=None,
                language: str = DEFAULT) -> jinja2.Environment:
    """The templates' environment, with the built-in text in `language`: `_()`, `pgettext()`
    and `{% trans %}` translate, the `label` filter names a catalogue entry (metric, table,
    provision, edition...) in the language and `date` writes a date as it writes them."""
    loaders = []
    templates = user_templates(report_folder) if report_folder is not None else None
    if templates is not None:
        loaders.append(ConfinedLoader(templates, report_folder))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES_DIR)))
    env = ReportSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=COMPILED,
    )
    # newstyle: _("... %(name)s", name=value) fills in and escapes its values, and a message
    # is always a format string, in the templates as in the builder (builder.i18n)
    env.install_gettext_translations(translations(language), newstyle=True)
    lang = language_named(language)
    env.globals["language"] = lang
    env.filters["label"] = lang.label
    env.filters["date"] = lang.date
    # a message held in a variable (an obligation, a status): extracted where it is defined (N_)
    env.filters["translate"] = lambda message: lang.gettext(message)
    env.tests["short_chapter"] = is_short_chapter
    md = _markdown_renderer(images or {}, figure)
    env.filters["markdown"] = lambda text: in_its_language(md.render(text), text, "div")
    # short texts from the YAML (footnotes, explanations): typographic quotes, *emphasis*
    env.filters["inline"] = lambda text: (
        Markup(md.renderInline(text.introduction)) + in_its_language(md.renderInline(text.text), text.text, "span")
        if isinstance(text, Introduced) else in_its_language(md.renderInline(text), text, "span"))
    # a text shown in another language than the edition's, printed as it is, says its language
    env.finalize = lambda value: in_its_language(escape(value), value, "span") if isinstance(value, Foreign) else value
    return env


# A chapter of fewer words than this (about a third of a page) and no table or image follows the previous
# chapter on its page, kept whole, rather than opening a page of its own that it leaves mostly
# blank; a longer chapter starts a new page, as a reader expects of a report's chapters.
SHORT_CHAPTER_WORDS = 250


def is_short_chapter(html: str) -> bool:
    # a table, a chart or a picture takes room its words do not measure
    return (not any(tag in html for tag in ("<table", "<figure", "<img"))
            and words(Markup(html).striptags()) < SHORT_CHAPTER_WORDS)


class ForeignHtml(Markup):
    """HTML of a text in another language than the report's: the tagger gives its fact that
    language (Markup itself has no room for the attribute)."""

    language: str | None = None


def in_its_language(html: str, text: Any, element: str) -> Markup:
    """The HTML of a text, marked with its language where it is not the edition's (lang for
    browsers and screen readers; xml:lang, which the XHTML keeps, for XBRL consumers)."""
    language = getattr(text, "language", None)
    if language is None:
        return Markup(html)
    marked = ForeignHtml(f'<{element} lang="{language}" xml:lang="{language}">{html}</{element}>')
    marked.language = language
    return marked


def render_html(loaded: Loaded, view: ReportView, *, for_print: bool = False, tagger: Tagger | None = None,
                language: str | None = None) -> str:
    """The report as HTML. for_print adds the paged-media stylesheet that only the PDF uses;
    an enabled tagger makes it the XHTML of the inline XBRL report.

    The built-in text is in the language the view was computed in (`compute(loaded,
    language="zh-Hant")`); `language`, where given, must be that one."""
    if language is not None and language != view.language:
        raise ValueError(f"the view was computed in {view.language!r}, not {language!r}: compute it with "
                         f"language={language!r}")
    language = view.language
    lang = language_named(language)
    tagger = tagger or Tagger(loaded, enabled=False, language=language)
    if tagger.language != language:
        raise ValueError(f"the tagger tags text in {tagger.language!r}, the view is in {language!r}")

    def figure(ref: references.Reference) -> Markup:
        cell, problem = references.resolve(loaded, ref)  # checked when the input was loaded
        if cell is None:  # where Markdown put together what the check saw apart (a quote in a quote)
            raise InputError(Problem(problem, loaded.source.file))
        before, after = references.unit_text(loaded, cell, lang)
        return Markup('<span class="figure">') + before + tagger.number(cell) + after + Markup("</span>")

    # every image was checked and made embeddable when the input was loaded
    env = environment(loaded.folder, {src: loaded.embedded[file] for src, file in loaded.images.items()}, figure,
                      language)
    data = loaded.data
    images: dict[str, str | None] = {"logo": None, "cover": None}
    for key, rel in (("logo", data.company.logo), ("cover", data.report.cover_image)):
        if rel:
            images[key] = loaded.embedded[resolved(loaded.folder / rel)]
    css = env.get_template("report.css").render(brand=data.report.brand_colour)
    print_css = (env.get_template("print.css").render(brand=data.report.brand_colour, page_of=_page_of(lang))
                 if for_print else "")
    context = {
        "d": data,
        "text": loaded.text,
        "edition": loaded.edition,
        "view": view,
        "images": images,
        "css": Markup(css),
        "print_css": Markup(print_css),
        # the data tables' widths were measured in the built-in stylesheets' fonts and sizes: where
        # the report has its own stylesheet, page or data template, its tables are laid out automatically
        "columns_measured": not _own_stylesheet(loaded.folder),
        "obligations": OBLIGATION_LABELS,
        "built_in": BUILT_IN_PARTS,
        "targets_anchor": TARGETS_ANCHOR,
        "tags": tagger,
        "ix": tagger.enabled,
        "ix_namespaces": namespace_attributes(loaded.taxonomy.extension),
        # plain text: it stands in <title> too, where no element can mark its language
        "title": str(data.report.title or lang.gettext("Environmental, Social and Governance Report %(year)s",
                                                       year=data.report.financial_year)),
        "lang": language,  # the document's language tag: <html lang>, xml:lang
        # the company's name in the report's language: its Chinese name in Chinese, where it has one
        "company_name": (data.company.name_zh if lang.chinese and data.company.name_zh else data.company.name),
    }
    try:
        return env.get_template("report.html").render(context)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(Problem(f"template syntax error: {e.message}", Path(e.filename or e.name or "?"), e.lineno)) from None
    except jinja2.TemplateError as e:
        file, line = _template_place(e)
        raise TemplateError(Problem(f"template error: {e}", file, line)) from None
    except (InputError, MemoryError):
        raise
    except Exception as e:  # {{ 1/0 }} in a user's template is their error; in ours, a bug
        file, line = _template_place(e)
        if file is None or not (resolved(file) or TEMPLATES_DIR).is_relative_to(loaded.folder):
            raise
        what = ("the templates include or call themselves without end" if isinstance(e, RecursionError)
                else f"{type(e).__name__}: {e}")
        raise TemplateError(Problem(f"template error: {what}", file, line)) from None


def _page_of(lang: Language) -> Markup:
    """The running footer's CSS content, 'Page 3 of 52' in the language: the message's text as
    CSS strings, its placeholders as the page counters."""
    message = lang.gettext("Page %(page)s of %(pages)s", page="\0page\0", pages="\0pages\0")
    parts = []
    for i, piece in enumerate(message.split("\0")):
        if i % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return Markup(" ".join(parts))


def _template_place(error: BaseException) -> tuple[Path | None, int | None]:
    """The template file and line a runtime error happened at (the innermost template frame)."""
    import traceback

    place: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith((".html", ".css")) and Path(frame.filename).is_file():
            place = (Path(frame.filename), frame.lineno)
    return place


RENDER_SECONDS = 10  # the three documents of a 60-page report render in under a second
# Charts are drawn while the documents render (builder.charts): matplotlib's import (0.5 s, 1.5 s
# the first time it lists the fonts) and about 0.2 s a chart here, each given twice that and more.
CHART_IMPORT_SECONDS = 5
CHART_SECONDS = 0.5
RENDER_MEMORY = 512 * 1024**2  # bytes of address space beyond the build's; a 60-page report needs 10 MB
PDF_SECONDS = 300  # WeasyPrint lays out ~60 pages in ~15 s here; a runaway layout is stopped
PDF_MEMORY = 2 * 1024**3  # a 60-page report needs 300 MB; one full of photos, more


@dataclass
class Documents:
    """The report rendered: the HTML, the inline XBRL report and what its tags say, the PDF's HTML."""

    html: str
    xhtml: bytes | None = None
    facts: list[Fact] = field(default_factory=list)
    print_html: str | None = None


def render_documents(loaded: Loaded, view: ReportView, *, xbrl: bool, pdf: bool) -> Documents:
    """Every HTML document of the report, rendered in a child process bounded in time and memory:
    a user's template may loop or allocate without end, and it is stopped with a clear error."""
    return documents_of(start_render(loaded, view, xbrl=xbrl, pdf=pdf))


@dataclass
class Rendering:
    """The documents of one edition, being rendered in their bounded child process."""

    loaded: Loaded
    running: Running
    seconds: float  # its time bound
    charts: DrawnBeside  # drawn meanwhile, put in place of their placeholders here
    with_print: bool = False  # its print HTML comes first, through print_html_of()
    print_html: str | None = None

    def stop(self) -> None:
        self.running.stop()
        self.charts.stop()


def start_render(loaded: Loaded, view: ReportView, *, xbrl: bool, pdf: bool, chart_worker: Worker | None = None
                 ) -> Rendering:
    """The rendering started, to run beside another edition's; documents_of() waits for it."""
    charts = sum(len(charts) for charts in view.charts.values())  # at most schema.MAX_CHARTS
    seconds = RENDER_SECONDS + (CHART_IMPORT_SECONDS + CHART_SECONDS * charts if charts else 0)
    # the charts drawn in a process of their own beside the templates' (started first: the
    # templates' process gets their placeholders)
    drawing = DrawnBeside(view.charts, seconds=seconds, memory=RENDER_MEMORY, worker=chart_worker)
    try:
        running = start_bounded(_render_all, loaded, view, xbrl, pdf, seconds=seconds, memory=RENDER_MEMORY,
                                parts=pdf)
    except BaseException:
        drawing.stop()
        raise
    return Rendering(loaded, running, seconds, drawing, with_print=pdf)


def print_html_of(rendering: Rendering) -> str:
    """The print HTML of an edition rendered with its PDF: sent ahead of its other documents,
    so that its layout, the longest step of a build, starts while they are rendered. Its charts
    are the placeholders of those drawn meanwhile (send_charts() hands them to the layout)."""
    if rendering.print_html is None:
        with _bounds_said(rendering):
            rendering.print_html = rendering.running.part()
    return rendering.print_html


def send_charts(layout: Running, rendering: Rendering) -> list[str]:
    """The edition's charts, once drawn, sent to its layout, started without them (start_pdf
    with charts_later); their data: URIs."""
    placed = _charts_placed(rendering)
    layout.feed(dict(placed))
    return list(placed.values())


def documents_of(rendering: Rendering) -> Documents:
    """The edition's documents; those of an edition rendered with its PDF once print_html_of()
    has taken its print HTML, which they then hold."""
    if rendering.with_print:
        print_html_of(rendering)
    with _bounds_said(rendering):
        documents = rendering.running.result()
        documents.html = _with_charts(rendering, documents.html)
        if documents.xhtml is not None:
            documents.xhtml = _with_charts(rendering, documents.xhtml)
    if rendering.print_html is not None:
        documents.print_html = _with_charts(rendering, rendering.print_html)
    return documents


def _with_charts(rendering: Rendering, document):
    _charts_placed(rendering)
    return rendering.charts.drawn(document)


def _charts_placed(rendering: Rendering) -> dict[str, str]:
    """The edition's charts by their placeholders, once drawn."""
    try:
        return rendering.charts.placed()
    except Exceeded as e:  # matplotlib's, not the templates' nor the input's
        raise OutputError(f"drawing the report's charts took {_limit(rendering, e)} and was stopped") from None


def _limit(rendering: Rendering, exceeded: Exceeded) -> str:
    return (f"more than {rendering.seconds:g} seconds" if exceeded.what == "time"
            else f"more than {RENDER_MEMORY // 1024**2} MB of memory")


@contextmanager
def _bounds_said(rendering: Rendering) -> Iterator[None]:
    """The rendering stopped at its bounds said as the input's or the templates' fault."""
    loaded = rendering.loaded
    try:
        yield
    except Exceeded as e:
        limit = _limit(rendering, e)
        if user_templates(loaded.folder) is not None:
            raise TemplateError(Problem(f"rendering the report with the templates of this folder took {limit} and "
                                        "was stopped: does a template loop or build a huge text?",
                                        loaded.folder / "templates")) from None
        raise InputError(Problem(f"rendering the report took {limit} and was stopped: the input is more than a "
                                 "report can hold (thousands of breakdown members, a huge table?)",
                                 loaded.source.file)) from None


def _render_all(loaded: Loaded, view: ReportView, xbrl: bool, pdf: bool, send: Callable[[str], None] | None = None
                ) -> Documents:
    with cycles_left_for_later():
        if pdf:  # first, sent ahead: its layout starts while the rest is rendered
            assert send is not None
            send(render_html(loaded, view, for_print=True))
        documents = Documents(render_html(loaded, view))
        if xbrl:
            tagger = Tagger(loaded, enabled=True, language=view.language)
            documents.xhtml = to_xhtml11(render_html(loaded, view, tagger=tagger))
            documents.facts = tagger.facts
    return documents


def render_pdf(html: str, loaded: Loaded, *, archival: bool = False) -> bytes:
    """The PDF, laid out by WeasyPrint in a child process bounded in time and memory."""
    return pdf_of(start_pdf(html, loaded, archival=archival))


def start_pdf(html: str, loaded: Loaded, *, archival: bool = False, worker: Worker | None = None,
              charts_later: bool = False) -> Running:
    """The PDF's layout, started in a bounded child process (a Worker prepared with
    layout.LAYOUT_MODULES, or a new one); pdf_of() waits for it. charts_later: the HTML holds its
    charts' placeholders (print_html_of), and send_charts() sends the charts once drawn."""
    args = (lay_out, html, str(loaded.folder), ARCHIVAL if archival else ACCESSIBLE)
    if worker is not None:
        return worker.start(*args, seconds=PDF_SECONDS, memory=PDF_MEMORY, fed=charts_later)
    return start_bounded(*args, seconds=PDF_SECONDS, memory=PDF_MEMORY, fed=charts_later)


def pdf_of(layout: Running) -> bytes:
    try:
        return layout.result()
    except Exceeded as e:
        if e.what == "time":
            raise OutputError(f"the PDF layout took longer than {PDF_SECONDS} seconds and was stopped") from None
        raise OutputError(f"the PDF layout needed more than {PDF_MEMORY // 1024**3} GB of memory and was "
                          "stopped") from None


