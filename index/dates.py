"""Dates as ILO listings write them (English, French, Spanish, Italian, Portuguese, German)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from newsearch.index.item import Precision

MONTHS: dict[str, int] = {}
_NAMES = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
}
MONTH_NAMES = tuple(name.capitalize() for name in _NAMES["en"].split())  # for people: "March"
for _names in _NAMES.values():
    for _i, _name in enumerate(_names.split(), start=1):
        MONTHS.setdefault(_name, _i)
# Unaccented and abbreviated spellings that real dumps use.
MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12, "setiembre": 9, "marco": 3, "maerz": 3})
for _name, _i in list(MONTHS.items()):
    if len(_name) > 3:
        MONTHS.setdefault(_name[:3], _i)
MONTHS.update({"sept": 9, "janv": 1, "févr": 2, "avr": 4, "juil": 7, "déc": 12})

_MONTH = r"(?P<month>[A-Za-zÀ-ÿ]{3,10})\.?"
_DAY = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th|º|°|\.)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS = [
    # 17 March 2017 · 1er mai 2016 · 3 de junio de 2022 · 17 Mar. 2017
    re.compile(rf"{_DAY}\s+(?:de\s+)?{_MONTH}\s*,?\s+(?:de\s+|del\s+)?{_YEAR}", re.I),
    # March 17, 2017
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.I),
    # 2017-03-17 or 2017/03/17
    re.compile(r"(?P<year>(?:19|20)\d{2})([-/.])(?P<nmonth>\d{1,2})\2(?P<day>\d{1,2})\b"),
    # 17/03/2017 or 17.03.2017 (day first, as ILO offices write it)
    re.compile(r"(?P<day>\d{1,2})[/.](?P<nmonth>\d{1,2})[/.](?P<year>(?:19|20)\d{2})"),
]
_MONTH_ONLY = re.compile(rf"^{_MONTH}\s+(?:de\s+|del\s+)?{_YEAR}$", re.I)
_YEAR_ONLY = re.compile(r"^(?:19|20)\d{2}$")
# A date line may carry a dateline after it: "12 June 2015, Geneva, Switzerland" or a prefix.
_PREFIX = re.compile(
    r"^(?:(?:date(?: issued| of issue)?|issued(?: on)?|published(?: on)?|posted(?: on)?|publié le|"
    r"publicado el|publicado|fecha|le|data|datum|pubblicato il)"
    r"\s*:?\s*)?(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|"
    r"mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|miercoles|jueves|viernes|"
    r"sábado|sabado|domingo)\s*,?\s*(?:le\s+)?)?",
    re.I,
)
# A line that gives when an item was changed, not when it was published.
_UPDATED = re.compile(
    r"^(?:last\s+)?(?:updated|modified|revised|mis à jour|mise à jour|actualizado|actualización)"
    r"(?:\s+on|\s+le|\s+el)?\s*:?\s*",
    re.I,
)
_TIME = re.compile(r"^\d{1,2}[:h.]\d{2}\b")
_PLACE_WORDS = re.compile(r"^[A-ZÀ-Þ][\w'’.-]*(?:\s+[A-ZÀ-Þ][\w'’.-]*){0,3}$")


@dataclass(frozen=True)
class ParsedDate:
    """A date found in text: the date, how precise it is, and the text it came from."""

    date: dt.date
    precision: Precision
    text: str
    rest: str = ""  # what followed the date on its line (a dateline's place)


def _month(name: str) -> int | None:
    return MONTHS.get(name.casefold().rstrip("."))


def _build(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    month = int(groups["nmonth"]) if groups.get("nmonth") else _month(groups.get("month") or "")
    if month is None:
        return None
    try:
        return dt.date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


def parse_date_line(line: str) -> ParsedDate | None:
    """The date a whole line states, if the line is a date line (optionally with a dateline)."""
    text = _PREFIX.sub("", line.strip())
    if not text or len(text) > 80:
        return None
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        date = _build(match)
        if date is None:
            return None
        rest = text[match.end() :].strip()
        if (
            rest
            and not rest.startswith((",", "–", "-", "—", "|", "(", "·", "•"))
            and not _TIME.match(rest)
            and not _PLACE_WORDS.match(rest)
        ):
            return None  # a sentence that starts with a date is not a date line
        aside = rest.startswith("(")
        rest = rest.lstrip(",–-—|(·• ").rstrip(")").strip()
        if rest and (len(rest.split()) > 6 or rest.endswith(".")):
            return None
        if rest and not aside and not (rest[0].isupper() or rest[0].isdigit()):
            return None  # "Le 25 janvier 2017, le comité ..." opens a sentence
        return ParsedDate(date, "day", text[: match.end()], rest)
    return _month_only(text)


def _month_only(text: str) -> ParsedDate | None:
    """ "March 2017", "juin 2015", "junio de 2022": the first of that month, month precision."""
    match = _MONTH_ONLY.match(text)
    if match:
        month = _month(match.group("month"))
        if month:
            return ParsedDate(dt.date(int(match.group("year")), month, 1), "month", text)
    return None


def parse_updated(line: str) -> ParsedDate | None:
    """The date of an "Updated 3 March 2020" line: when an item changed, not when it appeared."""
    match = _UPDATED.match(line.strip())
    if not match:
        return None
    return parse_date_line(line.strip()[match.end() :])


def parse_header(line: str) -> ParsedDate | None:
    """A month header ("March 2017", "juin 2015", "junio de 2022") or a year header ("2015")."""
    text = line.strip()
    if _YEAR_ONLY.match(text):
        return ParsedDate(dt.date(int(text), 1, 1), "year", text)
    return _month_only(text)


def parse_bound(text: str, *, end: bool = False) -> dt.date:
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (or, with ``end``, last) day it covers."""
    match = re.fullmatch(r"((?:1[89]|2\d)\d{2})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day:
            return dt.date(year, int(month or 1), int(day))
        if month:
            first = dt.date(year, int(month), 1)
            if not end:
                return first
            following = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from None
