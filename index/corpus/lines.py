"""A text dump's lines, each classified: text, number, bullet, date, credit or furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsearch.index.corpus.furniture import (
    CAPTION_CREDIT,
    CREDIT,
    SEPARATOR,
    TERMINAL,
    is_furniture,
)
from newsearch.index.corpus.result import MAX_FIELD
from newsearch.index.dates import ParsedDate, parse_date_line, parse_header, parse_updated
from newsearch.index.kinds import KINDS, OTHER_LABELS, is_kind_label

LABELS = set(KINDS) | set(OTHER_LABELS)  # every word a listing puts on a line as a label
# "Press release | Geneva | 12 June 2019", "News | 3 May 2021", "Date issued: 12 June 2019 | ..."
_TYPE_SPLIT = re.compile(r"\s+[|·•]\s+|\s*\|\s*")
_REFERENCE = re.compile(
    r"^(?:ref(?:erence)?\.?\s*(?:no\.?)?\s*:?\s*)?[A-Z]{2,5}/\d{2}/\d{1,4}$|^ref(?:erence)?\b", re.I
)
NUMBERED = re.compile(r"^\s*(\d{1,3})[.)](?:\s+(.*))?$")
BULLET = re.compile(r"^[•◦▪►*–-]\s+(\S.*)$")
LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?…。！？]\s*$")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # scripts written without spaces


@dataclass(frozen=True)
class Line:
    """One non-blank line of a dump, classified."""

    number: int
    text: str
    kind: str  # text | numbered | bullet | credit | chrome | junk | sep | header | date | updated
    gap: bool  # a blank line came before it
    date: ParsedDate | None = None
    label: str | None = None  # the kind a date line names ("Press release | 12 June 2019")
    cut_from: int = 0  # the line's length when it was longer than MAX_FIELD and cut to it


def is_prose(text: str) -> bool:
    words = len(text.split()) + len(_WIDE.findall(text)) // 2
    return words >= 8 or (words >= 3 and bool(TERMINAL.search(text)))


def is_kicker(text: str) -> bool:
    """A line that may stand above a title: a series, theme or place, not a sentence."""
    return not is_teaser(text) and len(text.split()) <= 15


def is_teaser(text: str) -> bool:
    """A sentence under a title (ends as sentences do), never a title itself."""
    return is_prose(text) and bool(_SENTENCE_END.search(text))


def is_label(text: str) -> bool:
    return text.strip().casefold().rstrip(":") in LABELS


def type_line(text: str) -> tuple[ParsedDate, str | None] | None:
    """A line of parts split by "|" that gives an item's date, with its kind and place if said.

    "Press release | Geneva | 12 June 2019", "News | 3 May 2021", "12 June 2019 | Feature",
    "Date issued: 11 May 2005 | Reference: ILO/05/21". Every part must be short: a kind word,
    a place, a reference, or the date.
    """
    parts = [p.strip() for p in _TYPE_SPLIT.split(text) if p.strip()]
    if len(parts) < 2 or len(parts) > 5:
        return None
    date: ParsedDate | None = None
    kind: str | None = None
    places: list[str] = []
    for part in parts:
        found = parse_date_line(part) if date is None else None
        if found is not None and not found.rest:
            date = found
        elif kind is None and is_kind_label(part):
            kind = part
        elif _REFERENCE.match(part):
            continue
        elif len(part.split()) <= 4 and not TERMINAL.search(part) and part[:1].isupper():
            places.append(part)
        else:
            return None
    if date is None:
        return None
    return ParsedDate(date.date, date.precision, date.text, ", ".join(places)), kind


def classify(text: str) -> tuple[str, ParsedDate | None]:
    stripped = text.strip()
    if SEPARATOR.match(stripped):
        return "sep", None
    if (
        CREDIT.match(stripped)
        or ("©" in stripped and len(stripped.split()) <= 12)
        or CAPTION_CREDIT.search(stripped)
    ):
        return "credit", None
    if is_furniture(stripped):
        return "chrome", None
    header = parse_header(stripped)
    if header is not None:
        return "header", header
    if parse_updated(stripped) is not None:
        return "updated", None
    date = parse_date_line(stripped)
    if date is not None:
        return "date", date
    if not LETTER.search(stripped):
        return "junk", None
    return "text", None


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    gap = True
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            gap = True
            continue
        cut_from = len(stripped) if len(stripped) > MAX_FIELD else 0
        if cut_from:
            stripped = stripped[:MAX_FIELD]
            out.append(Line(number, "", "cut", gap, cut_from=cut_from))  # said, then dropped
        numbered = NUMBERED.match(raw)
        bullet = BULLET.match(stripped)
        if numbered and not parse_date_line(stripped) and not parse_header(stripped):
            out.append(Line(number, (numbered.group(2) or "").strip(), "numbered", gap))
        elif bullet:
            out.append(Line(number, bullet.group(1).strip(), "bullet", gap))
        else:
            typed = type_line(stripped)
            if typed is not None:
                out.append(Line(number, stripped, "date", gap, typed[0], typed[1]))
                gap = False
                continue
            kind, date = classify(stripped)
            out.append(Line(number, stripped, kind, gap, date))
        gap = False
    return out
