"""Similar items: the items that share an item's concepts, places, tags and distinctive words."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from newsearch.index.analysis import terms, words
from newsearch.index.item import Item
from newsearch.index.vocabulary import Entry, content_words, vocabulary
from newsearch.search.columns import Bools, Columns, Floats, Ints

SIMILAR_WORD_WEIGHT = 0.2  # a shared word counts a fifth of a shared concept, place or tag
SIMILAR_MAX_SHARE = 0.5  # a word in more than this share of items tells none apart
SIMILAR_CUTOFF = 0.3  # similar items score at least this share of the best one
# the aspect of an item each kind of vocabulary entry speaks of (acronyms and regions: none;
# "where" is the item's own countries)
ASPECTS = {"concept": "what", "convention": "what", "sector": "sector"}


def similar_documents(
    columns: Columns,
    item: Item,
    own: int | None,
    limit: int,
    entry_mask: Callable[[Entry], Bools],
) -> tuple[Ints, Floats, list[str]]:
    """The documents most like ``item`` (best first, at most ``limit``), every document's
    score, and the item's word stems. ``own`` is the item's document (left out);
    ``entry_mask`` gives the documents naming a vocabulary entry."""
    size = columns.size
    total = max(1, columns.count)
    score = np.zeros(size)
    shared = np.zeros(size, dtype=np.int32)

    about = np.zeros(size, dtype=bool)  # shares a concept, sector, place or tag
    # what an item is about, in which sector, where: sharing more of these ranks first
    aspects = {name: np.zeros(size, dtype=bool) for name in ("what", "sector", "where")}

    def add(docs: Bools, weight: float, aspect: str | None = None) -> None:
        nonlocal score, shared, about
        df = int((docs & columns.live).sum())
        if df <= 1 or df > total * SIMILAR_MAX_SHARE:
            return  # only this item has it, or too common to tell items apart
        score = score + weight * math.log(1 + total / df) * docs
        shared = shared + docs
        if weight == 1.0:
            about = about | docs
        if aspect is not None:
            aspects[aspect] |= docs

    for entry in entries_named(item):
        add(entry_mask(entry), 1.0, ASPECTS.get(entry.kind))
    for name, values in (("topic", item.topics), ("country", item.country_codes)):
        facet = columns.facets.get(name)
        for value in values if facet is not None else ():
            aspect = "what" if name == "topic" else "where"
            add(facet.mask((value,), size), 1.0, aspect)  # type: ignore[union-attr]
    text = f"{item.title} {item.summary} {item.body[:5000]}"
    stems = sorted({t for t in terms(text, item.language) if len(t) >= 3})
    for term in stems:
        holders = np.zeros(size, dtype=bool)
        for name in ("title", "summary", "body"):
            holders[columns.postings(name, term)[0]] = True
        add(holders, SIMILAR_WORD_WEIGHT)
    candidates = columns.live & about & (shared >= 2) & (score > 0)
    if own is not None:
        candidates[own] = False
    found = np.flatnonzero(candidates)
    if not len(found):
        return found, score, stems
    best = float(score[found].max())
    found = found[score[found] >= best * SIMILAR_CUTOFF]
    kinds = np.zeros(size, dtype=np.int32)
    for mask in aspects.values():
        kinds += mask
    chosen = found[np.lexsort((found, -score[found], -kinds[found]))][:limit]
    return chosen, score, stems


def entries_named(item: Item) -> list[Entry]:
    """The vocabulary entries an item names: its concepts, sectors, codes and places."""
    text = f"{item.title} {item.summary} {item.body[:5000]}"
    found = {id(s.entry): s.entry for s in vocabulary().spans(content_words(text))}
    tokens = {w for w, _, _ in words(text)}
    for entry in vocabulary().entries:
        if entry.code and f"{entry.code[0].lower()}{entry.number}" in tokens:
            found[id(entry)] = entry
        if entry.countries and set(entry.countries) & set(item.country_codes):
            found[id(entry)] = entry
    return list(found.values())
