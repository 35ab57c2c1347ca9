"""Corpus files: finding them, decoding them, and handing each to its reader."""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from newsearch.index.corpus.dump import read_dump
from newsearch.index.corpus.records import (
    csv_records,
    json_lines_records,
    read_csv,
    read_json_array,
    read_json_lines,
)
from newsearch.index.corpus.result import (
    CSV_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    MAX_FIELD,
    MAX_TITLE,
    MAX_VALUE,
    MAX_VALUES,
    SUPPORTED,
    ReadResult,
)
from newsearch.index.errors import CorpusError
from newsearch.index.item import Problem, RawItem

SAMPLE_DIR = Path(__file__).parent.parent / "samples"


def sample_paths() -> list[Path]:
    """The built-in sample corpus: the ILO forced-labour news dumps shipped with newsearch."""
    return sorted(SAMPLE_DIR.glob("*.txt"))


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


def decode(data: bytes, path: str, *, binary: bool = False) -> tuple[str, list[Problem]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a note.

    Binary data is refused with :class:`BinaryFileError` (unless ``binary``: a file of records
    may hold some binary lines among good ones).
    """
    problems: list[Problem] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" not in data:
        # UTF-16 text holds NUL bytes (every line break is one): this is the mark alone
        data = data[2:]
        problems.append(
            Problem(path, 1, "starts with a UTF-16 byte-order mark but is not UTF-16; mark ignored")
        )
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), problems
        except UnicodeDecodeError as exc:
            raise CorpusError(
                f"{path}: starts like UTF-16 but is not valid UTF-16 ({exc})"
            ) from None
    head = data[:8192]
    if head.count(b"\x00") > max(8, len(head) // 100) and not binary:
        # a stray NUL is one record's problem
        raise BinaryFileError(f"{path}: looks like a binary file (it holds NUL bytes), not text")
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
    if controls > max(8, len(sample) // 100) and not binary:
        raise BinaryFileError(
            f"{path}: looks like a binary file ({controls} control characters), not text"
        )
    return text, problems


class BinaryFileError(CorpusError):
    """A file that looks like binary data rather than text."""


WHOLE_BINARY = 64 * 1024 * 1024  # bytes: a bigger file that looks binary is refused unread


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
    looks_binary = ""
    try:
        text, problems = decode(data, name)
    except BinaryFileError as exc:
        # a file of records is read record by record all the same: its good records are kept
        # when there are any (the binary lines are its bad records)
        looks_binary = exc.message.split(": ", 1)[-1]
        if suffix not in RECORD_SUFFIXES or len(data) > WHOLE_BINARY:
            return _refused(result, looks_binary)
        text, problems = decode(data, name, binary=True)
    except CorpusError as exc:
        return _refused(result, exc.message.split(": ", 1)[-1])
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
    if looks_binary:
        if not result.items:
            return _refused(ReadResult(name, layout=result.layout), looks_binary)
        result.problems.insert(
            0, Problem(name, 0, f"{looks_binary}; its readable records were kept")
        )
    result.items = [bounded(item, result) for item in result.items]
    return result


RECORD_SUFFIXES = JSONL_SUFFIXES | JSON_SUFFIXES | CSV_SUFFIXES


def _refused(result: ReadResult, reason: str) -> ReadResult:
    result.failed = True
    result.problems.append(Problem(result.path, 0, reason, "error"))
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
        # UTF-16, or binary: the whole-file reader decides (it keeps the good records of a file
        # with some binary lines). A few NUL bytes are one bad record's problem.
        whole = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
            head.count(b"\x00") > len(head) // 100
        )
        if not whole:
            try:
                decode(head.replace(b"\x00", b""), result.path)
            except BinaryFileError:
                whole = True
            except CorpusError as exc:
                _refused(result, exc.message.split(": ", 1)[-1])
                return
        if whole:
            handle.close()
            read = read_path(path)
            result.problems.extend(read.problems)
            result.failed = read.failed
            result.layout = read.layout
            yield from read.items
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
