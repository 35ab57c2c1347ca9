"""The listing an item stands under: a stored field, a facet and a filter (CLI, API, page)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.webui import core
from newsearch.webui.app import create_app

HEADING = "News on forced labour"  # the heading of the 2016-2017 dump (ten items)
DATA = Path(__file__).resolve().parent / "data" / "variants"


@pytest.fixture(scope="module")
def app(built_index: Path) -> Iterator[Flask]:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    yield app
    core.close(app)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def cli_json(runner: CliRunner, *args: str) -> dict[str, object]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_cli_facet_and_filter_any_case(runner: CliRunner, built_index: Path) -> None:
    everything = cli_json(runner, "query", "--index", str(built_index), "--limit", "0")
    facets = everything["facets"]
    assert isinstance(facets, dict)
    assert facets["listed_under"] == [{"value": HEADING, "count": 10}]
    for typed in (HEADING, HEADING.upper(), "  news on   forced labour "):
        data = cli_json(
            runner, "query", "--index", str(built_index), "--listed-under", typed, "--limit", "50"
        )
        hits = data["hits"]
        assert data["total"] == 10 and isinstance(hits, list)
        assert {h["listed_under"] for h in hits} == {HEADING}
        assert all("kicker" in h for h in hits)
    # The heading is not a topic: an item listed under it need not carry "forced labour".
    listed = cli_json(
        runner, "query", "--index", str(built_index), "--listed-under", HEADING, "--limit", "50"
    )
    hits = listed["hits"]
    assert isinstance(hits, list)
    assert any("forced labour" not in h["topics"] for h in hits)
    none = runner.invoke(
        main, ["query", "--index", str(built_index), "--listed-under", "No such listing"]
    )
    assert none.exit_code == 1


def test_cli_show_and_csv_carry_the_new_fields(runner: CliRunner, built_index: Path) -> None:
    data = cli_json(runner, "query", "--index", str(built_index), "--listed-under", HEADING)
    hits = data["hits"]
    assert isinstance(hits, list)
    shown = runner.invoke(main, ["show", hits[0]["id"], "--index", str(built_index), "-f", "text"])
    assert shown.exit_code == 0
    assert f"listed under: {HEADING}" in shown.stdout
    record = runner.invoke(main, ["show", hits[0]["id"], "--index", str(built_index), "-f", "json"])
    assert json.loads(record.stdout)["listed_under"] == HEADING
    table = runner.invoke(
        main, ["query", "--index", str(built_index), "--listed-under", HEADING, "-f", "csv"]
    )
    header = table.stdout.splitlines()[0].split(",")
    assert header[14:16] == ["kicker", "listed_under"]  # after the older columns


def test_api_facet_filter_and_item(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"listed_under": HEADING.lower()}).json
    assert data is not None and data["total"] == 10
    assert data["facets"]["listed_under"] == [{"value": HEADING, "count": 10}]
    assert list(data["hits"][0])[14:16] == ["kicker", "listed_under"]
    item = client.get(f"/api/items/{data['hits'][0]['id']}").json
    assert item is not None and item["listed_under"] == HEADING and "kicker" in item


def test_page_sidebar_url_filter_and_item_page(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'id="facet-listed_under"' in page and "Listed under" in page
    assert f'href="/?listed_under={quote_plus(HEADING)}"' in page
    filtered = client.get(f"/?listed_under={quote_plus(HEADING)}").get_data(as_text=True)
    assert "10 matches" in filtered
    assert "Listed under:</span> News on forced labour" in filtered  # a removable chip
    item_id = re.findall(r'id="hit-([0-9a-f]+)"', filtered)[0]
    item_page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "<dt>Listed under</dt>" in item_page
    assert f'href="/?listed_under={quote_plus(HEADING)}"' in item_page


def test_kickers_are_stored_and_shown(tmp_path: Path, runner: CliRunner) -> None:
    index = tmp_path / "index"
    report = IndexStore(index).build([DATA / "kicker-list.txt"])
    assert report.ok and report.total == 7
    data = cli_json(runner, "query", "qualifications", "--index", str(index))
    hits = data["hits"]
    assert isinstance(hits, list)
    hit = hits[0]
    assert hit["kicker"] == "Skills and qualifications"
    assert hit["listed_under"] == "News on labour migration"
    shown = runner.invoke(main, ["show", hit["id"], "--index", str(index), "-f", "text"]).stdout
    assert "kicker: Skills and qualifications" in shown
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    try:
        page = app.test_client().get(f"/items/{hit['id']}").get_data(as_text=True)
        assert '<p class="kicker">Skills and qualifications</p>' in page
    finally:
        core.close(app)


def test_inspect_shows_kickers_type_lines_and_skipped_furniture(runner: CliRunner) -> None:
    path = DATA / "furniture-podcast.txt"
    text = runner.invoke(main, ["inspect", str(path), "-f", "text"]).stdout
    assert "kicker line: The Future of Work Podcast" in text
    assert "type/date line: Podcast | 4 October 2022" in text
    assert f"{path}:6: page navigation text skipped: 'Episode 13'" in text
    assert f"{path}:10: page navigation text skipped: '[Music]'" in text
    data = json.loads(runner.invoke(main, ["inspect", str(path), "-f", "json"]).stdout)
    assert data["items"][0]["read_from"]["type/date line"] == "Podcast | 4 October 2022"
    assert data["items"][0]["kicker"] == "The Future of Work Podcast"
    assert len(data["items"]) == 3 and len(data["skipped"]) == 19
