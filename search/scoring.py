"""Query evaluation over columns: the matching documents and BM25F scores of a Whoosh query."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from newsearch.search.columns import Bools, Columns, Floats
from newsearch.search.query import Alternatives


class Unsupported(Exception):
    """The query holds a node this evaluator does not score (phrases, wildcards, ranges...)."""


def evaluate(node: wq.Query, columns: Columns) -> tuple[Bools, Floats]:
    """(matching documents, scores) for ``node``; scores equal Whoosh's for supported nodes."""
    size = columns.size
    if isinstance(node, wq.Every):
        return np.ones(size, dtype=bool), np.zeros(size)
    if isinstance(node, wq.NullQuery.__class__):
        return np.zeros(size, dtype=bool), np.zeros(size)
    boost = float(getattr(node, "boost", 1.0))
    if type(node) is wq.Term:
        found = columns.term_scores(node.fieldname, _text(node.text), boost)
        if found is None:
            return np.zeros(size, dtype=bool), np.zeros(size)
        return found
    if type(node) is wq.Or:
        mask = np.zeros(size, dtype=bool)
        scores = np.zeros(size)
        for child in node.subqueries:
            child_mask, child_scores = evaluate(child, columns)
            mask |= child_mask
            scores += child_scores
        return mask, scores * boost if boost != 1.0 else scores
    if type(node) is wq.And:
        mask = np.ones(size, dtype=bool)
        scores = np.zeros(size)
        for child in node.subqueries:
            child_mask, child_scores = evaluate(child, columns)
            mask &= child_mask
            scores += child_scores
        scores[~mask] = 0.0
        return mask, scores * boost if boost != 1.0 else scores
    if type(node) is wq.AndNot:
        mask, scores = evaluate(node.a, columns)
        excluded, _ = evaluate(node.b, columns)
        mask = mask & ~excluded
        scores = np.where(mask, scores, 0.0)
        return mask, scores * boost if boost != 1.0 else scores
    raise Unsupported(type(node).__name__)


def docset(node: wq.Query, columns: Columns) -> Bools:
    """The documents matching any query; Whoosh itself resolves phrases, wildcards and ranges."""
    size = columns.size
    if isinstance(node, wq.Every):
        return np.ones(size, dtype=bool)
    if isinstance(node, wq.NullQuery.__class__):
        return np.zeros(size, dtype=bool)
    if type(node) is wq.Term:
        docs, _ = columns.postings(node.fieldname, _text(node.text))
        mask = np.zeros(size, dtype=bool)
        mask[docs] = True
        return mask
    if type(node) is wq.Or or type(node) is Alternatives:
        mask = np.zeros(size, dtype=bool)
        for child in node.subqueries:
            mask |= docset(child, columns)
        return mask
    if type(node) is wq.And:
        mask = np.ones(size, dtype=bool)
        for child in node.subqueries:
            mask &= docset(child, columns)
        return mask
    if type(node) is wq.AndNot:
        return docset(node.a, columns) & ~docset(node.b, columns)
    mask = np.zeros(size, dtype=bool)
    found = np.fromiter(node.docs(columns.searcher), dtype=np.int64)
    mask[found] = True
    return mask


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def evaluate_any(node: wq.Query, columns: Columns) -> tuple[Bools, Floats]:
    """(matching documents, scores) for any query: exact where :func:`evaluate` scores the
    node, else the documents Whoosh finds scored by the BM25F of the words they hold."""
    try:
        return evaluate(node, columns)
    except Unsupported:
        pass
    size = columns.size
    boost = float(getattr(node, "boost", 1.0))
    if type(node) is Alternatives:
        mask = np.zeros(size, dtype=bool)
        scores = np.zeros(size)
        for child in node.subqueries:
            child_mask, child_scores = evaluate_any(child, columns)
            mask |= child_mask
            np.maximum(scores, child_scores, out=scores)
        return mask, scores * boost
    if type(node) in (wq.Or, wq.And):
        is_or = type(node) is wq.Or
        mask = np.zeros(size, dtype=bool) if is_or else np.ones(size, dtype=bool)
        scores = np.zeros(size)
        for child in node.subqueries:
            child_mask, child_scores = evaluate_any(child, columns)
            mask = (mask | child_mask) if is_or else (mask & child_mask)
            scores += child_scores
        scores[~mask] = 0.0
        return mask, scores * boost
    if type(node) is wq.AndNot:
        mask, scores = evaluate_any(node.a, columns)
        mask = mask & ~docset(node.b, columns)
        return mask, np.where(mask, scores, 0.0) * boost
    mask = docset(node, columns)
    scores = np.zeros(size)
    seen: set[tuple[str, str]] = set()
    for fieldname, text in node.iter_all_terms():
        key = (fieldname, _text(text))
        if key in seen or fieldname not in columns.searcher.schema:
            continue
        seen.add(key)
        found = columns.term_scores(fieldname, key[1], 1.0)
        if found is not None:
            scores += found[1]
    scores[~mask] = 0.0
    return mask, scores * boost


def within(node: wq.Query, fields: frozenset[str], inside: bool = True) -> wq.Query | None:
    """The part of ``node`` that looks in ``fields`` only (``inside``) or in the other fields
    only (None when nothing does): where in an item a word or its reading was found."""
    kind = type(node)
    if kind in (wq.Or, Alternatives):
        kept = [k for c in node.subqueries if (k := within(c, fields, inside)) is not None]
        return None if not kept else kept[0] if len(kept) == 1 else kind(kept)
    if kind is wq.And:
        parts = [within(c, fields, inside) for c in node.subqueries]
        if any(p is None for p in parts):
            return None
        return wq.And(parts)
    if kind is wq.AndNot:
        kept_a = within(node.a, fields, inside)
        return None if kept_a is None else wq.AndNot(kept_a, node.b)
    fieldname = getattr(node, "fieldname", None)
    if fieldname is None:
        return node
    return node if (fieldname in fields) == inside else None
