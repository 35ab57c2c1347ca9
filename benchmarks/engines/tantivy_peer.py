"""tantivy (optional Python package): en_stem text fields, raw fast fields, terms aggregations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tantivy

from benchmarks.engines import FACETS, Answer
from benchmarks.engines.records import docs

BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0, "tags": 1.2}
HEAP = 256 * 1024 * 1024


def schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    for name in ("title", "summary", "body"):
        builder.add_text_field(name, stored=True, tokenizer_name="en_stem")
    builder.add_text_field("tags", stored=False, tokenizer_name="en_stem")
    for name in FACETS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    return builder.build()


class Tantivy:
    """One index folder; queries parsed with AND between words, facets by terms aggregations."""

    name = "tantivy"
    top10_has_facets = False

    def __init__(self) -> None:
        self.index: Any = None
        self.searcher: Any = None

    def build(self, corpus: Path, source: list[Path], index: Path) -> int:
        index.mkdir(parents=True, exist_ok=True)
        return self._write(tantivy.Index(schema(), path=str(index)), corpus)

    @staticmethod
    def _write(ix: Any, corpus: Path) -> int:
        writer = ix.writer(HEAP)
        count = 0
        for doc in docs(corpus):
            fields: dict[str, Any] = {
                "key": doc.key,
                "title": doc.title,
                "summary": doc.summary,
                "body": doc.body,
                "tags": doc.tags,
                "topic": list(doc.topics),
                "country": list(doc.countries),
                "region": list(doc.regions),
            }
            if doc.year:
                fields["year"] = doc.year
            writer.add_document(tantivy.Document(**{k: v for k, v in fields.items() if v}))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    def open(self, index: Path) -> None:
        self.index = tantivy.Index.open(str(index))
        self.index.reload()
        self.searcher = self.index.searcher()

    def _query(self, words: list[str]) -> Any:
        return self.index.parse_query(
            " ".join(words), list(BOOSTS), field_boosts=BOOSTS, conjunction_by_default=True
        )

    def top10(self, words: list[str]) -> Answer:
        query = self._query(words)
        result = self.searcher.search(query, 10, count=True)
        keys = [self.searcher.doc(address)["key"][0] for _, address in result.hits]
        return Answer(result.count or 0, keys)

    def faceted(self, words: list[str]) -> Answer:
        query = self._query(words)
        result = self.searcher.search(query, 10, count=True)
        keys = [self.searcher.doc(address)["key"][0] for _, address in result.hits]
        spec = {name: {"terms": {"field": name, "size": 1000}} for name in FACETS}
        aggregated = self.searcher.aggregate(query, spec)
        facets = {
            name: {str(b["key"]): int(b["doc_count"]) for b in aggregated[name]["buckets"]}
            for name in FACETS
        }
        return Answer(result.count or 0, keys, facets)

    def add(self, corpus: Path, index: Path) -> int:
        return self._write(tantivy.Index.open(str(index)), corpus)

    def close(self) -> None:
        self.searcher = None
        self.index = None
