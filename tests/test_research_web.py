"""The research pages: concordance, trends chart, and "How this was made", through the app."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from newsearch.search import concordance as concordance_module
from newsearch.search.cli import main
from newsearch.webui import core
from newsearch.webui.app import create_app


@pytest.fixture(scope="module")
def app(built_index: Path) -> Iterator[Flask]:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    yield app
    core.close(app)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def links(page: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


# -- concordance ----------------------------------------------------------------------------


def test_concordance_page_and_csv_match_the_shell(client: FlaskClient, built_index: Path) -> None:
    q = quote_plus('"forced labour"')
    page = client.get(f"/concordance?q={q}&width=30&order=left").get_data(as_text=True)
    rows = re.findall(r'<td class="kwic-match"><mark>([^<]+)</mark>', page)
    shell = cli("kwic", '"forced labour"', "--width", "30", "--order", "left", "-f", "csv",
                "--index", str(built_index))  # fmt: skip
    expected = list(csv.DictReader(io.StringIO(shell)))
    assert [unescape(r) for r in rows] == [row["match"] for row in expected]
    download = client.get(f"/concordance.csv?q={q}&width=30&order=left")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert download.get_data(as_text=True) == shell
    # the page links to its download and to how it was made
    hrefs = links(page)
    assert any(h.startswith("/concordance.csv?") for h in hrefs)
    assert any(h.startswith("/made?for=concordance.csv") for h in hrefs)


def test_concordance_errors(client: FlaskClient) -> None:
    response = client.get("/concordance?q=topic:fisheries")
    assert response.status_code == 400 and "needs words to find" in response.get_data(as_text=True)
    response = client.get("/concordance.csv?q=topic:fisheries")
    assert response.status_code == 400 and response.get_json()["ok"] is False
    assert client.get("/concordance?q=labour&width=9999").status_code == 400
    assert client.get("/concordance?q=labour&order=random").status_code == 400


def test_a_sort_over_too_many_lines_says_so_before_any_download(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(concordance_module, "MAX_SORTED", 3)
    page = client.get("/concordance?q=labour&order=left")
    assert page.status_code == 400
    shown = unescape(page.get_data(as_text=True))
    assert "More than 3 lines to sort by the word before" in shown
    assert "keep the search's own order" in shown
    download = client.get("/concordance.csv?q=labour&order=right")
    assert download.status_code == 400 and download.get_json()["ok"] is False
    assert "more than 3 lines" in download.get_json()["error"]
    # the streamed order has no such bound
    assert client.get("/concordance?q=labour").status_code == 200
    assert client.get("/concordance.csv?q=labour").get_data(as_text=True).count("\n") > 4


def test_search_page_links_to_the_research_views(client: FlaskClient) -> None:
    page = client.get("/?q=trafficking&country=PER").get_data(as_text=True)
    hrefs = links(page)
    concordance = next(h for h in hrefs if h.startswith("/concordance?"))
    assert parse_qs(urlsplit(concordance).query) == {"q": ["trafficking"], "country": ["PER"]}
    assert any(h.startswith("/trends?") and "country=PER" in h for h in hrefs)
    made = next(h for h in hrefs if h.startswith("/made?"))
    assert parse_qs(urlsplit(made).query)["for"] == ["export.csv"]


# -- trends ---------------------------------------------------------------------------------


def test_trend_chart_is_drawn_on_the_server_with_links(
    client: FlaskClient, built_index: Path
) -> None:
    url = "/trends?q=%22forced+labour%22&q=trafficking&by=month&measure=share"
    page = client.get(url).get_data(as_text=True)
    assert "<svg" in page and '<path d="M' in page
    data = json.loads(cli("trend", '"forced labour"', "trafficking", "--by", "month",
                          "-f", "json", "--index", str(built_index)))  # fmt: skip
    points = [
        (unescape(h), label)
        for h, label in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)">', page)
        if h.startswith("/?")
    ]
    expected = sum(1 for p in data["periods"] for n in p["counts"] if n)
    assert len(points) == expected
    # each point opens the results of its search in its period, and the counts agree
    for href, label in points[:6]:
        args = parse_qs(urlsplit(href).query)
        assert args["from"] == args["to"]
        api = client.get("/api/search?" + urlsplit(href).query).get_json()
        assert f"{api['total']:,} match" in unescape(label)


def test_trend_csv_is_the_shell_csv(client: FlaskClient, built_index: Path) -> None:
    response = client.get("/trends.csv?q=labour&q=fishers&by=year")
    shell = cli("trend", "labour", "fishers", "--by", "year", "--normalize", "-f", "csv",
                "--index", str(built_index))  # fmt: skip
    assert response.get_data(as_text=True) == shell


def test_trend_page_bounds(client: FlaskClient) -> None:
    assert client.get("/trends").status_code == 200  # an empty form
    five = "&".join(f"q=w{i}" for i in range(5))
    assert client.get(f"/trends?{five}").status_code == 400
    assert client.get("/trends?q=x&by=decade").status_code == 400
    assert client.get("/trends.csv").get_json()["status"] == 400


# -- how this was made ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("download", "args"),
    [
        ("export.csv", "q=trafficking&country=PER"),
        ("export.jsonl", "q=fishers"),
        ("concordance.csv", "q=%22forced+labour%22&width=25"),
        ("trends.csv", "q=labour&q=fishers&by=month"),
    ],
)
def test_how_this_was_made_gives_the_record_and_a_command_that_remakes_it(
    client: FlaskClient, download: str, args: str
) -> None:
    record: dict[str, Any] = client.get(f"/made.json?for={download}&{args}").get_json()
    assert record["index"]["backend"] == "whoosh" and record["index"]["items"] > 0
    command = shlex.split(record["command"])
    assert command[0] == "newsearch"
    endpoint = {"export.csv": "/export.csv", "export.jsonl": "/export.jsonl"}.get(
        download, f"/{download}"
    )
    assert cli(*command[1:]) == client.get(f"{endpoint}?{args}").get_data(as_text=True)
    page = client.get(f"/made?for={download}&{args}").get_data(as_text=True)
    assert "How this was made" in page and record["index"]["fingerprint"] in page
    assert (
        unescape(re.search(r"<pre class=\"command\"><code>([^<]+)", page).group(1))
        == (  # type: ignore[union-attr]
            record["command"]
        )
    )


@contextmanager
def chromium(**options: Any) -> Iterator[Any]:
    """A page in Debian's Chromium, driven by Playwright, that fails on console errors."""
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Problems, _need_chromium

    _need_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**options)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            problems = Problems()
            problems.watch(page)
            yield page
            assert problems.seen == []
        finally:
            browser.close()


@pytest.mark.browser
def test_research_pages_work_in_a_real_browser_without_javascript(built_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(built_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with chromium(java_script_enabled=False) as page:
            base = f"http://127.0.0.1:{server.port}"
            page.goto(f"{base}/?q=trafficking")
            page.get_by_role("link", name="Trend over time").click()
            point = page.locator("svg.trend-chart a").first
            label = point.get_attribute("aria-label") or ""
            point.click()
            count = re.search(r": ([\d,]+) match", label).group(1)  # type: ignore[union-attr]
            assert page.locator("#summary").inner_text().startswith(count)
            page.goto(f"{base}/?q=trafficking")
            page.get_by_role("link", name="Concordance").click()
            assert page.locator("table.kwic tbody tr").count() > 0
            page.get_by_role("link", name="How this was made").click()
            assert "newsearch kwic" in page.locator("pre.command").inner_text()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        core.close(app)


# -- the page as a workplace ----------------------------------------------------------------


def test_every_help_example_finds_items_in_the_built_in_corpus(client: FlaskClient) -> None:
    from newsearch.webui.guide import EXAMPLES

    page = client.get("/help").get_data(as_text=True)
    assert len(EXAMPLES) >= 12
    for example in EXAMPLES:
        assert f"<code>{example.query}</code>".replace('"', "&#34;") in page
        result = client.get("/api/search", query_string={"q": example.query}).get_json()
        assert result["total"] >= 1, example.query
    assert 'href="/help"' in client.get("/").get_data(as_text=True)


def test_each_result_says_where_it_came_from(client: FlaskClient) -> None:
    page = client.get("/?q=fishers").get_data(as_text=True)
    sources = re.findall(r'<span class="hit-source">from <code>([^<]+)</code>', page)
    assert sources and all(
        re.fullmatch(r"ilo-forced-labour-news-\d{4}-\d{4}\.txt:\d+", s) for s in sources
    )


def test_full_record_export_beside_the_compact_one(client: FlaskClient, built_index: Path) -> None:
    page = client.get("/?q=fishers").get_data(as_text=True)
    assert "/export.full.jsonl?q=fishers" in links(page)
    body = client.get("/export.full.jsonl?q=fishers").get_data(as_text=True)
    records = [json.loads(line) for line in body.splitlines()]
    assert records and all(
        {"body", "kind", "date_precision", "evidence"} <= set(r) for r in records
    )
    assert any(r["evidence"] for r in records)
    assert cli("export", "fishers", "--full", "--index", str(built_index)) == body
    made = client.get("/made.json?for=export.full.jsonl&q=fishers").get_json()
    assert "--full" in made["command"] and made["rows"] == len(records)
