"""Facet and date filters: what a user chose, checked, and turned into an index query."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from whoosh import query as wq

from newsearch.index.analysis import (
    LANGUAGES,
)
from newsearch.index.dates import parse_bound
from newsearch.index.errors import QueryError
from newsearch.index.fields import (
    UNDATED_VALUE,
    filter_field,
    filter_names,
    missing_value,
)
from newsearch.index.places import REGIONS, gazetteer
from newsearch.index.topics import DATA as TOPICS_FILE

_REGION_ALIASES = {
    "asia": "Asia and the Pacific",
    "asia-pacific": "Asia and the Pacific",
    "asia pacific": "Asia and the Pacific",
    "pacific": "Asia and the Pacific",
    "europe": "Europe and Central Asia",
    "central asia": "Europe and Central Asia",
    "americas": "Americas",
    "america": "Americas",
    "latin america": "Americas",
    "arab states": "Arab States",
    "middle east": "Arab States",
    "africa": "Africa",
}
_LANG_NAMES = {
    "english": "en",
    "french": "fr",
    "spanish": "es",
    "français": "fr",
    "español": "es",
    "anglais": "en",
    "inglés": "en",
}


@cache
def topic_names() -> tuple[str, ...]:
    """The controlled topics, read without building the tagger's phrase tables."""
    with TOPICS_FILE.open(encoding="utf-8") as handle:
        return tuple(name for name in json.load(handle) if not name.startswith("_"))


def date_key(day: dt.date) -> int:
    """A date as the YYYYMMDD number the ``date`` field holds."""
    return day.year * 10000 + day.month * 100 + day.day


def date_range(start: dt.date | None, end: dt.date | None) -> wq.Query:
    """Items dated within [start, end]; undated items never match.

    Open ends stop at the year 2999: Whoosh's numeric ranges misbehave past 2**25.
    """
    return wq.NumericRange(
        "date", date_key(start) if start else 10000101, date_key(end) if end else 29991231
    )


def resolve(name: str, value: str) -> str:
    """A user's facet value (any case, names or codes) as it is stored in the index."""
    text = value.strip()
    if name == "topic":
        vocab = topic_names()
        folded = text.casefold().replace("_", " ").replace("labor", "labour")
        if folded in vocab:
            return folded
        close = [t for t in vocab if folded and folded in t]
        raise QueryError(
            f"unknown topic {value!r}"
            + (
                f"; did you mean {', '.join(close)}?"
                if close
                else f"; topics are: {', '.join(vocab)}"
            )
        )
    if name == "country":
        code = gazetteer().code_for(text)
        if code is None:
            raise QueryError(f"unknown country {value!r}; use a name or an ISO code (IDN, PE)")
        return code
    if name == "region":
        folded = text.casefold()
        for region in REGIONS:
            if region.casefold() == folded:
                return region
        if folded in _REGION_ALIASES:
            return _REGION_ALIASES[folded]
        raise QueryError(f"unknown region {value!r}; regions are: {', '.join(REGIONS)}")
    if name == "language":
        folded = text.casefold()
        code = _LANG_NAMES.get(folded, folded)
        if code not in LANGUAGES:
            raise QueryError(f"unknown language {value!r}; use en, fr or es")
        return code
    if name == "kind":
        return text.casefold()
    if name == "listed_under":  # a listing heading, any case (matched as stored by the engine)
        return " ".join(text.split())
    if name == "source":  # a file's name, as the facet shows it; a path is read as its name
        return text.replace("\\", "/").rsplit("/", 1)[-1]
    return text


def keyword_term(name: str, value: str) -> wq.Query:
    return wq.Term(name, resolve(name, value))


@dataclass(frozen=True)
class Filters:
    """Facet and date filters: values within a field are ORed, fields are ANDed.

    One tuple of values per filter of the field registry, read as ``filters.country``.
    """

    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (filter name, values), registry order
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __getattr__(self, name: str) -> tuple[str, ...]:
        if name in filter_names():
            return dict(self.terms).get(name, ())
        raise AttributeError(name)

    @classmethod
    def build(
        cls,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        **values: tuple[str, ...] | list[str],
    ) -> Filters:
        """Validate and normalise what a user typed; unknown values raise QueryError."""
        unknown = sorted(set(values) - set(filter_names()))
        if unknown:
            raise QueryError(
                f"unknown filter {unknown[0]!r}; filters are: {', '.join(filter_names())}"
            )
        year = values.get("year", ())
        years = []
        for value in year:
            if value.strip() == UNDATED_VALUE:
                years.append(UNDATED_VALUE)
                continue
            if not re.fullmatch(r"(?:1[89]|2\d)\d{2}", value.strip()):
                raise QueryError(f"year {value!r} is not a year (YYYY) or {UNDATED_VALUE!r}")
            years.append(value.strip())
        try:
            start = parse_bound(date_from) if date_from else None
            end = parse_bound(date_to, end=True) if date_to else None
        except ValueError as exc:
            raise QueryError(str(exc)) from None
        if start and end and start > end:
            raise QueryError(f"--from {date_from} is after --to {date_to}")
        terms = []
        for name in filter_names():
            given = years if name == "year" else values.get(name, ())
            chosen = _unique(v if name == "year" else resolve(name, v) for v in given)
            if chosen:
                terms.append((name, chosen))
        return cls(terms=tuple(terms), date_from=start, date_to=end)

    def facet_terms(self) -> dict[str, tuple[str, ...]]:
        """Index field name -> the values chosen for it."""
        return {filter_field(name).name: values for name, values in self.terms}

    def query(self, *, without: str | None = None) -> wq.Query | None:
        """The filter as one query, leaving out the field ``without`` (for its own facet)."""
        parts: list[wq.Query] = []
        for name, values in self.facet_terms().items():
            if name == without:
                continue
            terms = [_value_query(name, v) for v in values]
            parts.append(terms[0] if len(terms) == 1 else wq.Or(terms))
        if self.date_from or self.date_to:
            parts.append(date_range(self.date_from, self.date_to))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def __bool__(self) -> bool:
        return bool(self.terms or self.date_from or self.date_to)


def _value_query(name: str, value: str) -> wq.Query:
    """Items whose field ``name`` holds ``value`` (the field's missing bucket: holds none)."""
    if value == missing_value(name):
        return wq.Not(wq.Every(name))
    return wq.Term(name, value)


def _unique(values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        if value not in out:
            out.append(value)
    return tuple(out)
