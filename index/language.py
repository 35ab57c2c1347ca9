"""Language identification for English, French and Spanish news text, short texts included."""

from __future__ import annotations

import re

# Function words that are frequent in one language and rare in the others.
_MARKERS = {
    "en": set(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "for",
            "on",
            "with",
            "is",
            "are",
            "was",
            "were",
            "by",
            "from",
            "that",
            "this",
            "its",
            "their",
            "has",
            "have",
            "will",
            "new",
            "at",
            "as",
            "an",
            "be",
        ]
    ),
    "fr": set(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "et",
            "pour",
            "dans",
            "sur",
            "une",
            "est",
            "sont",
            "avec",
            "au",
            "aux",
            "par",
            "ce",
            "cette",
            "qui",
            "nouveau",
            "nouvelle",
            "selon",
            "leur",
            "leurs",
            "été",
        ]
    ),
    "es": set(
        [
            "el",
            "los",
            "las",
            "del",
            "y",
            "para",
            "con",
            "por",
            "una",
            "es",
            "son",
            "al",
            "en",
            "su",
            "sus",
            "que",
            "este",
            "esta",
            "nuevo",
            "nueva",
            "según",
            "fue",
        ]
    ),
}
_SHARED = {"la", "en", "une", "es"}  # count these at half weight
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_HINTS = {
    "fr": re.compile(r"[àâçèêëîïôœùû]|\b[ldjn]['’]\w"),
    "es": re.compile(r"[ñ¿¡áíóú]|ción\b|ciones\b"),
}


def detect(text: str) -> tuple[str, str]:
    """The language of ``text`` ("en", "fr" or "es") and the words that decided it."""
    scores = {code: 0.0 for code in _MARKERS}
    evidence: dict[str, list[str]] = {code: [] for code in _MARKERS}
    for word in _WORD.findall(text.lower()):
        for code, markers in _MARKERS.items():
            if word in markers:
                scores[code] += 0.5 if word in _SHARED else 1.0
                if len(evidence[code]) < 5:
                    evidence[code].append(word)
    for code, hint in _HINTS.items():
        found = hint.findall(text.lower())
        scores[code] += 0.3 * min(len(found), 10)
    best = max(scores, key=lambda code: (scores[code], code == "en"))
    if scores[best] == 0:
        return "en", ""
    return best, " ".join(evidence[best])
