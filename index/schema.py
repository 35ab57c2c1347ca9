"""The Whoosh schema: searchable text, facet keywords, and sortable dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from newsearch.index.analysis import FoldAnalyzer, NewsAnalyzer

SCHEMA_VERSION = 1
TEXT_FIELDS = ("title", "summary", "body", "tags")
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "tags": 1.2}
FACET_FIELDS = ("topic", "country", "region", "year", "listed_under")
UNDATED = 0  # ``date`` of an undated item
UNDATED_LAST = 99_999_999  # ``date_asc`` of an undated item


class NewsPositions(Positions):  # type: ignore[misc]
    """Whoosh's positions format, fed by the analyzer's one-pass fast path when indexing."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, NewsAnalyzer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, positions in analyzer.positions(value).items():
            yield term, len(positions), len(positions) * boost, self.encode(positions)


class NewsText(TEXT):  # type: ignore[misc]
    """A phrase-searchable text field using :class:`NewsPositions`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(phrase=True, **kwargs)
        boost = float(getattr(self, "format").field_boost)  # noqa: B009 - set by TEXT
        self.format = NewsPositions(field_boost=boost)


def build_schema() -> Schema:
    """A fresh schema. Facet fields are comma-separated keywords so an item can hold several."""
    analyzer = NewsAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=NewsText(analyzer=analyzer, stored=True),
        summary=NewsText(analyzer=analyzer, stored=True),
        body=NewsText(analyzer=analyzer, stored=True),
        # topics, country names and regions as words, so free text finds tagged items too
        tags=NewsText(analyzer=analyzer, stored=False),
        spell=TEXT(analyzer=FoldAnalyzer(), stored=False, phrase=False),
        topic=KEYWORD(stored=True, commas=True, lowercase=True),
        country=KEYWORD(stored=True, commas=True),  # alpha-3 codes
        country_name=STORED(),
        region=KEYWORD(stored=True, commas=True),
        label=STORED(),
        kind=ID(stored=True),
        # Where the page put the item. The kicker is shown, not searched: its topic words reach
        # search through the topic tags. listed_under is a facet: one verbatim value per item.
        kicker=STORED(),
        listed_under=ID(stored=True),
        language=ID(stored=True),
        year=ID(stored=True),
        # YYYYMMDD as numbers: ``date`` puts undated items last when newest come first,
        # ``date_asc`` puts them last when oldest come first.
        date=NUMERIC(sortable=True, bits=32, signed=False),
        date_asc=NUMERIC(sortable=True, bits=32, signed=False),
        published=STORED(),  # ISO date text
        date_precision=STORED(),
        url=ID(stored=True),
        source=STORED(),
        evidence=STORED(),
        digest=STORED(),
    )
