"""Properties of the propagation maths on generated share trees."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sharemall.analytics import rules
from sharemall.analytics.rules import Purchase, change, period_of, ratio, split_periods


@st.composite
def share_trees(draw: st.DrawFn, max_buyers: int = 40) -> list[int | None]:
    """parents[i] is whose share buyer i bought through: an earlier buyer, an outside sharer
    (-1: someone who never bought), or nobody (None: found it alone)."""
    n = draw(st.integers(min_value=1, max_value=max_buyers))
    parents: list[int | None] = []
    for i in range(n):
        choices = st.sampled_from([None, -1, *range(i)]) if i else st.sampled_from([None, -1])
        parents.append(draw(choices))
    return parents


def depth(parents: list[int | None], i: int) -> int | None:
    """Reference: the number of share hops from buyer i back to someone who found it alone."""
    parent = parents[i]
    if parent is None:
        return None
    if parent == -1:
        return 1
    above = depth(parents, parent)
    return 1 if above is None else above + 1


@given(share_trees())
def test_the_degree_of_each_purchase_is_its_depth_in_the_share_tree(
    parents: list[int | None],
) -> None:
    history = [
        Purchase(i, None if p is None else ("outside" if p == -1 else p))
        for i, p in enumerate(parents)
    ]
    assert rules.purchase_degrees(history) == [depth(parents, i) for i in range(len(parents))]


@given(st.integers(min_value=1, max_value=50))
def test_a_chain_of_shares_counts_up_one_degree_a_hop(length: int) -> None:
    history = [Purchase(i, i - 1 if i else "founder") for i in range(length)]
    assert rules.purchase_degrees(history) == list(range(1, length + 1))


@given(share_trees())
def test_a_buyer_who_bought_twice_shares_at_their_lowest_degree(parents: list[int | None]) -> None:
    history = [
        Purchase(i, None if p is None else ("outside" if p == -1 else p))
        for i, p in enumerate(parents)
    ]
    # Every buyer buys once more on their own; that changes nobody's degree.
    again = history + [Purchase(i, None) for i in range(len(parents))]
    degrees = rules.purchase_degrees(again)
    assert degrees[: len(history)] == rules.purchase_degrees(history)
    assert degrees[len(history) :] == [None] * len(parents)


@given(share_trees())
def test_the_viral_coefficient_is_the_mean_number_of_buyers_each_sharing_buyer_brought(
    parents: list[int | None],
) -> None:
    brought_by: dict[int, int] = {}
    for parent in parents:
        if parent is not None and parent >= 0:
            brought_by[parent] = brought_by.get(parent, 0) + 1
    k = rules.viral_coefficient(len(brought_by), sum(brought_by.values()))
    if brought_by:
        assert k == round(sum(brought_by.values()) / len(brought_by), 4)
        assert k >= 1  # every sharing buyer here brought at least one
    else:
        assert k == 0.0


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=6))
def test_a_full_tree_where_every_inner_buyer_shares_has_k_equal_to_its_branching(
    branching: int, generations: int
) -> None:
    inner = sum(branching**g for g in range(generations))  # buyers who shared
    brought = sum(branching**g for g in range(1, generations + 1))
    assert rules.viral_coefficient(inner, brought) == branching


@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1), st.randoms())
def test_half_life_ignores_the_order_clicks_arrive_in(ages: list[float], rnd: object) -> None:
    shuffled = ages[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rules.half_life_hours(shuffled) == rules.half_life_hours(ages)


@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200),
    st.integers(min_value=2, max_value=50),
)
def test_half_life_scales_with_time(ages: list[float], factor: int) -> None:
    base = rules.half_life_hours(ages)
    scaled = rules.half_life_hours([a * factor for a in ages])
    assert base is not None and scaled is not None
    assert math.isclose(scaled, base * factor, rel_tol=1e-9, abs_tol=1e-9)


@given(st.floats(min_value=0.1, max_value=500), st.integers(min_value=1, max_value=400))
def test_clicks_decaying_exponentially_give_back_the_decay_half_life(
    half_life: float, n: int
) -> None:
    # The n quantiles of an exponential decay with this half-life, as click ages in seconds.
    rate = math.log(2) / (half_life * 3600)
    ages = [-math.log(1 - (k + 0.5) / (2 * n + 1)) / rate for k in range(2 * n + 1)]
    estimate = rules.half_life_hours(ages)
    assert estimate is not None
    assert math.isclose(estimate, half_life, rel_tol=1e-3)


def test_no_clicks_no_half_life_and_conversion_needs_clicks() -> None:
    assert rules.half_life_hours([]) is None
    assert rules.conversion(3, 0) is None
    assert rules.conversion(1, 4) == 0.25
    # A click recorded a moment before its link (clock skew) counts as age zero.
    assert rules.half_life_hours([-5.0]) == 0.0


# --- the KPI dashboard's maths ---


def test_a_ratio_without_a_base_is_none_not_zero() -> None:
    assert ratio(1, 3) == 0.3333
    assert ratio(0, 5) == 0.0
    assert ratio(3, 0) is None


def test_change_is_relative_to_the_previous_period() -> None:
    assert change(150, 100) == 0.5
    assert change(50, 100) == -0.5
    assert change(100, 100) == 0.0
    assert change(5, 0) is None
    assert change(None, 3) is None
    assert change(0.2, -0.1) == 3.0


def test_a_period_and_the_one_before_it() -> None:
    period = period_of(date(2026, 3, 10), 7)

    assert (period.start, period.end, period.previous_start) == (
        date(2026, 3, 4),
        date(2026, 3, 10),
        date(2026, 2, 25),
    )
    assert period.days[0] == date(2026, 3, 4)
    assert len(period.days) == 7
    by_day = {date(2026, 3, 10): 5, date(2026, 3, 4): 1, date(2026, 3, 3): 7, date(2026, 2, 24): 9}
    assert split_periods(period, by_day) == ([1, 0, 0, 0, 0, 0, 5], 6, 7)


def test_degree_buckets_and_cost_ratio() -> None:
    assert [rules.degree_bucket(d) for d in (None, 1, 2, 3, 7)] == ["direct", "1", "2", "3+", "3+"]
    assert rules.by_degree([1, 1, None, 5]) == {"1": 2, "2": 0, "3+": 1, "direct": 1}
    assert rules.cost_ratio_bp(1000, 4000) == 2500
    assert rules.cost_ratio_bp(500, 4500) == 1111  # 1111.1
    assert rules.cost_ratio_bp(1500, 8500) == 1765  # 1764.7
    assert rules.cost_ratio_bp(1, 20000) == 1  # 0.5 rounds half up
    assert rules.cost_ratio_bp(0, 0) is None


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_cost_ratio_is_the_nearest_basis_point(cost: int, gmv: int) -> None:
    bp = rules.cost_ratio_bp(cost, gmv)
    assert bp is not None
    assert abs(bp - cost * 10_000 / gmv) <= 0.5
