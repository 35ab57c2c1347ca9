"""Plain Whoosh as its documentation shows it: StemmingAnalyzer, MultifieldParser, groupedby."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import sorting
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import MultifieldParser

from benchmarks.engines import FACETS, Answer
from benchmarks.engines.records import docs

BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "tags": 1.2}


def schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        title=TEXT(analyzer=stem, stored=True),
        summary=TEXT(analyzer=stem, stored=True),
        body=TEXT(analyzer=stem, stored=True),
        tags=TEXT(analyzer=stem),
        topic=KEYWORD(stored=True, commas=True),
        country=KEYWORD(stored=True, commas=True),
        region=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
    )


class PlainWhoosh:
    """Whoosh without tuning: one writer and commit, a searcher per engine, facets by groupedby."""

    name = "whoosh"
    top10_has_facets = False

    def __init__(self) -> None:
        self.ix: Any = None
        self.searcher: Any = None
        self.parser: Any = None

    def build(self, corpus: Path, source: list[Path], index: Path) -> int:
        index.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index), schema())
        return self._write(ix, corpus)

    @staticmethod
    def _write(ix: Any, corpus: Path) -> int:
        writer = ix.writer()
        count = 0
        for doc in docs(corpus):
            fields = {
                "key": doc.key,
                "title": doc.title,
                "summary": doc.summary,
                "body": doc.body,
                "tags": doc.tags,
                "topic": ",".join(doc.topics),
                "country": ",".join(doc.countries),
                "region": ",".join(doc.regions),
                "year": doc.year,
            }
            writer.add_document(**{k: v for k, v in fields.items() if v})
            count += 1
        writer.commit()
        return count

    def open(self, index: Path) -> None:
        self.ix = whoosh_index.open_dir(str(index))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(list(BOOSTS), self.ix.schema, fieldboosts=BOOSTS)

    def top10(self, words: list[str]) -> Answer:
        """The ten best with block-quality skipping; the exact total from an unscored pass."""
        q = self.parser.parse(" ".join(words))
        results = self.searcher.search(q, limit=10)
        return Answer(len(results), [hit["key"] for hit in results])

    def faceted(self, words: list[str]) -> Answer:
        """The ten best with block-quality skipping, the facets from one unscored pass.

        ``groupedby`` on a limited search scores every match to keep ten; counting needs
        every match but no score, so the counts come from an unscored search of the same
        query (which also gives the exact total).
        """
        q = self.parser.parse(" ".join(words))
        facets = sorting.Facets()
        for name in FACETS:
            facets.add_field(name, allow_overlap=name != "year")
        top = self.searcher.search(q, limit=10)
        counted = self.searcher.search(
            q, limit=None, scored=False, sortedby=None, groupedby=facets, maptype=sorting.Count
        )
        counts = {
            name: {str(k): int(v) for k, v in counted.groups(name).items() if k is not None}
            for name in FACETS
        }
        return Answer(len(counted), [hit["key"] for hit in top], counts)

    def add(self, corpus: Path, index: Path) -> int:
        return self._write(whoosh_index.open_dir(str(index)), corpus)

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
            self.searcher = None
