"""Validate stage: Arelle, offline, with our taxonomy package.

Arelle is run through its supported embedding API (arelle.api.Session). Only one Session may
run in a process at a time, so every call here opens one, runs it and closes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .bounded import cycles_left_for_later


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
    plugins: dict[str, dict[str, Any]] | None = None,
    **options: Any,
) -> ArelleResult:
    """Load (and validate) an entry point or instance; inspect(model) runs before it closes.
    packages: the taxonomy packages it resolves the taxonomy's addresses with (ours by default)."""
    from arelle.api.Session import Session
    from arelle.logging.handlers.StructuredMessageLogHandler import StructuredMessageLogHandler
    from arelle.RuntimeOptions import RuntimeOptions

    if packages is None:
        from .taxonomy import PACKAGE_ZIP

        packages = [PACKAGE_ZIP]
    runtime = RuntimeOptions(
        entrypointFile=str(entry_point),
        packages=[str(p) for p in packages],
        internetConnectivity="offline",
        disablePersistentConfig=True,
        logLevel="INFO",
        keepOpen=inspect is not None,
        validate=True,
        utrValidate=True,
        plugins="|".join(plugins) if plugins else None,
        pluginOptions={k: v for opts in (plugins or {}).values() for k, v in opts.items()} or None,
        **options,
    )
    handler = StructuredMessageLogHandler()
    inspected = None
    with Session() as session, cycles_left_for_later():
        session.run(runtime, logHandler=handler)
        messages = list(session.get_log_messages())
        if inspect is not None:
            models = session.get_models()
            inspected = inspect(models[0] if models else None)
    # Arelle reports its own progress ("loaded in 0.2 secs") as INFO; keep only findings
    findings = [_plain(m) for m in messages if m.get("levelname") != "INFO"]
    return ArelleResult(findings, inspected, Counter(m["levelname"] for m in findings))


def _plain(message: dict[str, Any]) -> dict[str, Any]:
    """What is read of a message, as plain values: it is sent back from a child process."""
    refs = [{"href": r.get("href")} for r in message.get("refs", []) if isinstance(r, dict)]
    return {"levelname": message["levelname"], "messageCode": message.get("messageCode"),
            "msg": str(message.get("msg", "")), "refs": refs}


# --- the report's own validation, said in the user's terms --------------------------------

# The report's own documents (the inline XBRL, the company's extension taxonomy) are validated in
# full; the framework's taxonomy, the same shipped files in every build, is not validated again in
# each (Arelle's "base taxonomy" mode none: 40% of a validation's time): tests/test_taxonomy.py
# validates every entry point of it in full, and `make taxonomy` regenerates it.
REPORT_OPTIONS = {"calcs": "c11r", "validateDuplicateFacts": "inconsistent", "baseTaxonomyValidationMode": "none"}

PLUGIN_OIM = "saveLoadableOIM"
PLUGIN_VIEWER = "ixbrl-viewer"


def viewer_script_copied(copy: Path) -> bool:
    """Whether the viewer's script beside the report is the plugin's whole: the plugin does not
    say when copying it failed."""
    import importlib.util

    plugin = Path(importlib.util.find_spec("iXBRLViewerPlugin").origin).parent
    original = plugin / "viewer" / "dist" / copy.name
    return copy.stat().st_size == original.stat().st_size and copy.read_bytes() == original.read_bytes()


@dataclass
class ReportValidation:
    result: ArelleResult
    facts: int
    problems: list[str]
    file: str = ""  # the name of the file validated
    report: str = ""  # the inline XBRL report in it, when it is a report package

    @property
    def failed(self) -> bool:
        return bool(self.result.errors or self.result.warnings or self.result.inconsistencies)

    def as_json(self) -> dict[str, Any]:
        counts = {"errors": len(self.result.errors), "warnings": len(self.result.warnings),
                  "inconsistencies": len(self.result.inconsistencies)}
        return {
            "validator": f"Arelle {_arelle_version()}",
            "options": {"calculations": "1.1, round to nearest", "utr": True, "dimensions": True, "offline": True,
                        "base_taxonomy_validation": REPORT_OPTIONS["baseTaxonomyValidationMode"]},
            "facts": self.facts,
            **counts,
            "problems": self.problems,
            "messages": [
                {"level": m["levelname"], "code": m["messageCode"], "message": str(m["msg"]),
                 "refs": [r.get("href") for r in m.get("refs", []) if isinstance(r, dict)]}
                for m in self.result.messages
            ],
        } | ({"package": {"file": self.file, "report": self.report, "facts": self.facts, **counts}}
             if self.report else {})

    def as_text(self) -> str:
        where = f"{self.report} in its report package {self.file}" if self.report else self.file
        lines = [f"Arelle {_arelle_version()}, {where}: {self.facts} facts; {len(self.result.errors)} errors, "
                 f"{len(self.result.warnings)} warnings, {len(self.result.inconsistencies)} inconsistencies"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines) + "\n"


def _arelle_version() -> str:
    from arelle import Version

    return Version.__version__


def validate_report(xhtml: Path, loaded, facts: list, *, oim: Path | None = None, viewer: Path | None = None) -> ReportValidation:
    """Arelle on a loose inline XBRL report (the preview's), with XBRL 2.1, Dimensions, iXBRL 1.1,
    Calculations 1.1 (round to nearest) and the Unit Type Registry; optionally writing xBRL-JSON
    and the viewer. A build validates the report package instead (start_package_validation)."""
    result = _arelle(xhtml, oim, viewer)
    problems = [explain(m, loaded, facts) for m in result.messages]
    return ReportValidation(result, result.inspected or 0, problems, file=xhtml.name)


def _arelle(entry: Path, oim: Path | None = None, viewer: Path | None = None,
            packages: list[Path] | None = None) -> ArelleResult:
    """Arelle with the report's options on a report or a report package, counting its facts."""
    plugins: dict[str, dict[str, Any]] = {}
    if oim is not None:
        plugins[PLUGIN_OIM] = {"saveLoadableOIM": str(oim)}
    if viewer is not None:
        plugins[PLUGIN_VIEWER] = {"saveViewerDest": str(viewer)}
    return run_arelle(entry, packages=packages, **REPORT_OPTIONS, plugins=plugins, inspect=_facts_in_instance)


def _facts_in_instance(model) -> int:
    return len(model.factsInInstance) if model is not None else 0


def _verdict(result: ArelleResult, package: Path, report: str, loaded, facts: list) -> ReportValidation:
    problems = [explain(m, loaded, facts) for m in result.messages]
    found = result.inspected or 0
    if found != len(facts):  # a package whose report Arelle did not find, or found another
        problems.append(f"error: Arelle found {found} facts in {package.name}, not the {len(facts)} tagged in {report}")
        result.messages.append({"levelname": "ERROR", "messageCode": "builder:packageFacts", "msg": problems[-1],
                                "refs": []})
        result.levels["ERROR"] += 1
    return ReportValidation(result, found, problems, file=package.name, report=report)


# Arelle validates a 10,000-fact report in about 10 s here; its model of one takes ~400 MB.
VALIDATION_SECONDS = 600
VALIDATION_MEMORY = 3 * 1024**3
# what a worker imports ahead; ARELLE_PLUGINS_FOUND has Arelle find its plugins there, once (it
# sets Arelle's global state: imported only in processes of the builder's own)
ARELLE_PLUGINS_FOUND = "builder.arelle_plugins"
ARELLE_MODULES = ("arelle.api.Session", "arelle.RuntimeOptions",
                  "arelle.logging.handlers.StructuredMessageLogHandler", ARELLE_PLUGINS_FOUND)


@dataclass
class PendingValidation:
    """An edition's report package being validated by Arelle in its bounded child process: its
    structure (Report Package 1.0) and the inline XBRL report in it. The report and its extension
    taxonomy in the package are the very bytes written beside it, in the same places relative to
    each other, so this one run answers for those files too."""

    running: Any
    package: Path
    report: str
    loaded: Any
    facts: list


def start_package_validation(package: Path, report: str, loaded, facts: list, oim: Path | None,
                             viewer: Path | None, worker) -> PendingValidation:
    """Arelle started on the package in a Worker prepared with ARELLE_MODULES (Arelle allows one
    session per process), beside the other editions' validations and the PDF layouts, writing the
    xBRL-JSON and the viewer where asked; package_validation_of() gives the verdict."""
    from .taxonomy import PACKAGE_ZIP  # named here: the worker imports Arelle and little else

    running = worker.start(_arelle, package, oim, viewer, [PACKAGE_ZIP], seconds=VALIDATION_SECONDS,
                           memory=VALIDATION_MEMORY)
    return PendingValidation(running, package, report, loaded, facts)


def package_validation_of(pending: PendingValidation) -> ReportValidation:
    from .bounded import Exceeded
    from .errors import OutputError

    try:
        result = pending.running.result()
    except Exceeded as e:
        limit = (f"more than {VALIDATION_SECONDS} seconds" if e.what == "time"
                 else f"more than {VALIDATION_MEMORY // 1024**3} GB of memory")
        raise OutputError(f"Arelle's validation of the inline XBRL report took {limit} and was stopped") from None
    return _verdict(result, pending.package, pending.report, pending.loaded, pending.facts)


def explain(message: dict[str, Any], loaded, facts: list) -> str:
    """An Arelle finding in the user's terms: the metric, year and breakdown, where in the YAML;
    facts are those the tagger made."""
    code = message["messageCode"]
    facts = {f.id: f for f in facts}
    ids = []
    for ref in message.get("refs", []):
        href = ref.get("href", "") if isinstance(ref, dict) else ""
        if "#" in href:
            ids.append(href.rsplit("#", 1)[1])
    named = [facts[i] for i in ids if i in facts and facts[i].key is not None]
    if not named:
        return f"{message['levelname'].lower()}: {message['msg']} [{code}]"
    fact = named[0]
    key = fact.key
    metric = loaded.catalogue.metrics[key.metric]
    what = f"{metric.label}, {key.year}"
    if key.axis is not None:
        what += f", {loaded.catalogue.axes[key.axis].label.lower()} {key.member}"
    if key.per is not None:
        what += f", per {loaded.catalogue.metrics[key.per].per(loaded.catalogue.units[key.per_unit].label)}"
    detail = str(message["msg"]).split("\n")[0]
    if message["levelname"] == "INCONSISTENCY" and metric.sum_of:
        detail = _sum_detail(loaded, key, metric)
    return f"{loaded.source.problem(key.path, f'{what}: {detail} [{code}]')}"


def _sum_detail(loaded, key, metric) -> str:
    from .derive import figures, is_number

    all_figures = figures(loaded)
    parts = []
    for part in metric.sum_of:
        figure = all_figures[part].total.get(key.year) if part in all_figures else None
        parts.append((loaded.catalogue.metrics[part].label, figure.value if figure else None))
    total = all_figures[metric.id].total[key.year].value
    known = [v for _, v in parts if is_number(v)]
    names = " + ".join(label for label, _ in parts)
    return f"the total {total} is not the sum of its parts {sum(known)} ({names})"
