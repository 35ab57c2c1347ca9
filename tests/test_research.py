"""Concordance, trends and provenance from the shell: built-in corpus and 10,000 synthetic items."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import synthetic
from click.testing import CliRunner, Result

from newsearch.index.analysis import STOPWORDS, fold, words
from newsearch.index.store import IndexStore
from newsearch.search import concordance as concordance_module
from newsearch.search.cli import main
from newsearch.search.concordance import KEYS, patterns
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.trends import trend


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def in_terminal(*args: str) -> str:
    """Run newsearch with stdout on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(
        [sys.executable, "-m", "newsearch.search", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


# -- concordance: the built-in corpus -----------------------------------------------------------


def test_kwic_shows_each_phrase_occurrence_as_written(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, "kwic", '"forced labour"', "--index", str(built_index), "--width", "30")
    assert result.exit_code == 0, result.stderr
    lines = jsonl(result.stdout)
    assert lines and all(set(line) == set(KEYS) for line in lines)
    # the match is the phrase as the text writes it ("Forced Labour" in titles stays capitalised)
    assert {str(line["match"]).lower() for line in lines} == {"forced labour"}
    assert any(line["match"] == "Forced Labour" for line in lines)
    assert all(len(str(line["left"])) <= 30 and len(str(line["right"])) <= 30 for line in lines)
    with Engine(built_index) as engine:
        matching = {h.id for h in engine.export(SearchRequest('"forced labour"', limit=1))}
        for line in lines:  # each line is where the item's own text says so
            item = engine.get(str(line["id"]))
            text = " ".join(getattr(item, str(line["field"])).split())
            assert f"{line['left']}{line['match']}{line['right']}" in text
    assert {line["id"] for line in lines} <= matching


def test_kwic_orders_by_the_words_around_the_match(runner: CliRunner, built_index: Path) -> None:
    base = ["kwic", "labour", "--index", str(built_index)]
    left = jsonl(run(runner, *base, "--order", "left").stdout)
    right = jsonl(run(runner, *base, "--order", "right").stdout)
    assert len(left) == len(right) > 5

    def context(text: object) -> list[str]:
        return [fold(w) for w, _, _ in words(str(text))]

    keys = [context(line["left"])[::-1] for line in left]
    assert keys == sorted(keys)
    keys = [context(line["right"]) for line in right]
    assert keys == sorted(keys)


def test_kwic_formats_and_filters(runner: CliRunner, built_index: Path) -> None:
    args = ["kwic", "trafficking", "--index", str(built_index), "--from", "2016", "--to", "2017"]
    rows = list(csv.DictReader(io.StringIO(run(runner, *args, "-f", "csv").stdout)))
    assert rows and list(rows[0]) == list(KEYS)
    assert all(row["date"][:4] in {"2016", "2017"} for row in rows)
    table = run(runner, *args, "-f", "table").stdout
    assert len(table.splitlines()) == len(rows) and "\x1b[" not in table
    limited = jsonl(run(runner, *args, "--limit", "1").stdout)
    assert len(limited) == 1


def test_kwic_without_words_is_a_usage_error(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, "kwic", "topic:fisheries", "--index", str(built_index))
    assert result.exit_code == 2 and "needs words to find" in result.stderr
    result = run(runner, "kwic", "nothingmatcheszzz", "--index", str(built_index))
    assert result.exit_code == 1 and result.stdout == ""


def test_excluded_and_field_words_are_not_shown() -> None:
    found = patterns('"forced labour" -Brazil NOT (Peru OR Chile) topic:fisheries title:fish*')
    assert [p.prefix for p in found] == ["", "fish"]
    assert found[1].fields == ("title",)
    assert len(found[0].steps) == 2


@pytest.mark.parametrize(
    "query", ["workers", "labour", "fish*", "work* rights", "C029", "l*", "child trafficking"]
)
def test_words_found_near_their_first_letters_are_those_of_the_whole_text(
    query: str, built_index: Path
) -> None:
    texts = [
        "Workers' rights: the worker, WORKERS and co-workers (work-related) at C.29 and C029.",
        "Labour\tlaboured\nlabourers; fishers, fish-farms and fishing -- l'organisation",
        "Unforced labour, forced-labour, child-trafficking and child\x1etrafficking (a test).",
    ]
    with Engine(built_index) as engine:
        texts += [item.body or item.summary for item in engine.items(SearchRequest("", limit=1))]
    found = concordance_module.patterns(query)
    heads = {t[:3] for p in found for step in p.steps for t in step}
    heads |= {p.prefix[:3] for p in found if p.prefix}
    for text in texts:
        whole = concordance_module._spans(text, found, heads, STOPWORDS["en"], "en")
        shown = list(concordance_module.find(text, found, "en", 30))
        assert shown == [
            (
                concordance_module._left(text, start, 30),
                concordance_module._flat(text[start:end]),
                concordance_module._right(text, end, 30),
            )
            for start, end in concordance_module._merged(whole)
        ]


def test_kwic_in_a_terminal_and_a_pipe(built_index: Path) -> None:
    shown = in_terminal("kwic", '"forced labour"', "--index", str(built_index), "--limit", "3")
    assert "\x1b[1m" in shown and len([x for x in shown.splitlines() if x.strip()]) == 3
    piped = subprocess.run(
        [sys.executable, "-m", "newsearch.search", "kwic", "labour", "--index", str(built_index)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(json.loads(line)["match"] for line in piped.stdout.splitlines())
    # a reader that stops early (head) ends the stream quietly
    command = (
        f"{shlex.quote(sys.executable)} -m newsearch.search kwic labour --index "
        + shlex.quote(str(built_index))
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{command} | head -1"], capture_output=True, text=True
    )
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_sorted_kwic_keeps_the_first_lines_in_order_and_stops_when_there_are_too_many(
    runner: CliRunner, built_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["kwic", "labour", "--index", str(built_index), "--order", "left"]
    every = jsonl(run(runner, *base).stdout)
    assert len(every) > 10
    # --limit keeps the first lines of the same order, ties in the same order too
    assert jsonl(run(runner, *base, "--limit", "4").stdout) == every[:4]
    # more lines than a sort may read: a clear message, exit 2, and nothing written at all
    monkeypatch.setattr(concordance_module, "MAX_SORTED", len(every) - 1)
    for fmt in ("csv", "jsonl", "table"):
        result = run(runner, *base, "-f", fmt)
        assert result.exit_code == 2 and result.stdout == ""
        assert f"more than {len(every) - 1:,} lines to sort by the word before" in result.stderr
        assert "--order items" in result.stderr
    # item order streams whatever the number of lines
    assert len(jsonl(run(runner, "kwic", "labour", "--index", str(built_index)).stdout)) == len(
        every
    )


def test_items_read_whole_are_the_exported_items_in_their_order(built_index: Path) -> None:
    with Engine(built_index) as engine:
        for text, sort in (("labour", "relevance"), ('"forced labour"', "newest"), ("", "oldest")):
            request = SearchRequest(text, Filters(), sort, limit=1)
            items = list(engine.items(request))
            assert [i.id for i in items] == [h.id for h in engine.export(request)]
            assert items == [engine.get(i.id) for i in items]


# -- trends: the built-in corpus ----------------------------------------------------------------


def test_trend_counts_and_shares_per_year(runner: CliRunner, built_index: Path) -> None:
    args = ["trend", '"forced labour"', "trafficking", "--index", str(built_index)]
    data = json.loads(run(runner, *args, "--normalize", "-f", "json").stdout)
    with Engine(built_index) as engine:
        for position, query in enumerate(data["queries"]):
            dates = [h.date for h in engine.export(SearchRequest(query, limit=1))]
            per_year = Counter(d[:4] for d in dates if d)
            for period in data["periods"]:
                count = period["counts"][position]
                assert count == per_year.get(period["period"], 0)
                if period["total"]:
                    assert period["shares"][position] == pytest.approx(count / period["total"])
            assert data["undated"]["counts"][position] == sum(1 for d in dates if not d)
        stats = engine.stats()
    assert sum(p["total"] for p in data["periods"]) + data["undated"]["total"] == stats.items


def test_trend_csv_and_table(runner: CliRunner, built_index: Path) -> None:
    args = ["trend", "labour", "--index", str(built_index), "--by", "month"]
    rows = list(csv.reader(io.StringIO(run(runner, *args, "-f", "csv", "--normalize").stdout)))
    assert rows[0] == ["period", "all_items", "labour", "labour (share)"]
    months = [r[0] for r in rows[1:] if r[0][:2] == "20"]
    assert months == sorted(months) and len(months) >= 2
    assert rows[-2][0] == "undated" and rows[-1][0] == "year only"
    table = run(runner, *args, "-f", "table").stdout
    assert "undated" in table and months[0] in table
    # with --normalize the table gives shares on every row, undated ones too, as the CSV
    shares = run(runner, *args, "-f", "table", "--normalize").stdout.splitlines()
    undated = next(line for line in shares if line.startswith("undated"))
    total, count = int(rows[-2][1]), int(rows[-2][2])
    assert undated.split()[-1] == f"{count / total * 100:.2f}%"
    assert run(runner, "trend", "--index", str(built_index)).exit_code == 2


def test_trend_in_a_terminal(built_index: Path) -> None:
    shown = in_terminal("trend", "labour", "--index", str(built_index), "--normalize")
    assert "period" in shown and "%" in shown and "undated" in shown


def test_month_trends_keep_items_known_only_to_their_year_apart(tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    records = [
        {"title": "Fishers freed", "summary": "Fishers at sea.", "date": "2016"},
        {"title": "Fishers in port", "summary": "Fishers ashore.", "date": "2016-01-12"},
        {"title": "Fishers unite", "summary": "Fishers vote.", "date": "2016-03"},
        {"title": "Fishers undated", "summary": "Fishers again."},
    ]
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    IndexStore(tmp_path / "index").build([source])
    with Engine(tmp_path / "index") as engine:
        result = trend(engine, ["fishers"], Filters(), "month")
    assert [(r.period, r.counts[0]) for r in result.rows] == [
        ("2016-01", 1),
        ("2016-02", 0),
        ("2016-03", 1),
    ]
    assert result.year_only == (1,) and result.undated == (1,)
    assert result.matches() == (4,)


# -- provenance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["kwic", '"forced labour"', "--order", "right", "--country", "Indonesia"],
        ["trend", "trafficking", "labour", "--normalize", "--by", "month", "-f", "csv"],
        ["export", "fishers", "--format", "csv", "--from", "2016"],
    ],
)
def test_provenance_names_everything_and_its_command_remakes_the_data(
    runner: CliRunner, built_index: Path, tmp_path: Path, args: list[str]
) -> None:
    record_path = tmp_path / "made.json"
    data_path = tmp_path / "data.out"
    first = run(runner, *args, "--index", str(built_index), "-o", str(data_path),
                "--provenance", str(record_path))  # fmt: skip
    assert first.exit_code == 0, first.stderr
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["kind"] == args[0]
    assert record["index"]["location"] == str(built_index)
    assert record["index"]["backend"] == "whoosh" and len(record["index"]["fingerprint"]) == 16
    with Engine(built_index) as engine:
        assert record["index"]["items"] == engine.stats().items
    assert record["newsearch_version"] and record["created"].endswith("+00:00")
    assert "--provenance" not in record["command"]
    # the data file stays pure: the record is only in its own file
    assert "fingerprint" not in data_path.read_text(encoding="utf-8")
    again = shlex.split(record["command"])
    assert again[0] == "newsearch"
    remade = run(runner, *again[1:])
    assert remade.stdout == data_path.read_text(encoding="utf-8")


def test_provenance_fingerprint_follows_the_last_commit(index_copy: Path, tmp_path: Path) -> None:
    from newsearch.search.provenance import IndexRecord

    with Engine(index_copy) as engine:
        before = IndexRecord.of(engine)
        source = tmp_path / "new.jsonl"
        source.write_text(json.dumps({"title": "A new item", "summary": "New."}) + "\n")
        IndexStore(index_copy).build([source])
        after = IndexRecord.of(engine)
    assert before.fingerprint != after.fingerprint and after.items == before.items + 1


# -- 10,000 synthetic items -----------------------------------------------------------------


@pytest.mark.slow
def test_kwic_at_ten_thousand_items(runner: CliRunner, synthetic_index: Path) -> None:
    english = [
        i for i in range(10_000) if synthetic.has_forced_labour(i) and not synthetic.is_french(i)
    ]
    result = run(runner, "kwic", 'summary:"forced labour"', "--index", str(synthetic_index))
    lines = jsonl(result.stdout)
    assert len(lines) == len(english)
    assert {line["match"] for line in lines} == {"forced labour"}
    # French items: the accented words as written, found through French stems
    french = jsonl(run(runner, "kwic", '"travail forcé"', "--index", str(synthetic_index)).stdout)
    assert len(french) == sum(1 for i in range(10_000) if synthetic.is_french(i))
    assert {line["match"] for line in french} == {"travail forcé"}


@pytest.mark.slow
def test_trend_at_ten_thousand_items(runner: CliRunner, synthetic_index: Path) -> None:
    query = 'summary:"forced labour"'
    args = ["trend", query, "--index", str(synthetic_index), "--normalize", "-f", "json"]
    data = json.loads(run(runner, *args).stdout)
    wanted = Counter(
        synthetic.year_of(i)
        for i in range(10_000)
        if synthetic.has_forced_labour(i) and not synthetic.is_french(i)
    )
    every = Counter(synthetic.year_of(i) for i in range(10_000))
    got = {int(p["period"]): p["counts"][0] for p in data["periods"]}
    assert got == {y: n for y, n in wanted.items() if y is not None}
    assert {int(p["period"]): p["total"] for p in data["periods"]} == {
        y: n for y, n in every.items() if y is not None
    }
    assert data["undated"] == {"total": every[None], "counts": [wanted[None]]}
