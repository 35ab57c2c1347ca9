"""SQLite FTS5 (stdlib sqlite3): porter tokenizer, bm25 ranking, facets by GROUP BY on a join."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from benchmarks.engines import Answer
from benchmarks.engines.records import Doc, docs

DB_FILE = "fts.sqlite3"
# Column weights for bm25(): title, summary, body, tags (the boosts newsearch uses).
RANK = "bm25(fts, 3.0, 1.5, 1.0, 1.2)"


def _match(words: list[str]) -> str:
    """Words ANDed across all columns; each quoted so no word reads as an operator."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


class SqliteFts5:
    """One database file: the FTS5 table (rowid = item number) and a (doc, field, value) table."""

    name = "sqlite-fts5"
    top10_has_facets = False

    def __init__(self) -> None:
        self.db: sqlite3.Connection | None = None

    def build(self, corpus: Path, source: list[Path], index: Path) -> int:
        index.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(index / DB_FILE)
        db.executescript(
            """
            CREATE VIRTUAL TABLE fts USING fts5(key UNINDEXED, title, summary, body, tags,
                                                tokenize='porter');
            CREATE TABLE facet(doc INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
            """
        )
        count = self._insert(db, docs(corpus), first=1)
        db.execute("CREATE INDEX facet_doc ON facet(doc)")
        db.commit()
        db.close()
        return count

    @staticmethod
    def _insert(db: sqlite3.Connection, items: Iterable[Doc], first: int) -> int:
        count = 0
        with db:
            for rowid, doc in enumerate(items, start=first):
                db.execute(
                    "INSERT INTO fts(rowid, key, title, summary, body, tags) VALUES (?,?,?,?,?,?)",
                    (rowid, doc.key, doc.title, doc.summary, doc.body, doc.tags),
                )
                rows = [(rowid, "topic", v) for v in doc.topics]
                rows += [(rowid, "country", v) for v in doc.countries]
                rows += [(rowid, "region", v) for v in doc.regions]
                if doc.year:
                    rows.append((rowid, "year", doc.year))
                db.executemany("INSERT INTO facet VALUES (?,?,?)", rows)
                count += 1
        return count

    def open(self, index: Path) -> None:
        self.db = sqlite3.connect(index / DB_FILE, check_same_thread=False)

    def top10(self, words: list[str]) -> Answer:
        assert self.db is not None
        match = _match(words)
        total = self.db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()
        rows = self.db.execute(
            f"SELECT key, title FROM fts WHERE fts MATCH ? ORDER BY {RANK} LIMIT 10", (match,)
        ).fetchall()
        return Answer(total[0], [key for key, _ in rows])

    def faceted(self, words: list[str]) -> Answer:
        assert self.db is not None
        answer = self.top10(words)
        facets: dict[str, dict[str, int]] = {}
        for name, value, count in self.db.execute(
            "SELECT f.field, f.value, count(*) FROM fts JOIN facet f ON f.doc = fts.rowid "
            "WHERE fts MATCH ? GROUP BY f.field, f.value",
            (_match(words),),
        ):
            facets.setdefault(name, {})[value] = count
        answer.facets = facets
        return answer

    def add(self, corpus: Path, index: Path) -> int:
        db = sqlite3.connect(index / DB_FILE)
        first = db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM fts").fetchone()[0]
        count = self._insert(db, docs(corpus), first=first)
        db.close()
        return count

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
