"""Topic phrases found in one walk of a trie: the same hits as trying every phrase length."""

from __future__ import annotations

import json
import random

from newsearch.index.analysis import terms
from newsearch.index.topics import _WIDE, DATA, TopicHit, Vocabulary, _normalise, vocabulary


def every_length(vocab: Vocabulary, text: str, language: str) -> list[TopicHit]:
    """The longest phrase at each word, found by trying each length from the longest down."""
    stems = terms(_normalise(text), language)
    hits: list[TopicHit] = []
    if _WIDE.search(text):  # scripts without spaces: substrings, as before
        hits.extend(TopicHit(t, w, p) for p, t, w in vocab._wide if p in text)
    index = 0
    while index < len(stems):
        for size in range(min(vocab._longest, len(stems) - index), 0, -1):
            entries = vocab._phrases.get(tuple(stems[index : index + size]))
            if entries:
                hits.extend(TopicHit(t, w, p) for t, w, p in entries)
                index += size
                break
        else:
            index += 1
    return hits


def test_trie_finds_what_every_length_finds() -> None:
    vocab = vocabulary()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    phrases = [p for name, v in data.items() if not name.startswith("_") for p in v["phrases"]]
    filler = [
        "the",
        "workers",
        "said",
        "a",
        "report",
        "on",
        "wages",
        "in",
        "the",
        "region",
        "was",
        "published",
        "today",
    ]
    rng = random.Random(14)
    for _ in range(400):
        parts: list[str] = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.4:
                phrase = rng.choice(phrases).split()
                cut = rng.randint(1, len(phrase))  # whole phrases and their beginnings
                parts.extend(phrase[:cut] if rng.random() < 0.3 else phrase)
            else:
                parts.append(rng.choice(filler))
        text = " ".join(parts)
        for language in ("en", "fr", "es"):
            assert vocab.find(text, language) == every_length(vocab, text, language), text
