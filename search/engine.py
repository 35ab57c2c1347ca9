"""The search engine: one long-lived searcher answering ranked, faceted queries over an index."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import pickle
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh import query as wq

from newsearch.index.analysis import STEM_TABLE, fold, stem, terms, use_stem_table
from newsearch.index.errors import IndexDamagedError, ItemNotFoundError, QueryError
from newsearch.index.item import Item
from newsearch.index.places import country_name
from newsearch.index.schema import FIELD_BOOSTS
from newsearch.index.store import IndexStore, item_from_stored
from newsearch.search.columns import Bools, Columns
from newsearch.search.facets import facet_values
from newsearch.search.highlight import has_match, snippet
from newsearch.search.query import Filters, Parsed, date_key, parse, resolve
from newsearch.search.results import EMPTY_INDEX, FACET_NAMES, Hit, SearchResult, Stats
from newsearch.search.scoring import Unsupported, docset, evaluate

# what Whoosh raises when the bytes of a segment file are not what it wrote
READ_ERRORS = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, OSError)

SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
MAX_LIMIT = 1000


F = TypeVar("F", bound=Any)


def _damage_is_reported(method: F) -> F:
    """Turn a low-level read failure inside the index into IndexDamagedError with its way out."""

    @functools.wraps(method)
    def wrapper(self: Engine, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except READ_ERRORS as exc:
            raise self._damaged(exc) from None

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class SearchRequest:
    """What to look for: query text, filters, order and which page."""

    text: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    # with --from/--to: also match items dated only to a month or year that overlaps the
    # range without lying inside it (a 2021 item for --from 2021-03); by default they are
    # left out and counted in ``SearchResult.left_out``
    coarse_dates: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if not 0 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 0 and {MAX_LIMIT}")
        if self.page < 1:
            raise QueryError("page numbers start at 1")


class Engine:
    """Opens the index once, keeps one searcher, and picks up new commits by itself."""

    def __init__(self, index_dir: str | os.PathLike[str]) -> None:
        self.store = IndexStore(index_dir)
        self._lock = threading.RLock()
        self._ix: Any = None
        self._searcher: Any = None
        self._columns: Columns | None = None
        self._languages: tuple[str, ...] = ("en",)
        self._exports: dict[int, int] = {}  # searcher id -> exports still reading from it

    # -- the searcher ---------------------------------------------------------------------

    def _current(self) -> tuple[Any, Columns]:
        if self._searcher is None:
            self._ix = self.store.open()
            use_stem_table(self.store.path / STEM_TABLE)
            self._searcher = self._ix.searcher()
            self._reset()
        elif not self._searcher.up_to_date():
            old = self._searcher
            try:
                self._searcher = self._ix.searcher()
            except Exception as exc:
                raise IndexDamagedError(
                    f"the index at {self.store.path} could not be reloaded ({type(exc).__name__})"
                ) from None
            self._reset()
            if not self._exports.get(id(old)):
                old.close()  # an export still reading the old snapshot closes it when done
        assert self._columns is not None
        return self._searcher, self._columns

    def _reset(self) -> None:
        self._columns = Columns(self._searcher)
        languages = self._columns.facets["language"].values
        self._languages = tuple(v for v in ("en", "fr", "es") if v in languages) or ("en",)

    def _damaged(self, exc: BaseException) -> IndexDamagedError:
        return IndexDamagedError(
            f"the index at {self.store.path} is damaged ({type(exc).__name__}: {exc})"
        )

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index files (exports still reading keep their snapshot until done)."""
        with self._lock:
            searcher = self._searcher
            if searcher is not None and not self._exports.get(id(searcher)):
                searcher.close()
            self._searcher = None

    # -- searching ------------------------------------------------------------------------

    def filters(self, **values: Any) -> Filters:
        """:meth:`Filters.build`, also taking the topics and countries that records gave
        outside the vocabularies (as the index holds them, any case)."""
        given: dict[str, list[str]] = {"topic": [], "country": []}
        with self._lock:
            _, columns = self._current()
            for name in given:
                held = {v.casefold(): v for v in columns.facets[name].values}
                rest = []
                for value in values.get(name) or ():
                    found = held.get(" ".join(value.replace(",", " ").split()).casefold())
                    try:
                        resolve(name, value)
                    except QueryError:
                        if found is not None:
                            given[name].append(found)
                            continue
                    rest.append(value)
                values[name] = rest
        built = Filters.build(**values)
        return dataclasses.replace(
            built,
            topic=(*built.topic, *given["topic"]),
            country=(*built.country, *given["country"]),
        )

    def parse(self, text: str) -> Parsed:
        with self._lock:
            self._current()
            return parse(text, self._languages)

    @_damage_is_reported
    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        with self._lock:
            searcher, columns = self._current()
            parsed = parse(request.text, self._languages)
            matches, scores = self._matches(columns, parsed.query)
            masks = self._filter_masks(columns, request.filters, request.coarse_dates)

            def narrowed(without: str | None = None) -> Bools:
                out = matches
                for name, mask in masks.items():
                    if name != without:
                        out = out & mask
                return out

            matched = narrowed()
            total = int(matched.sum())
            facets = {name: facet_values(columns, name, narrowed(name)) for name in FACET_NAMES}
            hits: tuple[Hit, ...] = ()
            if request.limit and total:
                start = (request.page - 1) * request.limit
                ranked = self._ranked(
                    searcher, columns, parsed, request, matched, scores, start + request.limit
                )
                relevance = self._sort(request) == "relevance"
                hits = tuple(
                    self._hit(searcher.stored_fields(doc), parsed, score if relevance else None)
                    for doc, score in ranked[start:]
                )
            suggestion = None
            if total == 0 and parsed.words:
                suggestion = self._suggest(searcher, columns, request.text, parsed)
            left_out = self._left_out(columns, request, narrowed("date")) if "date" in masks else {}
        return SearchResult(
            query=request.text,
            total=total,
            page=request.page,
            limit=request.limit,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            sort=self._sort(request),
            seconds=time.perf_counter() - started,
            indexed=columns.count,
            left_out=left_out,
        )

    @staticmethod
    def _sort(request: SearchRequest) -> str:
        if request.sort == "relevance" and not request.text.strip():
            return "newest"
        return request.sort

    @staticmethod
    def _matches(columns: Columns, q: wq.Query) -> tuple[Bools, Any]:
        """Live matching documents and, where the evaluator can score the query, their scores."""
        try:
            mask, scores = evaluate(q, columns)
        except Unsupported:
            mask, scores = docset(q, columns), None
        return mask & columns.live, scores

    @staticmethod
    def _filter_masks(
        columns: Columns, filters: Filters, coarse_dates: bool = False
    ) -> dict[str, Bools]:
        masks = {
            name: columns.facets[name].mask(values, columns.size)
            for name, values in filters.facet_terms().items()
        }
        if filters.date_from or filters.date_to:
            within, overlapping = _date_masks(columns, filters)
            masks["date"] = within | overlapping if coarse_dates else within
        return masks

    @staticmethod
    def _left_out(columns: Columns, request: SearchRequest, others: Bools) -> dict[str, int]:
        """How many items matching everything but the date filter it left out, and why."""
        _, overlapping = _date_masks(columns, request.filters)
        out = {"undated": int((others & (columns.date == 0)).sum())}
        out["coarser"] = 0 if request.coarse_dates else int((others & overlapping).sum())
        return out

    def _ranked(
        self,
        searcher: Any,
        columns: Columns,
        parsed: Parsed,
        request: SearchRequest,
        matched: Bools,
        scores: Any,
        limit: int | None,
    ) -> list[tuple[int, float | None]]:
        """The first ``limit`` (or all) matches in the requested order, ties by document number."""
        docs = np.flatnonzero(matched)
        sort = self._sort(request)
        if sort == "relevance" and scores is None:
            # phrases, wildcards and fuzzy terms: Whoosh scores them
            allowed: Any = request.filters.query()
            if request.filters.date_from or request.filters.date_to:
                allowed = set(docs.tolist())  # dates are filtered with their precision
            top = _whoosh_top(searcher, parsed.query, limit, allowed)
            return [(int(doc), float(score)) for score, doc in top]
        if sort == "relevance":
            key = -scores[docs]
        elif sort == "newest":
            key = -columns.date[docs].astype(np.float64)
        else:
            key = columns.date_asc[docs].astype(np.float64)
        if limit is not None and limit < len(docs):
            cut = np.partition(key, limit - 1)[limit - 1]
            keep = key <= cut  # everything tied with the last place stays in the running
            docs, key = docs[keep], key[keep]
        chosen = docs[np.lexsort((docs, key))[:limit]]
        if sort == "relevance":
            return [(int(doc), float(scores[doc])) for doc in chosen]
        return [(int(doc), None) for doc in chosen]

    def _hit(self, fields: dict[str, Any], parsed: Parsed | None, score: float | None) -> Hit:
        language = fields.get("language", "en")
        stems = parsed.stems if parsed else set()
        prefixes = parsed.prefixes if parsed else set()
        spans = snippet(fields.get("summary", ""), stems, prefixes, language)
        if (stems or prefixes) and not has_match(spans):
            for name in ("body", "title"):
                alternative = snippet(fields.get(name, ""), stems, prefixes, language)
                if has_match(alternative):
                    spans = alternative
                    break
        if not spans:
            spans = snippet(fields.get("body", ""), stems, prefixes, language)
        codes = tuple(v for v in (fields.get("country") or "").split(",") if v)
        return Hit(
            id=fields["id"],
            title=fields.get("title", ""),
            date=fields.get("published") or None,
            summary=fields.get("summary", ""),
            snippet=spans,
            score=score,
            topics=tuple(v for v in (fields.get("topic") or "").split(",") if v),
            countries=tuple(fields.get("country_name") or (country_name(c) for c in codes)),
            country_codes=codes,
            regions=tuple(v for v in (fields.get("region") or "").split(",") if v),
            label=fields.get("label") or None,
            language=language,
            url=fields.get("url") or None,
            source=fields.get("source", ""),
            date_precision=fields.get("date_precision") or None,
        )

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every matching item, in the requested order, one at a time (no cap).

        The whole export reads one snapshot of the index, even if a commit lands meanwhile.
        """
        with self._lock:
            searcher, columns = self._current()
            parsed = parse(request.text, self._languages)
            try:
                matches, scores = self._matches(columns, parsed.query)
                masks = self._filter_masks(columns, request.filters, request.coarse_dates)
                for mask in masks.values():
                    matches = matches & mask
                ranked = self._ranked(searcher, columns, parsed, request, matches, scores, None)
            except READ_ERRORS as exc:
                raise self._damaged(exc) from None
            relevance = self._sort(request) == "relevance"
            self._exports[id(searcher)] = self._exports.get(id(searcher), 0) + 1
        try:
            for doc, score in ranked:
                with self._lock:
                    try:
                        fields = searcher.stored_fields(doc)
                    except READ_ERRORS as exc:
                        raise self._damaged(exc) from None
                yield self._hit(fields, parsed, score if relevance else None)
        finally:
            with self._lock:
                left = self._exports.pop(id(searcher)) - 1
                if left:
                    self._exports[id(searcher)] = left
                elif searcher is not self._searcher and not searcher.is_closed:
                    searcher.close()

    def count(self, text: str, filters: Filters | None = None) -> int:
        return self.search(SearchRequest(text=text, filters=filters or Filters(), limit=0)).total

    # -- spelling -------------------------------------------------------------------------

    def _suggest(self, searcher: Any, columns: Columns, text: str, parsed: Parsed) -> str | None:
        reader = searcher.reader()
        corrected = text
        changed = False
        for word, offset in sorted(parsed.words, key=lambda w: -w[1]):
            folded = fold(word.lower())
            known = any(
                searcher.doc_frequency(f, stem(folded, lang))
                for f in FIELD_BOOSTS
                for lang in self._languages
            )
            if known or not folded.isalpha():
                continue
            best: tuple[int, int, str] | None = None
            for candidate in reader.terms_within("spell", folded, 2, prefix=1):
                if candidate == folded:
                    continue
                distance = _distance(folded, candidate)
                frequency = reader.doc_frequency("spell", candidate)
                key = (distance, -frequency, candidate)
                if best is None or key < best:
                    best = key
            if best is not None:
                replacement = best[2]
                if word[:1].isupper():
                    replacement = replacement.capitalize()
                corrected = corrected[:offset] + replacement + corrected[offset + len(word) :]
                changed = True
        if not changed:
            return None
        try:
            fixed = parse(corrected, self._languages)
        except QueryError:
            return None
        if not (docset(fixed.query, columns) & columns.live).any():
            return None
        return corrected

    # -- single items ---------------------------------------------------------------------

    @_damage_is_reported
    def get(self, item_id: str) -> Item:
        with self._lock:
            searcher, _ = self._current()
            docnum = searcher.document_number(id=item_id.strip())
            if docnum is None:
                if not self._current()[1].count:
                    raise ItemNotFoundError(
                        f"no item with id {item_id!r}: {EMPTY_INDEX.split('; ')[0]}",
                        hint=f"{EMPTY_INDEX.split('; ')[1]}",
                    )
                raise ItemNotFoundError(f"no item with id {item_id!r}")
            return item_from_stored(searcher.stored_fields(docnum))

    @_damage_is_reported
    def similar(self, item_id: str, limit: int = 10) -> list[Hit]:
        """Items that share the most distinctive words, topics and countries with an item."""
        item = self.get(item_id)
        with self._lock:
            searcher, _ = self._current()
            counts = Counter(
                terms(f"{item.title} {item.title} {item.summary} {item.body[:5000]}", item.language)
            )
            total = max(1, searcher.doc_count())
            weighted = []
            for term, tf in counts.items():
                df = searcher.doc_frequency("summary", term) + searcher.doc_frequency("title", term)
                if df <= 1 or len(term) < 3:
                    continue
                weighted.append((tf * math.log(1 + total / df), term))
            weighted.sort(reverse=True)
            clauses: list[wq.Query] = []
            for weight, term in weighted[:15]:
                for name in ("title", "summary", "body"):
                    clauses.append(wq.Term(name, term, boost=weight * FIELD_BOOSTS[name]))
            for topic in item.topics:
                clauses.append(wq.Term("topic", topic, boost=2.0))
            for code in item.country_codes:
                clauses.append(wq.Term("country", code, boost=2.0))
            if not clauses:
                return []
            q = wq.AndNot(wq.Or(clauses), wq.Term("id", item.id))
            parsed = Parsed(q, stems={t for _, t in weighted[:15]})
            return [
                self._hit(searcher.stored_fields(docnum), parsed, score)
                for score, docnum in _whoosh_top(searcher, q, limit)
            ]

    # -- statistics -----------------------------------------------------------------------

    @_damage_is_reported
    def stats(self) -> Stats:
        with self._lock:
            _, columns = self._current()
            facets = {
                name: facet_values(columns, name, columns.live)
                for name in (*FACET_NAMES, "language", "kind")
            }
            segments = len(columns.leaves) if columns.size else 0
            undated = int((columns.live & (columns.date == 0)).sum())
        size = sum(p.stat().st_size for p in Path(self.store.path).iterdir() if p.is_file())
        return Stats(
            path=str(self.store.path),
            items=columns.count,
            size_bytes=size,
            updated=self.store.meta().get("updated"),
            segments=segments,
            facets=facets,
            undated=undated,
        )


def _date_masks(columns: Columns, filters: Filters) -> tuple[Bools, Bools]:
    """Items whose date lies within the filter's range, and items dated only to a month or
    year that overlaps the range without lying inside it."""
    low = date_key(filters.date_from) if filters.date_from else 1
    high = date_key(filters.date_to) if filters.date_to else 29_991_231
    dated = columns.date > 0
    start, end = columns.date, columns.date_end
    within = dated & (start >= low) & (end <= high)
    overlapping = dated & (start <= high) & (end >= low) & ~within
    return within, overlapping


def _whoosh_top(
    searcher: Any, q: wq.Query, limit: int | None, filter_query: Any = None
) -> list[tuple[float, int]]:
    """Whoosh's own ranking of ``q``: (score, document) pairs, best first, ties by document.

    Whoosh's top-N collector swaps in "more efficient" matchers as it goes, and that can drop a
    document that belongs in the top N; with replacement off its answer is exact.
    """
    collector = searcher.collector(limit=limit, filter=filter_query, terms=False)
    inner = collector
    while hasattr(inner, "child"):
        inner = inner.child
    if hasattr(inner, "replace"):
        inner.replace = 0
    searcher.search_with_collector(q, collector)
    return [(float(score), int(doc)) for score, doc in collector.results().top_n]


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
