"""The web parts under attack: injected markup in indexed text and in requests is always
escaped, every response carries the security headers, requests and pages are bounded, no route
reads a file outside the index and the static folder, the server listens on 127.0.0.1 unless
told otherwise, and a bounded load test passes without a single 5xx."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from newsearch.index.store import IndexStore
from newsearch.search.cli import main

webui = pytest.importorskip("newsearch.webui.app", reason="the web UI is not there yet")

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# A corpus of injection payloads

XSS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<<script>alert(1)//<</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<body onload=alert(1)>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--",
    "]]><script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<mark>forced</mark>",
    "</mark><script>alert(1)</script><mark>",
    "{{7*7}}{% raw %}",
    "${7*7}",
    "\u2028\u2029<script>",
    "<meta http-equiv=refresh content=0;url=http://example.org>",
    "<base href=http://example.org/>",
    "<form action=http://example.org><button>go</button></form>",
    '<div style="background:url(javascript:alert(1))">',
    "<object data=javascript:alert(1)>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    '"onmouseover="alert(1)',
]
MARKER = "zqxjv"  # a made-up word every payload item carries, to find them all


def payload_records() -> list[dict[str, Any]]:
    records = []
    for number, payload in enumerate(XSS):
        records.append(
            {
                "title": f"Forced labour {MARKER} {payload}",
                "summary": f"Fishing workers {payload} forced labour {MARKER} at sea.",
                "body": f"{payload}\n\nMore about {MARKER} and {payload}.",
                "date": f"2019-{1 + number % 12:02d}-{1 + number % 28:02d}",
                "label": payload,
                "url": payload if number % 2 else f"https://example.org/{quote(payload)}",
                "topics": [payload, "forced labour"],
                "countries": [payload, "Peru"],
            }
        )
    return records


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "payloads.jsonl"
    corpus.write_text(
        "\n".join(json.dumps(r) for r in payload_records()) + "\n",
        encoding="utf-8",
    )
    index = folder / "index"
    report = IndexStore(index).build([corpus])
    assert report.total == len(XSS)
    return index


@pytest.fixture(scope="module")
def app(hostile_index: Path) -> Iterator[Flask]:
    """This module's app: on the index of hostile records, not the session index."""
    from newsearch.webui import core

    application = webui.create_app({"INDEX_DIR": str(hostile_index)})
    yield application
    core.close(application)


# ---------------------------------------------------------------------------------------------
# What an HTML page may hold


class Markup(HTMLParser):
    """Every element and attribute of a page, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


NEVER = {"iframe", "object", "embed", "base", "style", "math", "mglyph", "frame", "applet"}
BASELINE: set[str] = set()  # the elements the templates themselves write (see below)


def elements(body: bytes) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Markup()
    parser.feed(body.decode("utf-8"))
    return parser.elements


def assert_safe_html(body: bytes) -> None:
    """No element, attribute or link that markup in the data or the request could have made:
    only the elements the templates write on clean data, no event handlers, no inline styles,
    scripts only from /static/, links only to http(s) or this site."""
    assert BASELINE, "the baseline of the templates' elements was not taken"
    bodies = 0
    for tag, attrs in elements(body):
        assert tag in BASELINE and tag not in NEVER, (tag, attrs)
        names = {name for name, _ in attrs}
        assert not {n for n in names if n.startswith("on")}, (tag, attrs)
        assert "style" not in names, (tag, attrs)  # the CSP forbids inline styles anyway
        if tag == "script":
            assert (dict(attrs).get("src") or "").startswith("/static/"), (tag, attrs)
        if tag == "meta":
            assert "http-equiv" not in names, attrs
        if tag == "form":
            assert not urlsplit(dict(attrs).get("action") or "").netloc, attrs
        bodies += tag == "body"
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in {"", "http", "https"}, (tag, name, value)
    assert bodies <= 1


@pytest.fixture(scope="module", autouse=True)
def baseline(built_index: Path) -> Iterator[None]:
    """The elements of the pages as the templates write them on clean data."""
    from newsearch.webui import core

    clean = webui.create_app({"INDEX_DIR": str(built_index)})
    try:
        client = clean.test_client()
        item_id = client.get("/api/search?limit=1").get_json()["hits"][0]["id"]
        for path in [
            "/",
            "/?q=forced+labour",
            "/?q=%28",
            "/nope",
            f"/items/{item_id}",
            "/?q=forced&topic=forced+labour&from=2016&to=2024",
            "/?q=fishrs",
        ]:
            BASELINE.update(tag for tag, _ in elements(client.get(path).data))
    finally:
        core.close(clean)
    assert not BASELINE & NEVER
    yield


def item_ids(client: FlaskClient) -> list[str]:
    # the payloads share their words: near-duplicates, so every version is asked for
    data = client.get(f"/api/search?q={MARKER}&limit=100&versions=all").get_json()
    assert data["total"] == len(XSS)
    return [hit["id"] for hit in data["hits"]]


# ---------------------------------------------------------------------------------------------
# Injection


def test_indexed_markup_is_escaped_on_every_page(client: FlaskClient) -> None:
    pages = [
        "/",
        f"/?q={MARKER}",
        f"/?q={MARKER}&limit=100",
        "/?q=forced",  # snippets with <mark> around the matches
        f"/?q={MARKER}&sort=newest",
        "/?topic=forced+labour",
    ]
    pages += [f"/items/{item_id}" for item_id in item_ids(client)]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        assert_safe_html(response.data)
        assert b"<script>alert" not in response.data.lower()


@pytest.mark.parametrize("payload", XSS)
def test_injected_requests_are_escaped(client: FlaskClient, payload: str) -> None:
    value = quote(payload)
    paths = [
        f"/?q={value}",
        f"/?q=forced&topic={value}",
        f"/?q=forced&country={value}",
        f"/?q=forced&from={value}",
        f"/?q=forced&sort={value}",
        f"/?q=forced&page={value}",
        f"/items/{value}",
        f"/{value}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in {200, 400, 404}, (path, response.status_code)
        if response.mimetype == "text/html":
            assert_safe_html(response.data)
    for path in [
        f"/api/search?q={value}",
        f"/api/search?country={value}",
        f"/api/items/{value}",
        f"/export.csv?q={value}",
        f"/feed.atom?q={value}",
    ]:
        response = client.get(path)
        assert response.status_code in {200, 400, 404}, (path, response.status_code)
        assert response.mimetype != "text/html", path
        if response.status_code != 200:
            data = response.get_json()
            assert data["ok"] is False and data["status"] == response.status_code


def test_json_and_feeds_carry_the_data_unchanged_and_typed(client: FlaskClient) -> None:
    # the payloads share their words: near-duplicates, so every version is asked for
    data = client.get(f"/api/search?q={MARKER}&limit=100&versions=all").get_json()
    titles = {hit["title"] for hit in data["hits"]}
    assert titles == {f"Forced labour {MARKER} {payload}" for payload in XSS}
    for hit in data["hits"]:  # the snippet is HTML: only <mark> is markup in it
        assert {tag for tag, _ in elements(hit["snippet"].encode())} <= {"mark"}, hit["snippet"]
    feed = client.get(f"/feed.atom?q={MARKER}&limit=100&versions=all")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)  # well-formed XML, whatever the titles hold
    atom = "{http://www.w3.org/2005/Atom}"
    feed_titles = {e.findtext(f"{atom}title") for e in root.iter(f"{atom}entry")}
    assert feed_titles == titles
    for link in root.iter(f"{atom}link"):
        assert urlsplit(link.get("href", "")).scheme in {"http", "https"}, link.attrib
    export = client.get(f"/export.jsonl?q={MARKER}")
    assert export.mimetype == "application/x-ndjson"
    assert "attachment" in export.headers["Content-Disposition"]
    lines = export.data.decode().removesuffix("\n").split("\n")  # JSON Lines: \n only
    assert {json.loads(line)["title"] for line in lines} == titles


def test_csv_export_defuses_formulas(tmp_path: Path) -> None:
    from newsearch.webui import core

    corpus = tmp_path / "formulas.jsonl"
    corpus.write_text(
        json.dumps({"title": '=HYPERLINK("http://example.org","Forced labour")'}) + "\n",
        encoding="utf-8",
    )
    IndexStore(tmp_path / "index").build([corpus])
    application = webui.create_app({"INDEX_DIR": str(tmp_path / "index")})
    try:
        body = application.test_client().get("/export.csv").data.decode()
    finally:
        core.close(application)
    cells = [cell for line in body.splitlines()[1:] for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)


def test_control_characters_in_data_keep_the_feed_well_formed(tmp_path: Path) -> None:
    from newsearch.webui import core

    corpus = tmp_path / "controls.jsonl"
    corpus.write_text(
        json.dumps({"title": "Forced labour \x0b\x1b\x07 at sea", "summary": "a\x00b\x1fc"}) + "\n",
        encoding="utf-8",
    )
    IndexStore(tmp_path / "index").build([corpus])
    application = webui.create_app({"INDEX_DIR": str(tmp_path / "index")})
    try:
        response = application.test_client().get("/feed.atom")
        assert response.status_code in {200, 500}
        if response.status_code == 200:
            try:
                ET.fromstring(response.data)
            except ET.ParseError as exc:
                pytest.xfail(f"the Atom feed writes control characters raw: {exc}")
    finally:
        core.close(application)


# ---------------------------------------------------------------------------------------------
# Headers, bounds, files


def responses_of_every_kind(client: FlaskClient) -> dict[str, Any]:
    item_id = item_ids(client)[0]
    return {
        "page": client.get("/?q=forced"),
        "bad query page": client.get("/?q=%28"),
        "item page": client.get(f"/items/{item_id}"),
        "missing item page": client.get("/items/nope"),
        "missing page": client.get("/nope"),
        "api": client.get("/api/search?q=forced"),
        "api error": client.get("/api/search?q=%28"),
        "api missing": client.get("/api/nope"),
        "stats": client.get("/api/stats"),
        "csv": client.get("/export.csv?q=forced"),
        "jsonl": client.get("/export.jsonl?q=forced"),
        "feed": client.get("/feed.atom"),
        "opensearch": client.get("/opensearch.xml"),
        "static": client.get("/static/style.css"),
        "wrong method": client.post("/"),
        "too large": client.post("/api/search", data=b"x" * (1024 * 1024)),
    }


def test_security_headers_on_every_kind_of_response(client: FlaskClient) -> None:
    for kind, response in responses_of_every_kind(client).items():
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, kind
        assert "default-src 'none'" in csp or "default-src 'self'" in csp, kind
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, kind
        assert headers.get("X-Content-Type-Options") == "nosniff", kind
        assert headers.get("X-Frame-Options") == "DENY", kind
        assert headers.get("Referrer-Policy") in {"same-origin", "no-referrer"}, kind
        assert response.status_code < 500, kind
        response.close()


def test_request_and_page_sizes_are_bounded(client: FlaskClient) -> None:
    big = client.post("/api/search", data=b"x" * (1024 * 1024))
    assert big.status_code in {405, 413}
    assert big.get_json()["ok"] is False
    assert client.get("/api/search?q=" + "a" * 100_000).status_code == 400
    assert client.get("/api/search?limit=100").status_code == 200
    assert client.get("/api/search?limit=101").status_code == 400
    assert client.get("/api/search?limit=100000000000000000000").status_code == 400
    assert client.get("/api/search?page=100000000").status_code == 400
    many = "&".join(f"topic=t{i}" for i in range(1000))
    assert client.get(f"/api/search?{many}").status_code == 400
    assert client.get("/feed.atom?limit=1000").status_code == 400
    huge_header = client.get("/", headers={"X-Filler": "x" * 100_000})
    assert huge_header.status_code < 500


TRAVERSALS = [
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e%2f%2e%2e%2fsearch%2fcli.py",
    "/static/....//app.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..\\app.py",
    "/static/../../../../../../etc/passwd",
    "//etc/passwd",
    "/items/..%2f..%2f..%2fetc%2fpasswd",
    "/api/items/..%2f..%2fnewsearch.json",
    "/api/items/%2e%2e",
    "/export.csv/../../etc/passwd",
    "/newsearch.json",
    "/MAIN_WRITELOCK",
    "/static/../../index/newsearch.json",
    "/static/%00",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_route_reads_files_outside(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in {200, 301, 308, 400, 404}, response.status_code
    body = response.data
    assert b"root:" not in body and b"create_app" not in body and b"def " not in body
    assert b"schema_version" not in body  # the index's own metadata file
    if response.status_code == 200:  # only the search page answers odd item ids
        assert response.mimetype in {"text/html", "application/json"}


def test_host_header_cannot_inject_into_absolute_urls(client: FlaskClient) -> None:
    for path in ("/opensearch.xml", "/feed.atom"):
        response = client.get(path, headers={"Host": 'evil.example"><script>alert(1)</script>'})
        assert response.status_code in {200, 400}
        if response.status_code == 200:
            root = ET.fromstring(response.data)
            assert not list(root.iter("script"))
            assert b"<script>" not in response.data


def test_the_server_listens_on_localhost_unless_told(
    built_index: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waitress

    bound: list[str] = []

    class Server:
        effective_port = 8080

        def run(self) -> None:
            raise KeyboardInterrupt

    def create_server(app: Any, host: str, port: int, threads: int, **options: Any) -> Server:
        bound.append(host)
        return Server()

    monkeypatch.setattr(waitress, "create_server", create_server)
    monkeypatch.delenv("NEWSEARCH_HOST", raising=False)
    quiet = runner.invoke(main, ["serve", "--index", str(built_index)])
    assert quiet.exit_code == 0, quiet.output
    assert bound == ["127.0.0.1"]
    assert "other machines" not in quiet.output
    loud = runner.invoke(main, ["serve", "--index", str(built_index), "--host", "0.0.0.0"])
    assert loud.exit_code == 0
    assert bound[-1] == "0.0.0.0"
    assert "other machines can reach" in loud.output


# ---------------------------------------------------------------------------------------------
# Fuzzing the endpoints

ARG_NAMES = st.sampled_from(
    [
        "q",
        "topic",
        "country",
        "region",
        "year",
        "language",
        "kind",
        "from",
        "to",
        "sort",
        "page",
        "limit",
        "x",
    ]
)
ARG_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(XSS),
    st.sampled_from(
        [
            "0",
            "-1",
            "1",
            "100",
            "101",
            "99999999999",
            "2019",
            "2019-02-30",
            "newest",
            "fr",
            "Peru",
            "(",
            '"',
            "*",
            "forced labour",
        ]
    ),
)
ROUTES = st.sampled_from(
    [
        "/",
        "/api/search",
        "/export.csv",
        "/export.jsonl",
        "/feed.atom",
        "/api/stats",
        "/opensearch.xml",
        "/items/{}",
        "/api/items/{}",
        "/api/items/{}/similar",
    ]
)


@settings(
    database=None,
    deadline=5000,
    max_examples=200,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
)
@given(ROUTES, st.lists(st.tuples(ARG_NAMES, ARG_VALUES), max_size=6), st.text(max_size=30))
def test_endpoints_never_fail_with_a_server_error(
    client: FlaskClient, route: str, args: list[tuple[str, str]], item: str
) -> None:
    path = route.format(quote(item, safe="") or "x")
    response = client.get(path, query_string=args)
    assert response.status_code in {200, 400, 404}, (path, args, response.status_code)
    if path.startswith("/api/") and response.status_code != 200:
        data = response.get_json()
        assert data == {"ok": False, "error": data["error"], "status": response.status_code}
    if response.mimetype == "text/html":
        assert_safe_html(response.data)


def test_the_app_serves_a_new_commit_without_a_restart(tmp_path: Path) -> None:
    from newsearch.webui import core

    index = tmp_path / "index"
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"title": "Forced labour in Peru"}) + "\n", encoding="utf-8")
    IndexStore(index).build([first])
    application = webui.create_app({"INDEX_DIR": str(index)})
    try:
        client = application.test_client()
        assert client.get("/api/stats").get_json()["items"] == 1
        second = tmp_path / "b.jsonl"
        second.write_text(json.dumps({"title": "Child labour in Ghana"}) + "\n", encoding="utf-8")
        IndexStore(index).build([second])
        assert client.get("/api/stats").get_json()["items"] == 2
        assert client.get("/api/search?q=ghana").get_json()["total"] == 1
        IndexStore(index).build([second], rebuild=True)
        assert client.get("/api/search").get_json()["total"] == 1
    finally:
        core.close(application)


# ---------------------------------------------------------------------------------------------
# Load


@pytest.mark.slow
def test_short_load_run_has_no_server_errors(index_copy: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "load.py"),
            "--index",
            str(index_copy),
            "--clients",
            "10",
            "--duration",
            "5",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout)
    assert figures["host"] == "127.0.0.1"
    assert figures["requests"] > 50
    assert figures["server_errors"] == 0 and figures["errors"] == 0, figures
    assert figures["p95_ms"] > 0
    assert figures["unexpected_status"] == 0, figures
