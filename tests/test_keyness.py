"""What sets a search's items apart: log-likelihood keyness from the shell and on the page."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsearch.index.store import IndexStore
from newsearch.search.cli import main
from newsearch.search.keyness import CRITICAL, MIN_COUNT, cache_path, log_likelihood
from newsearch.webui import core
from newsearch.webui.app import create_app


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_log_likelihood_is_dunnings_g2() -> None:
    # 10 in 100 words against 0 in 100: expected 5 and 5
    assert log_likelihood(10, 0, 100, 100) == pytest.approx(2 * 10 * math.log(2))
    assert log_likelihood(5, 5, 100, 100) == pytest.approx(0.0)
    assert log_likelihood(0, 0, 100, 100) == 0.0


def test_terms_of_a_search_on_the_built_in_corpus(runner: CliRunner, built_index: Path) -> None:
    data = json.loads(run(runner, "terms", "fishers", "--index", str(built_index)).stdout)
    terms = data["terms"]
    assert terms and "fishers" in [t["term"] for t in terms]
    for term in terms:
        assert term["count"] >= MIN_COUNT and term["log_likelihood"] >= CRITICAL
        assert term["per_10k"] > term["reference_per_10k"]
    stats = json.loads(run(runner, "stats", "--index", str(built_index)).stdout)
    assert data["items"] + data["reference_items"] == stats["items"]
    lls = [t["log_likelihood"] for t in terms]
    assert lls == sorted(lls, reverse=True)


def test_terms_against_another_search_and_formats(runner: CliRunner, built_index: Path) -> None:
    args = ["terms", '"forced labour"', "--against", "fishers", "--index", str(built_index)]
    data = json.loads(run(runner, *args).stdout)
    assert data["against"] == "fishers" and data["reference_items"] == 4
    csv_out = run(runner, *args, "-f", "csv").stdout.splitlines()
    assert csv_out[0] == "term,count,reference,per_10k,reference_per_10k,log_likelihood,log_ratio"
    assert len(csv_out) == len(data["terms"]) + 1
    table = run(runner, "terms", "fishers", "--index", str(built_index), "-f", "table").stdout
    assert "log-likelihood" in table and "fishers" in table


def test_corpus_counts_are_kept_until_the_index_changes(
    runner: CliRunner, index_copy: Path, tmp_path: Path
) -> None:
    run(runner, "terms", "fishers", "--index", str(index_copy))
    cache = cache_path(index_copy)
    first = json.loads(cache.read_text(encoding="utf-8"))
    source = tmp_path / "more.jsonl"
    source.write_text(json.dumps({"title": "Fishers again", "summary": "Fishers."}) + "\n")
    IndexStore(index_copy).build([source])
    run(runner, "terms", "fishers", "--index", str(index_copy))
    second = json.loads(cache.read_text(encoding="utf-8"))
    assert second["fingerprint"] != first["fingerprint"]
    assert second["items"] == first["items"] + 1


def test_terms_page_beside_the_facets(built_index: Path) -> None:
    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    client = app.test_client()
    try:
        page = client.get("/?q=fishers").get_data(as_text=True)
        assert 'href="/terms?q=fishers"' in page
        terms = client.get("/terms?q=fishers").get_data(as_text=True)
        assert '<a href="/?q=fishers+%22fishers%22">fishers</a>' in terms
        assert client.get("/terms?q=%22unclosed").status_code == 400
    finally:
        core.close(app)


@pytest.mark.slow
def test_terms_at_ten_thousand_items(runner: CliRunner, synthetic_index: Path) -> None:
    out = run(runner, "terms", '"travail forcé"', "--index", str(synthetic_index), "--limit", "50")
    terms = {t["term"]: t for t in json.loads(out.stdout)["terms"]}
    french = sum(1 for i in range(10_000) if i % 11 == 0)
    assert terms["travail forcé"]["count"] == french and terms["travail forcé"]["reference"] == 0
    assert terms["travail"]["count"] == 2 * french  # in the title and the summary of each
    assert not {"les", "du", "des"} & set(terms)  # function words are left aside
