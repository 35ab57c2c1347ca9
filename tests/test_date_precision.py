"""A date known only to the month or year stays so: in the index, filters, exports and pages.

A date filter matches an item whose whole period lies within the range. An item dated only to a
month or year that overlaps the range without lying inside it is "coarser" than the filter: it is
left out and counted, unless --coarse-dates (or coarse=1 on the page) asks for it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.webui.app import create_app
from newsearch.webui.core import close

RECORDS = [
    ("day", "2021-03-17", "Inspectors visit fishing vessels"),
    ("month", "2021-03", "Fishing crews paid late"),
    ("year", "2021", "Annual report on fishing labour"),
    ("feb", "2021-02", "Fishing quotas and crews"),
    ("undated", "", "Fishing without a date"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dates")
    source = folder / "records.jsonl"
    source.write_text(
        "\n".join(
            json.dumps({"title": title, "date": date, "url": f"https://example.org/d/{key}"})
            for key, date, title in RECORDS
        )
        + "\n",
        encoding="utf-8",
    )
    assert IndexStore(folder / "index").build([source]).added == len(RECORDS)
    return folder / "index"


@pytest.fixture()
def engine(index: Path) -> Iterator[Engine]:
    with Engine(index) as engine:
        yield engine


def keys(result: object) -> set[str]:
    return {h.url.rsplit("/", 1)[1] for h in result.hits}  # type: ignore[attr-defined]


def test_precision_is_kept_in_hits(engine: Engine) -> None:
    hits = {h.url.rsplit("/", 1)[1]: h for h in engine.search(SearchRequest("", limit=10)).hits}
    assert hits["year"].to_dict()["date"] == "2021-01-01"  # the contract's ISO date, as before
    assert hits["year"].to_dict()["date_precision"] == "year"
    assert hits["month"].to_dict()["date_precision"] == "month"
    assert hits["day"].to_dict()["date_precision"] == "day"
    assert hits["undated"].to_dict()["date_precision"] is None
    assert (hits["year"].date_label, hits["month"].date_label) == ("2021", "2021-03")


def test_a_month_filter_leaves_out_a_year_and_says_so(engine: Engine) -> None:
    march = Filters.build(date_from="2021-03", date_to="2021-03")
    result = engine.search(SearchRequest("fishing", march))
    assert keys(result) == {"day", "month"}
    assert result.left_out == {"undated": 1, "coarser": 1}
    asked = engine.search(SearchRequest("fishing", march, coarse_dates=True))
    assert keys(asked) == {"day", "month", "year"}
    assert asked.left_out == {"undated": 1, "coarser": 0}
    # a day inside March: the month and the year overlap it, neither lies within it
    day = engine.search(
        SearchRequest("", Filters.build(date_from="2021-03-10", date_to="2021-03-20"))
    )
    assert keys(day) == {"day"} and day.left_out["coarser"] == 2


def test_a_year_filter_holds_every_precision_of_that_year(engine: Engine) -> None:
    result = engine.search(SearchRequest("", Filters.build(date_from="2021", date_to="2021")))
    assert keys(result) == {"day", "month", "year", "feb"}
    assert result.left_out == {"undated": 1, "coarser": 0}
    # an open range: from February on holds February, March and the day, not the whole year
    since = engine.search(SearchRequest("", Filters.build(date_from="2021-02")))
    assert keys(since) == {"feb", "month", "day"} and since.left_out["coarser"] == 1


def test_phrase_queries_filter_dates_the_same_way(engine: Engine) -> None:
    march = Filters.build(date_from="2021-03", date_to="2021-03")
    result = engine.search(SearchRequest('"fishing"', march))
    assert keys(result) <= {"day", "month"} and result.total == 2


def test_oldest_first_puts_a_year_before_its_days(engine: Engine) -> None:
    order = [
        h.url.rsplit("/", 1)[1]
        for h in engine.search(SearchRequest("", sort="oldest", limit=10)).hits
    ]
    assert order == ["year", "feb", "month", "day", "undated"]


def test_the_cli_says_what_the_filter_left_out(index: Path) -> None:
    runner = CliRunner()
    args = ["query", "fishing", "--from", "2021-03", "--to", "2021-03", "--index", str(index)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["left_out"] == {"undated": 1, "coarser": 1}
    assert "the date filter left out 1 undated and 1 coarser match(es)" in result.stderr
    assert "--coarse-dates includes the coarser ones" in result.stderr
    wide = runner.invoke(main, [*args, "--coarse-dates"])
    assert json.loads(wide.stdout)["total"] == 3
    # only the undated are left out now: nothing is said of coarser ones
    assert "the date filter left out 1 undated match(es)\n" in wide.stderr
    assert "coarse" not in wide.stderr


def test_exports_keep_the_precision(index: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["export", "--format", "csv", "--index", str(index)])
    rows = {r["url"].rsplit("/", 1)[1]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["year"]["date_precision"] == "year" and rows["year"]["date"] == "2021-01-01"
    assert rows["undated"]["date_precision"] == ""
    lines = runner.invoke(main, ["export", "--index", str(index)]).stdout.splitlines()
    assert {json.loads(line)["date_precision"] for line in lines} == {"day", "month", "year", None}


def test_the_page_shows_the_precision_and_the_left_out_count(index: Path) -> None:
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    try:
        client = app.test_client()
        body = client.get("/?q=fishing").get_data(as_text=True)
        assert ">2021</time>" in body and ">March 2021</time>" in body
        narrowed = client.get("/?q=fishing&from=2021-03&to=2021-03").get_data(as_text=True)
        assert "left out" in narrowed and "1 undated match" in narrowed
        assert "coarse=1" in narrowed  # the link that includes them
        wide = client.get("/api/search?q=fishing&from=2021-03&to=2021-03&coarse=1").json
        assert wide["total"] == 3
    finally:
        close(app)
