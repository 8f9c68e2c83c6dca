"""Write stage: all outputs appear at once, or not at all, and nothing that is not ours is lost.

Outputs are written into a staging folder beside the output folder (some by Arelle, which
writes files itself), each checked to be whole, and swapped in only when every step
succeeded, so a failed build leaves the previous report exactly as it was.

A manifest in the output folder lists every file the build wrote with its SHA-256. The next
build replaces the folder only if it holds exactly those files, unchanged: a file the user
added or edited there is never deleted; the build is refused and names it instead.

Each staging folder is locked (flock) by the build that writes it. A folder left by a build
that was killed is unlocked, so the next build recognises it, removes it, and puts back a
previous output that a killed swap had set aside.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .extension import FILES as EXTENSION_FILES
from .i18n import LANGUAGES
from .package import NAME as PACKAGE_NAME
from .errors import UsageError, WriteError

MANIFEST = ".build-report.json"  # what the last build wrote, with hashes
LEGACY_MARKER = ".build-report"  # the marker of builds before the manifest
# Every name a build may write. A manifest naming anything else (a path, '..') is not ours: it
# can never make a build delete a file of the user's, inside the folder or outside it.
# An edition's files in a report of several languages say their language (report.zh-Hant.pdf).
EDITION_NAMES = ("report.html", "report.pdf", "report.xhtml", "report.json", "validation.json", "validation.txt",
                 "viewer.html", PACKAGE_NAME)
SHARED_NAMES = ("ixbrlviewer.js", *EXTENSION_FILES)  # one for every edition


def edition_name(name: str, language: str, languages: list[str]) -> str:
    """The name of an edition's file: report.html alone, report.en.html beside report.zh-Hant.html."""
    if len(languages) == 1:
        return name
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{language}{dot}{suffix}"


OUTPUT_NAMES = frozenset({*EDITION_NAMES, *SHARED_NAMES,
                          *(edition_name(n, code, list(LANGUAGES)) for n in EDITION_NAMES for code in LANGUAGES)})
# What a build before the manifest wrote, beside its marker: a folder of such a build is trusted
# to hold these alone (a file of any later name there is not ours, whatever it is called).
LEGACY_NAMES = frozenset({"report.html", "report.pdf", "report.xhtml", "report.json", "validation.json",
                          "validation.txt", "viewer.html", "ixbrlviewer.js", LEGACY_MARKER})
STAGING_MARK = ".build-report-staging"  # inside a staging folder while it is written
SHOWN = 10  # foreign files named in a refusal


def check_output_folder(out_dir: Path, inputs: Path, input_files: list[Path] = ()) -> None:
    """Refuse an output folder whose replacement would lose anything that is not our output."""
    try:
        out_dir = out_dir.resolve()
    except RuntimeError:  # Python 3.11: a loop of symbolic links
        raise UsageError(f"the output folder {out_dir} is a symbolic link that loops") from None
    if out_dir == inputs or out_dir in inputs.parents:
        raise UsageError(f"the output folder {out_dir} holds the report's own files; choose another folder")
    if out_dir.is_relative_to(inputs / "templates"):
        raise UsageError(f"the output folder {out_dir} is inside templates/, which the build reads; choose "
                         "another folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder")
    read_here = sorted(str(f.relative_to(out_dir)) for f in input_files if f.resolve().is_relative_to(out_dir))
    if read_here:
        raise UsageError(f"the output folder {out_dir} holds files the report reads ({', '.join(read_here)}), "
                         "and a build replaces that folder: move them out of it, or choose another folder with -o")
    if out_dir.is_dir():
        _refuse_foreign(out_dir)


def _refuse_foreign(out_dir: Path) -> None:
    foreign = foreign_files(out_dir)
    if foreign:
        listed = "\n  ".join(foreign[:SHOWN]) + (f"\n  (and {len(foreign) - SHOWN} more)" if len(foreign) > SHOWN else "")
        raise UsageError(
            f"the output folder {out_dir} holds files that build-report did not write, or that changed since it "
            f"wrote them; a build replaces that folder, so nothing was written:\n  {listed}\n"
            "Move them out of the folder (or delete them yourself), or choose another folder with -o.")


def foreign_files(folder: Path) -> list[str]:
    """The entries of a folder that the manifest does not list as written by us, or that changed
    since ("name (changed)"); empty for an empty folder or one that is exactly our last output."""
    present = _entries(folder)
    manifest = _read_manifest(folder)
    if manifest is None:  # an older build's marker: its known names are ours, as that build promised
        if (folder / LEGACY_MARKER).is_file():
            return sorted(name for name in present if name not in LEGACY_NAMES)
        return sorted(present)
    foreign = []
    for name, kind in sorted(present.items()):
        if name == MANIFEST:
            continue
        if name not in manifest or kind != "file":
            foreign.append(name)
        elif _sha256(folder / name) != manifest[name]:
            foreign.append(f"{name} (changed since the last build wrote it)")
    return foreign


def _entries(folder: Path) -> dict[str, str]:
    """Every entry below folder, by its relative path: 'file', 'dir' or 'other' (links included)."""
    entries: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            kind = "other" if path.is_symlink() else "dir" if path.is_dir() else "file" if path.is_file() else "other"
            entries[str(path.relative_to(folder))] = kind
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
    return entries


def _read_manifest(folder: Path) -> dict[str, str] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        if isinstance(files, dict) and all(name in OUTPUT_NAMES and isinstance(digest, str)
                                           for name, digest in files.items()):
            return files
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Stage:
    """The staging folder of one build: what is written there, and how each file is checked."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.expected: dict[str, str] = {}  # written from memory: name -> sha256 of the content
        self.checks: dict[str, Callable[[Path], bool]] = {}  # written by another tool: name -> is it whole?

    def write(self, name: str, content: bytes | str) -> Path:
        if isinstance(content, str):
            content = content.encode("utf-8")
        target = self.folder / name
        with target.open("wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        self.expected[name] = hashlib.sha256(content).hexdigest()
        return target

    @property
    def outputs(self) -> list[str]:
        """The names of the outputs written so far."""
        return sorted({*self.expected, *self.checks} - {MANIFEST})

    def expect(self, name: str, whole: Callable[[Path], bool]) -> Path:
        """A file that another tool (Arelle) writes: checked with `whole` before the swap."""
        self.checks[name] = whole
        return self.folder / name

    def seal(self) -> None:
        """Check that every output is there and whole, then write the manifest of them all."""
        present = {name for name, kind in _entries(self.folder).items() if kind == "file"} - {STAGING_MARK}
        hashes = {}
        for name in sorted(present | set(self.expected) | set(self.checks)):
            path = self.folder / name
            if not path.is_file():
                raise WriteError(f"{name} was not written (is the disk full?); the previous output is kept")
            hashes[name] = _sha256(path)
            if name in self.expected and hashes[name] != self.expected[name]:
                raise WriteError(f"{name} was not written whole (is the disk full?); the previous output is kept")
            if name in self.checks and not self.checks[name](path):
                raise WriteError(f"{name} was not written whole (is the disk full?); the previous output is kept")
        manifest = {"written_by": "build-report", "note": "build-report replaces this folder at each build, "
                    "as long as it holds exactly these files", "files": hashes}
        self.write(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        (self.folder / STAGING_MARK).unlink()
        _fsync_dir(self.folder)


@contextlib.contextmanager
def staged_output(out_dir: Path) -> Iterator[Stage]:
    """A staging folder that replaces out_dir when the block ends without an exception."""
    out_dir = out_dir.resolve()
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale(out_dir)
        staging = out_dir.with_name(f".{out_dir.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
        staging.mkdir(mode=0o700)
    except OSError as e:
        raise WriteError(f"cannot write to {parent}: {e.strerror}") from None
    lock = _lock(staging)
    try:
        (staging / STAGING_MARK).write_text("a build-report build writes here; removed when it ends\n")
        stage = Stage(staging)
        yield stage
        stage.seal()
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    except OSError as e:
        raise WriteError(f"cannot write the outputs to {out_dir}: {e.strerror or e}; "
                          "the previous output is kept") from None
    finally:
        if staging.exists():
            with contextlib.suppress(OSError):
                _remove_ours(staging, staging=True)
        os.close(lock)


def remove_stale(out_dir: Path) -> None:
    """Clear what builds that were killed left beside out_dir: their staging folders, and a
    previous output set aside by a swap that did not finish, which is put back."""
    ours = re.compile(rf"\.{re.escape(out_dir.name)}\.(new|old)-\d+-[0-9a-f]{{8}}")
    for entry in sorted(out_dir.parent.glob(f".{glob.escape(out_dir.name)}.*-*")):
        match = ours.fullmatch(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir():
            continue  # a name of the user's, however like ours: leave it
        kind = match.group(1)
        marked = (entry / STAGING_MARK).is_file() if kind == "new" else not foreign_files(entry)
        if not marked:
            continue  # not a folder of ours, or changed since: leave it
        try:
            lock = _lock(entry, wait=False)
        except BlockingIOError:
            continue  # a build still running
        try:
            if kind == "old" and not out_dir.exists():
                os.rename(entry, out_dir)  # the swap was killed between its two renames
            else:
                _remove_ours(entry, staging=kind == "new")
        finally:
            os.close(lock)


def _lock(folder: Path, wait: bool = True) -> int:
    """An exclusive lock on a folder, held until the descriptor is closed or the process dies."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _swap(staging: Path, out_dir: Path) -> None:
    # rename() is atomic for each step; between the two steps the old folder still exists
    # under its backup name (locked, so that a build killed here has it put back by the next),
    # and only our own files are removed from it once the new one is in place.
    if not out_dir.exists():
        os.rename(staging, out_dir)
        _fsync_dir(out_dir.parent)
        return
    _refuse_foreign(out_dir)  # again: a file may have been added during the build
    backup = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{os.urandom(4).hex()}")
    lock = _lock(out_dir)
    try:
        os.rename(out_dir, backup)
        try:
            os.rename(staging, out_dir)
        except OSError:
            os.rename(backup, out_dir)
            raise
        _fsync_dir(out_dir.parent)
        _remove_ours(backup)
    finally:
        os.close(lock)


def _remove_ours(folder: Path, staging: bool = False) -> None:
    """Remove the files of a previous output that its manifest lists unchanged (or, from the
    staging folder of a killed build, the files a build writes), then the folder if nothing
    else is left in it."""
    manifest = {} if staging else _read_manifest(folder) or {}
    if staging:
        names = OUTPUT_NAMES | {MANIFEST, STAGING_MARK}
    else:
        names = set(manifest) | {MANIFEST} if manifest else LEGACY_NAMES
    for name in names:
        path = folder / name
        if path.is_file() and not path.is_symlink() and (name not in manifest or _sha256(path) == manifest[name]):
            path.unlink()
    for root, _, _ in os.walk(folder, topdown=False):
        with contextlib.suppress(OSError):
            os.rmdir(root)  # only if empty


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
