"""Small things a user meets at the edges: words that start with '-', a page past the last one,
CSV snippets, text that reverses the page, Host headers, and paths in /api/stats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.webui.app import create_app
from newsearch.webui.core import close

RECORDS = [
    {"title": "Forced labour in Brazil's cattle ranches", "summary": "Ranch workers & debts."},
    {"title": "Forced labour on Peru's fishing boats", "summary": "Crews & recruiters <b>."},
    {"title": "Fishing fleets\u202e reversed text after this", "summary": "Forced labour at sea."},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("edges")
    source = folder / "records.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    assert IndexStore(folder / "index").build([source]).added == 3
    return folder / "index"


def run(index: Path, *args: str) -> tuple[int, str, str]:
    command, *rest = args
    result = CliRunner().invoke(main, [command, "--index", str(index), *rest])
    return result.exit_code, result.stdout, result.stderr


def titles(stdout: str) -> set[str]:
    return {hit["title"] for hit in json.loads(stdout)["hits"]}


@pytest.mark.parametrize(
    "args",
    [
        ["query", "-Brazil", "forced"],
        ["query", "forced", "-Brazil"],
        ["query", "-Brazil", "--limit", "5", "forced"],
        ["query", "-fjson", "-Brazil", "forced"],
        ["query", "--", "-Brazil", "forced"],
    ],
)
def test_a_word_with_a_minus_is_query_text(index: Path, args: list[str]) -> None:
    code, out, err = run(index, *args)
    assert code == 0, err
    assert json.loads(out)["query"].split() == ["-Brazil", "forced"] or "forced" in out
    assert not any("Brazil" in title for title in titles(out))
    assert len(titles(out)) == 2


def test_export_takes_minus_words_too(index: Path) -> None:
    code, out, err = run(index, "export", "-Brazil", "forced")
    assert code == 0, err
    assert len(out.splitlines()) == 2 and "Brazil" not in out


def test_a_misspelt_long_option_is_still_an_error(index: Path) -> None:
    code, _, err = run(index, "query", "forced", "--limt", "5")
    assert code == 2 and "--limt" in err


def test_a_page_past_the_last_says_so(index: Path) -> None:
    code, out, err = run(index, "query", "forced", "--limit", "1", "--page", "9")
    assert code == 1
    assert "page 9 is past the last page of results (3)" in err
    data = json.loads(out)
    assert data["hits"] == [] and data["total"] == 3 and data["pages"] == 3
    assert data["notice"].startswith("page 9 is past the last page")


def test_csv_snippets_are_plain_text(index: Path) -> None:
    code, out, _ = run(index, "export", "crews", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and "<mark>" not in out and "&amp;" not in out and "&lt;" not in out
    assert "Crews & recruiters <b>." in rows[0]["snippet"]
    # JSON keeps the snippet as escaped HTML with <mark>, as documented
    code, out, _ = run(index, "query", "crews", "--format", "json")
    assert "<mark>Crews</mark> &amp; recruiters &lt;b&gt;." in json.loads(out)["hits"][0]["snippet"]


@pytest.fixture()
def app(index: Path) -> Iterator[Flask]:
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    yield app
    close(app)


def test_text_that_reverses_the_page_is_neutralised(app: Flask) -> None:
    client = app.test_client()
    for path in ("/?q=fleets", "/?q=fishing"):
        body = client.get(path).get_data(as_text=True)
        assert "Fishing fleets reversed text" in body and "\u202e" not in body
    hit = client.get("/api/search?q=fleets").json["hits"][0]
    item_page = client.get(f"/items/{hit['id']}").get_data(as_text=True)
    assert "\u202e" not in item_page
    assert "\u202e" in hit["title"]  # the data itself is kept as it was given


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("localhost:8080", 200),
        ("127.0.0.1:8080", 200),
        ("[::1]:8080", 200),
        ("evil.example", 400),
        ("evil.example:8080", 400),
        ("localhost.evil.example", 400),
    ],
)
def test_only_the_local_host_names_are_answered(app: Flask, host: str, status: int) -> None:
    client = app.test_client()
    for path in ("/", "/api/search?q=x", "/opensearch.xml", "/api/stats"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == status, (path, host)
        if status == 400 and path.startswith("/api/"):
            assert response.json["ok"] is False


def test_a_server_on_every_address_answers_any_name(index: Path) -> None:
    app = create_app({"INDEX_DIR": str(index), "TESTING": True, "ALLOWED_HOSTS": None})
    try:
        assert app.test_client().get("/", headers={"Host": "lab.example"}).status_code == 200
    finally:
        close(app)


def test_api_stats_tells_no_local_path(app: Flask, index: Path) -> None:
    data = app.test_client().get("/api/stats").json
    assert data["path"] == index.name and str(index.parent) not in json.dumps(data)
