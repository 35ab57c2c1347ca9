"""A researcher's own topics and countries are kept as given: shown, searchable, faceted, and
marked where they are outside the controlled vocabularies; country aliases work everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsearch.index.places import country_name, gazetteer
from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.webui.app import create_app
from newsearch.webui.core import close

RECORDS = [
    {
        "title": "Riders organise for sick pay",
        "topics": ["gig economy", "Forced labour"],
        "countries": ["Kosovo", "UK"],
        "url": "https://example.org/t/1",
    },
    {
        "title": "Platform work reaches the Western Balkans",
        "topics": "gig economy; platform work",
        "countries": "Atlantis",
        "url": "https://example.org/t/2",
    },
    {
        "title": "Cocoa farms and children",
        "topics": ["child labour"],
        "countries": ["Côte d'Ivoire", "Türkiye"],
        "url": "https://example.org/t/3",
    },
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("given")
    source = folder / "records.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    report = IndexStore(folder / "index").build([source])
    assert report.ok and report.added == 3
    return folder / "index"


@pytest.fixture()
def engine(index: Path) -> Iterator[Engine]:
    with Engine(index) as engine:
        yield engine


def test_given_values_are_kept_and_marked(engine: Engine) -> None:
    hits = {h.url: h for h in engine.search(SearchRequest("", limit=10)).hits}
    first = hits["https://example.org/t/1"]
    assert first.topics == ("forced labour", "gig economy")
    assert first.countries == ("Kosovo", "United Kingdom")
    assert first.country_codes == ("XKX", "GBR")
    assert "Europe and Central Asia" in first.regions
    second = hits["https://example.org/t/2"]
    assert second.topics == ("gig economy", "platform work")
    assert second.countries == ("Atlantis",)
    item = engine.get(first.id)
    notes = {(e.field, e.value): e.source for e in item.evidence}
    assert notes[("topic", "gig economy")] == "record (not in the topic vocabulary)"
    assert notes[("topic", "forced labour")] == "record"
    item2 = engine.get(second.id)
    assert {(e.field, e.value, e.source) for e in item2.evidence} >= {
        ("country", "Atlantis", "record (not in the gazetteer)")
    }


def test_given_values_are_faceted_searchable_and_filterable(engine: Engine) -> None:
    result = engine.search(SearchRequest(""))
    topics = {v.value: v.count for v in result.facets["topic"]}
    assert topics["gig economy"] == 2 and topics["platform work"] == 1
    countries = {v.value: v.count for v in result.facets["country"]}
    assert countries["Kosovo"] == 1 and countries["Atlantis"] == 1
    assert engine.count("gig economy") == 2  # free text finds the tags
    assert engine.count("", engine.filters(topic=["Gig Economy"])) == 2
    assert engine.count("", engine.filters(country=["atlantis"])) == 1
    assert engine.count("", engine.filters(country=["Kosovo"])) == 1
    assert engine.count("", engine.filters(country=["UK"], topic=["gig economy"])) == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("UK", "GBR"),
        ("uk", "GBR"),
        ("U.K.", "GBR"),
        ("Britain", "GBR"),
        ("USA", "USA"),
        ("US", "USA"),
        ("United States of America", "USA"),
        ("Kosovo", "XKX"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Burma", "MMR"),
        ("Laos", "LAO"),
        ("South Korea", "KOR"),
        ("DR Congo", "COD"),
        ("Eswatini", "SWZ"),
        ("Swaziland", "SWZ"),
    ],
)
def test_country_aliases(name: str, code: str) -> None:
    assert gazetteer().code_for(name) == code


def test_aliases_everywhere_in_the_cli(index: Path) -> None:
    runner = CliRunner()
    for value in ("UK", "Kosovo", "Atlantis"):
        result = runner.invoke(main, ["query", "--country", value, "--index", str(index)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["total"] == 1
    result = runner.invoke(main, ["query", "--topic", "gig economy", "--index", str(index)])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] == 2
    unknown = runner.invoke(main, ["query", "--country", "Narnia", "--index", str(index)])
    assert unknown.exit_code == 2 and "unknown country" in unknown.stderr
    assert country_name("XKX") == "Kosovo"


def test_given_values_on_the_page(index: Path) -> None:
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    try:
        client = app.test_client()
        page = client.get("/?topic=gig+economy&country=Kosovo")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "Riders organise for sick pay" in body and "Kosovo" in body
        api = client.get("/api/search?country=Atlantis")
        assert api.json["total"] == 1
    finally:
        close(app)
