"""The bar in a campaign's table row: its parts side by side, filling the width."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharemall.web.charts import MINI_WIDTH, stacked_bar


def test_empty_parts_take_no_room() -> None:
    bar = stacked_bar([("a", 0), ("b", 3), ("c", 1)])
    assert [(s.series, s.x, s.width) for s in bar.segments] == [(1, 0.0, 90.0), (2, 90.0, 30.0)]
    assert stacked_bar([("a", 0)]).segments == []


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6))
def test_segments_fill_the_bar_in_order(values: list[int]) -> None:
    bar = stacked_bar([(str(i), v) for i, v in enumerate(values)])
    assert bar.total == sum(values)
    if bar.total:
        assert abs(sum(s.width for s in bar.segments) - MINI_WIDTH) < 0.1
        assert [s.series for s in bar.segments] == [i for i, v in enumerate(values) if v]
        assert all(
            abs(a.x + a.width - b.x) < 0.02
            for a, b in zip(bar.segments, bar.segments[1:], strict=False)
        )
