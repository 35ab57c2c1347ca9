"""Trends: matching items per year or month for several searches, as counts and as shares."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any, TextIO

from newsearch.index.errors import QueryError
from newsearch.search.backend import SearchBackend
from newsearch.search.engine import SearchRequest
from newsearch.search.filters import Filters
from newsearch.search.periods import UNITS, PeriodCounts, periods_between
from newsearch.search.rows import cell

MAX_SERIES = 12  # searches compared at once from the shell (the page draws four)


@dataclass(frozen=True)
class Row:
    """One period: all items in it (under the filters), and each search's matches."""

    period: str
    total: int
    counts: tuple[int, ...]

    def shares(self) -> tuple[float | None, ...]:
        """Each search's matches as a share of all items in the period (None when it is empty)."""
        return tuple(count / self.total if self.total else None for count in self.counts)


@dataclass(frozen=True)
class Trend:
    """Several searches counted over the same periods, with the items no period can hold.

    ``total`` counts every item under the filters alone: a share is a search's matches over
    it, so a subject that grows only because the corpus grew shows as flat.
    """

    unit: str
    queries: tuple[str, ...]
    rows: tuple[Row, ...]
    undated: tuple[int, ...]  # per search
    undated_total: int
    year_only: tuple[int, ...]  # per search: by month, items known only to their year
    year_only_total: int

    def matches(self) -> tuple[int, ...]:
        return tuple(
            sum(row.counts[i] for row in self.rows) + self.undated[i] + self.year_only[i]
            for i in range(len(self.queries))
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "queries": list(self.queries),
            "periods": [
                {
                    "period": row.period,
                    "total": row.total,
                    "counts": list(row.counts),
                    "shares": list(row.shares()),
                }
                for row in self.rows
            ],
            "undated": {"total": self.undated_total, "counts": list(self.undated)},
            "year_only": {"total": self.year_only_total, "counts": list(self.year_only)},
            "matches": list(self.matches()),
        }


def trend(
    engine: SearchBackend,
    queries: list[str] | tuple[str, ...],
    filters: Filters,
    unit: str = "year",
) -> Trend:
    """Count each query per period, over every period from the first dated item to the last."""
    if unit not in UNITS:
        raise QueryError(f"unknown period {unit!r}; use one of {', '.join(UNITS)}")
    if not queries:
        raise QueryError("give at least one search to count")
    if len(queries) > MAX_SERIES:
        raise QueryError(f"at most {MAX_SERIES} searches at once")
    base = engine.period_counts(SearchRequest("", filters), unit)
    series: list[PeriodCounts] = [
        engine.period_counts(SearchRequest(q, filters), unit) for q in queries
    ]
    known = sorted(base.counts)
    periods = periods_between(known[0], known[-1], unit) if known else []
    rows = tuple(
        Row(p, base.counts.get(p, 0), tuple(s.counts.get(p, 0) for s in series)) for p in periods
    )
    return Trend(
        unit=unit,
        queries=tuple(queries),
        rows=rows,
        undated=tuple(s.undated for s in series),
        undated_total=base.undated,
        year_only=tuple(sum(s.year_only.values()) for s in series),
        year_only_total=sum(base.year_only.values()),
    )


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def write_csv(result: Trend, out: TextIO, normalize: bool) -> int:
    writer = csv.writer(out, lineterminator="\n")
    header = ["period", "all_items"]
    for query in result.queries:
        header.append(cell(query))
        if normalize:
            header.append(cell(f"{query} (share)"))
    writer.writerow(header)
    for row in result.rows:
        cells: list[Any] = [row.period, row.total]
        for count, share in zip(row.counts, row.shares(), strict=True):
            cells.append(count)
            if normalize:
                cells.append(_share(share))
        writer.writerow(cells)
    extra = [("undated", result.undated_total, result.undated)]
    if result.unit == "month":
        extra.append(("year only", result.year_only_total, result.year_only))
    for label, total, counts in extra:
        cells = [label, total]
        for count in counts:
            cells.append(count)
            if normalize:
                cells.append(_share(count / total) if total else "")
        writer.writerow(cells)
    return len(result.rows)
