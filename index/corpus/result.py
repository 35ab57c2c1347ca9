"""What reading one corpus file gives, and the limits every reader keeps to."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsearch.index.item import Problem, RawItem

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
