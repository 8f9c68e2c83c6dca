"""Load stage: company.yaml (and the Markdown and images it names) into a validated model.

Every problem found is gathered and reported at once, each with its file, line, column and
YAML path; nothing is rendered from input that has a problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args, get_origin
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError

from .catalogue import Catalogue, Edition, Issuer, load_catalogue
from .errors import InputError, Problem, closest
from .bounded import Exceeded, run_bounded
from .images import prepare_images
from .taxonomy import ITEM_TYPES
from .languages import Foreign, InLanguage, in_language
from .schema import MAX_CHART_MEMBERS, MAX_CHARTS, MAX_MARKDOWN, SUM_OF, Extensions, FootnoteAt, MarkdownFile, _text, breakdown_members, company_model, shorten
from .yamlsource import SourceMap, read_yaml, unshowable



@dataclass(repr=False)  # its repr would print the whole input, paths included, into a template
class Loaded:
    """A validated report input, with everything needed to say where a value came from."""

    data: BaseModel
    source: SourceMap
    folder: Path
    catalogue: Catalogue
    edition: Edition
    texts: dict[int, str]  # id(MarkdownFile) -> its Markdown, read once
    images: dict[str, Path]  # image paths written in the Markdown -> the files
    embedded: dict[Path, str]  # every image file shown -> its data: URI, checked and made small
    previous: dict | None = None  # last year's published metrics (raw YAML), when report.previous names them
    # the input as each language's edition sees it (data is the one of `language`)
    editions: dict[str, InLanguage] = field(default_factory=dict)
    language: str = "en"

    def __repr__(self) -> str:
        return "<the loaded report input>"

    @property
    def languages(self) -> list[str]:
        return list(self.data.report.languages)

    def in_language(self, language: str) -> "Loaded":
        """The same input, its text in another of the report's languages; the same figures."""
        return replace(self, data=self.editions[language].data, language=language)

    @property
    def issuer(self) -> Issuer:
        return Issuer(self.data.company.board, self.data.company.largecap)

    def obligation(self, provision) -> str:
        """The provision's obligation for this company in this report's financial year (the 2025
        Code phases Part D in by board, LargeCap status and year: catalogue `phasing`)."""
        return self.edition.obligation(provision, self.issuer, self.data.report.period.start)

    def member_name(self, member: str) -> str:
        """A typed member's name (a site, a region) as the edition's language writes it."""
        edition = self.editions.get(self.language)
        return edition.names.get(member, member) if edition else member

    def input_files(self) -> list[Path]:
        """Every file the build reads from the report's folder: a build must never replace them."""
        files = [self.source.file, *self.images.values()]
        files += [self.folder / value.file for edition in self.editions.values()
                  for _, value in _text_fields(edition.data) if isinstance(value, MarkdownFile)]
        files += [self.folder / rel for _, rel in _image_paths(self.data)]
        if self.data.report.previous:
            files.append(self.folder / self.data.report.previous)
        templates = self.folder / "templates"
        if templates.is_dir():
            files += [p for p in templates.rglob("*") if p.is_file()]
        return files

    @property
    def taxonomy(self):
        """The taxonomy the report is tagged against: the framework's, with the company's own
        concepts in its extension namespace."""
        if getattr(self, "_taxonomy", None) is None:
            from .extension import report_taxonomy

            self._taxonomy = report_taxonomy(self.catalogue, self.data.company, self.data.report)
        return self._taxonomy

    def text(self, value: Any) -> str:
        """The Markdown of a Text field, inline or read from its file (a Foreign one where the
        edition shows another language's file in place of its own)."""
        if isinstance(value, MarkdownFile):
            edition = self.editions.get(self.language)
            shown_in = edition.foreign_files.get(id(value)) if edition else None
            return Foreign(self.texts[id(value)], shown_in) if shown_in else self.texts[id(value)]
        return value


def load(file: Path) -> Loaded:
    file = Path(file)
    raw, source = read_yaml(file)
    catalogue, model = _report_catalogue(raw, source)
    try:
        data = model.model_validate(raw)
    except ValidationError as e:
        raise InputError(_without_echoes([_problem(source, model, err) for err in e.errors()])) from None
    catalogue = catalogue.with_combinations(_combinations_used(data, catalogue))
    edition = catalogue.editions[data.report.edition]
    folder = file.resolve().parent
    # every edition's text; the checks of text run on each, the others on the first (its figures
    # and ids are every edition's)
    editions = {code: in_language(data, code, folder) for code in data.report.languages}
    first = data.report.languages[0]
    data = editions[first].data
    problems = _cross_check(data, source, catalogue, edition, folder)
    _distinct_names(data, source, problems)
    texts: dict[int, str] = {}
    uses = _named_images(data, source, folder, problems)
    images: dict[str, Path] = {}
    for code, in_edition in editions.items():
        places = in_edition.places
        texts |= _read_texts(in_edition.data, source, folder, problems, places, texts)
        images |= _markdown_images(in_edition.data, source, folder, texts, problems, uses, places)
        _check_tables(in_edition.data, source, folder, texts, problems, places)
        _check_length(in_edition.data, source, texts, problems, places)
    embedded = _embedded_images(uses, problems)
    loaded = Loaded(data, source, folder, catalogue, edition, texts, images, embedded,
                    _previous_metrics(data, source, folder, problems), editions, first)
    for code in editions:
        _check_references(loaded.in_language(code), problems)
    if catalogue.extended:
        _check_names(loaded, problems)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))  # a text shown in two editions is checked twice
    return loaded


def _distinct_names(data, source: SourceMap, problems: list[Problem]) -> None:
    """Two sites (or regions) given one name in a language would be two rows a reader cannot
    tell apart."""
    seen: dict[tuple[str, str], str] = {}
    for name, forms in data.names.items():
        for code, form in forms.items():
            other = seen.setdefault((code, form), name)
            if other != name:
                problems.append(source.problem(("names", name, code), f"{form!r} is already the {code} name of "
                                               f"{other!r}: the two would read the same in that edition"))


def _check_names(loaded: Loaded, problems: list[Problem]) -> None:
    """The company's ids make XBRL names that must be new: FleetShare, StockCode and
    AgeGroup30To50Member are taken by the framework (or by another of its ids)."""
    from .taxonomy import NameClash

    try:
        loaded.taxonomy
    except NameClash as clash:
        path, what = _declared_at(loaded, clash.second)
        _, other = _declared_at(loaded, clash.first)
        problems.append(loaded.source.problem(path, f"the XBRL name of {what}, {clash.name}, is already that of "
                                              f"{other}; choose another id", key=path != ("extensions",)))


def _declared_at(loaded: Loaded, source: str) -> tuple[tuple, str]:
    """Where in company.yaml what a taxonomy concept comes from is declared, and what it is."""
    kind, _, rest = source.partition(":")
    parts = rest.split(":")
    ext = loaded.data.extensions
    if kind == "metric" and ext and parts[0] in ext.metrics:
        return ("extensions", "metrics", parts[0]), f"the metric {parts[0]}" + (f" ({parts[1]})" if len(parts) > 1 else "")
    if kind == "axis" and ext and parts[0] in ext.axes:
        return ("extensions", "axes", parts[0]), f"the axis {parts[0]}"
    if kind == "member" and ext and parts[0] in ext.axes:
        return ("extensions", "axes", parts[0], "members", parts[1]), f"the member {parts[1]} of {parts[0]}"
    if kind == "member" and ext and parts[0] in ext.members:
        return ("extensions", "members", parts[0], parts[1]), f"the member {parts[1]} of {parts[0]}"
    if kind == "combination":
        return ("extensions",), f"the breakdown by {parts[0]} and {parts[1]}"
    return ("extensions",), f"the framework's {kind} {rest}".rstrip()


def report_catalogue(raw: Any, source: SourceMap) -> Catalogue:
    """The catalogue of a company.yaml read with read_yaml, its extensions layered over the
    framework's: what the figures of the file may be, without validating the rest of it."""
    return _report_catalogue(raw, source)[0]


def _report_catalogue(raw: Any, source: SourceMap) -> tuple[Catalogue, type[BaseModel]]:
    """The catalogue of this report (the framework's, with the company's extensions layered
    over it) and the model of its company.yaml, derived from that catalogue. When the
    extensions have problems, they are reported with every other problem of the file (found
    against the framework's model, leaving out what only the extensions would make right)."""
    base = load_catalogue()
    declared = raw.get("extensions") if isinstance(raw, dict) else None
    if declared is None:
        return base, company_model()
    problems: list[Problem] = []
    extensions = None
    try:
        extensions = Extensions.model_validate(declared)
    except ValidationError as e:
        problems += [_problem(source, Extensions, err, ("extensions",)) for err in e.errors()]
    if extensions is not None:
        problems += _check_extensions(extensions, base, source)
    if not problems:
        key = json.dumps(extensions.model_dump(mode="json"), sort_keys=True)
        catalogue = base.extend(extensions)
        return catalogue, company_model(catalogue, key)
    model = company_model()
    own = set(declared.get("metrics") or {}) if isinstance(declared, dict) else set()
    try:
        model.model_validate({k: v for k, v in raw.items() if k != "extensions"})
    except ValidationError as e:
        problems += [_problem(source, model, err) for err in e.errors()
                     if not (len(err["loc"]) > 1 and err["loc"][0] == "metrics" and err["loc"][1] in own)]
    raise InputError(_without_echoes(problems))


def _combinations_used(data, catalogue: Catalogue) -> dict[str, set[tuple[str, str]]]:
    """The pairs of axes each metric is broken down by at once (under within)."""
    used: dict[str, set[tuple[str, str]]] = {}
    if data.metrics is None:
        return used
    for mid in type(data.metrics).model_fields:
        entry = getattr(data.metrics, mid)
        for outer, _, sub in breakdown_members(entry, "within") if entry is not None else ():
            for inner, _, _ in breakdown_members(sub):
                if inner != outer:
                    used.setdefault(mid, set()).add(catalogue.pair(outer, inner))
            for inner, _, _ in breakdown_members(sub, "shares"):
                if inner != outer:
                    used.setdefault(mid, set()).add(catalogue.pair(outer, inner))
    return used


RATIO_KINDS = ("percentage", "ratio", "rate", "price_per_ghg")  # units that divide already


def _check_extensions(ext: Extensions, base: Catalogue, source: SourceMap) -> list[Problem]:
    """What the extensions name exists, and what they declare is new."""
    problems: list[Problem] = []
    at = ("extensions",)
    codes = {p.code for e in base.editions.values() for p in e.provisions}
    axes = set(base.axes) | set(ext.axes)
    metrics = list(base.metrics) + list(ext.metrics)
    tables = [t.id for t in base.tables] + list(ext.tables)

    def new(kind: str, ident: str, known, path: tuple) -> None:
        if ident in known:
            problems.append(source.problem(path, f"the catalogue already has the {kind} {ident!r}: use it as it "
                                           "is (or give yours another id)", key=True))

    def named(kind: str, ident: str, known, path: tuple) -> None:
        if ident not in known:
            close = closest(ident, list(known))
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(source.problem(path, f"unknown {kind} {ident!r}{hint}"))

    def usable(kind: str, ident: str, path: tuple) -> None:
        # ids become field names of the model of company.yaml: not one of pydantic's own
        if ident.startswith("model_") or hasattr(BaseModel, ident):
            problems.append(source.problem(path, f"{ident!r} cannot be the id of a {kind}: it is a name the "
                                           "builder itself uses; choose another", key=True))

    for tid in ext.tables:
        new("table", tid, {t.id for t in base.tables}, at + ("tables", tid))
        if tid == "title":  # data-title is the data statistics heading's id
            problems.append(source.problem(at + ("tables", tid), "'title' is an id the report uses; choose "
                                           "another", key=True))
    for axis_id, axis in ext.axes.items():
        new("axis", axis_id, base.axes, at + ("axes", axis_id))
        usable("axis", axis_id, at + ("axes", axis_id))
        if axis_id in ("target", "intensity_denominator"):
            problems.append(source.problem(at + ("axes", axis_id), f"{axis_id!r} is an axis of the framework's "
                                           "taxonomy; choose another id", key=True))
        for member in axis.members:
            usable("member", member, at + ("axes", axis_id, "members", member))
    for axis_id, members in ext.members.items():
        path = at + ("members", axis_id)
        if axis_id not in base.axes:
            named("catalogue axis", axis_id, base.axes, path)
        elif base.axes[axis_id].typed:
            problems.append(source.problem(path, f"{axis_id} is typed: its members are named in the figures, "
                                           "not declared", key=True))
        else:
            for member in members:
                new(f"member of {axis_id}", member, base.axes[axis_id].members, path + (member,))
                usable("member", member, path + (member,))
    for mid, m in ext.metrics.items():
        path = at + ("metrics", mid)
        new("metric", mid, base.metrics, path)
        usable("metric", mid, path)
        named("table", m.table, tables, path + ("table",))
        if m.after == mid:
            problems.append(source.problem(path + ("after",), "a metric cannot follow itself"))
        elif m.after is not None:
            named("metric", m.after, metrics, path + ("after",))
            if m.after in ext.metrics and list(ext.metrics).index(m.after) > list(ext.metrics).index(mid):
                problems.append(source.problem(path + ("after",), f"{m.after} is declared below {mid}: declare "
                                               "it first"))
        for i, code in enumerate(m.provisions):
            if code not in codes:
                named("provision", code, codes, path + ("provisions", i))
        for i, axis_id in enumerate(m.breakdowns):
            named("axis", axis_id, axes, path + ("breakdowns", i))
        for i, part in enumerate(m.sum_of):
            named("metric", part, metrics, path + ("sum_of", i))
            if part in m.sum_of[:i]:
                problems.append(source.problem(path + ("sum_of", i), f"{part!r} is listed twice"))
            if part in ext.metrics and ext.metrics[part].unit_kind != m.unit_kind or \
                    part in base.metrics and base.metrics[part].unit_kind != m.unit_kind:
                problems.append(source.problem(path + ("sum_of", i), f"{part} is not of the unit kind "
                                               f"{m.unit_kind}: it cannot be a part of {mid}"))
        if m.anchor is not None:
            named("catalogue metric", m.anchor, base.metrics, path + ("anchor",))
        if m.intensity and m.unit_kind in RATIO_KINDS:
            problems.append(source.problem(path + ("intensity",), f"a {m.unit_kind} is already a ratio: it has no "
                                           "intensity (declare the intensity as a metric of its own)"))
    return problems


# --- pydantic errors, said with their place ---------------------------------------------


def _problem(source: SourceMap, model: type[BaseModel], err: dict, within: tuple = ()) -> Problem:
    """A pydantic error said at its place; within: where in the file the model validated stands."""
    if within:
        model = company_model()
        err = err | {"loc": within + tuple(err["loc"])}
    loc = tuple(err["loc"])
    kind = err["type"]
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        key = loc[-1]
        if loc[0] == "extensions" and not isinstance(key, str):  # 2025, 1_2, off: YAML reads a number or a boolean
            return source.problem(loc, f"an id is text: write {shorten(repr(key))} in quotes, or begin it with a "
                                       "letter", key=True)
        if re.fullmatch(r"\d+(\.\d+)?", str(key)) and len(loc) > 1:
            return source.problem(loc, f"{shorten(str(key))} is not a year: inside {{...}} a comma separates entries, so write "
                                       "figures without thousands separators (15820, not 15,820)", key=True)
        return source.problem(loc, f"the key {shorten(repr(key))} is not valid: {err['msg']}", key=True)
    if kind == "in_language":  # a form of a text in several languages: at its language's key
        return source.problem(loc + (err["ctx"]["language"],), err["ctx"]["message"])
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        message = f"unknown key {shorten(repr(loc[-1]))}"
        close = closest(str(loc[-1]), allowed)
        if close:
            message += f"; did you mean {close[0]!r}?"
        elif allowed:
            message += "; expected one of: " + ", ".join(allowed)
        return source.problem(loc, message, key=True)
    if kind == "missing":
        return source.problem(loc, f"missing required key {loc[-1]!r}")
    if kind.startswith(("date_", "datetime_")):
        return source.problem(loc, f"expected a date written YYYY-MM-DD, got {_show(err['input'])}")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return source.problem(loc, f"expected a whole number, got {_show(err['input'])}")
    if kind == "string_type" and err["input"] is None:
        return source.problem(loc, "expected text, got nothing (in YAML a # starts a comment: quote a value "
                                   "that contains #)")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return source.problem(loc, f"{shorten(repr(err['input']))} is not allowed here; expected {expected}")
    if kind == "model_type":
        return source.problem(loc, "expected a mapping of keys to values")
    if kind == "list_type":
        return source.problem(loc, "expected a list")
    if kind == "string_type":
        return source.problem(loc, f"expected text, got {_show(err['input'])}")
    if kind == "string_pattern_mismatch":
        return source.problem(loc, f"{shorten(repr(err['input']))} does not have the expected form")
    if kind == "too_long":
        return source.problem(loc, f"at most {err['ctx']['max_length']:,} entries are allowed here"
                                   + (f", not {err['ctx']['actual_length']:,}" if err["ctx"].get("actual_length") else ""))
    if kind == "string_too_long":
        return source.problem(loc, f"the text is {len(err['input']):,} characters long; at most "
                                   f"{err['ctx']['max_length']:,} are allowed here")
    return source.problem(loc, err["msg"][0].lower() + err["msg"][1:] if err["msg"] else kind)


def _without_echoes(problems: list[Problem]) -> list[Problem]:
    """One mistake, one problem: a misspelt required key gives 'unknown key ...; did you mean X'
    and not also 'missing required key X'; a key that is not a year is not also a bad value."""
    bad_keys = {p.yaml_path for p in problems if "is not a year" in p.message}
    problems = [p for p in problems if p.yaml_path not in bad_keys or "is not a year" in p.message]
    suggested = set()
    for p in problems:
        if "; did you mean " in p.message and p.yaml_path:
            parent = p.yaml_path.rsplit(".", 1)[0] if "." in p.yaml_path else ""
            suggested.add((parent, p.message.rsplit("'", 2)[1]))
    kept = []
    for p in problems:
        if p.message.startswith("missing required key ") and p.yaml_path:
            parent, _, key = p.yaml_path.rpartition(".")
            if (parent, key) in suggested:
                continue
        kept.append(p)
    return kept


def _show(value: Any) -> str:
    from .schema import _describe

    return _describe(value)


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a mapping at loc may hold, found by walking the model's annotations."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
            if any(getattr(m, "func", None) is _text for m in field.metadata):
                current = MarkdownFile  # Text: inline Markdown, or {file: ...}
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) is list:
            current = get_args(current)[0]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    # Optional[X] and Annotated[X, ...] -> X
    while True:
        args = get_args(annotation)
        origin = get_origin(annotation)
        if origin is not None and origin not in (dict, list) and args:
            non_none = [a for a in args if a is not type(None)]
            annotation = non_none[0]
            continue
        return annotation


# --- checks that need the catalogue or the file system ---------------------------------


def _issuer_problems(company, source: SourceMap, edition: Edition) -> list[Problem]:
    """An edition that phases obligations by board needs the board; a LargeCap issuer is on the Main Board."""
    if company.board is None and any(rule.board is not None for rule in edition.phasing):
        return [source.problem(("company",), f"say which board the shares are listed on (board: main_board or gem): "
                                             f"under the {edition.title}, some obligations depend on it")]
    if company.largecap and company.board == "gem":
        return [source.problem(("company", "largecap"), "the Hang Seng Composite LargeCap Index holds Main Board "
                                                        "issuers only; a GEM issuer is not a LargeCap issuer")]
    return []


def _cross_check(data, source: SourceMap, catalogue: Catalogue, edition: Edition, folder: Path) -> list[Problem]:
    from .ids import reserved_id

    problems: list[Problem] = []

    def provision_codes(codes: list[str], path: tuple) -> None:
        for i, code in enumerate(codes):
            if code in codes[:i]:
                problems.append(source.problem(path + (i,), f"{code!r} is listed twice"))
            if edition.provision(code) is None:
                known = {p.code.upper(): p.code for p in edition.provisions}
                close = [known[c] for c in closest(code.upper(), list(known))]
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(
                    source.problem(path + (i,), f"{code!r} is not a provision of the {edition.title}{hint}")
                )

    problems += _issuer_problems(data.company, source, edition)
    for i, framework in enumerate(data.report.indexes):
        if not catalogue.frameworks[framework].rows(edition):
            problems.append(source.problem(("report", "indexes", i), f"no provision of the {edition.title} corresponds "
                                           f"to {catalogue.frameworks[framework].title}: there would be nothing to index"))
    seen_ids: dict[str, tuple] = {}
    for c, chapter in enumerate(data.chapters):
        for ident, path in [(chapter.id, ("chapters", c, "id"))] + [
            (s.id, ("chapters", c, "sections", i, "id")) for i, s in enumerate(chapter.sections)
        ]:
            if ident in seen_ids:
                problems.append(source.problem(path, f"the id {ident!r} is already used at {_at(source, seen_ids[ident])}"))
            elif reserved_id(ident):
                problems.append(source.problem(path, f"the id {ident!r} is one the report uses for a part of its own "
                                                     "(or for its tags); choose another"))
            seen_ids[ident] = path
            seen_ids[f"{ident}-title"] = path  # the id of its heading
        for i, section in enumerate(chapter.sections):
            provision_codes(section.answers, ("chapters", c, "sections", i, "answers"))
    target_ids: dict[str, int] = {}
    for t, target in enumerate(data.targets):
        if target.id in target_ids:
            problems.append(source.problem(("targets", t, "id"), f"the target id {target.id!r} is already used at "
                                           f"{_at(source, ('targets', target_ids[target.id], 'id'))}"))
        target_ids.setdefault(target.id, t)
        provision_codes(target.provisions, ("targets", t, "provisions"))
        if target.metric is not None and target.metric not in catalogue.metrics:
            problems.append(source.problem(("targets", t, "metric"), f"unknown metric {target.metric!r}"))
        for part in ("baseline", "target"):
            point = getattr(target, part)
            if point is not None and point.unit is not None and point.unit not in catalogue.units:
                close = closest(point.unit, list(catalogue.units))
                problems.append(source.problem(("targets", t, part, "unit"), f"unknown unit {point.unit!r}"
                                               + (f"; did you mean {close[0]!r}?" if close else "")))
            elif point is not None and point.unit is not None and point.value is None:
                problems.append(source.problem(("targets", t, part, "unit"), "a unit without a value: give the "
                                               "value it is the unit of, or leave the unit out"))
    for m, topic in enumerate(data.materiality.topics):
        provision_codes(topic.provisions, ("materiality", "topics", m, "provisions"))
    problems += _chart_problems(data, source, catalogue)
    for i, r in enumerate(data.restatements):
        path = ("restatements", i)
        if r.metric not in catalogue.metrics:
            problems.append(source.problem(path + ("metric",), f"unknown metric {r.metric!r}"))
        elif r.year >= data.report.financial_year:
            problems.append(source.problem(path + ("year",), f"a restatement is of a prior year, not {r.year}"))
        elif (r.axis is None) != (r.member is None):
            problems.append(source.problem(path, "give both axis and member, or neither"))
        elif r.axis is not None and r.axis not in catalogue.metrics[r.metric].breakdowns:
            axes = ", ".join(catalogue.metrics[r.metric].breakdowns) or "none"
            problems.append(source.problem(path + ("axis",), f"{r.metric} has no breakdown by {r.axis!r}; "
                                                             f"its breakdowns: {axes}"))
        elif r.axis is not None and not catalogue.axes[r.axis].typed and r.member not in catalogue.axes[r.axis].members:
            members = ", ".join(catalogue.axes[r.axis].members)
            problems.append(source.problem(path + ("member",), f"{r.member!r} is not a member of {r.axis}; "
                                                               f"expected one of: {members}"))
    for code in data.omissions:
        if edition.provision(code) is None:
            problems.append(
                source.problem(("omissions", code), f"{code!r} is not a provision of the {edition.title}", key=True)
            )

    year = data.report.financial_year
    if data.report.period.end.year != year:
        problems.append(source.problem(("report", "period", "end"),
                                       f"the period ends in {data.report.period.end.year}, but the financial year is "
                                       f"{year} (a financial year is named by the year it ends in)"))
    for path, series in _all_series(data):
        kind = catalogue.metrics[path[1]].unit_kind
        whole = (ITEM_TYPES.get(kind) == "xbrli:nonNegativeIntegerItemType" and "intensities" not in path
                 and "shares" not in path)
        for y, value in series.items():
            if y > year:
                problems.append(source.problem(path + (y,), f"{y} is after the report's financial year {year}", key=True))
            if whole and isinstance(value, Decimal) and value != value.to_integral_value():
                problems.append(source.problem(path + (y,), f"{value} is not a whole number, which a count "
                                                            f"({kind}) must be"))

    metrics = data.metrics
    present = {mid for mid in catalogue.metrics if metrics is not None and getattr(metrics, mid) is not None}
    for mid in sorted(present):
        entry = getattr(metrics, mid)
        metric = catalogue.metrics[mid]
        for f, note in enumerate(entry.footnotes):
            path = ("metrics", mid, "footnotes", f)
            at = note if isinstance(note, FootnoteAt) else None
            note_id = at.note if at else note
            if note_id not in data.footnotes:
                problems.append(source.problem(path, f"no footnote {note_id!r} under footnotes"))
            if at is not None and at.axis is not None and at.axis not in metric.breakdowns:
                problems.append(source.problem(path + ("axis",), f"{mid} has no breakdown by {at.axis!r}; its "
                                               "breakdowns: " + (", ".join(metric.breakdowns) or "none")))
            elif at is not None and at.axis is not None and not any(
                    (axis, member) == (at.axis, at.member) for axis, member, _ in breakdown_members(entry)):
                problems.append(source.problem(path + ("member",), f"{mid} gives no figures for {at.member!r} of "
                                               f"{at.axis}"))
        for outer, member, sub in breakdown_members(entry, "within"):
            at = ("metrics", mid, "within", outer)
            if outer not in metric.breakdowns:
                problems.append(source.problem(at, f"{mid} has no breakdown by {outer!r}; its breakdowns: "
                                               + (", ".join(metric.breakdowns) or "none"), key=True))
                continue
            axis = catalogue.axes[outer]
            if not axis.typed and member not in axis.members:
                close = closest(member, list(axis.members))
                problems.append(source.problem(at + (member,), f"{member!r} is not a member of {outer}"
                                               + (f"; did you mean {close[0]!r}?" if close else
                                                  "; expected one of: " + ", ".join(axis.members)), key=True))
                continue
            for part in ("breakdowns", "shares"):
                if getattr(sub, part, None) is not None and getattr(getattr(sub, part), outer) is not None:
                    problems.append(source.problem(("metrics", mid, "within", outer, member, part, outer),
                                                   f"a breakdown of {member} by {outer} again: within a member, "
                                                   "break it down by another axis", key=True))
        for i, intensity in enumerate(getattr(entry, "intensities", [])):
            path = ("metrics", mid, "intensities", i)
            denominator = catalogue.metrics.get(intensity.per)
            if denominator is None or denominator.denominator is None:
                choices = ", ".join(k for k, v in catalogue.metrics.items() if v.denominator)
                problems.append(source.problem(path + ("per",), f"{intensity.per!r} is not a denominator; expected one of: {choices}"))
            elif intensity.per in present and intensity.per_unit is not None:
                problems.append(source.problem(path + ("per_unit",), f"the unit comes from the figures of "
                                               f"{intensity.per} under metrics; leave per_unit out"))
            elif intensity.per not in present and not intensity.values:
                problems.append(source.problem(path + ("per",), f"to derive this intensity, give the denominator "
                                               f"{intensity.per!r} under metrics (it is then disclosed beside it); "
                                               "or give the intensity's values as published, with per_unit"))
            elif intensity.per not in present:
                units = [u.code for u in catalogue.units_of(denominator.unit_kind)]
                if intensity.per_unit not in units:
                    problems.append(source.problem(path + ("per_unit",) if intensity.per_unit else path,
                                                   f"an intensity published without its denominator's figure "
                                                   f"needs per_unit, the unit of {intensity.per}: one of "
                                                   + ", ".join(units)))
            if intensity.unit is not None and intensity.unit not in [u.code for u in catalogue.units_of(metric.unit_kind)]:
                problems.append(source.problem(path + ("unit",), f"{intensity.unit!r} is not a unit of "
                                               f"{metric.label.lower()} ({metric.unit_kind}); expected one of: "
                                               + ", ".join(u.code for u in catalogue.units_of(metric.unit_kind))))
            for f, note in enumerate(intensity.footnotes):
                if note not in data.footnotes:
                    problems.append(source.problem(path + ("footnotes", f), f"no footnote {note!r} under footnotes"))

    return problems


def _chart_problems(data, source: SourceMap, catalogue: Catalogue) -> list[Problem]:
    """Each chart names a metric the report gives figures for and, where it names one, a
    breakdown those figures have, with few enough members to read; and a report holds few
    enough charts to draw in the render's time."""
    problems: list[Problem] = []
    count = 0
    for c, chapter in enumerate(data.chapters):
        for s, section in enumerate(chapter.sections):
            for i, chart in enumerate(section.charts):
                path = ("chapters", c, "sections", s, "charts", i)
                count += 1
                if count == MAX_CHARTS + 1:
                    problems.append(source.problem(path, f"a report holds at most {MAX_CHARTS} charts: show the "
                                                         "other figures in the data tables"))
                problem = _chart_problem(chart, data, catalogue)
                if problem is not None:
                    field, message = problem
                    problems.append(source.problem(path + (field,), message))
    return problems


def _chart_problem(chart, data, catalogue: Catalogue) -> tuple[str, str] | None:
    """(the chart's key that is wrong, what is wrong), or None."""
    metric = catalogue.metrics.get(chart.metric)
    if metric is None:
        close = closest(chart.metric, list(catalogue.metrics))
        return "metric", f"unknown metric {chart.metric!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    entry = getattr(data.metrics, chart.metric, None) if data.metrics is not None else None
    if entry is None:
        return "metric", f"the report gives no figures for {chart.metric} under metrics: a chart shows the " \
                         "report's own figures"
    if chart.breakdown is None:
        if not any(_numbers(series) for series in [entry.values, *(s for _, _, s in breakdown_members(entry))]):
            return "metric", f"{chart.metric} has no figure to chart, only 'not applicable'"
        return None
    if chart.breakdown == SUM_OF:
        if not metric.sum_of:
            return "breakdown", f"{chart.metric} is not the sum of other metrics; name one of its breakdowns: " \
                                + (", ".join(metric.breakdowns) or "none")
        missing = [part for part in metric.sum_of if getattr(data.metrics, part, None) is None]
        if missing:
            return "breakdown", (f"{chart.metric} is the sum of {', '.join(metric.sum_of)}: give the figures of "
                                 f"{', '.join(missing)} under metrics to chart its parts")
        return None
    if chart.breakdown not in metric.breakdowns:
        return "breakdown", (f"{chart.metric} has no breakdown by {chart.breakdown!r}; its breakdowns: "
                             + (", ".join(metric.breakdowns + ((SUM_OF,) if metric.sum_of else ())) or "none"))
    members = list(dict.fromkeys(member for axis, member, series in breakdown_members(entry)
                                 if axis == chart.breakdown and _numbers(series)))
    if not members:
        return "breakdown", (f"{chart.metric} gives no figures by {chart.breakdown} (under "
                             f"metrics.{chart.metric}.breakdowns) to chart")
    if len(members) > MAX_CHART_MEMBERS:
        return "breakdown", (f"{chart.metric} has {len(members)} members by {chart.breakdown}; a chart shows at "
                             f"most {MAX_CHART_MEMBERS}, more would be unreadable: choose a breakdown with fewer "
                             "members, or leave the breakdown out")
    if chart.kind == "composition" and not metric.sums:
        return "kind", (f"the members of {chart.metric} by {chart.breakdown} are not parts of a whole (they do not "
                        "add up to the total): show them as kind: trend")
    return None


def _numbers(series: dict) -> bool:
    """Whether a series holds a figure (not only 'not applicable')."""
    return any(isinstance(value, Decimal) for value in series.values())


def _all_series(data):
    """(YAML path, {year: value}) of every series of figures in the input."""
    if data.metrics is None:
        return
    for mid in type(data.metrics).model_fields:
        entry = getattr(data.metrics, mid)
        if entry is None:
            continue
        base = ("metrics", mid)
        yield base + ("values",), entry.values
        for axis_id, member, series in breakdown_members(entry):
            yield base + ("breakdowns", axis_id, member), series
        for axis_id, member, series in breakdown_members(entry, "shares"):
            yield base + ("shares", axis_id, member), series
        for outer, outer_member, sub in breakdown_members(entry, "within"):
            for part in ("breakdowns", "shares"):
                for axis_id, member, series in breakdown_members(sub, part):
                    yield base + ("within", outer, outer_member, part, axis_id, member), series
        for i, intensity in enumerate(getattr(entry, "intensities", [])):
            yield base + ("intensities", i, "values"), intensity.values
            for axis_id, member, series in breakdown_members(intensity):
                yield base + ("intensities", i, "breakdowns", axis_id, member), series


def _at(source: SourceMap, path: tuple) -> str:
    pos = source.locate(path)
    return f"line {pos[0]}" if pos else "another place"


def _image_paths(data):
    if data.company.logo:
        yield ("company", "logo"), data.company.logo
    if data.report.cover_image:
        yield ("report", "cover_image"), data.report.cover_image


def resolved(path: Path) -> Path | None:
    """The file a path names, its links followed; None where they loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop of links
        return None


def _inside(folder: Path, rel: str, source: SourceMap, path: tuple, problems: list[Problem]) -> Path | None:
    """The file a relative path names, if it exists inside the company's folder."""
    if "://" in rel or rel.startswith("data:"):
        problems.append(source.problem(path, f"{rel!r} must be a file in the report's folder, not a URL"))
        return None
    candidate = resolved(folder / rel)
    if candidate is None:
        problems.append(source.problem(path, f"{rel!r} is a symbolic link that loops"))
        return None
    if Path(rel).is_absolute() or not candidate.is_relative_to(folder):
        problems.append(source.problem(path, f"{rel!r} is outside the report's folder; give a path relative to it"))
        return None
    if candidate.exists() and not candidate.is_file():
        problems.append(source.problem(path, f"{rel!r} is not a regular file"))
        return None
    if not candidate.is_file():
        problems.append(source.problem(path, f"no file {rel!r} in {folder}"))
        return None
    return candidate


def _text_fields(data, places: dict[int, tuple] | None = None) -> list[tuple[tuple, Any]]:
    """(YAML path, text) of every narrative text of an edition's data; places (InLanguage.places)
    gives the path of a text written under a language key."""
    fields: list[tuple[tuple, Any]] = []
    for part in ("board_statement", "reporting_principles"):
        model = getattr(data, part)
        fields += [((part, name), getattr(model, name)) for name in type(model).model_fields]
    fields.append((("boundary",), data.boundary))
    fields.append((("stakeholder_engagement", "text"), data.stakeholder_engagement.text))
    fields.append((("materiality", "text"), data.materiality.text))
    for c, chapter in enumerate(data.chapters):
        if chapter.intro is not None:
            fields.append((("chapters", c, "intro"), chapter.intro))
        for s, section in enumerate(chapter.sections):
            fields.append((("chapters", c, "sections", s, "body"), section.body))
    return [((places or {}).get(id(value), path), value) for path, value in fields]


def _previous_metrics(data, source: SourceMap, folder: Path, problems: list[Problem]) -> dict | None:
    """The metrics of last year's published company.yaml: only its figures are read."""
    if data.report.previous is None:
        return None
    file = _inside(folder, data.report.previous, source, ("report", "previous"), problems)
    if file is None:
        return None
    try:
        previous, previous_source = read_yaml(file)
    except InputError as e:
        problems.extend(e.problems)
        return None
    metrics = previous.get("metrics")
    if not isinstance(metrics, dict):
        return {}
    year = _year_of(previous, metrics)
    if year is not None and year != data.report.financial_year - 1:  # its figures are compared as last year's
        problems.append(source.problem(("report", "previous"), f"{data.report.previous!r} is the report of {year}; "
                                       f"last year's report is that of {data.report.financial_year - 1} (leave "
                                       "report.previous out where the company published none)"))
        return None
    problems.extend(_previous_shape(metrics, previous_source))
    return metrics


def _year_of(previous: dict, metrics: dict) -> int | None:
    """The year a published company.yaml reports: its financial_year, or where it holds only its
    metrics, the latest year of its figures."""
    report = previous.get("report")
    if isinstance(report, dict) and isinstance(report.get("financial_year"), int):
        return report["financial_year"]
    years = [year for entry in metrics.values() if isinstance(entry, dict) and isinstance(entry.get("values"), dict)
             for year in entry["values"] if isinstance(year, int)]
    return max(years, default=None)


def _previous_shape(metrics: dict, source: SourceMap) -> list[Problem]:
    """Last year's figures are read as values: {year: figure} and breakdowns: {axis: {member:
    {year: figure}}}; any other shape there is a problem in that file, said with its place."""
    found = []

    def mapping(value, path: tuple, what: str) -> dict:
        if isinstance(value, dict) or value is None:
            return value or {}
        found.append(source.problem(path, f"expected {what} (last year's report is read for its figures)"))
        return {}

    for mid, entry in metrics.items():
        path = ("metrics", mid)
        entry = mapping(entry, path, "a mapping with values and breakdowns")
        mapping(entry.get("values"), path + ("values",), "a mapping of years to figures")
        breakdowns = mapping(entry.get("breakdowns"), path + ("breakdowns",), "a mapping of axes to members")
        for axis, members in breakdowns.items():
            members = mapping(members, path + ("breakdowns", axis), "a mapping of members to their figures")
            for member, series in members.items():
                mapping(series, path + ("breakdowns", axis, member), "a mapping of years to figures")
    return found


MAX_QUOTES = 2000  # figures quoted in the narrative: each is a fact to tag and validate


def _check_references(loaded: Loaded, problems: list[Problem]) -> None:
    """Every {{figure}} the Markdown quotes must name a figure the YAML gives; at most
    MAX_QUOTES of them in all."""
    from .references import PATTERN, check

    places = loaded.editions[loaded.language].places
    quotes = 0
    for path, value in _text_fields(loaded.data, places):
        text = loaded.texts.get(id(value), "") if isinstance(value, MarkdownFile) else value
        quotes += sum(1 for _ in PATTERN.finditer(text))
        if quotes > MAX_QUOTES:
            problems.append(loaded.source.problem(path, f"the narrative quotes more than {MAX_QUOTES:,} figures by "
                                                        "here; quote the key ones and let the tables hold the rest"))
            return

    for path, value in _text_fields(loaded.data, places):
        if isinstance(value, MarkdownFile):
            if id(value) not in loaded.texts:
                continue
            for line, column, problem in check(loaded, loaded.texts[id(value)]):
                problems.append(Problem(problem, loaded.folder / value.file, line, column))
        else:
            for _, _, problem in check(loaded, value):
                problems.append(loaded.source.problem(path, problem))
    # footnotes and restatements' reasons are notes under the tables, Markdown too
    notes = [(("footnotes", key), text) for key, text in loaded.data.footnotes.items()]
    notes += [(("restatements", i, "reason"), r.reason) for i, r in enumerate(loaded.data.restatements)]
    for path, text in notes:
        path = places.get(id(text), path)
        for _, _, problem in check(loaded, text):
            problems.append(loaded.source.problem(path, problem))


def _check_length(data, source: SourceMap, texts: dict[int, str], problems: list[Problem], places: dict[int, tuple]) -> None:
    """All the narrative together holds at most MAX_MARKDOWN characters: each part may be long,
    but not all of them (the PDF of a report many times longer takes many minutes to lay out)."""
    total = 0
    for path, value in _text_fields(data, places):
        total += len(texts.get(id(value), "") if isinstance(value, MarkdownFile) else value)
        if total > MAX_MARKDOWN:
            problems.append(source.problem(path, f"the narrative is longer than {MAX_MARKDOWN // 1024} KB in all "
                                                 "by here; a report is far shorter (move detail to other documents)"))
            return


MAX_TABLE_COLUMNS = 30  # wider than that, a table cannot be printed on a page, and it stalls the layout
_DELIMITER_ROW = re.compile(r"^ {0,3}\|?(?: *:?-+:? *\|)+(?: *:?-+:? *)?$", re.MULTILINE)


def _check_tables(data, source: SourceMap, folder: Path, texts: dict[int, str], problems: list[Problem], places: dict[int, tuple]) -> None:
    """A Markdown table may have at most MAX_TABLE_COLUMNS columns (counted on its |---| row)."""
    for path, value in _text_fields(data, places):
        text = texts.get(id(value)) if isinstance(value, MarkdownFile) else value
        for match in _DELIMITER_ROW.finditer(text or ""):
            columns = match.group(0).strip().strip("|").count("|") + 1
            if columns > MAX_TABLE_COLUMNS:
                message = f"a table of {columns:,} columns cannot be printed; at most {MAX_TABLE_COLUMNS}"
                if isinstance(value, MarkdownFile):
                    problems.append(Problem(message, folder / value.file, text.count("\n", 0, match.start()) + 1, 1))
                else:
                    problems.append(source.problem(path, message))


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
MAX_IMAGES = 100  # distinct image files: a report full of site photos has a few dozen
IMAGE_SECONDS = 30  # to check and shrink them all: a 24-megapixel photo takes a tenth of a second
IMAGE_MEMORY = 1024**3  # beyond what the build holds: an 80-megapixel image decodes to 320 MB


@dataclass(frozen=True)
class _ImageUse:
    file: Path
    place: Problem  # where the image is named, without a message yet
    name: str  # how a message names it


def _named_images(data, source: SourceMap, folder: Path, problems: list[Problem]) -> list[_ImageUse]:
    """The logo and the cover image, files inside the report's folder."""
    uses = []
    for path, rel in _image_paths(data):
        file = _inside(folder, rel, source, path, problems)
        if file is not None:
            uses.append(_ImageUse(file, source.problem(path, ""), repr(rel)))
    return uses


def _embedded_images(uses: list[_ImageUse], problems: list[Problem]) -> dict[Path, str]:
    """Every image checked and made embeddable, once, in a child process bounded in time and
    memory: decoding images is where a few bytes of input can cost minutes and gigabytes."""
    files = list(dict.fromkeys(use.file for use in uses))
    if not files:
        return {}
    if len(files) > MAX_IMAGES:
        extra = next(use for use in uses if use.file == files[MAX_IMAGES])
        problems.append(replace(extra.place, message=f"the report shows {len(files)} image files; at most "
                                                     f"{MAX_IMAGES}, this one is the first too many"))
        return {}
    try:
        prepared = run_bounded(prepare_images, files, seconds=IMAGE_SECONDS, memory=IMAGE_MEMORY)
    except Exceeded as e:
        limit = f"{IMAGE_SECONDS} seconds" if e.what == "time" else f"{IMAGE_MEMORY // 1024**2} MB of memory"
        problems.append(replace(uses[0].place, message=f"checking and shrinking the report's {len(files)} images "
                                                       f"needed more than {limit}: use fewer or smaller images"))
        return {}
    embedded = {}
    for use in uses:
        wrong, uri = prepared[use.file]
        if wrong is not None:
            problems.append(replace(use.place, message=f"{use.name} {wrong}"))
        else:
            embedded[use.file] = uri
    return embedded


def _markdown_images(data, source: SourceMap, folder: Path, texts: dict[int, str], problems: list[Problem],
                     uses: list[_ImageUse], places: dict[int, tuple]) -> dict[str, Path]:
    """The images the Markdown shows: files inside the report's folder, each with a description."""
    images: dict[str, Path] = {}
    md = None
    for path, value in _text_fields(data, places):
        text = texts.get(id(value)) if isinstance(value, MarkdownFile) else value
        if text is None or "![" not in text:  # no image without it (raw HTML is off): not parsed, a third of load
            continue
        if md is None:
            from markdown_it import MarkdownIt

            md = MarkdownIt("commonmark", {"html": False})
        for block in md.parse(text):
            for token in block.children or []:
                if token.type != "image":
                    continue
                src = token.attrGet("src") or ""
                line = (block.map[0] + 1) if block.map else None
                if isinstance(value, MarkdownFile):
                    where = Problem("", folder / value.file, line, 1, None)
                else:
                    where = source.problem(path, "")

                def report(message: str) -> None:
                    problems.append(Problem(message, where.file, where.line, where.column, where.yaml_path))

                if ":" in src.split("/")[0] or src.startswith("//"):
                    report(f"the image {src!r} must be a file in the report's folder, not a URL")
                    continue
                if not src.lower().endswith(IMAGE_SUFFIXES):
                    report(f"the image {src!r} is not a PNG, JPEG or SVG file")
                    continue
                if not token.content.strip():
                    report(f"the image {src!r} needs a description for readers who cannot see it: ![description]({src})")
                name = unquote(src)  # the Markdown parser percent-encodes what is not ASCII
                candidate = resolved(folder / name)
                if candidate is None:
                    report(f"the image {name!r} is a symbolic link that loops")
                elif not candidate.is_relative_to(folder):
                    report(f"the image {name!r} is outside the report's folder; give a path relative to the YAML file")
                elif not candidate.is_file():
                    report(f"no image file {name!r} in {folder} (image paths are relative to the YAML file)")
                else:
                    images[src] = candidate
                    uses.append(_ImageUse(candidate, where, f"the image {name!r}"))
    return images


def _read_texts(data, source: SourceMap, folder: Path, problems: list[Problem], places: dict[int, tuple],
                read: dict[int, str] | None = None) -> dict[int, str]:
    texts: dict[int, str] = {}
    for path, value in _text_fields(data, places):
        if not isinstance(value, MarkdownFile) or id(value) in (read or {}):
            continue
        file = _inside(folder, value.file, source, path + ("file",), problems)
        if file is None:
            continue
        if file.stat().st_size > MAX_MARKDOWN:
            problems.append(source.problem(path + ("file",), f"{value.file!r} is larger than {MAX_MARKDOWN // 1024} KB"))
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(source.problem(path + ("file",), f"{value.file!r} is not valid UTF-8 text"))
            continue
        if not text.strip():
            problems.append(source.problem(path + ("file",), f"{value.file!r} is empty: write its text (or, for a "
                                           "translation not written yet, leave the file out)"))
            continue
        bad = unshowable(text)
        if bad is not None:
            index, what = bad
            line = text.count("\n", 0, index) + 1
            problems.append(Problem(f"the text contains {what}", file, line, index - text.rfind("\n", 0, index)))
            continue
        texts[id(value)] = text
    return texts
