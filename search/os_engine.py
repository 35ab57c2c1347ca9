"""The search engine on an OpenSearch cluster: the same requests and results as the Whoosh one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors
from whoosh import query as wq

from newsearch.index.errors import IndexMissingError, ItemNotFoundError, QueryError
from newsearch.index.fields import field_named, item_fields, missing_value
from newsearch.index.item import Evidence, Item
from newsearch.index.os_client import (
    ClusterUnavailableError,
    QueryTooLargeError,
    check_health,
    cluster_errors,
    connect,
)
from newsearch.index.os_mapping import CLUSTER, DATE_END, READ_ORDER, text_of
from newsearch.index.places import country_name
from newsearch.search.engine import (
    EXPANSION_WEIGHT,
    PARTIAL_THRESHOLD,
    SearchRequest,
    filters_with,
    headings_as_stored,
    hit_of,
    relaxable,
)
from newsearch.search.explain import explanation
from newsearch.search.facets import facet_list
from newsearch.search.filters import Filters
from newsearch.search.os_query import MATCH_ALL, Dsl, as_filter, to_dsl
from newsearch.search.periods import UNITS, PeriodCounts
from newsearch.search.query import Parsed, Plan, Unit, parse
from newsearch.search.results import EMPTY_INDEX, FACET_NAMES, FacetValue, Hit, SearchResult, Stats
from newsearch.search.spelling import replace_word

FACET_SIZE = 10_000  # every value of a facet (countries, topics, years: a few hundred at most)
PAGE = 1_000  # hits per request when exporting
WINDOW = 10_000  # the deepest hit a page may reach (exports have no limit)
KEEP_ALIVE = "2m"  # how long a point in time lives between two pages of an export
HELD_TTL = 5.0  # seconds the index's languages and facet values are remembered
HELD = ("language", "listed_under", "topic", "country")
SIMILAR_FIELDS = ("title", "summary", "body")
# Ranking by more of the query's words first, then more of them as typed, then BM25 (as the
# Whoosh engine's tiers): each matched word adds MATCHED, each word found as typed OWN.
MATCHED = 100_000.0
OWN = 1_000.0
NO_EVIDENCE = {"excludes": ["evidence"]}
# the items of a set that belong to a cluster, and how many clusters they make (exact below
# 40,000 clusters per count: OpenSearch's cardinality is exact under its threshold)
STORIES: Dsl = {
    "filter": {"exists": {"field": CLUSTER}},
    "aggs": {"stories": {"cardinality": {"field": CLUSTER, "precision_threshold": 40_000}}},
}


@dataclass
class _Outcome:
    """What a query matches: every word (full), some words (partial), and how it is ranked."""

    full: Dsl
    units: list[Unit]
    tiered: bool  # scores carry the MATCHED/OWN tiers
    total: int = 0
    partial: Dsl | None = None
    partial_total: int = 0
    fallback: bool = False


class OpenSearchEngine:
    """Answers searches from an index (an alias) on an OpenSearch cluster."""

    backend = "opensearch"

    def __init__(
        self,
        url: str,
        index: str,
        *,
        client: OpenSearch | None = None,
        data_dir: str | Path | None = None,
    ) -> None:
        self.url = url
        self.index = index
        self.client = client or connect(url)
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._held: dict[str, tuple[str, ...]] = {}
        self._held_at = -HELD_TTL
        self._checked = False
        self._scored = True  # expansions scored by BM25, unless the clause limit says no
        self._sample: tuple[int, float, tuple[Item, ...]] | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> OpenSearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    @property
    def data_dir(self) -> Path:
        """A local path for research caches of this index (they are written beside it)."""
        if self._data_dir is None:
            from newsearch.index.store import default_index_dir

            self._data_dir = default_index_dir().parent / f"opensearch-{self.index}"
        return self._data_dir

    # -- plumbing -------------------------------------------------------------------------

    def _call(self, method: Any, **kwargs: Any) -> Any:
        with cluster_errors(self.url, self.index):
            if not self._checked:
                if not self.client.indices.exists(index=self.index):
                    raise IndexMissingError(
                        f"there is no index {self.index!r} on the OpenSearch cluster at {self.url}",
                        hint="build it with `newsearch --backend opensearch index PATH` "
                        "(or `index --sample`)",
                    )
                check_health(self.client, self.url, self.index)
                self._checked = True
            try:
                return method(**kwargs)
            except os_errors.NotFoundError:
                raise
            except os_errors.RequestError as exc:
                raise QueryError(f"OpenSearch refused the query: {exc.error}") from None

    def _search(self, body: Dsl, *, relevance: bool = False) -> Any:
        # scores from the whole index's term statistics, not each shard's own
        params = {"search_type": "dfs_query_then_fetch"} if relevance else {}
        return self._call(self.client.search, index=self.index, body=body, params=params)

    def held(self) -> dict[str, tuple[str, ...]]:
        """The values the index holds for the languages, headings, topics and countries."""
        with self._lock:
            if time.monotonic() - self._held_at < HELD_TTL:
                return self._held
        aggs = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in HELD}
        found = self._search({"size": 0, "aggs": aggs})
        held = {
            name: tuple(str(b["key"]) for b in found["aggregations"][name]["buckets"])
            for name in HELD
        }
        with self._lock:
            self._held, self._held_at = held, time.monotonic()
        return held

    def languages(self) -> tuple[str, ...]:
        """The languages of the items in the index (queries look up a word's stem in each)."""
        values = self.held()["language"]
        return tuple(v for v in ("en", "fr", "es") if v in values) or ("en",)

    def parse(self, text: str) -> Parsed:
        return parse(text, self.languages())

    def filters(self, **values: Any) -> Filters:
        """:meth:`Filters.build`, also taking topics and countries outside the vocabularies."""
        return filters_with(self.held(), values)

    @staticmethod
    def _sort(request: SearchRequest) -> str:
        if request.sort == "relevance" and not request.text.strip():
            return "newest"
        return request.sort

    @staticmethod
    def _order(sort: str) -> list[Any]:
        """The order of a sort; ties in reading order (file's name, line), then by id, as
        the Whoosh engine lists them."""
        ties = [{name: "asc"} for name in READ_ORDER] + [{"id": "asc"}]
        if sort == "relevance":
            return [{"_score": "desc"}, *ties]
        if sort == "newest":
            return [{"date": {"order": "desc", "missing": "_last"}}, *ties]
        return [{"date_asc": {"order": "asc", "missing": "_last"}}, *ties]

    # -- what a request matches -----------------------------------------------------------

    @staticmethod
    def _filters(filters: Filters, coarse_dates: bool) -> dict[str, Dsl]:
        """One clause per chosen facet (values ORed) and one for the date range."""
        out: dict[str, Dsl] = {}
        for name, values in filters.facet_terms().items():
            parts = [to_dsl(_value_query(name, v)) for v in values]
            out[name] = parts[0] if len(parts) == 1 else _any(parts)
        if filters.date_from or filters.date_to:
            within, overlapping = _date_clauses(filters)
            out["date"] = _any([within, overlapping]) if coarse_dates else within
        return out

    def _outcome(self, parsed: Parsed, request: SearchRequest, masks: dict[str, Dsl]) -> _Outcome:
        """The full and partial queries of a request, counted (the Whoosh engine's rules)."""
        try:
            return self._counted(parsed, request, masks)
        except QueryTooLargeError:
            if not self._scored:
                raise
            self._scored = False  # this cluster's clause limit: expansions count a constant
            return self._counted(parsed, request, masks)

    def _counted(self, parsed: Parsed, request: SearchRequest, masks: dict[str, Dsl]) -> _Outcome:
        """The full and partial queries of a request, counted (the Whoosh engine's rules: a
        query with OR at the top is planned side by side)."""
        plans = [parsed.plan] if parsed.plan is not None else parsed.branches
        units = [u for p in plans for u in p.units]
        active = request.expand and any(u.expansion is not None for u in units)
        numbered: list[list[tuple[int, Unit]]] = []
        number = 0
        for plan in plans:
            numbered.append([(number + i, u) for i, u in enumerate(plan.units)])
            number += len(plan.units)

        def side(plan: Plan, mine: list[tuple[int, Unit]]) -> Dsl:
            clauses = [*(to_dsl(q) for q in plan.required)]
            clauses += [_unit_clause(n, u, request.expand, self._scored) for n, u in mine]
            must_not = [to_dsl(plan.excluded)] if plan.excluded is not None else []
            return {"bool": {"must": clauses or [MATCH_ALL], "must_not": must_not}}

        if active and plans:
            sides = [side(p, mine) for p, mine in zip(plans, numbered, strict=True)]
            full: Dsl = (
                sides[0]
                if len(sides) == 1
                else {"bool": {"should": sides, "minimum_should_match": 1}}
            )
        else:
            full = to_dsl(parsed.query)
        outcome = _Outcome(full=full, units=units, tiered=active)
        outcome.total = self._count(full, masks)
        relax = any(relaxable(p) for p in plans) and request.match != "all"
        outcome.fallback = relax and (request.match == "any" or outcome.total < PARTIAL_THRESHOLD)
        if outcome.fallback:
            partial_sides: list[Dsl] = []
            for plan, mine in zip(plans, numbered, strict=True):
                if not relaxable(plan):
                    continue
                must_not = [to_dsl(plan.excluded)] if plan.excluded is not None else []
                if len(plan.units) < 2:  # one bare word beside what is kept: it may go
                    required = [to_dsl(q) for q in plan.required]
                    partial_sides.append({"bool": {"must": required, "must_not": must_not}})
                    continue
                partial_sides.append(
                    {
                        "bool": {
                            "must": [to_dsl(q) for q in plan.required] or [MATCH_ALL],
                            "should": [
                                _unit_clause(n, u, request.expand, self._scored) for n, u in mine
                            ],
                            "minimum_should_match": 1,
                            "must_not": must_not,
                        }
                    }
                )
            some: Dsl = (
                partial_sides[0]
                if len(partial_sides) == 1
                else {"bool": {"should": partial_sides, "minimum_should_match": 1}}
            )
            outcome.partial = {"bool": {"must": [some], "must_not": [as_filter(full)]}}
            outcome.partial_total = self._count(outcome.partial, masks)
        return outcome

    def _count(self, query: Dsl, masks: dict[str, Dsl]) -> int:
        body = {"query": {"bool": {"must": [query], "filter": list(masks.values())}}}
        return int(self._call(self.client.count, index=self.index, body=body)["count"])

    # -- searching ------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        try:
            return self._answer(request)
        except QueryTooLargeError:
            if not self._scored:
                raise
            self._scored = False  # this cluster's clause limit: expansions count a constant
            return self._answer(request)

    def _answer(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        request = headings_as_stored(self.held()["listed_under"], request)
        parsed = self.parse(request.text)
        masks = self._filters(request.filters, request.coarse_dates)
        outcome = self._outcome(parsed, request, masks)
        text, corrected_from, suggestion = request.text, None, None
        if parsed.words and outcome.total < PARTIAL_THRESHOLD:
            fixed_text = self._suggest(request.text, parsed)
            if fixed_text is not None and request.correct:
                fixed = self.parse(fixed_text)
                better = self._outcome(fixed, request, masks)
                if better.total > outcome.total and (
                    outcome.total == 0 or better.total >= 10 * outcome.total
                ):
                    parsed, outcome = fixed, better
                    text, corrected_from = fixed_text, request.text
            elif fixed_text is not None and outcome.total == 0:
                suggestion = fixed_text
        counted = outcome.full
        if request.match == "any" and outcome.partial is not None:
            counted = _any([outcome.full, outcome.partial])
        facets, left_out, indexed = self._facets(counted, masks, request)
        total, partial_total = outcome.total, outcome.partial_total
        grouped = request.grouped or request.collapse
        told: int | None = None
        if grouped:
            whole = self._stories(outcome.full, masks)
            some = 0
            if outcome.partial is not None and outcome.partial_total:
                some = self._stories(_any([outcome.full, outcome.partial]), masks) - whole
            told = whole + some
            if request.collapse:
                total, partial_total = whole, some
        hits: tuple[Hit, ...] = ()
        sort = self._sort(request)
        if request.limit and (outcome.total or outcome.partial_total):
            start = (request.page - 1) * request.limit
            if start + request.limit > WINDOW:
                raise QueryError(
                    f"pages past the {WINDOW:,}th hit cannot be shown; "
                    "`newsearch export` writes every match"
                )
            hits = self._page(parsed, request, outcome, masks, start, sort, grouped)
        explain = (
            self._explain(parsed, request, outcome, corrected_from, masks)
            if request.explain
            else None
        )
        return SearchResult(
            query=text,
            total=total,
            page=request.page,
            limit=request.limit,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            sort=sort,
            seconds=time.perf_counter() - started,
            partial_total=partial_total,
            stories=told,
            counted="stories" if request.collapse else "items",
            corrected_from=corrected_from,
            match=request.match,
            explain=explain,
            indexed=indexed,
            left_out=left_out,
        )

    def _facets(
        self, counted: Dsl, masks: dict[str, Dsl], request: SearchRequest
    ) -> tuple[dict[str, tuple[FacetValue, ...]], dict[str, int], int]:
        """Each facet over the matches narrowed by every filter but its own; what the date
        filter left out; how many items the index holds."""
        aggs: Dsl = {}
        for name in FACET_NAMES:
            narrowing = [m for key, m in masks.items() if key != name]
            inner: Dsl = {"values": {"terms": {"field": name, "size": FACET_SIZE}}}
            if missing_value(name):
                inner["missing"] = {"missing": {"field": name}}
            if request.collapse:  # each story once per value
                for agg in inner.values():
                    agg["aggs"] = {"clustered": STORIES}
            aggs[name] = {"filter": {"bool": {"filter": narrowing}}, "aggs": inner}
        if "date" in masks:
            others = [m for key, m in masks.items() if key != "date"]
            _, overlapping = _date_clauses(request.filters)
            undated = {"bool": {"must_not": [{"exists": {"field": "date"}}]}}
            aggs["left_undated"] = {"filter": {"bool": {"filter": [*others, undated]}}}
            aggs["left_coarser"] = {"filter": {"bool": {"filter": [*others, overlapping]}}}
        body = {
            "size": 0,
            "query": MATCH_ALL,
            "aggs": {"matched": {"filter": counted, "aggs": aggs}},
            "track_total_hits": True,
        }
        found = self._search(body)
        matched = found["aggregations"]["matched"]
        facets = {name: _facet(name, matched[name]) for name in FACET_NAMES}
        left_out: dict[str, int] = {}
        if "date" in masks:
            left_out = {
                "undated": int(matched["left_undated"]["doc_count"]),
                "coarser": 0 if request.coarse_dates else int(matched["left_coarser"]["doc_count"]),
            }
        return facets, left_out, int(found["hits"]["total"]["value"])

    def _page(
        self,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        masks: dict[str, Dsl],
        start: int,
        sort: str,
        grouped: bool = False,
    ) -> tuple[Hit, ...]:
        """One page: full matches in the requested order, then (when listed) partial ones;
        ``grouped``: each story once, at its best-ranked version."""
        if grouped:
            return self._story_page(parsed, request, outcome, masks, start, sort)
        raw: list[tuple[Dsl, str]] = []
        if start < outcome.total:
            size = min(request.limit, outcome.total - start)
            raw += [(h, "all") for h in self._ranked(outcome.full, masks, sort, start, size)]
        if outcome.partial is not None and outcome.partial_total and len(raw) < request.limit:
            begin = max(0, start - outcome.total)
            found = self._ranked(outcome.partial, masks, sort, begin, request.limit - len(raw))
            raw += [(h, "partial") for h in found]
        return tuple(self._hits(raw, parsed, request, outcome, sort))

    def _story_page(
        self,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        masks: dict[str, Dsl],
        start: int,
        sort: str,
    ) -> tuple[Hit, ...]:
        """The ranked matches read in order, each story kept at its first (best-ranked)
        version, until the page is full (the embedded engine's ``first_per_cluster``)."""
        wanted = start + request.limit
        parts = [(outcome.full, "all", outcome.total)]
        if outcome.partial is not None and outcome.partial_total:
            parts.append((outcome.partial, "partial", outcome.partial_total))
        ranked: list[tuple[Dsl, str]] = []
        seen: set[str] = set()
        for query, kind, count in parts:
            offset = 0
            while offset < min(count, WINDOW) and len(ranked) < wanted:
                size = min(PAGE, WINDOW - offset)
                page = self._ranked(query, masks, sort, offset, size)
                for hit in page:
                    story = str(hit["_source"].get(CLUSTER) or hit["_id"])
                    if story not in seen:
                        seen.add(story)
                        ranked.append((hit, kind))
                offset += len(page)
                if len(page) < size:
                    break
        return tuple(self._hits(ranked[start:wanted], parsed, request, outcome, sort))

    def _stories(self, query: Dsl, masks: dict[str, Dsl]) -> int:
        """How many stories ``query`` matches within ``masks``: items of no cluster, and each
        cluster once."""
        body = {
            "size": 0,
            "query": {"bool": {"must": [query], "filter": list(masks.values())}},
            "track_total_hits": True,
            "aggs": {"clustered": STORIES},
        }
        found = self._search(body)
        return _counted({"doc_count": found["hits"]["total"]["value"], **found["aggregations"]})

    def _hits(
        self,
        raw: list[tuple[Dsl, str]],
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        sort: str,
    ) -> list[Hit]:
        """Hits of raw search results (and kinds), with their clusters and versions."""
        hits = [self._hit(h, parsed, request, outcome, kind, sort) for h, kind in raw]
        return self._with_clusters([h for h, _ in raw], hits)

    def _with_clusters(self, raw: list[Dsl], hits: list[Hit]) -> list[Hit]:
        """Each hit with its cluster (its own id when it has no other version) and how many
        versions its story has in the index."""
        named = sorted({str(c) for h in raw if (c := h["_source"].get(CLUSTER))})
        versions: dict[str, int] = {}
        if named:
            body = {
                "size": 0,
                "query": {"terms": {CLUSTER: named}},
                "aggs": {"v": {"terms": {"field": CLUSTER, "size": len(named)}}},
            }
            found = self._search(body)
            versions = {
                str(b["key"]): int(b["doc_count"]) for b in found["aggregations"]["v"]["buckets"]
            }
        out = []
        for h, hit in zip(raw, hits, strict=True):
            cluster = h["_source"].get(CLUSTER)
            if cluster:
                out.append(
                    dataclasses.replace(
                        hit, cluster=str(cluster), versions=versions.get(str(cluster), 1)
                    )
                )
            else:
                out.append(dataclasses.replace(hit, cluster=hit.id, versions=1))
        return out

    def _ranked(
        self, query: Dsl, masks: dict[str, Dsl], sort: str, start: int, size: int
    ) -> list[Dsl]:
        body: Dsl = {
            "query": {"bool": {"must": [query], "filter": list(masks.values())}},
            "from": start,
            "size": size,
            "sort": self._order(sort),
            "track_total_hits": False,
            "_source": NO_EVIDENCE,
        }
        found = self._search(body, relevance=sort == "relevance")
        return list(found["hits"]["hits"])

    def _hit(
        self,
        hit: Dsl,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        kind: str,
        sort: str,
    ) -> Hit:
        item = item_from_source(hit["_source"], evidence=False)
        names = set(hit.get("matched_queries") or ())
        words = tuple(u.text for u in outcome.units)
        score: float | None = None
        if sort == "relevance" and hit.get("_score") is not None:
            score = float(hit["_score"])
        if outcome.tiered or kind == "partial":
            matched = [n for n in range(len(outcome.units)) if f"u{n}" in names]
            own = [n for n in range(len(outcome.units)) if f"own{n}" in names]
            words = tuple(outcome.units[n].text for n in matched)
            if score is not None:
                expanded = sum(1 for n in matched if n not in own and f"exp{n}" in names)
                score -= MATCHED * len(matched) + OWN * len(own)
                if not self._scored:
                    score -= EXPANSION_WEIGHT * expanded
        return hit_of(item, parsed, score, kind, words, request.expand)

    def _explain(
        self,
        parsed: Parsed,
        request: SearchRequest,
        outcome: _Outcome,
        corrected_from: str | None,
        masks: dict[str, Dsl],
    ) -> dict[str, Any]:
        """How a query was searched: its parts, their stems and expansions, what each matched."""

        def either(unit: Unit) -> Dsl:
            own = as_filter(to_dsl(unit.own))
            if request.expand and unit.expansion is not None:
                return _any([own, as_filter(to_dsl(unit.expansion))])
            return own

        return explanation(
            parsed,
            request,
            outcome.units,
            self.languages(),
            with_word=lambda _, unit: self._count(as_filter(to_dsl(unit.own)), masks),
            with_word_or_expansion=lambda _, unit: self._count(either(unit), masks),
            items_in=lambda node: self._count(as_filter(to_dsl(node)), masks),
            full=outcome.total,
            fallback=outcome.fallback,
            partial=outcome.partial_total,
            corrected_from=corrected_from,
        )

    def count(self, text: str, filters: Filters | None = None) -> int:
        return self.search(SearchRequest(text=text, filters=filters or Filters(), limit=0)).total

    def counted(self, request: SearchRequest) -> int:
        """How many items a request counts, as its facets do: the full matches, and the
        partial ones too under ``match="any"`` (its vocabulary and correction options kept)."""
        result = self.search(dataclasses.replace(request, limit=0, page=1, explain=False))
        return result.total + (result.partial_total if request.match == "any" else 0)

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every match, in order, a page at a time from one point in time (no 10,000 cap):
        full matches, then (with ``match="any"``) partial ones."""
        request = headings_as_stored(self.held()["listed_under"], request)
        parsed = self.parse(request.text)
        sort = self._sort(request)
        outcome, pages = self._matched(request, parsed, NO_EVIDENCE)
        for raw in pages:
            yield from self._hits(raw, parsed, request, outcome, sort)

    def items(self, request: SearchRequest, *, evidence: bool = True) -> Iterator[Item]:
        """Every matching item whole, in the order of :meth:`export`: one request per page of
        items, none per item (concordances and full exports read the text itself)."""
        request = headings_as_stored(self.held()["listed_under"], request)
        _, pages = self._matched(
            request, self.parse(request.text), True if evidence else NO_EVIDENCE
        )
        for raw in pages:
            for hit, _ in raw:
                yield item_from_source(hit["_source"], evidence=evidence)

    def _matched(
        self, request: SearchRequest, parsed: Parsed, source: Any
    ) -> tuple[_Outcome, Iterator[list[tuple[Dsl, str]]]]:
        """The outcome of ``request`` and its matches, page by page, from one point in time."""
        sort = self._sort(request)
        masks = self._filters(request.filters, request.coarse_dates)
        outcome = self._outcome(parsed, request, masks)
        parts: list[tuple[Dsl, str]] = [(outcome.full, "all")]
        if request.match == "any" and outcome.partial is not None:
            parts.append((outcome.partial, "partial"))

        def pages() -> Iterator[list[tuple[Dsl, str]]]:
            pit = self._call(
                self.client.create_pit, index=self.index, params={"keep_alive": KEEP_ALIVE}
            )["pit_id"]
            try:
                for query, kind in parts:
                    for page in self._pages(pit, query, masks, sort, source):
                        yield [(hit, kind) for hit in page]
            finally:
                try:
                    with cluster_errors(self.url, self.index):
                        self.client.delete_pit(body={"pit_id": [pit]})
                except (ClusterUnavailableError, os_errors.TransportError):
                    pass  # it expires by itself

        return outcome, pages()

    def _pages(
        self, pit: str, query: Dsl, masks: dict[str, Dsl], sort: str, source: Any = NO_EVIDENCE
    ) -> Iterator[list[Dsl]]:
        after: list[Any] | None = None
        while True:
            body: Dsl = {
                "query": {"bool": {"must": [query], "filter": list(masks.values())}},
                "size": PAGE,
                "sort": self._order(sort),
                "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
                "track_total_hits": False,
                "_source": source,
            }
            if after is not None:
                body["search_after"] = after
            params = {"search_type": "dfs_query_then_fetch"} if sort == "relevance" else {}
            found = self._call(self.client.search, body=body, params=params)
            page = found["hits"]["hits"]
            yield page
            if len(page) < PAGE:
                return
            after = page[-1]["sort"]

    # -- spelling -------------------------------------------------------------------------

    def _suggest(self, text: str, parsed: Parsed) -> str | None:
        """The query with each word the index lacks replaced by its closest indexed word."""
        corrected = text
        changed = False
        for word, offset in sorted(parsed.words, key=lambda w: -w[1]):
            if not word.isalpha():
                continue
            body = {
                "suggest": {
                    "w": {
                        "text": word,
                        "term": {
                            "field": "spell",
                            "suggest_mode": "missing",
                            "max_edits": 2,
                            "prefix_length": 1,
                            "sort": "score",
                            "string_distance": "levenshtein",
                        },
                    }
                },
                "size": 0,
            }
            found = self._search(body)
            options = [o for entry in found["suggest"]["w"] for o in entry["options"]]
            if not options:
                continue
            corrected = replace_word(corrected, word, offset, str(options[0]["text"]))
            changed = True
        if not changed:
            return None
        try:
            fixed = self.parse(corrected)
            if not self._count(to_dsl(fixed.query), {}):
                return None
        except QueryError:
            return None
        return corrected

    # -- single items ---------------------------------------------------------------------

    def _source(self, item_id: str) -> dict[str, Any]:
        try:
            found = self._call(self.client.get, index=self.index, id=item_id.strip())
        except os_errors.NotFoundError:
            if not self._count(MATCH_ALL, {}):
                raise ItemNotFoundError(
                    f"no item with id {item_id!r}: {EMPTY_INDEX.split('; ')[0]}",
                    hint=EMPTY_INDEX.split("; ")[1],
                ) from None
            raise ItemNotFoundError(f"no item with id {item_id!r}") from None
        source: dict[str, Any] = found["_source"]
        return source

    def get(self, item_id: str) -> Item:
        return item_from_source(self._source(item_id))

    def similar(self, item_id: str, limit: int = 10) -> list[Hit]:
        """Items that share the most distinctive words, topics and countries (more_like_this)."""
        item = self.get(item_id)
        fields = [f"{name}.{lang}" for name in SIMILAR_FIELDS for lang in _languages(name)]
        should: list[Dsl] = [
            {
                "more_like_this": {
                    "fields": fields,
                    "like": [{"_index": self.index, "_id": item.id}],
                    "min_term_freq": 1,
                    "min_doc_freq": 2,
                    "max_query_terms": 15,
                    "min_word_length": 3,
                    "minimum_should_match": "1",
                }
            }
        ]
        should += [{"term": {"topic": {"value": t, "boost": 2.0}}} for t in item.topics]
        should += [{"term": {"country": {"value": c, "boost": 2.0}}} for c in item.country_codes]
        body = {
            "query": {
                "bool": {
                    "should": should,
                    "minimum_should_match": 1,
                    "must_not": [{"ids": {"values": [item.id]}}],
                }
            },
            "size": limit,
            "sort": self._order("relevance"),
            "_source": NO_EVIDENCE,
        }
        found = self._search(body, relevance=True)
        return [
            hit_of(item_from_source(h["_source"], evidence=False), None, float(h["_score"]))
            for h in found["hits"]["hits"]
        ]

    # -- near-duplicates and samples ------------------------------------------------------

    def clusters(self) -> OpenSearchClusters:
        """The near-duplicate clusters written on the index when it was loaded."""
        return OpenSearchClusters(self)

    def sample(self, size: int) -> tuple[Item, ...]:
        """At most ``size`` items: the first in reading order (kept for HELD_TTL seconds)."""
        with self._lock:
            kept = self._sample
            if kept is not None and kept[0] == size and time.monotonic() - kept[1] < HELD_TTL:
                return kept[2]
        body = {
            "size": min(size, WINDOW),
            "sort": [{name: "asc"} for name in READ_ORDER] + [{"id": "asc"}],
            "_source": ["id", "title", "summary", "language"],
        }
        found = self._search(body)
        items = tuple(item_from_source(h["_source"], evidence=False) for h in found["hits"]["hits"])
        with self._lock:
            self._sample = (size, time.monotonic(), items)
        return items

    # -- statistics -----------------------------------------------------------------------

    def stats(self) -> Stats:
        aggs = {
            name: {
                "filter": MATCH_ALL,
                "aggs": {"values": {"terms": {"field": name, "size": FACET_SIZE}}},
            }
            for name in FACET_NAMES
        }
        body = {
            "size": 0,
            "track_total_hits": True,
            "aggs": {**aggs, "undated": {"missing": {"field": "date"}}},
        }
        found = self._search(body)
        facets = {name: _facet(name, found["aggregations"][name]) for name in FACET_NAMES}
        info = self._call(self.client.indices.stats, index=self.index, metric="store,segments")
        primaries = info["_all"]["primaries"]
        described = self._call(self.client.indices.get, index=self.index)
        concrete = next(iter(described.values()))
        meta = concrete.get("mappings", {}).get("_meta", {})
        updated = meta.get("updated")
        if not updated:
            created = int(concrete["settings"]["index"].get("creation_date", "0")) / 1000
            updated = (
                dt.datetime.fromtimestamp(created, dt.UTC).isoformat(timespec="seconds")
                if created
                else None
            )
        return Stats(
            path=f"{self.url.rstrip('/')}/{self.index}",
            items=int(found["hits"]["total"]["value"]),
            size_bytes=int(primaries["store"]["size_in_bytes"]),
            updated=updated,
            segments=int(primaries["segments"]["count"]),
            facets=facets,
            undated=int(found["aggregations"]["undated"]["doc_count"]),
        )

    # -- counts over time (trends) ---------------------------------------------------------

    def period_counts(self, request: SearchRequest, unit: str = "year") -> PeriodCounts:
        """How many items match ``request`` (text and filters) in each year or month."""
        if unit not in UNITS:
            raise QueryError(f"unknown period {unit!r}; use one of {', '.join(UNITS)}")
        parsed = self.parse(request.text)
        masks = self._filters(request.filters, request.coarse_dates)
        histogram = {
            "date_histogram": {
                "field": "date",
                "calendar_interval": unit,
                "format": "yyyy" if unit == "year" else "yyyy-MM",
                "min_doc_count": 1,
            },
            "aggs": {"precision": {"terms": {"field": "date_precision", "size": 4}}},
        }
        body = {
            "size": 0,
            "query": {"bool": {"must": [to_dsl(parsed.query)], "filter": list(masks.values())}},
            "aggs": {"periods": histogram, "undated": {"missing": {"field": "date"}}},
        }
        found = self._search(body)
        by_period: Counter[str] = Counter()
        year_only: Counter[str] = Counter()
        for bucket in found["aggregations"]["periods"]["buckets"]:
            period = str(bucket["key_as_string"])
            by_period[period] += int(bucket["doc_count"])
            if unit == "month":
                for kind in bucket["precision"]["buckets"]:
                    if kind["key"] == "year":  # an item known only to its year: not January's
                        by_period[period] -= int(kind["doc_count"])
                        year_only[period[:4]] += int(kind["doc_count"])
        return PeriodCounts(
            unit=unit,
            counts={k: v for k, v in sorted(by_period.items()) if v > 0},
            undated=int(found["aggregations"]["undated"]["doc_count"]),
            year_only=dict(sorted(year_only.items())),
        )


class OpenSearchClusters:
    """The near-duplicate clusters of an index on a cluster: each item of a story of two or
    more versions holds its cluster's id (written by indexing, index/os_store.py)."""

    def __init__(self, engine: OpenSearchEngine) -> None:
        self._engine = engine

    def members(self, cluster: str) -> list[str]:
        """The ids of every version in cluster ``cluster``, in reading order (empty: none)."""
        body = {
            "size": WINDOW,
            "query": {"term": {CLUSTER: cluster}},
            "sort": [{name: "asc"} for name in READ_ORDER] + [{"id": "asc"}],
            "_source": ["id"],
        }
        found = self._engine._search(body)
        return [str(h["_source"]["id"]) for h in found["hits"]["hits"]]


def _any(clauses: list[Dsl]) -> Dsl:
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _value_query(name: str, value: str) -> wq.Query:
    if value == missing_value(name):
        return wq.Not(wq.Every(name))
    return wq.Term(name, value)


def _unit_clause(number: int, unit: Unit, expand: bool, scored: bool = True) -> Dsl:
    """One word of the query: found as typed or through its expansion, scored as the Whoosh
    engine scores it (BM25 of the word, plus a fifth of its expansion's), with the tiers
    that rank more words, and more words as typed, first (the best of the two tiers counts).

    Without ``scored`` the expansion counts a constant: a cluster whose clause limit cannot
    hold an expansion's BM25 form (every form, three languages, four fields) still answers.
    """
    own = to_dsl(unit.own)
    mark = {"filter": as_filter(own), "boost": MATCHED + OWN, "_name": f"own{number}"}
    tiers: list[Dsl] = [{"constant_score": mark}]
    should = [own]
    if expand and unit.expansion is not None:
        extra = as_filter(to_dsl(unit.expansion))
        weight = MATCHED + (0.0 if scored else EXPANSION_WEIGHT)
        tiers.append(
            {"constant_score": {"filter": extra, "boost": weight, "_name": f"exp{number}"}}
        )
        if scored:
            should.append({"bool": {"should": [to_dsl(unit.expansion)], "boost": EXPANSION_WEIGHT}})
    should.append({"dis_max": {"queries": tiers}})
    return {"bool": {"should": should, "minimum_should_match": 1, "_name": f"u{number}"}}


def _date_clauses(filters: Filters) -> tuple[Dsl, Dsl]:
    """Items whose whole date lies in the range, and items dated only to a month or year
    that overlaps the range without lying inside it."""
    low = (filters.date_from or dt.date(1000, 1, 1)).isoformat()
    high = (filters.date_to or dt.date(2999, 12, 31)).isoformat()
    within: Dsl = {
        "bool": {
            "filter": [
                {"range": {"date": {"gte": low}}},
                {"range": {DATE_END: {"lte": high}}},
            ]
        }
    }
    overlapping: Dsl = {
        "bool": {
            "filter": [{"range": {"date": {"lte": high}}}, {"range": {DATE_END: {"gte": low}}}],
            "must_not": [within],
        }
    }
    return within, overlapping


def _languages(name: str) -> tuple[str, ...]:
    return tuple(field_named(name).languages) or ("en",)


def _facet(name: str, agg: Dsl) -> tuple[FacetValue, ...]:
    """A facet's buckets in the order and shape of the Whoosh engine's (counted per story
    when the buckets carry story counts)."""
    pairs = [(str(b["key"]), _counted(b)) for b in agg["values"]["buckets"]]
    missing = agg.get("missing")
    return facet_list(name, pairs, _counted(missing) if missing else 0)


def _counted(bucket: Dsl) -> int:
    """A bucket's items, or its stories when it counts them: the items of no cluster, and
    each cluster once."""
    clustered = bucket.get("clustered")
    if clustered is None:
        return int(bucket["doc_count"])
    distinct = int(clustered["stories"]["value"])
    return int(bucket["doc_count"]) - int(clustered["doc_count"]) + distinct


def item_from_source(source: Dsl, *, evidence: bool = True) -> Item:
    """Rebuild an item from its OpenSearch document (the registry's attributes by name)."""
    published = source.get("published") or ""
    reasons = json.loads(source.get("evidence") or "[]") if evidence else []
    values: dict[str, Any] = {}
    for spec in item_fields():
        value = source.get(spec.name)
        if spec.multi:
            values[spec.attribute or spec.name] = tuple(value or ())
        elif value:
            values[spec.attribute or spec.name] = value
    codes = values.get("country_codes", ())
    item = Item(
        id=source["id"],
        title=text_of(source, "title"),
        summary=text_of(source, "summary"),
        body=text_of(source, "body"),
        date=dt.date.fromisoformat(published) if published else None,
        countries=tuple(source.get("country_name") or (country_name(c) for c in codes)),
        source=source.get("source_line") or "",
        evidence=tuple(Evidence(**e) for e in reasons),
        **values,
    )
    return dataclasses.replace(item)
