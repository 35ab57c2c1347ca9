"""Structured records: JSON Lines, JSON arrays and CSV rows into raw items."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from newsearch.index.corpus.result import MAX_DEPTH, ReadResult
from newsearch.index.dates import ParsedDate, parse_date_line
from newsearch.index.item import Problem, RawItem

RECORD_FIELDS = (
    "title",
    "summary",
    "body",
    "date",
    "url",
    "topics",
    "countries",
    "label",
    "language",
)


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in re.split(r"[;|]", value) if v.strip())
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    return (str(value).strip(),)


def _text(value: Any) -> str:
    """A record's value as text, whole: an over-long one is cut later, with a note."""
    if value is None:
        return ""
    return str(value).strip()


def record_to_item(record: Any, path: str, line: int, result: ReadResult) -> RawItem | None:
    """One JSON object / CSV row as a raw item, or None with the reason in ``result.problems``."""
    try:
        return _record_to_item(record, path, line, result)
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        # values no reader expects (huge integers, odd objects): the record, not the run
        result.problems.append(
            Problem(path, line, f"record could not be read ({type(exc).__name__}); skipped")
        )
        return None


def _record_to_item(record: Any, path: str, line: int, result: ReadResult) -> RawItem | None:
    if not isinstance(record, dict):
        result.problems.append(
            Problem(path, line, f"expected an object, got {type(record).__name__}")
        )
        return None
    raw_title = record.get("title")
    if raw_title is not None and not isinstance(raw_title, str | int | float):
        result.problems.append(Problem(path, line, "record's title is not text; skipped"))
        return None
    title = _text(raw_title)
    if not title:
        result.problems.append(Problem(path, line, "record has no title; skipped"))
        return None
    unknown = sorted(str(k) for k in record if k not in RECORD_FIELDS and k not in {"id", "source"})
    if unknown and not result.problems and line <= 2:
        result.problems.append(Problem(path, line, f"fields ignored: {', '.join(unknown)}"))
    date: dt.date | None = None
    precision = None
    date_text = _text(record.get("date"))
    if date_text:
        parsed = _record_date(date_text)
        if parsed is None:
            result.problems.append(
                Problem(path, line, f"unrecognised date {date_text!r}; item indexed without a date")
            )
        else:
            date, precision = parsed.date, parsed.precision
    language = _text(record.get("language")).lower() or None
    return RawItem(
        title=title,
        source=path,
        line=line,
        summary=_text(record.get("summary")),
        body=_text(record.get("body")),
        date=date,
        date_precision=precision,
        date_text=date_text,
        label=_text(record.get("label")) or None,
        url=_text(record.get("url")) or None,
        topics=_as_list(record.get("topics")),
        countries=_as_list(record.get("countries")),
        language=language[:2] if language else None,
    )


def _record_date(text: str) -> ParsedDate | None:
    match = re.fullmatch(r"((?:19|20)\d{2})(?:-(\d{2}))?(?:-(\d{2}))?(?:[T ][\d:.+Z-]*)?", text)
    if match:
        year, month, day = match.groups()
        try:
            value = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            return None
        precision = "day" if day else "month" if month else "year"
        return ParsedDate(value, precision, text)  # type: ignore[arg-type]
    return parse_date_line(text)


def read_json_lines(text: str, result: ReadResult) -> None:
    result.items.extend(json_lines_records(text.split("\n"), result))


def json_lines_records(lines: Iterable[str], result: ReadResult) -> Iterator[RawItem]:
    """Records of a JSON Lines file, one line at a time (lines split at \\n only)."""
    result.layout = "jsonl"
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if _too_deep(line):
            result.problems.append(Problem(result.path, number, _DEEP))
            continue
        record, reason = _loads(line)
        if reason is not None:
            result.problems.append(Problem(result.path, number, f"not valid JSON ({reason})"))
            continue
        item = record_to_item(record, result.path, number, result)
        if item is not None:
            yield item


_DEEP = f"nested more than {MAX_DEPTH} levels deep; skipped"


def _loads(text: str) -> tuple[Any, str | None]:
    """The JSON value of ``text``, or None and why it cannot be read (never raises)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, exc.msg
    except RecursionError:  # pragma: no cover - the nesting check stops these first
        return None, "too deep"
    except ValueError as exc:  # a number of more digits than Python converts, say
        return None, str(exc).split(";")[0]


def _too_deep(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the JSON in ``text[start:end]`` nests arrays and objects over MAX_DEPTH deep."""
    end = len(text) if end is None else end
    if text.count("[", start, end) + text.count("{", start, end) <= MAX_DEPTH:
        return False
    return nesting(text, start, end) > MAX_DEPTH


# A string (to its closing quote, or to the end when it has none) or one structural character.
# The string alternative is unrolled, so it runs in linear time whatever the input.
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{},]', re.DOTALL)


def structure(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """(position, character) of each bracket, brace and comma of the JSON in ``text[start:end]``
    that is not inside a string: the one scan that both the nesting check and the splitting of
    an array into records read. It never parses, so it goes on past anything that is not JSON."""
    end = len(text) if end is None else end
    for match in _STRUCTURE.finditer(text, start, end):
        at = match.start()
        char = text[at]
        if char != '"':
            yield at, char


def nesting(text: str, start: int = 0, end: int | None = None) -> int:
    """How deep arrays and objects nest in the JSON in ``text[start:end]``."""
    deepest = depth = 0
    for _, char in structure(text, start, end):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def elements(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, line) of each element of the JSON array that ``text`` opens, found without
    parsing it. A stray closing brace is part of the (bad) element it is in; the array ends at
    its closing bracket, or at the end of the text."""
    opening = text.find("[")
    if opening < 0:
        return
    line, counted = 1, 0
    depth = 0
    begin = opening + 1

    def element(stop: int) -> tuple[int, int, int] | None:
        nonlocal line, counted
        first = begin
        while first < stop and text[first] in " \t\r\n":
            first += 1
        if first >= stop:
            return None
        line += text.count("\n", counted, first)
        counted = first
        return first, stop, line

    for at, char in structure(text, opening + 1):
        if char in "[{":
            depth += 1
        elif char in "]}":
            if depth > 0:
                depth -= 1
            elif char == "]":  # the array's own end
                found = element(at)
                if found is not None:
                    yield found
                return
        elif depth == 0:  # a comma between elements
            found = element(at)
            if found is not None:
                yield found
            begin = at + 1
    found = element(len(text))
    if found is not None:
        yield found


def _is_json(text: str) -> bool:
    return _loads(text)[1] is None


def _read_elements(text: str, result: ReadResult) -> None:
    for number, (start, end, line) in enumerate(elements(text), start=1):
        if _too_deep(text, start, end):
            result.problems.append(Problem(result.path, line, f"record {number}: {_DEEP}"))
            continue
        record, reason = _loads(text[start:end])
        if reason is not None:
            result.problems.append(
                Problem(result.path, line, f"record {number}: not valid JSON ({reason})")
            )
            continue
        item = record_to_item(record, result.path, line, result)
        if item is not None:
            result.items.append(item)


def _read_lines(text: str, result: ReadResult) -> None:
    """An array written a record per line, read line by line."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line.startswith("["):
            line = line[1:].strip()
        if line.endswith("]") and not line.endswith("]]") and line.count("[") < line.count("]"):
            line = line[:-1].strip()
        line = line.rstrip(",").strip()
        if not line:
            continue
        if _too_deep(line):
            result.problems.append(Problem(result.path, number, _DEEP))
            continue
        record, reason = _loads(line)
        if reason is not None:
            result.problems.append(Problem(result.path, number, "not a valid JSON record"))
            continue
        item = record_to_item(record, result.path, number, result)
        if item is not None:
            result.items.append(item)


def read_json_array(text: str, result: ReadResult) -> None:
    result.layout = "json"
    if text.lstrip().startswith("[") and (_too_deep(text) or not _is_json(text)):
        # one bad record must not cost the others: read the elements one by one, or (when a
        # record breaks the array's structure) the lines one by one, whichever reads more
        by_element = ReadResult(result.path, layout="json")
        _read_elements(text, by_element)
        by_line = ReadResult(result.path, layout="json")
        _read_lines(text, by_line)
        best = by_line if len(by_line.items) > len(by_element.items) else by_element
        result.items.extend(best.items)
        result.problems.extend(best.problems)
        if not result.items and not _too_deep(text):
            result.failed = True
            result.problems.append(
                Problem(result.path, 1, "not a JSON array of records that can be read", "error")
            )
        return
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        result.failed = True
        result.problems.append(
            Problem(result.path, exc.lineno, f"not valid JSON ({exc.msg})", "error")
        )
        return
    except (ValueError, RecursionError) as exc:
        result.failed = True
        reason = str(exc).split(";")[0] or type(exc).__name__
        result.problems.append(Problem(result.path, 1, f"not valid JSON ({reason})", "error"))
        return
    if not isinstance(records, list):
        result.failed = True
        result.problems.append(Problem(result.path, 1, "expected a JSON array of objects", "error"))
        return
    for number, record in enumerate(records, start=1):
        item = record_to_item(record, result.path, number, result)
        if item is not None:
            result.items.append(item)


# A cell may be as long as a line (an over-long field is cut later, with a note): the csv
# module's own limit (131,072 characters) would make one long cell cost the rest of the file.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


def read_csv(text: str, result: ReadResult, delimiter: str = ",") -> None:
    result.items.extend(csv_records(io.StringIO(text, newline=""), result, delimiter))


def csv_records(
    lines: Iterable[str], result: ReadResult, delimiter: str = ","
) -> Iterator[RawItem]:
    """Records of a CSV file with a header row, one row at a time."""
    result.layout = "csv"
    reader = csv.DictReader(lines, delimiter=delimiter)
    try:
        reader.fieldnames  # noqa: B018 - reads the header row
    except csv.Error as exc:
        result.failed = True
        result.problems.append(
            Problem(result.path, 1, f"the CSV header row cannot be read ({exc})", "error")
        )
        return
    if not reader.fieldnames or "title" not in [f.strip().lower() for f in reader.fieldnames]:
        result.failed = True
        result.problems.append(
            Problem(
                result.path,
                1,
                f"CSV has no 'title' column (columns: {', '.join(reader.fieldnames or [])})",
                "error",
            )
        )
        return
    if reader.line_num > 1:
        result.problems.append(
            Problem(
                result.path,
                1,
                f"the header row runs over {reader.line_num} lines (a quote left open?)",
            )
        )
    rows = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            if not rows:
                result.problems.append(Problem(result.path, 1, "no rows under the header"))
            return
        except csv.Error as exc:  # this row only: the reader goes on at the next line
            result.problems.append(
                Problem(result.path, reader.line_num, f"malformed CSV row ({exc}); skipped")
            )
            continue
        rows += 1
        clean = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        if None in row:
            result.problems.append(
                Problem(
                    result.path,
                    reader.line_num,
                    "row has more cells than the header; extra ignored",
                )
            )
        item = record_to_item(clean, result.path, reader.line_num, result)
        if item is not None:
            yield item
