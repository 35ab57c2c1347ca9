"""Full records: every stored field of the matching items (body, kind, precision, evidence)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from newsearch.index.item import Item
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest


def whole_items(
    engine: SearchBackend, request: SearchRequest, *, evidence: bool = True
) -> Iterator[Item]:
    """Every item matching ``request`` whole, in export order, streamed (``evidence=False``
    leaves the tag evidence out, for readers of the text alone). Each backend reads the items
    itself: no snippet is made and no request is sent per item."""
    return engine.items(request, evidence=evidence)


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


def headlines(engine: SearchBackend, request: SearchRequest) -> Iterator[Item]:
    """The title, summary, language and id of every item matching ``request``, in export
    order (whole items, no snippet made)."""
    return whole_items(engine, request, evidence=False)


def matching_ids(engine: SearchBackend, request: SearchRequest) -> list[str]:
    """The ids of every item matching ``request``, in export order."""
    return [found.id for found in headlines(engine, request)]
