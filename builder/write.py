"""Write stage: all outputs appear at once, or not at all.

Outputs are written into a staging folder beside the output folder (some by Arelle, which
writes files itself) and swapped in only when every step succeeded, so a failed build leaves
the previous report exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError, UsageError


MARKER = ".build-report"  # marks a folder as ours to replace
OUTPUT_NAMES = {MARKER, "report.html", "report.pdf", "report.xhtml", "report.json", "validation.json",
                "validation.txt", "viewer.html", "ixbrlviewer.js"}


def check_output_folder(out_dir: Path, inputs: Path) -> None:
    """Refuse an output folder whose replacement would lose anything that is not our output."""
    out_dir = out_dir.resolve()
    if out_dir == inputs or out_dir in inputs.parents:
        raise UsageError(f"the output folder {out_dir} holds the report's own files; choose another folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    if out_dir.is_dir() and not (out_dir / MARKER).is_file() and {p.name for p in out_dir.iterdir()} - OUTPUT_NAMES:
        raise UsageError(
            f"the folder {out_dir} is not empty and was not written by build-report; "
            "choose a new or empty folder (a build replaces its output folder as a whole)"
        )


@contextlib.contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """A staging folder that replaces out_dir when the block ends without an exception."""
    out_dir = out_dir.resolve()
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as e:
        raise OutputError(f"cannot write to {parent}: {e.strerror}") from None
    try:
        yield staging
        (staging / MARKER).write_text("This folder is written by build-report, which replaces it at each build.\n")
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    except OSError as e:
        raise OutputError(f"cannot write the outputs to {out_dir}: {e.strerror}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_file(folder: Path, name: str, content: bytes | str) -> Path:
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    target.write_bytes(content)
    return target


def _swap(staging: Path, out_dir: Path) -> None:
    # rename() is atomic for each step; between the two steps the old folder still exists
    # under its backup name, and it is removed only once the new one is in place.
    backup = None
    if out_dir.exists():
        backup = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.rename(out_dir, backup)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if backup is not None:
            os.rename(backup, out_dir)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
