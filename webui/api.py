"""The JSON API: search, single items, similar items and index statistics."""

from __future__ import annotations

from pathlib import PurePath

from flask import Blueprint, Response, jsonify, request

from newsearch.webui.core import engine
from newsearch.webui.state import MAX_PAGE_RESULTS, SearchState

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    """The same parameters as the search page; the same shape as `newsearch query --format json`."""
    state = SearchState.from_args(request.args)
    explain = (request.args.get("explain") or "").strip() in {"1", "true", "yes", "on"}
    result = engine().search(state.request(state.filters(engine()), explain=explain))
    return jsonify(result.to_dict())


@bp.get("/items/<item_id>")
def item(item_id: str) -> Response:
    return jsonify(engine().get(item_id).to_dict())


@bp.get("/items/<item_id>/similar")
def similar(item_id: str) -> Response:
    """The same shape as `newsearch similar --format json`: a list of hits."""
    state = SearchState.from_args(request.args)
    hits = engine().similar(item_id, min(state.limit, MAX_PAGE_RESULTS))
    return jsonify([hit.to_dict() for hit in hits])


@bp.get("/stats")
def stats() -> Response:
    """The shape of `newsearch stats --format json`, but ``path`` is the index folder's name:
    where files lie on the server's disk is not the page's to tell."""
    data = engine().stats().to_dict()
    data["path"] = PurePath(data["path"]).name
    return jsonify(data)
