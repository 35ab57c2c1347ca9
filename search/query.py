"""The query language parsed into Whoosh queries: words, phrases, fields, ranges, errors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from newsearch.index.analysis import (
    LANGUAGES,
    QUERY_STOPWORDS,
    STOPWORDS,
    fold,
    spellings,
    stem,
    stopped_anywhere,
    strip_elision,
    synonyms,
    words,
)
from newsearch.index.dates import parse_bound
from newsearch.index.errors import QueryError
from newsearch.index.fields import (
    field_named,
)
from newsearch.index.places import country_name
from newsearch.index.schema import FIELD_BOOSTS, TEXT_FIELDS
from newsearch.index.vocabulary import Entry, country_in, vocabulary
from newsearch.search.filters import date_range, keyword_term
from newsearch.search.tokens import FIELDS, Tok, tokenize

MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 100  # nested parentheses
KEYWORD_FIELDS = frozenset(name for name in FIELDS if field_named(name).kind != "text")
SYNTAX_HELP = (
    'words (all must match), "exact phrase", a OR b, NOT a / -a, (groups), field:value '
    f"({', '.join(FIELDS)}), fish* wildcards, fuzzy~1, date:2016..2017, year:[2015 TO 2017]"
)

# ---------------------------------------------------------------------------------------------
# Parsed query


class Alternatives(wq.Or):  # type: ignore[misc]
    """Ways of saying one thing: an item matching several scores as its best one, not their sum
    (a vocabulary entry with many forms must not outweigh the words typed)."""


@dataclass
class Unit:
    """One word (or code) of the query that partial matching may drop, with its expansions.

    ``own`` finds the word as typed (every language's stem; every written form of a code);
    ``expansion`` finds what the vocabulary says it means (translations, aliases, the
    countries of a place), which ranks in a lower tier than the words typed.
    """

    text: str
    own: wq.Query
    expansion: wq.Query | None = None
    concept: str | None = None  # the vocabulary entry it was read as
    forms: tuple[str, ...] = ()  # what the expansion looks for
    stems: dict[str, str] = field(default_factory=dict)  # language -> stem
    phrase: int | None = None  # units of one multi-word vocabulary form share a number
    place: bool = False  # read as a place or country only: it says where, not what


@dataclass
class Plan:
    """A query as parts: words that may be relaxed, parts that never are, and exclusions."""

    units: list[Unit]
    required: list[wq.Query]
    excluded: wq.Query | None = None


@dataclass
class Parsed:
    """The Whoosh query, plus what highlighting and spelling correction need."""

    query: wq.Query
    words: list[tuple[str, int]] = field(default_factory=list)  # free words and their offsets
    stems: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    plan: Plan | None = None  # None when the query is not a list of words (OR at the top)
    branches: list[Plan] = field(default_factory=list)  # a plan per side of a top-level OR
    expansion_stems: set[str] = field(default_factory=set)


_CODE_WORD = re.compile(r"^([CcPp])[.-]?(\d{1,3})(\*?)$")
_CONVENTION_WORD = re.compile(r"^(?:conventions?|convenios?|protocols?|protocoles?|protocolos?)$")
_NUMBER_SIGN = re.compile(r"^(?:no\.?|n[°º]\.?|nº|núm\.?|num\.?|nos?\.?|n\.?)$", re.I)
EXPANSION_FIELDS = TEXT_FIELDS
# vocabulary entry, index languages, words typed -> (query, forms, stems): built once
_ENTRY_QUERIES: dict[
    tuple[str, str, tuple[str, ...], tuple[str, ...]],
    tuple[wq.Query, list[str], frozenset[str]],
] = {}


class _Parser:
    def __init__(
        self, text: str, languages: tuple[str, ...], *, stop_languages: tuple[str, ...] = ()
    ) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.languages = languages
        self.parsed = Parsed(wq.Every())
        self.stop_languages = stop_languages or tuple(LANGUAGES)
        self.plans: list[Plan] = []

    def peek(self, ahead: int = 0) -> Tok | None:
        at = self.pos + ahead
        return self.toks[at] if at < len(self.toks) else None

    def take(self) -> Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Parsed:
        if not self.toks:
            return self.parsed
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            if tok.kind == "rparen":
                raise QueryError("')' without a matching '('", self.text, tok.start)
            raise QueryError(f"unexpected {tok.text!r}", self.text, tok.start)
        self.parsed.query = node if node is not None else wq.NullQuery
        if len(self.plans) == 1 and node is not None:
            self.parsed.plan = self.plans[0]
        elif len(self.plans) > 1 and node is not None:
            self.parsed.branches = self.plans
        return self.parsed

    def or_expr(self) -> wq.Query | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            if self.peek() is None or self.peek().kind in {"or", "rparen"}:  # type: ignore[union-attr]
                raise QueryError("OR needs something on both sides", self.text, tok.start)
            parts.append(self.and_expr())
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else wq.Or(kept)

    def _relaxable(self, tok: Tok, prefix: Tok | None) -> bool:
        """A bare word at the top level: partial matching may do without it."""
        if self.depth or tok.kind != "word" or tok.field or tok.slop is not None:
            return False
        if "?" in tok.text or ("*" in tok.text and not _CODE_WORD.match(tok.text)):
            return False
        if prefix is not None and prefix.kind in {"plus", "and"}:
            return False
        following = self.peek(1)
        return following is None or following.kind != "and"

    def and_expr(self) -> wq.Query | None:
        elements: list[wq.Query | list[Tok] | tuple[str, list[Tok]]] = []
        negative: list[wq.Query] = []
        first = self.peek()
        if first is not None and first.kind == "and":
            raise QueryError("AND needs something on both sides", self.text, first.start)
        previous: Tok | None = None
        while (tok := self.peek()) is not None and tok.kind not in {"or", "rparen"}:
            if tok.kind == "and":
                self.take()
                following = self.peek()
                if following is None or following.kind in {"or", "rparen", "and"}:
                    raise QueryError("AND needs something on both sides", self.text, tok.start)
                previous = tok
                continue
            negate = False
            prefix = previous
            if tok.kind in {"not", "minus"}:
                self.take()
                negate = True
                following = self.peek()
                if following is None or following.kind in {"or", "rparen", "and"}:
                    raise QueryError(f"{tok.text} needs something to exclude", self.text, tok.start)
            elif tok.kind == "plus":
                prefix = self.take()
            current = self.peek()
            group = (
                self._word_group()
                if not negate and current is not None and current.kind == "lparen"
                else None
            )
            if group is not None:
                self.pos += 2 * len(group) + 1
                elements.append(("group", group))
                previous = self.toks[self.pos - 1]
                continue
            if not negate and current is not None and self._relaxable(current, prefix):
                self.take()
                if elements and isinstance(elements[-1], list):
                    elements[-1].append(current)
                else:
                    elements.append([current])
                previous = current
                continue
            previous = current
            node = self.unary()
            if node is None:
                continue
            if negate:
                negative.append(node)
            else:
                elements.append(node)
        positive: list[wq.Query] = []
        required: list[wq.Query] = []
        units: list[Unit] = []
        for element in elements:
            if isinstance(element, tuple):
                unit = self.group_unit(element[1])
                if unit is not None:
                    units.append(unit)
                    positive.append(unit.own)
            elif isinstance(element, list):
                for unit in self.units(element):
                    units.append(unit)
                    positive.append(unit.own)
            else:
                required.append(element)
                positive.append(element)
        if not positive and not negative:
            return None
        base: wq.Query = (
            positive[0] if len(positive) == 1 else (wq.And(positive) if positive else wq.Every())
        )
        exclude = None
        if negative:
            exclude = negative[0] if len(negative) == 1 else wq.Or(negative)
        if self.depth == 0:
            self.plans.append(Plan(units, required, exclude))
        return wq.AndNot(base, exclude) if exclude is not None else base

    def _word_group(self) -> list[Tok] | None:
        """At the top level, ``(a OR b OR c)`` of bare words (the parenthesis at the current
        position): its words, which make one unit that partial matching may drop."""
        if self.depth or self.peek() is None or self.peek().kind != "lparen":  # type: ignore[union-attr]
            return None
        found: list[Tok] = []
        at = 1
        while True:
            tok = self.peek(at)
            if tok is None or tok.kind != "word" or tok.field or tok.slop is not None:
                return None
            if "*" in tok.text or "?" in tok.text:
                return None
            found.append(tok)
            after = self.peek(at + 1)
            if after is None:
                return None
            if after.kind == "rparen":
                break
            if after.kind != "or":
                return None
            at += 2
        following = self.peek(at + 2)
        if following is not None and following.kind == "and":
            return None
        preceding = self.toks[self.pos - 1] if self.pos else None
        if preceding is not None and preceding.kind in {"and", "plus"}:
            return None
        return found if len(found) >= 2 else None

    def group_unit(self, toks: list[Tok]) -> Unit | None:
        """One unit for ``(a OR b)``: any of its words (or what the vocabulary reads them as)."""
        parts: list[Unit] = []
        for tok in toks:
            parts.extend(self.units([tok]))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        expansions = [u.expansion for u in parts if u.expansion is not None]
        unit = Unit(
            "(" + " OR ".join(u.text for u in parts) + ")",
            wq.Or([u.own for u in parts]),
            expansion=(
                None
                if not expansions
                else expansions[0]
                if len(expansions) == 1
                else Alternatives(expansions)
            ),
            concept="; ".join(u.concept for u in parts if u.concept) or None,
            forms=tuple(dict.fromkeys(f for u in parts for f in u.forms)),
            place=all(u.place for u in parts),
        )
        for part in parts:
            unit.stems.update({f"{part.text} ({k})": v for k, v in part.stems.items()})
        return unit

    # -- units: free words, codes and what the vocabulary makes of them -------------------

    def units(self, toks: list[Tok]) -> list[Unit]:
        """Units for a run of bare words: codes merged, stop words left out, expansions added."""
        groups: list[tuple[list[Tok], str | None]] = []  # tokens, code
        i = 0
        while i < len(toks):
            tok = toks[i]
            found = _CODE_WORD.match(tok.text)
            if found:
                groups.append(([tok], f"{found.group(1).upper()}{found.group(2)}{found.group(3)}"))
                i += 1
                continue
            if _CONVENTION_WORD.match(tok.text.lower()):
                j = i + 1
                if j < len(toks) and _NUMBER_SIGN.match(toks[j].text):
                    j += 1
                if j < len(toks) and re.fullmatch(r"\d{1,3}", toks[j].text):
                    letter = "P" if tok.text.lower().startswith("proto") else "C"
                    groups.append((toks[i : j + 1], f"{letter}{toks[j].text}"))
                    i = j + 1
                    continue
            groups.append(([tok], None))
            i += 1
        units: list[Unit] = []
        plain_units: list[Unit] = []
        plain: list[tuple[Tok, list[str]]] = []  # words for the vocabulary, by token
        for group, code in groups:
            if code is not None:
                unit = self.code_unit(group, code)
                if unit is not None:
                    units.append(unit)
                    self.parsed.words.append((group[0].text, group[0].start))
                continue
            tok = group[0]
            pieces = [w for w, _, _ in words(tok.text)]
            kept = [p for p in pieces if not self._stopped(p)]
            if not kept:
                continue
            self.parsed.words.append((tok.text, tok.start))
            for piece in kept:
                self.parsed.stems.update(self.variants(piece))
            own = self._fields(TEXT_FIELDS, lambda f, k=kept: self._own(f, k))
            stems = {
                lang: " ".join(stem(strip_elision(p), lang) for p in kept) for lang in LANGUAGES
            }
            unit = Unit(tok.text, own, stems=stems)
            units.append(unit)
            plain_units.append(unit)
            plain.append((tok, kept))
        self._expand(plain_units, plain)
        return units

    def _expand(self, units: list[Unit], plain: list[tuple[Tok, list[str]]]) -> None:
        """Attach the vocabulary's reading of the words: concepts, places, countries."""
        flat: list[str] = []
        owner: list[int] = []
        for number, (_, kept) in enumerate(plain):
            for piece in kept:
                flat.append(piece)
                owner.append(number)
        covered = [False] * len(flat)
        found: dict[int, list[tuple[Entry | None, str | None, str]]] = {}
        for span in vocabulary().spans(flat):
            for k in range(span.start, span.end):
                covered[k] = True
            owners = sorted({owner[k] for k in range(span.start, span.end)})
            for number in owners:
                found.setdefault(number, []).append((span.entry, None, span.form))
                if len(owners) > 1 and number < len(units):
                    units[number].phrase = len(self.plans) * 1000 + owners[0]
        # country names across languages (Tailandia, Pérou): one or two words
        k = 0
        while k < len(flat):
            if covered[k]:
                k += 1
                continue
            for size in (3, 2, 1):
                window = flat[k : k + size]
                if len(window) < size or any(covered[k : k + size]):
                    continue
                code = country_in(" ".join(window))
                if code is not None:
                    for j in range(k, k + size):
                        covered[j] = True
                        found.setdefault(owner[j], []).append((None, code, " ".join(window)))
                    k += size - 1
                    break
            k += 1
        for number, (_, kept) in enumerate(plain):
            if number >= len(units):
                break
            unit = units[number]
            nodes: list[wq.Query] = []
            forms: list[str] = []
            concepts: list[str] = []
            readings = found.get(number, [])
            unit.place = bool(readings) and all(
                entry is None or entry.kind == "place" for entry, _, _ in readings
            )
            for entry, country, form in readings:
                if entry is not None:
                    concepts.append(f"{entry.kind}: {entry.id}")
                    node, entry_forms = self._entry_query(entry, form)
                    nodes.append(node)
                    forms.extend(entry_forms)
                elif country is not None:
                    concepts.append(f"country: {country_name(country)}")
                    nodes.append(wq.Term("country", country))
                    forms.append(f"country:{country}")
            if len(kept) == 1:  # word-level synonyms from the synonyms file
                extra = [
                    t
                    for t in synonyms().get(stem(kept[0], self.languages[0]), ())
                    if t not in self.variants(kept[0])
                ]
                if extra:
                    nodes.append(self._fields(EXPANSION_FIELDS, lambda f, x=extra: _any_term(f, x)))
                    forms.extend(extra)
            if nodes:
                unit.expansion = nodes[0] if len(nodes) == 1 else Alternatives(nodes)
                unit.concept = "; ".join(dict.fromkeys(concepts)) or "synonyms"
                unit.forms = tuple(dict.fromkeys(forms))

    def _entry_query(self, entry: Entry, typed: str) -> tuple[wq.Query, list[str]]:
        typed_words = tuple(vocab_words(typed))
        key = (entry.kind, entry.id, self.languages, typed_words)
        cached = _ENTRY_QUERIES.get(key)
        if cached is None:
            nodes: list[wq.Query] = []
            forms: list[str] = []
            seen: set[tuple[str, ...]] = set()
            all_stems: set[str] = set()
            for _, form in entry.forms:
                pieces = vocab_words(form)
                if not pieces or tuple(pieces) == typed_words:
                    continue
                if fold(form).casefold() in entry.broad:
                    continue
                forms.append(form)
                for language in self.languages:
                    stems = tuple(stem(strip_elision(p), language) for p in pieces)
                    if stems in seen:
                        continue
                    seen.add(stems)
                    all_stems.update(stems)
                    nodes.append(
                        self._fields(EXPANSION_FIELDS, lambda f, t=list(stems): _all_terms(f, t))
                    )
            if entry.code:
                nodes.append(self._code_query(entry.code[0], int(entry.code[1:])))
                forms.append(entry.code)
            for country in entry.countries:
                nodes.append(wq.Term("country", country))
            forms.extend(f"country:{c}" for c in entry.countries)
            result = (
                (nodes[0] if len(nodes) == 1 else Alternatives(nodes)) if nodes else wq.NullQuery
            )
            if len(_ENTRY_QUERIES) > 10_000:
                _ENTRY_QUERIES.clear()
            cached = _ENTRY_QUERIES[key] = (result, forms, frozenset(all_stems))
        self.parsed.expansion_stems.update(cached[2])
        return cached[0], cached[1]

    def code_unit(self, toks: list[Tok], code: str) -> Unit | None:
        """A convention or protocol: every written form of its number is the word itself."""
        letter, digits = code[0], code[1:]
        text = " ".join(t.text for t in toks)
        if digits.endswith("*"):
            digits = digits[:-1]
            entries = vocabulary().conventions_with_prefix(letter, digits)
            numbers = sorted({e.number or 0 for e in entries})
            known = [self._code_query(letter, n) for n in numbers]
            prefix = f"{letter.lower()}{digits.lstrip('0')}"
            if prefix == letter.lower():  # C0*: only the conventions the vocabulary knows
                if not known:
                    return None
                own = known[0] if len(known) == 1 else wq.Or(known)
                return Unit(text, own, concept="code prefix", forms=tuple(e.id for e in entries))
            wild = self._fields(TEXT_FIELDS, lambda f: wq.Wildcard(f, f"{prefix}*"))
            self.parsed.prefixes.add(prefix)
            own = wq.Or([wild, *known]) if known else wild
            return Unit(text, own, concept="code prefix", forms=tuple(e.id for e in entries))
        number = int(digits)
        own = self._code_query(letter, number)
        self.parsed.stems.add(f"{letter.lower()}{number}")
        entry = vocabulary().convention(letter, number)
        unit = Unit(text, own, stems={"code": f"{letter.lower()}{number}"})
        if entry is not None:
            nodes: list[wq.Query] = []
            forms: list[str] = []
            for _, form in entry.forms:
                pieces = vocab_words(form)
                forms.append(form)
                for language in self.languages:
                    stems = [stem(strip_elision(p), language) for p in pieces]
                    self.parsed.expansion_stems.update(stems)
                    node = self._fields(EXPANSION_FIELDS, lambda f, t=stems: _all_terms(f, t))
                    if node not in nodes:
                        nodes.append(node)
            if nodes:
                unit.expansion = nodes[0] if len(nodes) == 1 else Alternatives(nodes)
                unit.concept = f"convention: {entry.id}"
                unit.forms = tuple(forms)
        return unit

    def _code_query(self, letter: str, number: int) -> wq.Query:
        """C029, C29, C.29, Convention No. 29, Convenio núm. 29, convention (n° 29)."""
        token = f"{letter.lower()}{number}"
        names = (
            ["protocol", "protocole", "protocolo"]
            if letter.upper() == "P"
            else ["convention", "convenio"]
        )

        def make(fieldname: str) -> wq.Query:
            nodes: list[wq.Query] = [wq.Term(fieldname, token)]
            for name in names:
                for language in self.languages:
                    phrase = wq.Phrase(fieldname, [stem(name, language), str(number)], slop=4)
                    if phrase not in nodes:
                        nodes.append(phrase)
            return wq.Or(nodes)

        return self._fields(TEXT_FIELDS, make)

    def _own(self, fieldname: str, kept: list[str]) -> wq.Query:
        if len(kept) == 1:
            return self._word(fieldname, kept[0])
        return self._phrase(fieldname, kept, 1)

    def _stopped(self, word: str) -> bool:
        return word in QUERY_STOPWORDS or any(
            word in STOPWORDS[lang] for lang in self.stop_languages
        )

    def unary(self) -> wq.Query | None:
        tok = self.take()
        if tok.kind == "lparen":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(
                    f"parentheses nest more than {MAX_DEPTH} deep", self.text, tok.start
                )
            if self.peek() is None:
                raise QueryError("'(' without a matching ')'", self.text, tok.start)
            if self.peek().kind == "rparen":  # type: ignore[union-attr]
                raise QueryError("empty parentheses", self.text, tok.start)
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rparen":
                raise QueryError("'(' without a matching ')'", self.text, tok.start)
            self.take()
            self.depth -= 1
            return node
        if tok.kind in {"not", "minus", "plus"}:
            raise QueryError(f"unexpected {tok.text!r}", self.text, tok.start)
        if tok.kind == "rparen":
            raise QueryError("')' without a matching '('", self.text, tok.start)
        if tok.field in KEYWORD_FIELDS:
            return self.keyword(tok)
        if tok.kind == "range":
            raise QueryError(
                f"ranges work on date: and year:, not {tok.field}:", self.text, tok.start
            )
        return self.text_query(tok, (tok.field,) if tok.field else TEXT_FIELDS)

    # -- text -----------------------------------------------------------------------------

    def variants(self, word: str) -> list[str]:
        """The index terms a word may have been stored as: one per language in the index,
        and the English ones of its other spellings (British or American)."""
        out: list[str] = []
        for form in dict.fromkeys((word, strip_elision(word))):
            for language in self.languages:
                term = stem(form, language)
                if term not in out:
                    out.append(term)
        if "en" in self.languages:  # labour finds labor, organization finds organisation
            for other in spellings(word):
                term = stem(other, "en")
                if term not in out:
                    out.append(term)
        return out

    def text_query(self, tok: Tok, fields: tuple[str, ...]) -> wq.Query | None:
        if tok.kind == "phrase":
            every = [w for w, _, _ in words(tok.text)]
            pieces = [w for w in every if not self._stopped(w)]
            if not pieces:
                return None
            gaps = _largest_gap(every, self._stopped)
            for piece in pieces:
                self.parsed.stems.update(self.variants(piece))
            if len(pieces) == 1:
                return self._fields(fields, lambda f: self._word(f, pieces[0]))
            slop = (tok.slop or 0) + 1 + gaps
            return self._fields(fields, lambda f: self._phrase(f, pieces, slop))
        raw = tok.text
        if "*" in raw or "?" in raw:
            pattern = fold(raw.lower())
            if pattern.strip("*?") == "":
                return wq.Every() if raw == "*" else None
            if re.match(r"^[*?]", pattern):
                raise QueryError(
                    "a wildcard cannot start a word (it would scan every term)",
                    self.text,
                    tok.start,
                )
            self.parsed.prefixes.add(pattern.split("*")[0].split("?")[0])
            return self._fields(fields, lambda f: wq.Wildcard(f, pattern))
        pieces = [w for w, _, _ in words(raw)]
        if not pieces:
            return None
        if tok.slop is not None:
            if tok.slop > 2:
                raise QueryError("fuzzy distance is 1 or 2", self.text, tok.start)
            term = stem(pieces[0], self.languages[0])
            self.parsed.stems.add(term)
            return self._fields(
                fields, lambda f: wq.FuzzyTerm(f, term, maxdist=tok.slop or 1, prefixlength=1)
            )
        kept = [p for p in pieces if not self._stopped(p)]
        if not kept:
            return None
        if tok.field is None:
            self.parsed.words.append((raw, tok.start))
        for piece in kept:
            self.parsed.stems.update(self.variants(piece))
        if len(kept) == 1:
            return self._fields(fields, lambda f: self._word(f, kept[0]))
        return self._fields(fields, lambda f: self._phrase(f, kept, 1))

    def _phrase(self, fieldname: str, pieces: list[str], slop: int) -> wq.Query:
        phrases: list[wq.Query] = []
        for language in self.languages:
            node = wq.Phrase(fieldname, [stem(p, language) for p in pieces], slop=slop)
            if node not in phrases:
                phrases.append(node)
        return phrases[0] if len(phrases) == 1 else wq.Or(phrases)

    def _word(self, fieldname: str, word: str) -> wq.Query:
        exact = self.variants(word)
        nodes: list[wq.Query] = [wq.Term(fieldname, t) for t in exact]
        return nodes[0] if len(nodes) == 1 else wq.Or(nodes)

    @staticmethod
    def _fields(fields: tuple[str, ...], make: Any) -> wq.Query:
        queries = []
        for name in fields:
            node = make(name)  # a new node: its boost is set in place rather than copied
            if len(fields) > 1:
                node.boost = FIELD_BOOSTS.get(name, 1.0)
            queries.append(node)
        return queries[0] if len(queries) == 1 else wq.Or(queries)

    # -- keyword fields -------------------------------------------------------------------

    def keyword(self, tok: Tok) -> wq.Query:
        name = tok.field or ""
        value = tok.text.strip()
        try:
            if name in {"date", "year"}:
                low, high = _range(value, tok.kind == "range")
                return date_range(low, high) if name == "date" else year_range(low, high)
            return keyword_term(name, value)
        except QueryError as exc:
            raise QueryError(exc.message, self.text, tok.start) from None


def _largest_gap(pieces: list[str], stopped: Any) -> int:
    """The longest run of stop words inside a phrase: they leave gaps in indexed positions."""
    longest = run = 0
    for word in pieces:
        run = run + 1 if stopped(word) else 0
        longest = max(longest, run)
    return longest


def vocab_words(text: str) -> list[str]:
    """The words of a vocabulary form a search looks for (stop words of any language out)."""
    return [w for w, _, _ in words(text) if not stopped_anywhere(w)]


def _all_terms(fieldname: str, stems: list[str]) -> wq.Query:
    """Every word of a form in one field (a phrase's words, positions not checked)."""
    unique = list(dict.fromkeys(stems))
    if len(unique) == 1:
        return wq.Term(fieldname, unique[0])
    return wq.And([wq.Term(fieldname, s) for s in unique])


def _any_term(fieldname: str, stems: list[str]) -> wq.Query:
    nodes = [wq.Term(fieldname, s) for s in dict.fromkeys(stems)]
    return nodes[0] if len(nodes) == 1 else wq.Or(nodes)


def _range(value: str, bracketed: bool) -> tuple[dt.date | None, dt.date | None]:
    if bracketed:
        parts = re.split(r"\s+TO\s+", value.strip(), flags=re.I)
        if len(parts) != 2:
            raise QueryError("a range reads [FROM TO UNTIL], e.g. [2015 TO 2017]")
    elif ".." in value:
        parts = value.split("..", 1)
    else:
        parts = [value, value]
    low = parts[0].strip()
    high = parts[1].strip()
    try:
        start = None if low in {"", "*"} else parse_bound(low)
        end = None if high in {"", "*"} else parse_bound(high, end=True)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    if start and end and start > end:
        raise QueryError(f"the range starts ({start}) after it ends ({end})")
    return start, end


def year_range(start: dt.date | None, end: dt.date | None) -> wq.Query:
    low = str(start.year) if start else None
    high = str(end.year) if end else None
    if low and low == high:
        return wq.Term("year", low)
    return wq.TermRange("year", low, high)


def entry_query(entry: Entry, languages: tuple[str, ...]) -> wq.Query:
    """Items holding any form of a vocabulary entry, in any of ``languages``."""
    node, _ = _Parser("", languages)._entry_query(entry, "")
    return node


def parse(text: str, languages: tuple[str, ...] = ("en",)) -> Parsed:
    """Parse the query language. Raises QueryError pointing at the problem."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}",
            text[:60],
            None,
        )
    if "\x00" in text:
        raise QueryError("the query holds a NUL character", "", None)
    parsed = _Parser(text, languages or ("en",)).parse()
    if parsed.query is wq.NullQuery and text.strip():
        # every word a stop word in some language ("son", "sin"): read them as English
        parsed = _Parser(text, languages or ("en",), stop_languages=("en",)).parse()
    return parsed
