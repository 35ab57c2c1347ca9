"""Hostile input: property-based and mutation fuzzing of the readers, the query parser, the
filters, the engine and the command line. Whatever comes in, the answer is a result or a
domain error (a message), never another exception and never a hang."""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import json
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from newsearch.index.corpus import (
    MAX_DEPTH,
    MAX_FIELD,
    MAX_TITLE,
    ReadResult,
    read_path,
    read_text,
    stream_path,
)
from newsearch.index.errors import NewsearchError, QueryError
from newsearch.index.item import Problem
from newsearch.search.cli import main
from newsearch.search.engine import Engine, SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.query import MAX_QUERY_LENGTH, parse

# Bounded: no example may take long, no database is written into the repository.
BOUNDED = settings(
    database=None,
    deadline=2000,  # ms per example: a slow (backtracking) input fails the test
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
    # no "explain" phase: it adds nothing here and its tracing trips warnings-as-errors
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
)
FEW = settings(BOUNDED, max_examples=100)

SUFFIXES = (".txt", ".md", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", "")


def check_result(result: ReadResult, *, from_file: bool = True) -> None:
    """What every reader result must look like, however odd the input (fields are cut to
    their limits when read from a file)."""
    assert isinstance(result, ReadResult)
    for item in result.items:
        assert item.title.strip(), item
        assert item.line >= 0
        if from_file:
            assert len(item.title) <= MAX_TITLE + 1  # cut, with an ellipsis
            assert len(item.summary) <= MAX_FIELD + 1 and len(item.body) <= MAX_FIELD + 1
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert problem.severity in {"error", "warning", "note"}
        assert str(problem)


# ---------------------------------------------------------------------------------------------
# Listing dumps

DUMP_LINES = st.sampled_from(
    [
        "Forced labour in the fishing industry",
        "1. Child labour in cocoa",
        "12)",
        "News | 12 March 2019",
        "Press release",
        "March 2019",
        "2017",
        "--------",
        "Photo: ILO/M. Crozet",
        "© ILO",
        "Load more",
        "Page 2 of 40",
        "Workers in Qatar will benefit from a new minimum wage, the ILO said today.",
        "Le travail forcé dans la pêche",
        "Comunicado de prensa",
        "",
        "   ",
        "\t",
        "»",
        "Share",
    ]
)
DUMPS = st.one_of(
    st.text(max_size=2000),
    st.lists(st.one_of(DUMP_LINES, st.text(max_size=80)), max_size=60).map("\n".join),
)


@BOUNDED
@given(DUMPS)
def test_dump_reader_reads_anything(text: str) -> None:
    check_result(read_text(text), from_file=False)


@FEW
@given(st.binary(max_size=4000), st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_file(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"input{suffix}"
    path.write_bytes(data)
    result = read_path(path)
    check_result(result)
    if result.failed:  # refused: with a reason, not with an exception
        assert any(p.severity == "error" for p in result.problems)


# ---------------------------------------------------------------------------------------------
# JSON, JSON Lines, CSV

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["title", "summary", "body", "date", "url", "topics", "countries", "label", "language", "id"]
)
RECORDS = st.dictionaries(st.one_of(FIELDS, st.text(max_size=10)), JSON_VALUES, max_size=8)


@FEW
@given(st.lists(st.one_of(RECORDS, JSON_VALUES), max_size=20), st.booleans())
def test_json_readers(
    tmp_path_factory: pytest.TempPathFactory, records: list[Any], array: bool
) -> None:
    folder = tmp_path_factory.mktemp("json")
    if array:
        path = folder / "records.json"
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        path = folder / "records.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    result = read_path(path)
    check_result(result)
    usable = [  # a record with a non-empty text title is an item (others may be, too)
        r
        for r in records
        if isinstance(r, dict) and isinstance(r.get("title"), str) and r["title"].strip()
    ]
    assert len(result.items) >= len(usable)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_json_lines_split_at_newlines_only(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "records.jsonl"
    record = {"title": f"Forced labour{separator}at sea", "summary": f"a{separator}b"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = read_path(path)
    assert len(result.items) == 1, result.problems


@FEW
@given(st.lists(st.text(max_size=300), max_size=30))
def test_json_lines_with_broken_lines(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "broken.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    check_result(read_path(path))


CSV_CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['"', '""', '"a,b"', "\r\n", "\n", ",", "\t", "title", "2019-02-30"]),
)


@FEW
@given(
    st.lists(
        st.sampled_from(["title", "summary", "date", "url", "topics", "TITLE ", "x"]), max_size=6
    ),
    st.lists(st.lists(CSV_CELLS, max_size=8), max_size=15),
    st.sampled_from([".csv", ".tsv"]),
)
def test_csv_reader(
    tmp_path_factory: pytest.TempPathFactory, header: list[str], rows: list[list[str]], suffix: str
) -> None:
    sep = "\t" if suffix == ".tsv" else ","
    text = "\n".join(sep.join(line) for line in [header, *rows])
    path = tmp_path_factory.mktemp("csv") / f"table{suffix}"
    path.write_text(text, encoding="utf-8")
    check_result(read_path(path))


# ---------------------------------------------------------------------------------------------
# Encodings

SAMPLE = (
    "Travail forcé : l’OIT salue la ratification\n"
    "12 mars 2019\n"
    "Le Protocole de 2014 relatif à la convention sur le travail forcé entre en vigueur.\n"
    "\n"
    "Pêcheurs migrants en Thaïlande\n"
    "2 avril 2019\n"
    "Un nouveau rapport décrit les conditions de travail à bord des navires de pêche.\n"
)


def titles(result: ReadResult) -> list[str]:
    return [item.title for item in result.items]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), id="utf-8 with BOM"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf-16 with BOM"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="CRLF"),
        pytest.param(lambda t: t.replace("\n", "\r").encode("utf-8"), id="CR"),
        pytest.param(lambda t: t.replace("’", "'").encode("latin-1"), id="latin-1", marks=()),
        pytest.param(lambda t: t.replace("’", "'").encode("cp1252"), id="windows-1252"),
    ],
)
def test_odd_encodings_are_read(encode: Any, tmp_path: Path) -> None:
    expected = titles(read_text(SAMPLE.replace("’", "'")))
    assert len(expected) == 2
    path = tmp_path / "dump.txt"
    path.write_bytes(encode(SAMPLE))
    result = read_path(path)
    assert not result.failed
    assert [t.replace("’", "'") for t in titles(result)] == expected
    if "\x00" not in SAMPLE and not path.read_bytes().startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:  # read as Windows-1252, and said so
            assert any("UTF-8" in p.message for p in result.problems)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("Forced labour\n".encode("utf-16-le"), id="utf-16 without BOM"),
        pytest.param(b"\x00\x01\x02\x03" * 500, id="binary"),
        pytest.param(b"\xff\xfe" + b"\x00\xd8" * 10, id="broken utf-16"),
        pytest.param(bytes(range(256)) * 40, id="every byte"),
    ],
)
def test_unreadable_encodings_are_refused_clearly(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(data)
    result = read_path(path)
    check_result(result)
    if result.failed:
        assert result.problems and result.problems[0].severity == "error"
        assert result.problems[0].message
    else:  # read: then at least nothing crashed and what was kept has a title
        assert all(item.title for item in result.items)


# ---------------------------------------------------------------------------------------------
# A bounded mutation fuzz of the readers, seeded from the real listings

MUTATIONS = 500


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.randrange(6)
        at = rng.randrange(len(buf) + 1)
        if kind == 0 and buf:  # flip a byte
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:  # insert junk
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 20)))
        elif kind == 2:  # delete a stretch
            del buf[at : at + rng.randint(1, 200)]
        elif kind == 3:  # duplicate a stretch
            buf[at:at] = buf[at : at + rng.randint(1, 400)]
        elif kind == 4:  # an awkward token
            token = rng.choice(
                [
                    b"\r",
                    b"\n\n\n",
                    b"\x00",
                    b"\xef\xbb\xbf",
                    b"1.",
                    b"\xe2\x80\xa8",
                    b"\x1e",
                    b"{",
                    b'"',
                    b"," * 50,
                    b"2019",
                    b"Page 1 of 3",
                    b"\t" * 10,
                ]
            )
            buf[at:at] = token
        else:  # a very long line
            buf[at:at] = b"x" * rng.randint(1000, 20000)
    return bytes(buf)


def test_mutation_fuzz_of_the_readers(corpus_dir: Path, tmp_path: Path) -> None:
    seeds = [p.read_bytes() for p in sorted(corpus_dir.glob("*.txt"))]
    seeds.append(
        "\n".join(
            json.dumps({"title": f"Item {i}", "summary": "Forced labour", "date": "2019-03-01"})
            for i in range(20)
        ).encode()
    )
    seeds.append(b"title,summary,date\nForced labour,In fishing,2019-01-01\n" * 10)
    rng = random.Random(7)
    slowest = 0.0
    for number in range(MUTATIONS):
        data = mutate(rng.choice(seeds), rng)
        path = tmp_path / f"case{number % 10}{rng.choice(SUFFIXES)}"
        path.write_bytes(data)
        started = time.perf_counter()
        check_result(read_path(path))
        if not path.suffix:
            check_result(read_text(data.decode("utf-8", "replace")), from_file=False)
        slowest = max(slowest, time.perf_counter() - started)
    assert slowest < 5.0, f"the slowest input took {slowest:.1f} s"


# ---------------------------------------------------------------------------------------------
# The query language and the filters

QUERY_TOKENS = st.sampled_from(
    [
        "forced",
        "labour",
        "AND",
        "OR",
        "NOT",
        "&&",
        "||",
        "-",
        "+",
        "(",
        ")",
        '"',
        "“",
        "”",
        "title:",
        "topic:",
        "country:",
        "date:",
        "year:",
        "kind:",
        "id:",
        "language:",
        "region:",
        "nofield:",
        "*",
        "?",
        "fish*",
        "*ing",
        "~",
        "~1",
        "~3",
        "~99",
        "[",
        "]",
        "TO",
        "..",
        "2015",
        "2015..2017",
        "[2015 TO 2017]",
        "Indonésie",
        "PE",
        ":",
        "\\",
        "'",
        "\u200b",
        "\x00",
        " ",
        "  ",
        "\t",
        "\n",
        "a" * 300,
    ]
)
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(QUERY_TOKENS, max_size=25).map("".join),
    st.lists(QUERY_TOKENS, max_size=25).map(" ".join),
)


@settings(BOUNDED, max_examples=1000)
@given(QUERIES, st.sampled_from([("en",), ("en", "fr"), ("en", "fr", "es")]))
def test_query_parser_parses_or_says_why(text: str, languages: tuple[str, ...]) -> None:
    try:
        parsed = parse(text, languages)
    except QueryError as exc:
        assert exc.message
        if exc.position is not None:
            assert 0 <= exc.position <= len(exc.query)
        return
    assert parsed.query is not None


def test_query_length_is_bounded() -> None:
    with pytest.raises(QueryError):
        parse("labour " * (MAX_QUERY_LENGTH // 7 + 1))
    parse("(" * 100 + "a" + ")" * 100)  # nesting as deep as anyone types


@pytest.mark.parametrize("depth", [400, MAX_QUERY_LENGTH // 2 - 1])
def test_deeply_nested_queries_parse_or_are_refused(depth: int) -> None:
    started = time.perf_counter()
    with contextlib.suppress(QueryError):
        parse("(" * depth + "a" + ")" * depth)
    assert time.perf_counter() - started < 2


FILTER_VALUES = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "forced labour",
                "IDN",
                "Peru",
                "pe",
                "Asia",
                "Africa",
                "fr",
                "French",
                "news",
                "2019",
                "19999",
                "",
                " ",
                "press release",
                "child_labor",
            ]
        ),
    ),
    max_size=3,
)
DATES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["2019", "2019-02", "2019-02-30", "1900-01-01", "9999-12-31", "2020-13"]),
)


@BOUNDED
@given(
    FILTER_VALUES,
    FILTER_VALUES,
    FILTER_VALUES,
    FILTER_VALUES,
    FILTER_VALUES,
    FILTER_VALUES,
    DATES,
    DATES,
)
def test_filters_build_or_say_why(
    topic: list[str],
    country: list[str],
    region: list[str],
    year: list[str],
    language: list[str],
    kind: list[str],
    date_from: str | None,
    date_to: str | None,
) -> None:
    try:
        filters = Filters.build(
            topic=topic,
            country=country,
            region=region,
            year=year,
            language=language,
            kind=kind,
            date_from=date_from,
            date_to=date_to,
        )
    except QueryError as exc:
        assert exc.message
        return
    filters.query()


@settings(BOUNDED, max_examples=200)
@given(
    QUERIES,
    FILTER_VALUES,
    st.sampled_from(["relevance", "newest", "oldest"]),
    st.integers(0, 50),
    st.integers(1, 5),
)
def test_engine_answers_or_says_why(
    engine: Engine, text: str, countries: list[str], sort: str, limit: int, page: int
) -> None:
    try:
        filters = Filters.build(country=countries)
        result = engine.search(SearchRequest(text, filters, sort, limit, page))
    except NewsearchError as exc:
        assert exc.message
        return
    assert len(result.hits) <= limit
    assert result.total + result.partial_total >= len(result.hits)


# ---------------------------------------------------------------------------------------------
# The command line

OPTIONS = st.lists(
    st.sampled_from(
        [
            ["--limit", "0"],
            ["--limit", "-1"],
            ["--limit", "100000"],
            ["--page", "0"],
            ["--page", "999"],
            ["--sort", "newest"],
            ["--sort", "sideways"],
            ["--format", "json"],
            ["--format", "csv"],
            ["--format", "jsonl"],
            ["--format", "xml"],
            ["--country", "Atlantis"],
            ["--country", "IDN"],
            ["--topic", "forced labour"],
            ["--topic", "???"],
            ["--year", "20x9"],
            ["--from", "2019-02-30"],
            ["--from", "2020"],
            ["--to", "2010"],
            ["--language", "klingon"],
            ["--kind", "news"],
            ["--region", "Africa"],
            ["--nonsense"],
            ["--"],
        ]
    ),
    max_size=4,
)


@settings(BOUNDED, max_examples=100, deadline=10_000)
@given(
    st.sampled_from(["query", "export", "show", "similar", "stats"]),
    st.lists(QUERIES, max_size=2),
    OPTIONS,
)
def test_cli_exits_cleanly(
    built_index: Path, runner: CliRunner, command: str, words: list[str], options: list[list[str]]
) -> None:
    args = [command, *words] if command != "stats" else [command]
    for option in options:
        args.extend(option)
    args.extend(["--index", str(built_index)])
    result = runner.invoke(main, args)
    assert result.exit_code in {0, 1, 2}, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# One bad record never costs the good ones beside it. NEWSEARCH_FUZZ_EXAMPLES raises the number
# of examples (the figure in the docs: 10,000).

GOOD = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30).filter(
        lambda t: t.strip() != ""
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda t: " ".join(t.split()),
)
DEPTH = st.integers(min_value=MAX_DEPTH + 1, max_value=1200)
BAD_JSON = st.one_of(
    DEPTH.map(lambda n: "[" * n + "]" * n),
    DEPTH.map(
        lambda n: json.dumps({"title": "deep", "summary": "{}"}).replace('"{}"', "[" * n + "]" * n)
    ),
    st.integers(min_value=1001, max_value=3000).map(lambda n: json.dumps({"title": "x " * n})),
    st.integers(min_value=101, max_value=5000).map(
        lambda n: json.dumps({"title": "many tags", "topics": ["t"] * n})
    ),
    JSON_VALUES.map(lambda v: json.dumps(v)),
    st.dictionaries(FIELDS, JSON_VALUES, max_size=6).map(json.dumps),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.text(max_size=80),
    st.just('{"title": "cut short'),
    st.just('{"title": 1e999999}'),
    st.just('{"title": "nul \x00 inside"}'),
)
BAD_CELLS = st.one_of(
    st.integers(min_value=1001, max_value=3000).map(lambda n: "y " * n),
    st.text(alphabet=st.characters(blacklist_characters='"\r\n'), max_size=60),
    st.just("\x00\x01\x02"),
)


@settings(
    BOUNDED,
    max_examples=int(os.environ.get("NEWSEARCH_FUZZ_EXAMPLES", "150")),
    deadline=None,
)
@given(GOOD, BAD_JSON, BAD_CELLS, st.sampled_from([".jsonl", ".json", ".csv"]), st.integers(0, 5))
def test_good_records_beside_a_bad_one_are_kept(
    tmp_path_factory: pytest.TempPathFactory,
    titles: list[str],
    bad: str,
    cell: str,
    suffix: str,
    position: int,
) -> None:
    folder = tmp_path_factory.mktemp("mixed")
    path = folder / f"records{suffix}"
    at = min(position, len(titles))
    if suffix == ".csv":
        rows = [f'"{t}",2020-01-01' for t in titles]
        rows.insert(at, f'"{cell}",{cell[:20]!r}')
        data = ("title,date\n" + "\n".join(rows) + "\n").encode("utf-8", "surrogatepass")
    else:
        lines = [json.dumps({"title": t}) for t in titles]
        lines.insert(at, bad.replace("\n", " ").replace("\r", " "))
        text = "\n".join(lines) if suffix == ".jsonl" else "[" + ",\n".join(lines) + "]"
        data = text.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    result, items = stream_path(path)
    read = [item.title for item in items]
    check_result(dataclasses.replace(result, items=[]))
    kept = {" ".join(t.split()) for t in read}
    wanted = {" ".join(t.split()) for t in titles}
    if suffix == ".json" and result.failed:
        # a JSON array that is not JSON (a cut-short record) cannot be split safely; it must
        # say so, at its line
        assert any(p.severity == "error" and p.line for p in result.problems)
        return
    assert wanted <= kept, (wanted - kept, [str(p) for p in result.problems])


# ---------------------------------------------------------------------------------------------
# Whole files: good records with any number of bad lines among them (binary data, bytes that
# are not UTF-8, deep nesting, huge lines, stray brackets). Every good record is kept, by the
# streaming reader and the whole-file reader alike, and nothing raises.


class Line(bytes):
    """A bad line, shown short when an example is printed."""

    def __repr__(self) -> str:
        shown = bytes(self[:60])
        return f"Line({shown!r}{'...' if len(self) > 60 else ''}, {len(self):,} bytes)"


BAD_LINES = st.one_of(
    DEPTH.map(lambda n: b"[" * n + b"]" * n),
    st.integers(MAX_DEPTH + 1, 5000).map(lambda n: b'{"title": "deep", "x": ' + b"{" * n),
    st.integers(10_000, 400_000).map(lambda n: b'{"title": "' + b"long " * (n // 5) + b'"}'),
    st.integers(10_000, 400_000).map(lambda n: b"y" * n),
    st.binary(max_size=300).map(
        lambda b: b.replace(b"\n", b"").replace(b"\r", b"").replace(b"\x00", b"")
    ),
    st.binary(min_size=1, max_size=40).map(lambda b: b'{"title": "' + bytes(x | 0x80 for x in b)),
    st.sampled_from(
        [
            b"}",
            b"]",
            b"[",
            b"{",
            b'"',
            b",",
            b"\x00",
            b"\x00\x00\x00",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            "Forced".encode("utf-16"),
            bytes(range(1, 32)).replace(b"\n", b"").replace(b"\r", b""),
            b'{"title": "cut short',
            b'{"title": 1e999999}',
            b'{"title": ' + b"9" * 5000 + b"}",
            b'{"title": {"nested": "object"}}',
            b'{"title": ["a", "list"]}',
            b"\x1b[31mterminal colours\x1b[0m",
        ]
    ),
).map(Line)


def whole_file(titles: list[str], bad: list[tuple[int, bytes]], suffix: str) -> bytes:
    """A file of good records (titles) with the bad lines put in at their places."""
    if suffix == ".csv":
        lines = [f'"{t}",2020-01-01'.encode() for t in titles]
    else:
        lines = [json.dumps({"title": t}).encode() for t in titles]
    for at, line in sorted(bad, key=lambda pair: pair[0], reverse=True):
        if suffix == ".csv":  # a stray quote may rightly make the next lines one cell
            line = line.replace(b'"', b"'")
        lines.insert(min(at, len(lines)), line)
    if suffix == ".csv":
        return b"title,date\n" + b"\n".join(lines) + b"\n"
    if suffix == ".json":
        return b"[\n" + b",\n".join(lines) + b"\n]\n"
    return b"\n".join(lines) + b"\n"


@settings(
    BOUNDED,
    max_examples=int(os.environ.get("NEWSEARCH_FUZZ_EXAMPLES", "100")),
    deadline=None,
)
@given(
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30).filter(
            lambda t: t.strip() != ""
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: " ".join(t.split()),
    ),
    st.lists(st.tuples(st.integers(0, 12), BAD_LINES), min_size=1, max_size=6),
    st.sampled_from([".jsonl", ".json", ".csv"]),
)
def test_whole_files_of_good_and_bad_lines_keep_every_good_record(
    tmp_path_factory: pytest.TempPathFactory,
    titles: list[str],
    bad: list[tuple[int, bytes]],
    suffix: str,
) -> None:
    path = tmp_path_factory.mktemp("whole") / f"records{suffix}"
    data = whole_file(titles, bad, suffix)
    path.write_bytes(data)
    wanted = {" ".join(t.split()) for t in titles}
    streamed, items = stream_path(path)
    streamed_titles = [item.title for item in items]
    whole = read_path(path)
    for result, read in ((streamed, streamed_titles), (whole, titles_of(whole))):
        check_result(dataclasses.replace(result, items=[]))
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data:
            continue  # a file that starts as UTF-16 is read as UTF-16: nothing more to ask
        kept = {" ".join(t.split()) for t in read}
        assert wanted <= kept, (wanted - kept, [str(p)[:200] for p in result.problems][:10])
        assert not result.failed


def titles_of(result: ReadResult) -> list[str]:
    return [item.title for item in result.items]
