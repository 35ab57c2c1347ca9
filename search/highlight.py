"""Snippets: the best window of an item's own text, with the words that matched marked."""

from __future__ import annotations

from newsearch.index.analysis import STOPWORDS, fold, stem, words
from newsearch.search.results import Span

WINDOW = 36  # words in a snippet
HEAD = 3  # letters a word shares with its stem's start


def snippet(
    text: str, stems: set[str], prefixes: set[str], language: str, window: int = WINDOW
) -> tuple[Span, ...]:
    """Mark the words of ``text`` whose index term is in ``stems`` (or starts with a prefix)."""
    if not text:
        return ()
    tokens = list(words(text))
    if not tokens:
        return ((text[:300], False),)
    stoplist = STOPWORDS.get(language, STOPWORDS["en"])
    # Snowball only rewrites endings: a word can stem to a query term only if it starts with
    # the term's first letters, so most words are never stemmed at all.
    heads = {term[:HEAD] for term in stems} | {p[:HEAD] for p in prefixes}
    matched = [
        fold(word)[:HEAD] in heads
        and word not in stoplist
        and word not in STOPWORDS["en"]
        and (
            stem(word, language) in stems
            or any(stem(word, language).startswith(p) for p in prefixes)
        )
        for word, _, _ in tokens
    ]
    best_start, best = 0, -1
    if len(tokens) > window:
        running = sum(matched[:window])
        best = running
        for start in range(1, len(tokens) - window + 1):
            running += matched[start + window - 1] - matched[start - 1]
            if running > best:
                best, best_start = running, start
        # begin a few words before the first match, for context
        first = next((i for i in range(best_start, best_start + window) if matched[i]), best_start)
        best_start = max(0, min(first - 4, len(tokens) - window))
    chosen = range(best_start, min(len(tokens), best_start + window))
    begin = tokens[chosen.start][1] if best_start else 0
    end = tokens[chosen.stop - 1][2] if chosen.stop < len(tokens) else len(text)
    spans: list[Span] = []
    if begin:
        spans.append(("… ", False))
    cursor = begin
    for index in chosen:
        if matched[index]:
            _, start, stop = tokens[index]
            if start > cursor:
                spans.append((text[cursor:start], False))
            spans.append((text[start:stop], True))
            cursor = stop
    if end > cursor:
        spans.append((text[cursor:end], False))
    if end < len(text):
        spans.append((" …", False))
    return tuple(spans)


def has_match(spans: tuple[Span, ...]) -> bool:
    return any(hit for _, hit in spans)
