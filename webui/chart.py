"""A trend chart as plain data: one line per search over the periods, each point a link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsearch.search.trends import Trend

# colours that stay apart for the common kinds of colour blindness (Okabe and Ito)
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7")
MARKERS = ("circle", "square", "diamond", "triangle")
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 46
PLOT_HEIGHT = 220
SLOT = {"year": 36, "month": 14}
MIN_WIDTH = 360


@dataclass(frozen=True)
class Point:
    period: str
    value: float  # a count, or a share from 0 to 1
    label: str  # "2016: 12 matches (3.1% of 387 items)"
    x: float
    y: float
    href: str | None  # the period's results; None where nothing matched


@dataclass(frozen=True)
class Series:
    query: str
    colour: str
    marker: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        """The SVG path through the points."""
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the template draws: axes, ticks, one series per search."""

    measure: str  # "count" or "share"
    unit: str
    width: int
    height: int
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: int = LEFT
    plot_top: int = TOP
    plot_bottom: int = TOP + PLOT_HEIGHT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT


def _share_text(value: float) -> str:
    return f"{value * 100:.1f}%" if value >= 0.001 or value == 0 else f"{value * 100:.2f}%"


def build(trend: Trend, measure: str, link: Callable[[int, str], str]) -> Chart | None:
    """The chart of a trend; ``link(series, period)`` is the URL of that period's results."""
    if not trend.rows:
        return None
    rows = trend.rows
    slot = SLOT[trend.unit]
    width = max(MIN_WIDTH, LEFT + RIGHT + slot * len(rows))
    values = [
        [
            (share or 0.0) if measure == "share" else float(count)
            for count, share in zip(row.counts, row.shares(), strict=True)
        ]
        for row in rows
    ]
    top = max((v for row in values for v in row), default=0.0)
    top = _nice(top, measure)
    step = (width - LEFT - RIGHT) / max(1, len(rows))

    def y_of(value: float) -> float:
        return TOP + PLOT_HEIGHT - (PLOT_HEIGHT * value / top if top else 0.0)

    series = []
    for index, query in enumerate(trend.queries):
        points = []
        for row_index, row in enumerate(rows):
            value = values[row_index][index]
            count = row.counts[index]
            share = row.shares()[index]
            label = f"{row.period}: {count:,} match{'es' if count != 1 else ''}"
            if share is not None:
                label += f" ({_share_text(share)} of {row.total:,} items)"
            points.append(
                Point(
                    period=row.period,
                    value=value,
                    label=label,
                    x=LEFT + step * (row_index + 0.5),
                    y=y_of(value),
                    href=link(index, row.period) if count else None,
                )
            )
        series.append(
            Series(query, COLOURS[index % len(COLOURS)], MARKERS[index % 4], tuple(points))
        )
    every = max(1, round(40 / step))  # a label every 40 units or so
    x_ticks = tuple(
        Tick(LEFT + step * (i + 0.5), TOP + PLOT_HEIGHT + 16, row.period)
        for i, row in enumerate(rows)
        if i % every == 0
    )
    y_ticks = tuple(
        Tick(
            LEFT - 6,
            y_of(top * k / 4),
            _share_text(top * k / 4) if measure == "share" else f"{top * k / 4:,.0f}",
        )
        for k in range(5)
    )
    return Chart(
        measure=measure,
        unit=trend.unit,
        width=int(width),
        height=TOP + PLOT_HEIGHT + BOTTOM,
        series=tuple(series),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


def _nice(top: float, measure: str) -> float:
    """A round top for the value axis, at or above the largest value."""
    if top <= 0:
        return 1.0 if measure == "share" else 4.0
    if measure == "count":
        for whole in (4, 8, 20, 40, 100, 200, 400, 1000, 2000, 4000, 10000, 20000, 40000):
            if top <= whole:
                return float(whole)
        return float(int(top / 40000 + 1) * 40000)
    for step in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0):
        if top <= step:
            return step
    return 1.0
