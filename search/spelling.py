"""Spelling suggestions: a query's misspelt words corrected from the index's own words."""

from __future__ import annotations

from typing import Any

from newsearch.index.analysis import fold, spellings, stem
from newsearch.index.errors import QueryError
from newsearch.index.schema import FIELD_BOOSTS
from newsearch.search.columns import Columns
from newsearch.search.query import Parsed, parse
from newsearch.search.scoring import docset


def suggest(
    searcher: Any,
    columns: Columns,
    text: str,
    parsed: Parsed,
    languages: tuple[str, ...],
    *,
    verify: bool = True,
) -> str | None:
    """The query with each misspelt word corrected from the index's own words, if any.

    Typo rules: words of 4 letters or fewer are never corrected, one edit is allowed from
    5 letters and two from 9 (a swap of two letters is one edit), the first letter is kept;
    codes, numbers and quoted phrases are never corrected, nor a word whose other English
    spelling the index holds (labor, organisation).
    """
    reader = searcher.reader()
    corrected = text
    changed = False
    for word, offset in sorted(parsed.words, key=lambda w: -w[1]):
        folded = fold(word.lower())
        allowed = typo_budget(folded)
        if not allowed or not folded.isalpha():
            continue
        known = reader.doc_frequency("spell", folded) or any(
            searcher.doc_frequency(f, stem(folded, lang))
            for f in FIELD_BOOSTS
            for lang in languages
        )
        if not known and "en" in languages:  # labor is no typo where the items say labour
            known = any(
                searcher.doc_frequency(f, stem(other, "en"))
                for other in spellings(folded)
                for f in FIELD_BOOSTS
            )
        if known:
            continue
        best: tuple[int, int, str] | None = None
        for candidate in reader.terms_within("spell", folded, allowed + 1, prefix=1):
            if candidate == folded or not candidate.isalpha():
                continue
            distance = _distance(folded, candidate)
            if distance > allowed:
                continue
            frequency = reader.doc_frequency("spell", candidate)
            key = (distance, -frequency, candidate)
            if best is None or key < best:
                best = key
        if best is not None:
            corrected = replace_word(corrected, word, offset, best[2])
            changed = True
    if not changed:
        return None
    try:
        fixed = parse(corrected, languages)
    except QueryError:
        return None
    if verify and not (docset(fixed.query, columns) & columns.live).any():
        return None  # a suggestion is only offered when it finds something as typed
    return corrected


def typo_budget(word: str) -> int:
    """Edits a correction may make to a word: none up to 4 letters, 1 from 5, 2 from 9."""
    return 0 if len(word) <= 4 else 1 if len(word) <= 8 else 2


def _distance(a: str, b: str) -> int:
    """Edit distance where swapping two neighbouring letters is one edit (Damerau)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def replace_word(text: str, word: str, offset: int, replacement: str) -> str:
    """``text`` with ``word`` (at ``offset``) replaced, capitalised as the word was typed."""
    if word[:1].isupper():
        replacement = replacement.capitalize()
    return text[:offset] + replacement + text[offset + len(word) :]
