"""`build-report serve`: a real server on a free port, real edits of a copy of an example, and
the page in a real headless Chromium, which is never reloaded by the test: the preview reloads
it. No timing is asserted here (benchmarks/serve_speed.py measures the rebuild)."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from builder.check import run_checks
from builder.compute import compute
from builder.load import load
from builder.render import render_documents
from builder.serve import Preview, page

from .conftest import EXAMPLES, ROOT, edit

WAIT = 60  # seconds: generous, a loaded machine rebuilds slowly; the tests never wait this long when it works


def _node_modules() -> Path:
    """`make setup`'s npm tools: in this checkout, or in the main one this worktree belongs to."""
    here = ROOT / ".tools" / "node_modules"
    if here.is_dir():
        return here
    common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return Path(common).parent / ".tools" / "node_modules" if common else here


class Server:
    """`build-report serve` running in its own process, its terminal output read as it comes."""

    def __init__(self, folder: Path, *args: str):
        env = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", "company.yaml", "--port", "0", *args], cwd=folder,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for(r"at (http://\S+/) ").group(1)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str) -> re.Match:
        """The next line of the terminal that matches, or a failure with all it printed."""
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"the preview did not print {pattern!r}:\n{''.join(self.output)}")
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class Browser:
    """Headless Chromium driven through tests/tools/browser.js, one JSON command at a time."""

    def __init__(self):
        tools = _node_modules()
        assert (tools / "playwright-core").is_dir() and shutil.which("chromium"), \
            "playwright-core and Chromium come with `make setup`"
        self.process = subprocess.Popen(["node", str(ROOT / "tests" / "tools" / "browser.js")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=os.environ | {"NODE_PATH": str(tools)})
        assert self._answer(WAIT).get("ready")

    def _answer(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, "the browser did not answer in time"
        line = self.process.stdout.readline()
        assert line, "the browser stopped"
        return json.loads(line)

    def do(self, **command) -> object:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self._answer(WAIT + 10)
        assert answer["ok"], answer["error"]
        return answer.get("value")

    def wait_for(self, js: str) -> object:
        return self.do(waitFor=js, timeout=WAIT * 1000)

    def text(self) -> str:
        return self.do(evaluate="document.body.innerText")

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve():
    """Starts previews; every one started is stopped, whatever the test did."""
    started: list[Server] = []

    def start(folder: Path, *args: str) -> Server:
        started.append(Server(folder, *args))
        return started[-1]

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def browser():
    chromium = Browser()
    try:
        yield chromium
    finally:
        chromium.close()


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under folder, with its size and modification time."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def _has_text(text: str) -> str:
    return f"document.body.innerText.includes({json.dumps(text)})"


VOLUNTEER_HOURS = "values: {2025: 5860, 2024: 5120, 2023: 4480}"


def test_an_edited_figure_shows_in_the_open_page_without_reloading_it(example_copy, serve, browser):
    folder = example_copy("harbourline-2025")
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    browser.do(goto=server.url)
    assert "5,860" in browser.text() and "6,175" not in browser.text()
    # where the reader was: the data statistics, far below the cover
    at = browser.do(evaluate="document.querySelector('#data').scrollIntoView(), Math.round(window.scrollY)")
    assert at > 1000
    edit(folder / "company.yaml", (VOLUNTEER_HOURS, "values: {2025: 6175, 2024: 5120, 2023: 4480}"))
    browser.wait_for(_has_text("6,175"))
    assert "5,860" not in browser.text()
    assert abs(browser.do(evaluate="Math.round(window.scrollY)") - at) < 50, "the reload keeps the scroll position"
    # the other edition, rebuilt after the one being viewed
    browser.do(goto=server.url + "zh-Hant/")
    browser.wait_for(_has_text("6,175"))
    assert browser.do(evaluate="document.documentElement.lang") == "zh-Hant"


def test_a_broken_yaml_shows_its_place_in_the_page_and_the_preview_recovers(example_copy, serve, browser):
    folder = example_copy("harbourline-2025")
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    browser.do(goto=server.url)
    edit(folder / "company.yaml", (VOLUNTEER_HOURS, "valeus: {2025: 6175, 2024: 5120, 2023: 4480}"))
    line = next(i for i, text in enumerate((folder / "company.yaml").read_text().splitlines(), 1) if "valeus" in text)
    problem = f"company.yaml:{line}:5: metrics.volunteer_hours.valeus: unknown key 'valeus'"
    browser.wait_for(f"document.querySelector('#build-report-preview-problems')?.innerText.includes({json.dumps(problem)})")
    assert "5,860" in browser.text(), "the last good report stays below the problems"
    assert server.wait_for(r"company\.yaml:\d+:\d+: .*valeus")  # in the terminal too
    # a YAML syntax error: its line and column
    edit(folder / "company.yaml", ("valeus: {2025: 6175,", "values: {2025: 6175,,"))
    browser.wait_for(f"/company\\.yaml:{line}:\\d+: invalid YAML/.test(document.body.innerText)")
    edit(folder / "company.yaml", ("values: {2025: 6175,,", "values: {2025: 6175,"))
    browser.wait_for(f"!document.querySelector('#build-report-preview-problems') && {_has_text('6,175')}")
    assert server.process.poll() is None, "the preview kept running"


def test_a_report_broken_from_the_start_is_served_as_its_problems_until_it_is_fixed(example_copy, serve):
    folder = example_copy("360digitech-2021")
    yaml_file = folder / "company.yaml"
    good = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(good.replace("report:", "report:\n  bogus: 1", 1), encoding="utf-8")
    server = serve(folder)
    server.wait_for(r"error: the report could not be rebuilt")
    shown = urllib.request.urlopen(server.url, timeout=WAIT).read().decode("utf-8")
    assert re.search(r"company\.yaml:\d+:\d+: report\.bogus: unknown key &#39;bogus&#39;", shown)
    assert "Traceback" not in "".join(server.output)
    yaml_file.write_text(good, encoding="utf-8")
    server.wait_for(r"rebuilt in")
    shown = urllib.request.urlopen(server.url, timeout=WAIT).read().decode("utf-8")
    assert "build-report-preview-problems\"" not in shown and "Data statistics" in shown


def test_a_template_error_shows_its_file_and_line(example_copy, serve, browser):
    folder = example_copy("360digitech-2021")
    (folder / "templates").mkdir()
    cover = (ROOT / "templates" / "cover.html").read_text(encoding="utf-8")
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    browser.do(goto=server.url)
    (folder / "templates" / "cover.html").write_text(cover + "{% if %}\n", encoding="utf-8")
    line = cover.count("\n") + 1
    browser.wait_for(f"document.body.innerText.includes('templates/cover.html:{line}:1: template syntax error')")
    (folder / "templates" / "cover.html").write_text(cover.replace('<p class="cover-kicker">', '<p class="cover-kicker">Draft ', 1), encoding="utf-8")
    browser.wait_for("!document.querySelector('#build-report-preview-problems') && "
                     "document.body.innerText.includes('Draft 2021')")


def test_check_findings_are_a_panel_that_can_be_closed(example_copy, serve, browser):
    folder = example_copy("harbourline-2025")
    edit(folder / "company.yaml", ("values: {2025: 9842.6, 2024: 10310.4, 2023: 10655.0}",
                                   "values: {2025: 9942.6, 2024: 10310.4, 2023: 10655.0}"))
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    server.wait_for(r"company\.yaml:\d+:\d+: .*error I01")  # in the terminal too
    browser.do(goto=server.url)
    panel = browser.do(evaluate="document.querySelector('#build-report-preview-findings').innerText")
    assert re.search(r"company\.yaml:\d+:\d+: metrics\.ghg_scope1\.values\.2025: error I01", panel)
    browser.do(evaluate="document.querySelector('#build-report-preview-findings button').click()")
    assert browser.do(evaluate="document.querySelector('#build-report-preview-findings').hidden")


def test_the_preview_never_writes_into_the_report_folder(example_copy, serve, browser):
    folder = example_copy("harbourline-2025")
    before = _files(folder)
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    browser.do(goto=server.url)
    (folder / "narrative" / "energy.md").write_text(
        (folder / "narrative" / "energy.md").read_text(encoding="utf-8") + "\nA sentence added in the preview.\n",
        encoding="utf-8")
    browser.wait_for(_has_text("A sentence added in the preview."))
    assert server.stop() == 0
    after = _files(folder)
    del after["narrative/energy.md"], before["narrative/energy.md"]
    assert after == before


def test_it_serves_the_report_alone_to_this_machine_alone(example_copy, serve):
    folder = example_copy("360digitech-2021")
    server = serve(folder)
    server.wait_for(r"rebuilt in")
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")

    def get(path: str, host_header: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(host, int(port), timeout=WAIT)
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host_header or f"{host}:{port}")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()

    assert get("/")[0] == 200
    for path in ("/company.yaml", "/../company.yaml", "/narrative/", "/%2e%2e/company.yaml", "/output/report.html"):
        assert get(path)[0] == 404, path
    assert get("/", "attacker.example:80")[0] == 403, "a page under another name (DNS rebinding) is refused"
    assert server.process.poll() is None


def test_a_busy_port_is_said_plainly(example_copy):
    folder = example_copy("360digitech-2021")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "builder", "serve", "company.yaml", "--port", str(port)],
                                cwd=folder, capture_output=True, text=True, timeout=WAIT,
                                env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert f"error: port {port} is in use" in result.stderr and "--port 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_preview_script_is_in_the_preview_alone():
    """The report as built has no script; the preview's page is that report with its panels and
    script added, and nothing else changed."""
    loaded = load(EXAMPLES / "360digitech-2021" / "company.yaml")
    html = render_documents(loaded, compute(loaded, run_checks(loaded)), xbrl=False, pdf=False).html
    assert "<script" not in html
    preview = Preview(loaded.folder)
    preview.edition("en").html = html
    shown = page(preview, "en")
    assert "EventSource" in shown
    assert re.sub(r"<style>\n#build-report-preview-.*?</script>", "", shown, flags=re.S) == html
