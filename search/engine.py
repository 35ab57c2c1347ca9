"""The search engine: one long-lived searcher answering ranked, faceted queries over an index."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pickle
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector

from newsearch.index.analysis import STEM_TABLE, use_stem_table
from newsearch.index.documents import item_from_stored
from newsearch.index.duplicates import ClusterView
from newsearch.index.duplicates import view as cluster_view
from newsearch.index.errors import IndexDamagedError, ItemNotFoundError, QueryError
from newsearch.index.fields import filter_names
from newsearch.index.item import Item
from newsearch.index.store import IndexStore
from newsearch.index.vocabulary import Entry
from newsearch.index.whoosh_compat import column_values
from newsearch.search.budget import Budget, Limits, bound, running
from newsearch.search.budget import current as current_budget
from newsearch.search.columns import Bools, Columns, Ints
from newsearch.search.explain import explanation
from newsearch.search.facets import facet_mask, facet_values
from newsearch.search.filters import Filters, date_key, resolve
from newsearch.search.highlight import has_match, snippet
from newsearch.search.periods import UNITS, PeriodCounts, period_of
from newsearch.search.query import Parsed, Plan, Unit, entry_query, parse
from newsearch.search.results import EMPTY_INDEX, FACET_NAMES, Hit, SearchResult, Stats
from newsearch.search.scoring import Unsupported, docset, evaluate, evaluate_any, within
from newsearch.search.similar import similar_documents
from newsearch.search.spelling import suggest
from newsearch.search.stories import first_per_cluster, story_totals, with_cluster

# what Whoosh raises when the bytes of a segment file are not what it wrote
READ_ERRORS = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, OSError)

SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
MAX_REQUEST_RESULTS = 1000  # hits one request may ask for (core, CLI); exports have no cap
MATCHES: tuple[str, ...] = ("auto", "all", "any")
# Fewer full matches than this and items matching some of the words are listed after them.
PARTIAL_THRESHOLD = 10
# What a vocabulary expansion (translation, alias, place) counts for next to the words typed.
EXPANSION_WEIGHT = 0.2
# what a word of a vocabulary phrase counts for, in an item without the whole phrase
PHRASE_PART = 0.5
# where an item holds a query word, for ranking among as many words: title, text, tags
TITLE_FIELDS = frozenset({"title"})
TAG_FIELDS = frozenset({"tags"})
BODY_EVIDENCE = 0.6
TAG_EVIDENCE = 0.3


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
    match: str = "auto"  # auto: all words, then some when few match all | all | any
    expand: bool = True  # use the vocabulary (translations, aliases, places, codes' names)
    correct: bool = True  # run a corrected query when a misspelt word finds nothing
    explain: bool = False  # say how the query was searched
    # with --from/--to: also match items dated only to a month or year that overlaps the
    # range without lying inside it (a 2021 item for --from 2021-03); by default they are
    # left out and counted in ``SearchResult.left_out``
    coarse_dates: bool = False
    # near-duplicates (search/stories.py): ``grouped`` lists one hit per story (at its
    # best-ranked version); ``collapse`` also counts totals and facets per story, not per item
    grouped: bool = False
    collapse: bool = False

    def __post_init__(self) -> None:
        if self.match not in MATCHES:
            raise QueryError(f"unknown match {self.match!r}; use one of {', '.join(MATCHES)}")
        if self.sort not in SORTS:
            raise QueryError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if not 0 <= self.limit <= MAX_REQUEST_RESULTS:
            raise QueryError(f"limit must be between 0 and {MAX_REQUEST_RESULTS}")
        if self.page < 1:
            raise QueryError("page numbers start at 1")


@dataclass
class _Outcome:
    """What a query matched: full and partial matches (before filters) and their ranking keys."""

    filtered: Bools
    units: list[Unit]
    full: Bools = field(default_factory=lambda: np.zeros(0, dtype=bool))
    partial: Bools = field(default_factory=lambda: np.zeros(0, dtype=bool))
    scores: Any = None  # exact BM25F scores of the strict query (None: Whoosh ranks it)
    strict: bool = True  # full matches ranked exactly as Whoosh ranks the query
    total: int = 0
    partial_total: int = 0
    fallback: bool = False
    own_masks: list[Bools] = field(default_factory=list)
    unit_masks: list[Bools] = field(default_factory=list)
    evidence: list[Any] = field(default_factory=list)  # per unit: where each item holds it
    typed: list[Bools] = field(default_factory=list)  # per unit: as typed, not in tags only
    count: Any = None  # how many of the query's words (or their expansions) each item holds
    subject: Any = None  # information of the words saying what (not where) that it holds
    own_count: Any = None  # information of the words as typed that each item holds
    matched: Any = None  # information of the query's words (or their expansions) it holds
    prominence: Any = None  # the same, by where it holds them (title, text, tags)
    tiered: Any = None

    def __post_init__(self) -> None:
        if not len(self.partial):
            self.partial = np.zeros(len(self.filtered), dtype=bool)
            self.full = np.zeros(len(self.filtered), dtype=bool)

    def matched_words(self, doc: int) -> tuple[str, ...]:
        if not self.unit_masks:
            return tuple(u.text for u in self.units)
        return tuple(u.text for u, m in zip(self.units, self.unit_masks, strict=True) if m[doc])


@dataclass(frozen=True)
class _Read:
    """What every match of one export shares: the parsed query, its outcome, the order and
    the near-duplicate clusters of the snapshot."""

    parsed: Parsed
    outcome: _Outcome
    relevance: bool
    clusters: ClusterView


class Engine:
    """Opens the index once, keeps one searcher, and picks up new commits by itself."""

    backend = "whoosh"

    def __init__(self, index_dir: str | os.PathLike[str], limits: Limits | None = None) -> None:
        self.store = IndexStore(index_dir)
        self.limits = limits or Limits()  # each search's time and expansion budget
        # guards the snapshot in use (opening, swapping, counting its readers), never a search
        self._lock = threading.RLock()
        self._ix: Any = None
        self._searcher: Any = None
        self._columns: Columns | None = None
        self._languages: tuple[str, ...] = ("en",)
        self._users: dict[int, int] = {}  # searcher id -> searches and exports reading it
        self._entries_seen: tuple[Columns, dict[str, Bools]] | None = None
        self._clusters: tuple[Columns, ClusterView] | None = None
        self._clusters_lock = threading.Lock()
        self._order: tuple[Columns, Ints] | None = None
        self._sample: tuple[Columns, int, tuple[Item, ...]] | None = None

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
            use_stem_table(self.store.path / STEM_TABLE)  # the commit may have added words
            old_columns = self._columns
            self._reset()
            if not self._users.get(id(old)):
                _retire(old, old_columns)  # a reader of the old snapshot closes it when done
        assert self._columns is not None
        return self._searcher, self._columns

    @property
    def data_dir(self) -> Path:
        """The folder research caches (term counts, story clusters) are kept in."""
        return Path(self.store.path)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[Any, Columns, tuple[str, ...]]]:
        """The current snapshot, held open for one search: (the calling thread's Whoosh
        searcher, the columns, the index's languages). Only taking and giving back the
        snapshot holds the engine's lock; searches run side by side."""
        with self._lock:
            searcher, columns = self._current()
            languages = self._languages
            self._users[id(searcher)] = self._users.get(id(searcher), 0) + 1
        try:
            with columns.borrowed() as reader:
                yield reader, columns, languages
        finally:
            self._release(searcher, columns)

    def _release(self, searcher: Any, columns: Columns) -> None:
        with self._lock:
            left = self._users.pop(id(searcher)) - 1
            if left:
                self._users[id(searcher)] = left
            elif searcher is not self._searcher and not searcher.is_closed:
                _retire(searcher, columns)

    def snapshot(self) -> tuple[Any, Columns]:
        """The Whoosh searcher of the index's current version and its columns: what every
        search reads (to compare against Whoosh's own answers, or inspect the arrays)."""
        with self._lock:
            return self._current()

    def _reset(self) -> None:
        self._columns = Columns(self._searcher, getattr(self._ix, "sibling", None))
        language = self._columns.facets.get("language")
        languages = language.values if language is not None else ()
        self._languages = tuple(v for v in ("en", "fr", "es") if v in languages) or ("en",)

    @property
    def lock(self) -> threading.RLock:
        """Held while the index files are read (searches take it themselves)."""
        return self._lock

    def clusters(self) -> ClusterView:
        """The near-duplicate clusters of the current snapshot (index/duplicates.py)."""
        with self._lock:
            _, columns = self._current()
            return self._clusters_of(columns)

    def _clusters_of(self, columns: Columns) -> ClusterView:
        # a lock of its own: a search holding a lent searcher asks for the clusters, while an
        # export holds the engine's lock waiting for a searcher to be given back
        with self._clusters_lock:
            if self._clusters is None or self._clusters[0] is not columns:
                view = cluster_view(self.store.path, columns.leaves, columns.size)
                self._clusters = (columns, view)
            return self._clusters[1]

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
            if searcher is not None and not self._users.get(id(searcher)):
                _retire(searcher, self._columns)
            self._searcher = None
            self._ix = None  # what a closed engine held of the index goes with it
            self._columns = None
            self._entries_seen = None

    # -- searching ------------------------------------------------------------------------

    def filters(self, **values: Any) -> Filters:
        """:meth:`Filters.build`, also taking the topics and countries that records gave
        outside the vocabularies (as the index holds them, any case)."""
        with self._lock:
            _, columns = self._current()
            held = {name: columns.facets[name].values for name in GIVEN_FILTERS}
        return filters_with(held, values)

    def parse(self, text: str) -> Parsed:
        with self._lock:
            self._current()
            return parse(text, self._languages)

    @_damage_is_reported
    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        with (
            self._reading() as (searcher, columns, languages),
            running(Budget(self.limits, request.text)) as budget,
        ):
            request = _headings_as_stored(columns, request)
            parsed = _bounded(parse(request.text, languages), budget)
            masks = self._filter_masks(columns, request.filters, request.coarse_dates)
            outcome = self._outcome(columns, parsed, request, masks)
            text, corrected_from, suggestion = request.text, None, None
            if parsed.words and outcome.total < PARTIAL_THRESHOLD:
                fixed_text = suggest(
                    searcher,
                    columns,
                    request.text,
                    parsed,
                    languages,
                    verify=not request.correct,
                )
                if fixed_text is not None and request.correct:
                    fixed = _bounded(parse(fixed_text, languages), budget)
                    better = self._outcome(columns, fixed, request, masks)
                    if better.total > outcome.total and (
                        outcome.total == 0 or better.total >= 10 * outcome.total
                    ):
                        parsed, outcome = fixed, better
                        text, corrected_from = fixed_text, request.text
                elif fixed_text is not None and outcome.total == 0:
                    suggestion = fixed_text

            def narrowed(base: Bools, without: str | None = None) -> Bools:
                out = base
                for name, mask in masks.items():
                    if name != without:
                        out = out & mask
                return out

            counted = outcome.full if request.match != "any" else outcome.full | outcome.partial
            clusters = self._clusters_of(columns)
            per = clusters.labels if request.collapse else None
            facets = {
                name: facet_values(columns, name, narrowed(counted, name), per=per)
                for name in FACET_NAMES
            }
            total, partial_total = outcome.total, outcome.partial_total
            grouped = request.grouped or request.collapse
            told: int | None = None
            if grouped:
                whole, some = story_totals(
                    clusters.labels,
                    outcome.full & outcome.filtered,
                    outcome.partial & outcome.filtered,
                )
                told = whole + (some if outcome.partial_total else 0)
                if request.collapse:
                    total, partial_total = whole, some if outcome.partial_total else 0
            hits: tuple[Hit, ...] = ()
            if request.limit and (outcome.total or outcome.partial_total):
                start = (request.page - 1) * request.limit
                wanted = None if grouped else start + request.limit
                ranked = self._ordered(searcher, columns, parsed, request, outcome, wanted)
                if grouped:
                    ranked = first_per_cluster(ranked, clusters.labels)[: start + request.limit]
                relevance = self._sort(request) == "relevance"
                hits = tuple(
                    with_cluster(
                        self._hit(
                            searcher.stored_fields(doc),
                            parsed,
                            score if relevance else None,
                            kind,
                            outcome.matched_words(doc),
                            request.expand,
                        ),
                        clusters,
                        doc,
                    )
                    for doc, score, kind in ranked[start:]
                )
            explain = (
                self._explain(columns, parsed, request, outcome, corrected_from)
                if request.explain
                else None
            )
            left_out = (
                self._left_out(columns, request, narrowed(counted, "date"))
                if "date" in masks
                else {}
            )
        return SearchResult(
            query=text,
            total=total,
            page=request.page,
            limit=request.limit,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            sort=self._sort(request),
            seconds=time.perf_counter() - started,
            partial_total=partial_total,
            stories=told,
            counted="stories" if request.collapse else "items",
            corrected_from=corrected_from,
            match=request.match,
            explain=explain,
            indexed=columns.count,
            left_out=left_out,
        )

    def _outcome(
        self, columns: Columns, parsed: Parsed, request: SearchRequest, masks: dict[str, Bools]
    ) -> _Outcome:
        """Which items match every word, which match some, and how each is ranked."""
        plans = [parsed.plan] if parsed.plan is not None else parsed.branches
        units = [u for p in plans for u in p.units]
        active = request.expand and any(u.expansion is not None for u in units)
        filtered = columns.live.copy()
        for mask in masks.values():
            filtered &= mask
        outcome = _Outcome(filtered=filtered, units=units)
        if not active:
            outcome.full, outcome.scores = self._matches(columns, parsed.query)
        relax = any(relaxable(p) for p in plans) and request.match != "all"
        few = int((outcome.full & filtered).sum()) < PARTIAL_THRESHOLD
        wanted = active or request.explain or (relax and (request.match == "any" or few))
        if not plans or not wanted:
            outcome.total = int((outcome.full & filtered).sum())
            return outcome
        size = columns.size
        every = np.zeros(size, dtype=bool)  # items matching every part of a side of the query
        some = np.zeros(size, dtype=bool)  # items matching what a side requires, and a word
        score = np.zeros(size)
        held_where: dict[int, tuple[Bools, Bools]] = {}  # units of one phrase share an expansion
        for plan in plans:
            required = columns.live.copy()
            for node in plan.required:
                mask, scores = evaluate_any(node, columns)
                required &= mask
                score += scores
            if plan.excluded is not None:
                required &= ~docset(plan.excluded, columns)
            side = required.copy()
            side_some = np.zeros(size, dtype=bool)
            for unit in plan.units:
                own, own_score = evaluate_any(unit.own, columns)
                if request.expand and unit.expansion is not None:
                    extra, extra_score = evaluate_any(unit.expansion, columns)
                else:
                    extra, extra_score = np.zeros(size, dtype=bool), np.zeros(size)
                either = own | extra
                outcome.own_masks.append(own)
                outcome.unit_masks.append(either)
                own_title, own_text = placed(unit.own, columns, held_where)
                title, text = own_title, own_text
                if request.expand and unit.expansion is not None:
                    more_title, more_text = placed(unit.expansion, columns, held_where)
                    title, text = title | more_title, text | more_text
                outcome.evidence.append(evidence(title, text, either))
                outcome.typed.append(own & (own_title | own_text))
                side &= either
                if len(plan.units) >= 2:
                    side_some |= either
                score = score + own_score + EXPANSION_WEIGHT * extra_score
            every |= side
            # what the user insisted on (a phrase, +word, AND) is kept; a bare word may go
            if len(plan.units) >= 2:
                some |= required & side_some
            elif relaxable(plan):
                some |= required
        outcome.count = words_held(units, outcome.unit_masks, size)
        live = columns.live
        matched = coverage(units, outcome.unit_masks, outcome.unit_masks, live)
        own_count = coverage(units, outcome.typed, outcome.unit_masks, live, parts=False)
        subject = coverage(units, outcome.unit_masks, outcome.unit_masks, live, places=False)
        prominence = coverage(units, outcome.evidence, outcome.unit_masks, live)
        # items that hold the same words tie exactly, and fall through to the next key
        outcome.own_count, outcome.matched = np.round(own_count, 9), np.round(matched, 9)
        outcome.subject = np.round(subject, 9)
        outcome.prominence = np.round(prominence, 9)
        outcome.tiered = score
        if active:
            outcome.full = every
            outcome.scores = None
            outcome.strict = False
        outcome.total = int((outcome.full & filtered).sum())
        outcome.fallback = relax and (request.match == "any" or outcome.total < PARTIAL_THRESHOLD)
        if outcome.fallback:
            outcome.partial = some & ~outcome.full
            outcome.partial_total = int((outcome.partial & filtered).sum())
        return outcome

    def _ordered(
        self,
        searcher: Any,
        columns: Columns,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        limit: int | None,
    ) -> list[tuple[int, float | None, str]]:
        """Full matches in the requested order, then (when listed) partial ones."""
        full = outcome.full & outcome.filtered
        if outcome.strict:
            first = [
                (doc, score, "all")
                for doc, score in self._ranked(
                    searcher, columns, parsed, request, full, outcome.scores, limit
                )
            ]
        else:
            first = [(d, s, "all") for d, s in self._tiered(columns, request, full, outcome, limit)]
        if not outcome.partial_total or (limit is not None and len(first) >= limit):
            return first
        rest = None if limit is None else limit - len(first)
        partial = outcome.partial & outcome.filtered
        return first + [
            (d, s, "partial") for d, s in self._tiered(columns, request, partial, outcome, rest)
        ]

    def _tiered(
        self,
        columns: Columns,
        request: SearchRequest,
        mask: Bools,
        outcome: _Outcome,
        limit: int | None,
    ) -> list[tuple[int, float | None]]:
        """More of the query's words first; among as many, more of the information of the
        words that say what (each weighted by how rare it is; places only say where), then
        of all the words, then of the words as typed, then BM25F."""
        docs = np.flatnonzero(mask)
        sort = self._sort(request)
        order = self._reading_order(columns)[docs]  # equal keys: reading order
        if sort == "relevance":
            keys: tuple[Any, ...] = (
                docs,
                order,
                -outcome.tiered[docs],
                -outcome.prominence[docs],
                -outcome.own_count[docs],
                -outcome.matched[docs],
                -outcome.subject[docs],
                -outcome.count[docs],
            )
        elif sort == "newest":
            keys = (docs, order, -columns.date[docs].astype(np.float64))
        else:
            keys = (docs, order, columns.date_asc[docs].astype(np.float64))
        chosen = docs[np.lexsort(keys)[:limit]]
        if sort == "relevance":
            return [(int(doc), float(outcome.tiered[doc])) for doc in chosen]
        return [(int(doc), None) for doc in chosen]

    def _explain(
        self,
        columns: Columns,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        corrected_from: str | None,
    ) -> dict[str, Any]:
        """How a query was searched: its parts, their stems and expansions, what each matched."""
        live = columns.live & outcome.filtered

        def counted(masks: list[Bools]) -> Callable[[int, Unit], int | None]:
            return lambda n, _: int((masks[n] & live).sum()) if n < len(masks) else None

        return explanation(
            parsed,
            request,
            outcome.units,
            self._languages,
            with_word=counted(outcome.own_masks),
            with_word_or_expansion=counted(outcome.unit_masks),
            items_in=lambda node: int((docset(node, columns) & live).sum()),
            full=outcome.total,
            fallback=outcome.fallback,
            partial=outcome.partial_total,
            corrected_from=corrected_from,
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
            name: facet_mask(columns, name, values)
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
        """The first ``limit`` (or all) matches in the requested order, ties in reading order."""
        docs = np.flatnonzero(matched)
        sort = self._sort(request)
        if sort == "relevance" and scores is None:
            # phrases, wildcards and fuzzy terms: Whoosh scores them
            allowed: Any = request.filters.query()
            if request.filters.date_from or request.filters.date_to:
                allowed = set(docs.tolist())  # dates are filtered with their precision
            top = _whoosh_top(searcher, parsed.query, limit, allowed, self._reading_order(columns))
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
        order = self._reading_order(columns)
        chosen = docs[np.lexsort((docs, order[docs], key))[:limit]]
        if sort == "relevance":
            return [(int(doc), float(scores[doc])) for doc in chosen]
        return [(int(doc), None) for doc in chosen]

    def _reading_order(self, columns: Columns) -> Ints:
        """Each document's place in reading order (its file's name, then its line): what
        equal scores and dates are listed by, on either backend. Made once per snapshot."""
        with self._clusters_lock:
            kept = self._order
            if kept is None or kept[0] is not columns:
                kept = self._order = (columns, reading_order(columns))
            return kept[1]

    def _hit(
        self,
        fields: dict[str, Any],
        parsed: Parsed | None,
        score: float | None,
        match: str = "all",
        matched_words: tuple[str, ...] = (),
        expand: bool = True,
    ) -> Hit:
        item = item_from_stored(fields, evidence=False)
        return hit_of(item, parsed, score, match, matched_words, expand)

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every matching item, in the requested order, one at a time (no cap).

        The whole export reads one snapshot of the index, even if a commit lands meanwhile.
        """
        for read, doc, score, kind, fields in self._stored(request):
            yield with_cluster(
                self._hit(
                    fields,
                    read.parsed,
                    score if read.relevance else None,
                    kind,
                    read.outcome.matched_words(doc),
                    request.expand,
                ),
                read.clusters,
                doc,
            )

    def count(self, text: str, filters: Filters | None = None) -> int:
        return self.search(SearchRequest(text=text, filters=filters or Filters(), limit=0)).total

    def counted(self, request: SearchRequest) -> int:
        """How many items a request counts, as its facets do: the full matches, and the
        partial ones too under ``match="any"`` (its vocabulary and correction options kept)."""
        result = self.search(dataclasses.replace(request, limit=0, page=1, explain=False))
        return result.total + (result.partial_total if request.match == "any" else 0)

    # -- single items ---------------------------------------------------------------------

    @_damage_is_reported
    def get(self, item_id: str) -> Item:
        with self._reading() as (searcher, columns, _):
            docnum = searcher.document_number(id=item_id.strip())
            if docnum is None:
                if not columns.count:
                    raise ItemNotFoundError(
                        f"no item with id {item_id!r}: {EMPTY_INDEX.split('; ')[0]}",
                        hint=f"{EMPTY_INDEX.split('; ')[1]}",
                    )
                raise ItemNotFoundError(f"no item with id {item_id!r}")
            return item_from_stored(searcher.stored_fields(docnum))

    @_damage_is_reported
    def similar(self, item_id: str, limit: int = 10) -> list[Hit]:
        """Items about the same things as an item, best first.

        What an item is about: the ILO vocabulary's concepts, sectors, conventions and places it
        names (in any language), its countries and topics, and its distinctive words. Each one
        an other item shares counts its inverse document frequency (words count a fifth).
        Items must share at least two, one of them more than a word, and score at least a
        third of the best one. Items sharing more aspects (what it is about, the sector,
        the place) come first, then the higher score.
        """
        item = self.get(item_id)
        with self._reading() as (searcher, columns, _):
            own = searcher.document_number(id=item.id)
            chosen, score, stems = similar_documents(
                columns, item, own, limit, lambda entry: self._entry_mask(columns, entry)
            )
            if not len(chosen):
                return []
            parsed = Parsed(wq.NullQuery, stems=set(stems))
            return [
                self._hit(searcher.stored_fields(int(doc)), parsed, float(score[doc]))
                for doc in chosen
            ]

    def _entry_mask(self, columns: Columns, entry: Entry) -> Bools:
        """Which items name a vocabulary entry: worked out once per entry and index version."""
        cached = self._entries_seen
        if cached is None or cached[0] is not columns:
            cached = self._entries_seen = (columns, {})
        key = f"{entry.kind}:{entry.id}"
        mask = cached[1].get(key)
        if mask is None:
            mask = docset(entry_query(entry, self._languages), columns) & columns.live
            cached[1][key] = mask
        return mask

    # -- statistics -----------------------------------------------------------------------

    @_damage_is_reported
    def stats(self) -> Stats:
        with self._lock:
            _, columns = self._current()
            facets = {
                name: facet_values(columns, name, columns.live, missing=False)
                for name in FACET_NAMES
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

    # -- counts over time (trends) ---------------------------------------------------------

    @_damage_is_reported
    def period_counts(self, request: SearchRequest, unit: str = "year") -> PeriodCounts:
        """How many items match ``request`` (text and filters) in each year or month."""
        if unit not in UNITS:
            raise QueryError(f"unknown period {unit!r}; use one of {', '.join(UNITS)}")
        with (
            self._reading() as (searcher, columns, languages),
            running(Budget(self.limits, request.text)) as budget,
        ):
            parsed = _bounded(parse(request.text, languages), budget)
            matched, _ = self._matches(columns, parsed.query)
            for mask in self._filter_masks(columns, request.filters, request.coarse_dates).values():
                matched = matched & mask
            dates = columns.date[matched]
            undated = int((dates == 0).sum())
            dates = dates[dates > 0]
            year_only: Counter[str] = Counter()
            if unit == "month":
                # an item known only to its year is stored on 1 January: never count it there
                for doc in np.flatnonzero(matched & (columns.date % 10000 == 101)):
                    if searcher.stored_fields(int(doc)).get("date_precision") == "year":
                        year_only[str(int(columns.date[doc]) // 10000)] += 1
            keys = dates // 10000 if unit == "year" else dates // 100
            values, counts = np.unique(keys, return_counts=True)
        by_period: Counter[str] = Counter()
        for key, count in zip(values.tolist(), counts.tolist(), strict=True):
            by_period[period_of(int(key) * (10000 if unit == "year" else 100), unit)] += count
        for year, count in year_only.items():
            by_period[f"{year}-01"] -= count
        return PeriodCounts(
            unit=unit,
            counts={k: v for k, v in sorted(by_period.items()) if v > 0},
            undated=undated,
            year_only=dict(sorted(year_only.items())),
        )

    # -- a sample of the items (key terms against the corpus) --------------------------------

    def sample(self, size: int) -> tuple[Item, ...]:
        """At most ``size`` items spread evenly over the index (every n-th), kept per snapshot."""
        with self._lock:
            _, columns = self._current()
            kept = self._sample
            if kept is not None and kept[0] is columns and kept[1] == size:
                return kept[2]
        live = np.nonzero(columns.live)[0]
        if len(live) > size:
            live = live[np.linspace(0, len(live) - 1, size).astype(np.int64)]
        items = []
        for doc in live:
            with columns.borrowed() as reader:  # a searcher lent to this thread, as searches do
                items.append(item_from_stored(reader.stored_fields(int(doc)), evidence=False))
        found = tuple(items)
        with self._lock:
            self._sample = (columns, size, found)
        return found

    # -- whole items of a search (concordance, full export, watched searches) ---------------

    def items(self, request: SearchRequest, *, evidence: bool = True) -> Iterator[Item]:
        """Every matching item whole, in the order of :meth:`export`, one at a time.

        Each item's stored fields are read once and no snippet is made (a concordance or a
        full export reads the text itself); the whole run reads one snapshot, as an export.
        """
        for *_, fields in self._stored(request):
            yield item_from_stored(fields, evidence=evidence)

    def _stored(
        self, request: SearchRequest
    ) -> Iterator[tuple[_Read, int, float | None, str, dict[str, Any]]]:
        """Every match of one snapshot in the order of :meth:`export`, with its stored fields
        (partial matches only when ``match="any"``), read one at a time."""
        with self._lock:
            searcher, columns = self._current()
            request = _headings_as_stored(columns, request)
            parsed = parse(request.text, self._languages)
            self._users[id(searcher)] = self._users.get(id(searcher), 0) + 1
            try:
                with columns.borrowed() as reader:  # postings are read through it too
                    masks = self._filter_masks(columns, request.filters, request.coarse_dates)
                    outcome = self._outcome(columns, parsed, request, masks)
                    if request.match != "any":  # exports hold full matches unless asked
                        outcome.partial_total = 0
                    ranked = self._ordered(reader, columns, parsed, request, outcome, None)
            except READ_ERRORS as exc:
                self._release(searcher, columns)
                raise self._damaged(exc) from None
            except BaseException:
                self._release(searcher, columns)
                raise
            read = _Read(
                parsed,
                outcome,
                self._sort(request) == "relevance",
                self._clusters_of(columns),
            )
        try:
            for doc, score, kind in ranked:
                try:  # through a searcher lent to the thread reading the matches
                    with columns.borrowed() as reader:
                        fields = reader.stored_fields(doc)
                except READ_ERRORS as exc:
                    raise self._damaged(exc) from None
                yield read, doc, score, kind, fields
        finally:
            self._release(searcher, columns)


def relaxable(plan: Plan) -> bool:
    """Partial matching may drop a word of this side of the query: it has two or more, or
    one beside parts that are never relaxed (a quoted phrase, +word, AND, a field)."""
    return len(plan.units) >= 2 or bool(plan.required and plan.units)


def words_held(units: list[Unit], either: list[Bools], size: int) -> Any:
    """How many of the query's words each item holds (as typed or as the vocabulary reads
    them); a word of a multi-word vocabulary form ("domestic" of "domestic workers") counts
    half when the item does not hold the whole form."""
    groups: dict[object, list[int]] = {}
    for number, unit in enumerate(units):
        groups.setdefault(unit.phrase if unit.phrase is not None else -1 - number, []).append(
            number
        )
    count = np.zeros(size)
    for members in groups.values():
        whole = np.logical_and.reduce([either[n] for n in members])
        for n in members:
            count += np.where(whole, 1.0, PHRASE_PART) * either[n]
    return count


def information(df: int, count: int) -> float:
    """How much a query word tells apart: the BM25 idf of the items holding it (or what the
    vocabulary reads it as), so a rare code outweighs a word most items hold."""
    return float(np.log(1.0 + (count - df + 0.5) / (df + 0.5)))


def placed(
    node: wq.Query, columns: Columns, cache: dict[int, tuple[Bools, Bools]]
) -> tuple[Bools, Bools]:
    """The items holding ``node`` in their title, and in their other fields but the tags
    (summary, body, facts such as the country): one evaluation per query node."""
    key = id(node)
    if key not in cache:
        masks = []
        for fields, inside in ((TITLE_FIELDS, True), (TITLE_FIELDS | TAG_FIELDS, False)):
            part = within(node, fields, inside)
            masks.append(
                np.zeros(columns.size, dtype=bool) if part is None else docset(part, columns)
            )
        cache[key] = (masks[0], masks[1])
    return cache[key]


def evidence(title: Bools, text: Bools, either: Bools) -> Any:
    """How strongly each item holds a word (or what the vocabulary reads it as): 1 in its
    title, less in its summary, body or facts (its country), least in its tags only (a topic
    tag is a guess about the item, a word in the body may be said in passing)."""
    title, text = title & either, text & either
    return np.where(title, 1.0, np.where(text, BODY_EVIDENCE, np.where(either, TAG_EVIDENCE, 0.0)))


def coverage(
    units: list[Unit],
    held: list[Any],
    either: list[Bools],
    live: Bools,
    places: bool = True,
    parts: bool = True,
) -> Any:
    """How much of the query's information each item holds (``held``: the masks counted, or
    how strongly each item holds each word, from 0 to 1).

    A word counts its idf. The words of one multi-word vocabulary form ("child labour")
    count once, as the idf of the items holding the whole form (``either``); an item holding
    only some of them gets their share of it, at most each word's own idf (without
    ``parts``, nothing). Without ``places``, the words read as places or countries count
    nothing."""
    count = int(live.sum())
    groups: dict[object, list[int]] = {}
    for number, unit in enumerate(units):
        if unit.place and not places:
            continue
        groups.setdefault(unit.phrase if unit.phrase is not None else -1 - number, []).append(
            number
        )
    total = np.zeros(len(live))
    for members in groups.values():
        whole = np.logical_and.reduce([either[n] for n in members])
        weight = information(int((whole & live).sum()), count)
        strength = np.minimum.reduce([np.asarray(held[n], dtype=np.float64) for n in members])
        some = np.zeros(len(live))
        for n in members if parts or len(members) == 1 else ():
            share = min(information(int((either[n] & live).sum()), count), weight)
            some += share / len(members) * held[n]
        total += np.where(strength > 0, weight * strength, some)
    return total


def hit_of(
    item: Item,
    parsed: Parsed | None,
    score: float | None,
    match: str = "all",
    matched_words: tuple[str, ...] = (),
    expand: bool = True,
) -> Hit:
    """An item as a hit: its snippet marks the query's words (summary, else body or title)."""
    language = item.language
    stems = parsed.stems if parsed else set()
    if parsed and expand and parsed.expansion_stems:
        stems = stems | parsed.expansion_stems
    prefixes = parsed.prefixes if parsed else set()
    spans = snippet(item.summary, stems, prefixes, language)
    if (stems or prefixes) and not has_match(spans):
        for text in (item.body, item.title):
            alternative = snippet(text, stems, prefixes, language)
            if has_match(alternative):
                spans = alternative
                break
    if not spans:
        spans = snippet(item.body, stems, prefixes, language)
    return Hit.from_item(item, spans, score, match, matched_words)


GIVEN_FILTERS = ("topic", "country")  # filters whose values records may give freely


def filters_with(held: dict[str, Any], values: dict[str, Any]) -> Filters:
    """:meth:`Filters.build`, also taking the topics and countries an index holds outside the
    vocabularies (``held``: name -> the values the index holds), in any case."""
    given: dict[str, list[str]] = {name: [] for name in GIVEN_FILTERS}
    for name in given:
        by_case = {v.casefold(): v for v in held.get(name, ())}
        rest = []
        for value in values.get(name) or ():
            found = by_case.get(" ".join(value.replace(",", " ").split()).casefold())
            try:
                resolve(name, value)
            except QueryError:
                if found is not None:
                    given[name].append(found)
                    continue
            rest.append(value)
        values[name] = rest
    built = Filters.build(**values)
    chosen = dict(built.terms)
    for name, extra in given.items():
        if extra:
            chosen[name] = (*chosen.get(name, ()), *extra)
    terms = tuple((name, chosen[name]) for name in filter_names() if chosen.get(name))
    return dataclasses.replace(built, terms=terms)


def headings_as_stored(held: Any, request: SearchRequest) -> SearchRequest:
    """The request with its listing headings written as the index stores them (any case in);
    ``held``: the headings the index holds."""
    wanted = request.filters.listed_under
    if not wanted or not held:
        return request
    stored = {" ".join(v.split()).casefold(): v for v in held}
    headings = tuple(stored.get(v.casefold(), v) for v in wanted)
    terms = tuple(
        (name, headings if name == "listed_under" else values)
        for name, values in request.filters.terms
    )
    return dataclasses.replace(request, filters=dataclasses.replace(request.filters, terms=terms))


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
    searcher: Any, q: wq.Query, limit: int | None, filter_query: Any = None, order: Any = None
) -> list[tuple[float, int]]:
    """Whoosh's own ranking of ``q``: (score, document) pairs, best first, equal scores in
    ``order`` (each document's place in reading order), then by document.

    Whoosh's top-N collector keeps the lowest document numbers among equal scores: one more
    is asked for, and when it ties with the last place, every match.
    """
    if order is None or not limit:
        top = _whoosh_collected(searcher, q, limit, filter_query)
    else:
        top = _whoosh_collected(searcher, q, limit + 1, filter_query)
        if len(top) > limit and top[limit][0] >= top[limit - 1][0]:
            top = _whoosh_collected(searcher, q, None, filter_query)
    if order is None:
        return top
    top.sort(key=lambda sd: (-sd[0], int(order[sd[1]]), sd[1]))
    return top[:limit]


def _whoosh_collected(
    searcher: Any, q: wq.Query, limit: int | None, filter_query: Any = None
) -> list[tuple[float, int]]:
    """Whoosh's top ``limit`` of ``q``: (score, document) pairs, best first, ties by document.

    Whoosh's top-N collector swaps in "more efficient" matchers as it goes, and that can drop a
    document that belongs in the top N; with replacement off its answer is exact.
    """
    collector = searcher.collector(limit=limit, filter=filter_query, terms=False)
    inner = collector
    while hasattr(inner, "child"):
        inner = inner.child
    if hasattr(inner, "replace"):
        inner.replace = 0
    budget = current_budget()
    remaining = budget.remaining() if budget is not None else None
    # the time limit wraps Whoosh's collector only when nothing else does: a wrapper would
    # skip the filter collector's own matching (the budget is still checked as terms open)
    if budget is not None and remaining is not None and inner is collector:
        timed = TimeLimitCollector(collector, timelimit=remaining, use_alarm=False)
        try:
            searcher.search_with_collector(q, timed)
        except TimeLimit:
            raise budget.overrun() from None
    else:
        searcher.search_with_collector(q, collector)
    return [(float(score), int(doc)) for score, doc in collector.results().top_n]


def _bounded(parsed: Parsed, budget: Budget) -> Parsed:
    """``parsed`` with every wildcard, prefix and fuzzy term in it capped by ``budget``."""
    bound(parsed.query, budget)
    plan = parsed.plan
    if plan is not None:
        for node in (*plan.required, plan.excluded):
            if node is not None:
                bound(node, budget)
        for unit in plan.units:
            bound(unit.own, budget)
            if unit.expansion is not None:
                bound(unit.expansion, budget)
    return parsed


def _retire(searcher: Any, columns: Columns | None) -> None:
    """Close a snapshot no search reads any more: its searcher and its threads' searchers."""
    if columns is not None:
        columns.close()
    searcher.close()


def _headings_as_stored(columns: Columns, request: SearchRequest) -> SearchRequest:
    """The request with its listing headings written as the index stores them (any case in)."""
    facet = columns.facets.get("listed_under")
    return headings_as_stored(facet.values if facet is not None else (), request)


def reading_order(columns: Columns) -> Ints:
    """Each document's rank in reading order: its file's name (the ``source`` facet; none
    last), then its line (the ``source_row`` column; 0 in indexes made before it was kept)."""
    facet = columns.facets.get("source")
    rank = np.full(columns.size, len(facet.values) if facet else 0, dtype=np.int64)  # none: last
    if facet is not None and len(facet.values):
        place = np.argsort(np.argsort(np.array(facet.values, dtype=object)))
        rank[facet.docs] = place[facet.value_ids]
    line = np.zeros(columns.size, dtype=np.int64)
    if columns.size and "source_row" in columns.searcher.schema:
        parts = [column_values(leaf, "source_row", np.uint32) for leaf, _ in columns.leaves]
        line = np.concatenate(parts).astype(np.int64)
    return rank << 32 | line
