"""Reading dumps: exact items from real dumps and layout fixtures, junk reported, encodings."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsearch.index.corpus import ReadResult, read_path, read_text
from newsearch.index.dates import parse_date_line, parse_header, parse_updated
from newsearch.index.item import RawItem

DATA = Path(__file__).resolve().parent / "data"
LABELS = DATA / "labels"
VARIANTS = DATA / "variants"
OLD = "ilo-forced-labour-news-2016-2017"
NEW = "ilo-forced-labour-news-2023-2024"
FIXTURES = sorted(p.name[: -len(".labels.jsonl")] for p in VARIANTS.glob("*.labels.jsonl"))
CREDIT = re.compile(r"^(?:©|photo\s*:|photo by)", re.I)


def labels(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def date_of(item: RawItem) -> str | None:
    return item.date.isoformat() if item.date else None


def dump_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def old_dump(corpus_dir: Path) -> ReadResult:
    return read_path(corpus_dir / f"{OLD}.txt")


@pytest.fixture(scope="module")
def new_dump(corpus_dir: Path) -> ReadResult:
    return read_path(corpus_dir / f"{NEW}.txt")


# ---------------------------------------------------------------------------------------------
# The two real dumps


def test_numbered_dump_gives_every_item_with_its_exact_title_date_and_label(
    old_dump: ReadResult,
) -> None:
    expected = labels(LABELS / f"{OLD}.jsonl")
    assert old_dump.layout == "numbered"
    assert old_dump.heading == "News on forced labour"
    assert [i.title for i in old_dump.items] == [e["title"] for e in expected]
    assert [date_of(i) for i in old_dump.items] == [e["date"] for e in expected]
    assert [i.date_precision for i in old_dump.items] == [e["date_precision"] for e in expected]
    assert [i.summary for i in old_dump.items] == [e["summary"] for e in expected]
    assert [i.label for i in old_dump.items] == [e["label"] for e in expected]
    assert not old_dump.problems


def test_photo_credits_are_kept_apart_never_a_title_or_a_date(old_dump: ReadResult) -> None:
    first, second = old_dump.items[:2]
    assert first.credit == "© Well-Bred Kannan 2017"
    assert second.credit == "© Cao peng / Imaginechina 2017"
    for item in old_dump.items:
        assert not CREDIT.match(item.title)
        assert "©" not in item.title + item.summary
        assert "©" not in item.date_text
    # The item whose credit says 2017 but which stands under "March 2017" keeps its own day.
    assert first.date == dt.date(2017, 3, 17) and first.date_precision == "day"


def test_event_dates_in_a_summary_are_not_the_publication_date(old_dump: ReadResult) -> None:
    alliance = old_dump.items[-1]
    assert "21 September 2016" in alliance.summary
    assert alliance.date == dt.date(2016, 9, 19)


def test_card_dump_gives_exact_titles_labels_and_summaries(new_dump: ReadResult) -> None:
    expected = labels(LABELS / f"{NEW}.jsonl")
    assert new_dump.layout == "cards"
    # "All news for topic" names no listing: page furniture, reported, never listed_under.
    assert new_dump.heading == ""
    assert [i.title for i in new_dump.items] == [e["title"] for e in expected]
    assert [i.label for i in new_dump.items] == [e["label"] for e in expected]
    assert [i.summary for i in new_dump.items] == [e["summary"] for e in expected]
    assert all(i.date is None for i in new_dump.items)


def test_alt_text_is_never_a_title_a_label_or_a_summary(
    new_dump: ReadResult, corpus_dir: Path
) -> None:
    lines = dump_lines(corpus_dir / f"{NEW}.txt")
    titles = {i.title for i in new_dump.items}
    # In a card the alt line directly follows the title line.
    alt_lines = {lines[n + 1] for n, line in enumerate(lines[:-1]) if line in titles}
    alt_lines -= titles
    assert "Placeholder image" in alt_lines and len(alt_lines) >= 5
    for item in new_dump.items:
        assert item.title not in alt_lines
        assert item.summary not in alt_lines
        assert item.label not in alt_lines
    indonesia = next(i for i in new_dump.items if i.title.startswith("Indonesia establishes"))
    assert indonesia.alt.startswith("UPSCALED Indonesia")


def test_refine_results_is_skipped_and_reported_with_its_line(new_dump: ReadResult) -> None:
    assert [(p.line, p.message) for p in new_dump.problems] == [
        (1, "page navigation text skipped: 'All news for topic'"),
        (3, "page navigation text skipped: 'Refine results'"),
    ]
    assert all("Refine results" not in i.title + i.summary for i in new_dump.items)


# ---------------------------------------------------------------------------------------------
# Every layout fixture


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_is_read_item_for_item(name: str) -> None:
    result = read_path(VARIANTS / f"{name}.txt")
    expected = labels(VARIANTS / f"{name}.labels.jsonl")
    assert not result.failed
    assert [i.title for i in result.items] == [e["title"] for e in expected]
    assert [i.summary for i in result.items] == [e["summary"] for e in expected]
    assert [date_of(i) for i in result.items] == [e["date"] for e in expected]
    assert [i.date_precision for i in result.items] == [e["date_precision"] for e in expected]
    assert [i.label for i in result.items] == [e["label"] for e in expected]


@pytest.mark.parametrize("name", FIXTURES)
def test_no_credit_or_alt_line_becomes_a_title(name: str) -> None:
    result = read_path(VARIANTS / f"{name}.txt")
    lines = dump_lines(VARIANTS / f"{name}.txt")
    for item in result.items:
        assert not CREDIT.match(item.title)
        if item.alt:
            assert item.title not in item.alt.split(" | ")
            assert lines[item.line - 1].endswith(item.title)  # the title's own line


def test_headers_give_undated_items_their_month_or_year() -> None:
    years = read_path(VARIANTS / "numbered-year-headers.txt").items
    mica = next(i for i in years if i.title.startswith("Child labour in mica"))
    assert (mica.date, mica.date_precision) == (dt.date(2016, 1, 1), "year")
    french = read_path(VARIANTS / "numbered-french.txt").items
    assert (french[-1].date, french[-1].date_precision) == (dt.date(2015, 6, 1), "month")


def test_a_dateline_place_is_kept_apart_from_the_date() -> None:
    item = read_path(VARIANTS / "numbered-no-headers.txt").items[0]
    assert item.date == dt.date(2021, 9, 9)
    assert item.dateline == "Mexico City, Mexico"


def test_an_update_line_is_reported_and_never_the_date() -> None:
    result = read_path(VARIANTS / "cards-dated.txt")
    italy = next(i for i in result.items if i.title.startswith("Italy"))
    assert italy.date == dt.date(2022, 4, 15)
    assert any("update date skipped" in p.message and p.line == 34 for p in result.problems), (
        result.problems
    )


def test_paragraph_layout_keeps_long_titles_and_further_paragraphs_apart() -> None:
    result = read_text(
        "Noticias sobre migración laboral\n\n"
        "México y Guatemala amplían el programa de trabajadores agrícolas temporales\n"
        "El acuerdo permitirá que más de 20.000 jornaleros trabajen legalmente.\n\n"
        "Un segundo párrafo, con más detalles sobre el acuerdo y sus efectos.\n\n"
        "Costa Rica lanza una guía para la contratación equitativa de trabajadores\n"
        "La guía explica a los empleadores cómo evitar el cobro de comisiones.\n"
    )
    assert result.heading == "Noticias sobre migración laboral"
    assert [i.title for i in result.items] == [
        "México y Guatemala amplían el programa de trabajadores agrícolas temporales",
        "Costa Rica lanza una guía para la contratación equitativa de trabajadores",
    ]
    assert result.items[0].body.startswith("Un segundo párrafo")


# ---------------------------------------------------------------------------------------------
# A messy dump: junk reported with its line, never merged into an item


def test_messy_dump_reports_each_junk_line_and_keeps_items_clean() -> None:
    result = read_path(VARIANTS / "messy.txt")
    junk = json.loads((VARIANTS / "messy.skipped.json").read_text(encoding="utf-8"))
    assert sorted({p.line for p in result.problems}) == junk
    texts = [line for n, line in enumerate(dump_lines(VARIANTS / "messy.txt"), 1) if n in junk]
    for item in result.items:
        for line in texts:
            if line.strip(" 0123456789."):
                assert line not in (item.title, item.summary, item.body)
    fiji = result.items[-1]
    assert fiji.title.startswith("Fiji ratifies") and fiji.summary == "" and fiji.body == ""


def test_reported_lines_say_what_was_skipped() -> None:
    result = read_path(VARIANTS / "messy.txt")
    by_line = {p.line: p.message for p in result.problems}
    assert "Skip to main content" in by_line[1]
    assert "without a title" in by_line[14]
    assert "%%%%" in by_line[38]
    assert "Load more" in by_line[58]
    assert all(p.path.endswith("messy.txt") for p in result.problems)


# ---------------------------------------------------------------------------------------------
# Structured records


def test_json_lines_records_with_bad_lines_reported(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "title": "Forced labour in Peru",
                        "date": "2020-05-17",
                        "topics": "forced labour",
                    }
                ),
                "{not json",
                json.dumps({"summary": "no title here"}),
                json.dumps({"title": "Un titre", "date": "2019", "language": "fr"}),
                json.dumps(["a list"]),
            ]
        ),
        encoding="utf-8",
    )
    result = read_path(path)
    assert [i.title for i in result.items] == ["Forced labour in Peru", "Un titre"]
    assert result.items[0].date == dt.date(2020, 5, 17) and result.items[0].topics == (
        "forced labour",
    )
    assert (result.items[1].date, result.items[1].date_precision) == (dt.date(2019, 1, 1), "year")
    assert result.items[1].language == "fr"
    assert {p.line for p in result.problems} == {2, 3, 5}


def test_json_array_and_csv_records(tmp_path: Path) -> None:
    array = tmp_path / "news.json"
    array.write_text(
        json.dumps(
            [{"title": "A", "countries": ["Peru", "ID"]}, {"title": "B", "date": "2021-03"}]
        ),
        encoding="utf-8",
    )
    items = read_path(array).items
    assert [i.title for i in items] == ["A", "B"]
    assert items[0].countries == ("Peru", "ID")
    assert (items[1].date, items[1].date_precision) == (dt.date(2021, 3, 1), "month")

    table = tmp_path / "news.csv"
    table.write_text(
        "title,date,countries,topics\n"
        '"Fishers, at sea",17 March 2017,Indonesia; Thailand,fisheries\n'
        "No date,,,\n,2020,,\n",
        encoding="utf-8",
    )
    result = read_path(table)
    assert [i.title for i in result.items] == ["Fishers, at sea", "No date"]
    assert result.items[0].date == dt.date(2017, 3, 17)
    assert result.items[0].countries == ("Indonesia", "Thailand")
    assert [p.line for p in result.problems] == [4]

    headless = tmp_path / "bad.csv"
    headless.write_text("name,when\nx,2020\n", encoding="utf-8")
    bad = read_path(headless)
    assert bad.failed and "no 'title' column" in bad.problems[0].message


# ---------------------------------------------------------------------------------------------
# Encodings

DUMP = (
    "News on forced labour\n\nMarch 2017\n\n  1. Côte d’Ivoire: fishers’ rights\n\n"
    "    17 March 2017\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_unicode_encodings_with_and_without_bom(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(bom + DUMP.encode(encoding))
    result = read_path(path)
    assert result.heading == "News on forced labour"  # no BOM glued to the heading
    assert [i.title for i in result.items] == ["Côte d’Ivoire: fishers’ rights"]
    assert not result.problems


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(DUMP.encode("cp1252"))
    result = read_path(path)
    assert [i.title for i in result.items] == ["Côte d’Ivoire: fishers’ rights"]
    assert len(result.problems) == 1
    assert result.problems[0].severity == "warning"
    assert "not valid UTF-8" in result.problems[0].message
    assert result.problems[0].line == 5  # the first line that is not UTF-8


def test_binary_files_are_refused_and_empty_files_reported(tmp_path: Path) -> None:
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    refused = read_path(binary)
    assert refused.failed and not refused.items
    assert refused.problems[0].severity == "error" and "binary" in refused.problems[0].message

    for content in (b"", b"  \n\n\t\n"):
        empty = tmp_path / "empty.txt"
        empty.write_bytes(content)
        result = read_path(empty)
        assert not result.failed and not result.items
        assert [p.message for p in result.problems] == ["the file is empty"]


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("17 March 2017", "2017-03-17"),
        ("March 17, 2017", "2017-03-17"),
        ("Mar. 17, 2017", "2017-03-17"),
        ("17 Mar 2017", "2017-03-17"),
        ("2017-03-17", "2017-03-17"),
        ("2017/03/17", "2017-03-17"),
        ("17/03/2017", "2017-03-17"),
        ("17.03.2017", "2017-03-17"),
        ("Monday, 17 March 2017", "2017-03-17"),
        ("Date: 17 March 2017", "2017-03-17"),
        ("Published on 17 March 2017", "2017-03-17"),
        ("17 March 2017 | Press release", "2017-03-17"),
        ("12 June 2015, Geneva, Switzerland", "2015-06-12"),
        ("17 March 2017 14:00", "2017-03-17"),
        ("1er mai 2016", "2016-05-01"),
        ("07 avril 2016", "2016-04-07"),
        ("lundi 3 mars 2021", "2021-03-03"),
        ("Publié le 15 mars 2021", "2021-03-15"),
        ("5 sept. 2019", "2019-09-05"),
        ("3 de junio de 2022", "2022-06-03"),
        ("martes, 3 de junio de 2022", "2022-06-03"),
        ("19 setiembre 2016", "2016-09-19"),
        ("Fecha: 19/09/2016", "2016-09-19"),
    ],
)
def test_date_lines_in_english_french_and_spanish(line: str, expected: str) -> None:
    parsed = parse_date_line(line)
    assert parsed is not None and parsed.date.isoformat() == expected
    assert parsed.precision == "day"


@pytest.mark.parametrize(
    "line",
    [
        "On 25 January 2017, the National Tripartite Committee for Decent Work met",
        "Le 25 janvier 2017, le comité a adopté un plan",
        "31 September 2017",
        "© ILO/M. Crozet 2014",
        "The Protocol of 2014 enters into force",
        "Updated 3 March 2020",
    ],
)
def test_sentences_credits_and_impossible_dates_are_not_date_lines(line: str) -> None:
    assert parse_date_line(line) is None


def test_headers_and_update_lines() -> None:
    assert parse_header("2016") is not None and parse_header("2016").precision == "year"  # type: ignore[union-attr]
    for text, month in (("March 2017", 3), ("mai 2016", 5), ("junio de 2022", 6)):
        header = parse_header(text)
        assert header is not None and header.precision == "month" and header.date.month == month
    updated = parse_updated("Last updated: 3 March 2020")
    assert updated is not None and updated.date == dt.date(2020, 3, 3)


# ---------------------------------------------------------------------------------------------
# Robustness


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "",
                    "  1. © ILO 2018",
                    "  2.",
                    "March 2017",
                    "2016",
                    "17 March 2017",
                    "Press release",
                    "---",
                    "Refine results",
                    "Placeholder image",
                    "Forced labour in Peru",
                    "The ILO said that fishers in Thailand were paid.",
                ]
            ),
            st.text(max_size=60),
        ),
        max_size=40,
    )
)
def test_reader_never_raises_and_titles_come_from_the_text(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = read_text(text)
    source = [line.strip() for line in text.splitlines()]
    for item in result.items:
        assert item.title.strip()
        assert any(item.title in line for line in source)
        assert not CREDIT.match(item.title)


def test_big_json_lines_files_are_streamed_not_loaded_whole(tmp_path: Path) -> None:
    """Indexing reads JSON Lines a record at a time: memory does not grow with the file."""
    import tracemalloc

    from newsearch.index.corpus import stream_path

    path = tmp_path / "big.jsonl"
    record = {"title": "Fishers in Ghana organise", "summary": "Canoe fishers. " * 40}
    with path.open("w", encoding="utf-8") as handle:
        for number in range(20_000):
            handle.write(json.dumps({**record, "url": f"https://example.org/{number}"}) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        result, items = stream_path(path)
        count = sum(1 for _ in items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000 and not result.problems
    assert size > 10_000_000 and peak < size / 10, (size, peak)
