"""The fast engine returns exactly what the straightforward Whoosh implementation returns.

Strict searches (every word required, no vocabulary expansion, no correction) are compared; the
forgiving defaults build on them and are tested in test_relevance.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from whoosh.sorting import Facets, FieldFacet

from newsearch.index.fields import field_named
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest, reading_order
from newsearch.search.filters import Filters

QUERIES = [
    "",
    "labour",
    "forced labour",
    "Indonesia fishers",
    "trafficking -Peru",
    "Peru OR Pakistan",
    "(migrant OR migration) workers",
    "topic:fisheries",
    "country:IDN labour",
    "year:2016",
    "date:2016-01..2017-02",
    '"forced labour"',
    "fish*",
    "trafficing~1",
]
FIELDS = ("topic", "country", "region", "year")


def reference(engine: Engine, text: str, filters: Filters, sort: str) -> dict[str, object]:
    """Plain Whoosh, the way its documentation shows: search() with groupedby facets."""
    searcher, _ = engine.snapshot()
    parsed = engine.parse(text)
    sortedby = None
    if sort == "newest" or (sort == "relevance" and not text.strip()):
        sortedby = FieldFacet("date", reverse=True)
    elif sort == "oldest":
        sortedby = FieldFacet("date_asc")
    facets = Facets()
    for name in FIELDS:
        facets.add_field(name, allow_overlap=True)
    results = searcher.search(
        parsed.query, filter=filters.query(), limit=None, sortedby=sortedby, groupedby=facets
    )
    counts = {}
    for name in FIELDS:
        groups = results.groups(name)
        # items without a value: the facet's own bucket where it has one (years: "undated")
        missing = field_named(name).missing
        counts[name] = {
            str(k) if k is not None else str(missing): len(v)
            for k, v in groups.items()
            if k is not None or missing
        }
    ranked = [(doc, score) for score, doc in results.top_n]
    return {"total": len(results), "facets": counts, "ranked": ranked}


def fast(engine: Engine, text: str, filters: Filters, sort: str) -> dict[str, object]:
    result = engine.search(
        SearchRequest(text, filters, sort, limit=10, match="all", expand=False, correct=False)
    )
    facets = {name: {(v.code or v.value): v.count for v in result.facets[name]} for name in FIELDS}
    return {"total": result.total, "facets": facets, "ids": [h.id for h in result.hits],
            "scores": [h.score for h in result.hits]}  # fmt: skip


def assert_same(engine: Engine, text: str, filters: Filters, sort: str) -> None:
    ref = reference(engine, text, filters, sort)
    got = fast(engine, text, filters, sort)
    assert got["total"] == ref["total"], text
    if not filters:  # with filters the engine counts facets disjunctively (tested elsewhere)
        assert got["facets"] == ref["facets"], text
    searcher, columns = engine.snapshot()
    ranked = ref["ranked"]  # type: ignore[assignment]
    # equal scores and dates in reading order (file, line), then by document number
    order = reading_order(columns)
    if sort == "relevance" and text.strip():
        ranked = sorted(ranked, key=lambda ds: (-ds[1], order[ds[0]], ds[0]))  # type: ignore[union-attr]
    elif sort == "oldest":
        ranked = sorted(ranked, key=lambda ds: (columns.date_asc[ds[0]], order[ds[0]], ds[0]))  # type: ignore[union-attr]
    else:
        ranked = sorted(ranked, key=lambda ds: (-columns.date[ds[0]], order[ds[0]], ds[0]))  # type: ignore[union-attr]
    ref_ids = [searcher.stored_fields(doc)["id"] for doc, _ in ranked[:10]]  # type: ignore[index]
    assert got["ids"] == ref_ids, text
    if sort == "relevance" and text.strip():
        ref_scores = [score for _, score in ranked[:10]]  # type: ignore[index]
        assert got["scores"] == pytest.approx(ref_scores, rel=1e-9), text


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("text", QUERIES)
def test_same_as_plain_whoosh_on_the_real_corpus(engine: Engine, text: str, sort: str) -> None:
    assert_same(engine, text, Filters(), sort)


def test_same_with_filters(engine: Engine) -> None:
    for filters in (
        Filters.build(country=["IDN", "PER"]),
        Filters.build(topic=["forced labour"], date_from="2016-10"),
        Filters.build(region=["Americas"], year=["2016"]),
    ):
        for text in ("", "labour", "trafficking"):
            assert_same(engine, text, filters, "relevance")


def test_same_across_segments_and_deletions(tmp_path: Path) -> None:
    """Several commits (several segments) and updated items (deleted documents)."""
    rng = random.Random(7)
    words = ["fishers", "migrant", "labour", "forced", "child", "trafficking", "domestic"]
    words += ["workers", "survey", "factory", "garment", "cocoa", "union", "dialogue", "safety"]
    countries = ["Peru", "Indonesia", "Nepal", "Ghana", "Qatar", "Brazil"]
    index = tmp_path / "index"
    store = IndexStore(index)
    for batch in range(4):
        path = tmp_path / f"batch{batch}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for number in range(60):
                item = number + batch * 40  # overlapping ids: later batches update earlier ones
                handle.write(json.dumps({
                    "title": f"Item {item} " + " ".join(rng.choices(words, k=6)),
                    "summary": " ".join(rng.choices(words, k=25)) + f" batch {batch}",
                    "date": f"{2000 + item % 20}-{1 + item % 12:02d}-{1 + item % 28:02d}",
                    "url": f"https://example.org/news/{item}",
                    "countries": rng.sample(countries, k=1 + item % 2),
                    "topics": rng.sample(["forced labour", "fisheries", "child labour"], k=1),
                }) + "\n")  # fmt: skip
        store.build([path])
    with Engine(index) as engine:
        _, columns = engine.snapshot()
        assert len(columns.leaves) > 1 and not columns.live.all()
        for text in ("", "labour", "fishers migrant", "forced -child", "union OR safety"):
            for sort in ("relevance", "newest", "oldest"):
                assert_same(engine, text, Filters(), sort)
