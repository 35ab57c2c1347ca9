"""Counts of matching items per year or month: the shape every backend answers trends with."""

from __future__ import annotations

from dataclasses import dataclass, field

UNITS = ("year", "month")


@dataclass(frozen=True)
class PeriodCounts:
    """Matching items per period ("2016" or "2016-03"), and those no period can hold.

    ``undated`` items have no date at all. By month, ``year_only`` holds, per year, the items
    whose date is known only to the year: they are never put in January.
    """

    unit: str
    counts: dict[str, int]
    undated: int = 0
    year_only: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.undated + sum(self.year_only.values())


def period_of(date_key: int, unit: str) -> str:
    """The period of a YYYYMMDD number: '2016' by year, '2016-03' by month."""
    year, month = date_key // 10000, date_key // 100 % 100
    return f"{year:04d}" if unit == "year" else f"{year:04d}-{month:02d}"


def periods_between(first: str, last: str, unit: str) -> list[str]:
    """Every period from ``first`` to ``last``, both included, with none left out."""
    if unit == "year":
        return [f"{y:04d}" for y in range(int(first[:4]), int(last[:4]) + 1)]
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
