"""The app's one search engine: created on first use, kept for the app's life, and shared by
every request thread (searches run side by side, each within its budget)."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from newsearch.search.budget import Limits
from newsearch.search.engine import Engine

_KEY = "newsearch.engine"
_LOCK = threading.Lock()


def engine(app: Flask | None = None) -> Engine:
    """The engine of the app (the current one by default); it picks up new index commits."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_KEY)
    if found is None:
        with _LOCK:
            found = app.extensions.get(_KEY)
            if found is None:
                limits = app.config.get("QUERY_LIMITS") or Limits.from_env()
                found = app.extensions[_KEY] = Engine(app.config["INDEX_DIR"], limits)
    assert isinstance(found, Engine)
    return found


def close(app: Flask) -> None:
    """Close the app's engine, if it was ever opened."""
    found = app.extensions.pop(_KEY, None)
    if isinstance(found, Engine):
        found.close()
