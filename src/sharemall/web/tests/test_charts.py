"""Server-drawn console charts (web/charts.py): rounded axes, gaps for missing days, slim bars."""

from __future__ import annotations

import pytest

from sharemall.web.charts import (
    MAX_BAR_WIDTH,
    PLOT_BOTTOM,
    PLOT_HEIGHT,
    PLOT_LEFT,
    PLOT_TOP,
    bar_chart,
    line_chart,
    nice_top,
)


@pytest.mark.parametrize(
    ("peak", "top"),
    [(0, 1.0), (3, 4.0), (7, 8.0), (9, 10.0), (199_240, 200_000.0), (0.083, 0.1), (0.8333, 1.0)],
)
def test_the_axis_tops_out_at_a_round_number(peak: float, top: float) -> None:
    assert nice_top(peak) == pytest.approx(top)
    assert nice_top(peak) >= peak


def test_a_line_chart_scales_to_the_axis_and_labels_its_ticks() -> None:
    plot = line_chart(["a", "b", "c"], [[0, 2, 4]], fmt=lambda v: f"{v:g}")

    baseline = PLOT_HEIGHT - PLOT_BOTTOM
    assert [t.label for t in plot.ticks] == ["0", "1", "2", "3", "4"]
    assert [p.y for p in plot.lines[0].points] == [baseline, (baseline + PLOT_TOP) / 2, PLOT_TOP]
    assert plot.lines[0].points[0].x == PLOT_LEFT
    assert plot.lines[0].path.startswith(f"M{PLOT_LEFT:.1f},{baseline:.1f} L")
    assert plot.lines[0].area.endswith("Z")
    assert not plot.is_empty


def test_a_day_without_a_value_breaks_the_line() -> None:
    plot = line_chart(["a", "b", "c", "d"], [[0.5, None, 0.25, 0.5]], fmt=str)

    line = plot.lines[0]
    assert len(line.points) == 3
    assert line.path.count("M") == 2  # two runs: a, then c–d
    assert line.area.count("Z") == 1  # a lone point has no area


def test_many_days_get_at_most_seven_labels_ending_today() -> None:
    labels = [f"d{n}" for n in range(90)]

    plot = line_chart(labels, [[1] * 90], fmt=str)

    assert len(plot.labels) <= 7
    assert plot.labels[-1][1] == "d89"


def test_bars_stay_slim_and_empty_charts_say_so() -> None:
    plot = bar_chart(["1"], [[3], [2]], fmt=str)

    assert [b.width for b in plot.bars] == [MAX_BAR_WIDTH, MAX_BAR_WIDTH]
    assert plot.bars[0].height > plot.bars[1].height > 0
    assert bar_chart(["a", "b"], [[0, 0]], fmt=str).is_empty
    assert line_chart(["a"], [[None]], fmt=str).is_empty
