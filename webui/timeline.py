"""Matches over time as plain data: one bar per year, or per month when the range is narrow."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from newsearch.index.dates import MONTH_NAMES
from newsearch.search.backend import SearchBackend
from newsearch.search.filters import Filters
from newsearch.search.results import SearchResult
from newsearch.webui.state import SearchState

MAX_MONTHS = 24  # a range this narrow is drawn month by month
ONE_PASS = 250  # up to this many matches, months are counted from the matches themselves
MAX_YEARS = 150
MONTHS = tuple(name[:3] for name in MONTH_NAMES)  # "Mar" under a month's bar

# Geometry of the drawing, in SVG user units (one unit is one CSS pixel: it is not scaled).
SLOT = {"year": 44, "month": 32}
BAR_TOP = 18  # room for the count above the tallest bar
BAR_HEIGHT = 84
LABEL_ROWS = 2
HEIGHT = BAR_TOP + BAR_HEIGHT + 14 * LABEL_ROWS + 6


@dataclass(frozen=True)
class Bar:
    """One period: its label, how many matches fall in it, and where it is drawn."""

    period: str  # "2017" or "2017-03"
    label: str  # "2017" or "Mar"
    title: str  # "March 2017"
    count: int
    href: str | None  # None for an empty period: nothing to link to
    selected: bool
    x: float
    y: float
    width: float
    height: float
    sublabel: str = ""  # the year under a month's name, where a year starts

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Timeline:
    """Bars over consecutive periods, and how many matches have no date to place them by."""

    unit: str  # "year" or "month"
    bars: tuple[Bar, ...]
    undated: int
    width: int
    height: int = HEIGHT

    @property
    def caption(self) -> str:
        first, last = self.bars[0].title, self.bars[-1].title
        span = first if first == last else f"{first} to {last}"
        return f"Matches per {self.unit}, {span}"

    @property
    def baseline(self) -> int:
        return BAR_TOP + BAR_HEIGHT

    @property
    def label_y(self) -> int:
        return BAR_TOP + BAR_HEIGHT + 14

    @property
    def sublabel_y(self) -> int:
        return BAR_TOP + BAR_HEIGHT + 28


Link = Callable[[SearchState], str]


def build(
    engine: SearchBackend, state: SearchState, filters: Filters, result: SearchResult, link: Link
) -> Timeline | None:
    """The timeline of a result; months take one count each, years come from the year facet."""
    years = {int(v.value): v.count for v in result.facets.get("year", ()) if v.value.isdecimal()}
    if filters.year:
        years = {y: n for y, n in years.items() if str(y) in filters.year}
    if not years:
        return None
    counted = result.total + (result.partial_total if state.match == "any" else 0)
    undated = 0
    if not filters.year and not (filters.date_from or filters.date_to):
        undated = max(0, counted - sum(years.values()))
    start = dt.date(min(years), 1, 1)
    end = dt.date(max(years), 12, 31)
    if filters.date_from:
        start = max(start, filters.date_from)
    if filters.date_to:
        end = min(end, filters.date_to)
    if start > end:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months <= MAX_MONTHS:
        return _months(engine, state, filters, start, months, link, undated, counted)
    return _years(state, years, start.year, end.year, link, undated)


def _years(
    state: SearchState, years: dict[int, int], first: int, last: int, link: Link, undated: int
) -> Timeline | None:
    first = max(first, last - MAX_YEARS + 1)
    periods = [(str(y), str(y), str(y), years.get(y, 0)) for y in range(first, last + 1)]
    return _draw("year", state, periods, link, undated)


def _months(
    engine: SearchBackend,
    state: SearchState,
    filters: Filters,
    start: dt.date,
    months: int,
    link: Link,
    undated: int,
    total: int,
) -> Timeline | None:
    spans = []
    for offset in range(months):
        year, month = divmod(start.month - 1 + offset, 12)
        year += start.year
        first = dt.date(year, month + 1, 1)
        last = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)
        spans.append((year, month, first, last))
    if total <= ONE_PASS:
        # Few matches: one pass over them costs less than a count for every month.
        found = Counter(
            hit.date[:7]
            for hit in engine.export(dataclasses.replace(state.request(filters), page=1, limit=1))
            if hit.date and hit.date_precision != "year"  # a year alone has no month's bar
        )
        counts = [found.get(f"{year}-{month + 1:02d}", 0) for year, month, _, _ in spans]
    else:
        counts = [
            engine.counted(
                dataclasses.replace(
                    state.request(
                        dataclasses.replace(
                            filters,
                            date_from=max(first, filters.date_from or first),
                            date_to=min(last, filters.date_to or last),
                        )
                    ),
                    page=1,
                    limit=0,
                )
            )
            for _, _, first, last in spans
        ]
    periods = [
        (f"{year}-{month + 1:02d}", MONTHS[month], f"{MONTH_NAMES[month]} {year}", count)
        for (year, month, _, _), count in zip(spans, counts, strict=True)
    ]
    if not (filters.year or filters.date_from or filters.date_to):
        # No period was asked for: draw from the first month with a match to the last.
        counts = [count for *_, count in periods]
        if any(counts):
            start_at = next(i for i, n in enumerate(counts) if n)
            stop_at = len(counts) - next(i for i, n in enumerate(reversed(counts)) if n)
            periods = periods[start_at:stop_at]
    return _draw("month", state, periods, link, undated)


def _draw(
    unit: str,
    state: SearchState,
    periods: list[tuple[str, str, str, int]],
    link: Link,
    undated: int,
) -> Timeline | None:
    if not any(count for *_, count in periods):
        return None
    tallest = max(count for *_, count in periods)
    slot = SLOT[unit]
    bars = []
    for index, (period, label, title, count) in enumerate(periods):
        height = round(BAR_HEIGHT * count / tallest, 1) if count else 0.0
        target = state.change(date_from=period, date_to=period, year=())
        sublabel = ""
        if unit == "month" and (index == 0 or label == "Jan"):
            sublabel = period[:4]
        bars.append(
            Bar(
                period=period,
                label=label,
                title=title,
                count=count,
                href=link(target) if count else None,
                selected=state.date_from == period and state.date_to == period,
                x=index * slot + 3,
                y=BAR_TOP + BAR_HEIGHT - height,
                width=slot - 6,
                height=height,
                sublabel=sublabel,
            )
        )
    return Timeline(unit, tuple(bars), undated, width=max(len(bars) * slot, 120))
