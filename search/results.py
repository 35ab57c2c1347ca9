"""Search results as plain data: hits, facet counts, pages and index statistics."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from newsearch.index.fields import facet_names, hit_keys
from newsearch.index.item import Item

Span = tuple[str, bool]  # a piece of snippet text and whether it matched the query

HIT_KEYS = hit_keys()  # the JSON keys of a hit, in order (index/fields.py)
FACET_NAMES = facet_names()  # in the order they are shown
EMPTY_INDEX = "the index is empty; add files with `newsearch index PATH`"


def spans_to_html(spans: tuple[Span, ...]) -> str:
    """Snippet spans as HTML: all text escaped, matched words in ``<mark>``."""
    return "".join(f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in spans)


def spans_to_text(spans: tuple[Span, ...]) -> str:
    return "".join(text for text, _ in spans)


@dataclass(frozen=True)
class Hit:
    """One matching item as the CLI, the web API and exports show it."""

    id: str
    title: str
    date: str | None
    summary: str
    snippet: tuple[Span, ...]
    score: float | None
    topics: tuple[str, ...]
    countries: tuple[str, ...]
    country_codes: tuple[str, ...]
    regions: tuple[str, ...]
    label: str | None
    language: str
    url: str | None
    source: str
    date_precision: str | None = field(default=None, compare=False)
    kicker: str | None = None
    listed_under: str | None = None
    match: str = "all"  # "all": every word of the query matched; "partial": some did
    matched_words: tuple[str, ...] = ()  # the query's words (as typed) this item matched
    cluster: str | None = None  # its near-duplicate cluster (None: the index has no clusters)
    versions: int | None = None  # versions of its story in the index, itself included

    @classmethod
    def from_item(
        cls,
        item: Item,
        snippet: tuple[Span, ...],
        score: float | None,
        match: str = "all",
        matched_words: tuple[str, ...] = (),
    ) -> Hit:
        """The hit of an item read back from the index, with its snippet, score and match."""
        return cls(
            id=item.id,
            title=item.title,
            date=item.date.isoformat() if item.date else None,
            summary=item.summary,
            snippet=snippet,
            score=score,
            topics=item.topics,
            countries=item.countries,
            country_codes=item.country_codes,
            regions=item.regions,
            label=item.label,
            language=item.language,
            url=item.url,
            source=item.source,
            date_precision=item.date_precision,
            kicker=item.kicker,
            listed_under=item.listed_under,
            match=match,
            matched_words=matched_words,
        )

    @property
    def snippet_html(self) -> str:
        return spans_to_html(self.snippet)

    @property
    def snippet_text(self) -> str:
        return spans_to_text(self.snippet)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of a hit (``snippet`` is escaped HTML with ``<mark>``)."""
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "summary": self.summary,
            "snippet": self.snippet_html,
            "score": None if self.score is None else round(self.score, 4),
            "topics": list(self.topics),
            "countries": list(self.countries),
            "country_codes": list(self.country_codes),
            "regions": list(self.regions),
            "label": self.label,
            "language": self.language,
            "url": self.url,
            "source": self.source,
            "kicker": self.kicker,
            "listed_under": self.listed_under,
            "match": self.match,
            "matched_words": list(self.matched_words),
            "date_precision": self.date_precision if self.date else None,
            "cluster": self.cluster,
            "versions": self.versions,
        }

    @property
    def date_label(self) -> str:
        """The date as precisely as it is known: 2021, 2021-03 or 2021-03-17 ('' if none)."""
        if not self.date:
            return ""
        return {"year": self.date[:4], "month": self.date[:7]}.get(
            self.date_precision or "day", self.date
        )


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many matching items carry it."""

    value: str
    count: int
    code: str | None = None  # the country code behind a country name

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count}


@dataclass(frozen=True)
class SearchResult:
    """A page of hits, the total, facet counts over all matches, and a correction if any."""

    query: str
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    suggestion: str | None = None
    sort: str = "relevance"
    seconds: float = 0.0
    indexed: int = -1  # items in the whole index (-1: not counted)
    # matches a date filter left out: "undated", and "coarser" (dated only to a month or
    # year that overlaps the range without lying inside it)
    left_out: dict[str, int] = field(default_factory=dict)
    partial_total: int = 0  # items matching some but not all words, listed after ``total``
    corrected_from: str | None = None  # the query as typed, when a corrected one was run
    match: str = "auto"  # the matching strategy: auto | all | any
    explain: dict[str, Any] | None = None  # how the query was searched, when asked
    # with near-duplicates shown once: the stories among the matches (pages count them), and
    # whether ``total`` and the facets count "items" or "stories"
    stories: int | None = None
    counted: str = "items"

    @property
    def shown_total(self) -> int:
        """Every item a reader can page through: full matches, then partial ones."""
        return self.total + self.partial_total

    @property
    def pages(self) -> int:
        listed = self.shown_total if self.stories is None else self.stories
        return max(1, -(-listed // self.limit)) if self.limit else 1

    @property
    def notice(self) -> str | None:
        """Why a page shows no hits when that is not for want of matches, else None."""
        if self.indexed == 0:
            return EMPTY_INDEX
        if self.shown_total and self.limit and not self.hits and self.page > self.pages:
            return (
                f"page {self.page} is past the last page of results ({self.pages}); "
                f"the {self.shown_total:,} match(es) are on pages 1 to {self.pages}"
            )
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {
                name: [v.to_dict() for v in self.facets.get(name, ())] for name in FACET_NAMES
            },
            "suggestion": self.suggestion,
            "partial_total": self.partial_total,
            "corrected_from": self.corrected_from,
            "match": self.match,
            "pages": self.pages,
            "indexed": self.indexed,
            "left_out": dict(self.left_out),
            "notice": self.notice,
            "stories": self.stories,
            "counted": self.counted,
            **({"explain": self.explain} if self.explain is not None else {}),
        }


@dataclass(frozen=True)
class Stats:
    """What the index holds: counts by facet, size on disk and when it was last updated."""

    path: str
    items: int
    size_bytes: int
    updated: str | None
    segments: int
    facets: dict[str, tuple[FacetValue, ...]]
    undated: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "items": self.items,
            "size_bytes": self.size_bytes,
            "updated": self.updated,
            "segments": self.segments,
            "undated": self.undated,
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
        }
