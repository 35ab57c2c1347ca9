"""Small Jinja filters: dates, names for codes, counts and durations as people read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

from newsearch.index.analysis import LANGUAGES
from newsearch.index.dates import MONTH_NAMES as MONTHS
from newsearch.index.places import country_name


def human_date(value: str | dt.date | None, precision: str | None = "day") -> str:
    """'2017-03-17' as '17 March 2017'; a month or a year alone when that is all that is known."""
    if not value:
        return "undated"
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except ValueError:
        return str(value)
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def iso_date(value: str | dt.date | None) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or ""


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 match', '2 matches'."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def milliseconds(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """A message as a sentence: a capital first and a full stop last."""
    text = capfirst(text.strip())
    return text if not text or text[-1] in ".?!" else text + "."


def web_url(url: str | None) -> str | None:
    """The URL if it is an http(s) address, else None: no other scheme becomes a link."""
    if url and urlsplit(url.strip()).scheme.lower() in {"http", "https"}:
        return url.strip()
    return None


def language_name(code: str) -> str:
    """'fr' as 'French': the name its stemmer goes by; an unknown code as it is."""
    return LANGUAGES[code].capitalize() if code in LANGUAGES else code


# Characters that re-order the text around them (embeddings, overrides, isolates): U+202E in a
# title would show the rest of the page's line backwards. They are dropped from what pages show.
BIDI_CONTROLS: dict[int, None] = dict.fromkeys((*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def without_bidi_controls(value: Any) -> Any:
    """Every value a template prints, without bidirectional control characters."""
    if isinstance(value, Markup):
        return Markup(str(value).translate(BIDI_CONTROLS))
    if isinstance(value, str):
        return value.translate(BIDI_CONTROLS)
    return value


def register(app: Flask) -> None:
    app.jinja_env.finalize = without_bidi_controls
    filters: dict[str, Callable[..., Any]] = {
        "human_date": human_date,
        "iso_date": iso_date,
        "plural": plural,
        "milliseconds": milliseconds,
        "capfirst": capfirst,
        "sentence": sentence,
        "web_url": web_url,
        "country_name": country_name,
        "language_name": language_name,
    }
    for name, function in filters.items():
        app.add_template_filter(function, name)
