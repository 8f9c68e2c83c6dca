"""The report's built-in text in each language it can be rendered in.

Every built-in word of the report (headings, table headers, row labels, statuses, notes the
builder writes) is an English message marked for gettext: `_()` / `{% trans %}` in the
templates, `N_()` or `Language.gettext()` in the builder. `make messages` extracts them into
locale/messages.pot with Babel (babel.cfg) and merges them into each language's .po.

The names of what the framework defines (metrics, axes, members, tables, units, provisions,
aspects, editions) are not messages: the catalogue holds them in English and Traditional
Chinese (`label` / `label_zh`, `title` / `title_zh`), one source for the tables, the content
index and the XBRL taxonomy alike; `Language.label()` picks the form.

English is the source language: it has no catalogue, so its text is the messages themselves,
byte for byte. Figures are shared by every language: only text changes.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"

# language tag (BCP 47, as in <html lang> and xml:lang) -> (gettext catalogue, Babel locale for dates)
LANGUAGES = {
    "en": (None, "en_GB"),
    "zh-Hant": ("zh_Hant", "zh_Hant_HK"),  # Traditional Chinese as written in Hong Kong
}
NAMES = {"en": "English", "zh-Hant": "Traditional Chinese"}  # how a message to the YAML's author names them
DATE_PATTERNS = {"en": "d MMMM y"}  # 31 December 2025; other languages take their locale's long form


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a table of labels); it is
    translated where it is shown, with Language.gettext."""
    return message


def catalogue_path(language: str) -> Path | None:
    folder = LANGUAGES[language][0]
    return None if folder is None else LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's translations, read from its .po once per process.

    The .po is compiled in memory (Babel's write_mo into a buffer) rather than shipped as a
    .mo: the .po in git is then the only form of a translation, no build step can leave a stale
    .mo behind, and a fresh checkout renders Chinese without running anything first. Reading
    and compiling the catalogue takes a few milliseconds. Fuzzy entries are left out, as
    gettext's own compiler leaves them out: an unreviewed guess is never printed.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of: {', '.join(LANGUAGES)}")
    path = catalogue_path(language)
    if path is None:
        return gettext.NullTranslations()  # the source language: the messages are the text
    with open(path, "rb") as f:
        catalog = read_po(f, locale=LANGUAGES[language][0], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True, repr=False)
class Language:
    """One language of the report: its messages, the catalogue's names in it and its dates.
    A template sees it as `language`: `language.label(metric)`, `language.date(day)`."""

    code: str

    def __repr__(self) -> str:
        return f"<language {self.code}>"

    @property
    def chinese(self) -> bool:
        return self.code.startswith("zh")

    # --- messages ----------------------------------------------------------------------------

    def gettext(self, message: str, **values) -> str:
        """The message in this language, with its %(name)s placeholders filled in. A message is
        always a format string, as with the templates' newstyle _(): a literal % is written %%."""
        return translations(self.code).gettext(message) % values

    def pgettext(self, context: str, message: str) -> str:
        return translations(self.code).pgettext(context, message)

    def join(self, items, separator: str = ", ") -> str:
        """A list as this language writes one: 'A1.1, A1.2' in English, 'A1.1、A1.2' in Chinese."""
        return self.separator(separator).join(str(i) for i in items)

    def separator(self, separator: str = ", ") -> str:
        if separator == "; ":
            return self.pgettext("separator of a list of phrases", "; ")
        return self.pgettext("separator of a list of words", ", ")

    # --- the catalogue's names ----------------------------------------------------------------

    def label(self, thing) -> str:
        """The name of a metric, axis, unit, table, provision, aspect, part or edition in this
        language: its label or title, or the catalogue's Chinese form of it."""
        field = "label" if hasattr(thing, "label") else "title"
        if self.chinese:  # (label, title and their _zh forms only: nothing a template could misuse)
            return getattr(thing, f"{field}_zh", None) or getattr(thing, field)
        return getattr(thing, field)

    def member(self, axis, member: str) -> str:
        """A breakdown member's name: the catalogue's label of an explicit member, the
        company's own name of a typed one (a region, a site), which is text of the input."""
        if axis.typed:
            return member
        label, label_zh = axis.members[member]
        return (label_zh or label) if self.chinese else label

    def in_text(self, label: str) -> str:
        """A name in running text ('by gender'): English lowers its capital, Chinese has none."""
        return label if self.chinese else label.lower()

    def per(self, metric, unit_label: str) -> str:
        """How an intensity's denominator reads: 'HK$ million of revenue' / '每百萬港元收入'."""
        from .catalogue import Metric

        if not isinstance(metric, Metric):  # its pattern is a format string: only the catalogue's
            raise TypeError("language.per() takes a metric of the catalogue")
        pattern = (metric.denominator_zh or metric.denominator) if self.chinese else metric.denominator
        return pattern.format(unit=str(unit_label))

    FIELDS = frozenset({"applies_to", "appendix", "wording", "index_title"})  # the texts field() gives

    def field(self, thing, name: str, fallback: bool = True) -> str | None:
        """A catalogue text that is neither label nor title (an edition's `applies_to`,
        `appendix`, a provision's `wording`) in this language: its `_zh` form in Chinese, or
        where the catalogue has none, the English one (fallback) or None."""
        if name not in self.FIELDS:  # templates call it: never a way to any attribute
            raise ValueError(f"language.field() gives one of: {', '.join(sorted(self.FIELDS))}")
        if self.chinese:
            return getattr(thing, f"{name}_zh", None) or (getattr(thing, name) if fallback else None)
        return getattr(thing, name)

    # --- dates ---------------------------------------------------------------------------------

    def date(self, day: dt.date) -> str:
        """31 December 2025 / 2025年12月31日."""
        return format_date(day, DATE_PATTERNS.get(self.code, "long"), locale=LANGUAGES[self.code][1])


@cache
def language(code: str = DEFAULT) -> Language:
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; expected one of: {', '.join(LANGUAGES)}")
    return Language(code)
