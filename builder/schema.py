"""The typed input model of company.yaml, derived in part from the catalogue.

Every model forbids unknown keys. The per-metric models are generated from the catalogue, so
a metric, a breakdown axis or a member that the catalogue does not know is an unknown key,
and the JSON Schema an editor uses lists exactly what the catalogue allows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    BeforeValidator,
    TypeAdapter,
    ValidationError,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .catalogue import BOARDS, Catalogue, load_catalogue
from .i18n import LANGUAGES

NOT_APPLICABLE = "not applicable"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {shorten(value)!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return shorten(repr(value))


def _number(value: Any) -> Decimal:
    # YAML gives int or Decimal; a quoted "123" or a boolean is a mistake worth naming.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise PydanticCustomError("number", "expected a number, got {got}", {"got": _describe(value)})
    return _bounded(Decimal(value))


MAX_MAGNITUDE = Decimal(10) ** 15  # no ESG figure is a quadrillion; such a number is a typo
MAX_PLACES = 10  # decimal places: no figure is published finer, and 1e-99999999 must not reach a layout


def _bounded(value: Decimal) -> Decimal:
    if value.copy_abs() >= MAX_MAGNITUDE:  # copy_abs: abs() would apply the context and overflow
        raise PydanticCustomError("number", "{value} is too large to be a figure (at most 15 digits)",
                                  {"value": shorten(str(value))})
    exponent = value.as_tuple().exponent
    if exponent > 0:  # 1E+3 or 0E+99999: the same number written out, which is what is shown
        return value.quantize(Decimal(1))
    if exponent < -MAX_PLACES:
        if value.is_zero():
            return Decimal(0)
        raise PydanticCustomError("number", "{value} has more than {places} decimal places",
                                  {"value": shorten(str(value)), "places": MAX_PLACES})
    return value


def shorten(text: str, limit: int = 40) -> str:
    """A value as echoed in a message: a 100,000-digit number is not repeated whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _value(value: Any) -> Decimal | str:
    if isinstance(value, str) and value.strip().lower() == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise PydanticCustomError(
            "number", "expected a number or 'not applicable', got {got}", {"got": _describe(value)}
        )
    return _bounded(Decimal(value))


Number = Annotated[Decimal, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
Value = Annotated[
    Any,
    BeforeValidator(_value),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"const": NOT_APPLICABLE}]}),
]
Year = Annotated[int, Field(strict=True, ge=1990, le=2100)]
Series = dict[Year, Value]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]  # an XML id: a letter first
# Bounds on text: far above what a report prints, far below what stalls a layout (a 100,000-
# character name is set on every page's running header).
MAX_LINE = 300  # a name, a title, a label
MAX_PARAGRAPH = 5000  # a footnote, an explanation, a target's progress
MAX_MARKDOWN = 512 * 1024  # narrative, inline or in files, all of it: five times a complete 50-page report
Line = Annotated[str, Field(max_length=MAX_LINE)]
Paragraph = Annotated[str, Field(max_length=MAX_PARAGRAPH)]
LanguageCode = Literal[tuple(LANGUAGES)]  # en, zh-Hant: BCP 47 tags, as <html lang> and xml:lang write them
def _name(value: Any) -> Any:
    # a typed member is an XML token: spaces at its ends or doubled would be dropped, making
    # "North China " and "North China" one member with two values
    if isinstance(value, str) and value != " ".join(value.split()):
        raise PydanticCustomError("name", "write '{value}' without spaces at its ends or doubled",
                                  {"value": shorten(value)})
    return value


Name = Annotated[str, BeforeValidator(_name), Field(min_length=1, max_length=100)]  # a region, a site
MAX_MEMBERS = 500  # of one typed axis: more regions or sites than any report tabulates
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
RelativePath = Annotated[str, Field(min_length=1, max_length=255)]


class MarkdownFile(Strict):
    file: RelativePath = Field(description="a Markdown file, relative to the YAML file's folder")


def _markdown(value: Any) -> Any:
    # Narrative is either Markdown written inline or {file: narrative/x.md}.
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("text", "the text is empty")
        if len(value) > MAX_MARKDOWN:
            # pydantic fills in {name} alone: no format specs, no escaped braces
            raise PydanticCustomError("text", f"the text is longer than {MAX_MARKDOWN:,} characters, all a report's "
                                      "narrative may hold")
        return value
    if isinstance(value, dict):
        return MarkdownFile.model_validate(value)
    raise PydanticCustomError(
        "text", "expected Markdown text or {form}, got {got}", {"form": "{file: path.md}", "got": _describe(value)}
    )


@dataclass(frozen=True)
class Translated:
    """A text of the input as written: in the report's first language (a plain string or a
    {file: ...}), or in several, {en: ..., zh-Hant: ...}. Each language's edition of the report
    takes its own form (builder.languages); nothing past loading sees this class."""

    forms: tuple[tuple[str | None, Any], ...]  # (language, text); None: as written, in the first language

    def get(self, language: str | None) -> Any | None:
        return next((text for code, text in self.forms if code == language), None)

    @property
    def languages(self) -> tuple[str | None, ...]:
        return tuple(code for code, _ in self.forms)


EXAMPLE = "{" + ", ".join(f"{code}: ..." for code in LANGUAGES) + "}"


def _translatable(validate: Callable[[Any], Any], is_form: Callable[[dict], bool] = lambda value: False):
    """A text given as such, or as a mapping by language, each form validated as the text is."""

    def translated(value: Any) -> Translated:
        if not isinstance(value, dict) or is_form(value):
            return Translated(((None, validate(value)),))
        if not value:
            raise PydanticCustomError("text", "give the text, or the text in each language: {example}",
                                      {"example": EXAMPLE})
        unknown = [key for key in value if key not in LANGUAGES]
        if unknown == ["file"]:
            raise PydanticCustomError("text", "this text is written here, not in a file (narrative takes {form})",
                                      {"form": "{file: ...}"})
        if unknown:
            raise PydanticCustomError("text", "'{key}' is not a language of the builder (a text in several languages "
                                      "is written {example})", {"key": shorten(str(unknown[0])), "example": EXAMPLE})
        forms = []
        for code, text in value.items():
            try:
                forms.append((code, validate(text)))
            except (PydanticCustomError, ValidationError) as e:
                if isinstance(e, PydanticCustomError):
                    message = e.message()
                else:
                    message = ": ".join([*map(str, e.errors()[0]["loc"]), e.errors()[0]["msg"]])
                # said at the language's own line (load places an error of this kind under its key)
                raise PydanticCustomError("in_language", "{language}: {message}", {"language": code, "message": message})
        return Translated(tuple(forms))

    return translated


def _json_schema_translatable(schema: dict) -> dict:
    by_language = {"type": "object", "properties": {code: schema for code in LANGUAGES}, "minProperties": 1,
                   "additionalProperties": False, "description": "the text in each language of the report"}
    return {"anyOf": [schema, by_language]}


def _plain(annotation) -> Callable[[Any], Any]:
    """A line or a paragraph: text, not empty, within its bound (said as the rest of the input's
    errors say it)."""
    adapter = TypeAdapter(annotation)

    def validate(value: Any) -> str:
        if not isinstance(value, str):
            raise PydanticCustomError("text", "expected text, got {got}", {"got": _describe(value)})
        if not value.strip():
            raise PydanticCustomError("text", "the text is empty")
        try:
            return adapter.validate_python(value)
        except ValidationError as e:
            limit = (e.errors()[0].get("ctx") or {}).get("max_length")
            if limit is None:
                raise
            raise PydanticCustomError("text", f"the text is {len(value):,} characters long; at most {limit:,} "
                                      "are allowed here") from None

    return validate


_MARKDOWN_SCHEMA = {
    "anyOf": [
        {"type": "string", "description": "Markdown text"},
        {
            "type": "object",
            "properties": {"file": {"type": "string", "description": "a Markdown file, relative to the YAML "
                                    "file's folder; its form in another language, e.g. x.zh-Hant.md for x.md, "
                                    "is found beside it"}},
            "required": ["file"],
            "additionalProperties": False,
        },
    ]
}
_text = _translatable(_markdown, is_form=lambda value: "file" in value)
Text = Annotated[Any, BeforeValidator(_text), WithJsonSchema(_json_schema_translatable(_MARKDOWN_SCHEMA))]
# a line or a paragraph of text the report prints: in one language or a mapping by language
TLine = Annotated[Any, BeforeValidator(_translatable(_plain(Line))),
                  WithJsonSchema(_json_schema_translatable({"type": "string", "maxLength": MAX_LINE}))]
TParagraph = Annotated[Any, BeforeValidator(_translatable(_plain(Paragraph))),
                       WithJsonSchema(_json_schema_translatable({"type": "string", "maxLength": MAX_PARAGRAPH}))]


# --- company and report -----------------------------------------------------------------


class Contact(Strict):
    role: TLine
    email: Optional[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]] = None
    phone: Optional[Line] = None


def _lei(value: Any) -> Any:
    """An ISO 17442 Legal Entity Identifier: 18 characters and two check digits (ISO 7064 MOD 97-10)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{18}[0-9]{2}", value):
        raise PydanticCustomError("lei", "an LEI is 20 characters: 18 capital letters or digits, then two digits")
    if int("".join(str(int(c, 36)) for c in value)) % 97 != 1:
        raise PydanticCustomError("lei", "{value} is not an LEI: its check digits do not match (a typo?)",
                                  {"value": value})
    return value


def _currency(value: Any) -> Any:
    if value == "RMB":
        raise PydanticCustomError("currency", "'RMB' is not an ISO 4217 code; write CNY (amounts still read RMB)")
    return value


class Company(Strict):
    name: Line
    name_zh: Optional[Line] = None
    lei: Optional[Annotated[str, BeforeValidator(_lei)]] = Field(
        None, description="Legal Entity Identifier (ISO 17442): identifies the entity in the inline XBRL report")
    stock_code: Annotated[str, Field(pattern=r"^[0-9]{4,5}$", description="HKEX stock code, e.g. '0700'")]
    board: Optional[Literal[BOARDS]] = Field(
        None, description="the board its shares are listed on, " + " or ".join(BOARDS) + ": under the 2025 Code, "
        "Part D's obligations depend on it (needed for that edition)")
    largecap: bool = Field(
        False, description="a constituent of the Hang Seng Composite LargeCap Index for the report's year: under the "
        "2025 Code, Part D's obligations depend on it too (the catalogue's phasing)")
    address: TLine
    website: Optional[Annotated[str, Field(pattern=r"^https://[^\s<>\"']+$", max_length=MAX_LINE)]] = None
    logo: Optional[RelativePath] = None
    contacts: list[Contact] = []

    @field_validator("stock_code", mode="before")
    @classmethod
    def _code_is_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise PydanticCustomError(
                "stock_code", "write the stock code in quotes, e.g. '0700', so that leading zeros are kept"
            )
        if isinstance(value, str) and value.isdigit() and len(value) < 4:
            raise PydanticCustomError("stock_code", "write the stock code with its four or five digits, as HKEX "
                                      "does: '{padded}'", {"padded": value.zfill(4)})
        if isinstance(value, str) and value.strip("0") == "":
            raise PydanticCustomError("stock_code", "'{value}' is not a stock code (HKEX codes are 1 to 99999)",
                                      {"value": value})
        return value


Date = Annotated[dt.date, Field(ge=dt.date(1990, 1, 1), le=dt.date(2100, 12, 31))]


class Period(Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end <= self.start:
            raise PydanticCustomError("period", "the period must end after it starts")
        if (self.end - self.start).days > 731:
            raise PydanticCustomError("period", "the period is longer than two years; a report covers one "
                                      "financial year")
        return self


def _edition_ids() -> tuple[str, ...]:
    return tuple(load_catalogue().editions)


def _framework_ids() -> tuple[str, ...]:
    return tuple(load_catalogue().frameworks)


class Report(Strict):
    title: Optional[TLine] = None
    edition: str = Field(description="framework edition: " + ", ".join(_edition_ids()))
    financial_year: Year
    period: Period
    published: Date
    languages: Annotated[list[LanguageCode], Field(min_length=1)] = Field(
        ["en"], description="the report's languages, e.g. [en, zh-Hant]: an edition in each, from the same figures; "
        "a text written plainly is in the first, and {en: ..., zh-Hant: ...} gives a text in each",
        json_schema_extra={"uniqueItems": True})
    currency: Annotated[Literal["HKD", "CNY", "USD"], BeforeValidator(_currency)] = Field(
        "HKD", description="ISO 4217 code of the currency of monetary amounts")
    brand_colour: Colour = "#0b5c6b"
    cover_image: Optional[RelativePath] = None
    archival: bool = Field(
        False, description="make the PDF archival (PDF/A-3a) carrying the inline XBRL report and xBRL-JSON, as "
        "build-report --archival does; off by default, because whether HKEXnews accepts a PDF with attached files "
        "is not known")
    previous: Optional[RelativePath] = Field(
        None, description="last year's company.yaml, as published, to compare the prior-year figures with")
    explanations: Literal["index", "section"] = Field(
        "index", description="where explanations of omission are printed: in the content index beside the provision "
        "(index), or in a chapter of their own before it, each provision's row giving its page (section)")
    indexes: list[str] = Field(
        [], description="cross-reference indexes printed after the HKEX content index, one per framework: "
        + ", ".join(_framework_ids()) + " (where each reference is answered, with its page)",
        json_schema_extra={"uniqueItems": True, "items": {"enum": list(_framework_ids())}})

    @model_validator(mode="after")
    def _published_after_the_period(self) -> "Report":
        if self.published < self.period.end:
            raise PydanticCustomError("published", "the report is published on {published}, before its period "
                                      "ends on {end}", {"published": str(self.published), "end": str(self.period.end)})
        return self

    @field_validator("languages")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise PydanticCustomError("languages", "name each language once")
        return value

    @field_validator("indexes")
    @classmethod
    def _known_indexes(cls, value: list[str]) -> list[str]:
        for framework in value:
            if framework not in _framework_ids():
                raise PydanticCustomError("indexes", "no cross-reference index '{value}'; expected some of: {known}",
                                          {"value": framework, "known": ", ".join(_framework_ids())})
        if len(set(value)) != len(value):
            raise PydanticCustomError("indexes", "name each index once")
        return value

    @field_validator("edition")
    @classmethod
    def _known_edition(cls, value: str) -> str:
        if value not in _edition_ids():
            raise PydanticCustomError(
                "edition", "unknown edition '{value}'; expected one of: {known}",
                {"value": value, "known": ", ".join(_edition_ids())},
            )
        return value


class BoardStatement(Strict):
    oversight: Text = Field(description="the board's oversight of ESG issues")
    management_approach: Text = Field(
        description="the ESG management approach and strategy, incl. how material issues are evaluated, prioritised and managed"
    )
    progress_review: Text = Field(description="how the board reviews progress against ESG goals and targets")


class ReportingPrinciples(Strict):
    materiality: Text
    quantitative: Text
    balance: Text
    consistency: Text


class StakeholderGroup(Strict):
    name: TLine
    channels: list[TLine] = []
    concerns: list[TLine] = Field([], description="key concerns, where the report names them")


class StakeholderEngagement(Strict):
    text: Text
    groups: list[StakeholderGroup] = []


class MaterialTopic(Strict):
    """A topic as the report ranks it: by two scores out of 5, by a tier, or only by its place."""

    topic: TLine
    importance_to_stakeholders: Optional[Annotated[Number, Field(ge=0, le=5)]] = None
    importance_to_business: Optional[Annotated[Number, Field(ge=0, le=5)]] = None
    tier: Optional[TLine] = Field(None, description="e.g. 'highly material', 'material', as the report names it")
    provisions: list[str] = []

    @model_validator(mode="after")
    def _both_scores(self) -> "MaterialTopic":
        if (self.importance_to_stakeholders is None) != (self.importance_to_business is None):
            raise PydanticCustomError("scores", "give both importance_to_stakeholders and importance_to_business, "
                                      "or neither (a tier: may rank the topic instead)")
        return self


class Materiality(Strict):
    text: Text
    topics: list[MaterialTopic] = []
    ranked: bool = Field(True, description="false where the report lists its material topics without an order "
                         "of priority (then no rank is shown)")


MAX_CHARTS_PER_SECTION = 6  # more than a section's page can hold beside its text
MAX_CHART_YEARS = 10  # bars per member: more years than this read as noise in print
MAX_CHART_MEMBERS = 12  # of a breakdown a chart shows: more colours than a reader tells apart
SUM_OF = "sum_of"  # a chart's breakdown into the metrics its metric is the sum of (Scope 1 and Scope 2)
MAX_CHARTS = 40  # in a report: each takes ~0.2 s to draw, in the render's bounded time


class Chart(Strict):
    """A chart of one metric's figures, drawn from the data the report's tables show."""

    metric: str = Field(description="the metric whose figures it shows: a catalogue metric or one of "
                        "extensions.metrics, given under metrics")
    kind: Literal["trend", "composition"] = Field(description="trend: a bar per year (stacked by the members of "
                                                  "the breakdown, if one is named); composition: the shares of a "
                                                  "breakdown's members in the latest year")
    breakdown: Optional[str] = Field(None, description="the axis the metric's figures are broken down by under "
                                     "metrics, e.g. energy_type, or sum_of: the metrics it is the sum of (Scope 1 "
                                     "and Scope 2 of ghg_scope1_2); required for a composition")
    title: Optional[TLine] = Field(None, description="the chart's caption; by default the metric's name")
    years: Optional[Annotated[int, Field(strict=True, ge=1, le=MAX_CHART_YEARS)]] = Field(
        None, description=f"how many of the latest years a trend shows; by default every year reported, at "
        f"most {MAX_CHART_YEARS}")

    @model_validator(mode="after")
    def _composition_of_a_breakdown(self) -> "Chart":
        if self.kind == "composition" and self.breakdown is None:
            raise PydanticCustomError("chart", "a composition shows the shares of a breakdown's members: name "
                                      "the breakdown, e.g. breakdown: gender")
        if self.kind == "composition" and self.years is not None:
            raise PydanticCustomError("chart", "a composition shows the latest year only; leave years out")
        return self


class Section(Strict):
    id: Slug
    title: TLine
    answers: list[str] = Field(default=[], description="provision codes this section answers, e.g. A1.5")
    body: Text
    charts: Annotated[list[Chart], Field(max_length=MAX_CHARTS_PER_SECTION)] = Field(
        [], description="charts of the report's figures, shown after the section's text")


class Chapter(Strict):
    id: Slug
    title: TLine
    intro: Optional[Text] = None
    sections: Annotated[list[Section], Field(min_length=1)]


class TargetPoint(Strict):
    year: Optional[Year] = Field(None, description="as published; some targets give none")
    value: Optional[Number] = None
    unit: Optional[str] = Field(None, description="the value's unit, a unit of the catalogue (e.g. %, tCO2e): "
                                "with it, the value is tagged as a number; the text is tagged in any case")
    text: Optional[TParagraph] = None


class Target(Strict):
    id: Slug
    provisions: Annotated[list[str], Field(min_length=1)]
    description: TLine
    metric: Optional[str] = None
    baseline: Optional[TargetPoint] = None
    target: TargetPoint
    # as published: a company that states no progress or status is not made to invent one
    progress: Optional[TParagraph] = None
    status: Optional[Literal["achieved", "on track", "behind", "not started"]] = None


OmissionReason = Literal[
    "not material", "not applicable", "information unavailable", "legal prohibition", "confidentiality"
]


class Omission(Strict):
    reason: OmissionReason
    explanation: TParagraph
    part: Optional[TLine] = Field(None, description="the part of the provision not reported, where the rest is "
                                 "answered, e.g. 'air pollutants (NOx, SOx, particulates)'")


class Restatement(Strict):
    metric: str
    year: Year
    axis: Optional[str] = None
    member: Optional[str] = None
    previous: Optional[Number] = Field(None, description="the figure as published last year, where it is at hand")
    reason: TParagraph


class FootnoteAt(Strict):
    """A note on part of a metric: one year's figures, one member's row, or one member's figure."""

    note: str = Field(description="the id of a note under footnotes")
    year: Optional[Year] = None
    axis: Optional[str] = None
    member: Optional[str] = None

    @model_validator(mode="after")
    def _somewhere(self) -> "FootnoteAt":
        if (self.axis is None) != (self.member is None):
            raise PydanticCustomError("footnote", "give both axis and member, or neither")
        if self.year is None and self.member is None:
            raise PydanticCustomError("footnote", "say which year or member the note is on (a note on the "
                                      "whole metric is written as its id alone)")
        return self


Footnote = Annotated[Any, BeforeValidator(lambda v: v if isinstance(v, str) else FootnoteAt.model_validate(v)),
                     WithJsonSchema({"anyOf": [{"type": "string"}, FootnoteAt.model_json_schema()]})]


class Intensity(Strict):
    per: str = Field(description="the denominator metric, e.g. employees, revenue, floor_area")
    values: Series = Field({}, description="as reported; leave out to have them computed from the denominator")
    per_unit: Optional[str] = Field(None, description="the denominator's unit (e.g. m2), for an intensity "
                                    "published without the denominator's figure")
    unit: Optional[str] = Field(None, description="the numerator's unit where the intensity is published in "
                                "another than the metric's (kg per employee for waste given in tonnes)")
    footnotes: list[str] = []


# --- the company's own metrics, axes and members ----------------------------------------

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]  # as the catalogue's ids
MAX_EXTENSION_MEMBERS = 100  # of an axis a company declares or extends
MemberId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=64)]  # 30_to_50, c01_purchased_goods


def _unit_kinds() -> tuple[str, ...]:
    return tuple(dict.fromkeys(u.kind for u in load_catalogue().units.values()))


class Labelled(Strict):
    label: Annotated[Line, Field(min_length=1)] = Field(description="in English, as the report prints it")
    label_zh: Annotated[Line, Field(min_length=1)] = Field(description="in Traditional Chinese")


class ExtensionAxis(Labelled):
    typed: bool = Field(False, description="true when the company names the members in its figures (like "
                        "sites and regions); else list them under members")
    members: Annotated[dict[MemberId, Labelled], Field(max_length=MAX_EXTENSION_MEMBERS)] = {}

    @model_validator(mode="after")
    def _members_or_typed(self) -> "ExtensionAxis":
        if self.typed and self.members:
            raise PydanticCustomError("axis", "a typed axis has no members listed: its figures name them")
        if not self.typed and not self.members:
            raise PydanticCustomError("axis", "list the axis's members (or make it typed: true)")
        return self


class ExtensionMetric(Labelled):
    unit_kind: str = Field(description="a unit kind of the catalogue: " + ", ".join(_unit_kinds()))
    period: Literal["duration", "instant"] = Field(
        "duration", description="duration: a flow over the year; instant: a stock at the year's end")
    table: str = Field(description="the data statistics table it is shown in (a catalogue table or one "
                       "under extensions.tables)")
    after: Optional[str] = Field(None, description="the metric its rows follow in that table")
    provisions: list[str] = Field([], description="the provisions it answers, e.g. A2.1")
    breakdowns: Annotated[list[str], Field(max_length=8)] = Field([], description="the axes it may be broken down by")
    sums: bool = Field(False, description="true when the members of each breakdown add up to the total")
    sum_of: list[str] = Field([], description="the metrics whose values add up to this one")
    intensity: bool = Field(False, description="true when it may be given per unit of a denominator")
    anchor: Optional[str] = Field(None, description="the catalogue metric it is a narrower part or kind of, "
                                  "e.g. energy_consumption for the natural gas consumed: how a consumer of the "
                                  "XBRL relates it to the framework")

    @field_validator("unit_kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in _unit_kinds():
            raise PydanticCustomError("unit_kind", "unknown unit kind '{value}'; expected one of: {known}",
                                      {"value": value, "known": ", ".join(_unit_kinds())})
        return value


class Extensions(Strict):
    """What the company reports that the framework's catalogue lacks, declared once and then
    given under metrics like any other metric."""

    # bounds far above a real report's, far below what makes the model of company.yaml slow to build
    metrics: Annotated[dict[Identifier, ExtensionMetric], Field(max_length=200)] = {}
    axes: Annotated[dict[Identifier, ExtensionAxis], Field(max_length=50)] = {}
    members: dict[str, Annotated[dict[MemberId, Labelled], Field(max_length=MAX_EXTENSION_MEMBERS)]] = Field(
        {}, description="members added to a catalogue axis, by axis: e.g. employment_type: {secondment: ...}")
    tables: Annotated[dict[Identifier, Labelled], Field(max_length=30)] = Field(
        {}, description="tables of the data statistics of its own; label is the table's title")


# --- per-metric models generated from the catalogue -------------------------------------


def _breakdowns_model(catalogue: Catalogue, name: str, axes: tuple[str, ...], value: Any = Series) -> type[BaseModel]:
    """{axis: {member: value}} for the axes given: the catalogue's members for an explicit axis,
    the company's own names for a typed one."""
    axis_fields: dict[str, Any] = {}
    for axis_id in axes:
        axis = catalogue.axes[axis_id]
        if axis.typed:
            axis_fields[axis_id] = (
                Optional[Annotated[dict[Name, value], Field(max_length=MAX_MEMBERS)]],
                Field(None, description=f"{axis.label}: members named by the company"),
            )
        else:
            axis_fields[axis_id] = (Optional[_members_model(axis)], Field(None, description=axis.label))
    return create_model(name, __base__=Strict, **axis_fields)


_MEMBER_MODELS: dict[tuple, type[BaseModel]] = {}


def _members_model(axis) -> type[BaseModel]:
    """{member: {year: value}} of an explicit axis: one model per axis and its members, shared by
    every metric broken down by it (a model per metric made a large extension slow to load)."""
    key = (axis.id, tuple(axis.members.items()))
    if key not in _MEMBER_MODELS:
        _MEMBER_MODELS[key] = create_model(
            f"{axis.id}_members", __base__=Strict,
            **{m: (Optional[Series], Field(None, description=label)) for m, (label, _) in axis.members.items()})
    return _MEMBER_MODELS[key]


_SHARED_MODELS: dict[tuple, type[BaseModel]] = {}


def _shared(key: tuple, make) -> type[BaseModel]:
    """A model built once for what it holds, shared by every metric that holds the same: the
    metrics broken down by the same axes (scope 2 and energy by site and region) share their
    breakdowns, their `within` and their intensity's models (one per metric made building the
    model of company.yaml a quarter of a `build-report check`)."""
    if key not in _SHARED_MODELS:
        _SHARED_MODELS[key] = make()
    return _SHARED_MODELS[key]


def _axes_key(catalogue: Catalogue, axes: tuple[str, ...]) -> tuple:
    return tuple((a, catalogue.axes[a].label, catalogue.axes[a].typed, tuple(catalogue.axes[a].members.items()))
                 for a in axes)


def _metric_model(catalogue: Catalogue, metric_id: str) -> type[BaseModel]:
    metric = catalogue.metrics[metric_id]
    units = tuple(u.code for u in catalogue.units_of(metric.unit_kind))
    fields: dict[str, Any] = {
        "unit": (Literal[units], Field(description="one of: " + ", ".join(units))),
        "values": (Series, {}),
        "footnotes": (list[Footnote], Field([], description="ids of notes under footnotes, on the whole metric; "
                                            "or {note: id, year: 2024} on a year, {note, axis, member} on a member")),
    }
    if metric.breakdowns:
        axes = _axes_key(catalogue, metric.breakdowns)
        by = "_".join(metric.breakdowns)
        breakdowns = _shared(("breakdowns", axes), lambda: _breakdowns_model(
            catalogue, f"breakdowns_by_{by}", metric.breakdowns))
        fields["breakdowns"] = (Optional[breakdowns], None)
        if metric.sums:
            fields["shares"] = (Optional[breakdowns], Field(None, description=(
                "each member's share of the total in percent, as published (e.g. 36.93), by axis and member "
                "as under breakdowns")))
        within = _shared(("within", axes, metric.sums), lambda: _within_model(
            f"within_{'summing_' if metric.sums else ''}by_{by}", breakdowns, metric.sums))
        # checked against the metric's axes and members when loaded: a model of every axis's
        # every member, each holding the breakdowns of every axis, would be slow to build
        fields["within"] = (Optional[dict[str, Annotated[dict[Name, within], Field(max_length=MAX_MEMBERS)]]],
                            Field(None, description="breakdowns of one member by another axis, by axis and member: "
                                  "of a sub-population (e.g. the gender of full-time staff: within: {employment_type: "
                                  "{full_time: {breakdowns: {gender: ...}}}}), or a table of two axes"))
    if metric.intensity:
        intensity = Intensity
        if metric.breakdowns:
            intensity = _shared(("intensity", axes), lambda: create_model(
                f"intensity_by_{by}", __base__=Intensity, breakdowns=(Optional[breakdowns], Field(
                    None, description="the intensity of each member (per site, per type of site), as published"))))
        fields["intensities"] = (list[intensity], [])
    return create_model(metric_id, __base__=Strict, __doc__=metric.label, **fields)


def _within_model(name: str, breakdowns: type[BaseModel], sums: bool) -> type[BaseModel]:
    sub = {"breakdowns": (Optional[breakdowns], Field(None, description="the members' figures, of this member only"))}
    if sums:
        sub["shares"] = (Optional[breakdowns], Field(None, description="their shares of this member's figure in "
                                                     "percent, as published"))
    return create_model(name, __base__=Strict, **sub)


def breakdown_members(entry: BaseModel, field: str = "breakdowns"):
    """(axis, member, value) for every member a metric entry gives under breakdowns (or
    shares, or within), in catalogue order; typed axes hold the company's own member names,
    explicit ones the catalogue's."""
    breakdowns = getattr(entry, field, None)
    if breakdowns is None:
        return
    if isinstance(breakdowns, dict):  # within: {axis: {member: ...}}, checked when loaded
        for axis_id, members in breakdowns.items():
            yield from ((axis_id, member, value) for member, value in members.items())
        return
    for axis_id in type(breakdowns).model_fields:
        given = getattr(breakdowns, axis_id)
        if isinstance(given, dict):
            yield from ((axis_id, member, series) for member, series in given.items())
        elif given is not None:
            for member in type(given).model_fields:
                if getattr(given, member) is not None:
                    yield axis_id, member, getattr(given, member)


_METRIC_MODELS: dict[tuple, type[BaseModel]] = {}


def _cached_metric_model(catalogue: Catalogue, metric_id: str) -> type[BaseModel]:
    """A metric's model, built once for the metric and the members of its axes: a company's
    extensions rebuild only the models they change (building them all takes half a second)."""
    metric = catalogue.metrics[metric_id]
    key = (metric, tuple((a, catalogue.axes[a].typed, tuple(catalogue.axes[a].members)) for a in metric.breakdowns))
    if key not in _METRIC_MODELS:
        _METRIC_MODELS[key] = _metric_model(catalogue, metric_id)
    return _METRIC_MODELS[key]


def metrics_model(catalogue: Catalogue) -> type[BaseModel]:
    fields = {
        mid: (Optional[_cached_metric_model(catalogue, mid)], Field(None, description=m.label))
        for mid, m in catalogue.metrics.items()
    }
    return create_model("Metrics", __base__=Strict, **fields)


_MODELS: dict[str, type[BaseModel]] = {}


def company_model(catalogue: Catalogue | None = None, key: str = "") -> type[BaseModel]:
    """The model of a whole company.yaml, for the framework's catalogue or for one extended by
    a company (key: its extensions, as canonical JSON; the last few models are kept, as a
    user's editor or the tests build the same report again and again)."""
    if key not in _MODELS:
        if len(_MODELS) > 8:
            _MODELS.pop(next(k for k in _MODELS if k))
        _MODELS[key] = _company_model(catalogue or load_catalogue())
    return _MODELS[key]


MAX_NAMES = 2 * MAX_MEMBERS  # the names of the sites and regions of a report: each typed axis holds at most 500


def _name_forms(value: Any) -> Any:
    if not isinstance(value, dict) or not value:
        raise PydanticCustomError("names", "give the name in each other language: {example}",
                                  {"example": "{zh-Hant: ...}"})
    return value


def _company_model(catalogue: Catalogue) -> type[BaseModel]:
    return create_model(
        "CompanyReport",
        __base__=Strict,
        company=(Company, ...),
        report=(Report, ...),
        board_statement=(BoardStatement, ...),
        reporting_principles=(ReportingPrinciples, ...),
        boundary=(Text, ...),
        stakeholder_engagement=(StakeholderEngagement, ...),
        materiality=(Materiality, ...),
        chapters=(Annotated[list[Chapter], Field(min_length=1)], ...),
        extensions=(Optional[Extensions], None),
        metrics=(metrics_model(catalogue), None),
        footnotes=(dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$", max_length=64)], TParagraph], {}),
        targets=(list[Target], []),
        omissions=(dict[str, Omission], {}),
        names=(Annotated[dict[Name, Annotated[dict[LanguageCode, Name], BeforeValidator(_name_forms)]],
                         Field(max_length=MAX_NAMES)], Field(
            {}, description="the names of sites, regions and other members the figures name (typed breakdowns), in "
            "the report's other languages: e.g. Tsing Yi Cold Chain Centre: {zh-Hant: 青衣冷鏈中心}")),
        restatements=(list[Restatement], []),
    )


class _DeclaredMetric(Strict):
    """A metric declared under extensions.metrics, as an editor sees it (the builder checks it
    against its declaration)."""

    unit: str
    values: Series = {}
    breakdowns: Optional[dict[str, dict[str, Series]]] = None
    footnotes: list[Footnote] = []
    intensities: list[Intensity] = []


def json_schema() -> dict:
    schema = company_model().model_json_schema()
    # a metric the company declares under extensions.metrics is given under metrics too
    declared = _DeclaredMetric.model_json_schema(ref_template="#/$defs/{model}")
    schema["$defs"] |= declared.pop("$defs", {})
    schema["$defs"]["Metrics"]["additionalProperties"] = declared
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "company.yaml of the HKEX ESG report builder"
    return schema

