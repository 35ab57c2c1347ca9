"""A straightforward top-10 + facet counts (plain Whoosh groupedby) to check Engine.search."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import sorting

from newsearch.index.fields import field_named
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.query import parse

FACETS = ("topic", "country", "region", "year")
MULTI_VALUED = {"topic", "country", "region"}
LANGUAGE_ORDER = ("en", "fr", "es")


@dataclass(frozen=True)
class Ranked:
    """One hit: its id and the key it was ordered by (score, or date for date orders)."""

    id: str
    key: Any


@dataclass
class Answer:
    """What a search gave: the number of matches, the page of hits, and every facet's counts."""

    total: int
    hits: list[Ranked]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Mismatch:
    """Where the engine and the reference disagree for one request."""

    request: SearchRequest
    what: str
    engine: Any
    reference: Any

    def __str__(self) -> str:
        return (
            f"{self.request.text!r}: {self.what} differ\n"
            f"  engine:    {self.engine}\n  reference: {self.reference}"
        )


def languages(searcher: Any) -> tuple[str, ...]:
    """The index's languages, in the order the engine gives them to the parser."""
    found = {t.decode() if isinstance(t, bytes) else str(t) for t in searcher.lexicon("language")}
    return tuple(v for v in LANGUAGE_ORDER if v in found) or ("en",)


def _order(request: SearchRequest) -> str:
    if request.sort == "relevance" and not request.text.strip():
        return "newest"
    return str(request.sort)


def _combined(text_query: wq.Query, filters: Filters, without: str | None = None) -> wq.Query:
    fq = filters.query(without=without)
    if fq is None:
        return text_query
    if isinstance(text_query, wq.Every):
        return fq
    return wq.And([text_query, fq])


def _counts(results: Any, name: str) -> dict[str, int]:
    """Counts per value; items without one go in the facet's own bucket where it has one
    (years: "undated"), as the engine counts them."""
    missing = field_named(name).missing
    return {
        str(k) if k is not None else str(missing): int(v)
        for k, v in results.groups(name).items()
        if (k is not None or missing) and v
    }


def _facets() -> sorting.Facets:
    facets = sorting.Facets()
    for name in FACETS:
        facets.add_field(name, allow_overlap=name in MULTI_VALUED)
    return facets


def reference_search(searcher: Any, request: SearchRequest) -> Answer:
    """Top hits and facet counts the plain way: one ``searcher.search`` with ``groupedby``.

    Every match is scored and ranked (limit=None) so ties at the page boundary can be judged.
    A facet's counts leave out that facet's own filter, as the engine's do.
    """
    parsed = parse(request.text, languages(searcher))
    order = _order(request)
    sortedby = None
    if order == "newest":
        sortedby = sorting.FieldFacet("date", reverse=True)
    elif order == "oldest":
        sortedby = sorting.FieldFacet("date_asc")
    query = _combined(parsed.query, request.filters)
    results = searcher.search(
        query,
        limit=None,
        sortedby=sortedby,
        groupedby=_facets(),
        maptype=sorting.Count,
        terms=False,
    )
    facets = {name: _counts(results, name) for name in FACETS}
    for name in FACETS:
        if name in request.filters.facet_terms():
            alone = searcher.search(
                _combined(parsed.query, request.filters, without=name),
                limit=1,
                groupedby=_facets(),
                maptype=sorting.Count,
                terms=False,
            )
            facets[name] = _counts(alone, name)
    start = (request.page - 1) * request.limit
    end = start + request.limit
    ranked = list(results.top_n)
    hits: list[Ranked] = []
    if ranked and request.limit:
        # every hit of the page, and past its end every hit tied with the last one
        last = min(end, len(ranked)) - 1
        boundary = _key(searcher, ranked[last], order)
        for position, entry in enumerate(ranked[start:], start=start):
            key = _key(searcher, entry, order)
            if position >= end and not _same(key, boundary):
                break
            hits.append(Ranked(searcher.stored_fields(entry[1])["id"], key))
    return Answer(len(results), hits, facets)


def _key(searcher: Any, entry: tuple[Any, int], order: str) -> Any:
    score, docnum = entry
    if order == "relevance":
        return float(score)
    return searcher.stored_fields(docnum).get("published") or ""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def engine_answer(engine: Engine, request: SearchRequest) -> Answer:
    result = engine.search(request)
    order = _order(request)
    hits = [
        Ranked(h.id, float(h.score or 0.0) if order == "relevance" else (h.date or ""))
        for h in result.hits
    ]
    facets = {
        name: {(v.code or v.value): v.count for v in result.facets.get(name, ())} for name in FACETS
    }
    return Answer(result.total, hits, facets)


def _page_matches(ours: list[Ranked], theirs: list[Ranked], size: int) -> bool:
    """The engine's page equals the reference's, allowing any order among equal keys."""
    if len(ours) != min(size, len(theirs)):
        return False
    for position, hit in enumerate(ours):
        if not _same(hit.key, theirs[position].key):
            return False
        tied = {r.id for r in theirs if _same(r.key, hit.key)}
        if hit.id not in tied:
            return False
    return len({h.id for h in ours}) == len(ours)


def compare_request(engine: Engine, searcher: Any, request: SearchRequest) -> list[Mismatch]:
    """How Engine.search and the reference differ for one request (empty when identical)."""
    ours = engine_answer(engine, request)
    theirs = reference_search(searcher, request)
    out: list[Mismatch] = []
    if ours.total != theirs.total:
        out.append(Mismatch(request, "totals", ours.total, theirs.total))
    for name in FACETS:
        if ours.facets.get(name, {}) != theirs.facets.get(name, {}):
            out.append(
                Mismatch(request, f"{name} counts", ours.facets.get(name), theirs.facets.get(name))
            )
    page = [Ranked(h.id, h.key) for h in ours.hits]
    if not _page_matches(page, theirs.hits, request.limit):
        out.append(
            Mismatch(
                request,
                "top hits",
                [(h.id, h.key) for h in ours.hits],
                [(h.id, h.key) for h in theirs.hits[: request.limit + 3]],
            )
        )
    return out


def compare(
    index_dir: str | os.PathLike[str],
    requests: Iterable[str | SearchRequest],
    *,
    limit: int = 10,
) -> list[Mismatch]:
    """Run every request through Engine.search and the reference; return their differences.

    A plain string is a relevance-ranked query for the first ``limit`` hits without filters.
    """
    engine = Engine(index_dir)
    ix = IndexStore(index_dir).open()
    out: list[Mismatch] = []
    try:
        with ix.searcher() as searcher:
            for item in requests:
                request = (
                    item if isinstance(item, SearchRequest) else SearchRequest(item, limit=limit)
                )
                out.extend(compare_request(engine, searcher, request))
    finally:
        engine.close()
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Compare Engine.search with the reference.")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, help="a JSON list of word lists (the suite's)")
    parser.add_argument("text", nargs="*", help="queries to compare")
    args = parser.parse_args(argv)
    texts = list(args.text)
    if args.queries:
        from benchmarks.queries import load

        texts += [" ".join(words) for words in load(args.queries)]
    mismatches = compare(args.index, texts)
    for mismatch in mismatches:
        print(mismatch)
    print(f"{len(texts)} queries, {len(mismatches)} differences")
    raise SystemExit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
