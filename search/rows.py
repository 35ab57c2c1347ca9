"""Hits as JSON Lines and CSV text, in pieces: the one writer of `export`, `query` and the page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from newsearch.index.fields import csv_columns
from newsearch.search.results import Hit

CHUNK = 64 * 1024  # characters gathered before a piece is handed on (0: every row at once)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hit_row(hit: Hit) -> dict[str, Any]:
    """A hit as one flat CSV row: lists joined with '; ', formula-like cells defused."""
    row = hit.to_dict()
    row["snippet"] = hit.snippet_text  # a spreadsheet shows text: no <mark>, no &amp;
    return {
        k: cell("; ".join(v) if isinstance(v, list) else ("" if v is None else v))
        for k, v in row.items()
    }


def cell(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with an apostrophe (OWASP advice)."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def jsonl_pieces(hits: Iterable[Hit], chunk: int = CHUNK) -> Iterator[str]:
    """One JSON object per line (the shape of ``Hit.to_dict()``), handed on as pieces fill."""
    pending: list[str] = []
    size = 0
    for hit in hits:
        line = json.dumps(hit.to_dict(), ensure_ascii=False) + "\n"
        pending.append(line)
        size += len(line)
        if size >= chunk:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def csv_pieces(hits: Iterable[Hit], chunk: int = CHUNK) -> Iterator[str]:
    """A header (the registry's CSV columns), then one row per hit, handed on as pieces fill."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(csv_columns()), lineterminator="\n")
    writer.writeheader()
    for hit in hits:
        writer.writerow(hit_row(hit))
        if buffer.tell() >= chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


PIECES = {"jsonl": jsonl_pieces, "csv": csv_pieces}


def write_rows(fmt: str, hits: Iterable[Hit], out: TextIO, chunk: int = 0) -> int:
    """Write hits to ``out`` as ``jsonl`` or ``csv``; how many were written."""
    counted = _Counted(hits)
    for piece in PIECES[fmt](counted, chunk):
        out.write(piece)
    return counted.count


class _Counted:
    """An iterable of hits that counts them as they go by."""

    def __init__(self, hits: Iterable[Hit]) -> None:
        self._hits = hits
        self.count = 0

    def __iter__(self) -> Iterator[Hit]:
        for hit in self._hits:
            self.count += 1
            yield hit
