"""Corpus readers: plain-text listing dumps, JSON / JSON Lines and CSV files into raw items."""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsearch.index.dates import ParsedDate, parse_date_line, parse_header, parse_updated
from newsearch.index.errors import CorpusError
from newsearch.index.item import Problem, RawItem, normalise_title
from newsearch.index.kinds import KINDS, OTHER_LABELS, is_kind_label, kind_named

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
SUPPORTED = TEXT_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES | CSV_SUFFIXES
MAX_FIELD = 1_000_000  # characters kept of a summary or body
MAX_TITLE = 1_000  # characters kept of a title, a label or a url
MAX_VALUES = 100  # topics or countries kept of one record
MAX_VALUE = 200  # characters kept of one topic or country
MAX_DEPTH = 64  # nesting of arrays and objects in one JSON record

SAMPLE_DIR = Path(__file__).with_name("samples")


def sample_paths() -> list[Path]:
    """The built-in sample corpus: the ILO forced-labour news dumps shipped with newsearch."""
    return sorted(SAMPLE_DIR.glob("*.txt"))


@dataclass
class ReadResult:
    """What reading one file gave: its items, the parts it skipped, and the listing heading."""

    path: str
    items: list[RawItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    heading: str = ""
    layout: str = ""
    failed: bool = False  # the file as a whole could not be read
    position: int = 0  # bytes read so far, while a file is streamed


# ---------------------------------------------------------------------------------------------
# Finding files and decoding them


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into the corpus files they hold, in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            before = len(found)
            unsupported: dict[str, int] = {}
            for child in _files_under(path):
                if child.name.startswith("."):
                    continue
                if child.suffix.lower() in SUPPORTED:
                    found.append(child)
                else:
                    kind = child.suffix.lower() or child.name
                    unsupported[kind] = unsupported.get(kind, 0) + 1
            if unsupported or len(found) == before:
                problems.append(_folder_problem(path, unsupported, len(found) > before))
        elif path.is_file():
            found.append(path)
        elif path.exists():
            problems.append(Problem(str(path), 0, "not a regular file", "error"))
        else:
            problems.append(Problem(str(path), 0, "no such file or folder", "error"))
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, problems


_INDEX_MARKS = ("newsearch.json", "MAIN_WRITELOCK")  # files that say a folder is an index


def _files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted, leaving out hidden folders and index folders."""
    out: list[Path] = []
    for root, dirs, names in os.walk(folder):
        if root != str(folder) and any(mark in names for mark in _INDEX_MARKS):
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out.extend(Path(root, name) for name in names if os.path.isfile(os.path.join(root, name)))
    return sorted(out)


def _folder_problem(folder: Path, unsupported: dict[str, int], some: bool) -> Problem:
    """What a folder held that cannot be read: an error when it held nothing readable."""
    kinds = ", ".join(
        f"{n} {kind}" for kind, n in sorted(unsupported.items(), key=lambda kv: -kv[1])
    )
    readable = ", ".join(sorted(s for s in SUPPORTED if s))
    if some:
        return Problem(str(folder), 0, f"left out files newsearch cannot read: {kinds}")
    held = f"only files newsearch cannot read ({kinds})" if kinds else "no files"
    return Problem(str(folder), 0, f"the folder holds {held}; newsearch reads {readable}", "error")


def decode(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a note.

    Binary data is refused with :class:`CorpusError`.
    """
    problems: list[Problem] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), problems
        except UnicodeDecodeError as exc:
            raise CorpusError(
                f"{path}: starts like UTF-16 but is not valid UTF-16 ({exc})"
            ) from None
    head = data[:8192]
    if head.count(b"\x00") > max(8, len(head) // 100):  # a stray NUL is one record's problem
        raise CorpusError(f"{path}: looks like a binary file (it holds NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        problems.append(
            Problem(
                path,
                text.count("\n", 0, exc.start) + 1 if exc.start < len(text) else 0,
                "not valid UTF-8; read as Windows-1252 (Latin-1): check accented letters",
            )
        )
    sample = text[:65536]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > max(8, len(sample) // 100):
        raise CorpusError(
            f"{path}: looks like a binary file ({controls} control characters), not text"
        )
    return text, problems


def read_path(path: Path) -> ReadResult:
    """Read one corpus file of any supported format. Never raises for bad content."""
    name = str(path)
    result = ReadResult(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.failed = True
        result.problems.append(Problem(name, 0, f"cannot read: {exc.strerror or exc}", "error"))
        return result
    suffix = path.suffix.lower()
    try:
        text, problems = decode(data, name)
    except CorpusError as exc:
        result.failed = True
        result.problems.append(Problem(name, 0, exc.message.split(": ", 1)[-1], "error"))
        return result
    result.problems.extend(problems)
    if not text.strip():
        result.problems.append(Problem(name, 0, "the file is empty"))
        return result
    if suffix in JSONL_SUFFIXES or (suffix in JSON_SUFFIXES and not text.lstrip().startswith("[")):
        read_json_lines(text, result)
    elif suffix in JSON_SUFFIXES:
        read_json_array(text, result)
    elif suffix in CSV_SUFFIXES:
        read_csv(text, result, delimiter="\t" if suffix == ".tsv" else ",")
    else:
        read_dump(text, result)
    result.items = [bounded(item, result) for item in result.items]
    return result


def stream_path(path: Path) -> tuple[ReadResult, Iterator[RawItem]]:
    """Like :func:`read_path`, but JSON Lines and CSV files are read a record at a time, so a
    file of any size is indexed in little memory. ``result`` is complete once the items are."""
    suffix = path.suffix.lower()
    if suffix not in JSONL_SUFFIXES | CSV_SUFFIXES:
        result = read_path(path)
        items, result.items = result.items, []
        return result, iter(items)
    result = ReadResult(str(path))
    return result, (bounded(item, result) for item in _stream_records(path, suffix, result))


def bounded(item: RawItem, result: ReadResult) -> RawItem:
    """The item with each over-long field cut to its limit, each cut reported as file:line."""
    changes: dict[str, Any] = {}
    for name, limit in (
        ("title", MAX_TITLE),
        ("label", MAX_TITLE),
        ("url", MAX_TITLE * 2),
        ("summary", MAX_FIELD),
        ("body", MAX_FIELD),
    ):
        value = getattr(item, name)
        if value and len(value) > limit:
            changes[name] = _cut(value, limit)
            result.problems.append(
                Problem(
                    result.path,
                    item.line,
                    f"{name} is {len(value):,} characters long; cut to the first {limit:,}",
                    "note",
                )
            )
    for name in ("topics", "countries"):
        values: tuple[str, ...] = getattr(item, name)
        kept = tuple(v[:MAX_VALUE] for v in values[:MAX_VALUES])
        if kept != values:
            changes[name] = kept
            result.problems.append(
                Problem(
                    result.path,
                    item.line,
                    f"{name}: kept {len(kept)} value(s) of at most {MAX_VALUE} characters "
                    f"(limits: {MAX_VALUES} values, {MAX_VALUE} characters each)",
                    "note",
                )
            )
    return dataclasses.replace(item, **changes) if changes else item


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a space when there is one near the end."""
    cut = text[:limit]
    space = cut.rfind(" ", limit - 100)
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def _stream_records(path: Path, suffix: str, result: ReadResult) -> Iterator[RawItem]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        result.failed = True
        result.problems.append(
            Problem(result.path, 0, f"cannot read: {exc.strerror or exc}", "error")
        )
        return
    with handle:
        head = handle.read(65536)
        # UTF-16, or mostly binary: the whole-file reader decides. A few NUL bytes are one bad
        # record's problem (reported at its line), not the whole file's.
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            head.count(b"\x00") > len(head) // 100
        ):
            handle.close()  # UTF-16 or binary: the whole-file reader decides
            whole = read_path(path)
            result.problems.extend(whole.problems)
            result.failed = whole.failed
            result.layout = whole.layout
            yield from whole.items
            return
        try:
            decode(head.replace(b"\x00", b""), result.path)
        except CorpusError as exc:
            result.failed = True
            result.problems.append(Problem(result.path, 0, exc.message.split(": ", 1)[-1], "error"))
            return
        if not head.strip():
            result.problems.append(Problem(result.path, 0, "the file is empty"))
            return
        handle.seek(0)
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
        lines = _repaired(_tracked(text, handle, result), result)
        if suffix in JSONL_SUFFIXES:
            yield from json_lines_records((line.rstrip("\r\n") for line in lines), result)
        else:
            yield from csv_records(lines, result, "\t" if suffix == ".tsv" else ",")


_BAD_BYTES = re.compile("[\udc80-\udcff]")


def _tracked(lines: Iterable[str], handle: Any, result: ReadResult) -> Iterator[str]:
    """The lines, noting in ``result.position`` how many bytes of the file have been read."""
    for line in lines:
        with contextlib.suppress(OSError, ValueError):
            result.position = handle.tell()
        yield line


def _repaired(lines: Iterable[str], result: ReadResult) -> Iterator[str]:
    """Lines with bytes that are not UTF-8 are read as Windows-1252, with one warning."""
    warned = False
    for number, line in enumerate(lines, start=1):
        if _BAD_BYTES.search(line):
            line = line.encode("utf-8", "surrogateescape").decode("cp1252", errors="replace")
            if not warned:
                warned = True
                result.problems.append(
                    Problem(
                        result.path,
                        number,
                        "not valid UTF-8; read as Windows-1252 (Latin-1): check accented letters",
                    )
                )
        yield line


# ---------------------------------------------------------------------------------------------
# Structured records: JSON Lines, JSON arrays, CSV

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
    if value is None:
        return ""
    return str(value).strip()[:MAX_FIELD]


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
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(Problem(result.path, number, f"not valid JSON ({exc.msg})"))
            continue
        except RecursionError:  # pragma: no cover - _too_deep stops these first
            result.problems.append(Problem(result.path, number, _DEEP))
            continue
        item = record_to_item(record, result.path, number, result)
        if item is not None:
            yield item


_DEEP = f"nested more than {MAX_DEPTH} levels deep; skipped"


def _too_deep(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the JSON in ``text[start:end]`` nests arrays and objects over MAX_DEPTH deep."""
    end = len(text) if end is None else end
    if text.count("[", start, end) + text.count("{", start, end) <= MAX_DEPTH:
        return False
    return _depth(text, start, end) > MAX_DEPTH


def _depth(text: str, start: int, end: int) -> int:
    deepest = depth = 0
    in_string = escaped = False
    for char in text[start:end]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _elements(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, line) of each element of a top-level JSON array, found without parsing it;
    stops at the first place that is not JSON."""
    i = text.index("[") + 1
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n or text[i] == "]":
            return
        start = i
        depth = 0
        in_string = escaped = False
        while i < n:
            char = text[i]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            i += 1
        yield start, i, text.count("\n", 0, start) + 1


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def _read_elements(text: str, result: ReadResult) -> None:
    for number, (start, end, line) in enumerate(_elements(text), start=1):
        if _too_deep(text, start, end):
            result.problems.append(Problem(result.path, line, f"record {number}: {_DEEP}"))
            continue
        try:
            record = json.loads(text[start:end])
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "too deep"
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
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
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
    if not isinstance(records, list):
        result.failed = True
        result.problems.append(Problem(result.path, 1, "expected a JSON array of objects", "error"))
        return
    for number, record in enumerate(records, start=1):
        item = record_to_item(record, result.path, number, result)
        if item is not None:
            result.items.append(item)


def read_csv(text: str, result: ReadResult, delimiter: str = ",") -> None:
    result.items.extend(csv_records(io.StringIO(text, newline=""), result, delimiter))


def csv_records(
    lines: Iterable[str], result: ReadResult, delimiter: str = ","
) -> Iterator[RawItem]:
    """Records of a CSV file with a header row, one row at a time."""
    result.layout = "csv"
    reader = csv.DictReader(lines, delimiter=delimiter)
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
    try:
        for row in reader:
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
    except csv.Error as exc:
        result.problems.append(
            Problem(
                result.path,
                reader.line_num,
                f"malformed CSV ({exc}); the rest of the file was skipped",
                "error",
            )
        )


# ---------------------------------------------------------------------------------------------
# Plain-text listing dumps

LABELS = set(KINDS) | set(OTHER_LABELS)  # every word a listing puts on a line as a label
CHROME = {
    "refine results",
    "load more",
    "show more",
    "read more",
    "see more",
    "see all",
    "view all",
    "share",
    "share this page",
    "share this",
    "print",
    "back to top",
    "next",
    "previous",
    "next page",
    "previous page",
    "subscribe",
    "search",
    "filter",
    "filters",
    "sort by",
    "menu",
    "home",
    "skip to main content",
    "cookies",
    "accept cookies",
    "more news",
    "all news",
    "all news for topic",
    "all news for this topic",
    "lire la suite",
    "voir plus",
    "ver más",
    "leer más",
    "partager",
    "compartir",
    "condividi",
    "teilen",
    "contact us",
    "contact",
    "contactez-nous",
    "contáctenos",
    "site map",
    "sitemap",
    "printable version",
    "print this page",
    "send this page to a friend",
    "email this page",
    "top of page",
    "transcript",
    "transcription",
    "transcripción",
    "see all news",
    "view all news",
    "related news",
    "related content",
    "follow us",
    "suivez-nous",
    "síguenos",
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "instagram",
    "youtube",
    "flickr",
    "terms of use",
    "privacy policy",
    "accessibility",
    "disclaimer",
    "copyright",
    "fraud alert",
    "leggi di più",
    "leia mais",
    "weiterlesen",
    "mehr lesen",
    "press releases",
    "news and media",
    "newsroom",
    "news room",
    "media centre",
    "media center",
    "multimedia",
    "podcasts",
    "videos",
    "communiqués de presse",
    "comunicados de prensa",
    "international labour organization",
    "international labor organization",
    "organisation internationale du travail",
    "organización internacional del trabajo",
    "organizzazione internazionale del lavoro",
    "organização internacional do trabalho",
    "internationale arbeitsorganisation",
    "ilo news",
}
# Page furniture worded in many ways: episodes, transcripts, players, notices, breadcrumbs.
_FURNITURE = re.compile(
    r"^(?:(?:season\s+\d+\s*[,|·-]?\s*)?(?:episode|épisode|episodio|folge)\s+\d+|"
    r"\[[^\]]{1,40}\]|"  # [Music], [Applause]
    r"\(?\d{1,2}:\d{2}(?::\d{2})?\)?(?:\s.*)?|"  # a time code, alone or opening a transcript line
    r"(?:speaker|interviewer|interviewee|host|presenter|narrator|moderator|voice[- ]over)"
    r"(?:\s*\d+)?\s*:.*|"
    r"(?:listen|watch|play|download)\b(?=.*\b(?:video|videos|podcast|episode|audio|"
    r"interview|report|pdf|spotify|apple|youtube|soundcloud|here|now|online)\b)(?:\s+\S+){0,7}|"
    r"\d+\s*/\s*\d+|\d+\s+(?:of|de|sur)\s+\d+|"
    r"(?:media\s+)?contacts?\s*:.*|"
    r"(?:follow|share|partager|compartir)\s+(?:us|this|on)\b.*)$",
    re.I,
)
_COOKIE = re.compile(r"\bcookies?\b", re.I)
_NOTICE = re.compile(
    r"\b(?:use|uses|accept|agree|policy|browse|browsing|experience|consent|settings)\b", re.I
)
_SUBSCRIBE = re.compile(
    r"^(?:subscribe|sign up|abonnez-vous|inscrivez-vous|suscríbase|suscríbete|iscriviti|"
    r"abonnieren)\b|\bnewsletters?\b.*\b(?:subscribe|sign up|receive|e-?mail|inbox)\b|"
    r"\b(?:subscribe|sign up|receive|e-?mail)\b.*\bnewsletters?\b",
    re.I,
)
_CRUMB = re.compile(r"\s*(?:›|»|>|→|/|\|)\s*")
_LANGUAGE_NAMES = frozenset(
    "english français francais español espanol italiano português portugues deutsch 中文 "
    "русский العربية 日本語 한국어 türkçe tiếng việt ไทย हिन्दी bahasa indonesia melayu "
    "Українська polski nederlands".casefold().split()
)
# A caption ending in a photo credit: "Workers at a kiln in Punjab. © ILO/A. Khan"
_CAPTION_CREDIT = re.compile(r"(?:©|\(c\)|photo\s*:|credit\s*:)\s*[^\s©][^©]{0,50}\)?\s*$", re.I)
# "Press release | Geneva | 12 June 2019", "News | 3 May 2021", "Date issued: 12 June 2019 | ..."
_TYPE_SPLIT = re.compile(r"\s+[|·•]\s+|\s*\|\s*")
_REFERENCE = re.compile(
    r"^(?:ref(?:erence)?\.?\s*(?:no\.?)?\s*:?\s*)?[A-Z]{2,5}/\d{2}/\d{1,4}$|^ref(?:erence)?\b", re.I
)
_CHROME_RE = re.compile(
    r"^(page \d+ of \d+|showing \d+\s*[-–]\s*\d+ of \d+.*|\d+ results?|results? \d+.*|"
    r"(tweet|facebook|linkedin|email|whatsapp)(\s*[|/·]\s*\w+)*|[«»‹›<>]+|\d+(\s+\d+)+)$",
    re.I,
)
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)](?:\s+(.*))?$")
_BULLET = re.compile(r"^[•◦▪►*–-]\s+(\S.*)$")
_SEPARATOR = re.compile(r"^\s*(?:[-–—_=*•·~]\s*){1,}$")
_CREDIT = re.compile(
    r"^\s*(?:©|\(c\)\s|copyright\b|photo\s*(?:credit)?\s*[:：]|photo by\b|photos?\s*:|"
    r"foto\s*:|crédit(?:s)?(?: photo)?\s*:|credits?\s*:|image\s*:|source\s*:\s*ilo)",
    re.I,
)
# How listing pages head their lists: "News on forced labour", "Actualités : ...", "Noticias sobre".
_HEADING = re.compile(
    r"^(?:(?:all|latest|recent|more)\s+)?(?:news|stories|press releases|articles|statements)\s+"
    r"(?:on|for|about|from|in)\b|"
    r"^(?:(?:all|latest|recent|more)\s+)?(?:podcasts?|videos?|features|insights|publications|"
    r"(?:podcasts?|videos?) and (?:podcasts?|videos?))\s+(?:on|about)\b|"
    r"^(?:toutes les\s+|dernières\s+)?actualités\s*(?:sur|de|du|des|:|–)|"
    r"^(?:todas las\s+|últimas\s+)?noticias\s+(?:sobre|de|del)\b",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]")
_CARD_EXTRAS = {"credit", "date", "updated"}  # lines a card may have around its summary
_TERMINAL = re.compile(r"[.!?…:;»”\")。！？]\s*$")
_SENTENCE_END = re.compile(r"[.!?…。！？]\s*$")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # scripts written without spaces


@dataclass(frozen=True)
class Line:
    """One non-blank line of a dump, classified."""

    number: int
    text: str
    kind: str  # text | numbered | bullet | credit | chrome | junk | sep | header | date | updated
    gap: bool  # a blank line came before it
    date: ParsedDate | None = None
    label: str | None = None  # the kind a date line names ("Press release | 12 June 2019")


def _is_prose(text: str) -> bool:
    words = len(text.split()) + len(_WIDE.findall(text)) // 2
    return words >= 8 or (words >= 3 and bool(_TERMINAL.search(text)))


def _is_kicker(text: str) -> bool:
    """A line that may stand above a title: a series, theme or place, not a sentence."""
    return not _is_teaser(text) and len(text.split()) <= 15


def _is_teaser(text: str) -> bool:
    """A sentence under a title (ends as sentences do), never a title itself."""
    return _is_prose(text) and bool(_SENTENCE_END.search(text))


def _is_label(text: str) -> bool:
    return text.strip().casefold().rstrip(":") in LABELS


def _is_furniture(text: str) -> bool:
    """Page furniture: navigation, breadcrumbs, language switchers, players, notices."""
    folded = text.casefold()
    if folded.rstrip(" .:›»>!") in CHROME or _CHROME_RE.match(text) or _FURNITURE.match(text):
        return True
    words = text.split()
    if _COOKIE.search(text) and _NOTICE.search(text) and len(words) <= 60:
        return True
    if _SUBSCRIBE.search(text) and len(words) <= 20:
        return True
    if all(w.strip("|·/,") in _LANGUAGE_NAMES or not w.strip("|·/,") for w in folded.split()):
        return True  # a language switcher: "中文 Español Français Русский العربية"
    if folded in _LANGUAGE_NAMES or folded.replace(" ", "") in {"bahasaindonesia", "tiếngviệt"}:
        return True
    parts = [p for p in _CRUMB.split(text) if p]
    separators = len(re.findall(r"›|»|\s>\s|→|\s\|\s|\s/\s", text))
    if separators >= 2 or (
        separators and parts and parts[0].casefold() in {"home", "accueil", "inicio"}
    ):
        return len(parts) >= 2 and all(
            len(p.split()) <= 6 and not _TERMINAL.search(p) for p in parts
        )
    return False


def _type_line(text: str) -> tuple[ParsedDate, str | None] | None:
    """A line of parts split by "|" that gives an item's date, with its kind and place if said.

    "Press release | Geneva | 12 June 2019", "News | 3 May 2021", "12 June 2019 | Feature",
    "Date issued: 11 May 2005 | Reference: ILO/05/21". Every part must be short: a kind word,
    a place, a reference, or the date.
    """
    parts = [p.strip() for p in _TYPE_SPLIT.split(text) if p.strip()]
    if len(parts) < 2 or len(parts) > 5:
        return None
    date: ParsedDate | None = None
    kind: str | None = None
    places: list[str] = []
    for part in parts:
        found = parse_date_line(part) if date is None else None
        if found is not None and not found.rest:
            date = found
        elif kind is None and is_kind_label(part):
            kind = part
        elif _REFERENCE.match(part):
            continue
        elif len(part.split()) <= 4 and not _TERMINAL.search(part) and part[:1].isupper():
            places.append(part)
        else:
            return None
    if date is None:
        return None
    return ParsedDate(date.date, date.precision, date.text, ", ".join(places)), kind


def _classify(text: str) -> tuple[str, ParsedDate | None]:
    stripped = text.strip()
    if _SEPARATOR.match(stripped):
        return "sep", None
    if (
        _CREDIT.match(stripped)
        or ("©" in stripped and len(stripped.split()) <= 12)
        or _CAPTION_CREDIT.search(stripped)
    ):
        return "credit", None
    if _is_furniture(stripped):
        return "chrome", None
    header = parse_header(stripped)
    if header is not None:
        return "header", header
    if parse_updated(stripped) is not None:
        return "updated", None
    date = parse_date_line(stripped)
    if date is not None:
        return "date", date
    if not _LETTER.search(stripped):
        return "junk", None
    return "text", None


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    gap = True
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            gap = True
            continue
        if len(stripped) > MAX_FIELD:
            stripped = stripped[:MAX_FIELD]
        numbered = _NUMBERED.match(raw)
        bullet = _BULLET.match(stripped)
        if numbered and not parse_date_line(stripped) and not parse_header(stripped):
            out.append(Line(number, (numbered.group(2) or "").strip(), "numbered", gap))
        elif bullet:
            out.append(Line(number, bullet.group(1).strip(), "bullet", gap))
        else:
            typed = _type_line(stripped)
            if typed is not None:
                out.append(Line(number, stripped, "date", gap, typed[0], typed[1]))
                gap = False
                continue
            kind, date = _classify(stripped)
            out.append(Line(number, stripped, kind, gap, date))
        gap = False
    return out


class _DumpReader:
    """Reads one plain-text dump from its structure: numbered lists, cards, dated lists."""

    def __init__(self, result: ReadResult) -> None:
        self.result = result
        self.path = result.path
        self.context: ParsedDate | None = None  # the month or year header items stand under

    def skip(self, line: Line, why: str) -> None:
        self.result.problems.append(Problem(self.path, line.number, f"{why}: {line.text[:80]!r}"))

    # -- top level ------------------------------------------------------------------------

    def read(self, text: str) -> None:
        lines = _lines(text)
        body = self._heading(lines)
        numbered = sum(1 for line in body if line.kind == "numbered")
        bullets = sum(1 for line in body if line.kind == "bullet")
        seps = sum(1 for line in body if line.kind == "sep")
        dates = sum(1 for line in body if line.kind == "date")
        if numbered:
            self.result.layout = "numbered"
        elif bullets:
            self.result.layout = "bulleted"
        elif _anchors(body):
            self.result.layout = "cards"
        elif (
            dates == 1
            and sum(1 for line in body if line.kind == "text" and _is_prose(line.text)) >= 3
        ):
            self.result.layout = "article"
        elif dates:
            self.result.layout = "dated list"
        else:
            self.result.layout = "paragraphs"
        if seps and not numbered:
            self.result.layout += " (separated)"
        segment: list[Line] = []
        for line in body:
            if line.kind == "header":
                self._region(segment)
                segment = []
                self.context = line.date
            elif line.kind == "sep":
                self._region(segment)
                segment = []
            elif line.kind in {"numbered", "bullet"}:
                self._region(segment)
                segment = [line]
            else:
                segment.append(line)
        self._region(segment)

    def _heading(self, lines: list[Line]) -> list[Line]:
        """Take the listing heading (and page chrome) from before the first item."""
        start = 0
        for index, line in enumerate(lines):
            if line.kind == "chrome":
                self.skip(line, "page navigation text skipped")
                start = index + 1
                continue
            if (
                line.kind == "text"
                and not self.result.heading
                and index == start
                and len(line.text.split()) <= 12
                and not _TERMINAL.search(line.text)
                and not _anchored_at(lines, index)
                and index + 1 < len(lines)
                and (
                    lines[index + 1].kind in {"header", "numbered", "chrome", "sep"}
                    or (
                        lines[index + 1].kind == "text"
                        and lines[index + 1].gap
                        and _anchored_at(lines, index + 1)
                    )
                    or _heads_listing(lines, index)
                )
            ):
                self.result.heading = line.text
                start = index + 1
                continue
            break
        return lines[start:]

    def _region(self, lines: list[Line]) -> None:
        """A stretch of lines between numbers, headers or separators: one or more items."""
        if not lines:
            return
        if lines[0].kind in {"numbered", "bullet"}:
            first = lines[0]
            rest = lines[1:]
            if first.text:
                kind, date = _classify(first.text)
                typed = _type_line(first.text)
                if kind in {"header", "sep", "junk"}:
                    kind = "text" if kind == "header" else kind
                if typed is not None:
                    kind, date = "date", typed[0]
                rest = [
                    Line(first.number, first.text, kind, first.gap, date, typed and typed[1]),
                    *rest,
                ]
            if not [line for line in rest if line.kind == "text"]:
                self.result.problems.append(
                    Problem(self.path, first.number, f"{first.kind} entry without a title skipped")
                )
                for line in rest:
                    if line.kind != "credit":
                        self.skip(line, "line of an entry without a title skipped")
                return
            self._segment(rest)
            return
        anchors = _anchors(lines)
        if anchors:
            self._cards(lines, anchors)
        elif any(line.kind == "date" for line in lines):
            self._dated(lines)
        else:
            self._paragraphs(lines)

    # -- splitting a region into items ----------------------------------------------------

    def _cards(self, lines: list[Line], anchors: list[tuple[int, int]]) -> None:
        if anchors[0][0] > 0:
            self._paragraphs(lines[: anchors[0][0]])
        for position, (start, repeat) in enumerate(anchors):
            end = anchors[position + 1][0] if position + 1 < len(anchors) else len(lines)
            title, middle, after = lines[start], lines[start + 1 : repeat], lines[repeat + 1 : end]
            alt_lines = [line for line in middle if line.kind == "text"]
            label = None
            if len(alt_lines) == 1 and _is_label(alt_lines[0].text):
                label, alt_lines = alt_lines[0].text, []
            elif len(alt_lines) >= 2:
                label, alt_lines = alt_lines[-1].text, alt_lines[:-1]
            credits = [line for line in middle if line.kind == "credit"]
            for line in middle:
                if line.kind not in {"text", "credit"}:
                    self.skip(line, "unrecognised line inside a card skipped")
            # After the repeated title: a summary, then perhaps cards without a repeated title.
            head, extra = _split_card_tail(after)
            self._emit(
                title,
                label=label,
                alt=" | ".join(a.text for a in alt_lines),
                credit=" | ".join(c.text for c in credits),
                rest=head,
            )
            if extra:
                self._paragraphs(extra)

    def _dated(self, lines: list[Line]) -> None:
        """An unnumbered list (or one article) where each item has a date line.

        The title is the line directly above the date line, or above a teaser sentence there
        (an article page: title, teaser, "Press release | Geneva | 12 June 2019"); a short line
        above the title is its label or kicker. A date line that opens its block stands above
        its title instead ("News | 3 May 2021", then the title).
        """
        starts: list[int] = []
        for index, line in enumerate(lines):
            if line.kind != "date":
                continue
            start = self._item_start(lines, index)
            if start is not None and (not starts or start > starts[-1]):
                starts.append(start)
        if not starts:
            self._paragraphs(lines)
            return
        if starts[0] > 0:
            self._stray(lines[: starts[0]])
        for position, start in enumerate(starts):
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            self._segment(lines[start:end])

    def _item_start(self, lines: list[Line], index: int) -> int | None:
        """Where the item whose date line is ``lines[index]`` begins (None: not an item's)."""

        def above(position: int) -> int:
            """The nearest line above ``position`` in the same block that is not furniture."""
            while position > 0 and not lines[position].gap:
                position -= 1
                if lines[position].kind not in {"credit", "chrome"}:
                    return position
            return -1

        title = above(index)
        if title < 0 or lines[title].kind != "text":
            # The date line opens its block: the title is the next text line.
            following = next(
                (
                    i
                    for i in range(index + 1, min(index + 4, len(lines)))
                    if lines[i].kind == "text"
                ),
                None,
            )
            return index if following is not None else None
        if _is_teaser(lines[title].text):
            teaser_top = above(title)
            if (
                teaser_top >= 0
                and lines[teaser_top].kind == "text"
                and not _is_label(lines[teaser_top].text)
            ):
                title = teaser_top  # title, teaser, date line: an article page
        start = title
        kicker = above(title)
        if kicker >= 0 and lines[kicker].kind == "text" and _is_kicker(lines[kicker].text):
            start = kicker
        while start > 0 and not lines[start].gap and lines[start - 1].kind in {"credit", "chrome"}:
            start -= 1
        return start

    def _stray(self, lines: list[Line]) -> None:
        """Lines before the first item of a dated list: furniture and stray text, reported."""
        for line in lines:
            if line.kind == "credit":
                continue
            why = (
                "page navigation text skipped"
                if line.kind == "chrome"
                else "text before the first item skipped"
            )
            self.skip(line, why)

    def _paragraphs(self, lines: list[Line]) -> None:
        """No numbers, cards or dates: a title line followed by its prose, item after item.

        Where blank lines set the items apart (most blocks hold a title and more), each block is
        an item; otherwise an item starts at each title-like line after a prose line.
        """
        blocks: list[list[Line]] = []
        for line in lines:
            if line.gap or not blocks:
                blocks.append([])
            blocks[-1].append(line)
        texts = [sum(1 for line in block if line.kind == "text") for block in blocks]
        if len(blocks) >= 2 and 2 * sum(1 for n in texts if n >= 2) >= len(blocks):
            items: list[list[Line]] = []
            for block in blocks:
                first = next((line for line in block if line.kind == "text"), None)
                further = (
                    first is not None
                    and _is_prose(first.text)
                    and bool(_TERMINAL.search(first.text))
                )
                if items and further:
                    items[-1].extend(block)  # a further paragraph of the item above
                else:
                    items.append(block)
            for block in items:
                self._segment(block)
            return
        group: list[Line] = []
        for line in lines:
            starts_item = (
                line.kind == "text"
                and (not _is_prose(line.text) or not _TERMINAL.search(line.text))
                and group
                and any(g.kind == "text" for g in group)
                and (_is_prose(group[-1].text) or group[-1].kind != "text")
            )
            if starts_item:
                self._segment(group)
                group = []
            group.append(line)
        if group:
            self._segment(group)

    # -- one item -------------------------------------------------------------------------

    def _segment(self, lines: list[Line]) -> None:
        """Lines that belong to one item: label or kicker, credit, title, teaser, date, summary."""
        credits = [line.text for line in lines if line.kind == "credit"]
        anchors = _anchors(lines)
        if anchors and anchors[0][0] <= 1:
            self._cards(lines, anchors)
            return
        texts: list[Line] = []
        date_line: Line | None = None
        for line in lines:
            if line.kind == "credit":
                continue
            if line.kind in {"date", "header"} and date_line is None and line.date is not None:
                date_line = line
            elif line.kind == "text":
                texts.append(line)
            elif line.kind == "chrome":
                self.skip(line, "page navigation text skipped")
            elif line.kind == "updated":
                self.skip(line, "update date skipped (not the publication date)")
            else:
                self.skip(line, "unrecognised line skipped")
        if not texts:
            for line in lines:
                if line.kind == "date":
                    self.skip(line, "date without a title skipped")
            return
        label = None
        kicker = None
        before = [t for t in texts if date_line is None or t.number < date_line.number]
        after = [t for t in texts if date_line is not None and t.number > date_line.number]
        teaser: list[Line] = []
        if date_line is not None and not before:
            title, rest = after[0], after[1:]  # "News | 3 May 2021" above the title
        else:
            if (
                date_line is not None
                and len(before) >= 2
                and _is_teaser(before[-1].text)
                and not _is_label(before[-2].text)
            ):
                teaser = [before.pop()]  # title, teaser, date line: an article page
            head = before if date_line is not None else texts[:1]
            if date_line is None and len(texts) >= 2 and _is_label(texts[0].text):
                head = texts[:2]
            title = head[-1]
            typed = date_line.label if date_line is not None else None
            for extra in head[:-1]:
                if _is_label(extra.text) and label is None and typed is None:
                    label = extra.text
                elif (
                    typed
                    and len(extra.text.split()) <= 2
                    and kind_named(extra.text) == kind_named(typed)
                ):
                    continue  # "Podcast" above a "Podcast | 4 May 2021" line says it twice
                elif kicker is None and _is_kicker(extra.text):
                    kicker = extra.text
                else:
                    self.skip(extra, "text above an item's title skipped")
            rest = teaser + [t for t in texts if t.number > title.number and t not in teaser]
        if kicker is not None and date_line is None and len(before) <= 2 and label is None:
            label, kicker = kicker, None  # an undated entry: the line above is its label
        self._emit(
            title,
            label=label,
            kicker=kicker,
            credit=" | ".join(credits),
            rest=rest,
            date_line=date_line,
        )

    def _emit(
        self,
        title: Line,
        *,
        label: str | None,
        credit: str,
        rest: list[Line],
        alt: str = "",
        date_line: Line | None = None,
        kicker: str | None = None,
    ) -> None:
        summary_lines: list[str] = []
        for line in rest:
            if line.kind == "date" and date_line is None:
                date_line = line
            elif line.kind == "credit":
                credit = f"{credit} | {line.text}" if credit else line.text
            elif line.kind == "text" and (not summary_lines or _is_prose(line.text)):
                summary_lines.append(line.text)
            elif line.kind == "chrome":
                self.skip(line, "page navigation text skipped")
            elif line.kind == "updated":
                self.skip(line, "update date skipped (not the publication date)")
            else:
                self.skip(line, "unrecognised line after an item skipped")
        date = date_line.date if date_line is not None else None
        dateline = date.rest if date else ""
        if date_line is not None and date_line.label and label is None:
            label = date_line.label  # "Press release | Geneva | 12 June 2019"
        if label is None and dateline and _is_label(dateline):
            label, dateline = dateline, ""  # "17 March 2017 | Press release"
        precision = date.precision if date else None
        value = date.date if date else None
        if value is None and self.context is not None:
            value, precision = self.context.date, self.context.precision
        self.result.items.append(
            RawItem(
                title=title.text,
                source=self.path,
                line=title.number,
                summary=summary_lines[0] if summary_lines else "",
                body="\n\n".join(summary_lines[1:]),
                date=value,
                date_precision=precision,
                date_text=date.text if date else (self.context.text if self.context else ""),
                label=label,
                heading=self.result.heading,
                kicker=kicker or "",
                date_line=date_line.text if date_line is not None else "",
                credit=credit,
                alt=alt,
                dateline=dateline,
            )
        )


def _heads_listing(lines: list[Line], index: int) -> bool:
    """Line ``index`` heads a listing: worded like one, or set apart above a dated item.

    An item of a dated list is a tight block (label, title, date line); a heading stands alone
    before it, with a blank line under it. A line that is itself a label or whose next line is a
    date is an item's, not the listing's.
    """
    line, following = lines[index], lines[index + 1]
    if _is_label(line.text):
        return False
    if _HEADING.match(line.text) and (following.gap or following.kind != "date"):
        return True
    if following.kind == "date":
        return False
    if not following.gap:
        return False
    for position in range(index + 2, min(index + 5, len(lines))):
        if lines[position].gap:
            return False
        if lines[position].kind == "date":
            return True
    return False


def _anchored_at(lines: list[Line], index: int) -> bool:
    return any(start == index for start, _ in _anchors(lines[index : index + 6], limit=1))


def _anchors(lines: list[Line], limit: int = 0) -> list[tuple[int, int]]:
    """Pairs (i, j): line j repeats title line i two to four lines later, as cards do."""
    found: list[tuple[int, int]] = []
    index = 0
    keys = [normalise_title(line.text) if line.kind == "text" else "" for line in lines]
    while index < len(lines):
        key = keys[index]
        if key and len(key) > 3:
            for other in range(index + 1, min(index + 5, len(lines))):
                if lines[other].kind not in {"text", "credit"}:
                    break
                if keys[other] == key:
                    found.append((index, other))
                    index = other
                    break
            if limit and len(found) >= limit:
                break
        index += 1
    return found


def _split_card_tail(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """After a card's repeated title: its date and summary, then any further lines as items."""
    head: list[Line] = []
    index = 0
    while index < len(lines) and lines[index].kind in _CARD_EXTRAS:
        head.append(lines[index])
        index += 1
    if index < len(lines) and lines[index].kind == "text":
        head.append(lines[index])
        index += 1
    while index < len(lines) and lines[index].kind in _CARD_EXTRAS:
        head.append(lines[index])
        index += 1
    return head, lines[index:]


def read_dump(text: str, result: ReadResult) -> None:
    """Read a plain-text listing dump into ``result``."""
    _DumpReader(result).read(text)


def read_text(text: str, path: str = "<text>") -> ReadResult:
    """Read dump text that is already in memory (tests, previews)."""
    result = ReadResult(path)
    read_dump(text, result)
    return result
