"""Every search runs within a budget (time, expanded words) and beside other searches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsearch.index.errors import QueryBudgetError
from newsearch.search.budget import DEFAULT_EXPANSIONS, DEFAULT_SECONDS, Limits
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.webui.app import create_app
from newsearch.webui.core import close

CLI = [sys.executable, "-c", "from newsearch.search.cli import main; main()"]
UNLIMITED = Limits(seconds=0, expansions=10**9)


def answer(engine: Engine, text: str, match: str = "auto") -> dict[str, Any]:
    result = engine.search(SearchRequest(text, match=match, limit=20))
    data = result.to_dict()
    data.pop("seconds", None)
    return data


def test_limits_come_from_the_environment_with_defaults() -> None:
    assert Limits.from_env({}) == Limits(DEFAULT_SECONDS, DEFAULT_EXPANSIONS)
    given = {"NEWSEARCH_QUERY_SECONDS": "0.5", "NEWSEARCH_EXPANSION_LIMIT": "40"}
    assert Limits.from_env(given) == Limits(0.5, 40)
    unreadable = {"NEWSEARCH_QUERY_SECONDS": "soon", "NEWSEARCH_EXPANSION_LIMIT": "many"}
    assert Limits.from_env(unreadable) == Limits(DEFAULT_SECONDS, DEFAULT_EXPANSIONS)


def test_answers_within_the_budget_are_those_without_one(built_index: Path) -> None:
    queries = ["labour", "wor*", "w*", "labor~1", '"forced labour"', "forc* lab*", "fish* Peru"]
    with Engine(built_index) as bounded, Engine(built_index, UNLIMITED) as free:
        for text in queries:
            for match in ("auto", "any"):
                assert answer(bounded, text, match) == answer(free, text, match), text


def test_a_wildcard_expanding_past_the_cap_is_stopped(built_index: Path) -> None:
    with Engine(built_index, Limits(expansions=2)) as engine:
        with pytest.raises(QueryBudgetError, match="more than 2 words") as caught:
            engine.search(SearchRequest("w*"))
        assert "NEWSEARCH_EXPANSION_LIMIT" in caught.value.hint
        assert engine.search(SearchRequest("labour")).total > 0  # the engine goes on serving


def test_a_fuzzy_word_expanding_past_the_cap_is_stopped(built_index: Path) -> None:
    with Engine(built_index, UNLIMITED) as engine:
        assert engine.search(SearchRequest("labor~2")).total > 0
    with (
        Engine(built_index, Limits(expansions=1)) as engine,
        pytest.raises(QueryBudgetError, match="more than 1 words"),
    ):
        engine.search(SearchRequest("labor~2"))


def test_a_query_over_its_time_is_stopped_with_a_clear_message(built_index: Path) -> None:
    with (
        Engine(built_index, Limits(seconds=1e-9)) as engine,
        pytest.raises(QueryBudgetError, match="took longer than 1e-09 s"),
    ):
        engine.search(SearchRequest("labour"))


def test_cli_reports_a_stopped_query_with_exit_status_2(index_copy: Path) -> None:
    env = {**os.environ, "NEWSEARCH_EXPANSION_LIMIT": "2"}
    done = subprocess.run(
        [*CLI, "query", "--index", str(index_copy), "w*"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "more than 2 words" in done.stderr
    assert "NEWSEARCH_EXPANSION_LIMIT" in done.stderr  # the hint: what to do next
    assert "Traceback" not in done.stderr


def test_cli_runner_reads_the_limit_from_the_environment(index_copy: Path) -> None:
    runner = CliRunner()
    stopped = runner.invoke(
        main, ["query", "--index", str(index_copy), "w*"], env={"NEWSEARCH_EXPANSION_LIMIT": "2"}
    )
    assert stopped.exit_code == 2
    served = runner.invoke(main, ["query", "--index", str(index_copy), "w*"])
    assert served.exit_code == 0, served.output


def test_api_and_page_report_a_stopped_query(built_index: Path) -> None:
    app = create_app(
        {"INDEX_DIR": str(built_index), "TESTING": True, "QUERY_LIMITS": Limits(expansions=2)}
    )
    try:
        client = app.test_client()
        response = client.get("/api/search?q=w*")
        assert response.status_code == 400
        body = response.get_json()
        assert body["ok"] is False and body["status"] == 400
        assert "more than 2 words" in body["error"]
        page = client.get("/?q=w*")
        assert page.status_code == 400
        assert "more than 2 words" in page.get_data(as_text=True)
        assert client.get("/api/search?q=labour").status_code == 200
    finally:
        close(app)


def test_searches_from_many_threads_agree_with_one_thread(built_index: Path) -> None:
    queries = ["labour", "wor*", "labor~1", "fish*", "child labour", "migrant workers"]
    with Engine(built_index) as engine:
        expected = {q: answer(engine, q) for q in queries}
    with Engine(built_index) as engine:
        seen: list[tuple[str, dict[str, Any]]] = []
        failures: list[BaseException] = []

        def ask(offset: int) -> None:
            try:
                for round_ in range(3):
                    for number in range(len(queries)):
                        text = queries[(number + offset + round_) % len(queries)]
                        seen.append((text, answer(engine, text)))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures, failures
    assert len(seen) == 6 * 3 * len(queries)
    for text, data in seen:
        assert data == expected[text], text


# -- a real server: a cheap query is not kept waiting behind an expensive one -----------------


def _get(url: str, timeout: float = 120) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


# every one-letter prefix and four two-edit fuzzy words, any of them: several times the time
# limit below on a 10,000-item index, while the cheap query takes a few milliseconds
EXPENSIVE = (
    "/api/search?q="
    + "+".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz")
    + "+"
    + "+".join(f"{w}~2" for w in ("labour", "workers", "migrant", "fishing"))
    + "&match=any"
)
CHEAP = "/api/search?q=forced+labour&limit=5"


def cheap_beside_expensive(
    index: Path, seconds: float = 10.0, delay: float = 0.5
) -> dict[str, float]:
    """Start `newsearch serve` on ``index``, run a query that only its time limit stops, and
    ask a cheap query while it runs: when each came back, and what each answered."""
    from test_server import running  # the real `newsearch serve` helpers

    env = {
        **os.environ,
        "NEWSEARCH_QUERY_SECONDS": str(seconds),
        "NEWSEARCH_EXPANSION_LIMIT": "1000000",
    }
    with running(index, env=env, start_timeout=120) as server:
        base = server.url.rstrip("/")
        for _ in range(5):  # open the snapshot (a first ask may meet a tiny limit)
            warm = _get(base + CHEAP)
            if warm[0] == 200:
                break
        assert warm[0] == 200, warm
        out: dict[str, float] = {}

        def run_expensive() -> None:
            status, body = _get(base + EXPENSIVE)
            out["expensive_status"] = status
            out["expensive_stopped"] = float(b"took longer than" in body)
            out["expensive"] = time.perf_counter()

        slow = threading.Thread(target=run_expensive)
        out["started"] = time.perf_counter()
        slow.start()
        time.sleep(delay)
        status, body = _get(base + CHEAP)
        out["cheap"] = time.perf_counter()
        out["cheap_status"] = status
        out["cheap_total"] = json.loads(body)["total"] if status == 200 else -1
        slow.join()
        return out


@pytest.mark.slow
def test_server_answers_a_cheap_query_while_an_expensive_one_runs(
    synthetic_index: Path,
) -> None:
    # no time limit in reach: the expensive query runs to its end (several times the cheap one)
    seen = cheap_beside_expensive(synthetic_index, seconds=600, delay=0.05)
    assert seen["cheap_status"] == 200 and seen["cheap_total"] > 0
    assert seen["expensive_status"] == 200, seen
    # and the cheap query, asked after it, came back while it was still running
    assert seen["cheap"] < seen["expensive"], seen
    # with a short limit the same query is stopped, with the API's error JSON
    seen = cheap_beside_expensive(synthetic_index, seconds=0.1, delay=0.05)
    assert seen["expensive_status"] == 400 and seen["expensive_stopped"], seen
