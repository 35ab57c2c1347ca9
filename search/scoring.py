"""Query evaluation over columns: the matching documents and BM25F scores of a Whoosh query."""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from newsearch.search.columns import Bools, Columns, Floats


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
    if type(node) is wq.Or:
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
