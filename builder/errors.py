"""The errors a user can meet, one hierarchy, mapped to exit codes only in the CLI.

Every error a user sees is a ``BuildError``. Input problems carry the place they come from
(file, line, column and the YAML path) so that all of them can be reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where it is."""

    message: str
    file: Path | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    yaml_path: str | None = None
    cell: str | None = None  # in a workbook: its sheet and cell, Energy!D14

    def __str__(self) -> str:
        place = ""
        if self.file is not None:
            place = str(self.file)
            if self.cell is not None:
                place += f"!{self.cell}"
            elif self.line is not None:
                place += f":{self.line}:{self.column or 1}"
            place += ": "
        where = f"{self.yaml_path}: " if self.yaml_path else ""
        return f"{place}{where}{self.message}"


class BuildError(Exception):
    """Any error meant for the user; never shown with a traceback."""

    exit_code = 1


class InputError(BuildError):
    """The input is wrong: bad YAML, a schema violation, a missing file. Exit code 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = Problem(problems)
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        count = len(self.problems)
        heading = "1 problem in the input" if count == 1 else f"{count} problems in the input"
        super().__init__(heading + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class UsageError(BuildError):
    """The command was called wrongly. Exit code 2."""

    exit_code = 2


class BatchFailed(BuildError):
    """Some of several reports failed; the exit code is the worst of theirs (2 over 1)."""

    def __init__(self, exit_code: int, message: str):
        super().__init__(message)
        self.exit_code = exit_code


class TemplateError(InputError):
    """A template (built-in or the user's override) could not be rendered."""


class ChecksFailed(BuildError):
    """The report fails the integrity or completeness checks. Exit code 1."""

    exit_code = 1

    def __init__(self, findings: list, strict: bool):
        self.findings = findings
        what = "errors or warnings (--strict)" if strict else "errors"
        super().__init__(f"the report fails its checks ({len(findings)} {what}):\n"
                         + "\n".join(f"  {f}" for f in findings))


class ValidationFailed(BuildError):
    """The inline XBRL report does not pass Arelle's validation. Exit code 1."""

    exit_code = 1

    def __init__(self, problems: list[str], summary: str):
        self.problems = problems
        super().__init__(f"the inline XBRL report fails validation ({summary}):\n" + "\n".join(f"  {p}" for p in problems))


class OutputError(BuildError):
    """The outputs could not be produced or written. Exit code 1."""

    exit_code = 1


class WriteError(OutputError):
    """The outputs could not be written where the user asked (a full disk, no permission).
    Exit code 2: like a wrong output folder, it is for the user to put right, and the previous
    output is kept."""

    exit_code = 2


def _folded(word: str) -> str:
    return "".join(ch for ch in word.casefold() if ch not in "_- ")


def closest(word: str, candidates) -> list[str]:
    """The candidate a misspelt word most likely meant, as a list of at most one: first one that
    differs only in case, underscores, hyphens or spaces (ghg_scope_2 is ghg_scope2, not the
    ghg_scope1_2 that a plain similarity ranks first), else the most similar."""
    import difflib

    candidates = [str(c) for c in candidates]
    same = [c for c in candidates if _folded(c) == _folded(str(word))]
    return same[:1] or difflib.get_close_matches(str(word), candidates, n=1)
