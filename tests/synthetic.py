"""Synthetic items whose counts are known by construction, for tests at 10,000 items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILLER = [
    *("workers", "employers", "government", "inspectors", "union", "families", "community"),
    *("farms", "ports", "factories", "villages", "schools", "wages", "contracts"),
    *("recruitment", "agencies", "brokers", "courts", "reports", "surveys"),
]
FIRST_YEAR = 2000
YEARS = 20


def year_of(index: int) -> int | None:
    """Items 0, 50, 100 ... are undated; the rest cycle through 20 years."""
    if index % 50 == 0:
        return None
    return FIRST_YEAR + index % YEARS


def has_forced_labour(index: int) -> bool:
    return index % 7 == 0


def is_french(index: int) -> bool:
    return index % 11 == 0


def record(index: int) -> dict[str, Any]:
    """Item ``index``: 'forced labour' in every 7th (English), every 11th French."""
    words = [FILLER[(index * 7 + k * 3) % len(FILLER)] for k in range(12)]
    french = is_french(index)
    if french:
        title = f"Note {index} sur le travail des {words[0]}"
        summary = f"Les {words[1]} et les {words[2]} parlent du travail forcé au port {index}."
    else:
        title = f"Report {index} on {words[0]} and {words[1]}"
        summary = f"The {words[2]} met the {words[3]} in district {index} about {words[4]}."
    if has_forced_labour(index) and not french:
        summary += " They spoke of forced labour in the fields."
    year = year_of(index)
    out: dict[str, Any] = {
        "title": title,
        "summary": summary,
        "url": f"https://synthetic.example.org/items/{index}",
        "language": "fr" if french else "en",
    }
    if year is not None:
        out["date"] = f"{year:04d}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"
    return out


def records(count: int, start: int = 0) -> Iterator[dict[str, Any]]:
    for index in range(start, start + count):
        yield record(index)


def write(path: Path, count: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in records(count, start):
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path
