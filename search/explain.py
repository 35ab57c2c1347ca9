"""How a query was searched: the explain record both engines give with ``--explain``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from newsearch.search.query import Parsed, Unit

if TYPE_CHECKING:
    from newsearch.search.engine import SearchRequest


def explanation(
    parsed: Parsed,
    request: SearchRequest,
    units: list[Unit],
    languages: tuple[str, ...],
    *,
    with_word: Callable[[int, Unit], int | None],
    with_word_or_expansion: Callable[[int, Unit], int | None],
    items_in: Callable[[wq.Query], int],
    full: int,
    fallback: bool,
    partial: int,
    corrected_from: str | None,
) -> dict[str, Any]:
    """The query's parts, their stems and expansions and what each matched (the counts come
    from the engine: items holding the ``n``-th word, or it or its expansion, and items
    matching a part that is never relaxed)."""
    plan = parsed.plan
    words = [
        {
            "word": unit.text,
            "stems": dict(unit.stems),
            "understood_as": unit.concept,
            "expansions": list(unit.forms[:30]) if request.expand else [],
            "items_with_word": with_word(number, unit),
            "items_with_word_or_expansion": with_word_or_expansion(number, unit),
        }
        for number, unit in enumerate(units)
    ]
    required = [
        {"part": str(node), "items": items_in(node)}
        for side in ([plan] if plan is not None else parsed.branches)
        for node in side.required
    ]
    return {
        "query": str(parsed.query),
        "languages": list(languages),
        "words": words,
        "never_relaxed": required,
        "excluded": str(plan.excluded) if plan is not None and plan.excluded else None,
        "expand": request.expand,
        "match": request.match,
        "full_matches": full,
        "partial_fallback": fallback,
        "partial_matches": partial,
        "corrected_from": corrected_from,
    }
