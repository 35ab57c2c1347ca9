"""Text analysis: tokenise, lowercase, fold accents, drop stop words, stem (Snowball), cached."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.stopwords import stoplists

LANGUAGES = {"en": "english", "fr": "french", "es": "spanish"}
DEFAULT_LANGUAGE = "en"
# A marker the indexer puts before a text to say which stemmer to use (never stored).
_MARK = re.compile(r"^\x02(\w\w)\x03")
SEPARATOR = "\x1e"  # between the values of a multi-valued text (tags)
GAP = 100
# A code (C029, C.182, P29, R204, G20) is one token; other letters and digits are split.
TOKEN = re.compile(
    r"\x1e|(?<![^\W_])[A-Za-z][.-]?\d{1,4}(?![\w])(?!\.\d)|\d+(?:[.,]\d+)*"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*|\w+",
    re.UNICODE,
)
CODE = re.compile(r"^([a-z])[.-]?0*(\d{1,4})$")
_ELISION = re.compile(r"^(?:l|d|j|qu|n|s|c|m|t|jusqu|lorsqu|puisqu)['’]", re.I)

STOPWORDS: dict[str, frozenset[str]] = {}


def fold(text: str) -> str:
    """Strip accents: 'travail forcé' -> 'travail force'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _stoplist(language: str) -> frozenset[str]:
    words = stoplists[language]
    return frozenset(words) | frozenset(fold(w) for w in words)


for _code in LANGUAGES:
    STOPWORDS[_code] = _stoplist(_code)
# English stop words apply to every text: English words are common in French and Spanish items.
_EN_STOP = STOPWORDS["en"]


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Callable[[str], str]:
    # Imported on first use: loading NLTK costs about a third of a second.
    from nltk.stem.snowball import SnowballStemmer

    stem: Callable[[str], str] = SnowballStemmer(LANGUAGES[language]).stem
    return stem


_CACHE: dict[tuple[str, str], str] = {}
_CACHE_LIMIT = 500_000
_TABLES: list[StemTable] = []  # the tables of the indexes opened last, most recent first
TABLES_KEPT = 4  # a long-running process that opens many indexes keeps only these
STEM_TABLE = "stems.tsv"
SYNONYMS = Path(__file__).with_name("data") / "synonyms.json"


class StemTable:
    """A sorted ``language<TAB>word<TAB>term`` file written beside an index.

    Searching looks words up here by binary search, so answering a query never has to load
    NLTK for words the index has seen.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: bytes | None = None
        self._version: tuple[int, int] | None = None

    def refresh(self) -> None:
        """Read the file again on next use if it changed since it was read (a new import)."""
        try:
            info = self.path.stat()
            version: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except OSError:
            version = None
        if version != self._version:
            self._data, self._version = None, version

    @property
    def loaded(self) -> int:
        """Bytes of the table held in memory."""
        return len(self._data or b"")

    def _load(self) -> bytes:
        if self._data is None:
            try:
                self._data = self.path.read_bytes()
            except OSError:
                self._data = b""
        return self._data

    def get(self, language: str, word: str) -> str | None:
        data = self._load()
        if not data:
            return None
        key = f"{language}\t{word}\t".encode()
        low, high = 0, len(data)
        # binary search over byte offsets, snapping to line starts
        while low < high:
            middle = (low + high) // 2
            start = data.rfind(b"\n", 0, middle) + 1
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            line = data[start:end]
            if line.startswith(key):
                return line[len(key) :].decode("utf-8")
            if line < key:
                low = end + 1
            else:
                high = start
        return None

    @staticmethod
    def write(path: Path, extra: dict[tuple[str, str], str] | None = None) -> int:
        """Merge the words stemmed in this process (and ``extra``) into the table at ``path``,
        each in every supported language."""
        entries: dict[tuple[str, str], str] = {}
        try:
            for line in path.read_text(encoding="utf-8").splitlines():
                language, word, term = line.split("\t")
                entries[(language, word)] = term
        except (OSError, ValueError):
            entries = {}
        entries.update(_CACHE)
        entries.update(extra or {})
        # a query word is looked up in every language the index may hold: store them all
        for word in {word for _, word in entries}:
            for language in LANGUAGES:
                if (language, word) not in entries:
                    entries[(language, word)] = stem(word, language)
        rows = sorted(
            f"{language}\t{word}\t{term}".encode()
            for (language, word), term in entries.items()
            if "\t" not in word and "\n" not in word
        )
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(b"\n".join(rows) + b"\n")
        os.replace(tmp, path)
        return len(rows)


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Stem -> the stems of its synonyms (every language), from the editable synonyms file."""
    with SYNONYMS.open(encoding="utf-8") as handle:
        groups = json.load(handle)["groups"]
    table: dict[str, tuple[str, ...]] = {}
    for group in groups:
        stems: list[str] = []
        for word in group:
            for language in LANGUAGES:
                term = stem(word.lower(), language)
                if term not in stems:
                    stems.append(term)
        for term in stems:
            table[term] = tuple(dict.fromkeys((*table.get(term, ()), *stems)))
    # the vocabulary's words too, so that the stem table written beside an index holds them
    from newsearch.index.vocabulary import vocabulary

    vocabulary().stem_all()
    return table


def use_stem_table(path: Path) -> None:
    """Consult the table at ``path`` (as it is now) before stemming a word with NLTK. Only the
    tables of the last few indexes opened are kept, so a process that opens index after index
    holds a bounded number of them."""
    table = next((t for t in _TABLES if t.path == path), None)
    if table is None:
        table = StemTable(path)
    else:
        _TABLES.remove(table)
    table.refresh()
    _TABLES.insert(0, table)
    del _TABLES[TABLES_KEPT:]


def stem_tables() -> tuple[StemTable, ...]:
    """The stem tables consulted, most recently opened first."""
    return tuple(_TABLES)


def stem(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The index term for one lowercased word: stemmed in its language, then accent-folded.

    A language without a stemmer here (Italian, German, ...) is stemmed as the default one,
    as :func:`mark` indexes it."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    key = (language, word)
    term = _CACHE.get(key)
    if term is None:
        for table in _TABLES:
            term = table.get(language, word)
            if term is not None:
                _CACHE[key] = term
                return term
        base = word.replace("’", "'")
        if language == "fr":
            base = _ELISION.sub("", base)
        if language == "en" and base.endswith("'s"):
            base = base[:-2]
        term = fold(_stemmer(language)(base)) if base.isalpha() or "'" in base else base
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[key] = term
    return term


def split_language(text: str) -> tuple[str, str]:
    """Separate the indexer's language marker from the text it precedes."""
    match = _MARK.match(text)
    if match and match.group(1) in LANGUAGES:
        return match.group(1), text[match.end() :]
    return DEFAULT_LANGUAGE, text


def mark(text: str, language: str) -> str:
    """Prefix ``text`` with a marker telling the analyzer its language."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return text
    return f"\x02{language}\x03{text}"


def code_token(word: str) -> str:
    """A lowercased code in one written form: C029, C.29 and c29 are all 'c29'."""
    match = CODE.match(word)
    return f"{match.group(1)}{int(match.group(2))}" if match else word


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """(lowercased word, start, end) for each token of ``text``; codes in one written form."""
    for match in TOKEN.finditer(text):
        word = match.group().lower()
        if word[:1].isascii() and word[-1:].isdigit():
            word = code_token(word)
        yield word, match.start(), match.end()


def strip_elision(word: str) -> str:
    """'l'esclavage' -> 'esclavage', 'd’enfants' -> 'enfants' (French elision)."""
    stripped = _ELISION.sub("", word.replace("’", "'"))
    return stripped if stripped and stripped != word.replace("’", "'") else word


# British and American spellings of one English word: (pattern, replacement) both ways
_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^([a-z]{2,}[^aeou])our(s|ed|ing|er|ers|ite|ites|able|ful|less)?$"), r"\1or\2"),
    (re.compile(r"^([a-z]{2,}[^aeou])or(s|ed|ing|er|ers|ite|ites|able|ful|less)?$"), r"\1our\2"),
    (re.compile(r"^([a-z]{4,})is(e|es|ed|ing|er|ers|ation|ations|ational)$"), r"\1iz\2"),
    (re.compile(r"^([a-z]{4,})iz(e|es|ed|ing|er|ers|ation|ations|ational)$"), r"\1is\2"),
    (re.compile(r"^([a-z]{2,})ys(e|es|ed|ing)$"), r"\1yz\2"),
    (re.compile(r"^([a-z]{2,})yz(e|es|ed|ing)$"), r"\1ys\2"),
    (re.compile(r"^([a-z]{2,}[^aeiou])tre(s|d)?$"), r"\1ter\2"),
    (re.compile(r"^(cen|thea)ter(s|ed)?$"), r"\1tre\2"),
    (re.compile(r"^(def|off|lic|pret)ence(s)?$"), r"\1ense\2"),
    (re.compile(r"^(def|off|lic|pret)ense(s)?$"), r"\1ence\2"),
    (re.compile(r"^([a-z]{2,}[^aeiou][aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"^([a-z]{2,}[^aeiou][aeiou])l(ed|ing|er|ers)$"), r"\1ll\2"),
)


def spellings(word: str) -> list[str]:
    """The other ways English writes ``word`` on either side of the Atlantic (labour/labor,
    organisation/organization, analyse/analyze, centre/center, defence/defense,
    travelled/traveled): general suffix rules, for words long enough to be safe."""
    if len(word) < 5 or not word.isascii() or not word.isalpha():
        return []
    out = []
    for pattern, replacement in _SPELLINGS:
        other = pattern.sub(replacement, word)
        if other != word and other not in out:
            out.append(other)
    return out


# Prepositions a query never requires, though the stop lists (and so the index) keep them.
QUERY_STOPWORDS = frozenset(
    {
        *("among", "within", "across", "toward", "towards", "via", "amongst"),
        *("contre", "chez", "vers", "sans", "sous", "selon", "depuis", "lors", "parmi"),
        *("pendant", "auprès", "aupres"),
        *("hacia", "según", "segun", "mediante", "tras"),
    }
)


def stopped_anywhere(word: str) -> bool:
    """A stop word in any supported language (a query never requires one)."""
    return word in QUERY_STOPWORDS or any(word in stoplist for stoplist in STOPWORDS.values())


def terms(text: str, language: str = DEFAULT_LANGUAGE, *, stops: bool = True) -> list[str]:
    """The index terms of ``text``: what a search for it looks up."""
    stoplist = STOPWORDS.get(language, _EN_STOP)
    out = []
    for word, _, _ in words(text):
        if stops and (word in stoplist or word in _EN_STOP):
            continue
        out.append(stem(word, language))
    return out


class NewsAnalyzer(Analyzer):  # type: ignore[misc]
    """Whoosh analyzer doing the whole pipeline in one pass, with the language marker honoured."""

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsAnalyzer) and other.stemming == self.stemming

    def __hash__(self) -> int:
        return hash(("NewsAnalyzer", self.stemming))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        language, text = split_language(value)
        offset = len(value) - len(text)
        stoplist = STOPWORDS.get(language, _EN_STOP)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pieces = words(text) if tokenize else iter([(text.lower(), 0, len(text))])
        position = start_pos - 1
        for word, start, end in pieces:
            # stop words and value separators leave gaps, so "forced labour" never matches
            # "labour and forced", nor the end of one tag and the start of the next
            position += GAP if word == SEPARATOR else 1
            if word == SEPARATOR:
                continue
            stopped = word in stoplist or word in _EN_STOP
            if stopped and removestops:
                continue
            token.stopped = stopped
            token.text = stem(word, language) if self.stemming else fold(word)
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = position
            if chars:
                token.startchar = start_char + offset + start
                token.endchar = start_char + offset + end
            yield token

    def positions(self, value: str) -> dict[str, list[int]]:
        """Index term -> its positions in ``value``: the indexer's fast path (no Token objects)."""
        language, text = split_language(value)
        stoplist = STOPWORDS.get(language, _EN_STOP)
        cache = _CACHE
        out: dict[str, list[int]] = {}
        position = -1
        for match in TOKEN.finditer(text):
            word = match.group().lower()
            if word[:1].isascii() and word[-1:].isdigit():
                word = code_token(word)
            if word == SEPARATOR:
                position += GAP
                continue
            position += 1
            if word in stoplist or word in _EN_STOP:
                continue
            if self.stemming:
                term = cache.get((language, word)) or stem(word, language)
            else:
                term = fold(word)
            found = out.get(term)
            if found is None:
                out[term] = [position]
            else:
                found.append(position)
        return out


class FoldAnalyzer(NewsAnalyzer):
    """Words as written (lowercased, accent-folded, no stemming): the spelling dictionary."""

    def __init__(self) -> None:
        super().__init__(stemming=False)
