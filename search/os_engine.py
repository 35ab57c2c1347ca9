"""The search engine on an OpenSearch cluster: the same requests and results as the Whoosh one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy import exceptions as os_errors

from newsearch.index.errors import IndexMissingError, ItemNotFoundError, QueryError
from newsearch.index.fields import field_named, missing_value
from newsearch.index.item import Evidence, Item
from newsearch.index.os_client import ClusterUnavailableError, check_health, cluster_errors, connect
from newsearch.index.places import country_name
from newsearch.search.engine import SearchRequest
from newsearch.search.os_query import Dsl, filter_clauses, text_paths, to_dsl
from newsearch.search.query import Parsed, parse
from newsearch.search.results import FACET_NAMES, FacetValue, Hit, SearchResult, Span, Stats

FACET_SIZE = 10_000  # every value of a facet (countries, topics, years: a few hundred at most)
PAGE = 1_000  # hits per request when exporting
KEEP_ALIVE = "2m"  # how long a point in time lives between two pages of an export
FRAGMENT = 240  # characters of a snippet
OPEN, CLOSE = "\ue000", "\ue001"  # highlight markers (private-use characters)
LANGUAGES_TTL = 5.0  # seconds the index's languages are remembered
SIMILAR_FIELDS = ("title", "summary", "body")


class OpenSearchEngine:
    """Answers searches from an index (an alias) on an OpenSearch cluster."""

    def __init__(self, url: str, index: str, *, client: OpenSearch | None = None) -> None:
        self.url = url
        self.index = index
        self.client = client or connect(url)
        self._languages: tuple[str, ...] = ("en",)
        self._languages_at = 0.0
        self._checked = False
        self._lock = threading.Lock()

    def __enter__(self) -> OpenSearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

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

    def languages(self) -> tuple[str, ...]:
        """The languages of the items in the index (queries look up a word's stem in each)."""
        with self._lock:
            if time.monotonic() - self._languages_at < LANGUAGES_TTL:
                return self._languages
        body = {"size": 0, "aggs": {"l": {"terms": {"field": "language", "size": 10}}}}
        found = self._call(self.client.search, index=self.index, body=body)
        values = {b["key"] for b in found["aggregations"]["l"]["buckets"]}
        languages = tuple(v for v in ("en", "fr", "es") if v in values) or ("en",)
        with self._lock:
            self._languages, self._languages_at = languages, time.monotonic()
        return languages

    def parse(self, text: str) -> Parsed:
        return parse(text, self.languages())

    @staticmethod
    def _sort(request: SearchRequest) -> str:
        if request.sort == "relevance" and not request.text.strip():
            return "newest"
        return request.sort

    @staticmethod
    def _order(sort: str) -> list[Any]:
        if sort == "relevance":
            return [{"_score": "desc"}, {"id": "asc"}]
        direction = "desc" if sort == "newest" else "asc"
        return [{"date": {"order": direction, "missing": "_last"}}, {"id": "asc"}]

    @staticmethod
    def _search_type(sort: str) -> dict[str, str]:
        # scores from the whole index's term statistics, not each shard's own
        return {"search_type": "dfs_query_then_fetch"} if sort == "relevance" else {}

    # -- searching ------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        parsed = self.parse(request.text)
        sort = self._sort(request)
        query = to_dsl(parsed.query)
        filters = filter_clauses(request.filters)
        aggs: Dsl = {}
        for name in FACET_NAMES:
            narrowing = filter_clauses(request.filters, without=name)
            inner: Dsl = {"values": {"terms": {"field": name, "size": FACET_SIZE}}}
            if missing_value(name):
                inner["missing"] = {"missing": {"field": name}}
            aggs[name] = {"filter": {"bool": {"filter": narrowing}}, "aggs": inner}
        start = (request.page - 1) * request.limit
        body: Dsl = {
            "query": query,
            "post_filter": {"bool": {"filter": filters}},
            "aggs": aggs,
            "size": request.limit,
            "from": start,
            "sort": self._order(sort),
            "track_total_hits": True,
            "_source": {"excludes": ["body", "evidence"]},
            "highlight": self._highlight(),
        }
        if start + request.limit > 10_000:
            raise QueryError("pages past the 10,000th hit: use `export` for every match")
        found = self._call(
            self.client.search, index=self.index, body=body, params=self._search_type(sort)
        )
        total = int(found["hits"]["total"]["value"])
        facets = {name: _facet(name, found["aggregations"][name]) for name in FACET_NAMES}
        relevance = sort == "relevance"
        hits = tuple(_hit(h, relevance) for h in found["hits"]["hits"])
        suggestion = None
        if total == 0 and parsed.words:
            suggestion = self._suggest(request.text, parsed)
        return SearchResult(
            query=request.text,
            total=total,
            page=request.page,
            limit=request.limit,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            sort=sort,
            seconds=time.perf_counter() - started,
        )

    @staticmethod
    def _highlight() -> Dsl:
        fields: Dsl = {}
        for name in ("summary", "body", "title"):
            for path in text_paths(name):
                fields[path] = {
                    "type": "unified",
                    "fragment_size": FRAGMENT,
                    # a summary or title is short: marked whole; a body gives its best passage
                    "number_of_fragments": 1 if name == "body" else 0,
                    "no_match_size": 0 if name == "body" else FRAGMENT * 4,
                }
        return {
            "pre_tags": [OPEN],
            "post_tags": [CLOSE],
            "fields": fields,
            "require_field_match": False,
        }

    def count(self, text: str, filters: Any = None) -> int:
        parsed = self.parse(text)
        clauses = filter_clauses(filters) if filters is not None else []
        body = {"query": {"bool": {"must": [to_dsl(parsed.query)], "filter": clauses}}}
        found = self._call(self.client.count, index=self.index, body=body)
        return int(found["count"])

    def export(self, request: SearchRequest) -> Iterator[Hit]:
        """Every match, in order, a page at a time from one point in time (no 10,000 cap)."""
        parsed = self.parse(request.text)
        sort = self._sort(request)
        query = {
            "bool": {"must": [to_dsl(parsed.query)], "filter": filter_clauses(request.filters)}
        }
        pit = self._call(
            self.client.create_pit, index=self.index, params={"keep_alive": KEEP_ALIVE}
        )["pit_id"]
        relevance = sort == "relevance"
        after: list[Any] | None = None
        try:
            while True:
                body: Dsl = {
                    "query": query,
                    "size": PAGE,
                    "sort": self._order(sort),
                    "pit": {"id": pit, "keep_alive": KEEP_ALIVE},
                    "track_total_hits": False,
                    "highlight": self._highlight(),
                    "_source": {"excludes": ["body", "evidence"]},
                }
                if after is not None:
                    body["search_after"] = after
                found = self._call(self.client.search, body=body, params=self._search_type(sort))
                page = found["hits"]["hits"]
                for h in page:
                    yield _hit(h, relevance)
                if len(page) < PAGE:
                    return
                after = page[-1]["sort"]
        finally:
            try:
                with cluster_errors(self.url, self.index):
                    self.client.delete_pit(body={"pit_id": [pit]})
            except (ClusterUnavailableError, os_errors.TransportError):
                pass  # it expires by itself

    # -- spelling -------------------------------------------------------------------------

    def _suggest(self, text: str, parsed: Parsed) -> str | None:
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
            found = self._call(self.client.search, index=self.index, body=body)
            options = [o for entry in found["suggest"]["w"] for o in entry["options"]]
            if not options:
                continue
            replacement = str(options[0]["text"])
            if word[:1].isupper():
                replacement = replacement.capitalize()
            corrected = corrected[:offset] + replacement + corrected[offset + len(word) :]
            changed = True
        if not changed:
            return None
        try:
            if not self.count(corrected):
                return None
        except QueryError:
            return None
        return corrected

    # -- single items ---------------------------------------------------------------------

    def _source(self, item_id: str) -> dict[str, Any]:
        try:
            found = self._call(self.client.get, index=self.index, id=item_id.strip())
        except os_errors.NotFoundError:
            raise ItemNotFoundError(f"no item with id {item_id!r}") from None
        source: dict[str, Any] = found["_source"]
        return source

    def get(self, item_id: str) -> Item:
        return item_from_source(self._source(item_id))

    def similar(self, item_id: str, limit: int = 10) -> list[Hit]:
        """Items that share the most distinctive words, topics and countries (more_like_this)."""
        item = self.get(item_id)
        fields = [p for name in SIMILAR_FIELDS for p in text_paths(name)]
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
            "_source": {"excludes": ["body", "evidence"]},
            "highlight": self._highlight(),
        }
        found = self._call(
            self.client.search, index=self.index, body=body, params=self._search_type("relevance")
        )
        return [_hit(h, True) for h in found["hits"]["hits"]]

    # -- statistics -----------------------------------------------------------------------

    def stats(self) -> Stats:
        aggs = {
            name: {
                "filter": {"match_all": {}},
                "aggs": {"values": {"terms": {"field": name, "size": FACET_SIZE}}},
            }
            for name in FACET_NAMES
        }
        body = {
            "size": 0,
            "track_total_hits": True,
            "aggs": {**aggs, "undated": {"missing": {"field": "date"}}},
        }
        found = self._call(self.client.search, index=self.index, body=body)
        facets = {name: _facet(name, found["aggregations"][name]) for name in FACET_NAMES}
        info = self._call(self.client.indices.stats, index=self.index, metric="store,segments")
        primaries = info["_all"]["primaries"]
        aliases = self._call(self.client.indices.get, index=self.index)
        settings = next(iter(aliases.values()))["settings"]["index"]
        created = int(settings.get("creation_date", "0")) / 1000
        return Stats(
            path=f"{self.url.rstrip('/')}/{self.index}",
            items=int(found["hits"]["total"]["value"]),
            size_bytes=int(primaries["store"]["size_in_bytes"]),
            updated=dt.datetime.fromtimestamp(created, dt.UTC).isoformat(timespec="seconds")
            if created
            else None,
            segments=int(primaries["segments"]["count"]),
            facets=facets,
            undated=int(found["aggregations"]["undated"]["doc_count"]),
        )


def _facet(name: str, agg: Dsl) -> tuple[FacetValue, ...]:
    """A facet's buckets in the order and shape of the Whoosh engine's."""
    spec = field_named(name)
    pairs = [(str(b["key"]), int(b["doc_count"])) for b in agg["values"]["buckets"]]
    if spec.facet_order == "newest":
        pairs.sort(key=lambda vc: vc[0], reverse=True)
    else:
        pairs.sort(key=lambda vc: (-vc[1], vc[0]))
    if name == "country":
        out = [FacetValue(country_name(code), count, code) for code, count in pairs]
    else:
        out = [FacetValue(value, count) for value, count in pairs]
    without = int(agg.get("missing", {}).get("doc_count", 0))
    if spec.missing and without:
        out.append(FacetValue(spec.missing, without))
    return tuple(out)


def _text(source: Dsl, name: str) -> str:
    value = source.get(name) or {}
    if isinstance(value, dict):
        return str(next((v for v in value.values() if v), ""))
    return str(value)


def _spans(fragment: str, whole: str) -> tuple[Span, ...]:
    """A highlighted fragment as snippet spans, with '…' where the text goes on."""
    spans: list[Span] = []
    plain = fragment.replace(OPEN, "").replace(CLOSE, "")
    at = whole.find(plain)
    if at > 0:
        spans.append(("… ", False))
    rest = fragment
    while rest:
        start = rest.find(OPEN)
        if start < 0:
            spans.append((rest, False))
            break
        if start:
            spans.append((rest[:start], False))
        stop = rest.find(CLOSE, start)
        stop = len(rest) if stop < 0 else stop
        spans.append((rest[start + 1 : stop], True))
        rest = rest[stop + 1 :]
    if at >= 0 and at + len(plain) < len(whole.rstrip()):
        spans.append((" …", False))
    return tuple(spans)


def _snippet(hit: Dsl) -> tuple[Span, ...]:
    """Summary if it matched, else body, else title, else the start of the summary."""
    found = hit.get("highlight") or {}
    source = hit.get("_source") or {}
    fallback: tuple[Span, ...] = ()
    for name in ("summary", "body", "title"):
        for path in text_paths(name):
            for fragment in found.get(path, ()):
                if OPEN in fragment:
                    whole = _text(source, name) if name != "body" else ""
                    return _spans(fragment, whole or fragment.replace(OPEN, "").replace(CLOSE, ""))
                if not fallback and name == "summary" and fragment:
                    fallback = _spans(fragment, _text(source, name))
    return fallback


def _hit(hit: Dsl, relevance: bool) -> Hit:
    source = hit["_source"]
    score = hit.get("_score")
    return Hit(
        id=source["id"],
        title=_text(source, "title"),
        date=source.get("published") or None,
        summary=_text(source, "summary"),
        snippet=_snippet(hit),
        score=float(score) if relevance and score is not None else None,
        topics=tuple(source.get("topic") or ()),
        countries=tuple(source.get("country_name") or ()),
        country_codes=tuple(source.get("country") or ()),
        regions=tuple(source.get("region") or ()),
        label=source.get("label") or None,
        language=source.get("language") or "en",
        url=source.get("url") or None,
        source=source.get("source_line") or source.get("source") or "",
        date_precision=source.get("date_precision") or None,
    )


def item_from_source(source: Dsl) -> Item:
    """Rebuild an item from its OpenSearch document."""
    published = source.get("published") or ""
    evidence = tuple(Evidence(**e) for e in json.loads(source.get("evidence") or "[]"))
    item = Item(
        id=source["id"],
        title=_text(source, "title"),
        summary=_text(source, "summary"),
        body=_text(source, "body"),
        date=dt.date.fromisoformat(published) if published else None,
        date_precision=source.get("date_precision") or None,
        label=source.get("label") or None,
        kind=source.get("kind") or "news",
        topics=tuple(source.get("topic") or ()),
        country_codes=tuple(source.get("country") or ()),
        countries=tuple(source.get("country_name") or ()),
        regions=tuple(source.get("region") or ()),
        language=source.get("language") or "en",
        url=source.get("url") or None,
        source=source.get("source_line") or "",
        evidence=evidence,
    )
    return dataclasses.replace(item)
