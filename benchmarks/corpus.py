"""A seeded generator of synthetic news items (JSON Lines in the record shape the indexer reads)."""

from __future__ import annotations

import argparse
import bisect
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from benchmarks.words import (
    DOMAIN,
    EN_COMMON,
    EN_CONTENT,
    ES_COMMON,
    ES_CONTENT,
    FR_COMMON,
    FR_CONTENT,
    LABELS,
    SYLLABLES,
)

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_SEED = 20240601
SIZES = (1_000, 10_000, 100_000)
FIRST_YEAR, LAST_YEAR = 2000, 2024  # 25 years of dates
SHARE = {"fr": 0.03, "es": 0.03}  # the rest is English
VOCABULARY_SIZE = {"en": 40_000, "fr": 8_000, "es": 8_000}
ZIPF_EXPONENT = 1.07
ZIPF_SHIFT = 2.7  # Zipf-Mandelbrot: weight of rank r is 1 / (r + shift) ** exponent


@dataclass(frozen=True)
class Country:
    """A country the corpus writes about: its name as records give it, code and ILO region."""

    name: str
    code: str
    region: str


_ASIA, _ARAB, _AFRICA = "Asia and the Pacific", "Arab States", "Africa"
_AMERICAS, _EUROPE = "Americas", "Europe and Central Asia"
COUNTRIES: tuple[Country, ...] = tuple(
    Country(name, code, region)
    for name, code, region in (
        ("India", "IND", _ASIA),
        ("Bangladesh", "BGD", _ASIA),
        ("Pakistan", "PAK", _ASIA),
        ("Nepal", "NPL", _ASIA),
        ("Sri Lanka", "LKA", _ASIA),
        ("Indonesia", "IDN", _ASIA),
        ("Malaysia", "MYS", _ASIA),
        ("Thailand", "THA", _ASIA),
        ("Viet Nam", "VNM", _ASIA),
        ("Cambodia", "KHM", _ASIA),
        ("Myanmar", "MMR", _ASIA),
        ("Philippines", "PHL", _ASIA),
        ("China", "CHN", _ASIA),
        ("Japan", "JPN", _ASIA),
        ("Republic of Korea", "KOR", _ASIA),
        ("Australia", "AUS", _ASIA),
        ("Papua New Guinea", "PNG", _ASIA),
        ("Qatar", "QAT", _ARAB),
        ("Saudi Arabia", "SAU", _ARAB),
        ("United Arab Emirates", "ARE", _ARAB),
        ("Lebanon", "LBN", _ARAB),
        ("Jordan", "JOR", _ARAB),
        ("Nigeria", "NGA", _AFRICA),
        ("Ghana", "GHA", _AFRICA),
        ("Côte d'Ivoire", "CIV", _AFRICA),
        ("Kenya", "KEN", _AFRICA),
        ("Ethiopia", "ETH", _AFRICA),
        ("Uganda", "UGA", _AFRICA),
        ("Tanzania", "TZA", _AFRICA),
        ("Mauritania", "MRT", _AFRICA),
        ("Niger", "NER", _AFRICA),
        ("Mali", "MLI", _AFRICA),
        ("Burkina Faso", "BFA", _AFRICA),
        ("Senegal", "SEN", _AFRICA),
        ("South Africa", "ZAF", _AFRICA),
        ("Malawi", "MWI", _AFRICA),
        ("Egypt", "EGY", _AFRICA),
        ("Morocco", "MAR", _AFRICA),
        ("Brazil", "BRA", _AMERICAS),
        ("Peru", "PER", _AMERICAS),
        ("Bolivia", "BOL", _AMERICAS),
        ("Paraguay", "PRY", _AMERICAS),
        ("Argentina", "ARG", _AMERICAS),
        ("Colombia", "COL", _AMERICAS),
        ("Mexico", "MEX", _AMERICAS),
        ("Guatemala", "GTM", _AMERICAS),
        ("Honduras", "HND", _AMERICAS),
        ("Ecuador", "ECU", _AMERICAS),
        ("Chile", "CHL", _AMERICAS),
        ("United States", "USA", _AMERICAS),
        ("Canada", "CAN", _AMERICAS),
        ("United Kingdom", "GBR", _EUROPE),
        ("Germany", "DEU", _EUROPE),
        ("France", "FRA", _EUROPE),
        ("Italy", "ITA", _EUROPE),
        ("Spain", "ESP", _EUROPE),
        ("Uzbekistan", "UZB", _EUROPE),
        ("Kazakhstan", "KAZ", _EUROPE),
        ("Türkiye", "TUR", _EUROPE),
        ("Ukraine", "UKR", _EUROPE),
    )
)
TOPICS: tuple[str, ...] = tuple(DOMAIN)  # 12 topics of the controlled vocabulary


def _zipf(n: int, exponent: float = ZIPF_EXPONENT, shift: float = ZIPF_SHIFT) -> list[float]:
    """Cumulative Zipf-Mandelbrot weights for ranks 1..n."""
    return list(accumulate(1.0 / (rank + shift) ** exponent for rank in range(1, n + 1)))


class Vocabulary:
    """One language's words by rank (real words first, then a long tail of rare coinages)."""

    def __init__(self, language: str, seed: int) -> None:
        common, content = {
            "en": (EN_COMMON, EN_CONTENT),
            "fr": (FR_COMMON, FR_CONTENT),
            "es": (ES_COMMON, ES_CONTENT),
        }[language]
        words = list(dict.fromkeys([*common, *content]))
        seen = set(words)
        rng = random.Random(f"{seed}:vocabulary:{language}")
        syllables = SYLLABLES[language]
        while len(words) < VOCABULARY_SIZE[language]:
            word = "".join(rng.choice(syllables) for _ in range(rng.choice((2, 2, 3, 3, 3, 4))))
            if len(word) >= 4 and word not in seen:
                seen.add(word)
                words.append(word)
        self.language = language
        self.words = words
        self.cumulative = _zipf(len(words))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


class Generator:
    """Makes item ``i`` of the corpus for a seed; every item has its own random stream."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed
        self.vocabularies = {lang: Vocabulary(lang, seed) for lang in ("en", "fr", "es")}
        self.topic_weights = list(accumulate(1.0 / (r + 1.5) for r in range(len(TOPICS))))
        self.country_weights = list(
            accumulate(1.0 / (r + 3.0) ** 0.9 for r in range(len(COUNTRIES)))
        )
        self.year_weights = list(
            accumulate(1.0 + 0.08 * (y - FIRST_YEAR) for y in range(FIRST_YEAR, LAST_YEAR + 1))
        )

    def _pick(self, rng: random.Random, cumulative: list[float]) -> int:
        return bisect.bisect(cumulative, rng.random() * cumulative[-1])

    def _distinct(self, rng: random.Random, cumulative: list[float], count: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < count:
            index = self._pick(rng, cumulative)
            if index not in chosen:
                chosen.append(index)
        return chosen

    def item(self, index: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 1_000_003 + index)
        roll = rng.random()
        language = (
            "fr" if roll < SHARE["fr"] else "es" if roll < SHARE["fr"] + SHARE["es"] else "en"
        )
        topic_count = rng.choices((1, 2, 3), weights=(55, 33, 12))[0]
        topics = [TOPICS[i] for i in self._distinct(rng, self.topic_weights, topic_count)]
        country_count = rng.choices((0, 1, 2, 3), weights=(12, 60, 20, 8))[0]
        countries = [COUNTRIES[i] for i in self._distinct(rng, self.country_weights, country_count)]
        year = FIRST_YEAR + self._pick(rng, self.year_weights)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        writer = _Writer(rng, self.vocabularies[language], topics, countries)
        title = writer.sentence(rng.randint(8, 14), phrases=1, title=True)
        summary = writer.text(rng.randint(30, 60), sentence=(14, 30), phrase_rate=0.5)
        body = writer.body(rng.randint(200, 400))
        slug = "-".join(w.lower() for w in title.split()[:5] if w.isalpha())
        return {
            "title": title,
            "summary": summary,
            "body": body,
            "date": f"{year:04d}-{month:02d}-{day:02d}",
            "url": f"https://news.example.org/{year}/{index:07d}-{slug}",
            "topics": topics,
            "countries": [c.name for c in countries],
            "label": rng.choice(LABELS[language]),
            "language": language,
        }

    def items(self, start: int, stop: int) -> Iterator[dict[str, Any]]:
        for index in range(start, stop):
            yield self.item(index)


class _Writer:
    """Sentences for one item: Zipf words with the item's domain phrases and places woven in."""

    def __init__(
        self,
        rng: random.Random,
        vocabulary: Vocabulary,
        topics: list[str],
        countries: list[Country],
    ) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        language = vocabulary.language
        own = [p for t in topics for p in DOMAIN[t][language]]
        other = [p for t in TOPICS if t not in topics for p in DOMAIN[t][language]]
        self.own, self.other = own, other
        self.places = [c.name for c in countries]

    def phrase(self) -> list[str]:
        rng = self.rng
        pool = self.own if rng.random() < 0.85 or not self.other else self.other
        return rng.choice(pool).split()

    def sentence(self, length: int, *, phrases: int = 0, title: bool = False) -> str:
        rng = self.rng
        inserts: list[list[str]] = [self.phrase() for _ in range(phrases)]
        if self.places and rng.random() < (0.6 if title else 0.15):
            inserts.append(rng.choice(self.places).split())
        if rng.random() < 0.05 and not title:
            inserts.append([str(rng.choice((rng.randint(2, 999), rng.randint(1990, 2024))))])
        inserted = sum(len(p) for p in inserts)
        tokens = self.vocabulary.draw(rng, max(1, length - inserted))
        for piece in inserts:
            at = rng.randint(0, len(tokens))
            tokens[at:at] = piece
        if not title:
            for i in range(2, len(tokens) - 2):
                if rng.random() < 0.04:
                    tokens[i] += ","
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        text = " ".join(tokens)
        return text if title else text + "."

    def text(self, words: int, *, sentence: tuple[int, int], phrase_rate: float) -> str:
        out: list[str] = []
        left = words
        while left > 0:
            length = min(left, self.rng.randint(*sentence))
            if left - length < 5:
                length = left
            phrases = 1 if self.rng.random() < phrase_rate and length >= 6 else 0
            out.append(self.sentence(length, phrases=phrases))
            left -= length
        return " ".join(out)

    def body(self, words: int) -> str:
        paragraphs: list[str] = []
        left = words
        while left > 0:
            size = min(left, self.rng.randint(50, 110))
            if left - size < 20:
                size = left
            paragraphs.append(self.text(size, sentence=(12, 28), phrase_rate=0.3))
            left -= size
        return "\n\n".join(paragraphs)


def corpus_path(size: int, seed: int = DEFAULT_SEED, directory: Path = DATA_DIR) -> Path:
    return directory / f"synthetic-{size}-seed{seed}.jsonl"


def write(path: Path, items: Iterator[dict[str, Any]]) -> int:
    """Write items as JSON Lines (atomically); return how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    count = 0
    with partial.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    partial.replace(path)
    return count


def ensure(size: int, seed: int = DEFAULT_SEED, directory: Path = DATA_DIR) -> Path:
    """The corpus file of ``size`` items for ``seed``, generated unless it is already there."""
    path = corpus_path(size, seed, directory)
    if not path.exists():
        write(path, Generator(seed).items(0, size))
    return path


def extra(
    size: int, count: int = 100, seed: int = DEFAULT_SEED, directory: Path = DATA_DIR
) -> Path:
    """``count`` items that follow a corpus of ``size`` items: new to an index of it."""
    path = directory / f"synthetic-{size}-seed{seed}-next{count}.jsonl"
    if not path.exists():
        write(path, Generator(seed).items(size, size + count))
    return path


def read(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic news corpus as JSON Lines.")
    parser.add_argument("--size", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="file to write")
    args = parser.parse_args(argv)
    out = args.out or corpus_path(args.size, args.seed)
    count = write(out, Generator(args.seed).items(0, args.size))
    print(f"wrote {count} items to {out}")


if __name__ == "__main__":
    main()
