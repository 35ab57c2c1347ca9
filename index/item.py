"""The record each news item becomes: typed, frozen, and shared by every part of newsearch."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class Evidence:
    """Why a tag was given: the field, the tag's value, and the words that triggered it."""

    field: str  # "topic", "country", "region", "date", "language", "kind"
    value: str
    source: str  # "label", "heading", "title", "summary", "record", "country", ...
    text: str  # the words that triggered it

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "value": self.value, "source": self.source, "text": self.text}


@dataclass(frozen=True)
class Problem:
    """A part of an input that was not read as an item, with where it is and why."""

    path: str
    line: int  # 1-based; 0 when the problem is the whole file
    message: str
    severity: Literal["error", "warning", "note"] = "warning"  # note: read, with a remark

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class RawItem:
    """An item as a reader found it, before tagging."""

    title: str
    source: str  # file path
    line: int  # line of the title (1-based), 0 for records without lines
    summary: str = ""
    body: str = ""
    date: dt.date | None = None
    date_precision: Precision | None = None
    date_text: str = ""
    label: str | None = None
    url: str | None = None
    heading: str = ""  # the listing heading the item stands under ("News on forced labour")
    kicker: str = ""  # the line above the title: a series, theme, place or programme
    date_line: str = (
        ""  # the whole line the date came from ("Press release | Geneva | 12 June 2019")
    )
    credit: str = ""  # a photo credit, kept apart so it is never evidence
    alt: str = ""  # image alt text, kept apart for the same reason
    dateline: str = ""  # the place after a date ("12 June 2015, Geneva"): where, not what about
    topics: tuple[str, ...] = ()  # given by a structured record
    countries: tuple[str, ...] = ()  # given by a structured record (names or codes)
    language: str | None = None  # given by a structured record


@dataclass(frozen=True)
class Item:
    """One tagged news item, ready to index."""

    id: str
    title: str
    summary: str = ""
    body: str = ""
    date: dt.date | None = None
    date_precision: Precision | None = None
    label: str | None = None
    kind: str = "news"
    # Where the page put the item: the line above its title, and the listing it stands under.
    kicker: str | None = None
    listed_under: str | None = None
    topics: tuple[str, ...] = ()
    country_codes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # English names, parallel to country_codes
    regions: tuple[str, ...] = ()
    language: str = "en"
    url: str | None = None
    source: str = ""  # "file:line"
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def digest(self) -> str:
        """A hash of everything indexed, to tell an unchanged item from an updated one."""
        parts = [
            self.title,
            self.summary,
            self.body,
            self.date.isoformat() if self.date else "",
            self.date_precision or "",
            self.label or "",
            self.kind,
            self.kicker or "",
            self.listed_under or "",
            "|".join(self.topics),
            "|".join(self.country_codes),
            "|".join(self.regions),
            self.language,
            self.url or "",
            self.source,
            "|".join(f"{e.field}:{e.value}:{e.source}:{e.text}" for e in self.evidence),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "summary": self.summary,
            "body": self.body,
            "topics": list(self.topics),
            "countries": list(self.countries),
            "country_codes": list(self.country_codes),
            "regions": list(self.regions),
            "label": self.label,
            "kind": self.kind,
            "kicker": self.kicker,
            "listed_under": self.listed_under,
            "language": self.language,
            "url": self.url,
            "source": self.source,
            "evidence": [e.to_dict() for e in self.evidence],
        }


_SPACE = re.compile(r"\s+")


def normalise_title(text: str) -> str:
    """Case-, accent-, quote- and space-insensitive form of a title, for ids and comparisons."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return _SPACE.sub(" ", text).strip().casefold()


def item_id(title: str, date: dt.date | None, url: str | None) -> str:
    """Stable id: derived from the url where there is one, else from the title and date."""
    key = url.strip() if url and url.strip() else f"{normalise_title(title)}|{date or ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
