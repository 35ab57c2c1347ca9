"""Every match streamed as CSV or JSON Lines: the same rows as `newsearch export`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from newsearch.search.output import hit_row
from newsearch.search.results import HIT_KEYS, Hit

CHUNK = 64 * 1024  # bytes of text gathered before a piece is sent


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """A header, then one row per hit, sent in pieces as they fill."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(HIT_KEYS), lineterminator="\n")
    writer.writeheader()
    for hit in hits:
        writer.writerow(hit_row(hit))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """One JSON object per line, sent in pieces as they fill."""
    pending: list[str] = []
    size = 0
    for hit in hits:
        line = json.dumps(hit.to_dict(), ensure_ascii=False) + "\n"
        pending.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)
