"""Keyness: words and phrases over-represented in a search's items (Dunning's log-likelihood)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsearch.index.analysis import STOPWORDS, stem, words
from newsearch.index.item import Item
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.records import headlines
from newsearch.search.results import Hit

MIN_COUNT = 3  # a word seen fewer times in the search's items is never reported
CRITICAL = 10.83  # log-likelihood for p < 0.001 with one degree of freedom
DEFAULT_LIMIT = 25
# articles and particles the index's stop lists keep but that never set a subject apart
FUNCTION_WORDS = frozenset(
    [
        "les",
        "des",
        "du",
        "la",
        "le",
        "un",
        "une",
        "et",
        "au",
        "aux",
        "ce",
        "ces",
        "cet",
        "cette",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "sur",
        "dans",
        "par",
        "pour",
        "los",
        "las",
        "el",
        "del",
        "al",
        "una",
        "unos",
        "unas",
        "y",
        "o",
        "en",
        "con",
        "por",
        "para",
        "su",
        "sus",
        "que",
        "se",
        "lo",
    ]
)
PHRASE = " "  # joins the stems of a two-word phrase in a key
CACHE_VERSION = 2  # raised whenever the counting rules change
KEYS = ("term", "count", "reference", "per_10k", "reference_per_10k", "log_likelihood", "log_ratio")


@dataclass
class Counts:
    """Word and two-word-phrase counts over a set of items, with the forms they were written in."""

    tokens: int
    terms: Counter[str]
    forms: dict[str, Counter[str]]
    items: int = 0
    # the written forms of each term are kept to show them; counts of the whole corpus,
    # which are only compared with, leave them out (most of the cost of counting)
    keep_forms: bool = True

    @classmethod
    def empty(cls, keep_forms: bool = True) -> Counts:
        return cls(0, Counter(), {}, keep_forms=keep_forms)

    def add(self, text: str, language: str) -> None:
        stoplist = STOPWORDS.get(language, STOPWORDS["en"])
        english = STOPWORDS["en"]
        terms = self.terms
        keep_forms = self.keep_forms
        previous_key: str | None = None
        previous_word = ""
        tokens = 0
        for word, _, _ in words(text):
            if (
                word in stoplist
                or word in english
                or word in FUNCTION_WORDS
                or not word[:1].isalpha()
            ):
                previous_key = None  # a phrase never spans a stop word or a number
                continue
            key = stem(word, language)
            terms[key] += 1
            tokens += 1
            if keep_forms:
                self._form(key, word)
            if previous_key is not None:
                pair = previous_key + PHRASE + key
                terms[pair] += 1
                if keep_forms:
                    self._form(pair, f"{previous_word} {word}")
            previous_key, previous_word = key, word
        self.tokens += tokens
        self.items += 1

    def _form(self, key: str, form: str) -> None:
        forms = self.forms.get(key)
        if forms is None:
            forms = self.forms[key] = Counter()
        if len(forms) < 8 or form in forms:
            forms[form] += 1

    def form(self, key: str) -> str:
        forms = self.forms.get(key)
        return forms.most_common(1)[0][0] if forms else key

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "items": self.items, "terms": dict(self.terms)}


def count(hits: Iterable[Hit | Item], keep_forms: bool = True) -> Counts:
    """Counts over the titles and summaries of ``hits`` (or whole items)."""
    out = Counts.empty(keep_forms)
    for hit in hits:
        out.add(f"{hit.title}\n{hit.summary}", hit.language)
    return out


@dataclass(frozen=True)
class Term:
    """One over-represented word or phrase, with the evidence for it."""

    term: str  # as most often written
    count: int  # in the search's items
    reference: int  # in the items it is compared with
    per_10k: float  # per 10,000 words of the search's items
    reference_per_10k: float
    log_likelihood: float
    log_ratio: float  # log2 of the ratio of the two rates (+0.5 smoothing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "count": self.count,
            "reference": self.reference,
            "per_10k": round(self.per_10k, 3),
            "reference_per_10k": round(self.reference_per_10k, 3),
            "log_likelihood": round(self.log_likelihood, 3),
            "log_ratio": round(self.log_ratio, 3),
        }


def log_likelihood(a: int, b: int, size_a: int, size_b: int) -> float:
    """Dunning's G2 for a word seen ``a`` times in ``size_a`` words and ``b`` in ``size_b``."""
    total = size_a + size_b
    if not total or not (a + b):
        return 0.0
    expected_a = size_a * (a + b) / total
    expected_b = size_b * (a + b) / total
    g2 = 0.0
    if a:
        g2 += a * math.log(a / expected_a)
    if b:
        g2 += b * math.log(b / expected_b)
    return 2 * g2


def compare(target: Counts, reference: Counts, limit: int = DEFAULT_LIMIT) -> list[Term]:
    """Words and phrases more frequent in ``target`` than in ``reference``, strongest first.

    Kept: seen at least MIN_COUNT times in the target, over-represented, and with G2 above
    10.83 (p < 0.001).
    """
    size_a, size_b = max(1, target.tokens), max(1, reference.tokens)
    out = []
    for key, a in target.terms.items():
        if a < MIN_COUNT:
            continue
        b = reference.terms.get(key, 0)
        if a / size_a <= b / size_b:
            continue
        g2 = log_likelihood(a, b, size_a, size_b)
        if g2 < CRITICAL:
            continue
        ratio = math.log2(((a + 0.5) / size_a) / ((b + 0.5) / size_b))
        out.append(
            Term(
                term=target.form(key),
                count=a,
                reference=b,
                per_10k=a * 10_000 / size_a,
                reference_per_10k=b * 10_000 / size_b,
                log_likelihood=g2,
                log_ratio=ratio,
            )
        )
    out.sort(key=lambda t: (-t.log_likelihood, t.term))
    return out[:limit]


def _minus(whole: Counts, part: Counts) -> Counts:
    """The rest of a collection once a part of it is taken out."""
    return Counts(
        tokens=max(0, whole.tokens - part.tokens),
        terms=Counter({k: v - part.terms.get(k, 0) for k, v in whole.terms.items()}),
        forms=whole.forms,
        items=max(0, whole.items - part.items),
    )


class CorpusCounts:
    """Counts over every item of an index, kept in a file beside it until the index changes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self, engine: SearchBackend, fingerprint: str) -> Counts:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION and data.get("fingerprint") == fingerprint:
                return Counts(int(data["tokens"]), Counter(data["terms"]), {}, int(data["items"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        counts = count(headlines(engine, SearchRequest("", limit=1)), keep_forms=False)
        self._save(counts, fingerprint)
        return counts

    def _save(self, counts: Counts, fingerprint: str) -> None:
        data = {"version": CACHE_VERSION, "fingerprint": fingerprint, **counts.to_dict()}
        try:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".terms-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(data, ensure_ascii=False))  # the C encoder, at once
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only place: the counts are made again next time

    def current(self, fingerprint: str) -> Counts | None:
        """The kept counts if they were made for this version of the index, else None."""
        key = (str(self.path), fingerprint)
        found = _KEPT.get(key)
        if found is not None:
            return found
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION and data.get("fingerprint") == fingerprint:
                counts = Counts(int(data["tokens"]), Counter(data["terms"]), {}, int(data["items"]))
                _KEPT.clear()  # one index version's counts in memory at a time
                _KEPT[key] = counts
                return counts
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None


_KEPT: dict[tuple[str, str], Counts] = {}
PAGE_ITEMS = 200  # the best-ranked matches whose words the results page counts
SAMPLE_ITEMS = 2000  # items of the corpus counted when its whole counts are not kept
PAGE_TERMS = 12


@dataclass(frozen=True)
class PageTerms:
    """Key terms for a results page: bounded work, and what they were compared with."""

    terms: tuple[Term, ...]
    items: int  # matching items counted (the best-ranked, at most PAGE_ITEMS)
    reference: str  # "corpus" (every other item) or "sample" (a spread sample of the corpus)
    reference_items: int


def page_terms(
    engine: SearchBackend,
    request: SearchRequest,
    corpus: CorpusCounts,
    fingerprint: str,
    limit: int = PAGE_TERMS,
) -> PageTerms:
    """What sets a search's best-ranked items apart, in bounded time: the words of at most
    PAGE_ITEMS matches, against the kept corpus counts, or (when they are not kept for this
    version of the index) against a sample of SAMPLE_ITEMS items spread over the corpus."""
    best = dataclasses.replace(
        request, limit=PAGE_ITEMS, page=1, grouped=False, collapse=False, explain=False
    )
    target = count(engine.search(best).hits)  # ranks only the best, unlike an export
    whole = corpus.current(fingerprint)
    if whole is not None:
        reference, kind = _minus(whole, target), "corpus"
    else:
        reference, kind = sample(engine, SAMPLE_ITEMS), "sample"
        if reference.items >= engine.stats().items:  # the sample is the whole corpus
            reference, kind = _minus(reference, target), "corpus"
    found = compare(target, reference, limit) if target.items else []
    return PageTerms(tuple(found), target.items, kind, reference.items)


def sample(engine: SearchBackend, size: int) -> Counts:
    """Counts over at most ``size`` items spread over the index (``SearchBackend.sample``),
    kept while the backend gives the same sample."""
    items = engine.sample(size)
    kept = _SAMPLES.get(id(items))
    if kept is not None and kept[0] is items:
        return kept[1]
    out = Counts.empty()
    for item in items:
        out.add(f"{item.title}\n{item.summary}", item.language or "en")
    _SAMPLES.clear()
    _SAMPLES[id(items)] = (items, out)
    return out


_SAMPLES: dict[int, tuple[Any, Counts]] = {}


def cache_path(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".terms.json")


def key_terms(
    engine: SearchBackend,
    text: str,
    filters: Filters,
    *,
    against: str | None = None,
    limit: int = DEFAULT_LIMIT,
    corpus: CorpusCounts | None = None,
    fingerprint: str = "",
) -> tuple[list[Term], Counts, Counts]:
    """What sets a search's items apart: against the rest of the corpus, or another search."""
    target = count(headlines(engine, SearchRequest(text, filters, limit=1)))
    if against is not None:
        reference = count(headlines(engine, SearchRequest(against, filters, limit=1)))
    else:
        whole = (
            corpus.get(engine, fingerprint)
            if corpus is not None
            else count(headlines(engine, SearchRequest("", limit=1)))
        )
        reference = _minus(whole, target)
    return compare(target, reference, limit), target, reference
