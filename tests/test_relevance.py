"""Finding what a researcher means: partial matches, correction, three languages, codes, places,
the ILO vocabulary, explain, similar items and field groups, through the core, CLI and API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from newsearch.index.analysis import spellings
from newsearch.index.errors import QueryError
from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import PARTIAL_THRESHOLD, Engine, SearchRequest
from newsearch.search.evaluate import FLOOR, FRESH_FLOOR, HELDOUT_FLOOR, evaluate
from newsearch.search.filters import Filters
from newsearch.search.query import parse
from newsearch.webui import core, timeline
from newsearch.webui.app import create_app

ITEMS = [
    ("Forced labour on palm oil plantations in Indonesia", "Workers on oil palm estates.", "en"),
    ("Trabajo forzoso en las plantaciones de palma aceitera de Colombia",
     "Los trabajadores de la palma aceitera denuncian abusos.", "es"),
    ("Le travail forcé des migrants dans le Golfe", "Des travailleurs migrants au Qatar.", "fr"),
    ("Migrant workers on construction sites in Qatar", "Recruitment fees and unpaid wages.", "en"),
    ("Ghana ratifies the Worst Forms of Child Labour Convention", "A step for children.", "en"),
    ("Peru ratifies Convention No. 182", "The convention protects children.", "en"),
    ("C.182 enters into force in Nepal", "Child labour law updated.", "en"),
    ("El Convenio núm. 182 en Bolivia", "Trabajo infantil en minas.", "es"),
    ("Fishing Convention C188 ratified by Thailand", "Work in fishing protected.", "en"),
    ("Ratification de la convention n° 29 par le Niger", "Le travail forcé recule.", "fr"),
    ("Pakistan adopts the Forced Labour Protocol P29", "Brick kilns inspected.", "en"),
    ("COVID-19 hits domestic workers in Lebanon", "Domestic workers lost income.", "en"),
    ("Progress on SDG target 8.7 reviewed", "Alliance 8.7 partners meet.", "en"),
    ("Domestic workers organise in Lebanon", "A union for domestic workers.", "en"),
    ("Cocoa farms in Côte d'Ivoire hire children", "Child labour in cocoa.", "en"),
    ("Cocoa prices rise in Ghana", "Farmers sell beans at record prices.", "en"),
    ("Les enfants au travail dans les plantations de cacao", "Le travail des enfants.", "fr"),
    ("Garment factory safety in Bangladesh", "Fire safety in garment factories.", "en"),
]  # fmt: skip


def _write(folder: Path) -> Path:
    path = folder / "items.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number, (title, summary, language) in enumerate(ITEMS):
            record = {
                "title": title,
                "summary": summary,
                "language": language,
                "date": f"20{10 + number % 10}-0{1 + number % 9}-1{number % 9}",
                "url": f"https://example.org/news/{number}",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("relevance")
    path = folder / "index"
    report = IndexStore(path).build([_write(folder)])
    assert report.ok and report.total == len(ITEMS)
    return path


@pytest.fixture(scope="module")
def engine(index: Path) -> Iterator[Engine]:
    with Engine(index) as engine:
        yield engine


def titles(engine: Engine, text: str, **options: object) -> list[str]:
    result = engine.search(SearchRequest(text, limit=50, **options))  # type: ignore[arg-type]
    return [hit.title for hit in result.hits]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- partial matching ------------------------------------------------------------------------


def test_few_full_matches_are_followed_by_partial_ones_counted_apart(engine: Engine) -> None:
    result = engine.search(SearchRequest("domestic workers Ghana", limit=50))
    assert result.total == 0 < result.partial_total
    assert all(hit.match == "partial" for hit in result.hits)
    assert len(result.hits) == result.partial_total
    first = result.hits[0]
    assert set(first.matched_words) < {"domestic", "workers", "Ghana"}
    data = result.to_dict()
    assert data["total"] == 0 and data["partial_total"] == result.partial_total
    assert data["hits"][0]["match"] == "partial"


def test_full_matches_come_first_and_more_words_before_fewer(engine: Engine) -> None:
    result = engine.search(SearchRequest("domestic workers Lebanon", limit=50))
    assert result.total >= 2 and result.partial_total >= 1
    kinds = [hit.match for hit in result.hits]
    assert kinds == sorted(kinds)  # every "all" before any "partial"
    counts = [len(h.matched_words) for h in result.hits if h.match == "partial"]
    assert counts == sorted(counts, reverse=True)


def test_match_all_is_strict_and_facets_and_exports_hold_full_matches(engine: Engine) -> None:
    strict = engine.search(SearchRequest("domestic workers Ghana", match="all"))
    assert strict.total == strict.partial_total == 0 and not strict.hits
    loose = engine.search(SearchRequest("domestic workers Ghana"))
    assert all(v.count == 0 for facet in loose.facets.values() for v in facet) or not any(
        loose.facets.values()
    )
    assert list(engine.export(SearchRequest("domestic workers Ghana"))) == []
    anything = list(engine.export(SearchRequest("domestic workers Ghana", match="any")))
    assert len(anything) == loose.partial_total
    every = engine.search(SearchRequest("domestic workers Ghana", match="any"))
    assert sum(v.count for v in every.facets["country"]) >= every.partial_total > 0


def test_phrases_plus_and_and_field_filters_are_never_relaxed(engine: Engine) -> None:
    def hits(text: str) -> list[str]:
        result = engine.search(SearchRequest(text, limit=50))
        return [f"{h.title} {h.summary}|{','.join(h.country_codes)}" for h in result.hits]

    assert all("domestic workers" in h.lower() for h in hits('"domestic workers" Ghana'))
    assert hits("children cocoa +Ghana")
    assert all("Ghana" in h for h in hits("children cocoa +Ghana"))
    assert hits("domestic AND workers AND Ghana") == []
    assert all("GHA" in h.split("|")[1] for h in hits("domestic workers country:ghana"))
    assert all("Lebanon" not in h for h in hits("domestic workers Ghana -Lebanon"))


def test_a_broad_query_does_not_fall_back(engine: Engine) -> None:
    assert PARTIAL_THRESHOLD == 10
    assert engine.search(SearchRequest("the", limit=50)).partial_total == 0


# -- correction ------------------------------------------------------------------------------


def test_a_misspelt_word_is_corrected_from_the_index(engine: Engine) -> None:
    result = engine.search(SearchRequest("domestic wrokers"))
    assert result.corrected_from == "domestic wrokers"
    assert result.query == "domestic workers" and result.total >= 2
    off = engine.search(SearchRequest("domestic wrokers", correct=False, match="all"))
    assert off.total == 0 and off.suggestion == "domestic workers" and off.corrected_from is None


def test_correction_rules(engine: Engine) -> None:
    # four letters or fewer: never; inside quotes: never; codes: never
    assert engine.search(SearchRequest("cocao")).corrected_from == "cocao"  # 5 letters, 1 swap
    assert engine.search(SearchRequest("coca farms")).corrected_from is None
    assert engine.search(SearchRequest('"domestic wrokers"')).corrected_from is None
    assert engine.search(SearchRequest("C1822")).corrected_from is None
    # the first letter is kept: 'workers' is not offered for 'vorkers'
    assert engine.search(SearchRequest("domestic vorkers")).corrected_from is None


# -- three languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("travail forcé des migrants", "Le travail forcé des migrants dans le Golfe"),
        ("trabajo forzoso de la palma", "Trabajo forzoso en las plantaciones de palma"),
        ("l'esclavage travail forcé", "Le travail forcé des migrants dans le Golfe"),
        ("travail des enfants cacao", "Les enfants au travail dans les plantations de cacao"),
    ],
)
def test_stop_words_of_any_language_never_make_a_query_fail(
    engine: Engine, text: str, expected: str
) -> None:
    found = titles(engine, text, expand=False)
    assert any(t.startswith(expected) for t in found), found


def test_a_query_of_stop_words_alone_still_searches() -> None:
    assert parse("son").query is not None and "son" in str(parse("son").query)


# -- codes -----------------------------------------------------------------------------------


C182 = {
    "Peru ratifies Convention No. 182",
    "C.182 enters into force in Nepal",
    "El Convenio núm. 182 en Bolivia",
}


@pytest.mark.parametrize(
    "text", ["C182", "C.182", "c182", "C-182", "Convention No. 182", "Convenio núm. 182"]
)
def test_a_convention_is_found_in_every_written_form(engine: Engine, text: str) -> None:
    found = set(titles(engine, text, expand=False, match="all"))
    assert found >= C182, found


def test_a_convention_number_reaches_its_name_in_a_lower_tier(engine: Engine) -> None:
    found = titles(engine, "C182")
    named = "Ghana ratifies the Worst Forms of Child Labour Convention"
    assert named in found
    assert found.index(named) > max(found.index(t) for t in C182)
    assert named not in titles(engine, "C182", expand=False)


def test_code_prefixes_and_protocols(engine: Engine) -> None:
    found = set(titles(engine, "C18*"))
    assert found >= C182 and "Fishing Convention C188 ratified by Thailand" in found
    assert "Pakistan adopts the Forced Labour Protocol P29" in titles(engine, "P029")
    assert "Ratification de la convention n° 29 par le Niger" in titles(engine, "C029")


def test_covid_and_sdg_codes(engine: Engine) -> None:
    assert titles(engine, "COVID-19")[0] == "COVID-19 hits domestic workers in Lebanon"
    assert titles(engine, "covid19 domestic")[0] == "COVID-19 hits domestic workers in Lebanon"
    assert titles(engine, "SDG 8.7")[0] == "Progress on SDG target 8.7 reviewed"


# -- vocabulary: places, translations, tiers ----------------------------------------------------


def test_place_concepts_reach_their_countries(engine: Engine) -> None:
    gulf = titles(engine, "Gulf migrant workers")
    assert "Migrant workers on construction sites in Qatar" in gulf[:3]
    latin = titles(engine, "forced labour Latin America")
    assert any(t.startswith("Trabajo forzoso") for t in latin)


def test_the_words_typed_rank_above_translations(engine: Engine) -> None:
    found = titles(engine, "forced labour palm oil")
    english = "Forced labour on palm oil plantations in Indonesia"
    spanish = next(t for t in found if t.startswith("Trabajo forzoso"))
    assert found.index(english) < found.index(spanish)
    strict = titles(engine, "forced labour palm oil", expand=False, match="all")
    assert not any(t.startswith("Trabajo forzoso") for t in strict)


def test_cross_language_country_names(engine: Engine) -> None:
    assert "Cocoa farms in Côte d'Ivoire hire children" in titles(engine, "Costa de Marfil cacao")


# -- field groups and syntax errors --------------------------------------------------------------


def test_field_groups(engine: Engine) -> None:
    found = titles(engine, "title:(Peru OR Nepal)")
    assert set(found) == {"Peru ratifies Convention No. 182", "C.182 enters into force in Nepal"}
    assert set(titles(engine, "country:(Peru OR Nepal) child")) <= set(found)
    assert set(titles(engine, 'title:(Lebanon "domestic workers")')) == {
        "Domestic workers organise in Lebanon",
        "COVID-19 hits domestic workers in Lebanon",
    }


@pytest.mark.parametrize("text", ["country:", "country: peru", "fishers title:", "(region:)"])
def test_a_field_without_a_value_is_a_syntax_error(text: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert "needs a value" in caught.value.message
    pointer = caught.value.pointer()
    assert pointer and "^" in pointer


def test_field_without_value_exits_2_with_a_caret(index: Path) -> None:
    result = run("query", "country:", "--index", str(index))
    assert result.exit_code == 2
    assert "country: needs a value" in result.stderr and "^" in result.stderr
    done = subprocess.run(
        [sys.executable, "-m", "newsearch.search", "query", "country:", "--index", str(index)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 2 and "needs a value" in done.stderr and "^" in done.stderr


# -- the command line --------------------------------------------------------------------------


def test_cli_reports_corrections_partial_matches_and_explains(index: Path) -> None:
    result = run("query", "domestic", "wrokers", "--index", str(index), "--explain")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["corrected_from"] == "domestic wrokers" and data["query"] == "domestic workers"
    assert "search instead for 'domestic wrokers'" in result.stderr
    assert "explain: word 'domestic'" in result.stderr
    assert "partial fallback" in result.stderr and data["explain"]["words"]
    table = run("query", "domestic workers Ghana", "--index", str(index), "--format", "table")
    assert table.exit_code == 0
    assert "0 items match every word;" in table.stdout and "matches some words" in table.stdout


def test_cli_match_and_no_expand(index: Path) -> None:
    strict = run("query", "domestic workers Ghana", "--match", "all", "--index", str(index))
    assert strict.exit_code == 1
    plain = run("query", "trabajo forzoso", "--no-expand", "--index", str(index))
    expanded = run("query", "trabajo forzoso", "--index", str(index))
    assert json.loads(plain.stdout)["total"] < json.loads(expanded.stdout)["total"]
    exported = run("export", "domestic workers Ghana", "--index", str(index))
    assert exported.stdout == "" and "exported 0 item(s)" in exported.stderr
    everything = run("export", "domestic workers Ghana", "--match", "any", "--index", str(index))
    lines = everything.stdout.splitlines()
    assert lines and all(json.loads(line)["match"] == "partial" for line in lines)


def test_cli_subprocess_corrects_and_exits_0(index: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsearch.search", "query", "cocao", "--index", str(index)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["corrected_from"] == "cocao"
    assert "showing results for 'cocoa'" in done.stderr


# -- similar -----------------------------------------------------------------------------------


def test_similar_items_share_what_the_item_is_about(engine: Engine) -> None:
    cocoa = engine.search(SearchRequest("Côte d'Ivoire cocoa children", match="all")).hits[0]
    similar = engine.similar(cocoa.id, limit=5)
    assert similar
    assert similar[0].title == "Les enfants au travail dans les plantations de cacao"
    assert cocoa.id not in {h.id for h in similar}
    assert "Garment factory safety in Bangladesh" not in {h.title for h in similar}


# -- the web API and page --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(index: Path) -> Iterator[FlaskClient]:
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    yield app.test_client()
    core.close(app)


def test_api_search_options(client: FlaskClient, engine: Engine) -> None:
    data = client.get("/api/search?q=domestic+wrokers").json
    assert data["corrected_from"] == "domestic wrokers" and data["total"] >= 2
    strict = client.get("/api/search?q=trabajo+forzoso&expand=0&match=all").json
    loose = client.get("/api/search?q=trabajo+forzoso").json
    assert strict["total"] < loose["total"] and strict["match"] == "all"
    assert "explain" not in loose
    explained = client.get("/api/search?q=Gulf+migrants&explain=1").json
    assert explained["explain"]["words"][0]["understood_as"] == "place: Gulf"
    assert client.get("/api/search?q=x&match=some").status_code == 400
    expected = engine.search(SearchRequest("domestic workers Ghana", limit=10)).to_dict()
    got = client.get("/api/search?q=domestic+workers+Ghana").json
    assert got["partial_total"] == expected["partial_total"] > 0


@pytest.mark.parametrize(
    "query",
    [
        "q=domestic+workers+Ghana&match=any&year=2011",
        "q=domestic+workers+Ghana&year=2011",
        "q=trabajo+forzoso&year=2010",
        "q=trabajo+forzoso&expand=0&year=2010",
        "q=forced+labour+Indonesia&match=any&expand=0&year=2010",
    ],
)
def test_timeline_counts_what_the_result_counts(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    options = dict(part.split("=") for part in query.split("&"))
    api = client.get(f"/api/search?{query}").json
    counted = api["total"] + (api["partial_total"] if options.get("match") == "any" else 0)

    def bars() -> int:
        page = client.get(f"/?{query}").get_data(as_text=True)
        found = re.findall(r'aria-label="[A-Z][a-z]+ \d{4}: (\d+) match', page)
        return sum(int(n) for n in found)

    assert bars() == counted
    monkeypatch.setattr(timeline, "ONE_PASS", 0)  # counted month by month, not in one pass
    assert bars() == counted


def test_page_shows_correction_partial_matches_and_how_it_was_searched(
    client: FlaskClient,
) -> None:
    page = client.get("/?q=domestic+wrokers").get_data(as_text=True)
    assert "Showing results for <strong>domestic workers</strong>" in page
    assert 'href="/?q=domestic+wrokers&amp;correct=0"' in page
    assert "<summary>How this was searched</summary>" in page
    partial = client.get("/?q=domestic+workers+Ghana").get_data(as_text=True)
    assert "0 items match every word;" in partial and "Matches some words:" in partial
    plain = client.get("/?q=forced+labour&expand=0").get_data(as_text=True)
    assert "Vocabulary off" in plain


# -- the judged collection -------------------------------------------------------------------


@pytest.mark.slow
def test_judged_collection_stays_above_the_floor_and_the_baseline() -> None:
    queries, (ours, baseline) = evaluate()
    main = [q.id for q in queries if q.set == "main"]
    heldout = [q.id for q in queries if q.set == "heldout"]
    fresh = [q.id for q in queries if q.set == "fresh"]
    assert len(main) >= 40 and len(heldout) >= 20 and len(fresh) >= 30
    assert ours.mean(ours.ndcg, main) >= FLOOR
    assert ours.mean(ours.ndcg, heldout) >= HELDOUT_FLOOR
    assert ours.mean(ours.ndcg, fresh) >= FRESH_FLOOR
    for ids in (main, heldout, fresh):
        assert ours.mean(ours.ndcg, ids) > baseline.mean(baseline.ndcg, ids) + 0.1
    assert ours.zero(queries) == 0
    assert ours.similar_p5 is not None and baseline.similar_p5 is not None
    assert ours.similar_p5 > baseline.similar_p5


def test_filters_apply_to_partial_matches_too(engine: Engine) -> None:
    result = engine.search(
        SearchRequest("domestic workers Ghana", Filters.build(country=["LBN"]), limit=50)
    )
    assert all("LBN" in hit.country_codes for hit in result.hits)


# -- ordering partial matches by the information they hold ------------------------------------

RANKING_ITEMS = [
    *[(f"Ratification news from {c}", f"{c} deposits an instrument.", "en")
      for c in ("Chile", "Spain", "Norway", "Kenya", "Fiji", "Oman", "Togo")],
    ("Violence at work: a new treaty", "The text of C190 protects workers.", "en"),
    ("Harassment law reviewed", "Unions cite C190 in their report.", "en"),
    *[(f"Human trafficking case in {c}", "Victims of trafficking were freed.", "en")
      for c in ("Chile", "Spain", "Norway", "Kenya")],
    ("Thailand holds a trade fair", "Exporters from Thailand met buyers.", "en"),
    *[(f"Labour market report {n}", "Labour statistics for the year.", "en") for n in range(5)],
    ("Cocoa harvest begins", "Cocoa farmers expect a good year.", "en"),
    ("Child labour in cocoa farms", "Children work on cocoa farms.", "en"),
    ("Workers' organisations meet", "A congress of trade unions.", "en"),
]  # fmt: skip


def _engine_of(
    factory: pytest.TempPathFactory, name: str, items: list[tuple[str, str, str]], month: str
) -> Iterator[Engine]:
    """An index of (title, summary, language) items, dated one day apart in ``month``."""
    folder = factory.mktemp(name)
    path = folder / "items.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number, (title, summary, language) in enumerate(items):
            record = {"title": title, "summary": summary, "language": language,
                      "date": f"{month}-{1 + number:02d}",
                      "url": f"https://example.org/{name}/{number}"}  # fmt: skip
            handle.write(json.dumps(record) + "\n")
    IndexStore(folder / "index").build([path])
    with Engine(folder / "index") as engine:
        yield engine


@pytest.fixture(scope="module")
def ranking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from _engine_of(tmp_path_factory, "ranking", RANKING_ITEMS, "2020-01")


def test_a_rare_word_outranks_a_common_one_among_partial_matches(ranking: Engine) -> None:
    result = ranking.search(SearchRequest("C190 ratification", limit=50))
    assert result.total == 0 and result.partial_total == 9
    first = [hit.title for hit in result.hits[:2]]
    assert set(first) == {"Violence at work: a new treaty", "Harassment law reviewed"}
    assert all(hit.matched_words == ("ratification",) for hit in result.hits[2:])


def test_more_words_still_come_before_rarer_ones(ranking: Engine) -> None:
    result = ranking.search(SearchRequest("child labour cocoa", limit=50))
    assert result.hits[0].title == "Child labour in cocoa farms" and result.hits[0].match == "all"
    partial = [hit.title for hit in result.hits if hit.match == "partial"]
    # a word of a known phrase alone ("labour" of "child labour") tells less than a rare word
    assert partial.index("Cocoa harvest begins") < partial.index("Labour market report 0")


def test_words_saying_what_come_before_words_saying_where(ranking: Engine) -> None:
    result = ranking.search(SearchRequest("trafficking Thailand", limit=50))
    assert result.total == 0
    partial = [hit.title for hit in result.hits]
    assert partial.index("Thailand holds a trade fair") == 4  # after the 4 trafficking items


def test_british_and_american_spellings_find_each_other(ranking: Engine) -> None:
    assert spellings("labour") == ["labor"] and spellings("labor") == ["labour"]
    assert spellings("organisations") == ["organizations"]
    assert spellings("organized") == ["organised"] and spellings("analyse") == ["analyze"]
    assert spellings("centre") == ["center"] and spellings("traveled") == ["travelled"]
    for word in ("four", "hour", "your", "floor", "prize", "size", "water", "called"):
        assert spellings(word) == [], word
    found = ranking.search(SearchRequest("workers organizations", expand=False, match="all"))
    assert [hit.title for hit in found.hits] == ["Workers' organisations meet"]
    labor = ranking.search(SearchRequest("labor statistics", expand=False, match="all"))
    assert labor.total == 5


def test_an_or_group_of_words_is_one_unit_with_its_vocabulary(engine: Engine) -> None:
    result = engine.search(SearchRequest("forced labour (Qatar OR Lebanon)", limit=50))
    full = [hit.title for hit in result.hits if hit.match == "all"]
    assert full == ["Le travail forcé des migrants dans le Golfe"]  # forced labour = travail forcé
    assert result.partial_total > 0
    partial = {hit.title for hit in result.hits if hit.match == "partial"}
    assert "Forced labour on palm oil plantations in Indonesia" in partial
    assert "(Qatar OR Lebanon)" in result.hits[0].matched_words
    strict = engine.search(SearchRequest("forced labour (Qatar OR Lebanon)", match="all"))
    assert strict.partial_total == 0


def test_each_side_of_a_top_level_or_gets_its_vocabulary(engine: Engine) -> None:
    found = set(titles(engine, "palma aceitera OR cacao"))
    assert "Forced labour on palm oil plantations in Indonesia" in found  # palm oil, in English
    assert "Cocoa farms in Côte d'Ivoire hire children" in found
    plain = set(titles(engine, "palma aceitera OR cacao", expand=False))
    assert plain < found
    assert "Cocoa farms in Côte d'Ivoire hire children" not in plain


def test_the_other_spelling_of_a_word_is_not_a_typo(ranking: Engine) -> None:
    found = ranking.search(SearchRequest("organizations congress", limit=5))
    assert found.corrected_from is None and found.total == 1
    assert found.hits[0].title == "Workers' organisations meet"


# -- where an item holds the words; short everyday forms; what a query may drop ----------------

PROMINENCE_ITEMS = [
    ("Garment exports grow", "Officials, employers and trade unions met on garment prices.", "en"),
    ("Freedom of association in garment factories", "Workers want to organise.", "en"),
    ("Rice harvest report", "A quiet season.", "en"),
    ("Workers' rights reviewed", "A new law on pay.", "en"),
    ("Domestic workers in Lebanon", "Household staff speak.", "en"),
    ("Domestic workers count in Jordan", "A survey of households.", "en"),
    ("Farmers meet", "Child labour, cocoa: child labour, cocoa, child labour, cocoa.", "en"),
    ("Child labour in cocoa farms falls as a survey of farms across the region is published",
     "A survey of farms.", "en"),
]  # fmt: skip


@pytest.fixture(scope="module")
def prominence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    yield from _engine_of(tmp_path_factory, "prominence", PROMINENCE_ITEMS, "2021-02")


def test_an_item_saying_it_in_the_title_outranks_one_saying_it_in_passing(
    prominence: Engine,
) -> None:
    result = prominence.search(SearchRequest("child labour cocoa", limit=5))
    assert result.total == 2
    # both hold every word as typed; one says it in its title, one in passing
    assert [hit.title for hit in result.hits] == [
        "Child labour in cocoa farms falls as a survey of farms across the region is published",
        "Farmers meet",
    ]
    # the words as typed still come first: "unions" said in passing, then what it is read as
    assert titles(prominence, "unions garment")[:2] == [
        "Garment exports grow",
        "Freedom of association in garment factories",
    ]


@pytest.mark.parametrize(
    ("words", "entry"),
    [
        (["safety", "and", "health"], "occupational safety and health"),
        (["santé", "et", "sécurité"], "occupational safety and health"),
        (["seguridad", "y", "salud"], "occupational safety and health"),
        (["unions"], "freedom of association"),
        (["sindicato"], "freedom of association"),
        (["gender", "pay", "gap"], "discrimination"),
        (["brecha", "salarial"], "discrimination"),
        (["violence", "contre", "les", "femmes"], "violence and harassment"),
        (["trabajo", "esclavo"], "forced labour"),
        (["foreign", "workers"], "migrant workers"),
        (["maquiladoras"], "garment"),
    ],
)
def test_short_everyday_forms_are_in_the_vocabulary(words: list[str], entry: str) -> None:
    from newsearch.index.vocabulary import content_words, vocabulary

    spans = vocabulary().spans(content_words(" ".join(words)))
    assert [span.entry.id for span in spans] == [entry]


def test_a_preposition_never_makes_a_query_fail(engine: Engine) -> None:
    found = titles(engine, "travail forcé contre les migrants", expand=False, match="all")
    assert found == ["Le travail forcé des migrants dans le Golfe"]
    assert parse("contre").plan is None or not parse("contre").plan.units


def test_a_word_beside_a_phrase_may_be_dropped_the_phrase_never(engine: Engine) -> None:
    result = engine.search(SearchRequest('"domestic workers" Ghana', limit=50))
    assert result.total == 0 and result.partial_total == 2
    assert all("domestic workers" in f"{h.title} {h.summary}".lower() for h in result.hits)
    assert all(hit.matched_words == () for hit in result.hits)
    strict = engine.search(SearchRequest('"domestic workers" Ghana', match="all"))
    assert strict.total == 0 and strict.partial_total == 0


def test_a_form_items_use_in_passing_reads_a_query_but_finds_no_item(prominence: Engine) -> None:
    found = titles(prominence, "liberté syndicale", match="all")
    assert found == ["Freedom of association in garment factories"]  # not "trade unions met"
    assert set(titles(prominence, "unions", match="all")) == {
        "Freedom of association in garment factories",  # what "unions" is read as
        "Garment exports grow",  # the word as typed
    }


def test_a_word_of_a_phrase_alone_counts_less_than_the_whole_phrase(prominence: Engine) -> None:
    result = prominence.search(SearchRequest("rights of domestic workers", limit=5))
    assert result.total == 0
    # "rights" is rarer, but the other items hold the whole of "domestic workers"
    found = [hit.title for hit in result.hits]
    assert set(found[:2]) == {"Domestic workers count in Jordan", "Domestic workers in Lebanon"}
    assert found[2] == "Workers' rights reviewed"
