"""The pages people use: search, item, exports, the Atom feed and the OpenSearch description."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, render_template, request, url_for

from newsearch.index.errors import QueryError
from newsearch.index.item import Evidence
from newsearch.search.query import MAX_QUERY_LENGTH, SYNTAX_HELP
from newsearch.search.results import Hit
from newsearch.search.rows import csv_pieces, jsonl_pieces
from newsearch.search.stories import other_versions
from newsearch.webui import feeds, timeline, view
from newsearch.webui.core import engine
from newsearch.webui.research import results_terms
from newsearch.webui.state import SearchState

bp = Blueprint("pages", __name__)

FEED_LIMIT = 50
SIMILAR = 5


@bp.app_context_processor
def defaults() -> dict[str, object]:
    """What every page may draw on: an empty search state for the header's search box."""
    return {"state": SearchState()}


def search_url(state: SearchState, endpoint: str = "pages.search", **kw: Any) -> str:
    """The URL of a search state (on the search page, or on the feed or an export)."""
    query = state.query_string()
    return url_for(endpoint, **kw) + (f"?{query}" if query else "")


@bp.get("/")
def search() -> Response:
    state = SearchState(q=(request.args.get("q") or "")[:MAX_QUERY_LENGTH])
    try:
        state = SearchState.from_args(request.args)
        filters = state.filters(engine())
        state = state.normalised(filters)
        result = engine().search(state.request(filters, explain=bool(state.q)))
        if result.corrected_from is not None:  # the page shows the corrected query's results
            state = dataclasses.replace(state, q=result.query)
        bars = timeline.build(engine(), state, filters, result, search_url)
        versions = {
            hit.id: other_versions(engine(), hit) for hit in result.hits if (hit.versions or 1) > 1
        }
        terms = (
            results_terms(engine(), state.request(filters))
            if state.q and (result.total or result.partial_total)
            else None
        )
    except QueryError as exc:
        page = render_template(
            "search.html",
            state=state,
            error=exc,
            chips=view.chips(state, search_url),
            help=SYNTAX_HELP,
            link=search_url,
        )
        return make_response(page, 400)
    page = render_template(
        "search.html",
        state=state,
        result=result,
        timeline=bars,
        facets=view.facet_groups(result, state, search_url),
        chips=view.chips(state, search_url),
        pages=view.page_links(result, state, search_url),
        help=SYNTAX_HELP,
        link=search_url,
        versions=versions,
        terms=terms,
    )
    return make_response(page)


@bp.get("/items/<item_id>")
def item(item_id: str) -> str:
    found = engine().get(item_id)
    return render_template(
        "item.html",
        item=found,
        evidence=_grouped(found.evidence),
        similar=engine().similar(found.id, SIMILAR),
        back=_back_to_results(),
    )


def _grouped(evidence: tuple[Evidence, ...]) -> list[tuple[str, str, list[Evidence]]]:
    """Evidence grouped by tag, in the order the tags were given."""
    groups: dict[tuple[str, str], list[Evidence]] = {}
    for entry in evidence:
        groups.setdefault((entry.field, entry.value), []).append(entry)
    return [(name, value, entries) for (name, value), entries in groups.items()]


def _back_to_results() -> str | None:
    """The search this item was opened from, when the browser says it was one of ours."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.path != url_for("pages.search"):
        return None
    return url_for("pages.search") + (f"?{parts.query}" if parts.query else "")


# -- exports and feeds ----------------------------------------------------------------------


def _all_hits(state: SearchState) -> Iterator[Hit]:
    """Every match; the first is read now so a bad query fails before the response starts."""
    filters = state.filters(engine())
    hits = engine().export(state.request(filters))
    first = next(hits, None)
    return chain([first], hits) if first is not None else iter(())


def _download(body: Iterator[str], mimetype: str, extension: str) -> Response:
    stamp = dt.date.today().isoformat()
    return Response(
        body,
        content_type=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="newsearch-{stamp}.{extension}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/export.csv")
def export_csv() -> Response:
    hits = _all_hits(SearchState.from_args(request.args))
    return _download(csv_pieces(hits), "text/csv; charset=utf-8", "csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    hits = _all_hits(SearchState.from_args(request.args))
    return _download(jsonl_pieces(hits), "application/x-ndjson; charset=utf-8", "jsonl")


@bp.get("/feed.atom")
def feed() -> Response:
    """The newest matches of a search, for a feed reader."""
    state = SearchState.from_args(request.args, default_limit=FEED_LIMIT)
    filters = state.filters(engine())
    state = state.normalised(filters).change(sort="newest", page=state.page)
    result = engine().search(state.request(filters))
    store = getattr(engine(), "store", None)  # the Whoosh index keeps it in a small file
    updated = (store.meta().get("updated") if store is not None else engine().stats().updated) or (
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    document = feeds.atom(
        result.hits,
        title=f"newsearch: {state.q}" if state.q else "newsearch: newest items",
        feed_url=search_url(state, "pages.feed", _external=True),
        page_url=search_url(state, _external=True),
        item_url=lambda item_id: url_for("pages.item", item_id=item_id, _external=True),
        updated=str(updated),
    )
    return Response(document, mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    document = feeds.opensearch(
        page_template=url_for("pages.search", _external=True) + "?q={searchTerms}",
        feed_template=url_for("pages.feed", _external=True) + "?q={searchTerms}",
        api_template=url_for("api.search", _external=True) + "?q={searchTerms}",
        self_url=url_for("pages.opensearch", _external=True),
    )
    return Response(document, mimetype="application/opensearchdescription+xml")
