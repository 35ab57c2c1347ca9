"""The Flask application factory: configuration, blueprints, error handling, security headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from newsearch.index.store import default_index_dir
from newsearch.webui import api, errors, formatting, guide, pages, research, watching

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": None,  # the index folder; the per-user default when not given
    "WATCHES": None,  # the watch file; INDEX.watches.json beside the index when not given
    "BACKEND": None,  # a search.backend.BackendConfig; None: the Whoosh index at INDEX_DIR
    "MAX_CONTENT_LENGTH": 16 * 1024,  # every route is a GET: no request needs a body
    "MAX_FORM_MEMORY_SIZE": 16 * 1024,
    "SEND_FILE_MAX_AGE_DEFAULT": 3600,
    # Host headers answered (a page on localhost must not answer a DNS-rebound name); None
    # answers any (a server listening on every address)
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "::1"],
}


class JSONProvider(DefaultJSONProvider):
    """JSON as the CLI writes it: keys in their own order, text as UTF-8 rather than escapes."""

    sort_keys = False
    ensure_ascii = False


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A search app on the index at ``config["INDEX_DIR"]``; the engine opens on first use."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json = JSONProvider(app)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    app.config["INDEX_DIR"] = str(app.config["INDEX_DIR"] or default_index_dir())
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    formatting.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(research.bp)
    app.register_blueprint(watching.bp)
    app.register_blueprint(guide.bp)
    errors.register(app)
    app.before_request(_known_host)
    app.before_request(_bounded)
    app.after_request(_secure)
    return app


def _known_host() -> None:
    """Refuse a request whose Host header names a host this server was not started as."""
    allowed = current_app.config["ALLOWED_HOSTS"]
    if allowed is None:
        return
    host = request.headers.get("Host", "").strip().lower()
    name = host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
    if name not in allowed:
        raise BadRequest(f"this server does not answer for the host {host[:100]!r}")


def _bounded() -> None:
    """Refuse a request body over MAX_CONTENT_LENGTH before anything else is done."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
