"""Hostile files, case by case: each bad part is a problem at its line, the good records beside
it are kept, and every cut of an over-long value is said (the fuzz tests in test_fuzz.py cover
the same ground at random)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from newsearch.index.corpus import MAX_FIELD, ReadResult, read_path, read_text, stream_path


def both(path: Path) -> list[ReadResult]:
    """What the whole-file reader and the streaming reader (indexing) make of ``path``."""
    streamed, items = stream_path(path)
    streamed.items = list(items)
    return [read_path(path), streamed]


def titles(result: ReadResult) -> list[str]:
    return [item.title for item in result.items]


def said(result: ReadResult) -> list[str]:
    return [str(problem) for problem in result.problems]


def test_a_summary_longer_than_the_limit_is_cut_and_the_cut_is_said(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    record = {"title": "Long one", "summary": "word " * 300_000}
    path.write_text(json.dumps(record) + "\n" + json.dumps({"title": "Short"}) + "\n")
    for result in both(path):
        assert titles(result) == ["Long one", "Short"]
        assert len(result.items[0].summary) <= MAX_FIELD + 1
        assert any(":1: summary is 1,499,999 characters long" in p for p in said(result))


def test_a_line_of_a_dump_longer_than_the_limit_is_cut_and_the_cut_is_said() -> None:
    result = read_text("Forced labour at sea\n12 March 2019\n" + "word " * 300_000 + "\n")
    assert titles(result) == ["Forced labour at sea"]
    assert any(
        ":3: line is 1,499,999 characters long; only the first 1,000,000 are read" in p
        for p in said(result)
    )


def test_a_number_too_long_to_convert_is_one_records_problem(tmp_path: Path) -> None:
    path = tmp_path / "numbers.jsonl"
    path.write_text('{"title": ' + "9" * 5000 + '}\n{"title": "Kept"}\n', encoding="utf-8")
    for result in both(path):
        assert titles(result) == ["Kept"]
        assert any(":1: not valid JSON" in p and "digits" in p for p in said(result))
    array = tmp_path / "numbers.json"
    array.write_text('[{"title": ' + "9" * 5000 + '},\n{"title": "Kept"}]\n', encoding="utf-8")
    assert titles(read_path(array)) == ["Kept"]


def test_a_csv_cell_longer_than_the_csv_modules_limit_costs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    rows = ["title,summary", f'"Long","{"x " * 100_000}"', '"After it",""']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for result in both(path):
        assert titles(result) == ["Long", "After it"]
        assert not result.failed


def test_binary_lines_among_records_cost_only_their_lines(tmp_path: Path) -> None:
    junk = bytes(range(1, 32)).replace(b"\n", b"").replace(b"\r", b"") * 3
    good = [json.dumps({"title": f"Record {n}"}).encode() for n in range(3)]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([good[0], junk, good[1], junk, good[2]]) + b"\n")
    for result in both(path):
        assert titles(result) == ["Record 0", "Record 1", "Record 2"]
        assert not result.failed
        assert any("looks like a binary file" in p and "kept" in p for p in said(result))
        assert any(":2: not valid JSON" in p for p in said(result))


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv"])
def test_a_binary_file_of_no_records_is_refused_as_binary(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"archive{suffix}"
    path.write_bytes(bytes(range(1, 256)) * 400)
    for result in both(path):
        assert result.failed and not result.items
        assert [p.severity for p in result.problems] == ["error"]
        assert "binary" in result.problems[0].message


def test_a_utf16_mark_on_a_file_that_is_not_utf16_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "marked.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + b'\n{"title": "Kept"}\n')
    for result in both(path):
        assert titles(result) == ["Kept"]
        assert any("UTF-16 byte-order mark" in p for p in said(result))
    real = tmp_path / "real.jsonl"
    real.write_bytes('{"title": "Travail forcé"}\n'.encode("utf-16"))
    for result in both(real):
        assert titles(result) == ["Travail forcé"]


def test_a_csv_header_with_a_quote_left_open_is_said(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(b'title,"summary\n"Kept",""\n"Also kept",""\n')
    for result in both(path):
        assert any(":1: the header row runs over" in p for p in said(result)), said(result)
