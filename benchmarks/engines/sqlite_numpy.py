"""SQLite FTS5 with facets counted by NumPy: FTS5 finds the rows, arrays count their values."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.engines import FACETS, Answer
from benchmarks.engines.sqlite_fts5 import DB_FILE, RANK, SqliteFts5, _match

ARRAYS = "facets.npz"


def _save_arrays(db: sqlite3.Connection, folder: Path) -> None:
    """Each facet as parallel arrays (row number, value number) plus its values, in one file."""
    arrays: dict[str, Any] = {}
    for name in FACETS:
        rows = db.execute(
            "SELECT doc, value FROM facet WHERE field = ? ORDER BY doc", (name,)
        ).fetchall()
        values = sorted({value for _, value in rows})
        number = {value: i for i, value in enumerate(values)}
        arrays[f"{name}_docs"] = np.fromiter((d for d, _ in rows), dtype=np.int32, count=len(rows))
        arrays[f"{name}_ids"] = np.fromiter(
            (number[v] for _, v in rows), dtype=np.int32, count=len(rows)
        )
        arrays[f"{name}_values"] = np.array(values, dtype=str)
    size = db.execute("SELECT coalesce(max(rowid), 0) + 1 FROM fts").fetchone()[0]
    arrays["size"] = np.array([size], dtype=np.int64)
    np.savez(folder / ARRAYS, **arrays)


class SqliteNumpy(SqliteFts5):
    """The FTS5 peer, but the matching row numbers feed NumPy ``bincount`` for the facets."""

    name = "sqlite-fts5-numpy"

    def __init__(self) -> None:
        super().__init__()
        self.facets: dict[str, tuple[Any, Any, list[str]]] = {}
        self.size = 0

    def build(self, corpus: Path, source: list[Path], index: Path) -> int:
        count = super().build(corpus, source, index)
        db = sqlite3.connect(index / DB_FILE)
        _save_arrays(db, index)
        db.close()
        return count

    def open(self, index: Path) -> None:
        super().open(index)
        with np.load(index / ARRAYS) as data:
            self.size = int(data["size"][0])
            for name in FACETS:
                self.facets[name] = (
                    data[f"{name}_docs"],
                    data[f"{name}_ids"],
                    [str(v) for v in data[f"{name}_values"]],
                )

    def faceted(self, words: list[str]) -> Answer:
        assert self.db is not None
        match = _match(words)
        rows = self.db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,)).fetchall()
        mask = np.zeros(self.size, dtype=bool)
        if rows:
            mask[np.fromiter((r for (r,) in rows), dtype=np.int64, count=len(rows))] = True
        top = self.db.execute(
            f"SELECT key FROM fts WHERE fts MATCH ? ORDER BY {RANK} LIMIT 10", (match,)
        ).fetchall()
        facets: dict[str, dict[str, int]] = {}
        for name, (docs, ids, values) in self.facets.items():
            counts = np.bincount(ids[mask[docs]], minlength=len(values))
            facets[name] = {values[i]: int(c) for i, c in enumerate(counts.tolist()) if c}
        return Answer(len(rows), [key for (key,) in top], facets)

    def add(self, corpus: Path, index: Path) -> int:
        count = super().add(corpus, index)
        db = sqlite3.connect(index / DB_FILE)
        _save_arrays(db, index)
        db.close()
        return count
