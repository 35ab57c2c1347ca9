"""The ILO vocabulary: concepts, sectors, conventions, acronyms and places in three languages."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsearch.index.analysis import LANGUAGES, fold, stem, stopped_anywhere, strip_elision, words

VOCABULARY = Path(__file__).with_name("data") / "vocabulary.json"
KINDS = ("concepts", "sectors", "conventions", "acronyms", "places")
CONVENTION_CODE = re.compile(r"^([CP])(\d{3})$")


@dataclass(frozen=True)
class Entry:
    """One idea of the vocabulary and every way of writing it."""

    kind: str  # concept | sector | convention | acronym | place
    id: str
    forms: tuple[tuple[str, str], ...]  # (language, form) pairs, as written in the file
    countries: tuple[str, ...] = ()  # places: ISO 3166-1 alpha-3 codes
    code: str | None = None  # conventions: C029, P029
    # forms a query is read by but never looked for in items: items use them in passing
    # ("trade unions met in the capital"), so they do not say an item is about the entry
    broad: frozenset[str] = frozenset()

    @property
    def number(self) -> int | None:
        return int(self.code[1:]) if self.code else None


@dataclass(frozen=True)
class Span:
    """A run of query words the vocabulary recognised: words[start:end] is ``entry``."""

    start: int
    end: int
    entry: Entry
    form: str


def keys(word: str) -> frozenset[str]:
    """What a word may stand for: its stem in each language (elision removed, accents folded)."""
    word = strip_elision(word.lower())
    return frozenset({fold(word), *(f"{lang}:{stem(word, lang)}" for lang in LANGUAGES)})


def content_words(text: str) -> list[str]:
    """The words of ``text`` a match is made on: stop words of every language left out."""
    return [w for w, _, _ in words(text) if not stopped_anywhere(w)]


class Vocabulary:
    """The entries of the vocabulary file, with the lookups a query needs."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = tuple(entries)
        self.codes = {e.code: e for e in self.entries if e.code}
        self._forms: list[tuple[tuple[str, ...], Entry, str]] = []
        for entry in self.entries:
            for _, form in entry.forms:
                pieces = tuple(content_words(form))
                if pieces:
                    self._forms.append((pieces, entry, form))
        self._keyed: dict[str, list[tuple[tuple[frozenset[str], ...], Entry, str]]] | None = None

    def stem_all(self) -> None:
        """Stem every word of every form now (so an index's stem table holds them all)."""
        self._index()

    def _index(self) -> dict[str, list[tuple[tuple[frozenset[str], ...], Entry, str]]]:
        if self._keyed is None:
            keyed: dict[str, list[tuple[tuple[frozenset[str], ...], Entry, str]]] = {}
            for pieces, entry, form in self._forms:
                word_keys = tuple(keys(p) for p in pieces)
                for key in word_keys[0]:
                    keyed.setdefault(key, []).append((word_keys, entry, form))
            self._keyed = keyed
        return self._keyed

    def spans(self, query_words: Sequence[str]) -> list[Span]:
        """The longest vocabulary forms found in a run of query words, left to right."""
        keyed = self._index()
        query_keys = [keys(w) for w in query_words]
        out: list[Span] = []
        i = 0
        while i < len(query_words):
            best: Span | None = None
            candidates = {id(c): c for key in query_keys[i] for c in keyed.get(key, ())}.values()
            for word_keys, entry, form in candidates:
                end = i + len(word_keys)
                if end > len(query_words) or (best is not None and end <= best.end):
                    continue
                if all(word_keys[j] & query_keys[i + j] for j in range(len(word_keys))):
                    best = Span(i, end, entry, form)
            if best is None:
                i += 1
                continue
            out.append(best)
            i = best.end
        return out

    def convention(self, letter: str, number: int) -> Entry | None:
        return self.codes.get(f"{letter.upper()}{number:03d}")

    def conventions_with_prefix(self, letter: str, digits: str) -> list[Entry]:
        """Conventions whose number, written with or without leading zeros, starts so."""
        found = []
        for code, entry in self.codes.items():
            if code[0] != letter.upper():
                continue
            number = str(int(code[1:]))
            if number.startswith(digits) or code[1:].startswith(digits):
                found.append(entry)
        return found


@cache
def vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    """The vocabulary file shipped with newsearch (``index/data/vocabulary.json``)."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    entries: list[Entry] = []
    for kind in KINDS:
        for record in data.get(kind, []):
            forms = tuple(
                (language, form) for language in LANGUAGES for form in record.get(language, [])
            )
            code = record.get("code")
            if code is not None and not CONVENTION_CODE.match(code):
                raise ValueError(f"{path}: convention code {code!r} is not C or P + three digits")
            entries.append(
                Entry(
                    kind=kind.rstrip("s"),
                    id=record.get("id") or code,
                    forms=forms,
                    countries=tuple(record.get("countries", ())),
                    code=code,
                    broad=frozenset(fold(f).casefold() for f in record.get("broad", ())),
                )
            )
    return Vocabulary(entries)


@cache
def country_names() -> dict[str, str]:
    """Folded country name (English, French, Spanish, other names) -> ISO alpha-3 code."""
    import pycountry

    with (VOCABULARY.parent / "places.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                table[fold(name).casefold()] = country.alpha_3
    for key in ("aliases", "fr_names", "es_names"):
        for name, code in data.get(key, {}).items():
            if isinstance(code, str):
                table[fold(name).casefold()] = code
    return table


def country_in(text: str) -> str | None:
    """The country a query's words name, if they are a country's name (never a code)."""
    folded = fold(text).casefold().strip()
    if len(folded) < 4:
        return None
    return country_names().get(folded)
