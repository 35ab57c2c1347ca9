"""The `newsearch` command as users run it: Click's runner, and a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsearch.search.cli import main


def run(runner: CliRunner, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


def test_query_json_is_the_documented_shape(runner: CliRunner, built_index: Path) -> None:
    result = run(runner, "query", "Indonesia", "fishers", "--index", str(built_index))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["query"] == "Indonesia fishers"
    assert data["total"] == 4
    assert data["hits"][0]["countries"] == ["Indonesia"]
    assert data["facets"]["country"] == [{"value": "Indonesia", "count": 4}]
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_every_output_format_parses(runner: CliRunner, built_index: Path, fmt: str) -> None:
    result = run(runner, "query", "trafficking", "--index", str(built_index), "--format", fmt)
    assert result.exit_code == 0
    out = result.stdout
    if fmt == "json":
        assert json.loads(out)["total"] >= 5
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
        assert len(rows) >= 5 and all("snippet" in row for row in rows)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) >= 5 and rows[0]["id"] and "title" in rows[0]
    else:
        assert "matches" in out and "topic:" in out and "\x1b[" not in out


def test_filters_and_sorting(runner: CliRunner, built_index: Path) -> None:
    args = ["query", "--index", str(built_index), "--from", "2016", "--to", "2016-12"]
    result = run(runner, *args, "--sort", "oldest", "--format", "jsonl")
    dates = [json.loads(line)["date"] for line in result.stdout.splitlines()]
    assert dates == sorted(dates) and len(dates) == 4 and dates[0] == "2016-09-19"
    result = run(runner, "query", "--index", str(built_index), "--country", "pe",
                 "--country", "Pakistan", "--topic", "Human Trafficking", "-f", "json")  # fmt: skip
    data = json.loads(result.stdout)
    assert data["total"] == 4
    assert all({"PER", "PAK"} & set(h["country_codes"]) for h in data["hits"])


def test_no_results_exits_1_with_a_suggestion(runner: CliRunner, built_index: Path) -> None:
    result = run(
        runner, "query", "Indonesia fishres", "--no-correct", "--match", "all",
        "--index", str(built_index),
    )  # fmt: skip
    assert result.exit_code == 1
    assert json.loads(result.stdout)["suggestion"] == "Indonesia fishers"
    assert "did you mean: Indonesia fishers" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", '"forced labour'], "phrase without a closing quote"),
        (["query", "colour:red"], "unknown field 'colour'"),
        (["query", "x", "--country", "Atlantis"], "unknown country 'Atlantis'"),
        (["query", "x", "--from", "2016-31"], "not a valid date"),
        (["query", "x", "--sort", "random"], "Invalid value for '--sort'"),
        (["query", "x", "--limit", "-1"], "Invalid value for '--limit'"),
    ],
)
def test_usage_and_syntax_errors_exit_2(
    runner: CliRunner, built_index: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(main, [*args, "--index", str(built_index)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_syntax_error_points_at_the_problem(runner: CliRunner, built_index: Path) -> None:
    result = runner.invoke(main, ["query", "(Peru OR", "--index", str(built_index)])
    assert result.exit_code == 2
    assert "  (Peru OR\n        ^" in result.stderr


def test_missing_index_is_built_from_the_sample(runner: CliRunner, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "NEWSEARCH_INDEX": None}
    result = run(runner, "query", "Balochistan", env=env)
    assert result.exit_code == 0
    assert "building one from the built-in sample corpus" in result.stderr
    assert json.loads(result.stdout)["total"] == 1
    again = run(runner, "query", "Balochistan", env=env)
    assert again.stderr == ""


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_index_named_but_missing_is_an_error(
    runner: CliRunner, tmp_path: Path, how: str
) -> None:
    """Only the default location is filled with the sample corpus; a named one must exist."""
    where = tmp_path / "typo"
    for command in (["query", "x"], ["stats"], ["export"], ["show", "abc"], ["serve"]):
        if how == "option":
            result = run(runner, *command, "--index", str(where))
        else:
            result = run(runner, *command, env={"NEWSEARCH_INDEX": str(where)})
        assert result.exit_code == 3, (command, result.output)
        assert f"no index at {where}" in result.stderr
        assert "newsearch index --index" in result.stderr
        assert not where.exists()


def test_index_reports_problems_and_keeps_good_files(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"title": "Domestic workers in Lebanon win protection", "date": "2020-05-01"})
        + "\n{not json}\n"
        + json.dumps({"summary": "no title"})
        + "\n",
        encoding="utf-8",
    )
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    index = tmp_path / "index"
    result = runner.invoke(main, ["index", str(tmp_path), "--index", str(index)])
    assert result.exit_code == 3  # some files could not be read: an error, not "no results"
    err = result.stderr
    assert f"{good}:2: not valid JSON" in err
    assert f"{good}:3: record has no title" in err
    assert "photo.txt: looks like a binary file" in err
    assert "empty.txt: the file is empty" in err
    assert "1 added" in err and "1 file(s) could not be read" in err
    found = run(runner, "query", "Lebanon", "--index", str(index), "--format", "json")
    assert json.loads(found.stdout)["hits"][0]["countries"] == ["Lebanon"]
    again = runner.invoke(main, ["index", str(good), "--index", str(index), "--format", "json"])
    summary = json.loads(again.stdout)
    assert (summary["added"], summary["unchanged"], summary["total"]) == (0, 1, 1)


def test_index_without_paths_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["index", "--index", str(tmp_path / "i")])
    assert result.exit_code == 2
    assert "give at least one file or folder" in result.stderr


def test_show_similar_stats_export(runner: CliRunner, built_index: Path, tmp_path: Path) -> None:
    first = json.loads(run(runner, "query", "Balochistan", "--index", str(built_index)).stdout)
    item_id = first["hits"][0]["id"]
    shown = json.loads(run(runner, "show", item_id, "--index", str(built_index)).stdout)
    assert shown["country_codes"] == ["PAK"] and shown["evidence"]
    text = run(runner, "show", item_id, "--index", str(built_index), "--format", "text")
    assert "evidence:" in text.stdout and "Balochistan" in text.stdout
    missing = runner.invoke(main, ["show", "nope", "--index", str(built_index)])
    assert missing.exit_code == 1 and "no item with id 'nope'" in missing.stderr
    similar = json.loads(run(runner, "similar", item_id, "--index", str(built_index)).stdout)
    assert similar and all(hit["id"] != item_id for hit in similar)
    stats = json.loads(run(runner, "stats", "--index", str(built_index)).stdout)
    assert stats["items"] == 30
    out = tmp_path / "all.csv"
    exported = run(runner, "export", "--index", str(built_index), "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 30 and "exported 30 item(s)" in exported.stderr
    lines = run(runner, "export", "labour", "--index", str(built_index)).stdout.splitlines()
    assert len(lines) == json.loads(run(runner, "query", "labour", "--index",
                                        str(built_index)).stdout)["total"]  # fmt: skip


def test_every_command_and_option_has_help(runner: CliRunner) -> None:
    for command in main.commands.values():
        assert command.help, command.name
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option":
                assert getattr(param, "help", None), (command.name, param.name)


def test_subprocess_end_to_end(built_index: Path) -> None:
    env = {**os.environ, "NEWSEARCH_INDEX": str(built_index)}
    exe = [sys.executable, "-m", "newsearch.search"]
    done = subprocess.run([*exe, "query", "Indonesia fishers"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 4  # a pipe gets JSON
    bad = subprocess.run([*exe, "query", "(a"], env=env, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert bad.returncode == 2 and "error:" in bad.stderr and not bad.stdout
    none = subprocess.run([*exe, "query", "qqqzzz"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert none.returncode == 1


def test_inspect_shows_items_evidence_and_skipped_lines(
    runner: CliRunner, corpus_dir: Path
) -> None:
    cards = corpus_dir / "ilo-forced-labour-news-2023-2024.txt"
    data = json.loads(run(runner, "inspect", str(cards), "-f", "json").stdout)
    assert data["layout"] == "cards" and len(data["items"]) == 20
    assert [s["line"] for s in data["skipped"]] == [1, 3]  # "All news for topic", "Refine results"
    balochistan = next(i for i in data["items"] if i["title"].startswith("Balochistan"))
    assert balochistan["raw"]["alt"] == "Placeholder image"
    assert any(e["field"] == "country" and e["value"] == "PAK" for e in balochistan["evidence"])
    numbered = corpus_dir / "ilo-forced-labour-news-2016-2017.txt"
    text = run(runner, "inspect", str(numbered), "-f", "text").stdout
    assert "credit (not used as evidence): © Well-Bred Kannan 2017" in text
    missing = runner.invoke(main, ["inspect", str(corpus_dir / "nope.txt")])
    assert missing.exit_code == 2


def test_exit_statuses_tell_an_empty_answer_from_an_error(
    runner: CliRunner, built_index: Path, tmp_path: Path
) -> None:
    index = ["--index", str(built_index)]
    assert runner.invoke(main, ["query", "fishers", *index]).exit_code == 0
    assert runner.invoke(main, ["query", "qqqzzz", *index]).exit_code == 1
    assert runner.invoke(main, ["similar", "nope", *index]).exit_code == 1
    assert runner.invoke(main, ["query", "(fishers", *index]).exit_code == 2
    assert runner.invoke(main, ["query", "--limit", "x", *index]).exit_code == 2
    (tmp_path / "notes.txt").write_text("not an index", encoding="utf-8")
    not_index = runner.invoke(main, ["query", "fishers", "--index", str(tmp_path)])
    assert not_index.exit_code == 3 and "no index at" in not_index.stderr
    unwritable = runner.invoke(main, ["export", *index, "-o", str(tmp_path / "no" / "x.csv")])
    assert unwritable.exit_code == 3 and "cannot write" in unwritable.stderr
    described = runner.invoke(main, ["--help"]).stdout
    for line in ("0  done", "1  no results", "2  usage", "3  any other error", "130  interrupted"):
        assert line in described
