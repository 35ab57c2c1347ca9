"""The help page: the query language, with examples that run on the built-in corpus."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for

bp = Blueprint("guide", __name__)


@dataclass(frozen=True)
class Example:
    """One rule of the query language and a query that shows it."""

    query: str
    meaning: str


EXAMPLES = (
    Example("Indonesia fishers", "every word must match; fishers also finds fisher, fishing"),
    Example('"forced labour"', "an exact phrase"),
    Example('"forced labour protocol"~2', "a phrase allowing two words between"),
    Example("Peru OR Pakistan", "either word"),
    Example("trafficking -Peru", "leave out items with a word (also NOT Peru)"),
    Example("(Peru OR Pakistan) trafficking", "grouping with parentheses"),
    Example("title:Peru", "a word in one field: title:, summary:, body:"),
    Example("topic:fisheries", "a controlled topic"),
    Example("country:IDN", "a country, by ISO code or name (country:peru)"),
    Example("region:americas", "an ILO region"),
    Example("year:2016", "a year; year:[2015 TO 2017] for a range"),
    Example("date:2016-09..2017-01", "a date range: YYYY, YYYY-MM or YYYY-MM-DD at each end"),
    Example("kind:statement", "a kind of item (news, statement, press release ...)"),
    Example("migra*", "a wildcard: every word starting with migra"),
    Example("trafficing~1", "a fuzzy word: one letter off"),
)

TOOLS = (
    ("Concordance", "research.concordance_page", '"forced labour"'),
    ("Trend over time", "research.trends_page", "trafficking"),
    ("What sets these items apart", "research.terms_page", "fishers"),
    ("Near-duplicates shown once", "research.stories_page", '"forced labour"'),
)


@bp.get("/help")
def help_page() -> str:
    examples = [(e, url_for("pages.search", q=e.query)) for e in EXAMPLES]
    tools = [(title, url_for(endpoint, q=q), q) for title, endpoint, q in TOOLS]
    return render_template("help.html", examples=examples, tools=tools)
