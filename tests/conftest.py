"""Shared fixtures: the examples, built once per test session with the real pipeline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from builder.build import build

# CI runs the property tests on a fixed set of examples, so that a landing never depends on
# chance; a developer's run draws new examples each time, which is where new defects are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "company.yaml").is_file())


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build an example (HTML and PDF) once; returns a function name -> output folder."""
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            out = tmp_path_factory.mktemp(f"out-{name}")
            build(EXAMPLES / name / "company.yaml", out / "output")
            cache[name] = out / "output"
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
