"""Columns: one index snapshot as NumPy arrays (postings, field lengths, dates, facet values)."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.util.numeric import byte_to_length

import newsearch.index.light_imports  # noqa: F401 - NLTK, when the first word is stemmed, without SciPy
from newsearch.index.fields import facet_names
from newsearch.index.whoosh_compat import (
    column_values,
    field_b,
    length_bytes,
    stored_facets,
    term_postings,
    term_postings_if_any,
)
from newsearch.search.bm25 import bm25f
from newsearch.search.budget import check

Ints = npt.NDArray[Any]  # integer arrays (document numbers, value numbers)
Floats = npt.NDArray[Any]  # float arrays (weights, lengths, scores)
Bools = npt.NDArray[np.bool_]

_BYTE_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
POSTINGS_BUDGET = 64 * 1024 * 1024  # bytes of decoded postings kept between queries
READERS = 4  # Whoosh searchers per snapshot that threads may read through at once


@dataclass(frozen=True)
class Facet:
    """A multi-valued field as parallel arrays: document numbers and value numbers."""

    values: tuple[str, ...]
    docs: Ints
    value_ids: Ints

    def counts(self, mask: Bools) -> npt.NDArray[np.int64]:
        """How many documents in ``mask`` carry each value."""
        chosen = mask[self.docs]
        return np.bincount(self.value_ids[chosen], minlength=len(self.values))

    def mask(self, values: tuple[str, ...], size: int) -> Bools:
        """Documents carrying any of ``values``."""
        out = np.zeros(size, dtype=bool)
        wanted = [self.values.index(v) for v in values if v in self.values]
        if wanted:
            out[self.docs[np.isin(self.value_ids, wanted)]] = True
        return out


class Columns:
    """Arrays for one searcher: built once when the searcher opens, reused by every query.

    The arrays never change once built, so any number of threads read them at once. Whoosh's
    files are read by seeking then reading, so each thread other than the one that opened the
    snapshot reads the index files through a searcher of its own over the same segments
    (``sibling`` opens one), made on its first use and closed with :meth:`close`.
    """

    def __init__(
        self,
        searcher: Any,
        sibling: Callable[[Any], Any] | None = None,
        readers: int = READERS,
    ) -> None:
        self._main = searcher
        self._sibling = sibling
        self._local = threading.local()
        self._opened: list[Any] = []
        self._cache_lock = threading.Lock()
        self._main_leaves = _leaves(searcher)
        # searchers free to lend, how many exist, and at most how many (each holds every
        # segment's files open)
        self._free: list[tuple[Any, list[tuple[Any, int]]]] = [(searcher, self._main_leaves)]
        self._made = 1
        self._limit = max(1, readers) if sibling is not None else 1
        self._lent = threading.Condition()
        reader = searcher.reader()
        self.size = int(reader.doc_count_all())
        self.live = np.ones(self.size, dtype=bool)
        for leaf, base in self.leaves:
            deleted = list(leaf.deleted_docs_set or ())
            if deleted:
                self.live[np.asarray(deleted, dtype=np.int64) + base] = False
        self.count = int(self.live.sum())
        self.date = self._column("date", np.uint32).astype(np.int64)
        self.date_asc = self._column("date_asc", np.uint32).astype(np.int64)
        self.date_end = _period_end(self.date, self.date_asc)
        self._lengths: dict[str, Floats] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[Ints, Floats]] = OrderedDict()
        self._postings_bytes = 0
        self._idf: dict[tuple[str, str], float] = {}  # BM25 statistics, fixed per snapshot
        self._avg: dict[str, float] = {}
        self._facet_files: dict[int, dict[str, list[tuple[str, Ints]]] | None] = {}
        self.facets = {
            name: self._facet(name)
            for name in facet_names()
            if name in reader.schema and reader.schema[name].indexed  # older indexes: stored
        }
        self._facet_files.clear()

    # -- the calling thread's Whoosh searcher ---------------------------------------------

    @property
    def searcher(self) -> Any:
        """The Whoosh searcher the calling thread reads this snapshot's files through."""
        return self._reading()[0]

    @property
    def leaves(self) -> list[tuple[Any, int]]:
        """(segment reader, first document number) of the calling thread's searcher."""
        return self._reading()[1]

    def _reading(self) -> tuple[Any, list[tuple[Any, int]]]:
        held: tuple[Any, list[tuple[Any, int]]] | None = getattr(self._local, "reading", None)
        if held is not None:
            return held
        return self._main, self._main_leaves  # while the columns are built, before any lending

    @contextlib.contextmanager
    def borrowed(self) -> Iterator[Any]:
        """Lend the calling thread a Whoosh searcher of this snapshot for its reads (the
        snapshot's own or one over the same segments, at most ``readers`` in all; a thread
        waits when every one is lent). ``searcher`` and ``leaves`` give it meanwhile."""
        held = getattr(self._local, "reading", None)
        if held is not None:  # already lent to this thread
            yield held[0]
            return
        reading = self._take()
        self._local.reading = reading
        try:
            yield reading[0]
        finally:
            self._local.reading = None
            with self._lent:
                self._free.append(reading)
                self._lent.notify()

    def _take(self) -> tuple[Any, list[tuple[Any, int]]]:
        while True:
            with self._lent:
                while not self._free and self._made >= self._limit:
                    self._lent.wait()
                if self._free:
                    return self._free.pop()
                self._made += 1
            assert self._sibling is not None
            try:
                searcher = self._sibling(self._main)
            except FileNotFoundError:
                # a commit removed this snapshot's files since: wait for a searcher that
                # has them open (the engine moves to the new snapshot on the next request)
                with self._lent:
                    self._made -= 1
                    self._limit = self._made
                continue
            with self._cache_lock:
                self._opened.append(searcher)
            return searcher, _leaves(searcher)

    def close(self) -> None:
        """Close the searchers opened for other threads (not the snapshot's own)."""
        with self._cache_lock:
            opened, self._opened = self._opened, []
        for searcher in opened:
            with contextlib.suppress(Exception):
                searcher.close()

    # -- raw column access ----------------------------------------------------------------

    def _column(self, name: str, dtype: Any) -> npt.NDArray[Any]:
        parts = []
        for leaf, _ in self.leaves:
            parts.append(column_values(leaf, name, dtype))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    def lengths(self, field: str) -> Floats:
        """Every document's length in ``field``, as Whoosh's scorer sees it (byte-quantised)."""
        found = self._lengths.get(field)
        if found is None:
            parts = []
            for leaf, _ in self.leaves:
                parts.append(_BYTE_LENGTH[length_bytes(leaf, field)])
            found = np.concatenate(parts) if parts else np.zeros(0)
            self._lengths[field] = found
        return found

    # -- postings -------------------------------------------------------------------------

    def postings(self, field: str, term: str) -> tuple[Ints, Floats]:
        """(document numbers, term weights) of a term, decoded a block at a time."""
        key = (field, term)
        with self._cache_lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        check()
        docs: list[Ints] = []
        weights: list[Floats] = []
        for leaf, base in self.leaves:
            found_here = term_postings_if_any(leaf, field, term)
            if found_here is None:
                continue
            d, w = found_here
            docs.append(d + base)
            weights.append(w)
        found = (
            (np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32))
            if docs
            else (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        )
        with self._cache_lock:
            if key in self._postings:  # another thread decoded it meanwhile
                return self._postings[key]
            self._postings[key] = found
            self._postings_bytes += found[0].nbytes + found[1].nbytes
            while self._postings_bytes > POSTINGS_BUDGET and len(self._postings) > 1:
                _, (old_docs, old_weights) = self._postings.popitem(last=False)
                self._postings_bytes -= old_docs.nbytes + old_weights.nbytes
        return found

    def _facet(self, field: str) -> Facet:
        """A facet field's arrays: from the arrays each segment wrote at commit where it has
        them, else decoded from its postings (segments written before those files)."""
        values: list[str] = []
        leaves: list[tuple[Any, int, dict[str, Ints] | None]] = []
        for leaf, base in self.leaves:
            stored = self._stored_facets(leaf)
            if stored is not None and field in stored:
                found = {v: np.asarray(d, dtype=np.int64) + base for v, d in stored[field]}
                order: list[str] = list(found)
            else:
                found = None
                order = [
                    raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                    for raw in leaf.lexicon(field)
                ]
            for value in order:
                if value not in values:
                    values.append(value)
            leaves.append((leaf, base, found))
        docs: list[Ints] = []
        ids: list[Ints] = []
        for number, value in enumerate(values):
            for leaf, base, found in leaves:
                if found is not None:
                    part = found.get(value)
                elif (field, value) in leaf:
                    part = term_postings(leaf, field, value)[0].astype(np.int64) + base
                else:
                    part = None
                if part is not None and len(part):
                    docs.append(part)
                    ids.append(np.full(len(part), number, dtype=np.int64))
        return Facet(
            tuple(values),
            np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
            np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
        )

    def _stored_facets(self, leaf: Any) -> dict[str, list[tuple[str, Ints]]] | None:
        key = id(leaf)
        if key not in self._facet_files:
            self._facet_files[key] = stored_facets(leaf)
        return self._facet_files[key]

    # -- scoring --------------------------------------------------------------------------

    def term_scores(self, field: str, term: str, boost: float) -> tuple[Bools, Floats] | None:
        """A term's matches and BM25F scores, computed exactly as Whoosh's BM25F does."""
        docs, weights = self.postings(field, term)
        if not len(docs):
            return None
        searcher = self.searcher
        mask = np.zeros(self.size, dtype=bool)
        mask[docs] = True
        scores = np.zeros(self.size)
        if searcher.schema[field].scorable:
            weighting = searcher.weighting
            b = field_b(weighting, field)
            k1 = weighting.K1
            idf = self._idf.get((field, term))
            if idf is None:
                if len(self._idf) > 1_000_000:
                    self._idf.clear()
                idf = self._idf[(field, term)] = searcher.idf(field, term)
            avg = self._avg.get(field)
            if avg is None:
                avg = self._avg[field] = searcher.avg_field_length(field) or 1
            length = self.lengths(field)[docs]
            scores[docs] = bm25f(weights, length, idf=idf, avg=avg, k1=k1, b=b)
        else:
            scores[docs] = weights.astype(np.float64)
        if boost != 1.0:
            scores *= boost
        return mask, scores


def _leaves(searcher: Any) -> list[tuple[Any, int]]:
    # an index that has never committed an item reads as one EmptyReader: no leaves
    return [
        (leaf, base)
        for leaf, base in searcher.reader().leaf_readers()
        if leaf.segment() is not None
    ]


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _period_end(date: Ints, date_asc: Ints) -> Ints:
    """The last day (YYYYMMDD) of each item's date: the date itself when known to the day, the
    month's or year's last day when ``date_asc`` says it is known only to the month or year."""
    end = date.copy()
    dated = date > 0
    year = date // 10000
    month = date // 100 % 100
    by_year = dated & (date_asc % 10000 == 0)
    by_month = dated & (date_asc % 100 == 0) & ~by_year
    end[by_year] = year[by_year] * 10000 + 1231
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    end[by_month] = year[by_month] * 10000 + month[by_month] * 100 + days[by_month]
    return end
