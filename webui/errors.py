"""Domain errors and HTTP errors translated at the edge: one JSON shape, or an error page."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from newsearch.index.errors import (
    IndexDamagedError,
    IndexMissingError,
    ItemNotFoundError,
    NewsearchError,
    QueryError,
)
from newsearch.index.os_client import ClusterUnavailableError

# Paths answered for programs: their errors are JSON, never an HTML page.
MACHINE_PREFIXES = (
    "/api/",
    "/export.",
    "/feed.atom",
    "/concordance.csv",
    "/trends.csv",
    "/made.json",
)
TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request too large",
    500: "Server error",
    503: "Index unavailable",
}


def status_of(exc: NewsearchError) -> int:
    """The HTTP status for a domain error: the caller's mistakes are 4xx, a bad index 503."""
    if isinstance(exc, QueryError):
        return 400
    if isinstance(exc, ItemNotFoundError):
        return 404
    if isinstance(exc, IndexMissingError | IndexDamagedError | ClusterUnavailableError):
        return 503
    return 400


def json_error(message: str, status: int) -> Response:
    """The API's one error shape."""
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith(MACHINE_PREFIXES)


def error_response(message: str, status: int, hint: str = "") -> Response:
    """JSON for the API, exports and feeds; an error page for people."""
    if wants_json():
        return json_error(message, status)
    title = TITLES.get(status, "Error")
    page = render_template("error.html", title=title, message=message, hint=hint, status=status)
    return make_response(page, status)


def _domain(exc: NewsearchError) -> Response:
    return error_response(exc.message, status_of(exc), exc.hint)


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description or exc.name
    if status == 404:
        message = f"nothing at {request.path}"
    elif status == 405:
        message = f"{request.method} is not allowed here"
    response = error_response(message, status)
    if status == 405:
        response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or ())
    return response


def _unexpected(exc: Exception) -> Response:
    current_app.logger.exception("unexpected error on %s", request.path)
    return error_response("something went wrong on the server; see its log", 500)


def register(app: Flask) -> None:
    app.register_error_handler(NewsearchError, _domain)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
