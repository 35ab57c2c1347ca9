"""Corpus readers: plain-text listing dumps, JSON / JSON Lines and CSV files into raw items."""

from __future__ import annotations

from newsearch.index.corpus.dump import read_dump, read_text
from newsearch.index.corpus.files import (
    SAMPLE_DIR,
    bounded,
    decode,
    discover,
    read_path,
    sample_paths,
    stream_path,
)
from newsearch.index.corpus.records import record_to_item
from newsearch.index.corpus.result import (
    MAX_DEPTH,
    MAX_FIELD,
    MAX_TITLE,
    MAX_VALUE,
    MAX_VALUES,
    SUPPORTED,
    ReadResult,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_FIELD",
    "MAX_TITLE",
    "MAX_VALUE",
    "MAX_VALUES",
    "SAMPLE_DIR",
    "SUPPORTED",
    "ReadResult",
    "bounded",
    "decode",
    "discover",
    "read_dump",
    "read_path",
    "read_text",
    "record_to_item",
    "sample_paths",
    "stream_path",
]
