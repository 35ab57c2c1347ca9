"""newsearch through its public core API: IndexStore.build and Engine.search."""

from __future__ import annotations

from pathlib import Path

from benchmarks.engines import Answer
from newsearch.index.store import IndexStore
from newsearch.search.engine import Engine, SearchRequest


class Newsearch:
    """The engine under test. ``Engine.search`` always counts facets, so top10 == faceted."""

    name = "newsearch"
    top10_has_facets = True

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def build(self, corpus: Path, source: list[Path], index: Path) -> int:
        report = IndexStore(index).build(source)
        return int(report.added)

    def open(self, index: Path) -> None:
        # the limits a user's command would have (NEWSEARCH_QUERY_SECONDS=0: none, as the
        # peers have none; on a busy machine a first query can outlast the default limit)
        from newsearch.search.budget import Limits

        self.engine = Engine(index, limits=Limits.from_env())

    def top10(self, words: list[str]) -> Answer:
        return self.faceted(words)

    def faceted(self, words: list[str]) -> Answer:
        assert self.engine is not None
        result = self.engine.search(SearchRequest(" ".join(words), limit=10))
        facets = {
            name: {(v.code or v.value): v.count for v in values}
            for name, values in result.facets.items()
        }
        return Answer(result.total, [hit.id for hit in result.hits], facets)

    def add(self, corpus: Path, index: Path) -> int:
        return int(IndexStore(index).build([corpus]).added)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()
