"""Concordance (keyword in context): every occurrence of a query's words in the matching items."""

from __future__ import annotations

import csv
import functools
import heapq
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any, TextIO

from newsearch.index.analysis import LANGUAGES, STOPWORDS, fold, stem, synonyms, words
from newsearch.index.errors import QueryError
from newsearch.index.item import Item
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.records import whole_items
from newsearch.search.rows import cell
from newsearch.search.tokens import Tok, tokenize

TEXT_FIELDS = ("title", "summary", "body")
DEFAULT_WIDTH = 40  # characters of context on each side
MAX_WIDTH = 500
ORDERS = ("items", "left", "right", "match")
SORTED_BY = {"left": "the word before", "right": "the word after", "match": "the match"}
MAX_SORTED = 100_000  # lines a sorted concordance reads (and, without a limit, holds) at most
KEYS = ("id", "date", "title", "field", "left", "match", "right", "url", "source")
_SPACE = re.compile(r"\s+")
_HEAD = 3  # Snowball only rewrites endings: a word can stem to a term only if it shares its start


@dataclass(frozen=True)
class Pattern:
    """One thing to find: a word (one step) or a phrase (a step per word), in some fields."""

    steps: tuple[frozenset[str], ...]  # the index terms accepted at each step
    prefix: str = ""  # a wildcard's fixed start: any word beginning with it matches
    fields: tuple[str, ...] = TEXT_FIELDS


@dataclass(frozen=True, slots=True)
class Line:
    """One occurrence: the item it is in, where, and the words around it as written."""

    id: str
    date: str | None
    title: str
    field: str
    left: str
    match: str
    right: str
    url: str | None
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in KEYS}


def patterns(text: str) -> list[Pattern]:
    """What a query asks to see in context: its positive free-text words, phrases and wildcards.

    Field filters (``topic:``, ``year:`` ...) and excluded words (``-word``, ``NOT word``)
    have no occurrences to show.
    """
    toks = tokenize(text)
    out: list[Pattern] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        i += 1
        if tok.kind in {"minus", "not"}:
            if i < len(toks) and toks[i].kind == "lparen":
                depth = 0
                while i < len(toks):
                    depth += {"lparen": 1, "rparen": -1}.get(toks[i].kind, 0)
                    i += 1
                    if depth == 0:
                        break
            else:
                i += 1
            continue
        if tok.kind not in {"word", "phrase"}:
            continue
        if tok.field not in {None, *TEXT_FIELDS}:
            continue
        found = _pattern(tok)
        if found is not None and found not in out:
            out.append(found)
    return out


def _pattern(tok: Tok) -> Pattern | None:
    fields = (tok.field,) if tok.field else TEXT_FIELDS
    if tok.kind == "word" and ("*" in tok.text or "?" in tok.text):
        start = fold(tok.text.lower()).split("*")[0].split("?")[0]
        return Pattern((), prefix=start, fields=fields) if start else None
    pieces = [w for w, _, _ in words(tok.text) if w not in STOPWORDS["en"]]
    if not pieces:
        return None
    steps = []
    for piece in pieces:
        terms = {stem(piece, language) for language in LANGUAGES}
        if len(pieces) == 1 and tok.kind == "word":
            terms |= set(synonyms().get(stem(piece), ()))
        steps.append(frozenset(terms))
    return Pattern(tuple(steps), fields=fields)


def find(
    text: str, found: list[Pattern], language: str, width: int
) -> Iterator[tuple[str, str, str]]:
    """(left, match, right) for each occurrence of a pattern in ``text``, in text order."""
    if not text or not found:
        return
    stoplist = STOPWORDS.get(language, STOPWORDS["en"])
    heads = {t[:_HEAD] for p in found for step in p.steps for t in step}
    heads |= {p.prefix[:_HEAD] for p in found if p.prefix}
    if _by_words(text, found, heads):
        spans = list(_word_spans(text, found, frozenset(heads), stoplist, language))
    else:
        spans = _spans(text, found, heads, stoplist, language)
    for start, end in _merged(spans):
        yield _left(text, start, width), _flat(text[start:end]), _right(text, end, width)


def _by_words(text: str, found: list[Pattern], heads: set[str]) -> bool:
    """Whether the occurrences can be looked for word by word, near where a pattern's first
    letters appear: single words and wildcards (no phrase), in text whose lowercase is its
    folded form (ASCII), with heads of letters alone (codes such as C029 are rewritten)."""
    return (
        text.isascii()
        and all(p.prefix or len(p.steps) == 1 for p in found)
        and all(h.isascii() and h.isalpha() for h in heads)
    )


_SEPARATORS = frozenset(" \t\n\r\x0b\x0c")  # never inside a token, nor seen around one


@functools.lru_cache(maxsize=64)
def _finder(heads: frozenset[str]) -> re.Pattern[str]:
    ordered_heads = sorted(heads, key=lambda h: (-len(h), h))
    return re.compile("|".join(re.escape(h) for h in ordered_heads), re.IGNORECASE)


def _word_spans(
    text: str, found: list[Pattern], heads: frozenset[str], stoplist: frozenset[str], language: str
) -> Iterator[tuple[int, int]]:
    """The spans of single-word patterns, reading only the space-separated pieces of ``text``
    where a head appears: a token never holds a space and the tokenizer looks only one
    character around it, so a piece is read into the same tokens as the whole text."""
    done = 0  # the end of the last piece read
    for hit in _finder(heads).finditer(text):
        at = hit.start()
        if at < done:
            continue
        start = at
        while start > done and text[start - 1] not in _SEPARATORS:
            start -= 1
        end = hit.end()
        while end < len(text) and text[end] not in _SEPARATORS:
            end += 1
        done = end
        for word, first, last in words(text[start:end]):
            if word in stoplist or word in STOPWORDS["en"]:
                continue
            term = (stem(word, language) if word[:_HEAD] in heads else "") or word
            for pattern in found:
                if pattern.prefix:
                    if word.startswith(pattern.prefix):
                        yield start + first, start + last
                elif term in pattern.steps[0]:
                    yield start + first, start + last


def _spans(
    text: str, found: list[Pattern], heads: set[str], stoplist: frozenset[str], language: str
) -> list[tuple[int, int]]:
    """The spans of every pattern, phrases too, from the words of the whole text."""
    # the words that count (stop words leave no trace in the index), with their index terms
    tokens: list[tuple[str, int, int]] = []
    for word, start, end in words(text):
        if word in stoplist or word in STOPWORDS["en"]:
            continue
        folded = fold(word)
        term = stem(word, language) if folded[:_HEAD] in heads else ""
        tokens.append((term or folded, start, end))
    spans: list[tuple[int, int]] = []
    for index, (_, start, _end) in enumerate(tokens):
        for pattern in found:
            if pattern.prefix:
                if fold(text[start : tokens[index][2]].lower()).startswith(pattern.prefix):
                    spans.append((start, tokens[index][2]))
                continue
            last = index + len(pattern.steps) - 1
            if last >= len(tokens):
                continue
            if all(tokens[index + k][0] in step for k, step in enumerate(pattern.steps)):
                spans.append((start, tokens[last][2]))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Occurrences in order; one that overlaps another is shown once, as the longer."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)


def _left(text: str, start: int, width: int) -> str:
    piece = _flat(text[max(0, start - width - 1) : start])
    if len(piece) > width:  # cut: never begin inside a word
        cut = piece.find(" ")
        piece = piece[cut + 1 :] if 0 <= cut < len(piece) - 1 else piece[-width:]
    return piece[-width:] if width else ""


def _right(text: str, end: int, width: int) -> str:
    piece = _flat(text[end : end + width + 1])
    if len(piece) > width:  # cut: never end inside a word
        cut = piece.rfind(" ")
        piece = piece[:cut] if cut > 0 else piece[:width]
    return piece[:width] if width else ""


def lines_of(item: Item, found: list[Pattern], width: int) -> Iterator[Line]:
    """Every occurrence in one item, field by field (title, summary, body)."""
    date = item.date.isoformat() if item.date else None
    for name in TEXT_FIELDS:
        wanted = [p for p in found if name in p.fields]
        for left, match, right in find(getattr(item, name), wanted, item.language, width):
            yield Line(item.id, date, item.title, name, left, match, right, item.url, item.source)


def concordance(
    engine: SearchBackend, request: SearchRequest, width: int = DEFAULT_WIDTH
) -> Iterator[Line]:
    """Every occurrence of the query's words in every matching item, item by item (streamed)."""
    if not 0 <= width <= MAX_WIDTH:
        raise QueryError(f"the context width must be from 0 to {MAX_WIDTH} characters")
    found = patterns(request.text)
    if not found:
        raise QueryError(
            "a concordance needs words to find: give words, phrases or wildcards "
            "(filters alone have no occurrences)",
            request.text,
            None,
        )
    for item in whole_items(engine, request):
        yield from lines_of(item, found, width)


def _words_key(text: str) -> list[str]:
    return [fold(w) for w, _, _ in words(text)]


class TooManyLinesError(QueryError):
    """More lines than one sorted concordance may read."""

    hint = (
        "narrow the search (a filter, a phrase, a field such as summary:), or keep the "
        "search's own order (--order items, 'items' on the page), which streams every line "
        "whatever their number"
    )
    too_many = True  # the page shows the hint of this error


def _sort_key(order: str) -> Callable[[Line], Any]:
    if order == "left":
        return lambda x: (_words_key(x.left)[::-1], fold(x.match.lower()))
    if order == "right":
        return lambda x: (_words_key(x.right), fold(x.match.lower()))
    if order == "match":
        return lambda x: (fold(x.match.lower()), _words_key(x.right))
    raise QueryError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")


def ordered(
    lines: Iterable[Line], order: str, limit: int | None = None, most: int | None = None
) -> Iterator[Line]:
    """Lines in item order (streamed), or sorted by the words before or after the match.

    Item order streams and stops after ``limit`` lines. A sorted order must read every line
    first: it reads at most ``most`` of them (default ``MAX_SORTED``; more raise
    :class:`TooManyLinesError` before anything is written), and with a ``limit`` holds only
    the first ``limit`` in that order.
    """
    if order == "items":
        yield from islice(lines, limit)
        return
    key = _sort_key(order)
    read = _at_most(lines, MAX_SORTED if most is None else most, order)
    if limit is not None:
        yield from heapq.nsmallest(limit, read, key=key)  # stable, as sorted()[:limit]
    else:
        yield from sorted(read, key=key)


def primed(lines: Iterable[Line]) -> Iterator[Line]:
    """The same lines, the first one looked for now: a bad query, or a sort with too many
    lines, fails before any output (a CSV header, a download) starts."""
    found = iter(lines)
    first = next(found, None)
    return chain([first], found) if first is not None else iter(())


def _at_most(lines: Iterable[Line], most: int, order: str) -> Iterator[Line]:
    for number, line in enumerate(lines, start=1):
        if number > most:
            raise TooManyLinesError(
                f"more than {most:,} lines to sort by {SORTED_BY[order]}: a sorted "
                "concordance reads every line before it writes one"
            )
        yield line


def csv_row(line: Line) -> list[Any]:
    """A line as a CSV row under ``KEYS``: formula-like cells defused."""
    return [cell("" if v is None else v) for v in line.to_dict().values()]


def write_csv(lines: Iterable[Line], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KEYS)
    count = 0
    for line in lines:
        writer.writerow(csv_row(line))
        count += 1
    return count


def write_jsonl(lines: Iterable[Line], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(json.dumps(line.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count
