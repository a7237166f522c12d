"""The bargain's cuts: positive, exact, K of them, fixed by the seed — for any seed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharemall.promotions.rules import bargains as rules

SEEDS = st.integers(min_value=0, max_value=2**62)


@st.composite
def terms(draw: st.DrawFn) -> tuple[int, int, int]:
    k = draw(st.integers(min_value=1, max_value=100))
    total = draw(st.integers(min_value=k, max_value=10_000_000))
    return total, k, draw(SEEDS)


@given(terms())
def test_cuts_are_positive_exact_and_k(t: tuple[int, int, int]) -> None:
    total, k, seed = t
    found = rules.cuts(total, k, seed)
    assert len(found) == k
    assert all(c >= 1 for c in found)
    assert sum(found) == total


@given(terms())
def test_cuts_are_fixed_by_the_seed(t: tuple[int, int, int]) -> None:
    total, k, seed = t
    assert rules.cuts(total, k, seed) == rules.cuts(total, k, seed)


@given(terms(), st.integers(min_value=1, max_value=10_000))
def test_the_price_reaches_the_floor_exactly_at_the_kth_help(
    t: tuple[int, int, int], floor: int
) -> None:
    total, k, seed = t
    start = floor + total
    prices = [rules.price_after(start, floor, k, seed, h) for h in range(k + 1)]
    assert prices[0] == start
    assert prices[k] == floor
    assert all(a > b for a, b in itertools.pairwise(prices))
    assert all(p > floor for p in prices[:k])


def test_cuts_are_front_loaded() -> None:
    found = rules.cuts(10_000, 10, seed=7)
    assert found[0] == max(found)
    assert found[0] > found[-1]


def test_different_seeds_give_different_paths() -> None:
    assert len({tuple(rules.cuts(100_000, 8, s)) for s in range(20)}) > 1


def test_too_little_to_cut_is_refused() -> None:
    with pytest.raises(rules.InvalidBargain):
        rules.cuts(4, 5, seed=1)


@pytest.mark.parametrize(
    ("start", "floor", "helpers", "hours"),
    [
        (1000, 0, 5, 24),
        (1000, 1000, 5, 24),
        (1000, 1200, 5, 24),
        (1000, 100, 0, 24),
        (1000, 100, 101, 24),
        (1000, 100, 5, 0),
        (1000, 100, 5, 169),
        (1000, 996, 5, 24),
    ],
)
def test_bad_terms_are_refused(start: int, floor: int, helpers: int, hours: int) -> None:
    with pytest.raises(rules.InvalidBargain):
        rules.check_terms(
            start_price_fen=start, floor_price_fen=floor, helpers=helpers, hours=hours
        )


def test_the_tightest_terms_pass() -> None:
    rules.check_terms(start_price_fen=1000, floor_price_fen=995, helpers=5, hours=168)
    rules.check_terms(start_price_fen=2, floor_price_fen=1, helpers=1, hours=1)


def test_an_open_run_past_its_time_is_expired() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.run_state(rules.OPEN, now, now) == rules.EXPIRED
    assert rules.run_state(rules.OPEN, now + timedelta(seconds=1), now) == rules.OPEN
    assert rules.run_state(rules.BOUGHT, now - timedelta(days=1), now) == rules.BOUGHT
