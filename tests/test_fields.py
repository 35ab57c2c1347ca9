"""The field registry: every shape derives from it, and its facets work at every edge."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from newsearch.index import fields
from newsearch.index.item import Item, RawItem
from newsearch.index.schema import FIELD_BOOSTS, TEXT_FIELDS, build_schema
from newsearch.index.store import IndexStore, document
from newsearch.index.tagging import tag
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.results import FACET_NAMES, HIT_KEYS
from newsearch.search.tokens import FIELDS as QUERY_FIELDS
from newsearch.webui.state import FILTER_NAMES, SearchState
from newsearch.webui.view import FACET_TITLES

ENGLISH = [
    {"title": "Fishers freed from forced labour", "summary": "Boats inspected in Indonesia.",
     "date": "2016-03-05", "label": "News", "language": "en"},
    {"title": "Survey of child labour in cocoa", "summary": "Farms in Ghana surveyed.",
     "date": "2017-07-01", "label": "Press release", "language": "en"},
    {"title": "Undated note on seafarers", "summary": "Seafarers and forced labour.",
     "language": "en"},
]  # fmt: skip
FRENCH = [
    {"title": "Déclaration sur le travail forcé", "summary": "Le travail forcé en mer.",
     "label": "Déclaration", "language": "fr"},
    {"title": "Les pêcheurs migrants", "summary": "Des pêcheurs au Sénégal.",
     "date": "2016-05-02", "language": "fr"},
]  # fmt: skip


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of two files whose languages, kinds and dates the tests know."""
    folder = tmp_path_factory.mktemp("small")
    for name, records in (("english.jsonl", ENGLISH), ("french.jsonl", FRENCH)):
        lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        (folder / name).write_text(lines + "\n", encoding="utf-8")
    index = folder / "index"
    report = IndexStore(index).build([folder / "english.jsonl", folder / "french.jsonl"])
    assert report.ok and report.total == 5, report
    return index


@pytest.fixture(scope="module")
def small_engine(small: Path) -> Iterator[Engine]:
    with Engine(small) as engine:
        yield engine


def counts(engine: Engine, name: str, **filters: Any) -> dict[str, int]:
    result = engine.search(SearchRequest("", Filters.build(**filters), limit=0))
    return {(v.code or v.value): v.count for v in result.facets[name]}


# -- everything derives from the registry ----------------------------------------------------


def test_the_schema_is_the_registry() -> None:
    schema = build_schema()
    assert sorted(schema.names()) == sorted(f.name for f in fields.index_fields())
    for spec in fields.index_fields():
        assert bool(schema[spec.name].stored) == spec.stored, spec.name
    assert set(TEXT_FIELDS) == set(FIELD_BOOSTS) == {"title", "summary", "body", "tags"}
    assert FIELD_BOOSTS["title"] > FIELD_BOOSTS["summary"] > FIELD_BOOSTS["body"]


def test_item_attributes_go_into_the_index_and_come_back(tmp_path: Path) -> None:
    declared = {f.name: f.type for f in dataclasses.fields(Item)}
    for spec in fields.item_fields():
        assert spec.attribute in declared, spec.name
        assert ("tuple" in str(declared[spec.attribute])) == spec.multi, spec.name
    item = tag(RawItem(title="Déclaration sur le travail forcé au Pérou", source="x.txt",
                       line=4, label="Déclaration", url="https://example.org/d"))  # fmt: skip
    index = tmp_path / "index"
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    doc = document(item)
    assert doc["kind"] == "statement" and doc["language"] == "fr" and doc["country"] == "PER"
    assert doc["source"] == "x.txt" and doc["_stored_source"] == "x.txt:4"
    IndexStore(index).build([path])
    with Engine(index) as engine:
        again = engine.get(engine.search(SearchRequest("")).hits[0].id)
    for spec in fields.item_fields():
        if spec.attribute not in {"url"}:  # the record read back has its own source and url
            assert getattr(again, str(spec.attribute)) == getattr(item, str(spec.attribute))


def test_every_shape_follows_the_registry(runner: CliRunner) -> None:
    assert HIT_KEYS == fields.hit_keys() == fields.csv_columns()
    assert fields.facet_names() == FACET_NAMES
    assert fields.filter_names() == FILTER_NAMES
    assert set(QUERY_FIELDS) == set(fields.query_fields())
    for name in FACET_NAMES:
        assert FACET_TITLES[name] == fields.field_named(name).label
    for command in ("query", "export"):
        help_text = runner.invoke(main, [command, "--help"]).stdout
        for name in fields.filter_names():
            assert f"--{name.replace('_', '-')}" in help_text, (command, name)


def test_a_hit_has_exactly_the_registry_keys(small_engine: Engine) -> None:
    hit = small_engine.search(SearchRequest("fishers")).hits[0]
    assert list(hit.to_dict()) == list(fields.hit_keys())


# -- the facets added through the registry ---------------------------------------------------


def test_language_kind_and_source_are_counted_and_filtered(small_engine: Engine) -> None:
    assert counts(small_engine, "language") == {"en": 3, "fr": 2}
    assert counts(small_engine, "kind") == {"news": 3, "press release": 1, "statement": 1}
    assert counts(small_engine, "source") == {"english.jsonl": 3, "french.jsonl": 2}
    # a facet's counts leave out its own filter, and follow the others
    assert counts(small_engine, "language", language=["fr"]) == {"en": 3, "fr": 2}
    assert counts(small_engine, "kind", language=["fr"]) == {"news": 1, "statement": 1}
    french = small_engine.search(SearchRequest("", Filters.build(source=["french.jsonl"])))
    assert {h.title for h in french.hits} == {r["title"] for r in FRENCH}
    # a hit still shows where it came from, line and all
    assert all(h.source.startswith(str(small_engine.store.path.parent / "french.jsonl:"))
               for h in french.hits)  # fmt: skip
    # a path is read as the file's name
    both = Filters.build(source=["/elsewhere/english.jsonl"], kind=["Press Release"])
    assert small_engine.count("", both) == 1


def test_the_year_facet_has_an_undated_bucket(small_engine: Engine) -> None:
    years = small_engine.search(SearchRequest("", limit=0)).facets["year"]
    assert [(v.value, v.count) for v in years] == [
        ("2017", 1), ("2016", 2), ("undated", 2),
    ]  # fmt: skip
    undated = small_engine.search(SearchRequest("", Filters.build(year=["undated"])))
    assert undated.total == 2 and all(h.date is None for h in undated.hits)
    either = Filters.build(year=["undated", "2017"])
    assert small_engine.count("", either) == 3
    # the same through the query path Whoosh ranks (a phrase) as through the columns
    phrase = SearchRequest('"forced labour"')
    assert "Fishers freed from forced labour" in {h.title for h in small_engine.search(phrase).hits}
    phrase = SearchRequest('"forced labour"', Filters.build(year=["undated"]))
    found = small_engine.search(phrase).hits
    assert found and all(h.date is None for h in found)
    # stats count undated items apart, as before
    stats = small_engine.stats()
    assert stats.undated == 2 and "undated" not in {v.value for v in stats.facets["year"]}


def test_new_facets_at_the_command_line(runner: CliRunner, small: Path) -> None:
    base = ["query", "--index", str(small), "--format", "json"]
    data = json.loads(runner.invoke(main, [*base, "--language", "French"]).stdout)
    assert data["total"] == 2
    assert data["facets"]["language"] == [{"value": "en", "count": 3}, {"value": "fr", "count": 2}]
    data = json.loads(runner.invoke(main, [*base, "--kind", "statement"]).stdout)
    assert [h["title"] for h in data["hits"]] == ["Déclaration sur le travail forcé"]
    data = json.loads(runner.invoke(main, [*base, "--year", "undated"]).stdout)
    assert data["total"] == 2 and {"value": "undated", "count": 2} in data["facets"]["year"]
    out = runner.invoke(main, [*base[:3], "--source", "english.jsonl", "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and list(rows[0]) == list(fields.csv_columns())
    bad = runner.invoke(main, [*base, "--year", "someday"])
    assert bad.exit_code == 2 and "undated" in bad.stderr


def test_new_facets_on_the_search_page(small: Path, make_app: Callable[[Path], Flask]) -> None:
    client = make_app(small).test_client()
    page = client.get("/").get_data(as_text=True)
    for name in ("language", "kind", "source"):
        assert f'id="facet-{name}"' in page
    assert 'href="/?year=undated"' in page and ">Undated<" in page
    assert ">French<" in page  # languages by name
    page = client.get("/?year=undated&source=french.jsonl").get_data(as_text=True)
    assert "1 match" in page
    assert 'aria-label="Remove filter Year: Undated"' in page
    assert 'aria-label="Remove filter Source: french.jsonl"' in page
    data = client.get("/api/search?kind=statement").get_json()
    assert data["total"] == 1 and list(data["facets"]) == list(fields.facet_names())
    state = SearchState.from_args(client.get("/").request.args)
    assert state.source == () and state.change(source=("a.txt",)).source == ("a.txt",)
