"""The search page, item page, JSON API, exports and feeds through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.results import HIT_KEYS
from newsearch.webui import core, timeline
from newsearch.webui.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture()
def fresh(index_copy: Path, make_app: Callable[[Path], Flask]) -> Iterator[tuple[Flask, Path]]:
    """An app on a private, writable copy of the index."""
    yield make_app(index_copy), index_copy


TINY = [
    {"title": "Fishers rescued in March", "summary": "Forced labour at sea.", "date": "2016-03-05"},
    {"title": "Trafficking case opens", "summary": "Forced labour in ports.", "date": "2016-03-20"},
    {"title": "Child labour survey", "summary": "Cocoa farms surveyed.", "date": "2016-07-01"},
    {"title": "New year pledge on forced labour", "summary": "A pledge.", "date": "2017-01-10"},
    {"title": "Undated note on seafarers", "summary": "Seafarers and forced labour."},
    {"title": "Another undated note", "summary": "Migrant workers organise."},
]


@pytest.fixture()
def tiny(tmp_path: Path, make_app: Callable[[Path], Flask]) -> Flask:
    """An app on a small index made here, whose dates the tests know."""
    index = tmp_path / "tiny-index"
    add_items(index, TINY, tmp_path, "tiny")
    return make_app(index)


def add_items(index: Path, records: list[dict[str, Any]], folder: Path, name: str) -> None:
    """Commit new items to an index, as `newsearch index` does."""
    path = folder / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    report = IndexStore(index).build([path])
    assert report.ok, report


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def hit_ids(page: str) -> list[str]:
    return re.findall(r'<h2 class="hit-title" id="hit-([0-9a-f]+)">', page)


def some_item(engine: Engine, text: str = "fishers") -> str:
    return engine.search(SearchRequest(text, limit=1)).hits[0].id


# -- the app ------------------------------------------------------------------------------


def test_engine_is_created_on_first_use_and_kept(built_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    assert "newsearch.engine" not in app.extensions
    client = app.test_client()
    assert client.get("/api/stats").status_code == 200
    first = app.extensions["newsearch.engine"]
    assert client.get("/?q=labour").status_code == 200
    assert app.extensions["newsearch.engine"] is first
    core.close(app)
    assert "newsearch.engine" not in app.extensions


def test_config_defaults(app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] <= 64 * 1024
    assert app.config["TESTING"] is True


def test_security_headers_on_every_kind_of_response(client: FlaskClient) -> None:
    for url in ("/", "/api/search?q=labour", "/static/style.css", "/nope", "/api/nope"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        response.close()


def test_pages_have_no_inline_scripts_styles_or_handlers(
    client: FlaskClient, engine: Engine
) -> None:
    for url in ("/", "/?q=fishers&country=IDN", f"/items/{some_item(engine)}", "/?q=(", "/nope"):
        page = text(client.get(url))
        assert not re.search(r"\sstyle\s*=", page), url
        assert not re.search(r"\son[a-z]+\s*=", page), url
        for tag in re.findall(r"<script[^>]*>", page):
            assert 'src="/static/' in tag, (url, tag)
        assert "<script>" not in page


# -- the search page ----------------------------------------------------------------------


def test_home_lists_every_item_newest_first(client: FlaskClient, engine: Engine) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    total = engine.stats().items
    assert f"All {total} items" in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page and 'role="search"' in page
    assert '<label for="q">' in page
    expected = [h.id for h in engine.search(SearchRequest("", limit=10)).hits]
    assert hit_ids(page) == expected
    assert 'rel="search" type="application/opensearchdescription+xml"' in page


def test_query_is_kept_in_the_box_and_hits_are_highlighted(client: FlaskClient) -> None:
    page = text(client.get("/?q=fishers"))
    assert 'value="fishers"' in page
    assert "<mark>fishers</mark>" in page or "<mark>Fishers</mark>" in page
    assert "for <q>fishers</q>" in page
    assert re.search(r"\d+(\.\d)? ms", page)
    assert 'class="badge badge-country"' in page and 'class="badge badge-topic"' in page


def test_results_show_date_and_undated(tiny: Flask) -> None:
    page = text(tiny.test_client().get("/?sort=oldest"))
    assert '<time datetime="2016-03-05">5 March 2016</time>' in page
    assert "Undated" in page


def test_total_and_hits_match_the_engine(client: FlaskClient, engine: Engine) -> None:
    for query in ("forced labour", "trafficking OR migrant", '"modern slavery"', "fish*"):
        result = engine.search(SearchRequest(query, limit=10))
        page = text(client.get("/", query_string={"q": query}))
        assert f"{result.total} match" in page
        assert hit_ids(page) == [h.id for h in result.hits]


def test_query_and_indexed_text_are_escaped(fresh: tuple[Flask, Path], tmp_path: Path) -> None:
    app, index = fresh
    evil = '<img src=x onerror="alert(1)">'
    add_items(
        index,
        [
            {
                "title": f"Fishers {evil} at sea",
                "summary": f"Forced labour <script>alert(2)</script> on {evil} boats.",
                "date": "2017-05-02",
                "url": "javascript:alert(3)",
            }
        ],
        tmp_path,
        "evil",
    )
    client = app.test_client()
    page = text(client.get("/", query_string={"q": "boats <script>alert(4)</script>"}))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page
    page = text(client.get("/?q=boats"))
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x" in page
    item_id = re.findall(r'id="hit-([0-9a-f]+)"', page)[0]
    item_page = text(client.get(f"/items/{item_id}"))
    assert "<img src=x" not in item_page and "<script>alert(2)" not in item_page
    assert 'href="javascript:' not in item_page
    assert "javascript:alert(3)" in item_page  # shown as text, not as a link
    feed = text(client.get("/feed.atom?q=boats"))
    ET.fromstring(feed)
    assert "<img src=x" not in feed


def test_did_you_mean_links_to_the_corrected_query(client: FlaskClient) -> None:
    page = text(client.get("/?q=fishrs&correct=0"))
    assert "0 matches" in page
    assert 'Did you mean <a href="/?q=fishers&amp;correct=0">fishers</a>?' in page
    corrected = text(client.get("/?q=fishrs"))
    assert "Showing results for <strong>fishers</strong>" in corrected
    assert 'search instead for <a href="/?q=fishrs&amp;correct=0">fishrs</a>' in corrected


def test_facets_are_counted_over_all_matches(client: FlaskClient, engine: Engine) -> None:
    result = engine.search(SearchRequest("labour", limit=1))
    page = text(client.get("/?q=labour"))
    for name in ("topic", "country", "region", "year"):
        assert f'id="facet-{name}"' in page
    for value in result.facets["topic"][:3]:
        assert f"{value.value}, {value.count} match" in page.lower()


def test_facet_links_toggle_values_and_several_can_be_chosen(
    client: FlaskClient, engine: Engine
) -> None:
    topics = engine.search(SearchRequest("", limit=0)).facets["topic"]
    a, b = (quote_plus(v.value) for v in topics[:2])
    page = text(client.get("/"))
    assert f'href="/?topic={a}"' in page
    page = text(client.get(f"/?topic={a}"))
    assert 'class="facet-option is-selected" href="/"' in page  # selecting again removes it
    assert f'href="/?topic={a}&amp;topic={b}"' in page  # adds a second value
    assert 'aria-label="Remove filter Topic:' in page
    both = engine.count("", Filters.build(topic=[topics[0].value, topics[1].value]))
    one = engine.count("", Filters.build(topic=[topics[0].value]))
    page = text(client.get(f"/?topic={a}&topic={b}"))
    assert page.count('class="facet-option is-selected"') == 2
    assert f"{both} matches" in page
    assert both >= one  # values of one field are ORed


def test_country_facet_uses_codes_and_accepts_names(client: FlaskClient) -> None:
    page = text(client.get("/"))
    assert 'href="/?country=IDN"' in page
    by_name = text(client.get("/?country=indonesia"))
    by_code = text(client.get("/?country=IDN"))
    assert hit_ids(by_name) == hit_ids(by_code)
    assert "Country:</span> Indonesia" in by_code


def test_chips_remove_one_filter_each(client: FlaskClient) -> None:
    page = text(client.get("/?q=labour&topic=forced+labour&country=IDN&from=2016&to=2017-06"))
    chips = re.findall(r'<a class="chip" href="([^"]*)" aria-label="Remove filter ([^"]*)"', page)
    labels = [label for _, label in chips]
    assert labels == [
        "Topic: Forced labour",
        "Country: Indonesia",
        "From: 2016",
        "To: 2017-06",
    ]
    hrefs = dict((label, href.replace("&amp;", "&")) for href, label in chips)
    assert hrefs["Country: Indonesia"] == "/?q=labour&topic=forced+labour&from=2016&to=2017-06"
    assert hrefs["From: 2016"] == "/?q=labour&topic=forced+labour&country=IDN&to=2017-06"
    assert 'href="/?q=labour">Clear all filters</a>' in page


def test_chosen_value_without_matches_stays_removable(client: FlaskClient) -> None:
    page = text(client.get("/?q=fishers&country=FIN"))
    assert "0 matches" in page
    assert 'href="/?q=fishers"' in page
    assert "Finland, 0 matches, chosen" in page


def test_new_query_keeps_the_filters(client: FlaskClient) -> None:
    page = text(client.get("/?q=labour&topic=fisheries&sort=newest&page=2"))
    header = page.split('id="search-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="topic" value="fisheries">' in header
    assert '<input type="hidden" name="sort" value="newest">' in header
    assert 'name="page"' not in header and 'name="q" type="hidden"' not in header
    dates = page.split('<form class="dates"')[1].split("</form>")[0]
    assert '<input type="hidden" name="q" value="labour">' in dates
    assert '<input type="hidden" name="topic" value="fisheries">' in dates


def test_date_range_filters_and_is_kept(client: FlaskClient, engine: Engine) -> None:
    expected = engine.count("", Filters.build(date_from="2016-11", date_to="2017-01"))
    page = text(client.get("/?from=2016-11&to=2017-01"))
    assert f"{expected} matches" in page
    assert 'id="from" name="from" value="2016-11"' in page
    assert 'id="to" name="to" value="2017-01"' in page
    header = page.split('id="search-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="from" value="2016-11">' in header  # a new query keeps them
    empty = text(client.get("/?from=&to="))
    assert "All " in empty


def test_sorting(client: FlaskClient) -> None:
    for sort, reverse in (("newest", True), ("oldest", False)):
        page = text(client.get(f"/?q=labour&sort={sort}&limit=100"))
        dates = re.findall(r'<time datetime="([\d-]+)"', page)
        assert dates and dates == sorted(dates, reverse=reverse)
        assert f'aria-current="true">{sort.capitalize()}</a>' in page
    page = text(client.get("/?q=labour"))
    assert 'aria-current="true">Relevance</a>' in page
    assert ">Relevance</a>" not in text(client.get("/"))  # nothing to rank without words


def test_pagination(client: FlaskClient, engine: Engine) -> None:
    all_ids = [h.id for h in engine.search(SearchRequest("", limit=100)).hits]
    assert len(all_ids) > 25
    first = text(client.get("/"))
    assert 'rel="next" href="/?page=2"' in first and 'rel="prev"' not in first
    second = text(client.get("/?page=2"))
    assert hit_ids(second) == all_ids[10:20]
    assert 'rel="prev" href="/"' in second and 'rel="next" href="/?page=3"' in second
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second
    assert '<ol class="hits" start="11">' in second
    beyond = text(client.get("/?page=99"))
    assert "Go to the first page" in beyond
    page = text(client.get("/?limit=25&page=2"))
    assert hit_ids(page) == all_ids[25:50]


def test_pagination_window_has_gaps(fresh: tuple[Flask, Path], tmp_path: Path) -> None:
    app, index = fresh
    records = [{"title": f"Bulk item number {n}", "summary": "Seafarers."} for n in range(90)]
    add_items(index, records, tmp_path, "bulk")
    # "Bulk item number N" are near-duplicates of one another: every version is listed
    page = text(app.test_client().get("/?page=5&versions=all"))
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', page)
    assert numbers == ["1", "3", "4", "5", "6", "7", "12"]
    assert page.count('<li class="gap" aria-hidden="true">…</li>') == 2


def test_timeline_by_month_links_each_bar_to_its_period(tiny: Flask) -> None:
    client = tiny.test_client()
    page = text(client.get("/"))
    assert "Matches per month, March 2016 to January 2017" in page  # trimmed to the matches
    assert "(2 undated matches not shown)" in page
    assert "<svg" in page and 'role="group"' in page
    bars = re.findall(r'<a href="([^"]+)" class="bar[^"]*"\s+aria-label="([^"]+)"', page)
    assert bars == [
        ("/?from=2016-03&amp;to=2016-03", "March 2016: 2 matches"),
        ("/?from=2016-07&amp;to=2016-07", "July 2016: 1 match"),
        ("/?from=2017-01&amp;to=2017-01", "January 2017: 1 match"),
    ]
    assert ">Apr</text>" in page  # an empty month is drawn, without a link
    page = text(client.get("/?from=2016-03&to=2016-03"))
    assert "2 matches" in page and 'class="bar is-selected"' in page
    page = text(client.get("/?year=2016"))
    assert "Matches per month, January 2016 to December 2016" in page
    page = text(client.get("/?q=forced+labour"))
    assert 'aria-label="March 2016: 2 matches"' in page
    assert 'aria-label="July 2016' not in page  # the survey is not about forced labour


@pytest.mark.parametrize(
    "query", ["", "q=forced+labour", "q=labour&topic=forced+labour", "year=2016", "from=2016-10"]
)
def test_month_counts_agree_however_they_are_made(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    def chart(page: str) -> str:
        return page.split('<figure class="timeline"')[1].split("</figure>")[0]

    from_matches = chart(text(client.get(f"/?{query}")))
    monkeypatch.setattr(timeline, "ONE_PASS", 0)
    from_counts = chart(text(client.get(f"/?{query}")))
    assert from_matches == from_counts
    assert "Matches per month" in from_counts


def test_timeline_by_year_for_a_wide_range(tiny: Flask, tmp_path: Path) -> None:
    index = Path(tiny.config["INDEX_DIR"])
    add_items(index, [{"title": "Old news", "date": "2010-06-01"}], tmp_path, "old")
    page = text(tiny.test_client().get("/"))
    assert "Matches per year, 2010 to 2017" in page
    assert 'href="/?from=2010&amp;to=2010" class="bar"' in page
    assert 'aria-label="2016: 3 matches"' in page
    assert ">2013</text>" in page  # an empty year is drawn, without a link
    assert "(2 undated matches not shown)" in page


def test_no_timeline_without_dated_matches(tiny: Flask) -> None:
    page = text(tiny.test_client().get("/?q=seafarers"))
    assert "1 match" in page and "<svg" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=%28labour", "without a matching"),
        ("q=labour&topic=bogus", "unknown topic"),
        ("country=Atlantis", "unknown country"),
        ("from=yesterday", "is not a date"),
        ("from=2017&to=2016", "after"),
        ("year=99", "is not a year"),
        ("sort=random", "unknown sort"),
        ("limit=101", "limit must be from 1 to 100"),
        ("limit=ten", "limit must be a whole number"),
        ("page=0", "page must be from 1"),
        ("q=" + "a" * 1001, "the limit is 1000"),
        ("language=klingon", "unknown language"),
    ],
)
def test_bad_requests_show_the_message_with_400(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    page = text(response).lower()
    assert 'role="alert"' in page and message in page
    api = client.get(f"/api/search?{query}")
    assert api.status_code == 400
    assert api.json is not None and message in api.json["error"].lower()


def test_query_error_points_at_the_problem(client: FlaskClient) -> None:
    page = text(client.get("/?q=labour+%22fishers"))
    assert '<pre class="pointer">' in page
    assert 'value="labour &#34;fishers"' in page


def test_bad_filter_can_be_removed_from_the_error_page(client: FlaskClient) -> None:
    page = text(client.get("/?q=labour&topic=bogus"))
    assert 'href="/?q=labour" aria-label="Remove filter Topic: Bogus"' in page


def test_too_many_values_and_long_values_are_refused(client: FlaskClient) -> None:
    many = "&".join(f"year={2000 + n % 20}&kind=k{n}" for n in range(60))
    assert client.get(f"/?{many}").status_code == 400
    assert client.get("/?topic=" + "x" * 300).status_code == 400


# -- item pages -----------------------------------------------------------------------------


def test_item_page_shows_fields_evidence_and_similar(client: FlaskClient, engine: Engine) -> None:
    item_id = some_item(engine)
    item = engine.get(item_id)
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 200
    page = text(response)
    assert f'<h1 id="item-title">{item.title}' in page.replace("’", "’")
    assert f"<code>{item.id}</code>" in page
    assert "Why it has these tags" in page and "<table>" in page
    for evidence in item.evidence:
        assert f"<q>{evidence.text}</q>" in page
    similar = engine.similar(item_id, 5)
    assert similar
    for hit in similar:
        assert f'href="/items/{hit.id}"' in page
    assert "<mark>" not in page.split('id="similar-heading"')[1]
    assert f'href="/api/items/{item_id}"' in page
    assert 'href="/?topic=' in page


def test_item_page_links_back_to_the_search_it_came_from(
    client: FlaskClient, engine: Engine
) -> None:
    item_id = some_item(engine)
    referred = text(
        client.get(
            f"/items/{item_id}", headers={"Referer": "http://localhost/?q=fishers&country=IDN"}
        )
    )
    assert 'href="/?q=fishers&amp;country=IDN">‹ Back to the results' in referred
    elsewhere = text(
        client.get(f"/items/{item_id}", headers={"Referer": "http://example.org/?q=x"})
    )
    assert "Back to the results" not in elsewhere


def test_unknown_item_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/items/000000000000")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert "no item with id" in text(response).lower()


def test_unknown_page_and_wrong_method(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Not found" in text(response)
    response = client.post("/", data={"q": "x"})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_missing_index_is_reported_not_crashed(
    tmp_path: Path, make_app: Callable[[Path], Flask]
) -> None:
    app = make_app(tmp_path / "nothing-here")
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "no index at" in text(page).lower() and "newsearch index" in text(page)
    api = client.get("/api/search?q=x")
    assert api.status_code == 503
    assert api.json == {"ok": False, "error": api.json["error"], "status": 503}
    assert client.get("/export.csv").status_code == 503


# -- the JSON API ---------------------------------------------------------------------------


def test_api_search_is_the_cli_json(client: FlaskClient, built_index: Path) -> None:
    args = ["forced", "labour", "--topic", "fisheries", "--sort", "newest", "--limit", "5"]
    args += ["--index", str(built_index), "--format", "json"]
    cli = subprocess.run(
        [sys.executable, "-c", "from newsearch.search.cli import main; main()", "query", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    response = client.get("/api/search?q=forced+labour&topic=fisheries&sort=newest&limit=5")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json == json.loads(cli.stdout)


def test_api_search_shape(client: FlaskClient, engine: Engine) -> None:
    data = client.get("/api/search?q=fishers&page=1&limit=2").json
    # the page and the API list each near-duplicate story once (grouped)
    expected = engine.search(SearchRequest("fishers", limit=2, grouped=True)).to_dict()
    assert data == expected
    assert list(data) == [
        "query", "total", "page", "hits", "facets", "suggestion",
        "partial_total", "corrected_from", "match", "pages", "indexed", "left_out", "notice",
        "stories", "counted",
    ]  # fmt: skip
    assert list(data["hits"][0]) == list(HIT_KEYS)
    assert list(data["facets"]) == [
        "topic", "country", "region", "year", "language", "kind", "source", "listed_under",
    ]  # fmt: skip


def test_api_search_keeps_unicode(client: FlaskClient) -> None:
    raw = client.get("/api/search?q=migrant&limit=20").get_data(as_text=True)
    assert "’" in raw and "\\u2019" not in raw


def test_api_item_and_similar(client: FlaskClient, engine: Engine) -> None:
    item_id = some_item(engine)
    assert client.get(f"/api/items/{item_id}").json == engine.get(item_id).to_dict()
    similar = client.get(f"/api/items/{item_id}/similar?limit=3").json
    assert similar == [h.to_dict() for h in engine.similar(item_id, 3)]


def test_api_stats(client: FlaskClient, engine: Engine) -> None:
    data = client.get("/api/stats").json
    expected = engine.stats().to_dict()
    # the same, except that the page does not tell where the index lies on the server's disk
    assert data == {**expected, "path": Path(expected["path"]).name}
    assert "/" not in data["path"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/items/000000000000", 404),
        ("GET", "/api/items/000000000000/similar", 404),
        ("GET", "/api/nothing", 404),
        ("GET", "/api/", 404),
        ("GET", "/api", 404),
        ("POST", "/api/search", 405),
        ("DELETE", "/api/stats", 405),
        ("GET", "/api/search?q=%22open", 400),
        ("GET", "/api/search?limit=0", 400),
    ],
)
def test_api_errors_have_one_shape(client: FlaskClient, method: str, url: str, status: int) -> None:
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.content_type == "application/json"
    data = response.json
    assert data is not None and set(data) == {"ok", "error", "status"}
    assert data["ok"] is False and data["status"] == status and data["error"]


def test_unexpected_errors_are_500_without_details(
    fresh: tuple[Flask, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = fresh

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(Engine, "stats", broken)
    app.logger.disabled = True
    response = app.test_client().get("/api/stats")
    assert response.status_code == 500
    assert response.json is not None and "secret" not in response.json["error"]


# -- exports ----------------------------------------------------------------------------------


def test_csv_export_is_the_cli_export(
    client: FlaskClient, engine: Engine, runner: CliRunner, built_index: Path
) -> None:
    response = client.get("/export.csv?q=labour&sort=newest")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    body = text(response)
    args = ["export", "labour", "--sort", "newest", "--format", "csv", "--index", str(built_index)]
    exported = runner.invoke(main, args)
    assert exported.exit_code == 0 and body == exported.stdout
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == engine.count("labour")
    assert f"exported {len(rows)} item(s)" in exported.stderr
    assert list(rows[0]) == list(HIT_KEYS)


def test_jsonl_export_is_the_cli_export(
    client: FlaskClient, engine: Engine, runner: CliRunner, built_index: Path
) -> None:
    response = client.get("/export.jsonl?topic=fisheries")
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "application/x-ndjson; charset=utf-8"
    args = ["export", "--topic", "fisheries", "--index", str(built_index)]
    exported = runner.invoke(main, args)
    assert exported.exit_code == 0 and text(response) == exported.stdout
    fisheries = engine.count("", Filters.build(topic=["fisheries"]))
    assert fisheries and len(exported.stdout.splitlines()) == fisheries


def test_exports_have_no_cap(fresh: tuple[Flask, Path], tmp_path: Path) -> None:
    app, index = fresh
    records = [{"title": f"Seafarer report {n}", "summary": "Fishing crews."} for n in range(250)]
    add_items(index, records, tmp_path, "many")
    client = app.test_client()
    lines = text(client.get("/export.jsonl?limit=10&page=3")).splitlines()
    total = client.get("/api/search").json["total"]
    assert len(lines) == total > 250
    rows = list(csv.DictReader(io.StringIO(text(client.get("/export.csv")))))
    assert len(rows) == total


def test_empty_export_still_has_a_header(client: FlaskClient) -> None:
    body = text(client.get("/export.csv?q=zzzzqqq"))
    assert body == ",".join(HIT_KEYS) + "\n"
    assert text(client.get("/export.jsonl?q=zzzzqqq")) == ""


def test_export_of_a_bad_query_fails_before_streaming(client: FlaskClient) -> None:
    for url in ("/export.csv?q=%28", "/export.jsonl?topic=bogus"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.json is not None and response.json["ok"] is False


# -- feeds ------------------------------------------------------------------------------------


def test_atom_feed_newest_first_linking_to_items(client: FlaskClient, engine: Engine) -> None:
    response = client.get("/feed.atom?q=forced+labour")
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "newsearch: forced labour"
    assert root.findtext(f"{ATOM}updated")
    entries = root.findall(f"{ATOM}entry")
    expected = engine.search(SearchRequest("forced labour", sort="newest", limit=50))
    assert len(entries) == min(50, expected.total)
    ids = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]  # type: ignore[union-attr]
    assert ids == [f"http://localhost/items/{h.id}" for h in expected.hits]
    published = [e.findtext(f"{ATOM}published") for e in entries if e.find(f"{ATOM}published")]
    assert published == sorted(published, reverse=True)
    for entry in entries:
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["alternate"].startswith("http://localhost/?q=forced+labour")


def test_atom_feed_is_linked_from_the_page(client: FlaskClient) -> None:
    page = text(client.get("/?q=fishers&topic=fisheries"))
    assert 'type="application/atom+xml"' in page
    assert 'href="/feed.atom?q=fishers&amp;topic=fisheries"' in page


def test_atom_feed_errors(client: FlaskClient) -> None:
    response = client.get("/feed.atom?q=%22")
    assert response.status_code == 400 and response.json is not None


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.content_type.startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.get_data())
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.findtext(f"{ns}ShortName") == "newsearch"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert templates["text/html"] == "http://localhost/?q={searchTerms}"
    assert templates["application/atom+xml"] == "http://localhost/feed.atom?q={searchTerms}"


# -- static files and what else can be read ---------------------------------------------------


def test_static_files(client: FlaskClient) -> None:
    for name, kind in (("style.css", "text/css"), ("enhance.js", "javascript")):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200 and kind in response.content_type


@pytest.mark.parametrize(
    "url",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/../../pyproject.toml",
        "/static//etc/passwd",
        "/templates/base.html",
        "/app.py",
        "/items/..%2f..%2fetc%2fpasswd",
    ],
)
def test_nothing_but_static_files_and_the_index_is_readable(client: FlaskClient, url: str) -> None:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "def create_app" not in body and "root:" not in body and "[project]" not in body


def test_request_bodies_are_bounded(client: FlaskClient) -> None:
    response = client.get("/", data="x" * 100_000)
    assert response.status_code == 413
    response = client.get("/api/search", data="x" * 100_000)
    assert response.status_code == 413 and response.json is not None
    assert client.get("/", data="x" * 100).status_code == 200


# -- index updates ----------------------------------------------------------------------------


def test_new_commit_is_picked_up_without_a_restart(
    fresh: tuple[Flask, Path], tmp_path: Path
) -> None:
    app, index = fresh
    client = app.test_client()
    assert client.get("/api/search?q=zanzibarian").json["total"] == 0
    before = client.get("/api/stats").json["items"]
    add_items(
        index,
        [
            {
                "title": "Zanzibarian fishers organise",
                "summary": "A new union.",
                "date": "2024-02-01",
            }
        ],
        tmp_path,
        "new",
    )
    assert client.get("/api/search?q=zanzibarian").json["total"] == 1
    assert client.get("/api/stats").json["items"] == before + 1
    assert "Zanzibarian fishers organise" in text(client.get("/?q=zanzibarian"))
