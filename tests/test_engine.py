"""Ranking, facets, filters, sorting, query language and suggestions on the real ILO corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsearch.index.errors import ItemNotFoundError, QueryError
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters


def test_indonesia_fishers_ranks_indonesian_fisher_items_first(engine: Engine) -> None:
    result = engine.search(SearchRequest("Indonesia fishers"))
    assert result.total == 4
    full = [hit for hit in result.hits if hit.match == "all"]
    assert len(full) == 4 and result.hits[:4] == tuple(full)
    for hit in full:
        assert "IDN" in hit.country_codes
        assert "fisheries" in hit.topics
    # both items that name Indonesian fishers outright come before the synonym-only match
    top_two = {hit.title for hit in result.hits[:2]}
    assert "Migrant Resource Centre reduces migrant fishers’ vulnerability at sea" in top_two
    assert "ILO and BRIN kick off a joint survey on decent work in marine fishing in Indonesia" in (
        top_two
    )
    assert "<mark>fishers</mark>" in result.hits[0].snippet_html
    strict = engine.search(SearchRequest("Indonesia fishers", match="all", expand=False))
    scores = [hit.score for hit in strict.hits]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_all_words_must_match(engine: Engine) -> None:
    both = engine.search(SearchRequest("Peru trafficking")).total
    peru = engine.search(SearchRequest("Peru")).total
    assert 0 < both <= peru
    assert engine.search(SearchRequest("Peru Uzbekistan")).total == 0


def test_facets_count_every_match_and_multi_valued_items(engine: Engine) -> None:
    result = engine.search(SearchRequest("forced labour", limit=3))
    assert result.total > len(result.hits) == 3
    topic_counts = {v.value: v.count for v in result.facets["topic"]}
    assert topic_counts["forced labour"] == sum(
        1 for hit in engine.export(SearchRequest("forced labour")) if "forced labour" in hit.topics
    )
    # an item with two topics counts once under each
    assert sum(topic_counts.values()) > result.total
    years = {v.value: v.count for v in result.facets["year"]}
    assert set(years) <= {"2016", "2017", "undated"}
    assert all(count > 0 for count in years.values())
    # every match has one year or is undated: the year facet (with its "undated" bucket, last)
    # accounts for every match once
    assert sum(years.values()) == result.total
    assert result.facets["year"][-1].value == "undated"


def test_facet_counts_match_filtered_totals(engine: Engine) -> None:
    result = engine.search(SearchRequest(""))
    for facet in result.facets["country"][:5]:
        filtered = engine.search(SearchRequest("", Filters.build(country=[facet.value])))
        assert filtered.total == facet.count
    for facet in result.facets["year"]:
        filtered = engine.search(SearchRequest("", Filters.build(year=[facet.value])))
        assert filtered.total == facet.count


def test_filters_are_ored_within_a_field_and_anded_across(engine: Engine) -> None:
    peru = engine.count("", Filters.build(country=["PER"]))
    indonesia = engine.count("", Filters.build(country=["indonesia"]))
    either = engine.count("", Filters.build(country=["pe", "IDN"]))
    assert either == peru + indonesia  # no item is about both
    narrowed = engine.count("", Filters.build(country=["IDN"], topic=["fisheries"]))
    assert 0 < narrowed < indonesia


def test_a_fields_own_filter_does_not_narrow_its_facet(engine: Engine) -> None:
    result = engine.search(SearchRequest("", Filters.build(country=["Peru"])))
    countries = {v.value for v in result.facets["country"]}
    assert {"Peru", "Indonesia"} <= countries  # other values stay available to add
    assert all(hit.country_codes == ("PER",) or "PER" in hit.country_codes for hit in result.hits)


def test_date_filters_and_sorting(engine: Engine) -> None:
    dated = engine.search(SearchRequest("", Filters.build(date_from="2017-01", date_to="2017-02")))
    assert dated.total == 3
    assert all(hit.date and "2017-01-01" <= hit.date <= "2017-02-28" for hit in dated.hits)
    newest = engine.search(SearchRequest("forced labour", sort="newest", limit=50))
    dates = [hit.date for hit in newest.hits if hit.date]
    assert dates == sorted(dates, reverse=True)
    assert newest.hits[-1].date is None  # undated items come last
    oldest = engine.search(SearchRequest("forced labour", sort="oldest", limit=50))
    dates = [hit.date for hit in oldest.hits if hit.date]
    assert dates == sorted(dates)
    assert oldest.hits[0].date == "2016-09-19"
    assert oldest.hits[-1].date is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"forced labour"', lambda t: t > 10),
        ('"labour forced"', lambda t: t == 0),
        ("Peru OR Pakistan", lambda t: t == 4),
        ("trafficking -Peru", lambda t: t > 0),
        ("trafficking NOT Peru", lambda t: t > 0),
        ("(Peru OR Pakistan) trafficking", lambda t: t >= 4),
        ("topic:fisheries", lambda t: t == 4),
        ('topic:"child labour"', lambda t: t >= 3),
        ("country:pak", lambda t: t == 1),
        ("region:americas", lambda t: t >= 4),
        ("year:2016", lambda t: t == 4),
        ("date:2017-01..2017-03", lambda t: t == 6),
        ("year:[2016 TO 2017]", lambda t: t == 10),
        ("fish*", lambda t: t >= 4),
        ("trafficing~1", lambda t: t > 0),
        ("title:Peru", lambda t: t >= 2),
    ],
)
def test_query_language(engine: Engine, query: str, expected: object) -> None:
    total = engine.search(SearchRequest(query)).total
    assert expected(total), (query, total)  # type: ignore[operator]


def test_negation_excludes(engine: Engine) -> None:
    all_trafficking = {h.id for h in engine.export(SearchRequest("trafficking"))}
    without_peru = {h.id for h in engine.export(SearchRequest("trafficking -Peru"))}
    peru = {h.id for h in engine.export(SearchRequest("Peru"))}
    assert without_peru == all_trafficking - peru


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ('"forced labour', 0),
        ("(Peru OR", 6),
        ("Peru)", 4),
        ("colour:red", 0),
        ("topic:nonsense", 0),
        ("country:Atlantis", 0),
        ("year:[2017 TO 2015]", 0),
        ("date:2016-13", 0),
        ("*bour", 0),
    ],
)
def test_bad_queries_raise_with_a_position(engine: Engine, query: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        engine.search(SearchRequest(query))
    assert caught.value.position == position
    assert caught.value.message


def test_did_you_mean(engine: Engine) -> None:
    result = engine.search(SearchRequest("Indonesia fishres", correct=False))
    assert result.total == 0
    assert result.suggestion == "Indonesia fishers"
    assert engine.search(SearchRequest("zzzzqqq")).suggestion is None
    corrected = engine.search(SearchRequest("Indonesia fishres"))
    assert (corrected.query, corrected.corrected_from) == ("Indonesia fishers", "Indonesia fishres")
    assert corrected.total == 4 and corrected.suggestion is None


def test_pages_do_not_overlap(engine: Engine) -> None:
    first = engine.search(SearchRequest("labour", limit=5, page=1))
    second = engine.search(SearchRequest("labour", limit=5, page=2))
    assert first.total == second.total > 10
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    everything = [h.id for h in engine.export(SearchRequest("labour"))]
    assert everything[:10] == [h.id for h in (*first.hits, *second.hits)]
    assert len(everything) == first.total


def test_get_and_similar(engine: Engine) -> None:
    hit = engine.search(SearchRequest("Balochistan")).hits[0]
    item = engine.get(hit.id)
    assert item.title.startswith("Balochistan Officials Empowered")
    assert item.country_codes == ("PAK",)
    assert any(e.field == "country" and e.text == "Balochistan" for e in item.evidence)
    similar = engine.similar(hit.id, limit=5)
    assert similar and hit.id not in {s.id for s in similar}
    assert any("trafficking" in s.title.lower() or "human trafficking" in s.topics for s in similar)
    with pytest.raises(ItemNotFoundError):
        engine.get("no-such-id")


def test_stats(engine: Engine) -> None:
    stats = engine.stats()
    assert stats.items == 30
    assert stats.undated == 20
    assert sum(v.count for v in stats.facets["year"]) == 10
    assert stats.size_bytes > 0
    assert stats.updated


def test_hit_json_shape_is_the_contract(engine: Engine) -> None:
    data = engine.search(SearchRequest("Peru")).to_dict()
    assert list(data) == [
        "query", "total", "page", "hits", "facets", "suggestion",
        "partial_total", "corrected_from", "match", "pages", "indexed", "left_out", "notice",
        "stories", "counted",
    ]  # fmt: skip
    assert list(data["hits"][0]) == [
        "id", "title", "date", "summary", "snippet", "score", "topics", "countries",
        "country_codes", "regions", "label", "language", "url", "source",
        "kicker", "listed_under", "match", "matched_words", "date_precision",
        "cluster", "versions",
    ]  # fmt: skip
    assert list(data["facets"]) == [
        "topic", "country", "region", "year", "language", "kind", "source", "listed_under",
    ]  # fmt: skip
    assert set(data["facets"]["country"][0]) == {"value", "count"}


def test_reindexing_is_idempotent_and_updates_in_place(
    index_copy: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    store = IndexStore(index_copy)
    with Engine(index_copy) as engine:
        before = engine.stats().items
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = store.build([corpus_dir])
    assert (report.added, report.updated) == (0, 0)
    assert report.unchanged == before == report.total
    # an item whose text changed is updated, not duplicated
    dump = corpus / "one.txt"
    dump.write_text(
        "News on fisheries\n\n  1. Fishers organise in Ghana\n\n    03 May 2019\n\n"
        "    Canoe fishers formed a union.\n",
        encoding="utf-8",
    )
    assert store.build([dump]).added == 1
    dump.write_text(
        dump.read_text(encoding="utf-8").replace("formed a union", "formed two unions"),
        encoding="utf-8",
    )
    again = store.build([dump])
    assert (again.added, again.updated, again.total) == (0, 1, before + 1)
    with Engine(index_copy) as engine:
        hits = engine.search(SearchRequest("Ghana")).hits
    assert len(hits) == 1 and "two unions" in hits[0].summary
