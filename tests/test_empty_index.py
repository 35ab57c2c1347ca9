"""An index with no items (never committed, emptied, or a first import killed early) is a valid,
empty index for every command, the search page and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from whoosh.filedb.filestore import FileStorage

from newsearch.index.schema import build_schema
from newsearch.index.store import INDEX_NAME, IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.results import EMPTY_INDEX
from newsearch.webui.app import create_app
from newsearch.webui.core import close

COMMANDS = [
    ["query", "forced", "labour"],
    ["query"],
    ["query", "-Brazil", "--country", "pe", "--from", "2016", "--format", "csv"],
    ["query", "x", "--format", "table"],
    ["query", "x", "--format", "jsonl"],
    ["stats"],
    ["stats", "--format", "text"],
    ["export"],
    ["export", "x", "--format", "csv"],
    ["show", "abc123"],
    ["similar", "abc123"],
]


def never_committed(folder: Path) -> Path:
    """What a first import killed before its first batch leaves: a table of contents and no
    segment."""
    folder.mkdir()
    FileStorage(str(folder)).create_index(build_schema(), indexname=INDEX_NAME)
    return folder


def emptied(folder: Path, tmp_path: Path) -> Path:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"title": "One item on child labour"}) + "\n")
    IndexStore(folder).build([source])
    IndexStore(folder).build([], rebuild=True)
    return folder


@pytest.fixture(params=["never-committed", "emptied", "empty-folder-indexed"])
def empty_index(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    if request.param == "never-committed":
        return never_committed(folder)
    if request.param == "emptied":
        return emptied(folder, tmp_path)
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    IndexStore(folder).build([nothing])
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_on_an_empty_index(empty_index: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--index", str(empty_index)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output  # the no-results status
    assert "the index is empty" in result.stderr
    assert "newsearch index PATH" in result.stderr


def test_the_engine_on_an_empty_index(empty_index: Path) -> None:
    with Engine(empty_index) as engine:
        result = engine.search(SearchRequest("forced labour", Filters.build(country=["pe"])))
        assert result.total == 0 and result.indexed == 0
        assert result.notice == EMPTY_INDEX
        assert result.to_dict()["notice"] == EMPTY_INDEX
        assert list(engine.export(SearchRequest(""))) == []
        stats = engine.stats()
        assert stats.items == 0 and stats.segments == 0


def test_the_page_and_the_api_on_an_empty_index(empty_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(empty_index), "TESTING": True})
    try:
        check_pages(app.test_client())
    finally:
        close(app)


def check_pages(client: FlaskClient) -> None:
    page = client.get("/?q=fishers&country=pe&from=2016")
    assert page.status_code == 200
    assert "The index is empty" in page.get_data(as_text=True)
    assert "newsearch index PATH" in page.get_data(as_text=True)
    api = client.get("/api/search?q=fishers")
    assert api.status_code == 200
    assert api.json["total"] == 0 and api.json["notice"] == EMPTY_INDEX
    assert client.get("/api/stats").json["items"] == 0
    for path in ("/export.csv", "/export.jsonl", "/feed.atom", "/opensearch.xml"):
        assert client.get(path).status_code == 200, path
    assert client.get("/items/abc123").status_code == 404


def test_serve_starts_on_an_empty_index(empty_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    class Server:
        effective_port = 8080

        def run(self) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(waitress, "create_server", lambda *a, **k: Server())
    result = CliRunner().invoke(main, ["serve", "--index", str(empty_index)])
    assert result.exit_code == 0, result.output
    assert EMPTY_INDEX in result.stderr
