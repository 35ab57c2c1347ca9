"""Seeded AND queries of 1-3 words sampled from a corpus, the same list for every engine."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from whoosh.analysis import STOP_WORDS
from whoosh.lang.stopwords import stoplists

_WORD = re.compile(r"^[^\W\d_]{3,}$")
# Words no engine should drop or read as an operator.
_SKIP = (
    frozenset(STOP_WORDS)
    | frozenset(stoplists["en"])
    | frozenset(stoplists["fr"])
    | frozenset(stoplists["es"])
    | {"and", "or", "not", "near", "to"}
)


def _candidates(record: dict[str, Any]) -> list[str]:
    text = f"{record.get('title', '')} {record.get('summary', '')}"
    words = [w.strip(".,;:!?()\"'").lower() for w in text.split()]
    return list(dict.fromkeys(w for w in words if _WORD.match(w) and w not in _SKIP))


def sample(records: list[dict[str, Any]], count: int, seed: int) -> list[list[str]]:
    """``count`` queries: pick an item, then 1-3 of the words of its title and summary.

    Words come from real items, so frequent words are asked for more often (as people do), and
    every query matches at least the item it came from.
    """
    rng = random.Random(f"{seed}:queries")
    english = [r for r in records if (r.get("language") or "en") == "en"] or records
    out: list[list[str]] = []
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        words = _candidates(rng.choice(english))
        size = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        if len(words) < size:
            continue
        query = rng.sample(words, size)
        if query not in out:
            out.append(query)
    return out


def save(queries: list[list[str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(queries, ensure_ascii=False, indent=0), encoding="utf-8")


def load(path: Path) -> list[list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [[str(w) for w in q] for q in data]
