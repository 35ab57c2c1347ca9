"""The one string-aware scan of JSON text: how deep records nest, and where each record of an
array starts and ends, whatever the text holds (it must always end, and never read brackets,
braces or commas inside strings)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsearch.index.corpus import MAX_DEPTH, read_path
from newsearch.index.corpus.records import elements, nesting, structure

SCAN = settings(database=None, derandomize=True, deadline=2000, max_examples=300)
SCAN_FILES = settings(SCAN, suppress_health_check=[HealthCheck.function_scoped_fixture])

VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(alphabet='ab ,[]{}"\\\n:\u2028é', max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=15,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


def pieces(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in elements(text)]


@SCAN
@given(VALUES, st.sampled_from([None, 0, 2]))
def test_nesting_is_the_depth_of_the_value(value: Any, indent: int | None) -> None:
    assert nesting(json.dumps(value, indent=indent)) == depth_of(value)


@SCAN
@given(st.lists(VALUES, max_size=8), st.sampled_from([None, 0, 1]), st.booleans())
def test_elements_of_an_array_are_its_values(
    values: list[Any], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(values, indent=indent, ensure_ascii=ascii_only)
    assert [json.loads(piece) for piece in pieces(text)] == values


def test_brackets_braces_and_commas_inside_strings_are_text() -> None:
    text = r'[{"title": "a, [b] {c}", "q": "say \"]\", then ,"}, {"title": "two"}]'
    assert [json.loads(p)["title"] for p in pieces(text)] == ["a, [b] {c}", "two"]
    assert nesting(text) == 2
    assert [char for _, char in structure(text)] == ["[", "{", ",", "}", ",", "{", "}", "]"]


def test_elements_give_the_line_each_record_starts_on() -> None:
    text = '[\n  {"title": "a"},\n\n  {"title": "b"}, {"title": "c"}\n]'
    assert [line for _, _, line in elements(text)] == [2, 4, 4]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[}]", ["}"]),  # a stray closing brace was an endless loop
        ('[{"title": "a"}, }, {"title": "b"}]', ['{"title": "a"}', "}", '{"title": "b"}']),
        ('[{"title": "a"}, } }, {"title": "b"}]', ['{"title": "a"}', "} }", '{"title": "b"}']),
        ('[{"title": "a"} ]]', ['{"title": "a"}']),
        ('[{"title": "cut short', ['{"title": "cut short']),
        ('[{"title": "a"}, {"title": "b"', ['{"title": "a"}', '{"title": "b"']),
        ("[ , ,, ]", []),
        ("[", []),
        ("no array", []),
    ],
)
def test_elements_of_broken_arrays(text: str, expected: list[str]) -> None:
    assert [p.strip() for p in pieces(text)] == expected


@SCAN
@given(st.text(alphabet='[]{},"\\ a\n', max_size=300))
def test_any_text_is_scanned_to_its_end(text: str) -> None:
    found = list(elements(text))
    starts = [start for start, _, _ in found]
    assert starts == sorted(set(starts))  # each element once, in order: the scan ends
    assert len(found) <= text.count(",") + 1
    for start, end, _ in found:
        assert 0 <= start < end <= len(text)


def test_the_scan_is_linear_in_the_length_of_the_text() -> None:
    hostile = '["' + "\\" * 500_000 + '", ' + "{}," * 50_000 + "[" * 50_000
    started = time.perf_counter()
    assert nesting(hostile) == 50_001
    assert len(list(elements(hostile))) == 50_002
    assert time.perf_counter() - started < 20  # well under a second alone; a busy machine


@SCAN_FILES
@given(
    st.lists(st.text(alphabet="abc xyz", min_size=1, max_size=12).filter(str.strip), max_size=6),
    st.sampled_from(["}", "]", "} }", "{", "[[", '"', "}]", ",", "]]"]),
    st.integers(0, 6),
)
def test_a_stray_bracket_in_an_array_file_costs_only_its_record(
    tmp_path_factory: pytest.TempPathFactory, titles: list[str], stray: str, at: int
) -> None:
    records = [json.dumps({"title": t}) for t in titles]
    records.insert(min(at, len(records)), stray)
    path: Path = tmp_path_factory.mktemp("stray") / "records.json"
    path.write_text("[\n" + ",\n".join(records) + "\n]", encoding="utf-8")
    started = time.perf_counter()
    result = read_path(path)
    assert time.perf_counter() - started < 2
    kept = {" ".join(item.title.split()) for item in result.items}
    assert {" ".join(t.split()) for t in titles} <= kept
    assert len(result.problems) <= 2 * (len(titles) + 2)


def test_nesting_limit_is_checked_by_the_scan() -> None:
    inside = '{"title": "deep", "x": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}"
    assert nesting(inside) == MAX_DEPTH + 2
    quoted = json.dumps({"title": "[" * 500})
    assert nesting(quoted) == 1
