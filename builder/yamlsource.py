"""Reading a YAML file into plain data while remembering where every value came from.

PyYAML's own constructors lose positions, turn decimals into floats and let a duplicate key
silently overwrite the first. We compose the node tree and build the data ourselves: numbers
with a fraction become Decimal straight from their text, every mapping key and value keeps its
line and column, and a duplicate key is an error naming both lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

PathKey = tuple[Any, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Limits on what a company.yaml may be: far above any real report, far below harm.
MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40  # nested mappings and lists
MAX_ALIASES = 100  # *references to &anchors: an alias bomb is refused, never expanded
MAX_NODES = 200_000  # values built, aliases counted at each use


@dataclass
class SourceMap:
    """Where each path of the data stands in the file: (line, column), both 1-based."""

    file: Path
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    sequences: set[PathKey] = field(default_factory=set)  # the paths that hold lists

    def locate(self, path: PathKey, *, key: bool = False) -> tuple[int, int] | None:
        """The position of a path, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            table = self.keys if key and path in self.keys else self.values
            if path in table:
                return table[path]
            if not path:
                return None
            path = path[:-1]
            key = False

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> Problem:
        pos = self.locate(path, key=key)
        line, column = pos if pos else (None, None)
        return Problem(message, self.file, line, column, format_path(path, self.sequences))


def format_path(path: PathKey, sequences: set[PathKey] | None = None) -> str:
    """A YAML path as users write it: metrics.employees.values.2025, sections[3].title."""
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int) and not isinstance(part, bool) and _is_index(path[:i], part, sequences):
            out += f"[{part}]"
        else:
            text = str(part)
            out += ("." if out else "") + (text if len(text) <= 40 else text[:40] + "…")
    return out


# What no report can show: control characters (tab and line ends aside), lone surrogates and
# noncharacters, which XML forbids or HTML flags (a NUL or U+FFFE would break the XHTML); and the
# bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9), which make text read
# otherwise than it is stored: "1,000" shown as "000,1" in the PDF while the XBRL says 1,000. No
# report in English or Chinese needs them (the marks U+200E and U+200F stay allowed).
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
                         "\ufdd0-\ufdef"
                         + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(17)) + "]")


def unshowable(text: str) -> tuple[int, str] | None:
    """The index and a description of the first character of text that a report cannot show."""
    match = _UNSHOWABLE.search(text)
    if match is None:
        return None
    char = match.group(0)
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return match.start(), (f"a bidirectional control (U+{ord(char):04X}), which makes text read otherwise than it "
                               "is stored (a figure shown reversed); remove it")
    kind = ("a lone surrogate" if "\ud800" <= char <= "\udfff" else
            "a noncharacter" if ord(char) >= 0xfdd0 else "a control character")
    return match.start(), f"{kind} (U+{ord(char):04X}), which a report cannot show; remove it"


def _is_index(parent: PathKey, part: int, sequences: set[PathKey] | None) -> bool:
    if sequences is not None:
        return tuple(parent) in sequences
    return part < 1000  # without the file's shape: indexes are small, years are not


class _TooLarge(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Builder:
    def __init__(self, file: Path):
        self.source = SourceMap(file)
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def _problem(self, node: yaml.Node, path: PathKey, message: str) -> Problem:
        return Problem(message, self.source.file, *_pos(node), format_path(path, self.source.sequences))

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.nodes += 1
        if id(node) in self.seen and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.aliases += 1  # a collection met again: an alias of an anchor
            if self.aliases > MAX_ALIASES:
                raise _TooLarge(self._problem(node, path, f"more than {MAX_ALIASES} aliases (*name) are used; "
                                                          "write the values out"))
        self.seen.add(id(node))
        if self.nodes > MAX_NODES:
            raise _TooLarge(self._problem(node, path, f"the document holds more than {MAX_NODES:,} values"))
        if len(path) > MAX_DEPTH:
            raise _TooLarge(self._problem(node, path, f"the document is nested more than {MAX_DEPTH} levels deep"))
        self.source.values[path] = _pos(node)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in (_MAP, _SEQ):
            self.problems.append(self._problem(node, path, f"the tag {node.tag!r} is not allowed"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self.source.sequences.add(path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict:
        result: dict = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(self.source.problem(path, "a mapping key must be a plain value"))
                continue
            key = self._scalar(key_node, path)
            if isinstance(key, Decimal):
                key = str(key)
            line = _pos(key_node)[0]
            if key in first_seen:
                self.problems.append(self._problem(
                    key_node, path + (key,), f"duplicate key {key!r} (first given on line {first_seen[key]}); "
                    "the second value would silently replace the first"))
                continue
            first_seen[key] = line
            self.source.keys[path + (key,)] = _pos(key_node)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _scalar(self, node: yaml.ScalarNode, path: PathKey) -> Any:
        tag, text = node.tag, node.value
        bad = unshowable(text)
        if bad is not None:
            self.problems.append(self._problem(node, path, f"the text contains {bad[1]}"))
            return ""
        if tag == _STR:
            return text
        if tag == _INT:
            digits = text.replace("_", "")
            for base in (0, 10):  # base 0 reads 0x1F and 0o17; base 10 reads 017
                try:
                    return int(digits, base)
                except ValueError:
                    pass
            return text
        if tag == _FLOAT:
            try:
                value = Decimal(text.replace("_", ""))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                self.problems.append(self._problem(node, path, f"{text!r} is not a finite number"))
                return text
            return value
        if tag == _BOOL:
            return text.lower() in ("true", "yes", "on")
        if tag == _NULL:
            return None
        if tag == _TIMESTAMP and _DATE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                self.problems.append(self._problem(node, path, f"{text!r} is not a date that exists"))
                return None
        if tag == _TIMESTAMP:
            return text
        self.problems.append(self._problem(node, path, f"the tag {tag!r} is not allowed"))
        return None


# what PyYAML was reading when it found a problem on a later line: a {...}, a [...] or a quoted
# text that the line it opens on does not close (it names the opening's place, the "context")
_OPENED = {"while parsing a flow mapping": "the {", "while parsing a flow sequence": "the [",
           "while scanning a quoted scalar": "the quoted text"}


def _syntax_error(e: yaml.MarkedYAMLError) -> tuple[str, Any]:
    """The syntax error said, and the place it is said at. PyYAML finds a {, [ or quote left open
    where the next line goes on (its "problem"): the error is then said where it opens, which is
    the line to mend, and names what was found where."""
    problem, opened = e.problem_mark, e.context_mark
    what = _OPENED.get(e.context or "")
    if what and problem and opened and problem.line > opened.line:
        found = e.problem or "a problem"
        return (f"{what} that opens here is not closed on its line: {found} at line {problem.line + 1}, "
                f"column {problem.column + 1}"), opened
    return e.problem or e.context or str(e), problem or opened


def _syntax_hint(message: str) -> str:
    """What usually causes PyYAML's syntax errors, said plainly."""
    if "'\\t'" in message or "\\t" in message:
        return " (YAML does not allow tabs for indentation: use spaces)"
    if any(s in message for s in ("block end", "block mapping start", "mapping values are not allowed", "'?'")):
        return (" (check the indentation: keys of one mapping line up under each other, and a value "
                "that contains ': ' must be quoted)")
    return ""


# libyaml's parser (PyYAML's C binding) where it is installed: ten times as fast, with the same
# nodes, tags and places; its error messages are worded otherwise, so a document it refuses is
# parsed again by the Python parser, whose messages (and hints) the user gets.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _depth_checked(text: str, file: Path, loader=FAST_LOADER) -> None:
    """Refuse deep nesting from the event stream, before composing (which recurses)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise InputError(Problem(f"the document is nested more than {MAX_DEPTH} levels deep",
                                             file, mark.line + 1, mark.column + 1))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        if loader is not yaml.SafeLoader:  # libyaml stops at its own depth limit, or on an error the
            _depth_checked(text, file, yaml.SafeLoader)  # Python parser, which composing falls back to, may meet later
        return  # composing reports the syntax error with its place


def read_yaml(file: Path) -> tuple[Any, SourceMap]:
    """Parse a YAML file into data and its source map; every problem raises one InputError."""
    try:
        with file.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # read no more than that: the file may be /dev/zero
        if len(raw) > MAX_BYTES:
            raise InputError(Problem(f"the file is larger than {MAX_BYTES // 1024 // 1024} MB; a company.yaml is "
                                     "far smaller (put long narrative in Markdown files)", file))
    except FileNotFoundError:
        folder = file.parent.resolve() if file.parent.exists() else file.parent
        raise InputError(Problem(f"no such file in {folder}", file)) from None
    except IsADirectoryError:
        raise InputError(Problem("this is a folder, not a YAML file", file)) from None
    except OSError as e:
        raise InputError(Problem(f"cannot be read: {e.strerror}", file)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(Problem("the file is not valid UTF-8 text", file, line, column)) from None
    _depth_checked(text, file)
    try:
        try:
            node = yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        message, mark = _syntax_error(e)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError(Problem(f"invalid YAML: {message}" + _syntax_hint(message), file, line, column)) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(f"invalid YAML: {e}", file)) from None
    if node is None:
        raise InputError(Problem("the file is empty", file))
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except _TooLarge as e:
        raise InputError(e.problem) from None
    if builder.problems:
        raise InputError(builder.problems)
    if not isinstance(data, dict):
        raise InputError(Problem("the document must be a mapping of keys to values", file, 1, 1))
    return data, builder.source
