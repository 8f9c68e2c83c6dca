"""The input's text in each language of the report.

company.yaml holds one set of figures and its text in the report's languages
(`report.languages`, e.g. [en, zh-Hant]). A text is written plainly, in the first language, or
as a mapping by language (`{en: ..., zh-Hant: ...}`); a narrative file `x.md` has its form in
another language beside it, `x.zh-Hant.md`; the sites and regions the figures name have theirs
under `names:`. The schema reads each text as a `Translated`; `in_language` gives the input as
one edition of the report sees it, every text a plain string (or a file) in that language,
and says which texts lacked their form in it (check C10), where the first language's form is
shown instead. Figures are not copied: every edition holds the same objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from .schema import LANGUAGES, MarkdownFile, Translated

# no text is held there, and the figures are shared by every edition as they are
NOT_TEXT = frozenset({"metrics", "extensions", "names"})


class Foreign(str):
    """A text an edition shows in another language, where it has no form in its own (C10): it
    keeps its language, so the report marks it (lang, xml:lang) for readers, screen readers and
    XBRL consumers alike."""

    language: str

    def __new__(cls, text: str, language: str) -> "Foreign":
        foreign = super().__new__(cls, text)
        foreign.language = language
        return foreign

    def __reduce__(self):
        return Foreign, (str(self), self.language)


class Introduced(str):
    """A note the builder writes in the edition's language that ends with a company's text (a
    restatement's reason), which may be in another language (Foreign): joined as one string, the
    company's text would lose its language mark."""

    introduction: str
    text: str

    def __new__(cls, introduction: str, text: str) -> "Introduced":
        note = super().__new__(cls, introduction + text)
        note.introduction, note.text = introduction, text
        return note

    def __reduce__(self):
        return Introduced, (self.introduction, self.text)


@dataclass
class InLanguage:
    """The input as the edition in one language sees it."""

    language: str
    data: BaseModel
    # (YAML path, the form shown instead) of each text not given in the language
    missing: list[tuple[tuple, Any]] = field(default_factory=list)
    # (YAML path, file) of a narrative file whose name says another language (x.zh-Hant.md as English)
    misnamed: list[tuple[tuple, str]] = field(default_factory=list)
    unused: set[str] = field(default_factory=set)  # languages texts are given in that the report does not name
    foreign_files: dict[int, str] = field(default_factory=dict)  # id(narrative file shown instead) -> its language
    names: dict[str, str] = field(default_factory=dict)  # a typed member's name -> its name in the language
    # id(text shown) -> its YAML path, for a text written under a language key ({en: ..., zh-Hant: ...}):
    # a problem in it is said there, not at the field that holds the languages
    places: dict[int, tuple] = field(default_factory=dict)


def language_of(file: str) -> str | None:
    """The language a narrative file's name says: x.zh-Hant.md -> zh-Hant; x.md -> None."""
    stem = PurePosixPath(file).stem
    return next((code for code in LANGUAGES if stem.endswith("." + code)), None)


def sibling(file: str, language: str) -> str:
    """The file of a narrative in another language, beside it: x.md -> x.zh-Hant.md (and
    x.en.md -> x.zh-Hant.md where the first language's file says its language too)."""
    path = PurePosixPath(file)
    said = language_of(file)
    stem = path.stem[: -len(said) - 1] if said else path.stem
    return str(path.with_name(f"{stem}.{language}{path.suffix}"))


def in_language(data: BaseModel, language: str, folder: Path) -> InLanguage:
    languages = data.report.languages
    first = languages[0]
    result = InLanguage(language, data)

    def present(name: str) -> bool:
        # a directory, a link to nothing or a loop there is the form too: reading it says what is wrong
        path = folder / name
        return path.exists() or path.is_symlink()

    def text(value: Translated, path: tuple) -> Any:
        result.unused.update(code for code in value.languages if code is not None and code not in languages)
        own = value.get(language)  # given in this language
        plain = value.get(None)  # written plainly: in the first language
        if own is None and isinstance(plain, MarkdownFile):
            beside = sibling(plain.file, language)  # x.zh-Hant.md beside x.md, the first language's too
            if beside != plain.file and present(beside):
                own = MarkdownFile(file=beside)
        if own is None and language == first:
            own = plain
        if own is not None:
            if value.get(language) is own:
                result.places[id(own)] = path + (language,)
            if isinstance(own, MarkdownFile) and language_of(own.file) not in (None, language):
                result.misnamed.append((result.places.get(id(own), path), own.file))
            return own
        # the first language's form stands in (written plainly or under its code), else the first given
        code, shown = next(((c, t) for c, t in value.forms if c in (None, first)), value.forms[0])
        shown_in = code or first
        result.missing.append((path, shown))
        if isinstance(shown, MarkdownFile):
            result.foreign_files[id(shown)] = language_of(shown.file) or shown_in
        else:
            shown = Foreign(shown, shown_in)
        if code is not None:
            result.places[id(shown)] = path + (code,)
        return shown

    def walk(value: Any, path: tuple) -> Any:
        if isinstance(value, Translated):
            return text(value, path)
        if isinstance(value, BaseModel):
            changes = {}
            for name in type(value).model_fields:
                if path == () and name in NOT_TEXT:
                    continue
                old = getattr(value, name)
                new = walk(old, path + (name,))
                if new is not old:
                    changes[name] = new
            return value.model_copy(update=changes) if changes else value
        if isinstance(value, list):
            new = [walk(item, path + (i,)) for i, item in enumerate(value)]
            return value if all(a is b for a, b in zip(new, value)) else new
        if isinstance(value, dict):
            new = {key: walk(item, path + (key,)) for key, item in value.items()}
            return value if all(new[k] is value[k] for k in value) else new
        return value

    result.data = walk(data, ())
    result.names = {name: forms[language] for name, forms in data.names.items() if language in forms}
    return result


def typed_names(data, catalogue) -> dict[str, tuple]:
    """Every name the figures give a member of a typed axis (a site, a region), with the first
    place it is written: what a reader of another language needs in their language."""
    from .load import _all_series

    names: dict[str, tuple] = {}
    for path, _ in _all_series(data):
        for i in range(1, len(path) - 1):
            axis = catalogue.axes.get(path[i]) if path[i - 1] in ("breakdowns", "shares", "within") else None
            if axis is not None and axis.typed:
                names.setdefault(path[i + 1], path[: i + 2])
    return names


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def words(text: str) -> int:
    """The length of a text in words: a word of English between spaces; in Chinese, written
    without them, one for each two characters (a word of written Chinese averages about two)."""
    han = len(_HAN.findall(text))
    return sum(1 for token in _HAN.sub(" ", text).split() if any(c.isalnum() for c in token)) + han // 2
