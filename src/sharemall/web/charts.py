"""Bar charts drawn as inline SVG on the server: no script, nothing for the CSP to allow."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 320, 160
BASELINE = HEIGHT - 20  # room under the bars for labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    series: int  # which of the grouped series (0, 1, …): picks the colour class


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x of each group's label, and the label
    peak: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = BASELINE


def grouped_bars(groups: Sequence[tuple[str, Sequence[int]]], *, label_every: int = 1) -> Chart:
    """Side-by-side bars per group, all scaled to the tallest value."""
    peak = max((v for _label, values in groups for v in values), default=0)
    scale = (BASELINE - 10) / peak if peak else 0.0
    slot = WIDTH / max(len(groups), 1)
    per_group = max((len(values) for _label, values in groups), default=1)
    bar_width = slot * 0.8 / per_group
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for index, (label, values) in enumerate(groups):
        left = index * slot + slot * 0.1
        for series, value in enumerate(values):
            height = value * scale
            bars.append(
                Bar(
                    x=round(left + series * bar_width, 2),
                    y=round(BASELINE - height, 2),
                    width=round(bar_width, 2),
                    height=round(height, 2),
                    value=value,
                    label=label,
                    series=series,
                )
            )
        if index % label_every == 0:
            labels.append((round(index * slot + slot / 2, 2), label))
    return Chart(bars=bars, labels=labels, peak=peak)


# --- Console charts: axes, gridlines and labels, for the KPI dashboards ---

PLOT_WIDTH, PLOT_HEIGHT = 560, 230
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 66, 26, 14, 34
MAX_BAR_WIDTH = 36.0
MAX_X_LABELS = 7
TICKS = 4


def nice_top(peak: float) -> float:
    """The round number (1, 2, 2.5 or 5 × 10ⁿ per tick) the axis tops out at, at or above peak."""
    if peak <= 0:
        return 1.0
    raw_step = peak / TICKS
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    step = next(
        m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= raw_step - 1e-12
    )
    return float(step * TICKS)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the day, for the tooltip
    text: str  # the value as people read it


@dataclass(frozen=True)
class Line:
    series: int
    points: list[Point]
    path: str  # SVG path data; a day without a value breaks the line
    area: str  # the same, closed down to the baseline, for the filled area


@dataclass(frozen=True)
class Plot:
    """A chart with a y axis, ready for web/console_charts.html#plot."""

    kind: str  # "line" or "bar"
    ticks: list[Tick]
    labels: list[tuple[float, str]]
    lines: list[Line]
    bars: list[Bar]
    width: int = PLOT_WIDTH
    height: int = PLOT_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_WIDTH - PLOT_RIGHT
    top: int = PLOT_TOP
    baseline: int = PLOT_HEIGHT - PLOT_BOTTOM

    @property
    def is_empty(self) -> bool:
        return not any(line.points for line in self.lines) and not any(
            bar.value for bar in self.bars
        )


Number = int | float
Format = Callable[[float], str]


def _axis(values: Sequence[Number | None], fmt: Format) -> tuple[float, list[Tick]]:
    top = nice_top(max((float(v) for v in values if v is not None), default=0.0))
    span = PLOT_HEIGHT - PLOT_BOTTOM - PLOT_TOP
    ticks = [
        Tick(y=round(PLOT_HEIGHT - PLOT_BOTTOM - span * i / TICKS, 2), label=fmt(top * i / TICKS))
        for i in range(TICKS + 1)
    ]
    return top, ticks


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[tuple[float, str]]:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    # Count back from the last day, so today always has its label.
    last = len(labels) - 1
    return [(xs[i], labels[i]) for i in range(len(labels)) if (last - i) % every == 0]


def line_chart(
    labels: Sequence[str], series: Sequence[Sequence[Number | None]], *, fmt: Format = str
) -> Plot:
    """Lines (with a filled area under the first) over days: one point per label, scaled to a
    rounded top; None leaves a gap instead of pretending the value was zero."""
    top, ticks = _axis([v for values in series for v in values], fmt)
    baseline = PLOT_HEIGHT - PLOT_BOTTOM
    span = baseline - PLOT_TOP
    inner = PLOT_WIDTH - PLOT_RIGHT - PLOT_LEFT
    step = inner / max(len(labels) - 1, 1)
    xs = [round(PLOT_LEFT + i * step, 2) for i in range(len(labels))]
    lines = []
    for number, values in enumerate(series):
        points: list[Point] = []
        path: list[str] = []
        area: list[str] = []
        run: list[Point] = []
        for i, value in enumerate(values):
            if value is None:
                area.append(_area(run, baseline))
                run = []
                continue
            y = round(baseline - span * float(value) / top, 2)
            point = Point(xs[i], y, labels[i], fmt(value))
            path.append(f"{'L' if run else 'M'}{point.x},{point.y}")
            run.append(point)
            points.append(point)
        area.append(_area(run, baseline))
        lines.append(Line(number, points, " ".join(path), " ".join(a for a in area if a)))
    return Plot("line", ticks, _x_labels(labels, xs), lines, [])


def _area(run: Sequence[Point], baseline: float) -> str:
    if len(run) < 2:
        return ""
    edge = " ".join(f"L{p.x},{p.y}" for p in run[1:])
    return f"M{run[0].x},{baseline} L{run[0].x},{run[0].y} {edge} L{run[-1].x},{baseline} Z"


def bar_chart(
    labels: Sequence[str], series: Sequence[Sequence[Number]], *, fmt: Format = str
) -> Plot:
    """Bars per day, series side by side, with the same axis as line_chart."""
    top, ticks = _axis([v for values in series for v in values], fmt)
    baseline = PLOT_HEIGHT - PLOT_BOTTOM
    span = baseline - PLOT_TOP
    inner = PLOT_WIDTH - PLOT_RIGHT - PLOT_LEFT
    slot = inner / max(len(labels), 1)
    # A few days (or degrees) must not become slabs: bars stay slim and sit centred in the slot.
    width = min(slot * 0.7 / max(len(series), 1), MAX_BAR_WIDTH)
    group = width * len(series)
    bars: list[Bar] = []
    xs = [round(PLOT_LEFT + slot * (i + 0.5), 2) for i in range(len(labels))]
    for number, values in enumerate(series):
        for i, value in enumerate(values):
            height = span * float(value) / top
            bars.append(
                Bar(
                    x=round(xs[i] - group / 2 + number * width, 2),
                    y=round(baseline - height, 2),
                    width=round(max(width, 1.0), 2),
                    height=round(height, 2),
                    value=int(value),
                    label=f"{labels[i]}: {fmt(value)}",
                    series=number,
                )
            )
    return Plot("bar", ticks, _x_labels(labels, xs), [], bars)


# --- A bar in a table row: parts of a whole side by side (a campaign's orders by degree) ---

MINI_WIDTH, MINI_HEIGHT = 120, 10


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    value: int
    label: str
    series: int


@dataclass(frozen=True)
class StackedBar:
    segments: list[Segment]
    total: int
    width: int = MINI_WIDTH
    height: int = MINI_HEIGHT


def stacked_bar(parts: Sequence[tuple[str, int]]) -> StackedBar:
    """One bar the width of the cell split among the parts, in their order (series 0, 1, …);
    empty parts take no room, and a bar with nothing in it has no segments."""
    total = sum(max(value, 0) for _label, value in parts)
    segments: list[Segment] = []
    x = 0.0
    for series, (label, value) in enumerate(parts):
        if value <= 0 or not total:
            continue
        width = MINI_WIDTH * value / total
        segments.append(Segment(round(x, 2), round(width, 2), value, f"{label}: {value}", series))
        x += width
    return StackedBar(segments, total)
