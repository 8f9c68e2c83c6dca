"""Validate stage: Arelle, offline, with our taxonomy package.

Arelle is run through its supported embedding API (arelle.api.Session). Only one Session may
run in a process at a time, so every call here opens one, runs it and closes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .taxonomy import PACKAGE_ZIP


@dataclass
class ArelleResult:
    messages: list[dict[str, Any]]
    inspected: Any = None  # what the inspect callback returned while the model was open
    levels: Counter = field(default_factory=Counter)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["levelname"] in ("ERROR", "CRITICAL")]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["levelname"] == "WARNING"]

    @property
    def inconsistencies(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["levelname"] == "INCONSISTENCY"]

    def summary(self) -> str:
        return ", ".join(f"{n} {level.lower()}" for level, n in sorted(self.levels.items())) or "no messages"


def run_arelle(
    entry_point: str | Path,
    *,
    packages: list[Path] | None = None,
    inspect: Callable[[Any], Any] | None = None,
    **options: Any,
) -> ArelleResult:
    """Load (and validate) an entry point or instance; inspect(model) runs before it closes."""
    from arelle.api.Session import Session
    from arelle.logging.handlers.StructuredMessageLogHandler import StructuredMessageLogHandler
    from arelle.RuntimeOptions import RuntimeOptions

    runtime = RuntimeOptions(
        entrypointFile=str(entry_point),
        packages=[str(p) for p in (packages or [PACKAGE_ZIP])],
        internetConnectivity="offline",
        disablePersistentConfig=True,
        logLevel="INFO",
        keepOpen=inspect is not None,
        validate=True,
        utrValidate=True,
        **options,
    )
    handler = StructuredMessageLogHandler()
    inspected = None
    with Session() as session:
        session.run(runtime, logHandler=handler)
        messages = list(session.get_log_messages())
        if inspect is not None:
            models = session.get_models()
            inspected = inspect(models[0] if models else None)
    # Arelle reports its own progress ("loaded in 0.2 secs") as INFO; keep only findings
    findings = [m for m in messages if m.get("levelname") != "INFO"]
    return ArelleResult(findings, inspected, Counter(m["levelname"] for m in findings))
