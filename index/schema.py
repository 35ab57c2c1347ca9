"""The Whoosh schema: searchable text, facet keywords, and sortable dates."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from newsearch.index.analysis import FoldAnalyzer, NewsAnalyzer

SCHEMA_VERSION = 1
TEXT_FIELDS = ("title", "summary", "body", "tags")
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "tags": 1.2}
FACET_FIELDS = ("topic", "country", "region", "year")
UNDATED = 0  # ``date`` of an undated item
UNDATED_LAST = 99_999_999  # ``date_asc`` of an undated item


def build_schema() -> Schema:
    """A fresh schema. Facet fields are comma-separated keywords so an item can hold several."""
    analyzer = NewsAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        summary=TEXT(analyzer=analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=analyzer, stored=True, phrase=True),
        # topics, country names and regions as words, so free text finds tagged items too
        tags=TEXT(analyzer=analyzer, stored=False, phrase=True),
        spell=TEXT(analyzer=FoldAnalyzer(), stored=False, phrase=False),
        topic=KEYWORD(stored=True, commas=True, lowercase=True),
        country=KEYWORD(stored=True, commas=True),  # alpha-3 codes
        country_name=STORED(),
        region=KEYWORD(stored=True, commas=True),
        label=STORED(),
        kind=ID(stored=True),
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
