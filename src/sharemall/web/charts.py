"""Bar charts drawn as inline SVG on the server: no script, nothing for the CSP to allow."""

from __future__ import annotations

from collections.abc import Sequence
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
