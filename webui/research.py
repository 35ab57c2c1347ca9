"""The research pages: concordance, trends compared on one chart, and how each download was made."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from flask import Blueprint, Response, jsonify, make_response, render_template, request, url_for

from newsearch.index.errors import QueryError
from newsearch.search import provenance
from newsearch.search.backend import SearchBackend
from newsearch.search.concordance import (
    DEFAULT_WIDTH,
    KEYS,
    MAX_WIDTH,
    ORDERS,
    Line,
    concordance,
    csv_row,
    ordered,
    primed,
)
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.keyness import CorpusCounts, PageTerms, key_terms, page_terms
from newsearch.search.keyness import cache_path as terms_cache
from newsearch.search.periods import UNITS
from newsearch.search.query import MAX_QUERY_LENGTH
from newsearch.search.records import record_dict, whole_items
from newsearch.search.rows import CHUNK
from newsearch.search.stories import counts as story_counts
from newsearch.search.stories import stories
from newsearch.search.trends import Trend, trend
from newsearch.search.trends import write_csv as write_trend_csv
from newsearch.webui import chart
from newsearch.webui.core import engine
from newsearch.webui.state import FILTER_NAMES, SearchState

bp = Blueprint("research", __name__)

PAGE_LINES = 500  # concordance lines on the page; the CSV has them all
MAX_SERIES = 4  # searches on one chart
MEASURES = ("count", "share")
DOWNLOADS = {
    "export.csv": ("export", "csv"),
    "export.jsonl": ("export", "jsonl"),
    "export.full.jsonl": ("export", "jsonl"),
    "concordance.csv": ("kwic", "csv"),
    "trends.csv": ("trend", "csv"),
}


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (request.args.get(name) or default).strip()
    if value not in choices:
        raise QueryError(f"{name} must be one of {', '.join(choices)}")
    return value


def _width() -> int:
    raw = (request.args.get("width") or str(DEFAULT_WIDTH)).strip()
    if not raw.isdecimal() or int(raw) > MAX_WIDTH:
        raise QueryError(f"width must be a whole number from 0 to {MAX_WIDTH}")
    return int(raw)


def _queries() -> list[str]:
    """The searches to compare: every non-empty ``q``, at most four."""
    out: list[str] = []
    for raw in request.args.getlist("q"):
        text = raw.strip()
        if len(text) > MAX_QUERY_LENGTH:
            raise QueryError(f"a query is longer than {MAX_QUERY_LENGTH} characters")
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_SERIES:
        raise QueryError(f"at most {MAX_SERIES} searches on one chart")
    return out


def _filter_params(state: SearchState) -> list[tuple[str, str]]:
    """The state's filters (and dates) as URL arguments, without the query, sort or page."""
    return [(k, v) for k, v in state.params() if k in {*FILTER_NAMES, "from", "to"}]


def _url(endpoint: str, params: Iterable[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    query = urlencode(list(params))
    return url_for(endpoint) + (f"?{query}" if query else "")


# -- concordance ----------------------------------------------------------------------------


def _lines(
    state: SearchState, filters: Filters, width: int, order: str, limit: int | None = None
) -> Iterator[Line]:
    """Every line (or the first ``limit`` in ``order``); the first is looked for now, so a bad
    query or a sort over too many lines fails before a download starts."""
    found = concordance(engine(), SearchRequest(state.q, filters, state.sort), width)
    return primed(ordered(found, order, limit))


@bp.get("/concordance")
def concordance_page() -> Response:
    state = SearchState.from_args(request.args)
    width = _width()
    order = _choice("order", ORDERS, "items")
    filters = state.filters()
    state = state.normalised(filters)
    params = [*state.params(), ("width", str(width)), ("order", order)]
    lines: list[Line] = []
    error = None
    if state.q:
        try:
            lines = list(_lines(state, filters, width, order, PAGE_LINES + 1))
        except QueryError as exc:
            error = exc
    page = render_template(
        "concordance.html",
        state=state,
        lines=lines[:PAGE_LINES],
        more=len(lines) > PAGE_LINES,
        width=width,
        order=order,
        orders=ORDERS,
        error=error,
        csv_url=_url("research.concordance_csv", params),
        made_url=_url("research.made", [("for", "concordance.csv"), *params]),
        search_href=_url("pages.search", state.params()),
    )
    return make_response(page, 400 if error else 200)


def _concordance_csv(lines: Iterable[Line]) -> Iterator[str]:
    """The CSV of ``newsearch kwic --format csv``, sent in pieces as they fill."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(KEYS)
    for line in lines:
        writer.writerow(csv_row(line))
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@bp.get("/concordance.csv")
def concordance_csv() -> Response:
    state = SearchState.from_args(request.args)
    filters = state.filters()
    lines = _lines(state, filters, _width(), _choice("order", ORDERS, "items"))
    return _download(_concordance_csv(lines), "concordance")


def _download(body: Iterator[str], name: str) -> Response:
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="newsearch-{name}.csv"',
            "Cache-Control": "no-store",
        },
    )


# -- trends ---------------------------------------------------------------------------------


def _trend() -> tuple[SearchState, Filters, list[str], str, str, Trend | None]:
    state = SearchState.from_args(request.args)
    filters = state.filters()
    state = state.normalised(filters)
    queries = _queries()
    unit = _choice("by", UNITS, "year")
    measure = _choice("measure", MEASURES, "count")
    result = trend(engine(), queries, filters, unit) if queries else None
    return state, filters, queries, unit, measure, result


def _trend_params(state: SearchState, queries: list[str], unit: str) -> list[tuple[str, str]]:
    return [*(("q", q) for q in queries), *_filter_params(state), ("by", unit)]


@bp.get("/trends")
def trends_page() -> Response:
    state, _, queries, unit, measure, result = _trend()

    def period_link(index: int, period: str) -> str:
        target = state.change(q=queries[index], date_from=period, date_to=period, year=())
        return _url("pages.search", target.params())

    drawn = chart.build(result, measure, period_link) if result else None
    params = _trend_params(state, queries, unit)
    page = render_template(
        "trends.html",
        state=state,
        queries=queries,
        slots=[*queries, *[""] * (MAX_SERIES - len(queries))],
        unit=unit,
        units=UNITS,
        measure=measure,
        measures=MEASURES,
        trend=result,
        chart=drawn,
        filters=_filter_params(state),
        csv_url=_url("research.trends_csv", params),
        made_url=_url("research.made", [("for", "trends.csv"), *params]),
        measure_url=lambda key: _url("research.trends_page", [*params, ("measure", key)]),
    )
    return make_response(page)


@bp.get("/trends.csv")
def trends_csv() -> Response:
    *_, result = _trend()
    if result is None:
        raise QueryError("give at least one search (q) to count")
    buffer = io.StringIO()
    write_trend_csv(result, buffer, normalize=True)
    return _download(iter([buffer.getvalue()]), "trends")


# -- what sets these items apart ------------------------------------------------------------


@bp.get("/terms")
def terms_page() -> Response:
    state = SearchState.from_args(request.args)
    filters = state.filters()
    state = state.normalised(filters)
    against = (request.args.get("against") or "").strip() or None
    if against is not None and len(against) > MAX_QUERY_LENGTH:
        raise QueryError(f"'against' is longer than {MAX_QUERY_LENGTH} characters")
    found, target, reference = key_terms(
        engine(),
        state.q,
        filters,
        against=against,
        corpus=CorpusCounts(terms_cache(engine().data_dir)),
        fingerprint=provenance.IndexRecord.of(engine()).fingerprint,
    )
    page = render_template(
        "terms.html",
        state=state,
        against=against,
        terms=found,
        target=target,
        reference=reference,
        search_href=_url("pages.search", state.params()),
        term_href=lambda term: _url(
            "pages.search", state.change(q=f'{state.q} "{term}"'.strip()).params()
        ),
    )
    return make_response(page)


def results_terms(found: SearchBackend, search: SearchRequest) -> PageTerms:
    """The key terms shown beside the facets of a results page (bounded work)."""
    return page_terms(
        found,
        search,
        CorpusCounts(terms_cache(found.data_dir)),
        provenance.IndexRecord.of(found).fingerprint,
    )


# -- stories: near-duplicates shown once --------------------------------------------------


@bp.get("/stories")
def stories_page() -> Response:
    state = SearchState.from_args(request.args)
    filters = state.filters()
    state = state.normalised(filters)
    collapse = request.args.get("collapse") == "1"
    search = state.request(filters)
    start = (state.page - 1) * state.limit
    shown = list(islice(stories(engine(), search), start, start + state.limit))
    tally = story_counts(engine(), search, collapse)
    titles = {}
    for story in shown:
        for version in story.versions:
            if version != story.hit.id:
                titles[version] = engine().get(version).title
    page = render_template(
        "stories.html",
        state=state,
        stories=shown,
        titles=titles,
        tally=tally,
        collapse=collapse,
        search_href=_url("pages.search", state.params()),
        unit_url=lambda c: _url(
            "research.stories_page", [*state.change().params(), *([("collapse", "1")] if c else [])]
        ),
        page_url=lambda n: _url(
            "research.stories_page",
            [*state.change(page=n).params(), *([("collapse", "1")] if collapse else [])],
        ),
        pages=max(1, -(-tally.stories // state.limit)),
    )
    return make_response(page)


# -- full records ---------------------------------------------------------------------------


@bp.get("/export.full.jsonl")
def export_full() -> Response:
    """Every match as a full record (body, kind, date precision, tag evidence), streamed."""
    state = SearchState.from_args(request.args)
    found = whole_items(engine(), SearchRequest(state.q, state.filters(), state.sort, limit=1))
    first = next(found, None)  # a bad query fails here, before the download starts
    items = chain([first], found) if first is not None else iter(())

    def lines() -> Iterator[str]:
        pending: list[str] = []
        size = 0
        for item in items:
            line = json.dumps(record_dict(item), ensure_ascii=False) + "\n"
            pending.append(line)
            size += len(line)
            if size >= CHUNK:
                yield "".join(pending)
                pending, size = [], 0
        yield "".join(pending)

    return Response(
        lines(),
        content_type="application/x-ndjson; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="newsearch-full.jsonl"',
            "Cache-Control": "no-store",
        },
    )


# -- how a download was made ----------------------------------------------------------------


def _made() -> provenance.Provenance:
    target = (request.args.get("for") or "").strip()
    if target not in DOWNLOADS:
        raise QueryError(f"'for' must name a download: {', '.join(DOWNLOADS)}")
    kind, fmt = DOWNLOADS[target]
    state = SearchState.from_args(request.args)
    filters = state.filters()
    options: dict[str, Any]
    if kind == "trend":
        queries = _queries()
        options = {"by": _choice("by", UNITS, "year"), "normalize": True, "format": fmt}
        rows = len(trend(engine(), queries, filters, options["by"]).rows) if queries else 0
    elif kind == "kwic":
        queries = [state.q]
        options = {
            "width": _width(),
            "order": _choice("order", ORDERS, "items"),
            "sort": state.sort,
            "format": fmt,
        }
        rows = None
    else:
        queries = [state.q] if state.q else []
        options = {"sort": state.sort, "format": fmt, "full": target == "export.full.jsonl"}
        rows = engine().count(state.q, filters)
    location, backend = provenance.index_args(engine())
    command = provenance.command_for(kind, queries, filters, options, location, backend)
    made = provenance.record(engine(), kind, queries, filters, options, command)
    return made.with_rows(rows) if rows is not None else made


@bp.get("/made")
def made() -> Response:
    """How a download was made: the provenance record and the equivalent shell command."""
    record = _made()
    target = request.args.get("for", "")
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "for"]
    page = render_template(
        "made.html",
        record=record,
        download=target,
        download_url=_url(f"{_ENDPOINTS[target]}", args),
        json_url=_url("research.made_json", request.args.items(multi=True)),
    )
    return make_response(page)


@bp.get("/made.json")
def made_json() -> Response:
    return jsonify(_made().to_dict())


_ENDPOINTS = {
    "export.csv": "pages.export_csv",
    "export.jsonl": "pages.export_jsonl",
    "export.full.jsonl": "research.export_full",
    "concordance.csv": "research.concordance_csv",
    "trends.csv": "research.trends_csv",
}
