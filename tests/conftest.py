"""Shared fixtures: the examples, built once per test session with the real pipeline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from builder.build import build
from builder.i18n import LANGUAGES
from builder.write import EDITION_NAMES, edition_name

# CI runs the property tests on a fixed set of examples, so that a landing never depends on
# chance; a developer's run draws new examples each time, which is where new defects are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "company.yaml").is_file())


def in_a_fresh_python(script: str, *args, env: dict[str, str] | None = None) -> str:
    """The last line a script printed, run with args in a new interpreter (in the checkout, with
    the environment and env): what a process of its own finds (its imports, the libraries' global
    state, the environment), which this one has changed. The script must succeed."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                         env=os.environ | (env or {}))
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def _languages(name: str) -> list[str]:
    return yaml.safe_load((EXAMPLES / name / "company.yaml").read_text(encoding="utf-8"))["report"].get(
        "languages", ["en"])


# (example, language) of every edition the examples have
EXAMPLE_EDITIONS = [(name, code) for name in EXAMPLE_NAMES for code in _languages(name)]


class Output:
    """A build's output folder, whose `/ "report.html"` is the file of one edition: the only
    one's, or in a report of several languages, the first language's (report.en.html) unless
    the edition is chosen with .edition("zh-Hant"). Anything else is the folder's Path's."""

    def __init__(self, folder: Path, language: str | None = None):
        self.folder = folder
        self.languages = languages_of(folder)
        self.language = language or (self.languages[0] if self.languages else None)

    def __truediv__(self, name: str) -> Path:
        if self.languages and name in EDITION_NAMES:
            return self.folder / edition_name(name, self.language, self.languages)
        return self.folder / name

    def edition(self, language: str) -> "Output":
        """The edition in the language; a report of one language has only the one."""
        if not self.languages:
            return self
        assert language in self.languages, f"no {language} edition in {self.folder}"
        return Output(self.folder, language)

    def editions(self) -> list["Output"]:
        """Each edition's output: one, or one per language."""
        return [Output(self.folder, code) for code in self.languages] or [self]

    def __getattr__(self, name):
        return getattr(self.folder, name)

    def __fspath__(self) -> str:
        return str(self.folder)

    def __str__(self) -> str:
        return str(self.folder)


def output_of(folder: Path) -> Output:
    """The output of a build of the report in folder, into its output/."""
    return Output(folder / "output")


def languages_of(folder: Path) -> list[str]:
    """The languages of a build of several, from the names of its files (report.en.html ...)."""
    found = {p.name.split(".")[1] for p in folder.glob("report.*.html")}
    return [code for code in LANGUAGES if code in found]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build an example (HTML and PDF) once; returns a function name -> its Output."""
    cache: dict[str, Output] = {}

    def get(name: str) -> Output:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"out-{name}")
            build(EXAMPLES / name / "company.yaml", out / "output")
            cache[name] = Output(out / "output")
        return cache[name]

    return get


@pytest.fixture
def example_copy(tmp_path):
    """A writable copy of an example folder, for tests that edit its YAML."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("output"))
        return target

    return copy


def edit(yaml_file: Path, *replacements: tuple[str, str]) -> None:
    """Apply exact text replacements to a YAML file; each must match once."""
    text = yaml_file.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    yaml_file.write_text(text, encoding="utf-8")
