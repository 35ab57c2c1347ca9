"""The app's one search engine: created on first use, kept for the app's life, and shared by
every request thread (searches run side by side, each within its budget)."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from newsearch.search.backend import BackendConfig, SearchBackend, open_backend
from newsearch.search.budget import Limits

_KEY = "newsearch.engine"
_LOCK = threading.Lock()


def engine(app: Flask | None = None) -> SearchBackend:
    """The engine of the app (the current one by default): the Whoosh index, which picks up
    new commits, or the OpenSearch cluster of ``config["BACKEND"]``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_KEY)
    if found is None:
        with _LOCK:
            found = app.extensions.get(_KEY)
            if found is None:
                config = app.config.get("BACKEND") or BackendConfig()
                limits = app.config.get("QUERY_LIMITS") or Limits.from_env()
                found = app.extensions[_KEY] = open_backend(config, app.config["INDEX_DIR"], limits)
    engine: SearchBackend = found
    return engine


def close(app: Flask) -> None:
    """Close the app's engine, if it was ever opened."""
    found: SearchBackend | None = app.extensions.pop(_KEY, None)
    if found is not None:
        found.close()
