"""`build-report serve`: the report's HTML served from memory, rebuilt on every save.

Writing a report is an edit-look loop. The preview watches the report's folder (company.yaml,
the narrative, images, templates/), rebuilds the HTML of each edition in memory (no PDF, no
Arelle unless asked), and tells the open pages to reload through Server-Sent Events. An input
or template error does not stop it: the page shows the problems with their file:line:col above
the last good report, and the next good save puts the report back.

What it serves is the rendered report and nothing else: no file is read from disk to answer a
request (images are embedded as data: URIs), and nothing is written into the report's folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

from .charts import draw_unchanged_from_cache
from .check import ERROR, Finding, run_checks
from .compute import compute
from .errors import BuildError, InputError, Problem, UsageError
from .load import Loaded, load
from .render import Documents, precompile_templates, render_documents

OUTPUT_FOLDER = "output"  # what a build writes beside the YAML: never an input
KEEP_ALIVE_SECONDS = 15  # a comment down each event stream, so that a dead connection is noticed
DEBOUNCE_MS = 50  # an editor's save is often a write and a rename: one rebuild for both


# --- the state: the last good report of each edition, and what is wrong now ------------------


@dataclass
class Edition:
    """One language's report as the preview last rendered it."""

    html: str | None = None  # the last good rendering; kept while the input is broken
    version: int = 0  # bumped whenever what its page shows changes: the page reloads


@dataclass
class Preview:
    """What the server shows, shared between the rebuilding thread and the request threads."""

    folder: Path
    languages: list[str] = field(default_factory=lambda: ["en"])
    editions: dict[str, Edition] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # why the last rebuild failed
    findings: list[Finding] = field(default_factory=list)  # the checks' findings of the last good input
    validation: list[str] = field(default_factory=list)  # Arelle's problems (--xbrl)
    viewed: str | None = None  # the edition last asked for: rebuilt first
    closed: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def edition(self, code: str) -> Edition:
        return self.editions.setdefault(code, Edition())

    def publish(self, update: Callable[[], None], codes: list[str]) -> None:
        """Apply an update and tell the pages of these editions to reload."""
        with self.changed:
            update()
            for code in codes:
                self.edition(code).version += 1
            self.changed.notify_all()

    def wait_for_change(self, code: str, seen: int | None, timeout: float) -> int:
        """The edition's version, once it differs from `seen` (or the timeout passes)."""
        with self.changed:
            self.changed.wait_for(lambda: self.closed or self.edition(code).version != seen, timeout)
            return self.edition(code).version

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


# --- rebuilding -------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    """What one rebuild took, for the terminal and the benchmark."""

    seconds: float
    editions: dict[str, float] = field(default_factory=dict)  # language -> seconds from the start to its page
    ok: bool = True


def rebuild(preview: Preview, company_yaml: Path, *, xbrl: bool = False) -> Rebuilt:
    """Load, check and render every edition, the one being viewed first, publishing each as it
    is ready. An input or template error is published as the page's problems, never raised."""
    start = time.perf_counter()
    result = Rebuilt(0.0)
    try:
        loaded = load(company_yaml)
        findings = run_checks(loaded)
        precompile_templates(loaded.folder)  # here, so that the bounded child renders with them compiled
        languages = _viewed_first(loaded.languages, preview.viewed)
        documents = {}
        for code in languages:
            documents[code] = _render_edition(loaded.in_language(code), findings, xbrl=xbrl)

            def show(code=code):
                preview.languages, preview.problems, preview.findings = loaded.languages, [], findings
                preview.edition(code).html = documents[code].html

            # the edition being viewed is shown as soon as it is ready; the others follow
            preview.publish(show, [code])
            result.editions[code] = time.perf_counter() - start
        if xbrl:  # after the pages are shown: Arelle takes seconds; its findings follow
            problems = _validated(loaded, documents)
            preview.publish(lambda: setattr(preview, "validation", problems), languages)
    except InputError as e:  # a template error is one too
        _failed(preview, e.problems, result)
    except BuildError as e:
        _failed(preview, [Problem(str(e))], result)
    except Exception as e:  # noqa: BLE001 - a bug of ours must not stop the preview either
        if os.environ.get("BUILD_REPORT_DEBUG"):
            traceback.print_exc()
        _failed(preview, [Problem(f"internal error: {type(e).__name__}: {e}. This is a bug in build-report, not "
                                  "in your input; run with BUILD_REPORT_DEBUG=1 to see the traceback, and please "
                                  "report it")], result)
    result.seconds = time.perf_counter() - start
    return result


def _viewed_first(languages: list[str], viewed: str | None) -> list[str]:
    return sorted(languages, key=lambda code: code != viewed)


def _render_edition(loaded: Loaded, findings: list[Finding], *, xbrl: bool) -> Documents:
    """The edition's HTML (and inline XBRL with --xbrl), rendered in the build's bounded child
    process: a template that loops is stopped after its seconds there, and the preview goes on."""
    view = compute(loaded, findings, language=loaded.language)
    # drawn here, not in the child: a chart whose figures did not change is not drawn again, and
    # matplotlib is imported once, not by every child
    draw_unchanged_from_cache(view.charts)
    return render_documents(loaded, view, xbrl=xbrl, pdf=False)


def _failed(preview: Preview, problems: list[Problem], result: Rebuilt) -> None:
    result.ok = False
    preview.publish(lambda: setattr(preview, "problems", problems), list(preview.languages))


def _validated(loaded: Loaded, documents: dict[str, Documents]) -> list[str]:
    """Arelle's problems with each edition's inline XBRL, validated in a temporary folder (never
    the report's): the problems are said in the user's terms, as a build says them."""
    from .extension import extension_files
    from .validate import validate_report
    from .write import edition_name

    problems = []
    with tempfile.TemporaryDirectory(prefix="build-report-serve-") as folder:
        for name, content in extension_files(loaded.taxonomy, loaded.edition).items():
            Path(folder, name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        for code, edition in documents.items():
            xhtml = Path(folder, edition_name("report.xhtml", code, loaded.languages))
            xhtml.write_bytes(edition.xhtml)
            checked = validate_report(xhtml, loaded.in_language(code), edition.facts)
            # the places as the author sees them, relative to the report's folder
            problems += [f"{xhtml.name}: {p.replace(str(loaded.folder) + os.sep, '')}" for p in checked.problems]
    return problems


# --- the pages --------------------------------------------------------------------------------


def place(problem: Problem | None, folder: Path) -> str:
    """file:line:col of a problem, the file relative to the report's folder as its author sees it."""
    if problem is None or problem.file is None:
        return ""
    file = Path(problem.file)
    try:
        file = file.resolve().relative_to(folder)
    except (OSError, ValueError):
        pass
    where = str(file)
    if problem.line is not None:
        where += f":{problem.line}:{problem.column or 1}"
    return where


def problem_text(problem: Problem, folder: Path) -> str:
    where = place(problem, folder)
    path = f"{problem.yaml_path}: " if problem.yaml_path else ""
    return f"{where}: {path}{problem.message}" if where else f"{path}{problem.message}"


def finding_text(finding: Finding, folder: Path) -> str:
    where = place(finding.where, folder)
    path = f"{finding.where.yaml_path}: " if finding.where and finding.where.yaml_path else ""
    return f"{where + ': ' if where else ''}{path}{finding.severity} {finding.code}: {finding.message}"


PAGE_STYLE = """
#build-report-preview-problems, #build-report-preview-findings {
  position: fixed; z-index: 2147483647; font: 14px/1.45 system-ui, sans-serif; color: #1b1b1b;
  background: #fff; box-shadow: 0 2px 12px rgba(0,0,0,.25); overflow: auto; }
#build-report-preview-problems { top: 0; left: 0; right: 0; max-height: 60vh; padding: 1em 1.5em;
  border-top: 6px solid #b3261e; }
#build-report-preview-findings { bottom: 1em; right: 1em; max-width: min(46em, 90vw); max-height: 40vh;
  padding: .75em 1em; border-left: 6px solid #b26a00; }
#build-report-preview-problems h2, #build-report-preview-findings h2 { font-size: 1em; margin: 0 0 .5em; }
#build-report-preview-problems ul, #build-report-preview-findings ul { margin: 0; padding-left: 1.2em; }
#build-report-preview-problems code, #build-report-preview-findings code { font: 13px/1.4 ui-monospace, monospace;
  white-space: pre-wrap; word-break: break-word; }
#build-report-preview-findings button { float: right; font: inherit; margin-left: 1em; cursor: pointer; }
#build-report-preview-editions { margin: .5em 0 0; }
"""

# Reloads the page when its edition changes, keeping where the reader was; the findings panel,
# once closed, stays closed until the findings change.
PAGE_SCRIPT = """
(() => {
  const me = document.currentScript.dataset;
  const scrollKey = "build-report-preview-scroll:" + location.pathname;
  history.scrollRestoration = "manual";
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    window.scrollTo(x, y);
    addEventListener("load", () => window.scrollTo(x, y));
  }
  const events = new EventSource("/events?edition=" + encodeURIComponent(me.edition));
  events.onmessage = (event) => {
    if (event.data !== me.version) {
      sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
      events.close();
      location.reload();
    }
  };
  const panel = document.getElementById("build-report-preview-findings");
  if (panel) {
    const closedKey = "build-report-preview-closed:" + panel.dataset.findings;
    if (sessionStorage.getItem(closedKey)) panel.hidden = true;
    panel.querySelector("button").addEventListener("click", () => {
      panel.hidden = true;
      sessionStorage.setItem(closedKey, "1");
    });
  }
})();
"""


def page(preview: Preview, code: str) -> str:
    """The page of an edition: its last good report with the preview's panels and script, or,
    where it has none yet, the problems alone."""
    with preview.changed:
        edition = preview.edition(code)
        html, version = edition.html, edition.version
        problems, findings, validation = list(preview.problems), list(preview.findings), list(preview.validation)
    extras = Markup(f"<style>{PAGE_STYLE}</style>")
    if problems:
        extras += _problems_panel(problems, preview.folder, have_report=html is not None)
    elif findings or validation:
        extras += _findings_panel(findings, validation, preview.folder)
    extras += Markup('<script data-edition="{}" data-version="{}">{}</script>').format(
        code, str(version), Markup(PAGE_SCRIPT))
    if html is None:  # broken from the start, or still being built
        waiting = Markup("" if problems else "<p>The report is being built; this page shows it when it is ready.</p>")
        return (Markup('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>build-report serve'
                       '</title></head><body>{}{}</body></html>\n').format(waiting, extras))
    at = html.rfind("</body>")
    return html[:at] + str(extras) + html[at:] if at >= 0 else html + str(extras)  # the report is HTML already


def _problems_panel(problems: list[Problem], folder: Path, *, have_report: bool) -> Markup:
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    below = " The last good report is shown below." if have_report else ""
    items = Markup("").join(Markup("<li><code>{}</code></li>").format(problem_text(p, folder)) for p in problems)
    return Markup('<section id="build-report-preview-problems" role="alert"><h2>The report could not be '
                  'rebuilt: {}.{} It comes back with the next good save.</h2><ul>{}</ul></section>').format(
        count, below, items)


def _findings_panel(findings: list[Finding], validation: list[str], folder: Path) -> Markup:
    lines = [finding_text(f, folder) for f in findings] + validation
    errors = sum(f.severity == ERROR for f in findings)
    summary = (f"{len(findings)} check findings ({errors} errors, {len(findings) - errors} warnings)"
               if findings else "")
    if validation:
        summary += ("; " if summary else "") + f"{len(validation)} inline XBRL validation problems"
    key = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
    items = Markup("").join(Markup("<li><code>{}</code></li>").format(line) for line in lines)
    return Markup('<aside id="build-report-preview-findings" aria-label="Check findings" data-findings="{}">'
                  '<button type="button">Close</button><h2>{}</h2><ul>{}</ul></aside>').format(key, summary, items)


# --- the server -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """GET / (the first language's edition), /<language>/ (each edition), /events (the stream
    that tells a page to reload). Nothing else: no file of the folder is ever served."""

    server: "_PreviewServer"
    server_version = "build-report-serve"

    def do_GET(self) -> None:  # noqa: N802 - as http.server names it
        if not self._host_allowed():
            return self._send(HTTPStatus.FORBIDDEN, "text/plain", "unknown Host\n")
        url = urlsplit(self.path)
        preview = self.server.preview
        if url.path == "/events":
            return self._events(parse_qs(url.query).get("edition", [""])[0])
        code = self._edition(url.path)
        if code is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", "not found: the preview serves the report's "
                              "editions, at / and /<language>/\n")
        preview.viewed = code
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page(preview, code))

    def _edition(self, path: str) -> str | None:
        languages = self.server.preview.languages
        if path in ("/", "/index.html"):
            return languages[0]
        code = path.strip("/")
        return code if code in languages and path in (f"/{code}/", f"/{code}") else None

    def _host_allowed(self) -> bool:
        """A page elsewhere on the web may make the browser ask for 127.0.0.1 under its own name
        (DNS rebinding): a preview bound to this machine answers its own names only."""
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("localhost", "127.0.0.1", "::1", self.server.host.lower())

    def _events(self, code: str) -> None:
        preview = self.server.preview
        if code not in preview.languages:
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", "no such edition\n")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = None
        try:
            while not preview.closed:
                version = preview.wait_for_change(code, seen, KEEP_ALIVE_SECONDS)
                if preview.closed:
                    break
                # the current version on connecting, then each new one: a page that missed a
                # rebuild between its loading and this stream reloads all the same
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": keep-alive\n\n")
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page was closed or reloaded

    def _send(self, status: HTTPStatus, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:  # noqa: A002 - as http.server names it
        pass  # the terminal is for rebuilds and problems, not for every request


class _PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never keeps the preview from stopping

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET  # --host ::1
        super().__init__(address, _Handler)
        self.preview = preview
        self.host = address[0]
        self.loopback = _is_loopback(address[0])


def _is_loopback(host: str) -> bool:
    try:
        return all(info[4][0].startswith("127.") or info[4][0] == "::1"
                   for info in socket.getaddrinfo(host, None))
    except OSError:
        return False


def start_server(host: str, port: int, preview: Preview) -> _PreviewServer:
    """The server bound to host:port (port 0: any free one), or a UsageError saying why not."""
    try:
        server = _PreviewServer((host, port), preview)
    except socket.gaierror:
        raise UsageError(f"cannot serve on {host!r}: no such host on this machine") from None
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use (by another preview?): choose another with --port, or "
                             "--port 0 for any free one") from None
        if e.errno == errno.EACCES:
            raise UsageError(f"port {port} needs privileges: choose a port above 1023 with --port") from None
        raise UsageError(f"cannot serve on {host}:{port}: {e.strerror}") from None
    threading.Thread(target=server.serve_forever, name="build-report-serve", daemon=True).start()
    return server


# --- watching ---------------------------------------------------------------------------------


EDITOR_TEMPORARY = (".swp", ".swx", ".swo", "~", ".tmp", ".part", ".crdownload")


def is_input_change(folder: Path) -> Callable[[object, str], bool]:
    """Whether a changed path can change the report: anything in the report's folder except a
    build's output (output/ and its staging folders) and editors' temporary files."""
    def relevant(change: object, path: str) -> bool:
        try:
            parts = Path(path).relative_to(folder).parts
        except ValueError:
            return False
        if not parts or parts[0] == OUTPUT_FOLDER or parts[0].startswith((".output.new-", ".output.old-")):
            return False
        if any(part in (".git", "__pycache__", ".DS_Store") for part in parts):
            return False
        name = parts[-1]
        return not (name.endswith(EDITOR_TEMPORARY) or name.startswith((".#", "#")) or name == "4913")
    return relevant


def serve(company_yaml: Path, *, host: str = "127.0.0.1", port: int = 8000, xbrl: bool = False,
          open_browser: bool = False, echo: Callable[[str], None] = print,
          warn: Callable[[str], None] = print) -> None:
    """Serve the report's preview until interrupted (Ctrl-C, SIGTERM)."""
    from watchfiles import watch

    company_yaml = Path(company_yaml)
    if not company_yaml.is_file():
        raise UsageError(f"{company_yaml}: no such file; give the report's company.yaml")
    folder = company_yaml.resolve().parent
    preview = Preview(folder)
    server = start_server(host, port, preview)
    stop = threading.Event()
    try:
        url = f"http://{_url_host(host)}:{server.server_address[1]}/"
        echo(f"serving the preview of {company_yaml} at {url} (Ctrl-C to stop)")
        _report(rebuild(preview, company_yaml, xbrl=xbrl), preview, echo, warn)
        for code in preview.languages[1:]:
            echo(f"  the {code} edition: {url}{code}/")
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        for changes in watch(folder, watch_filter=is_input_change(folder), debounce=1600, step=DEBOUNCE_MS,
                             stop_event=stop, raise_interrupt=True):
            names = sorted({str(Path(path).relative_to(folder)) for _, path in changes})
            echo(f"changed: {', '.join(names)}")
            _report(rebuild(preview, company_yaml, xbrl=xbrl), preview, echo, warn)
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        stop.set()
        preview.close()
        server.shutdown()
        server.server_close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else ("127.0.0.1" if host in ("", "0.0.0.0") else host)


def _report(rebuilt: Rebuilt, preview: Preview, echo, warn) -> None:
    """The rebuild in the terminal: its time, or its problems, and the checks' findings."""
    if not rebuilt.ok:
        warn(f"error: the report could not be rebuilt ({rebuilt.seconds:.2f} s):")
        for problem in preview.problems:
            warn(f"  {problem_text(problem, preview.folder)}")
        return
    each = ", ".join(f"{code} {seconds:.2f} s" for code, seconds in rebuilt.editions.items())
    echo(f"rebuilt in {rebuilt.seconds:.2f} s ({each})" if len(rebuilt.editions) > 1
         else f"rebuilt in {rebuilt.seconds:.2f} s")
    for finding in preview.findings:
        warn(f"  {finding_text(finding, preview.folder)}")
    for problem in preview.validation:
        warn(f"  {problem}")
