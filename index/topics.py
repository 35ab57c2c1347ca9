"""Topics from the controlled vocabulary: phrases matched on stems, weighted, with evidence."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsearch.index.analysis import LANGUAGES, terms

DATA = Path(__file__).with_name("data") / "topics.json"
TITLE_WEIGHT = 1.5
THRESHOLD = 1.0
WEAK = 0.6  # a topic needs one phrase of at least this weight: weaker words never add up alone
_LABOR = re.compile(r"\blabor\b", re.I)
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # written without spaces
# An organisation's name: "International Organization for Migration", "National Tripartite
# Committee for Decent Work". The words in it say who, not what the item is about.
_ORGANISATION = re.compile(
    r"(?:\b[A-Z][\w'’-]*\s+){0,5}(?:Organi[sz]ation|Committee|Foundation|Institute|Council|"
    r"Alliance|Agency|Association|Federation|Confederation|Network|Centre|Center|Fund|Bureau)"
    r"\s+for\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|the\s+)?[A-Z][\w'’-]*)*|"
    r"\bOrganisation internationale pour les migrations\b|"
    r"\bOrganización Internacional para las Migraciones\b|"
    r"\bOrganizzazione internazionale per le migrazioni\b"
)


def organisation_names(text: str) -> list[str]:
    """The organisation names in ``text`` whose words are never topic evidence."""
    return [match.group() for match in _ORGANISATION.finditer(text)]


def without_organisations(text: str) -> str:
    """``text`` with organisation names blanked (same length, so offsets still hold)."""
    return _ORGANISATION.sub(lambda m: " " * len(m.group()), text)


@dataclass(frozen=True)
class TopicHit:
    """A topic found in one part of an item, with its weight and the words that matched."""

    topic: str
    weight: float
    text: str


# a trie node: the stems that may follow, and the topics of the phrase that ends here
_Node = tuple[dict[str, "_Node"], list[tuple[str, float, str]]]


def _normalise(text: str) -> str:
    return _LABOR.sub("labour", text).replace("’", "'")


class Vocabulary:
    """The topics and their phrases, as stem sequences for every supported language."""

    def __init__(self, data: dict[str, dict[str, dict[str, float]]]) -> None:
        self.topics = [name for name in data if not name.startswith("_")]
        self._phrases: dict[tuple[str, ...], list[tuple[str, float, str]]] = {}
        for topic in self.topics:
            for phrase, weight in data[topic]["phrases"].items():
                for language in LANGUAGES:
                    key = tuple(terms(_normalise(phrase), language))
                    if key:
                        entries = self._phrases.setdefault(key, [])
                        if all(t != topic for t, _, _ in entries):
                            entries.append((topic, float(weight), phrase))
        self._longest = max((len(k) for k in self._phrases), default=1)
        # the phrases as a trie over stems: each position is matched in one walk
        self._trie: _Node = ({}, [])
        for key, entries in self._phrases.items():
            node = self._trie
            for stem in key:
                node = node[0].setdefault(stem, ({}, []))
            node[1].extend(entries)
        # Phrases in scripts without spaces (Chinese, Japanese) are found as substrings.
        self._wide = [
            (phrase, topic, float(weight))
            for topic in self.topics
            for phrase, weight in data[topic]["phrases"].items()
            if _WIDE.search(phrase)
        ]

    def find(self, text: str, language: str) -> list[TopicHit]:
        """Topic phrases in ``text``; a longer phrase hides the shorter ones inside it."""
        stems = terms(_normalise(text), language)
        hits: list[TopicHit] = []
        if _WIDE.search(text):
            hits.extend(TopicHit(t, w, p) for p, t, w in self._wide if p in text)
        index, count = 0, len(stems)
        while index < count:
            # the longest phrase starting here: walk the trie as far as the stems go
            node, found, size, at = self._trie, None, 0, index
            while at < count:
                child = node[0].get(stems[at])
                if child is None:
                    break
                node, at = child, at + 1
                if node[1]:
                    found, size = node[1], at - index
            if found:
                hits.extend(TopicHit(t, w, p) for t, w, p in found)
                index += size
            else:
                index += 1
        return hits


@cache
def vocabulary() -> Vocabulary:
    """The built-in vocabulary, loaded once."""
    with DATA.open(encoding="utf-8") as handle:
        return Vocabulary(json.load(handle))
