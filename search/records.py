"""Full records: every stored field of the matching items (body, kind, precision, evidence)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from newsearch.index.item import Item
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.results import Hit


def full_records(engine: SearchBackend, hits: Iterable[Hit]) -> Iterator[Item]:
    """The whole item behind each hit, in the hits' order."""
    for hit in hits:
        yield engine.get(hit.id)


def whole_items(
    engine: SearchBackend, request: SearchRequest, *, evidence: bool = True
) -> Iterator[Item]:
    """Every item matching ``request`` whole, in export order, streamed (``evidence=False``
    leaves the tag evidence out, for readers of the text alone).

    The embedded engine reads each item once (``Engine.items``); a backend without that
    method gives its hits and then each whole item by id.
    """
    read = getattr(engine, "items", None)
    if read is not None:
        yield from read(request, evidence=evidence)
        return
    yield from full_records(engine, engine.export(request))


def record_dict(item: Item) -> dict[str, Any]:
    """``Item.to_dict()``: the JSON of ``newsearch show --format json``."""
    return item.to_dict()


def write_records(items: Iterable[Any], out: TextIO) -> int:
    """One full record per line (JSON Lines)."""
    count = 0
    for item in items:
        out.write(json.dumps(record_dict(item), ensure_ascii=False) + "\n")
        count += 1
    return count


def headlines(engine: SearchBackend, request: SearchRequest) -> Iterator[Hit | Item]:
    """The title, summary, language and id of every item matching ``request``, in export
    order: whole items where the backend reads them itself (no snippet made), else its hits
    (never a second request per item)."""
    if getattr(engine, "items", None) is not None:
        return whole_items(engine, request, evidence=False)
    return engine.export(request)


def matching_ids(engine: SearchBackend, request: SearchRequest) -> list[str]:
    """The ids of every item matching ``request``, in export order."""
    return [found.id for found in headlines(engine, request)]
