"""The Whoosh schema, built from the field registry: searchable text, facet keywords, dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from newsearch.index.analysis import FoldAnalyzer, NewsAnalyzer
from newsearch.index.fields import Field, boosts, index_fields, text_fields

SCHEMA_VERSION = 1
TEXT_FIELDS = tuple(f.name for f in text_fields())  # searched by plain words
FIELD_BOOSTS = boosts()
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
    """A fresh schema, one Whoosh field per registry field (``index/fields.py``)."""
    analyzer = NewsAnalyzer()
    return Schema(**{f.name: whoosh_field(f, analyzer) for f in index_fields()})


def whoosh_field(spec: Field, analyzer: NewsAnalyzer) -> Any:
    """The Whoosh field for one registry field.

    Multi-valued keywords are comma-separated so an item can hold several; single keywords and
    ids are indexed whole; dates are YYYYMMDD numbers, sortable.
    """
    if spec.kind == "text":
        if spec.analyzer == "fold":
            return TEXT(analyzer=FoldAnalyzer(), stored=spec.stored, phrase=False)
        return NewsText(analyzer=analyzer, stored=spec.stored)
    if spec.kind == "keyword" and spec.multi:
        return KEYWORD(stored=spec.stored, commas=True, lowercase=spec.lowercase)
    if spec.kind in {"keyword", "id"}:
        return ID(stored=spec.stored, unique=spec.unique)
    if spec.kind == "date":
        return NUMERIC(sortable=spec.sortable, bits=32, signed=False, stored=spec.stored)
    if spec.kind == "number":
        return NUMERIC(sortable=spec.sortable, stored=spec.stored)
    if spec.kind == "stored":
        return STORED()
    raise ValueError(f"field {spec.name!r} of kind {spec.kind!r} has no Whoosh field")
