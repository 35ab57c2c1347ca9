"""The engines the suite measures: newsearch and its peers behind one small interface."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

FACETS = ("topic", "country", "region", "year")
# Module and class of each engine; imported only when used, so a cold process loads one.
ENGINES = {
    "newsearch": ("benchmarks.engines.newsearch_core", "Newsearch"),
    "sqlite-fts5": ("benchmarks.engines.sqlite_fts5", "SqliteFts5"),
    "sqlite-fts5-numpy": ("benchmarks.engines.sqlite_numpy", "SqliteNumpy"),
    "whoosh": ("benchmarks.engines.whoosh_plain", "PlainWhoosh"),
    "tantivy": ("benchmarks.engines.tantivy_peer", "Tantivy"),
}


@dataclass
class Answer:
    """What one query gave: the number of matches, the top ids, and facet counts if asked."""

    total: int
    ids: list[str]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Engine(Protocol):
    """Build, open, ask (top 10 alone, or top 10 with facet counts) and add to an index."""

    name: str
    top10_has_facets: bool  # True when the engine cannot answer without counting facets

    def build(self, corpus: Path, source: list[Path], index: Path) -> int: ...

    def open(self, index: Path) -> None: ...

    def top10(self, words: list[str]) -> Answer: ...

    def faceted(self, words: list[str]) -> Answer: ...

    def add(self, corpus: Path, index: Path) -> int: ...

    def close(self) -> None: ...


def available(name: str) -> str | None:
    """None when engine ``name`` can run here, else why not."""
    module, _ = ENGINES[name]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return f"not installed ({exc.name or exc})"
    return None


def create(name: str) -> Engine:
    module, attr = ENGINES[name]
    engine: Engine = getattr(importlib.import_module(module), attr)()
    return engine
