"""Watched searches on the page: watch the current search, list watches with their new items."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from newsearch.search.watches import Watch, WatchBook, default_path
from newsearch.webui.core import engine
from newsearch.webui.state import FILTER_NAMES, SearchState

bp = Blueprint("watching", __name__)

SHOWN = 50  # new items listed on a watch's page


def book() -> WatchBook:
    configured = current_app.config.get("WATCHES")
    return WatchBook(
        Path(configured) if configured else default_path(Path(current_app.config["INDEX_DIR"]))
    )


def _same_site() -> None:
    """Refuse a change asked for by another site's page (the browser says where it came from)."""
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site not in {None, "same-origin", "none"}:
        raise Forbidden("watches can only be changed from this page")
    if origin and urlsplit(origin).netloc != request.host:
        raise Forbidden("watches can only be changed from this page")


def state_of(watch: Watch) -> SearchState:
    """The search page state of a watch: its query and filters, newest first."""
    f = watch.filters
    return SearchState(
        q=watch.query,
        chosen=tuple((name, tuple(f[name])) for name in FILTER_NAMES if f.get(name)),
        date_from=f.get("from", ""),
        date_to=f.get("to", ""),
        sort="newest",
    )


def _link(endpoint: str, state: SearchState) -> str:
    query = state.query_string()
    return url_for(endpoint) + (f"?{query}" if query else "")


@bp.get("/watches")
def watches() -> str:
    found = book()
    rows = [
        {
            "watch": watch,
            "new": found.new_count(engine(), watch.name),
            "search": _link("pages.search", state_of(watch)),
            "feed": _link("pages.feed", state_of(watch)),
        }
        for watch in found.watches()
    ]
    return render_template("watches.html", rows=rows, added=request.args.get("added"))


@bp.post("/watches")
def add() -> Response:
    _same_site()
    state = SearchState.from_args(request.form)
    filters = state.filters()
    name = (request.form.get("name") or "").strip()
    book().add(engine(), name, state.q, filters)
    return redirect(url_for("watching.watches") + "?" + urlencode({"added": name}), 303)


@bp.get("/watches/<name>")
def watch(name: str) -> str:
    found = book()
    current = found.get(name)
    new = found.pending(engine(), name)
    return render_template(
        "watch.html",
        watch=current,
        hits=new[:SHOWN],
        total=len(new),
        search=_link("pages.search", state_of(current)),
        feed=_link("pages.feed", state_of(current)),
    )


@bp.post("/watches/<name>/seen")
def seen(name: str) -> Response:
    """Remember a run: the items listed now are not new any more."""
    _same_site()
    book().run(engine(), name)
    return redirect(url_for("watching.watch", name=name), 303)


@bp.post("/watches/<name>/remove")
def remove(name: str) -> Response:
    _same_site()
    book().remove(name)
    return redirect(url_for("watching.watches"), 303)
